package authz

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/identity"
)

// matrixRow is one expected decision: a holder of role, in its home district 310107 (or its
// province/city for upper roles), doing act on obj where it stands in rel to the case.
type matrixRow struct {
	role, rel, obj, act string
	want                bool
}

// caseMatrix is the expected access of every role to cases, written by hand from the issue's
// rules (not derived from DefaultPolicies): principal kind × relationship × action.
var caseMatrix = func() []matrixRow {
	var rows []matrixRow
	add := func(role, rel string, want bool, objActs ...string) {
		for _, oa := range objActs {
			o, a, _ := strings.Cut(oa, ":")
			rows = append(rows, matrixRow{role, rel, o, a, want})
		}
	}
	staffOwner := []string{"cases:read", "cases:update", "cases:confirm", "cases:export", "cases:share", "cases:link", "cases.pii:read", "warnings:read", "warnings:acknowledge"}
	for _, r := range []string{identity.RoleDistrictAdmin, identity.RoleDistrictStaff} {
		add(r, access.Owner, true, staffOwner...)
		add(r, access.Grantee, true, "cases:read")
		add(r, access.Grantee, false, "cases.pii:read", "cases:update", "cases:share")
		add(r, access.GranteeParties, true, "cases.pii:read")
		add(r, access.Partner, true, "cases:read", "cases.pii:read", "cases.agreement:read")
		add(r, access.Owner, true, "cases.agreement:read")
		add(r, access.GranteeParties, true, "cases.agreement:read")
		add(r, access.Grantee, false, "cases.agreement:read")
		add(r, access.Partner, false, "cases:update", "cases:confirm", "cases:share")
		add(r, access.Referrer, false, "cases:read")
		add(r, access.Ancestor, false, "cases:read")
		add(r, access.None, true, "cases:create")
		add(r, access.None, false, "cases:read")
	}
	add(identity.RoleDistrictAdmin, access.None, true, "cases:import", "policies:read", "policies:update", "warnings:configure")
	add(identity.RoleDistrictStaff, access.None, true, "cases:import")
	add(identity.RoleDistrictStaff, access.None, false, "policies:read", "policies:update", "warnings:configure")

	add(identity.RoleIntakeOfficer, access.Owner, true, "cases:read", "cases:update", "cases.pii:read", "cases.agreement:read", "warnings:read")
	add(identity.RoleIntakeOfficer, access.Owner, false, "cases:confirm", "cases:export", "cases:share", "cases:link", "warnings:acknowledge")
	add(identity.RoleIntakeOfficer, access.None, true, "cases:create")

	add(identity.RoleAnalyst, access.Owner, true, "cases:read", "cases:export")
	add(identity.RoleAnalyst, access.Owner, false, "cases.pii:read", "cases.agreement:read", "cases:update", "cases:share")
	add(identity.RoleAnalyst, access.None, true, "stats:read")
	add(identity.RoleAnalyst, access.None, false, "cases:create")

	add(identity.RoleCommitteeHead, access.Committee, true, "cases:read", "cases:update", "cases:link", "cases.pii:read", "cases.agreement:read", "warnings:read", "warnings:acknowledge")
	add(identity.RoleCommitteeHead, access.Committee, false, "cases:confirm", "cases:share", "cases:export")
	add(identity.RoleCommitteeHead, access.Owner, false, "cases:read")
	add(identity.RoleCommitteeHead, access.Member, false, "cases:read")

	add(identity.RoleMediator, access.Mediator, true, "cases:read", "cases:update", "cases.pii:read", "cases.agreement:read")
	add(identity.RoleMediator, access.Mediator, false, "cases:confirm", "cases:link", "cases:share")
	add(identity.RoleMediator, access.Committee, false, "cases:read")
	add(identity.RoleMediator, access.Member, false, "cases:read")

	for _, r := range []string{identity.RoleAgencyClerk, identity.RoleAgencySystem} {
		add(r, access.Referrer, true, "cases:read", "cases:confirm", "cases.agreement:read")
		// The confirming court reads the agreement it confirmed, nothing more.
		add(r, access.ConfirmingCourt, true, "cases.agreement:read")
		add(r, access.ConfirmingCourt, false, "cases:read", "cases.pii:read", "cases:update", "cases:confirm", "warnings:read")
		add(r, access.Referrer, false, "cases.pii:read", "cases:update", "warnings:acknowledge")
		add(r, access.Linked, true, "cases:read", "cases.pii:read", "cases.agreement:read", "warnings:read", "warnings:acknowledge")
		add(r, access.Linked, false, "cases:update", "cases:confirm")
		add(r, access.Grantee, true, "cases:read")
		add(r, access.Grantee, false, "cases.pii:read")
		add(r, access.GranteeParties, true, "cases.pii:read", "cases.agreement:read")
		add(r, access.Member, false, "cases:read", "cases.agreement:read", "warnings:read")
		add(r, access.Owner, false, "cases:read")
		add(r, access.None, false, "cases:import", "stats:read", "policies:read")
	}
	add(identity.RoleAgencySystem, access.None, true, "cases:create")
	add(identity.RoleAgencyClerk, access.None, false, "cases:create")

	for _, r := range []string{identity.RoleNationalAdmin, identity.RoleProvinceAdmin, identity.RoleCityAdmin} {
		add(r, access.Escalated, true, "cases:read", "warnings:read")
		add(r, access.Escalated, false, "cases.pii:read", "cases:update", "warnings:acknowledge")
		add(r, access.Ancestor, false, "cases:read", "cases.pii:read", "warnings:read")
		add(r, access.None, true, "stats:read", "cases:import", "policies:read", "policies:update")
		add(r, access.None, false, "cases:read", "cases:create")
	}
	return rows
}()

