package authz

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/store/storetest"
)

const (
	subNational = "user:00000000-0000-0000-0000-000000000001"
	subShanghai = "user:00000000-0000-0000-0000-000000000002" // province-admin of 310000
	subJinan    = "user:00000000-0000-0000-0000-000000000003" // city-admin of 370100
	subDAdmin   = "user:00000000-0000-0000-0000-000000000004" // district-admin of 370104
	subDStaff   = "user:00000000-0000-0000-0000-000000000005" // district-staff of 370104
	subAgency   = "token:00000000-0000-0000-0000-000000000006"
	subNobody   = "user:00000000-0000-0000-0000-0000000000ff"
)

// newTestAuthorizer returns an authorizer on a fresh database whose grants are partly stored
// before New (loaded) and partly announced with Granted after being stored (as user creation
// will do).
func newTestAuthorizer(t testing.TB) (*Authorizer, *store.Store) {
	t.Helper()
	ctx := context.Background()
	s, _ := storetest.Open(t)
	before := concat(
		GrantRows(subNational, []string{identity.RoleNationalAdmin}, "000000"),
		GrantRows(subShanghai, []string{identity.RoleProvinceAdmin}, "310000"),
		GrantRows(subJinan, []string{identity.RoleCityAdmin}, "370100"),
	)
	if err := s.AddPolicyRules(ctx, before); err != nil {
		t.Fatal(err)
	}
	a, err := New(ctx, s)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	after := concat(
		GrantRows(subDAdmin, []string{identity.RoleDistrictAdmin}, "370104"),
		GrantRows(subDStaff, []string{identity.RoleDistrictStaff}, "370104"),
		GrantRows(subAgency, []string{identity.RoleAgencySystem}, "370104"),
	)
	if err := s.AddPolicyRules(ctx, after); err != nil {
		t.Fatal(err)
	}
	if err := a.Granted(after); err != nil {
		t.Fatalf("Granted: %v", err)
	}
	return a, s
}

type decision struct {
	sub, dom, obj, act string
	want               bool
}

func checkDecisions(t *testing.T, a *Authorizer, cases []decision) {
	t.Helper()
	for _, c := range cases {
		got, err := a.Allowed(c.sub, c.dom, c.obj, c.act)
		if err != nil {
			t.Errorf("Allowed(%s, %s, %s, %s): %v", c.sub, c.dom, c.obj, c.act, err)
			continue
		}
		if got != c.want {
			t.Errorf("Allowed(%s, %s, %s, %s) = %v, want %v", c.sub, c.dom, c.obj, c.act, got, c.want)
		}
	}
}

