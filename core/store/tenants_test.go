package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/fengqiao/fengqiao/core/tenant"
)

func mustPlan(t *testing.T, scope string, codes []string, withOffices bool) tenant.Plan {
	t.Helper()
	p, err := tenant.PlanOnboarding(scope, codes, withOffices)
	if err != nil {
		t.Fatalf("plan %v in %s: %v", codes, scope, err)
	}
	return p
}

func streetCount(t *testing.T, district string) int {
	t.Helper()
	ss, err := division.Streets(district)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) == 0 {
		t.Fatalf("%s has no streets in the embedded list", district)
	}
	return len(ss)
}

func codesOf(ts []tenant.Tenant) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.Code)
	}
	return out
}

func TestOnboardIsIdempotent(t *testing.T) {
	st, _ := storetest.Open(t)
	ctx := testCtx(t)
	plan := mustPlan(t, "000000", []string{"310107"}, true)
	streets := streetCount(t, "310107")
	steps := []struct {
		name string
		want tenant.OnboardResult
	}{
		{"first", tenant.OnboardResult{Created: []string{"310107"}, Existing: []string{}, CreatedAncestors: []string{"310000", "310100"}, OfficesCreated: streets}},
		{"second", tenant.OnboardResult{Created: []string{}, Existing: []string{"310107"}, CreatedAncestors: []string{}, OfficesCreated: 0}},
		{"third", tenant.OnboardResult{Created: []string{}, Existing: []string{"310107"}, CreatedAncestors: []string{}, OfficesCreated: 0}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			got, err := st.Onboard(ctx, "000000", plan)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Created, s.want.Created) || !slices.Equal(got.Existing, s.want.Existing) ||
				!slices.Equal(got.CreatedAncestors, s.want.CreatedAncestors) || got.OfficesCreated != s.want.OfficesCreated {
				t.Errorf("Onboard = %+v, want %+v", got, s.want)
			}
		})
	}
	offices, err := st.Offices(ctx, "310107")
	if err != nil {
		t.Fatal(err)
	}
	if len(offices) != streets {
		t.Errorf("offices after three onboardings = %d, want %d", len(offices), streets)
	}
	// Only the run that changed something is audited.
	events, err := st.AuditEvents(ctx, "000000", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Action != "tenant.onboard" || events[0].Object != "310107" || events[0].Actor != "system:test" {
		t.Fatalf("audit events of 000000 = %+v, want one tenant.onboard of 310107 by system:test", events)
	}
	var after struct {
		Created        []string `json:"created"`
		OfficesCreated int      `json:"offices_created"`
	}
	if err := json.Unmarshal(events[0].After, &after); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(after.Created, []string{"310000", "310100", "310107"}) || after.OfficesCreated != streets {
		t.Errorf("onboard audit after = %s", events[0].After)
	}
}

func TestOnboardCreatesAncestorsOnce(t *testing.T) {
	st, _ := storetest.Open(t)
	ctx := testCtx(t)
	steps := []struct {
		name          string
		scope         string
		codes         []string
		wantCreated   []string
		wantAncestors []string
		wantExisting  []string
	}{
		{"putuo", "000000", []string{"310107"}, []string{"310107"}, []string{"310000", "310100"}, []string{}},
		{"qingpu shares Shanghai", "000000", []string{"310118"}, []string{"310118"}, []string{}, []string{}},
		{"both again with huaiyin", "000000", []string{"310107", "370104", "310118"}, []string{"370104"}, []string{"370000", "370100"}, []string{"310107", "310118"}},
		{"a city that exists", "000000", []string{"370100"}, []string{}, []string{}, []string{"370100"}},
		{"from the province's scope", "370000", []string{"370102"}, []string{"370102"}, []string{}, []string{}},
		{"province scope plans a new city", "370000", []string{"370202"}, []string{"370202"}, []string{"370200"}, []string{}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			got, err := st.Onboard(ctx, s.scope, mustPlan(t, s.scope, s.codes, false))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Created, s.wantCreated) || !slices.Equal(got.CreatedAncestors, s.wantAncestors) || !slices.Equal(got.Existing, s.wantExisting) {
				t.Errorf("Onboard(%v) = created %v ancestors %v existing %v; want %v %v %v",
					s.codes, got.Created, got.CreatedAncestors, got.Existing, s.wantCreated, s.wantAncestors, s.wantExisting)
			}
		})
	}
	all, err := st.Tenants(ctx, "000000", tenant.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"000000", "310000", "310100", "310107", "310118", "370000", "370100", "370102", "370104", "370200", "370202"}
	if got := codesOf(all); !slices.Equal(got, want) {
		t.Errorf("tenants = %v, want %v", got, want)
	}
	for _, tn := range all {
		if tn.Code == "370202" {
			if !slices.Equal(tn.Ancestors, []string{"000000", "370000", "370200", "370202"}) || tn.ParentCode != "370200" || tn.Level != division.LevelDistrict {
				t.Errorf("370202 = %+v", tn)
			}
		}
	}
}