// tenantMatrix is the expected access of every role to what is not a case (rel "none"),
// "obj:act" per role: exactly these are allowed, besides the case rows above.
var tenantMatrix = map[string][]string{
	identity.RoleNationalAdmin: {"tenants:onboard", "tenants:read", "tenants:update", "tenants:suspend", "tenants:resume", "tenants:archive", "users:create", "users:read", "users:update", "tokens:create", "tokens:read", "tokens:revoke", "offices:read", "audit:read", "inbox:read", "stats:read", "organisations:read", "mediators:read", "policies:read", "policies:update", "cases:import", "plugins:read", "plugins:update", "plugins:restart", "plugin_routes:read", "plugin_routes:write"},
	identity.RoleDistrictAdmin: {"tenants:read", "tenants:update", "users:create", "users:read", "users:update", "tokens:create", "tokens:read", "tokens:revoke", "offices:read", "audit:read", "cases:import", "cases:create", "dispute_types:read", "dispute_types:create", "organisations:create", "organisations:read", "organisations:update", "mediators:create", "mediators:read", "mediators:update", "experts:create", "experts:read", "experts:update", "case_settings:read", "case_settings:update", "warnings:configure", "inbox:read", "stats:read", "library:read", "library:create", "library:review", "policies:read", "policies:update", "plugins:read", "plugins:update", "plugin_routes:read", "plugin_routes:write"},
	identity.RoleDistrictStaff: {"tenants:read", "offices:read", "dispute_types:read", "organisations:read", "mediators:read", "experts:read", "case_settings:read", "inbox:read", "stats:read", "library:read", "library:create", "cases:create", "cases:import", "plugins:read", "plugin_routes:read", "plugin_routes:write"},
	identity.RoleIntakeOfficer: {"tenants:read", "dispute_types:read", "organisations:read", "case_settings:read", "cases:create", "plugin_routes:read", "plugin_routes:write"},
	identity.RoleAnalyst:       {"tenants:read", "dispute_types:read", "organisations:read", "stats:read", "plugin_routes:read"},
	identity.RoleCommitteeHead: {"tenants:read", "dispute_types:read", "mediators:read", "library:read", "library:create", "plugin_routes:read", "plugin_routes:write"},
	identity.RoleMediator:      {"tenants:read", "dispute_types:read", "library:read", "plugin_routes:read", "plugin_routes:write"},
	identity.RoleAgencyClerk:   {"tenants:read", "dispute_types:read", "inbox:read", "plugin_routes:read", "plugin_routes:write"},
	identity.RoleAgencySystem:  {"tenants:read", "dispute_types:read", "inbox:read", "cases:create", "plugin_routes:read", "plugin_routes:write"},
}

// homeOf is where the matrix's holder of a role lives.
func homeOf(role string) string {
	switch role {
	case identity.RoleNationalAdmin:
		return "000000"
	case identity.RoleProvinceAdmin:
		return "310000"
	case identity.RoleCityAdmin:
		return "310100"
	}
	return "310107"
}

func holder(role string) string { return "user:matrix-" + role }