func TestAllowed(t *testing.T) {
	a, _ := newTestAuthorizer(t)
	tests := []struct {
		name string
		decision
	}{
		{"national-admin onboards in a district", decision{subNational, "310107", ObjTenants, ActOnboard, true}},
		{"national-admin in the country itself", decision{subNational, "000000", ObjTenants, ActUpdate, true}},
		{"national-admin archives anywhere", decision{subNational, "370104", ObjTenants, ActArchive, true}},
		{"province-admin onboards in its district", decision{subShanghai, "310107", ObjTenants, ActOnboard, true}},
		{"province-admin in its province itself", decision{subShanghai, "310000", ObjUsers, ActCreate, true}},
		{"province-admin in its city", decision{subShanghai, "310100", ObjTokens, ActRevoke, true}},
		{"province-admin not in another province's district", decision{subShanghai, "370104", ObjTenants, ActOnboard, false}},
		{"province-admin not in another province", decision{subShanghai, "370000", ObjTenants, ActRead, false}},
		{"province-admin not upward in the country", decision{subShanghai, "000000", ObjTenants, ActRead, false}},
		{"city-admin in its district", decision{subJinan, "370104", ObjTenants, ActSuspend, true}},
		{"city-admin onboards in its district", decision{subJinan, "370104", ObjTenants, ActOnboard, true}},
		{"city-admin not in another province", decision{subJinan, "310107", ObjTenants, ActSuspend, false}},
		{"city-admin not in a sibling city", decision{subJinan, "370200", ObjTenants, ActRead, false}},
		{"city-admin not upward in its province", decision{subJinan, "370000", ObjTenants, ActRead, false}},
		{"district-admin creates users in its district", decision{subDAdmin, "370104", ObjUsers, ActCreate, true}},
		{"district-admin updates its own settings", decision{subDAdmin, "370104", ObjTenants, ActUpdate, true}},
		{"district-admin revokes tokens", decision{subDAdmin, "370104", ObjTokens, ActRevoke, true}},
		{"district-admin reads audit", decision{subDAdmin, "370104", ObjAudit, ActRead, true}},
		{"district-admin not in a sibling district", decision{subDAdmin, "370105", ObjUsers, ActCreate, false}},
		{"district-admin not upward in its province", decision{subDAdmin, "370000", ObjUsers, ActCreate, false}},
		{"district-admin not upward in its city", decision{subDAdmin, "370100", ObjUsers, ActRead, false}},
		{"district-admin not upward in the country", decision{subDAdmin, "000000", ObjTenants, ActRead, false}},
		{"district-admin may not onboard", decision{subDAdmin, "370104", ObjTenants, ActOnboard, false}},
		{"district-admin may not suspend", decision{subDAdmin, "370104", ObjTenants, ActSuspend, false}},
		{"district-staff reads its tenant", decision{subDStaff, "370104", ObjTenants, ActRead, true}},
		{"district-staff reads offices", decision{subDStaff, "370104", ObjOffices, ActRead, true}},
		{"district-staff may not create users", decision{subDStaff, "370104", ObjUsers, ActCreate, false}},
		{"district-staff may not read audit", decision{subDStaff, "370104", ObjAudit, ActRead, false}},
		{"district-staff may not update its tenant", decision{subDStaff, "370104", ObjTenants, ActUpdate, false}},
		{"agency-system reads its tenant", decision{subAgency, "370104", ObjTenants, ActRead, true}},
		{"agency-system may not read offices", decision{subAgency, "370104", ObjOffices, ActRead, false}},
		{"agency-system not in a sibling district", decision{subAgency, "370105", ObjTenants, ActRead, false}},
		{"unknown subject reads nothing", decision{subNobody, "370104", ObjTenants, ActRead, false}},
		{"unknown subject in the country", decision{subNobody, "000000", ObjTenants, ActRead, false}},
		{"role name as subject gets nothing", decision{identity.RoleNationalAdmin, "000000", ObjTenants, ActRead, false}},
		{"unknown object", decision{subNational, "370104", "cases", ActRead, false}},
		{"unknown action", decision{subNational, "370104", ObjTenants, "delete", false}},
		{"wildcard domain refused", decision{subNational, "*", ObjTenants, ActRead, false}},
		{"empty domain refused", decision{subNational, "", ObjTenants, ActRead, false}},
		{"short domain refused", decision{subNational, "31010", ObjTenants, ActRead, false}},
		{"street code refused", decision{subNational, "310107001", ObjTenants, ActRead, false}},
		{"non-digit domain refused", decision{subNational, "31010x", ObjTenants, ActRead, false}},
		{"empty subject refused", decision{"", "310107", ObjTenants, ActRead, false}},
		{"cache separator refused", decision{subNational + "$$", "310107", ObjTenants, ActRead, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 2 { // the second answer comes from the cache
				checkDecisions(t, a, []decision{tt.decision})
			}
		})
	}
}

