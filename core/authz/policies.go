package authz

import (
	"slices"
	"strconv"
	"strings"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/identity"
)

// The Casbin model: RBAC with domains plus the relationship of the principal to the case, with
// deny rules.
//
// A request is (sub, rdom, dom, obj, act, rel): the subject; the tenant its roles are looked up
// in (rdom: the tenant acted in, or the subject's home tenant for a case of another tenant
// shared with it); the tenant whose rules apply (dom: the tenant acted in, the case's tenant);
// the object and action; and the relationship the platform computed (package access; "none"
// for requests about no particular case). A rule is (role, dom, obj, act, rel, eft): dom "*"
// is one copy for every tenant (compared by equality, never a pattern), a tenant code is that
// tenant's override; rel "*" holds for every relationship; eft is "allow" or "deny", and one
// matching deny overrides every allow.
//
// A grant "g, <subject>, <role>, <home tenant>" reaches the home tenant's subtree through the
// domain matching function registered on "g" (see subtreeMatch).
//
// The rules of each object are a policy type of their own (ptypeOf): "p2" for tenants, "p3" for
// users… A decision evaluates the rules of its object only — Casbin has no index, and its
// deny-aware effect reads every rule of the type — so a decision the cache does not hold costs
// a few dozen rule evaluations, not a few hundred. Each type has the same request, effect and
// matcher (r2/e2/m2 for p2…). govaluate evaluates && left to right and stops at the first false
// term, so the string comparisons come first and the role lookup g() last.
var modelText = func() string {
	var b strings.Builder
	sec := func(name string, f func(k string) string) {
		b.WriteString("\n[" + name + "]\n")
		for _, k := range policyKeys() {
			b.WriteString(f(k) + "\n")
		}
	}
	sec("request_definition", func(k string) string { return "r" + k + " = sub, rdom, dom, obj, act, rel" })
	sec("policy_definition", func(k string) string { return "p" + k + " = sub, dom, obj, act, rel, eft" })
	b.WriteString("\n[role_definition]\ng = _, _, _\n")
	// Casbin recognises an effect by its text, always written with p.eft; the effect of e2 reads
	// the eft of p2's rules.
	sec("policy_effect", func(k string) string {
		return "e" + k + " = some(where (p.eft == allow)) && !some(where (p.eft == deny))"
	})
	sec("matchers", func(k string) string {
		p, r := "p"+k, "r"+k
		return "m" + k + " = (" + p + ".obj == " + r + ".obj || " + p + ".obj == \"*\") && (" + p + ".act == " + r + ".act || " + p + ".act == \"*\") && (" +
			p + ".rel == " + r + ".rel || " + p + ".rel == \"*\") && (" + p + ".dom == \"*\" || " + p + ".dom == " + r + ".dom) && g(" + r + ".sub, " + p + ".sub, " + r + ".rdom)"
	})
	return b.String()
}()

// typedObjects are the objects with a policy type of their own, "p2" onwards in this order;
// every other object (role:<r> among them) is of type "p". Append only: stored rules carry
// their type.
var typedObjects = []string{ObjTenants, ObjUsers, ObjTokens, ObjOffices, ObjAudit, ObjCases, ObjCasePII, ObjDisputeTypes,
	ObjOrganisations, ObjMediators, ObjExperts, ObjCaseSettings, ObjWarnings, ObjInbox, ObjStats, ObjLibrary, ObjPolicies,
	ObjPlugins, ObjPluginRoutes, ObjCaseAgreement}

// policyKeys are the suffixes of the policy types: "" (p), "2" (p2)…
func policyKeys() []string {
	keys := []string{""}
	for i := range typedObjects {
		keys = append(keys, strconv.Itoa(i+2))
	}
	return keys
}

// ptypeOf is the policy type holding the rules of obj.
func ptypeOf(obj string) string { return "p" + keyOf(obj) }

func keyOf(obj string) string {
	if i := slices.Index(typedObjects, obj); i >= 0 {
		return strconv.Itoa(i + 2)
	}
	return ""
}

// isPolicyType tells whether ptype is one of the model's "p" types.
func isPolicyType(ptype string) bool {
	return strings.HasPrefix(ptype, "p") && slices.Contains(policyKeys(), ptype[1:])
}

// AnyTenant is the dom of a rule that holds in every tenant.
const AnyTenant = "*"