func TestConcurrentOnboardingsCreateEachTenantOnce(t *testing.T) {
	st, _ := storetest.Open(t)
	ctx := testCtx(t)
	// Overlapping plans sharing ancestors (and 310107), run at once. Districts that appear in
	// several plans appear in the same relative order in each.
	plans := [][]string{{"310107"}, {"310118"}, {"310107", "310104"}, {"310000"}, {"310104"}}
	results := make([]tenant.OnboardResult, len(plans))
	errs := make([]error, len(plans))
	var wg sync.WaitGroup
	for i, codes := range plans {
		plan := mustPlan(t, "000000", codes, true)
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = st.Onboard(ctx, "000000", plan)
		}()
	}
	wg.Wait()
	created := map[string]int{}
	offices := 0
	for i, r := range results {
		if errs[i] != nil {
			t.Errorf("Onboard %v: %v", plans[i], errs[i])
		}
		for _, c := range slices.Concat(r.Created, r.CreatedAncestors) {
			created[c]++
		}
		offices += r.OfficesCreated
	}
	for _, c := range []string{"310000", "310100", "310104", "310107", "310118"} {
		if created[c] != 1 {
			t.Errorf("%s reported created %d times, want 1", c, created[c])
		}
	}
	if len(created) != 5 {
		t.Errorf("created %v", created)
	}
	if want := streetCount(t, "310104") + streetCount(t, "310107") + streetCount(t, "310118"); offices != want {
		t.Errorf("offices created in all = %d, want %d", offices, want)
	}
}

func TestOnboardOutsideScopeIsRefusedByTheDatabase(t *testing.T) {
	st, _ := storetest.Open(t)
	ctx := testCtx(t)
	if _, err := st.Onboard(ctx, "000000", mustPlan(t, "000000", []string{"310107"}, false)); err != nil {
		t.Fatal(err)
	}
	// A plan made for the country, executed in Shanghai's scope: RLS refuses Shandong's rows.
	_, err := st.Onboard(ctx, "310000", mustPlan(t, "000000", []string{"370104"}, false))
	if !errors.Is(err, tenant.ErrOutsideScope) {
		t.Fatalf("Onboard of 370104 in scope 310000: %v, want ErrOutsideScope", err)
	}
	if _, err := st.Tenant(ctx, "000000", "370000"); !errors.Is(err, tenant.ErrNotFound) {
		t.Errorf("370000 after the refused onboarding: %v, want ErrNotFound (nothing committed)", err)
	}
}

func TestTenantIsVisibleOnlyWithinScope(t *testing.T) {
	st, _ := storetest.Open(t)
	ctx := testCtx(t)
	if _, err := st.Onboard(ctx, "000000", mustPlan(t, "000000", []string{"310107", "370104"}, false)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		scope, code string
		wantErr     error
	}{
		{"000000", "310107", nil},
		{"310000", "310107", nil},
		{"310100", "310107", nil},
		{"310107", "310107", nil},
		{"000000", "000000", nil},
		{"370000", "310107", tenant.ErrNotFound},
		{"370104", "310107", tenant.ErrNotFound},
		{"310107", "310100", tenant.ErrNotFound}, // a district does not see its parent
		{"310107", "000000", tenant.ErrNotFound},
		{"000000", "310118", tenant.ErrNotFound}, // not onboarded
		{"", "310107", tenant.ErrNotFound},       // no scope, no tenant
	}
	for _, c := range cases {
		t.Run(c.scope+" "+c.code, func(t *testing.T) {
			got, err := st.Tenant(ctx, c.scope, c.code)
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("Tenant(%q, %q) error %v, want %v", c.scope, c.code, err, c.wantErr)
			}
			if c.wantErr == nil && got.Code != c.code {
				t.Errorf("Tenant(%q, %q) = %s", c.scope, c.code, got.Code)
			}
		})
	}
	tn, err := st.Tenant(ctx, "000000", "310107")
	if err != nil {
		t.Fatal(err)
	}
	if tn.Name != "普陀区" || tn.FullName != "上海市普陀区" || tn.Level != division.LevelDistrict || tn.ParentCode != "310100" ||
		tn.Status != tenant.StatusActive || tn.Placement != tenant.DefaultPlacement || tn.CreatedAt.IsZero() ||
		!slices.Equal(tn.Ancestors, []string{"000000", "310000", "310100", "310107"}) {
		t.Errorf("310107 = %+v", tn)
	}
}