// TestAccessMatrix checks the default policy against the hand-written matrices, and that the
// matrices cover every default rule (each is the reason of some expected allow).
func TestAccessMatrix(t *testing.T) {
	a, _ := newTestAuthorizer(t)
	for _, r := range identity.Roles() {
		if err := a.Granted(GrantRows(holder(r), []string{r}, homeOf(r))); err != nil {
			t.Fatal(err)
		}
	}
	covered := map[string]bool{}
	decide := func(t *testing.T, role, rel, obj, act string, want bool) {
		t.Helper()
		req := Request{Sub: holder(role), RoleTenant: "310107", Tenant: "310107", Obj: obj, Act: act, Rel: rel}
		ex, err := a.Explain(req, []string{rel})
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.Decide(req)
		if err != nil {
			t.Fatal(err)
		}
		if got != want || ex.Allowed != want {
			t.Errorf("%s as %s: %s:%s = %v (explained %v), want %v", role, rel, obj, act, got, ex.Allowed, want)
		}
		if ex.Allowed {
			covered[strings.Join(ex.Rule, "|")] = true
		}
	}
	for _, row := range caseMatrix {
		t.Run(fmt.Sprintf("%s/%s/%s:%s", row.role, row.rel, row.obj, row.act), func(t *testing.T) {
			decide(t, row.role, row.rel, row.obj, row.act, row.want)
		})
	}
	// Not-a-case objects: exactly the listed ones, for the province and city as for the nation.
	// Only the nation's administrators (the platform's operators) restart plugins.
	upper := slices.DeleteFunc(slices.Clone(tenantMatrix[identity.RoleNationalAdmin]), func(s string) bool { return s == "plugins:restart" })
	tenantMatrix[identity.RoleProvinceAdmin] = upper
	tenantMatrix[identity.RoleCityAdmin] = upper
	voc := Vocabulary()
	for _, role := range identity.Roles() {
		allowed := map[string]bool{}
		for _, oa := range tenantMatrix[role] {
			allowed[oa] = true
		}
		for obj, acts := range voc {
			if strings.HasPrefix(obj, "role:") {
				continue
			}
			for _, act := range acts {
				decide(t, role, access.None, obj, act, allowed[obj+":"+act])
			}
		}
	}
	// Grants of roles: an administrator grants the roles of its level and below.
	grantable := map[string][]string{
		identity.RoleNationalAdmin: identity.Roles(),
		identity.RoleProvinceAdmin: append([]string{identity.RoleProvinceAdmin, identity.RoleCityAdmin}, identity.DistrictRoles()...),
		identity.RoleCityAdmin:     append([]string{identity.RoleCityAdmin}, identity.DistrictRoles()...),
		identity.RoleDistrictAdmin: identity.DistrictRoles(),
	}
	for _, role := range identity.Roles() {
		for _, target := range identity.Roles() {
			want := false
			for _, g := range grantable[role] {
				want = want || g == target
			}
			decide(t, role, access.None, RoleObject(target), ActAssign, want)
		}
	}
	for _, d := range DefaultPolicies() {
		if !covered[strings.Join(d, "|")] {
			t.Errorf("default rule %q is exercised by no expected decision", d)
		}
	}
}

// TestDenyAndOverrides: a tenant's deny rule narrows a default in that tenant only, a tenant's
// allow rule widens in that tenant only, and a deny for any relationship beats every allow.
func TestDenyAndOverrides(t *testing.T) {
	a, _ := newTestAuthorizer(t)
	clerk := "user:clerk"
	if err := a.Granted(GrantRows(clerk, []string{identity.RoleAgencyClerk}, "310107")); err != nil {
		t.Fatal(err)
	}
	if err := a.Granted(GrantRows("user:clerk-qp", []string{identity.RoleAgencyClerk}, "310118")); err != nil {
		t.Fatal(err)
	}
	req := func(sub, dom, obj, act, rel string) Request {
		return Request{Sub: sub, RoleTenant: dom, Tenant: dom, Obj: obj, Act: act, Rel: rel}
	}
	check := func(name string, r Request, want bool) {
		t.Helper()
		if got, err := a.Decide(r); err != nil || got != want {
			t.Errorf("%s: %v, %v; want %v", name, got, err, want)
		}
	}
	deny := Rule{Role: identity.RoleAgencyClerk, Tenant: "310107", Obj: ObjCasePII, Act: ActRead, Rel: access.Linked, Effect: Deny}
	allow := Rule{Role: identity.RoleAgencyClerk, Tenant: "310107", Obj: ObjCasePII, Act: ActRead, Rel: access.Referrer, Effect: Allow}
	denyAll := Rule{Role: identity.RoleAgencyClerk, Tenant: "310107", Obj: ObjCases, Act: ActRead, Rel: access.Any, Effect: Deny}

	check("linked clerk reads parties by default", req(clerk, "310107", ObjCasePII, ActRead, access.Linked), true)
	if err := a.Granted([][]string{deny.Row(), allow.Row()}); err != nil {
		t.Fatal(err)
	}
	check("the district's deny narrows", req(clerk, "310107", ObjCasePII, ActRead, access.Linked), false)
	check("another district keeps the default", req("user:clerk-qp", "310118", ObjCasePII, ActRead, access.Linked), true)
	check("the district's allow widens", req(clerk, "310107", ObjCasePII, ActRead, access.Referrer), true)
	check("only in the district", req("user:clerk-qp", "310118", ObjCasePII, ActRead, access.Referrer), false)
	ex, err := a.Explain(req(clerk, "310107", ObjCasePII, ActRead, ""), []string{access.Linked})
	if err != nil || ex.Allowed || strings.Join(ex.Rule, "|") != strings.Join(deny.Row(), "|") || ex.Rel != access.Linked {
		t.Errorf("explain of a deny = %+v, %v", ex, err)
	}
	if err := a.Granted([][]string{denyAll.Row()}); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{access.Referrer, access.Linked, access.Grantee} {
		check("deny for any relationship: "+rel, req(clerk, "310107", ObjCases, ActRead, rel), false)
	}
	if err := a.Revoked([][]string{deny.Row(), allow.Row(), denyAll.Row()}); err != nil {
		t.Fatal(err)
	}
	check("revoked deny no longer narrows", req(clerk, "310107", ObjCasePII, ActRead, access.Linked), true)
}

