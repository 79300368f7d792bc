package tenants

import (
	"slices"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/pii"
)

func TestDemoSeedIsValid(t *testing.T) {
	s, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Tenants.Codes) != 5 {
		t.Fatalf("want the 5 demo districts, got %v", s.Tenants.Codes)
	}
	for _, c := range s.Tenants.Codes {
		if d, err := division.Lookup(c); err != nil || d.Level != division.LevelDistrict {
			t.Errorf("%s: not a district: %v", c, err)
		}
	}
	for _, u := range s.Users {
		lvl, err := division.LevelOf(u.Tenant)
		if err != nil {
			t.Errorf("%s: tenant %q: %v", u.Username, u.Tenant, err)
			continue
		}
		if err := identity.CheckRole(u.Role, lvl); err != nil {
			t.Errorf("%s: %v", u.Username, err)
		}
		if err := identity.CheckPassword(u.Password); err != nil {
			t.Errorf("%s: %v", u.Username, err)
		}
	}
}

func TestDemoCasesAndOrganisationsAreValid(t *testing.T) {
	s, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Organisations) == 0 || len(s.Cases) == 0 {
		t.Fatal("the demo has no organisations or cases")
	}
	for _, o := range s.Organisations {
		if !slices.ContainsFunc(orgs.Kinds(), func(k orgs.KindInfo) bool { return k.Code == orgs.Kind(o.Kind) }) {
			t.Errorf("%s: unknown kind %q", o.Name, o.Kind)
		}
	}
	keys := map[string]bool{}
	for _, c := range s.Cases {
		if keys[c.Key] {
			t.Errorf("duplicate key %s", c.Key)
		}
		keys[c.Key] = true
		for _, p := range c.Parties {
			if p.IDNumber != "" && p.Kind != "organisation" {
				if err := pii.ValidateIDNumber(p.IDNumber, time.Now()); err != nil {
					t.Errorf("%s/%s: %v", c.Key, p.Name, err)
				}
			}
		}
	}
}