func TestTenantsListing(t *testing.T) {
	st, _ := storetest.Open(t)
	ctx := testCtx(t)
	if _, err := st.Onboard(ctx, "000000", mustPlan(t, "000000", []string{"310107", "310118", "370104", "370102"}, false)); err != nil {
		t.Fatal(err)
	}
	// Suspend 310118 in its own scope (see TestUpdateTenantFromAboveIsAudited for the national scope).
	if _, err := st.UpdateTenant(ctx, "310118", "310118", func(tn *tenant.Tenant) error {
		tn.Status, tn.StatusReason = tenant.StatusSuspended, "test"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateTenant(ctx, "370104", "370104", func(tn *tenant.Tenant) error {
		tn.DisplayName = "槐荫司法局"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	all := []string{"000000", "310000", "310100", "310107", "310118", "370000", "370100", "370102", "370104"}
	cases := []struct {
		name  string
		scope string
		f     tenant.Filter
		want  []string
	}{
		{"everything", "000000", tenant.Filter{Limit: 100}, all},
		{"level district", "000000", tenant.Filter{Level: division.LevelDistrict, Limit: 100}, []string{"310107", "310118", "370102", "370104"}},
		{"level province", "000000", tenant.Filter{Level: division.LevelProvince, Limit: 100}, []string{"310000", "370000"}},
		{"level country", "000000", tenant.Filter{Level: division.LevelCountry, Limit: 100}, []string{"000000"}},
		{"status suspended", "000000", tenant.Filter{Status: tenant.StatusSuspended, Limit: 100}, []string{"310118"}},
		{"status active districts", "000000", tenant.Filter{Status: tenant.StatusActive, Level: division.LevelDistrict, Limit: 100}, []string{"310107", "370102", "370104"}},
		{"parent", "000000", tenant.Filter{Parent: "310100", Limit: 100}, []string{"310107", "310118"}},
		{"parent country", "000000", tenant.Filter{Parent: "000000", Limit: 100}, []string{"310000", "370000"}},
		{"within province", "000000", tenant.Filter{Within: "370000", Limit: 100}, []string{"370000", "370100", "370102", "370104"}},
		{"within district", "000000", tenant.Filter{Within: "310107", Limit: 100}, []string{"310107"}},
		{"within not onboarded", "000000", tenant.Filter{Within: "320000", Limit: 100}, []string{}},
		{"q full name", "000000", tenant.Filter{Query: "普陀", Limit: 100}, []string{"310107"}},
		{"q province name", "000000", tenant.Filter{Query: "山东省", Limit: 100}, []string{"370000", "370100", "370102", "370104"}},
		{"q display name", "000000", tenant.Filter{Query: "槐荫司法", Limit: 100}, []string{"370104"}},
		{"q code prefix", "000000", tenant.Filter{Query: "3701", Limit: 100}, []string{"370100", "370102", "370104"}},
		{"q percent is literal", "000000", tenant.Filter{Query: "%", Limit: 100}, []string{}},
		{"q underscore is literal", "000000", tenant.Filter{Query: "_", Limit: 100}, []string{}},
		{"combined", "000000", tenant.Filter{Level: division.LevelDistrict, Within: "310000", Status: tenant.StatusActive, Limit: 100}, []string{"310107"}},
		{"scope province", "310000", tenant.Filter{Limit: 100}, []string{"310000", "310100", "310107", "310118"}},
		{"scope district", "310107", tenant.Filter{Limit: 100}, []string{"310107"}},
		{"scope hides within", "310000", tenant.Filter{Within: "370000", Limit: 100}, []string{}},
		{"scope hides q", "370000", tenant.Filter{Query: "普陀", Limit: 100}, []string{}},
		{"first page", "000000", tenant.Filter{Limit: 3}, all[:3]},
		{"second page", "000000", tenant.Filter{After: "310100", Limit: 3}, all[3:6]},
		{"last page", "000000", tenant.Filter{After: "370000", Limit: 3}, all[6:]},
		{"after the last", "000000", tenant.Filter{After: "370104", Limit: 3}, []string{}},
		{"after a code that is no tenant", "000000", tenant.Filter{After: "320000", Limit: 2}, []string{"370000", "370100"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := st.Tenants(ctx, c.scope, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if codes := codesOf(got); !slices.Equal(codes, c.want) {
				t.Errorf("Tenants(%s, %+v) = %v, want %v", c.scope, c.f, codes, c.want)
			}
		})
	}
	t.Run("keyset walk", func(t *testing.T) {
		var walked []string
		after := ""
		for range 20 {
			page, err := st.Tenants(ctx, "000000", tenant.Filter{After: after, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			walked = append(walked, codesOf(page)...)
			if len(page) < 2 {
				break
			}
			after = page[len(page)-1].Code
		}
		if !slices.Equal(walked, all) {
			t.Errorf("walked %v, want %v", walked, all)
		}
	})
}

func TestUpdateTenantIsAudited(t *testing.T) {
	st, _ := storetest.Open(t)
	ctx := testCtx(t)
	if _, err := st.Onboard(ctx, "000000", mustPlan(t, "000000", []string{"310107"}, false)); err != nil {
		t.Fatal(err)
	}
	got, err := st.UpdateTenant(ctx, "310107", "310107", func(tn *tenant.Tenant) error {
		tn.DisplayName = "普陀区司法局"
		tn.Contact = tenant.Contact{Name: "张三", Phone: "021-1234", Email: "a@example.cn"}
		tn.EnabledPlugins = append(tn.EnabledPlugins, "x")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.DisplayName != "普陀区司法局" || got.Contact.Name != "张三" || !slices.Equal(got.EnabledPlugins, []string{"x"}) {
		t.Errorf("UpdateTenant returned %+v", got)
	}
	again, err := st.Tenant(ctx, "310107", "310107")
	if err != nil {
		t.Fatal(err)
	}
	if again.DisplayName != "普陀区司法局" || again.Contact.Email != "a@example.cn" || !again.UpdatedAt.After(again.CreatedAt) {
		t.Errorf("stored tenant %+v", again)
	}
	events, err := st.AuditEvents(ctx, "310107", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 {
		t.Fatalf("audit events of 310107 = %d, want 1: %+v", len(events), events)
	}
	e := events[0]
	if e.Action != "tenant.update" || e.Object != "310107" || e.TenantCode != "310107" || e.Actor != "system:test" || e.RequestID != t.Name() {
		t.Errorf("event %+v", e)
	}
	var before, after map[string]any
	if err := json.Unmarshal(e.Before, &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(e.After, &after); err != nil {
		t.Fatal(err)
	}
	if before["display_name"] != "" || after["display_name"] != "普陀区司法局" || before["status"] != "active" || after["status"] != "active" {
		t.Errorf("before %s after %s", e.Before, e.After)
	}
	if c, _ := after["contact"].(map[string]any); c["name"] != "张三" {
		t.Errorf("after contact %v", after["contact"])
	}

	t.Run("apply error rolls back", func(t *testing.T) {
		boom := errors.New("boom")
		if _, err := st.UpdateTenant(ctx, "310107", "310107", func(tn *tenant.Tenant) error {
			tn.DisplayName = "x"
			return boom
		}); !errors.Is(err, boom) {
			t.Fatalf("err %v, want boom", err)
		}
		if n, _ := st.AuditEvents(ctx, "310107", 0, 10); len(n) != 1 {
			t.Errorf("audit events after a failed update = %d, want 1", len(n))
		}
	})
	t.Run("outside scope", func(t *testing.T) {
		if _, err := st.UpdateTenant(ctx, "370000", "310107", func(*tenant.Tenant) error { return nil }); !errors.Is(err, tenant.ErrNotFound) {
			t.Errorf("err %v, want ErrNotFound", err)
		}
	})
}

func TestUpdateTenantFromAboveIsAudited(t *testing.T) {
	st, _ := storetest.Open(t)
	ctx := testCtx(t)
	if _, err := st.Onboard(ctx, "000000", mustPlan(t, "000000", []string{"310107"}, false)); err != nil {
		t.Fatal(err)
	}
	// The event belongs to the tenant changed, not to the scope acting on it.
	for _, scope := range []string{"000000", "310000", "310100", "310107"} {
		t.Run(scope, func(t *testing.T) {
			name := "普陀 " + scope
			got, err := st.UpdateTenant(ctx, scope, "310107", func(tn *tenant.Tenant) error {
				tn.DisplayName = name
				return nil
			})
			if err != nil {
				t.Fatalf("UpdateTenant from %s: %v", scope, err)
			}
			if got.DisplayName != name {
				t.Errorf("display name %q", got.DisplayName)
			}
			events, err := st.AuditEvents(ctx, "310107", 0, 1)
			if err != nil || len(events) != 1 {
				t.Fatalf("audit events of 310107: %v, %v", events, err)
			}
			var after map[string]any
			if err := json.Unmarshal(events[0].After, &after); err != nil {
				t.Fatal(err)
			}
			if events[0].Action != "tenant.update" || events[0].TenantCode != "310107" || after["display_name"] != name {
				t.Errorf("newest event %+v after %s", events[0], events[0].After)
			}
		})
	}
	for _, scope := range []string{"000000", "310000", "310100"} {
		events, err := st.AuditEvents(ctx, scope, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.Action == "tenant.update" {
				t.Errorf("update of 310107 audited in %s: %+v", scope, e)
			}
		}
	}
	if events, _ := st.AuditEvents(ctx, "310107", 0, 100); len(events) != 4 {
		t.Errorf("audit events of 310107 = %d, want 4", len(events))
	}
}

func TestSuspendedTenantRefusesNewPrincipals(t *testing.T) {
	st, _ := storetest.Open(t)
	ctx := testCtx(t)
	if _, err := st.Onboard(ctx, "000000", mustPlan(t, "000000", []string{"310107", "310118"}, false)); err != nil {
		t.Fatal(err)
	}
	setStatus := func(code string, s tenant.Status) {
		t.Helper()
		if _, err := st.UpdateTenant(ctx, code, code, func(tn *tenant.Tenant) error { tn.Status = s; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	setStatus("310107", tenant.StatusSuspended)
	setStatus("310118", tenant.StatusArchived)
	cases := []struct {
		tenant  string
		wantErr error
	}{
		{"310107", tenant.ErrSuspended},
		{"310118", tenant.ErrArchived},
		{"370104", tenant.ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.tenant, func(t *testing.T) {
			_, err := st.CreateUser(ctx, identity.User{TenantCode: c.tenant, Username: "u-" + c.tenant}, "h",
				[][]string{{"g", "", identity.RoleDistrictAdmin, c.tenant}})
			if !errors.Is(err, c.wantErr) {
				t.Errorf("CreateUser in %s: %v, want %v", c.tenant, err, c.wantErr)
			}
			_, _, hash, _ := identity.NewAPIToken(c.tenant)
			_, err = st.CreateToken(ctx, identity.Token{TenantCode: c.tenant, Name: "n", Prefix: "p", Role: identity.RoleAgencySystem, CreatedBy: "x"}, hash,
				[][]string{{"g", "", identity.RoleAgencySystem, c.tenant}})
			if !errors.Is(err, c.wantErr) {
				t.Errorf("CreateToken in %s: %v, want %v", c.tenant, err, c.wantErr)
			}
		})
	}
	// Nothing was written: no directory entry holds the names, no grant was stored.
	rules, err := st.PolicyRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if r[0] == "g" {
			t.Errorf("grant stored by a refused creation: %v", r)
		}
	}
	setStatus("310107", tenant.StatusActive)
	if _, err := st.CreateUser(ctx, identity.User{TenantCode: "310107", Username: "u-310107"}, "h", nil); err != nil {
		t.Errorf("CreateUser after resuming: %v (the refused attempt must not hold the username)", err)
	}
}

func TestOfficesOfADistrict(t *testing.T) {
	st, _ := storetest.Open(t)
	ctx := testCtx(t)
	if _, err := st.Onboard(ctx, "000000", mustPlan(t, "000000", []string{"310107"}, true)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Onboard(ctx, "000000", mustPlan(t, "000000", []string{"370104"}, false)); err != nil {
		t.Fatal(err)
	}
	streets, err := division.Streets("310107")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		code string
		want int
	}{
		{"310107", len(streets)},
		{"370104", 0}, // onboarded without offices
		{"310118", 0}, // not onboarded
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			got, err := st.Offices(ctx, c.code)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != c.want {
				t.Fatalf("Offices(%s) = %d, want %d", c.code, len(got), c.want)
			}
			for i, o := range got {
				s := streets[i]
				if o.TenantCode != c.code || o.StreetCode != s.Code || o.StreetName != s.Name || o.Name != tenant.OfficeName(s.Name) || o.CreatedAt.IsZero() {
					t.Errorf("office %d = %+v, want street %+v", i, o, s)
				}
			}
		})
	}
	// Adding offices later to an existing district creates exactly them.
	res, err := st.Onboard(ctx, "000000", mustPlan(t, "000000", []string{"370104"}, true))
	if err != nil {
		t.Fatal(err)
	}
	if want := streetCount(t, "370104"); res.OfficesCreated != want || len(res.Created) != 0 {
		t.Errorf("offices for an existing district: %+v, want %d offices", res, want)
	}
}

func TestUsernamesAreUniqueAcrossTenants(t *testing.T) {
	st, _ := storetest.Open(t)
	ctx := testCtx(t)
	if _, err := st.Onboard(ctx, "000000", mustPlan(t, "000000", []string{"310107", "370104"}, false)); err != nil {
		t.Fatal(err)
	}
	grant := func(code string) [][]string { return [][]string{{"g", "", identity.RoleDistrictStaff, code}} }
	if _, err := st.CreateUser(ctx, identity.User{TenantCode: "310107", Username: "zhang"}, "h", grant("310107")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, tenant, username string
		wantErr                error
	}{
		{"same tenant", "310107", "zhang", identity.ErrUsernameTaken},
		{"other tenant", "370104", "zhang", identity.ErrUsernameTaken},
		{"country", "000000", "zhang", identity.ErrUsernameTaken},
		{"other name", "370104", "li", nil},
		{"other name taken next", "310107", "li", identity.ErrUsernameTaken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := st.CreateUser(ctx, identity.User{TenantCode: c.tenant, Username: c.username}, "h", grant(c.tenant))
			if !errors.Is(err, c.wantErr) {
				t.Errorf("CreateUser(%s, %s) = %v, want %v", c.tenant, c.username, err, c.wantErr)
			}
		})
	}
	for _, c := range []struct {
		tenant string
		want   []string
	}{{"310107", []string{"zhang"}}, {"370104", []string{"li"}}, {"000000", nil}} {
		us, err := st.Users(ctx, c.tenant, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range us {
			names = append(names, u.Username)
		}
		if !slices.Equal(names, c.want) {
			t.Errorf("users of %s = %v, want %v (refused creations must leave nothing)", c.tenant, names, c.want)
		}
	}
	t.Run("service lower-cases", func(t *testing.T) {
		az, err := authz.New(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		signer, err := identity.NewSigner(bytes.Repeat([]byte("k"), 32), time.Hour, "test")
		if err != nil {
			t.Fatal(err)
		}
		svc := identity.NewService(st, az, signer)
		_, err = svc.CreateUser(ctx, nil, "370104", identity.NewUser{Username: "  ZHANG ", Password: "long-enough-1", Roles: []string{identity.RoleDistrictStaff}})
		if !errors.Is(err, identity.ErrUsernameTaken) {
			t.Errorf("CreateUser ZHANG: %v, want ErrUsernameTaken", err)
		}
		u, err := svc.CreateUser(ctx, nil, "370104", identity.NewUser{Username: "Wang.Wu", Password: "long-enough-1", Roles: []string{identity.RoleDistrictStaff}})
		if err != nil || u.Username != "wang.wu" {
			t.Errorf("CreateUser Wang.Wu = %q, %v; want wang.wu", u.Username, err)
		}
		c, err := st.CredentialsFor(ctx, "wang.wu")
		if err != nil || c.User.ID != u.ID || c.User.TenantCode != "370104" || c.TenantStatus != tenant.StatusActive {
			t.Errorf("CredentialsFor(wang.wu) = %+v, %v", c, err)
		}
	})
}

func TestTokensRevocation(t *testing.T) {
	s := seedTwoDistricts(t)
	st := s.st
	ctx := testCtx(t)
	tok, hash := s.tokens["310107"], s.tokenHash["310107"]

	t.Run("lookup before revocation", func(t *testing.T) {
		got, status, err := st.TokenByHash(ctx, "310107", hash)
		if err != nil || got.ID != tok.ID || status != tenant.StatusActive || got.RevokedAt != nil || got.LastUsedAt == nil || !got.Active(time.Now()) {
			t.Fatalf("TokenByHash = %+v, %s, %v", got, status, err)
		}
	})
	t.Run("revoke", func(t *testing.T) {
		got, removed, err := st.RevokeToken(ctx, "310107", tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{{"g", identity.TokenSubject(tok.ID), identity.RoleAgencySystem, "310107"}}
		if len(removed) != 1 || !slices.Equal(removed[0], want[0]) {
			t.Errorf("removed %v, want %v", removed, want)
		}
		if got.RevokedAt == nil || got.ID != tok.ID {
			t.Fatalf("revoked token %+v", got)
		}
		rules, err := st.PolicyRules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rules {
			if len(r) > 1 && r[1] == identity.TokenSubject(tok.ID) {
				t.Errorf("grant left after revocation: %v", r)
			}
		}
		first := *got.RevokedAt
		again, removed, err := st.RevokeToken(ctx, "310107", tok.ID)
		if err != nil || len(removed) != 0 || again.RevokedAt == nil || !again.RevokedAt.Equal(first) {
			t.Errorf("second revocation = %+v, removed %v, %v; want the first revocation time and nothing removed", again, removed, err)
		}
	})
	t.Run("lookup of a revoked token", func(t *testing.T) {
		// The store still finds it; the identity service refuses it because it is not Active.
		got, status, err := st.TokenByHash(ctx, "310107", hash)
		if err != nil || got.ID != tok.ID || got.RevokedAt == nil || got.Active(time.Now()) || status != tenant.StatusActive {
			t.Errorf("TokenByHash(revoked) = %+v, %s, %v", got, status, err)
		}
	})
	t.Run("other tenant's token stays", func(t *testing.T) {
		got, _, err := st.TokenByHash(ctx, "370104", s.tokenHash["370104"])
		if err != nil || got.RevokedAt != nil {
			t.Errorf("370104 token = %+v, %v", got, err)
		}
	})
	cases := []struct {
		name, tenant, id string
	}{
		{"not a uuid", "310107", "nope"},
		{"unknown uuid", "310107", "00000000-0000-0000-0000-000000000000"},
		{"other tenant's token", "310107", s.tokens["370104"].ID},
		{"own token from another tenant", "370104", tok.ID},
	}
	for _, c := range cases {
		t.Run("revoke "+c.name, func(t *testing.T) {
			if _, _, err := st.RevokeToken(ctx, c.tenant, c.id); !errors.Is(err, identity.ErrTokenNotFound) {
				t.Errorf("RevokeToken(%s, %s) = %v, want ErrTokenNotFound", c.tenant, c.id, err)
			}
		})
	}
	lookups := []struct {
		name, tenant string
		hash         []byte
	}{
		{"hash in the wrong tenant", "370104", hash},
		{"unknown hash", "310107", make([]byte, 32)},
		{"no tenant", "", hash},
	}
	for _, c := range lookups {
		t.Run("lookup "+c.name, func(t *testing.T) {
			if _, _, err := st.TokenByHash(ctx, c.tenant, c.hash); !errors.Is(err, identity.ErrTokenNotFound) {
				t.Errorf("TokenByHash(%s) = %v, want ErrTokenNotFound", c.tenant, err)
			}
		})
	}
	if got, _, err := st.TokenByHash(ctx, "370104", s.tokenHash["370104"]); err != nil || got.RevokedAt != nil {
		t.Errorf("370104 token after the refused revocation = %+v, %v", got, err)
	}
	events, err := st.AuditEvents(ctx, "310107", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var revokes int
	for _, e := range events {
		if e.Action == "token.revoke" {
			revokes++
		}
	}
	if revokes != 2 {
		t.Errorf("token.revoke events = %d, want 2 (one per call)", revokes)
	}
}