func TestRoleAssignment(t *testing.T) {
	a, s := newTestAuthorizer(t)
	ctx := context.Background()
	// One holder of each role, all of them in (or above) 370104.
	holders := map[string]struct{ sub, tenant string }{
		identity.RoleNationalAdmin: {subNational, "000000"},
		identity.RoleProvinceAdmin: {"user:prov-37", "370000"},
		identity.RoleCityAdmin:     {subJinan, "370100"},
		identity.RoleDistrictAdmin: {subDAdmin, "370104"},
		identity.RoleDistrictStaff: {subDStaff, "370104"},
		identity.RoleAgencySystem:  {subAgency, "370104"},
	}
	rows := GrantRows("user:prov-37", []string{identity.RoleProvinceAdmin}, "370000")
	if err := s.AddPolicyRules(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if err := a.Granted(rows); err != nil {
		t.Fatal(err)
	}
	may := map[string][]string{
		identity.RoleNationalAdmin: identity.Roles(),
		identity.RoleProvinceAdmin: identity.Roles()[1:],
		identity.RoleCityAdmin:     identity.Roles()[2:],
		identity.RoleDistrictAdmin: identity.Roles()[3:],
	}
	for _, granter := range identity.Roles() {
		allowed := map[string]bool{}
		for _, r := range may[granter] {
			allowed[r] = true
		}
		for _, role := range identity.Roles() {
			h := holders[granter]
			t.Run(granter+" assigns "+role, func(t *testing.T) {
				checkDecisions(t, a, []decision{
					{h.sub, "370104", RoleObject(role), ActAssign, allowed[role]},
					{h.sub, h.tenant, RoleObject(role), ActAssign, allowed[role]},
					{h.sub, "310107", RoleObject(role), ActAssign, allowed[role] && granter == identity.RoleNationalAdmin},
				})
			})
		}
	}
}

func TestSubtreeMatch(t *testing.T) {
	for _, tt := range []struct {
		request, grant string
		want           bool
	}{
		{"310107", "310107", true},
		{"310107", "310100", true},
		{"310107", "310000", true},
		{"310107", "000000", true},
		{"310000", "310107", false}, // a district role never reaches its province
		{"310100", "310107", false},
		{"000000", "310000", false},
		{"310108", "310107", false},
		{"370104", "310000", false},
	} {
		if got := subtreeMatch(tt.request, tt.grant); got != tt.want {
			t.Errorf("subtreeMatch(request %s, grant %s) = %v, want %v", tt.request, tt.grant, got, tt.want)
		}
	}
}

func TestGrantedRevoked(t *testing.T) {
	a, s := newTestAuthorizer(t)
	ctx := context.Background()
	const u = "user:00000000-0000-0000-0000-0000000000aa"

	// Cached denials first, so a stale cache would show.
	checkDecisions(t, a, []decision{
		{u, "310107", ObjUsers, ActCreate, false},
		{u, "310108", ObjUsers, ActCreate, false},
		{u, "310100", ObjUsers, ActCreate, false},
	})
	grant := GrantRows(u, []string{identity.RoleDistrictAdmin}, "310107")
	if err := s.AddPolicyRules(ctx, grant); err != nil {
		t.Fatal(err)
	}
	if err := a.Granted(grant); err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, a, []decision{
		{u, "310107", ObjUsers, ActCreate, true},
		{u, "310108", ObjUsers, ActCreate, false},
		{u, "310100", ObjUsers, ActCreate, false},
	})
	if err := a.Granted(grant); err != nil { // idempotent
		t.Fatal(err)
	}
	if got, want := a.RolesOf(u), []RoleGrant{{identity.RoleDistrictAdmin, "310107"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("RolesOf = %v, want %v", got, want)
	}

	// Promotion to city admin of 310100 (a grant in an ancestor domain reaches the district
	// domains already built, and the not-yet-built ones).
	city := GrantRows(u, []string{identity.RoleCityAdmin}, "310100")
	if err := a.Granted(city); err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, a, []decision{
		{u, "310107", ObjTenants, ActOnboard, true},
		{u, "310108", ObjUsers, ActCreate, true},
		{u, "310100", ObjUsers, ActCreate, true},
		{u, "310000", ObjUsers, ActCreate, false},
	})
	if err := a.Revoked(city); err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, a, []decision{
		{u, "310107", ObjUsers, ActCreate, true},
		{u, "310107", ObjTenants, ActOnboard, false},
		{u, "310108", ObjUsers, ActCreate, false},
		{u, "310100", ObjUsers, ActCreate, false},
	})

	if err := s.RemovePolicyRules(ctx, grant); err != nil {
		t.Fatal(err)
	}
	if err := a.Revoked(grant); err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, a, []decision{{u, "310107", ObjUsers, ActCreate, false}})
	if err := a.Revoked(grant); err != nil { // not held: ignored
		t.Fatal(err)
	}
	if got := a.RolesOf(u); len(got) != 0 {
		t.Fatalf("RolesOf after revoke = %v", got)
	}

	// Bad rows are refused before anything changes.
	for _, bad := range [][][]string{
		{{"g", u, identity.RoleDistrictAdmin}},
		{{"g", u, identity.RoleDistrictAdmin, "310107", "x"}},
		{{"p", "r", "*", "obj"}},
		{{"x", "a", "b", "c"}},
		{{}},
		{{"g", u, "", "310107"}},
		{grant[0], {"g"}},
	} {
		if err := a.Granted(bad); err == nil {
			t.Errorf("Granted(%q) accepted", bad)
		}
		if err := a.Revoked(bad); err == nil {
			t.Errorf("Revoked(%q) accepted", bad)
		}
	}
	checkDecisions(t, a, []decision{{u, "310107", ObjUsers, ActCreate, false}})
}