// Objects of rules.
const (
	ObjTenants = "tenants"
	ObjUsers   = "users"
	ObjTokens  = "tokens"
	ObjOffices = "offices"
	ObjAudit   = "audit"
	ObjCases   = "cases"
	// ObjCasePII is the parties' personal data in full (ID numbers, phones, addresses): read
	// only on request, and every read is audited.
	ObjCasePII       = "cases.pii"
	ObjDisputeTypes  = "dispute_types"
	ObjOrganisations = "organisations"
	ObjMediators     = "mediators"
	ObjExperts       = "experts"
	ObjCaseSettings  = "case_settings"
	ObjWarnings      = "warnings"
	ObjInbox         = "inbox"
	// ObjStats is the figures of a tenant and its subtree: aggregates only.
	ObjStats = "stats"
	// ObjLibrary is the case library (案例库): staff read it and submit concluded cases;
	// district administrators also review (publish or reject) submissions.
	ObjLibrary = "library"
)

// ObjCaseAgreement is the printable mediation agreement (人民调解协议书), which names the parties
// in full: the referring agency and the confirming court read it (agreement scope) without
// reading the parties' data of anything else.
const ObjCaseAgreement = "cases.agreement"

// Actions of rules.
const (
	ActOnboard = "onboard"
	ActRead    = "read"
	ActUpdate  = "update"
	ActSuspend = "suspend"
	ActResume  = "resume"
	ActArchive = "archive"
	ActCreate  = "create"
	ActRevoke  = "revoke"
	ActAssign  = "assign"
	// ActAcknowledge and ActConfigure are of warnings: sign for one, set who is notified.
	ActAcknowledge = "acknowledge"
	ActConfigure   = "configure"
	// ActReview is of the case library: publish or reject a submission.
	ActReview = "review"
	// ActImport is of cases: load historical cases from a legacy system's file, into the tenant
	// or the districts of the subtree. Administrators and, by default, district staff (the
	// migration is clerical work); a tenant narrows it with a deny override.
	ActImport = "import"
)

// More objects and actions of cross-agency access.
const (
	// ObjPolicies is the authorization rules of a tenant: read them, add or remove overrides,
	// explain a decision.
	ObjPolicies = "policies"
	// ActConfirm is of cases: record the judicial confirmation (司法确认) of an agreement.
	ActConfirm = "confirm"
	// ActExport is of cases: download them as a file.
	ActExport = "export"
	// ActShare is of cases: share one with another agency or tenant, and revoke the share.
	ActShare = "share"
	// ActLink is of cases: link an agency to a case, or assign a mediator.
	ActLink = "link"
)

// Objects and actions of the plugin platform.
const (
	// ObjPlugins is the plugin catalog and a tenant's plugins: read them; update enables,
	// disables and sets a plugin's settings for a tenant or its subtree; restart (operators of
	// the platform) restarts a plugin process and clears its crash record.
	ObjPlugins = "plugins"
	// ObjPluginRoutes is the HTTP routes plugins serve: read (GET) and write (other methods).
	ObjPluginRoutes = "plugin_routes"
	ActRestart      = "restart"
	ActWrite        = "write"
)

// Effects of rules.
const (
	Allow = "allow"
	Deny  = "deny"
)

// RoleObject is the object of the rule allowing to grant role: Allowed(sub, dom, RoleObject(r),
// ActAssign) tells whether sub may grant r in dom. Whether dom's level fits r is checked
// elsewhere (identity.CheckRole).
func RoleObject(role string) string { return "role:" + role }

// grant is one line of the default policy: role may do each of acts on obj when it stands to
// the case (or tenant) in one of rels.
type grant struct {
	obj  string
	acts []string
	rels []string
}

func g(obj string, acts []string, rels ...string) grant {
	if len(rels) == 0 {
		rels = []string{access.Any}
	}
	return grant{obj: obj, acts: acts, rels: rels}
}

func acts(a ...string) []string { return a }

