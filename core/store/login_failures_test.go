package store_test

import (
	"fmt"
	"testing"

	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// TestLoginAttempts: the database's count of login attempts per username and client address
// under identity.LoginDelay — free failures per address, waits after them, a success clearing
// the pair, and past the username's cap an address with no failure still getting its attempt
// (issue 12, defect 13).
func TestLoginAttempts(t *testing.T) {
	st, _ := storetest.Open(t)
	ctx := testCtx(t)
	attempt := func(user, client string) bool {
		t.Helper()
		wait, err := st.BeginLoginAttempt(ctx, user, client, identity.LoginDelay)
		if err != nil {
			t.Fatal(err)
		}
		return wait == 0
	}
	steps := []struct {
		name         string
		user, client string
		times        int
		clear        bool // ClearLoginFailures before the attempts
		want         []bool
	}{
		{name: "five free attempts from an address", user: "alice", client: "10.0.0.1", times: 6, want: []bool{true, true, true, true, true, false}},
		{name: "another address is not slowed", user: "alice", client: "10.0.0.2", times: 1, want: []bool{true}},
		{name: "another username from the slowed address", user: "bob", client: "10.0.0.1", times: 1, want: []bool{true}},
		{name: "a success clears the pair", user: "alice", client: "10.0.0.1", clear: true, times: 2, want: []bool{true, true}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.clear {
				if err := st.ClearLoginFailures(ctx, s.user, s.client); err != nil {
					t.Fatal(err)
				}
			}
			for i := range s.times {
				if got := attempt(s.user, s.client); got != s.want[i] {
					t.Fatalf("attempt %d: allowed %v, want %v", i+1, got, s.want[i])
				}
			}
		})
	}
	t.Run("past the username's cap", func(t *testing.T) {
		// Failures from many addresses, each within its free ones.
		for i := 0; i < identity.UsernameFailureCap; i += 4 {
			for range 4 {
				if !attempt("carol", fmt.Sprintf("192.0.2.%d", i/4)) {
					t.Fatalf("address %d: refused within its free failures", i/4)
				}
			}
		}
		if !attempt("carol", "198.51.100.1") {
			t.Fatal("a new address is refused its first attempt: the user would be locked out")
		}
		if attempt("carol", "198.51.100.1") {
			t.Fatal("a new address gets a second attempt at once past the cap")
		}
		if !attempt("dave", "198.51.100.1") {
			t.Fatal("another username is slowed by carol's cap")
		}
	})
}