// A subject holding the same role in a tenant and in one below it keeps the upper grant's
// reach when the lower one is revoked (the domain role manager shares links between domains).
func TestRevokeKeepsAncestorGrant(t *testing.T) {
	a, _ := newTestAuthorizer(t)
	const u = "user:00000000-0000-0000-0000-0000000000bb"
	upper := GrantRows(u, []string{identity.RoleDistrictStaff}, "370100")
	lower := GrantRows(u, []string{identity.RoleDistrictStaff}, "370104")
	checkDecisions(t, a, []decision{{u, "370104", ObjOffices, ActRead, false}})
	if err := a.Granted(concat(lower, upper)); err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, a, []decision{{u, "370104", ObjOffices, ActRead, true}, {u, "370105", ObjOffices, ActRead, true}})
	if err := a.Revoked(lower); err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, a, []decision{{u, "370104", ObjOffices, ActRead, true}, {u, "370105", ObjOffices, ActRead, true}})
	if err := a.Revoked(upper); err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, a, []decision{{u, "370104", ObjOffices, ActRead, false}, {u, "370105", ObjOffices, ActRead, false}})
}

func TestTenantRule(t *testing.T) {
	a, _ := newTestAuthorizer(t)
	other := GrantRows("user:staff-370105", []string{identity.RoleDistrictStaff}, "370105")
	if err := a.Granted(other); err != nil {
		t.Fatal(err)
	}
	rule := [][]string{Rule{Role: identity.RoleDistrictStaff, Tenant: "370104", Obj: ObjAudit, Act: ActRead, Rel: "*", Effect: Allow}.Row()}
	checkDecisions(t, a, []decision{{subDStaff, "370104", ObjAudit, ActRead, false}})
	if err := a.Granted(rule); err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, a, []decision{
		{subDStaff, "370104", ObjAudit, ActRead, true},
		{"user:staff-370105", "370105", ObjAudit, ActRead, false},
	})
	ex, err := a.Explain(Request{Sub: subDStaff, RoleTenant: "370104", Tenant: "370104", Obj: ObjAudit, Act: ActRead}, []string{"none"})
	if err != nil || !ex.Allowed || !reflect.DeepEqual(ex.Rule, rule[0]) {
		t.Fatalf("Explain = %+v, %v", ex, err)
	}
	if err := a.Revoked(rule); err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, a, []decision{{subDStaff, "370104", ObjAudit, ActRead, false}})
}

func TestExplain(t *testing.T) {
	a, _ := newTestAuthorizer(t)
	for _, tt := range []struct {
		sub, dom, obj, act string
		want               []string
	}{
		{subNational, "310107", ObjTenants, ActOnboard, Rule{Role: identity.RoleNationalAdmin, Tenant: "*", Obj: ObjTenants, Act: ActOnboard, Rel: "*", Effect: Allow}.Row()},
		{subDAdmin, "370104", RoleObject(identity.RoleDistrictStaff), ActAssign, Rule{Role: identity.RoleDistrictAdmin, Tenant: "*", Obj: "role:district-staff", Act: ActAssign, Rel: "*", Effect: Allow}.Row()},
		{subDAdmin, "370105", ObjUsers, ActCreate, nil},
		{subNobody, "370104", ObjTenants, ActRead, nil},
		{subNational, "*", ObjTenants, ActRead, nil},
	} {
		ex, err := a.Explain(Request{Sub: tt.sub, RoleTenant: tt.dom, Tenant: tt.dom, Obj: tt.obj, Act: tt.act}, []string{"none"})
		if err != nil || ex.Allowed != (tt.want != nil) || !reflect.DeepEqual(ex.Rule, tt.want) {
			t.Errorf("Explain(%s, %s, %s, %s) = %+v, %v; want %q", tt.sub, tt.dom, tt.obj, tt.act, ex, err, tt.want)
		}
	}
}

