package tenants

import (
	"testing"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/identity"
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
