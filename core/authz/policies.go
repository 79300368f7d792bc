package authz

import (
	"github.com/fengqiao/fengqiao/core/identity"
)

// modelText is the Casbin model: RBAC with domains, the domain being a tenant code.
//
// A grant "g, <subject>, <role>, <home tenant>" reaches the home tenant's subtree through the
// domain matching function registered on "g" (see subtreeMatch). A "p" rule with dom "*" is one
// copy for every tenant; a tenant may have its own rules with its code as dom.
//
// The matcher is the design's
//
//	g(r.sub, p.sub, r.dom) && (p.dom == "*" || p.dom == r.dom) && (p.obj == r.obj || p.obj == "*") && (p.act == r.act || p.act == "*")
//
// with its terms reordered (same meaning): govaluate evaluates && left to right and stops at
// the first false term, so the string comparisons first spare the role lookup g() for every
// rule whose object or action does not match.
const modelText = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = (p.obj == r.obj || p.obj == "*") && (p.act == r.act || p.act == "*") && (p.dom == "*" || p.dom == r.dom) && g(r.sub, p.sub, r.dom)
`

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
	// ActImport is of cases: load historical cases from a legacy system's file (administrators
	// only, into their tenant or the districts of their subtree).
	ActImport = "import"
)

// RoleObject is the object of the rule allowing to grant role: Allowed(sub, dom, RoleObject(r),
// ActAssign) tells whether sub may grant r in dom. Whether dom's level fits r is checked
// elsewhere (identity.CheckRole).
func RoleObject(role string) string { return "role:" + role }

// DefaultPolicies returns the platform's default "p" rows (ptype first, dom "*"): one copy for
// all tenants. Each call returns a fresh slice.
func DefaultPolicies() [][]string {
	tenantAdmin := map[string][]string{
		ObjTenants: {ActOnboard, ActRead, ActUpdate, ActSuspend, ActResume, ActArchive},
		ObjUsers:   {ActCreate, ActRead, ActUpdate},
		ObjTokens:  {ActCreate, ActRead, ActRevoke},
		ObjOffices: {ActRead},
		ObjAudit:   {ActRead},
		ObjInbox:   {ActRead}, // escalated warnings reach upper levels here
		ObjStats:   {ActRead},
		ObjCases:   {ActImport},
	}
	districtAdmin := map[string][]string{
		ObjTenants:       {ActRead, ActUpdate}, // its own settings
		ObjUsers:         {ActCreate, ActRead, ActUpdate},
		ObjTokens:        {ActCreate, ActRead, ActRevoke},
		ObjOffices:       {ActRead},
		ObjAudit:         {ActRead},
		ObjCases:         {ActCreate, ActRead, ActUpdate, ActImport},
		ObjCasePII:       {ActRead},
		ObjDisputeTypes:  {ActRead, ActCreate},
		ObjOrganisations: {ActCreate, ActRead, ActUpdate},
		ObjMediators:     {ActCreate, ActRead, ActUpdate},
		ObjExperts:       {ActCreate, ActRead, ActUpdate},
		ObjCaseSettings:  {ActRead, ActUpdate},
		ObjWarnings:      {ActRead, ActAcknowledge, ActConfigure},
		ObjInbox:         {ActRead},
		ObjStats:         {ActRead},
		ObjLibrary:       {ActRead, ActCreate, ActReview},
	}
	perms := []struct {
		role    string
		grants  map[string][]string
		assigns []string
	}{
		{identity.RoleNationalAdmin, tenantAdmin, identity.Roles()},
		{identity.RoleProvinceAdmin, tenantAdmin, []string{
			identity.RoleProvinceAdmin, identity.RoleCityAdmin, identity.RoleDistrictAdmin,
			identity.RoleDistrictStaff, identity.RoleAgencySystem}},
		{identity.RoleCityAdmin, tenantAdmin, []string{
			identity.RoleCityAdmin, identity.RoleDistrictAdmin, identity.RoleDistrictStaff, identity.RoleAgencySystem}},
		{identity.RoleDistrictAdmin, districtAdmin, []string{
			identity.RoleDistrictAdmin, identity.RoleDistrictStaff, identity.RoleAgencySystem}},
		{identity.RoleDistrictStaff, map[string][]string{ObjTenants: {ActRead}, ObjOffices: {ActRead},
			ObjCases: {ActCreate, ActRead, ActUpdate}, ObjCasePII: {ActRead}, ObjDisputeTypes: {ActRead},
			ObjOrganisations: {ActRead}, ObjMediators: {ActRead}, ObjExperts: {ActRead}, ObjCaseSettings: {ActRead},
			ObjWarnings: {ActRead, ActAcknowledge}, ObjInbox: {ActRead}, ObjStats: {ActRead}, ObjLibrary: {ActRead, ActCreate}}, nil},
		// An agency system refers cases (e.g. a court's 诉前委派); which cases it may then see is
		// the cross-agency access issue's.
		{identity.RoleAgencySystem, map[string][]string{ObjTenants: {ActRead}, ObjCases: {ActCreate}, ObjDisputeTypes: {ActRead},
			ObjWarnings: {ActRead, ActAcknowledge}, ObjInbox: {ActRead}}, nil},
	}
	objOrder := []string{ObjTenants, ObjUsers, ObjTokens, ObjOffices, ObjAudit, ObjCases, ObjCasePII, ObjDisputeTypes, ObjOrganisations, ObjMediators, ObjExperts, ObjCaseSettings, ObjWarnings, ObjInbox, ObjStats, ObjLibrary}
	var out [][]string
	for _, p := range perms {
		for _, obj := range objOrder {
			for _, act := range p.grants[obj] {
				out = append(out, []string{"p", p.role, AnyTenant, obj, act})
			}
		}
		for _, r := range p.assigns {
			out = append(out, []string{"p", p.role, AnyTenant, RoleObject(r), ActAssign})
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
