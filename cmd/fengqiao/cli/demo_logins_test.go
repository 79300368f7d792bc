package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/tenants"
)

// TestDemoLogins: `fengqiao demo logins` (printed by make run) lists every demo user with its
// password, its role by name and its tenant, in columns that line up on a terminal.
func TestDemoLogins(t *testing.T) {
	seed, err := tenants.Demo()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := printDemoLogins(&out, seed); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != len(seed.Users)+1 {
		t.Fatalf("%d lines for %d users:\n%s", len(lines), len(seed.Users), out.String())
	}
	for i, u := range seed.Users {
		line := lines[i+1]
		for _, want := range []string{u.Username, u.Password, u.Tenant, identity.RoleNames().ZH(u.Role)} {
			if !strings.Contains(line, want) {
				t.Errorf("line of %s lacks %q: %s", u.Username, want, line)
			}
		}
		// The name column starts at the same display column on every line.
		if got, want := displayWidth(line[:strings.LastIndex(line, u.DisplayName)]), displayWidth(lines[0][:strings.Index(lines[0], "姓名")]); got != want {
			t.Errorf("line of %s: name at column %d, header at %d", u.Username, got, want)
		}
	}
}