// defaultGrants is the default policy, role by role (docs/access.md shows it as a table).
func defaultGrants() []struct {
	role    string
	grants  []grant
	assigns []string
} {
	tenantAdmin := []grant{
		g(ObjTenants, acts(ActOnboard, ActRead, ActUpdate, ActSuspend, ActResume, ActArchive)),
		g(ObjUsers, acts(ActCreate, ActRead, ActUpdate)),
		g(ObjTokens, acts(ActCreate, ActRead, ActRevoke)),
		g(ObjOffices, acts(ActRead)),
		g(ObjAudit, acts(ActRead)),
		g(ObjInbox, acts(ActRead)), // escalated warnings reach upper levels here
		g(ObjStats, acts(ActRead)),
		g(ObjPolicies, acts(ActRead, ActUpdate)),
		g(ObjCases, acts(ActImport)),
		g(ObjPlugins, acts(ActRead, ActUpdate)),
		g(ObjPluginRoutes, acts(ActRead, ActWrite)),
		// The registries of the subtree, read only (mediators' phones masked by the API).
		g(ObjOrganisations, acts(ActRead)),
		g(ObjMediators, acts(ActRead)),
		// Figures, not personal data: a case's summary only where a warning was escalated.
		g(ObjCases, acts(ActRead), access.Escalated),
		g(ObjWarnings, acts(ActRead), access.Escalated),
	}
	// What bureau staff may do on the cases of their own tenant and on cases shared with them or
	// jointly mediated with their tenant.
	staffCases := []grant{
		g(ObjCases, acts(ActCreate)),
		g(ObjCases, acts(ActRead, ActUpdate, ActConfirm, ActExport, ActShare, ActLink), access.Owner),
		g(ObjCasePII, acts(ActRead), access.Owner),
		g(ObjWarnings, acts(ActRead, ActAcknowledge), access.Owner),
		g(ObjCases, acts(ActRead), access.Grantee, access.Partner),
		g(ObjCasePII, acts(ActRead), access.GranteeParties, access.Partner),
		g(ObjCaseAgreement, acts(ActRead), access.Owner, access.GranteeParties, access.Partner),
	}
	districtAdmin := append([]grant{
		g(ObjTenants, acts(ActRead, ActUpdate)), // its own settings
		g(ObjUsers, acts(ActCreate, ActRead, ActUpdate)),
		g(ObjTokens, acts(ActCreate, ActRead, ActRevoke)),
		g(ObjOffices, acts(ActRead)),
		g(ObjAudit, acts(ActRead)),
		g(ObjCases, acts(ActImport)),
		g(ObjDisputeTypes, acts(ActRead, ActCreate)),
		g(ObjOrganisations, acts(ActCreate, ActRead, ActUpdate)),
		g(ObjMediators, acts(ActCreate, ActRead, ActUpdate)),
		g(ObjExperts, acts(ActCreate, ActRead, ActUpdate)),
		g(ObjCaseSettings, acts(ActRead, ActUpdate)),
		g(ObjWarnings, acts(ActConfigure)),
		g(ObjInbox, acts(ActRead)),
		g(ObjStats, acts(ActRead)),
		g(ObjLibrary, acts(ActRead, ActCreate, ActReview)),
		g(ObjPolicies, acts(ActRead, ActUpdate)),
		g(ObjPlugins, acts(ActRead, ActUpdate)),
		g(ObjPluginRoutes, acts(ActRead, ActWrite)),
	}, staffCases...)
	districtStaff := append([]grant{
		g(ObjTenants, acts(ActRead)),
		g(ObjOffices, acts(ActRead)),
		g(ObjDisputeTypes, acts(ActRead)),
		g(ObjOrganisations, acts(ActRead)),
		g(ObjMediators, acts(ActRead)),
		g(ObjExperts, acts(ActRead)),
		g(ObjCaseSettings, acts(ActRead)),
		g(ObjInbox, acts(ActRead)),
		g(ObjStats, acts(ActRead)),
		g(ObjLibrary, acts(ActRead, ActCreate)),
		g(ObjCases, acts(ActImport)), // a bureau's clerks migrate its legacy records (historical cases)
		g(ObjPlugins, acts(ActRead)),
		g(ObjPluginRoutes, acts(ActRead, ActWrite)),
	}, staffCases...)
	// An agency (court, police station, petition office…) sees the cases it referred or is
	// linked to, and what is shared with it; a court records judicial confirmation on the cases
	// it referred; a police station gets the parties' contacts of the cases whose warnings it
	// handles.
	agency := []grant{
		g(ObjTenants, acts(ActRead)),
		g(ObjDisputeTypes, acts(ActRead)),
		g(ObjInbox, acts(ActRead)),
		g(ObjCases, acts(ActRead), access.Referrer, access.Linked, access.Grantee),
		g(ObjCases, acts(ActConfirm), access.Referrer),
		g(ObjCasePII, acts(ActRead), access.Linked, access.GranteeParties),
		// The agreement scope: the referrer and the court that confirmed the agreement read it.
		g(ObjCaseAgreement, acts(ActRead), access.Referrer, access.ConfirmingCourt, access.Linked, access.GranteeParties),
		g(ObjWarnings, acts(ActRead, ActAcknowledge), access.Linked),
		g(ObjPluginRoutes, acts(ActRead, ActWrite)), // e.g. a linkage's tasks for the agency
	}
	// The platform's operators (national administrators) also restart plugin processes.
	nationalAdmin := append([]grant{g(ObjPlugins, acts(ActRestart))}, tenantAdmin...)
	return []struct {
		role    string
		grants  []grant
		assigns []string
	}{
		{identity.RoleNationalAdmin, nationalAdmin, identity.Roles()},
		{identity.RoleProvinceAdmin, tenantAdmin, append([]string{identity.RoleProvinceAdmin, identity.RoleCityAdmin}, identity.DistrictRoles()...)},
		{identity.RoleCityAdmin, tenantAdmin, append([]string{identity.RoleCityAdmin}, identity.DistrictRoles()...)},
		{identity.RoleDistrictAdmin, districtAdmin, identity.DistrictRoles()},
		{identity.RoleDistrictStaff, districtStaff, nil},
		{identity.RoleIntakeOfficer, []grant{
			g(ObjTenants, acts(ActRead)),
			g(ObjDisputeTypes, acts(ActRead)),
			g(ObjOrganisations, acts(ActRead)),
			g(ObjCaseSettings, acts(ActRead)),
			g(ObjCases, acts(ActCreate)),
			g(ObjCases, acts(ActRead, ActUpdate), access.Owner),
			g(ObjCasePII, acts(ActRead), access.Owner),
			g(ObjCaseAgreement, acts(ActRead), access.Owner),
			g(ObjWarnings, acts(ActRead), access.Owner),
			g(ObjPluginRoutes, acts(ActRead, ActWrite)),
		}, nil},
		{identity.RoleAnalyst, []grant{
			g(ObjTenants, acts(ActRead)),
			g(ObjDisputeTypes, acts(ActRead)),
			g(ObjOrganisations, acts(ActRead)),
			g(ObjStats, acts(ActRead)),
			g(ObjCases, acts(ActRead, ActExport), access.Owner), // summaries, never personal data
			g(ObjPluginRoutes, acts(ActRead)),
		}, nil},
		{identity.RoleCommitteeHead, []grant{
			g(ObjTenants, acts(ActRead)),
			g(ObjDisputeTypes, acts(ActRead)),
			g(ObjMediators, acts(ActRead)),
			g(ObjLibrary, acts(ActRead, ActCreate)),
			g(ObjCases, acts(ActRead, ActUpdate, ActLink), access.Committee),
			g(ObjCasePII, acts(ActRead), access.Committee),
			g(ObjCaseAgreement, acts(ActRead), access.Committee),
			g(ObjWarnings, acts(ActRead, ActAcknowledge), access.Committee),
			g(ObjPluginRoutes, acts(ActRead, ActWrite)),
		}, nil},
		{identity.RoleMediator, []grant{
			g(ObjTenants, acts(ActRead)),
			g(ObjDisputeTypes, acts(ActRead)),
			g(ObjLibrary, acts(ActRead)),
			g(ObjCases, acts(ActRead, ActUpdate), access.Mediator),
			g(ObjCasePII, acts(ActRead), access.Mediator),
			g(ObjCaseAgreement, acts(ActRead), access.Mediator),
			g(ObjPluginRoutes, acts(ActRead, ActWrite)),
		}, nil},
		{identity.RoleAgencyClerk, agency, nil},
		{identity.RoleAgencySystem, append([]grant{g(ObjCases, acts(ActCreate))}, agency...), nil},
	}
}

// DefaultPolicies returns the platform's default "p" rows (ptype first, dom "*", eft allow):
// one copy for all tenants. Each call returns a fresh slice.
func DefaultPolicies() [][]string {
	var out [][]string
	for _, p := range defaultGrants() {
		for _, gr := range p.grants {
			for _, act := range gr.acts {
				for _, rel := range gr.rels {
					out = append(out, []string{ptypeOf(gr.obj), p.role, AnyTenant, gr.obj, act, rel, Allow})
				}
			}
		}
		for _, r := range p.assigns {
			out = append(out, []string{ptypeOf(RoleObject(r)), p.role, AnyTenant, RoleObject(r), ActAssign, access.Any, Allow})
		}
	}
	return out
}

// GrantRows returns the "g" rows granting roles to subject in its home tenant, for the caller
// to insert in its own transaction (store: insertPolicyRowsTx); after commit it calls
// Authorizer.Granted with the same rows.
func GrantRows(sub string, roles []string, tenant string) [][]string {
	out := make([][]string, 0, len(roles))
	for _, r := range roles {
		out = append(out, []string{"g", sub, r, tenant})
	}
	return out
}
