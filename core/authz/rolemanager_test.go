package authz

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/fengqiao/fengqiao/core/identity"
)

// TestRoleManagerMatchesCasbin checks that roleManager decides exactly as Casbin's own domain
// role manager with subtreeMatch registered on "g" (the design's mechanism), over random grants,
// before and after incremental changes.
func TestRoleManagerMatchesCasbin(t *testing.T) {
	domains := []string{"000000", "310000", "310100", "310101", "310107", "310200", "310201",
		"370000", "370100", "370104", "370105", "370200", "370202"}
	roles := identity.Roles()
	acts := [][2]string{{ObjTenants, ActOnboard}, {ObjUsers, ActCreate}, {ObjOffices, ActRead}}
	rnd := rand.New(rand.NewPCG(1, 2))

	for round := range 8 {
		// Grants: each (subject, role) at most once (see TestRevokeKeepsAncestorGrant for the
		// case where Casbin's manager and ours differ, in ours' favour).
		var grants [][]string
		subjects := make([]string, 10)
		for i := range subjects {
			subjects[i] = fmt.Sprintf("user:%d-%d", round, i)
			for _, r := range roles {
				if rnd.IntN(4) == 0 {
					grants = append(grants, []string{subjects[i], r, domains[rnd.IntN(len(domains))]})
				}
			}
		}
		// Casbin's domain manager with the matching function.
		ref, err := casbin.NewEnforcer(mustModel(t, modelText))
		if err != nil {
			t.Fatal(err)
		}
		ref.AddNamedDomainMatchingFunc("g", "subtree", subtreeMatch)
		// Ours, built as Authorizer.build does.
		ours, err := casbin.NewSyncedCachedEnforcer(mustModel(t, modelText))
		if err != nil {
			t.Fatal(err)
		}
		ours.SetNamedRoleManager("g", newRoleManager())
		ours.AddNamedDomainMatchingFunc("g", "subtree", subtreeMatch)
		ours.EnableCache(false)
		for _, e := range []interface {
			AddNamedPolicies(string, [][]string) (bool, error)
			AddGroupingPolicies([][]string) (bool, error)
		}{ref, ours} {
			defaults := map[string][][]string{}
			for _, d := range DefaultPolicies() {
				defaults[d[0]] = append(defaults[d[0]], d[1:])
			}
			for ptype, rules := range defaults {
				if _, err := e.AddNamedPolicies(ptype, rules); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := e.AddGroupingPolicies(grants[:len(grants)/2]); err != nil {
				t.Fatal(err)
			}
		}
		if err := ref.BuildRoleLinks(); err != nil { // the first half loaded, as LoadPolicy does
			t.Fatal(err)
		}
		if err := ours.BuildRoleLinks(); err != nil {
			t.Fatal(err)
		}
		compare := func(stage string) {
			t.Helper()
			allowed := 0
			defer func() {
				if allowed == 0 {
					t.Fatalf("round %d %s: nothing allowed: the comparison shows nothing", round, stage)
				}
			}()
			for _, s := range subjects {
				for _, d := range domains {
					for _, a := range acts {
						want, err1 := ref.Enforce(enforceContext(a[0]), s, d, d, a[0], a[1], "none")
						got, err2 := ours.Enforce(enforceContext(a[0]), s, d, d, a[0], a[1], "none")
						if err1 != nil || err2 != nil || got != want {
							t.Fatalf("round %d %s: (%s, %s, %s, %s) ours %v (%v), casbin %v (%v); grants %q",
								round, stage, s, d, a[0], a[1], got, err2, want, err1, grants)
						}
						if got {
							allowed++
						}
					}
				}
			}
		}
		compare("loaded")
		// Incremental: the second half added, then a random third removed.
		for _, e := range []interface {
			AddGroupingPolicies([][]string) (bool, error)
		}{ref, ours} {
			if _, err := e.AddGroupingPolicies(grants[len(grants)/2:]); err != nil {
				t.Fatal(err)
			}
		}
		compare("added")
		var removed [][]string
		for _, g := range grants {
			if rnd.IntN(3) == 0 {
				removed = append(removed, g)
			}
		}
		if len(removed) > 0 {
			if _, err := ref.RemoveGroupingPolicies(removed); err != nil {
				t.Fatal(err)
			}
			if _, err := ours.RemoveGroupingPolicies(removed); err != nil {
				t.Fatal(err)
			}
		}
		compare("removed")
	}
}

func TestRoleManager(t *testing.T) {
	rm := newRoleManager()
	rm.AddDomainMatchingFunc("subtree", subtreeMatch)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(rm.AddLink("user:a", "district-admin", "310107"))
	must(rm.AddLink("user:b", "city-admin", "310100"))
	must(rm.AddLink("district-admin", "district-staff", "*")) // role inheritance, every tenant
	must(rm.AddLink("user:c", "district-staff", "370104"))

	for _, tt := range []struct {
		name1, name2, dom string
		want              bool
	}{
		{"user:a", "district-admin", "310107", true},
		{"user:a", "district-admin", "310100", false},
		{"user:a", "district-staff", "310107", true}, // through district-admin
		{"user:a", "district-staff", "310108", false},
		{"user:b", "city-admin", "310107", true},
		{"user:b", "city-admin", "310000", false},
		{"user:b", "city-admin", "370104", false},
		{"user:c", "district-admin", "370104", false},
		{"user:x", "district-staff", "370104", false},
		{"same", "same", "370104", true},
	} {
		if got, _ := rm.HasLink(tt.name1, tt.name2, tt.dom); got != tt.want {
			t.Errorf("HasLink(%s, %s, %s) = %v, want %v", tt.name1, tt.name2, tt.dom, got, tt.want)
		}
	}
	eq := func(what string, got []string, want ...string) {
		t.Helper()
		if len(got) == 0 && len(want) == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	r, _ := rm.GetRoles("user:a", "310107")
	eq("GetRoles(a, 310107)", r, "district-admin")
	r, _ = rm.GetImplicitRoles("user:a", "310107")
	eq("GetImplicitRoles(a, 310107)", r, "district-admin", "district-staff")
	r, _ = rm.GetUsers("city-admin", "310107")
	eq("GetUsers(city-admin, 310107)", r, "user:b")
	r, _ = rm.GetImplicitUsers("district-staff", "310107")
	eq("GetImplicitUsers(district-staff, 310107)", r, "district-admin", "user:a")
	r, _ = rm.GetDomains("user:a")
	eq("GetDomains(a)", r, "310107")
	r, _ = rm.GetAllDomains()
	eq("GetAllDomains", r, "*", "310100", "310107", "370104")
	if !rm.Match("310107", "310000") || rm.Match("310000", "310107") {
		t.Error("Match does not follow the subtree")
	}

	must(rm.DeleteLink("user:a", "district-admin", "310107"))
	if ok, _ := rm.HasLink("user:a", "district-staff", "310107"); ok {
		t.Error("link kept after DeleteLink")
	}
	must(rm.DeleteDomain("310100"))
	if ok, _ := rm.HasLink("user:b", "city-admin", "310107"); ok {
		t.Error("link kept after DeleteDomain")
	}
	must(rm.Clear())
	if ok, _ := rm.HasLink("user:c", "district-staff", "370104"); ok {
		t.Error("link kept after Clear")
	}
	if !rm.Match("310107", "310000") {
		t.Error("Clear dropped the matching function")
	}
}