func TestRolesOf(t *testing.T) {
	a, _ := newTestAuthorizer(t)
	const u = "user:multi"
	if err := a.Granted(GrantRows(u, []string{identity.RoleDistrictStaff, identity.RoleAgencySystem, identity.RoleDistrictAdmin}, "310107")); err != nil {
		t.Fatal(err)
	}
	want := []RoleGrant{{identity.RoleAgencySystem, "310107"}, {identity.RoleDistrictAdmin, "310107"}, {identity.RoleDistrictStaff, "310107"}}
	if got := a.RolesOf(u); !reflect.DeepEqual(got, want) {
		t.Fatalf("RolesOf = %v, want %v", got, want)
	}
	if got := a.RolesOf(subNobody); len(got) != 0 {
		t.Fatalf("RolesOf(nobody) = %v", got)
	}
	if got, want := a.RolesOf(subNational), []RoleGrant{{identity.RoleNationalAdmin, "000000"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("RolesOf(national) = %v", got)
	}
}

func TestRevokeSubject(t *testing.T) {
	a, s := newTestAuthorizer(t)
	ctx := context.Background()
	checkDecisions(t, a, []decision{{subAgency, "370104", ObjTenants, ActRead, true}})
	if err := a.RevokeSubject(ctx, subAgency); err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, a, []decision{{subAgency, "370104", ObjTenants, ActRead, false}})
	if got := a.RolesOf(subAgency); len(got) != 0 {
		t.Fatalf("RolesOf after RevokeSubject = %v", got)
	}
	// Storage too: a fresh authorizer does not see the grant, and still sees the others.
	b, err := New(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, b, []decision{
		{subAgency, "370104", ObjTenants, ActRead, false},
		{subDAdmin, "370104", ObjUsers, ActCreate, true},
		{subNational, "370104", ObjUsers, ActCreate, true},
	})
	if err := a.RevokeSubject(ctx, subAgency); err != nil { // nothing left: fine
		t.Fatal(err)
	}
	if err := a.RevokeSubject(ctx, ""); err == nil {
		t.Fatal("RevokeSubject(\"\") accepted")
	}
}

func TestNewSeedsDefaults(t *testing.T) {
	ctx := context.Background()
	s, _ := storetest.Open(t)
	defaults := DefaultPolicies()
	if _, err := New(ctx, s); err != nil {
		t.Fatal(err)
	}
	stored, err := s.PolicyRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sameRows(stored, defaults) {
		t.Fatalf("seeded %d rules, want the %d defaults", len(stored), len(defaults))
	}
	// A second instance adds nothing; a deleted default comes back; custom rules stay.
	custom := Rule{Role: identity.RoleDistrictStaff, Tenant: "310107", Obj: ObjAudit, Act: ActRead, Rel: "*", Effect: Allow}.Row()
	if err := s.RemovePolicyRules(ctx, defaults[:2]); err != nil {
		t.Fatal(err)
	}
	if err := s.AddPolicyRules(ctx, [][]string{custom}); err != nil {
		t.Fatal(err)
	}
	a, err := New(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	stored, err = s.PolicyRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := append(DefaultPolicies(), custom); !sameRows(stored, want) {
		t.Fatalf("stored %d rules, want %d", len(stored), len(want))
	}
	// The re-added defaults are in memory too.
	if err := a.Granted(GrantRows(subNational, []string{identity.RoleNationalAdmin}, "000000")); err != nil {
		t.Fatal(err)
	}
	for _, d := range defaults[:2] {
		checkDecisions(t, a, []decision{{subNational, "310107", d[3], d[4], true}})
	}
}

func TestDefaultPolicies(t *testing.T) {
	d := DefaultPolicies()
	seen := map[string]bool{}
	for _, r := range d {
		if len(r) != 7 || r[0] != ptypeOf(r[3]) || !isPolicyType(r[0]) || r[2] != AnyTenant || r[6] != Allow {
			t.Fatalf("bad default rule %q", r)
		}
		if err := CheckRule(Rule{Role: r[1], Tenant: "310107", Obj: r[3], Act: r[4], Rel: r[5], Effect: r[6]}); err != nil {
			t.Fatalf("default rule %q: %v", r, err)
		}
		k := fmt.Sprint(r)
		if seen[k] {
			t.Fatalf("duplicate default rule %q", r)
		}
		seen[k] = true
	}
	d[0][1] = "changed"
	if DefaultPolicies()[0][1] == "changed" {
		t.Fatal("DefaultPolicies shares its slices")
	}
}

func TestReload(t *testing.T) {
	a, s := newTestAuthorizer(t)
	ctx := context.Background()
	const u = "user:00000000-0000-0000-0000-0000000000cc"
	checkDecisions(t, a, []decision{{u, "310107", ObjUsers, ActCreate, false}})
	// Another instance grants and revokes in storage only.
	grant := GrantRows(u, []string{identity.RoleDistrictAdmin}, "310107")
	if err := s.AddPolicyRules(ctx, grant); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveFilteredPolicyRules(ctx, "g", 0, subDStaff); err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, a, []decision{{u, "310107", ObjUsers, ActCreate, false}, {subDStaff, "370104", ObjTenants, ActRead, true}})
	if err := a.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, a, []decision{
		{u, "310107", ObjUsers, ActCreate, true},
		{subDStaff, "370104", ObjTenants, ActRead, false},
		{subDAdmin, "370104", ObjUsers, ActCreate, true},
		{subShanghai, "310107", ObjTenants, ActOnboard, true},
	})
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := a.Reload(cancelled); err == nil {
		t.Fatal("Reload with a cancelled context succeeded")
	}
	checkDecisions(t, a, []decision{{u, "310107", ObjUsers, ActCreate, true}}) // old rules kept
}

