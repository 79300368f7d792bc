package identity

import (
	"strings"
	"testing"
	"time"
)

// FuzzSignerVerify: a bearer token is untrusted input. Verify never panics, and accepts only
// what this signer issued: any accepted text must be one of the issued tokens.
func FuzzSignerVerify(f *testing.F) {
	s, err := NewSigner([]byte(strings.Repeat("k", 32)), time.Hour, "fengqiao")
	if err != nil {
		f.Fatal(err)
	}
	issued, _, err := s.Issue(User{ID: "2f1a6e4e-9f57-4b0e-a1b3-1f0e7c1f0a11", TenantCode: "310107", Username: "putuo-admin"})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{issued, "", "a.b.c", issued[:len(issued)-1], issued + "x", "eyJhbGciOiJub25lIn0.e30.", strings.Repeat(".", 100)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		p, err := s.Verify(token)
		if err != nil {
			return
		}
		if p.ID != "2f1a6e4e-9f57-4b0e-a1b3-1f0e7c1f0a11" || p.TenantCode != "310107" {
			t.Fatalf("accepted a token this signer never issued: %q → %+v", token, p)
		}
	})
}