// TestNoEscalation: who may write which rule.
func TestNoEscalation(t *testing.T) {
	a, _ := newTestAuthorizer(t)
	admin, staff, city := "user:putuo-admin", "user:putuo-staff", "user:sh-city"
	for sub, g := range map[string][2]string{admin: {identity.RoleDistrictAdmin, "310107"}, staff: {identity.RoleDistrictStaff, "310107"}, city: {identity.RoleCityAdmin, "310100"}} {
		if err := a.Granted(GrantRows(sub, []string{g[0]}, g[1])); err != nil {
			t.Fatal(err)
		}
	}
	rule := func(role, obj, act, rel, eft string) Rule {
		return Rule{Role: role, Tenant: "310107", Obj: obj, Act: act, Rel: rel, Effect: eft}
	}
	for _, tt := range []struct {
		name string
		sub  string
		r    Rule
		add  bool
		want error
	}{
		{"admin lets the court see parties of cases it referred", admin, rule(identity.RoleAgencyClerk, ObjCasePII, ActRead, access.Referrer, Allow), true, nil},
		{"admin narrows a default", admin, rule(identity.RoleAgencyClerk, ObjCases, ActConfirm, access.Referrer, Deny), true, nil},
		{"admin removes an allow (narrowing)", admin, rule(identity.RoleDistrictStaff, ObjCases, ActExport, access.Owner, Allow), false, nil},
		{"admin cannot grant onboarding it does not hold", admin, rule(identity.RoleDistrictStaff, ObjTenants, ActOnboard, access.Any, Allow), true, ErrEscalation},
		{"admin cannot remove a deny on what it does not hold", admin, rule(identity.RoleDistrictStaff, ObjTenants, ActSuspend, access.Any, Deny), false, ErrEscalation},
		{"admin cannot write rules of a role above it", admin, rule(identity.RoleCityAdmin, ObjCases, ActRead, access.Ancestor, Allow), true, ErrEscalation},
		{"admin cannot write rules of a role above it, even denies", admin, rule(identity.RoleCityAdmin, ObjStats, ActRead, access.Any, Deny), true, ErrEscalation},
		{"admin cannot grant assigning roles it cannot assign", admin, rule(identity.RoleDistrictStaff, RoleObject(identity.RoleCityAdmin), ActAssign, access.Any, Allow), true, ErrEscalation},
		{"staff cannot assign roles at all", staff, rule(identity.RoleDistrictStaff, ObjCases, ActRead, access.Owner, Allow), true, ErrEscalation},
		{"the city may not give itself Putuo's personal data", city, rule(identity.RoleCityAdmin, ObjCasePII, ActRead, access.Ancestor, Allow), true, ErrEscalation},
		{"defaults are not edited", admin, Rule{Role: identity.RoleDistrictStaff, Tenant: AnyTenant, Obj: ObjCases, Act: ActRead, Rel: access.Owner, Effect: Allow}, false, ErrDefaultRule},
		{"unknown resource", admin, rule(identity.RoleDistrictStaff, "nuclear", ActRead, access.Any, Allow), true, ErrBadRule},
		{"unknown action of a resource", admin, rule(identity.RoleDistrictStaff, ObjCases, ActOnboard, access.Any, Allow), true, ErrBadRule},
		{"unknown relationship", admin, rule(identity.RoleDistrictStaff, ObjCases, ActRead, "friend", Allow), true, ErrBadRule},
		{"unknown effect", admin, rule(identity.RoleDistrictStaff, ObjCases, ActRead, access.Owner, "maybe"), true, ErrBadRule},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := a.CheckChange(tt.sub, tt.r, tt.add)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("CheckChange = %v, want %v", err, tt.want)
			}
		})
	}
}