// Grants announced while reloads run are never lost, and concurrent decisions are consistent
// (run with -race).
func TestConcurrentChanges(t *testing.T) {
	a, s := newTestAuthorizer(t)
	ctx := context.Background()
	const n = 40
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	wg.Add(1)
	go func() { // reloads all the time
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := a.Reload(ctx); err != nil {
				errs <- err
				return
			}
		}
	}()
	for w := range 4 { // decisions all the time
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ok, err := a.Allowed(subDAdmin, "370104", ObjUsers, ActCreate)
				if err != nil || !ok {
					errs <- fmt.Errorf("worker %d: stable grant: %v, %v", w, ok, err)
					return
				}
				_, _ = a.Allowed(fmt.Sprintf("user:c%d", i%n), "310107", ObjUsers, ActCreate)
			}
		}()
	}
	for i := range n {
		rows := GrantRows(fmt.Sprintf("user:c%d", i), []string{identity.RoleDistrictAdmin}, "310107")
		if err := s.AddPolicyRules(ctx, rows); err != nil {
			t.Fatal(err)
		}
		if err := a.Granted(rows); err != nil {
			t.Fatal(err)
		}
		if ok, err := a.Allowed(fmt.Sprintf("user:c%d", i), "310107", ObjUsers, ActCreate); err != nil || !ok {
			t.Fatalf("user:c%d right after Granted: %v, %v", i, ok, err)
		}
	}
	for i := 0; i < n; i += 2 {
		rows := GrantRows(fmt.Sprintf("user:c%d", i), []string{identity.RoleDistrictAdmin}, "310107")
		if err := s.RemovePolicyRules(ctx, rows); err != nil {
			t.Fatal(err)
		}
		if err := a.Revoked(rows); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := range n {
		checkDecisions(t, a, []decision{{fmt.Sprintf("user:c%d", i), "310107", ObjUsers, ActCreate, i%2 == 1}})
	}
}

func TestDecisionCacheBounded(t *testing.T) {
	c := newDecisionCache(3)
	for i := range 10 {
		_ = c.Set(fmt.Sprint(i), true)
		if c.len() > 3 {
			t.Fatalf("cache holds %d entries, bound 3", c.len())
		}
	}
	if v, err := c.Get("9"); err != nil || !v {
		t.Fatalf("Get(9) = %v, %v", v, err)
	}
	if err := c.Delete("9"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get("9"); err == nil {
		t.Fatal("deleted key found")
	}
}
