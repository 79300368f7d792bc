package identity

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

var testKey = []byte("0123456789abcdef0123456789abcdef") // 32 bytes

func newTestSigner(t *testing.T, key []byte, issuer string, now time.Time) *Signer {
	t.Helper()
	s, err := NewSigner(key, time.Hour, issuer)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	s.now = func() time.Time { return now }
	return s
}

func TestNewSignerKeyLength(t *testing.T) {
	tests := []struct {
		name string
		key  []byte
		ok   bool
	}{
		{"nil", nil, false},
		{"empty", []byte{}, false},
		{"16 bytes", make([]byte, 16), false},
		{"31 bytes", make([]byte, 31), false},
		{"32 bytes", make([]byte, 32), true},
		{"64 bytes", make([]byte, 64), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSigner(tt.key, time.Hour, "fengqiao")
			if tt.ok && (err != nil || s == nil) {
				t.Fatalf("NewSigner(%d bytes) = %v, %v; want a signer", len(tt.key), s, err)
			}
			if !tt.ok && (err == nil || s != nil) {
				t.Fatalf("NewSigner(%d bytes) = %v, %v; want an error", len(tt.key), s, err)
			}
		})
	}
}

func TestSignerRoundTrip(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	s := newTestSigner(t, testKey, "fengqiao", now)
	users := []User{
		{ID: "0195a1b2-0000-7000-8000-000000000001", TenantCode: "310107", Username: "zhangsan", SessionGeneration: 1},
		{ID: "u2", TenantCode: "000000", Username: "root", SessionGeneration: 7},
		{ID: "u3", TenantCode: "370104", Username: "", SessionGeneration: 1 << 40},
	}
	for _, u := range users {
		t.Run(u.ID, func(t *testing.T) {
			tok, exp, err := s.Issue(u)
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			if !exp.Equal(now.Add(time.Hour)) {
				t.Errorf("expiry %v, want %v", exp, now.Add(time.Hour))
			}
			if LooksLikeAPIToken(tok) {
				t.Errorf("login token %q looks like an API token", tok)
			}
			p, err := s.Verify(tok)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if _, err := uuid.Parse(p.SessionID); err != nil {
				t.Errorf("session id %q: %v", p.SessionID, err)
			}
			want := Principal{Subject: "user:" + u.ID, ID: u.ID, Kind: "user", TenantCode: u.TenantCode, Username: u.Username,
				SessionID: p.SessionID, SessionGeneration: u.SessionGeneration, SessionExpires: p.SessionExpires, SessionIssued: p.SessionIssued}
			if !p.SessionExpires.Equal(exp) {
				t.Errorf("session expires %v, want %v", p.SessionExpires, exp)
			}
			if !p.SessionIssued.Equal(exp.Add(-time.Hour)) { // the signer's ttl: issued an hour before it expires
				t.Errorf("session issued %v, want %v", p.SessionIssued, exp.Add(-time.Hour))
			}
			if p != want {
				t.Errorf("Verify = %+v, want %+v", p, want)
			}
		})
	}
}

func TestSignerVerifyTime(t *testing.T) {
	issued := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	s := newTestSigner(t, testKey, "fengqiao", issued)
	tok, _, err := s.Issue(User{ID: "u1", TenantCode: "310107", Username: "zhangsan", SessionGeneration: 1})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"at issue", issued, true},
		{"half way", issued.Add(30 * time.Minute), true},
		{"one second before expiry", issued.Add(time.Hour - time.Second), true},
		{"at expiry", issued.Add(time.Hour), false},
		{"one second after expiry", issued.Add(time.Hour + time.Second), false},
		{"a day later", issued.Add(24 * time.Hour), false},
		{"30 s before issue (clock skew)", issued.Add(-30 * time.Second), true},
		{"2 min before issue", issued.Add(-2 * time.Minute), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestSigner(t, testKey, "fengqiao", tt.at)
			p, err := v.Verify(tok)
			if tt.ok {
				if err != nil {
					t.Fatalf("Verify at %v: %v", tt.at, err)
				}
				if p.ID != "u1" || p.TenantCode != "310107" {
					t.Errorf("Verify = %+v", p)
				}
				return
			}
			if !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("Verify at %v = %+v, %v; want ErrUnauthenticated", tt.at, p, err)
			}
			if p != (Principal{}) {
				t.Errorf("rejected token returned principal %+v", p)
			}
		})
	}
}

// signClaims signs arbitrary claims with testKey and HS256 unless told otherwise.
func signClaims(t *testing.T, m jwt.SigningMethod, key any, c jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

func TestSignerVerifyRejects(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	s := newTestSigner(t, testKey, "fengqiao", now)
	good, _, err := s.Issue(User{ID: "u1", TenantCode: "310107", Username: "zhangsan", SessionGeneration: 1})
	if err != nil {
		t.Fatal(err)
	}
	otherKey := newTestSigner(t, []byte("another-key-another-key-another-k"), "fengqiao", now)
	fromOtherKey, _, _ := otherKey.Issue(User{ID: "u1", TenantCode: "310107", SessionGeneration: 1})
	otherIssuer := newTestSigner(t, testKey, "someone-else", now)
	fromOtherIssuer, _, _ := otherIssuer.Issue(User{ID: "u1", TenantCode: "310107", SessionGeneration: 1})

	registered := func() jwt.RegisteredClaims {
		return jwt.RegisteredClaims{
			ID:        "0195a1b2-0000-7000-8000-0000000000aa",
			Issuer:    "fengqiao",
			Subject:   "u1",
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
		}
	}
	full := claims{Tenant: "310107", Username: "zhangsan", Generation: 1, RegisteredClaims: registered()}
	// Sanity check: the hand-made claims are accepted when signed properly.
	if _, err := s.Verify(signClaims(t, jwt.SigningMethodHS256, testKey, full)); err != nil {
		t.Fatalf("hand-signed valid token rejected: %v", err)
	}

	noSubject := full
	noSubject.Subject = ""
	noTenant := full
	noTenant.Tenant = ""
	noExpiry := full
	noExpiry.ExpiresAt = nil
	noIssuer := full
	noIssuer.Issuer = ""
	future := full
	future.NotBefore = jwt.NewNumericDate(now.Add(time.Hour))
	// Tokens issued before sessions could end carry neither a generation nor an id: refused.
	noGeneration := full
	noGeneration.Generation = 0
	noID := full
	noID.ID = ""
	badID := full
	badID.ID = "not-a-uuid"

	parts := strings.Split(good, ".")
	// A payload naming another tenant with the original signature.
	forged := strings.Split(signClaims(t, jwt.SigningMethodHS256, []byte("x-other-key-x-other-key-x-other-"), claims{Tenant: "000000", RegisteredClaims: registered()}), ".")

	tests := []struct {
		name  string
		token string
	}{
		{"empty", ""},
		{"garbage", "not a token"},
		{"three garbage segments", "a.b.c"},
		{"two segments", parts[0] + "." + parts[1]},
		{"signature stripped", parts[0] + "." + parts[1] + "."},
		{"signature of another payload", forged[0] + "." + forged[1] + "." + parts[2]},
		{"payload swapped", parts[0] + "." + forged[1] + "." + parts[2]},
		{"truncated signature", good[:len(good)-2]},
		{"trailing dot", good + "."},
		{"bearer prefix", "Bearer " + good},
		{"wrong key", fromOtherKey},
		{"wrong issuer", fromOtherIssuer},
		{"alg none", signClaims(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, full)},
		{"HS512 with the right key", signClaims(t, jwt.SigningMethodHS512, testKey, full)},
		{"HS384 with the right key", signClaims(t, jwt.SigningMethodHS384, testKey, full)},
		{"no subject", signClaims(t, jwt.SigningMethodHS256, testKey, noSubject)},
		{"no tenant", signClaims(t, jwt.SigningMethodHS256, testKey, noTenant)},
		{"no expiry", signClaims(t, jwt.SigningMethodHS256, testKey, noExpiry)},
		{"no issuer", signClaims(t, jwt.SigningMethodHS256, testKey, noIssuer)},
		{"not yet valid", signClaims(t, jwt.SigningMethodHS256, testKey, future)},
		{"no session generation (issued before sessions)", signClaims(t, jwt.SigningMethodHS256, testKey, noGeneration)},
		{"no token id", signClaims(t, jwt.SigningMethodHS256, testKey, noID)},
		{"token id not a uuid", signClaims(t, jwt.SigningMethodHS256, testKey, badID)},
		{"api token", "fq_310107_" + strings.Repeat("a", 40)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := s.Verify(tt.token)
			if !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("Verify(%q) = %+v, %v; want ErrUnauthenticated", tt.token, p, err)
			}
			if p != (Principal{}) {
				t.Errorf("rejected token returned principal %+v", p)
			}
		})
	}
}

const testSecret = "0123456789ABCDEFGHIJabcdefghijklmnopqrst" // 40 base62 characters

func TestNewAPIToken(t *testing.T) {
	for _, code := range []string{"310107", "370104", "000000", "441900"} {
		t.Run(code, func(t *testing.T) {
			text, prefix, hash, err := NewAPIToken(code)
			if err != nil {
				t.Fatalf("NewAPIToken: %v", err)
			}
			if len(text) != len("fq_")+6+1+apiTokenSecretLen {
				t.Errorf("len(%q) = %d", text, len(text))
			}
			if !strings.HasPrefix(text, "fq_"+code+"_") {
				t.Errorf("text %q does not start with fq_%s_", text, code)
			}
			if !strings.HasPrefix(text, prefix) || len(prefix) >= len(text) {
				t.Errorf("prefix %q is not a proper prefix of %q", prefix, text)
			}
			if !strings.HasPrefix(prefix, "fq_"+code+"_") || len(prefix) != len("fq_"+code+"_")+6 {
				t.Errorf("prefix %q: want fq_%s_ and 6 secret characters", prefix, code)
			}
			for _, r := range text[len("fq_"+code+"_"):] {
				if !strings.ContainsRune(base62, r) {
					t.Errorf("secret of %q holds %q, not base62", text, r)
				}
			}
			if sum := sha256.Sum256([]byte(text)); !bytes.Equal(hash, sum[:]) {
				t.Errorf("hash is not sha256 of the text")
			}
			if !LooksLikeAPIToken(text) {
				t.Errorf("LooksLikeAPIToken(%q) = false", text)
			}
			gotCode, gotHash, err := ParseAPIToken(text)
			if err != nil {
				t.Fatalf("ParseAPIToken(%q): %v", text, err)
			}
			if gotCode != code {
				t.Errorf("ParseAPIToken tenant = %q, want %q", gotCode, code)
			}
			if !bytes.Equal(gotHash, hash) {
				t.Errorf("ParseAPIToken hash differs from NewAPIToken's")
			}
		})
	}
}

func TestNewAPITokenDistinct(t *testing.T) {
	const n = 1000
	texts := make(map[string]bool, n)
	hashes := make(map[string]bool, n)
	var counts [256]int
	for range n {
		text, _, hash, err := NewAPIToken("310107")
		if err != nil {
			t.Fatal(err)
		}
		if texts[text] {
			t.Fatalf("token %q generated twice", text)
		}
		texts[text] = true
		hashes[string(hash)] = true
		for i := len("fq_310107_"); i < len(text); i++ {
			counts[text[i]]++
		}
	}
	if len(hashes) != n {
		t.Errorf("%d distinct hashes for %d tokens", len(hashes), n)
	}
	// 40,000 secret characters over 62 symbols: each symbol is expected ~645 times. A symbol
	// never drawn, or drawn more than twice as often as expected, means a broken alphabet.
	for i := range len(base62) {
		c := base62[i]
		if counts[c] == 0 || counts[c] > 2*n*apiTokenSecretLen/len(base62) {
			t.Errorf("symbol %q drawn %d times in %d tokens", c, counts[c], n)
		}
	}
}

func TestParseAPIToken(t *testing.T) {
	valid := "fq_310107_" + testSecret
	code, hash, err := ParseAPIToken(valid)
	if err != nil || code != "310107" {
		t.Fatalf("ParseAPIToken(%q) = %q, %v", valid, code, err)
	}
	if sum := sha256.Sum256([]byte(valid)); !bytes.Equal(hash, sum[:]) {
		t.Fatal("hash is not sha256 of the text")
	}

	replaceAt := func(s string, i int, with string) string { return s[:i] + with + s[i+1:] }
	tests := []struct {
		name string
		text string
	}{
		{"empty", ""},
		{"prefix only", "fq_"},
		{"prefix and tenant only", "fq_310107_"},
		{"upper-case prefix", "FQ_310107_" + testSecret},
		{"other prefix", "fk_310107_" + testSecret},
		{"prefix without underscore", "fq310107_" + testSecret + "x"},
		{"leading space", " fq_310107_" + testSecret},
		{"trailing space", valid + " "},
		{"trailing newline", valid + "\n"},
		{"bearer scheme included", "Bearer " + valid},
		{"secret one short", "fq_310107_" + testSecret[:39]},
		{"secret one long", valid + "a"},
		{"secret doubled", valid + testSecret},
		{"jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2ln"},
		{"tenant with letter", "fq_31010a_" + testSecret},
		{"tenant with full-width digit", "fq_31010７_" + testSecret[:38]},
		{"tenant of 5 digits", "fq_31010_" + testSecret + "x"},
		{"tenant of 7 digits", "fq_3101070_" + testSecret[:39]},
		{"tenant negative", "fq_-31010_" + testSecret},
		{"missing underscore", "fq_310107" + testSecret + "x"},
		{"dash instead of underscore", "fq_310107-" + testSecret},
		{"underscore in secret", replaceAt(valid, 20, "_")},
		{"dash in secret", replaceAt(valid, 20, "-")},
		{"plus in secret", replaceAt(valid, 49, "+")},
		{"slash in secret", replaceAt(valid, 10, "/")},
		{"padding in secret", replaceAt(valid, 49, "=")},
		{"space in secret", replaceAt(valid, 30, " ")},
		{"nul in secret", replaceAt(valid, 30, "\x00")},
		{"high byte in secret", replaceAt(valid, 30, "\xe9")},
		{"non-ASCII letter in secret", "fq_310107_" + testSecret[:38] + "é"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, hash, err := ParseAPIToken(tt.text)
			if !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("ParseAPIToken(%q) = %q, %x, %v; want ErrUnauthenticated", tt.text, code, hash, err)
			}
			if code != "" || hash != nil {
				t.Errorf("rejected text returned %q, %x", code, hash)
			}
		})
	}
}

func TestLooksLikeAPIToken(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"fq_310107_" + testSecret, true},
		{"fq_", true},
		{"fq_garbage", true},
		{"eyJhbGciOiJIUzI1NiJ9.e30.sig", false},
		{"", false},
		{"FQ_310107_" + testSecret, false},
	}
	for _, tt := range tests {
		if got := LooksLikeAPIToken(tt.text); got != tt.want {
			t.Errorf("LooksLikeAPIToken(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestTokenActive(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	tests := []struct {
		name    string
		expires *time.Time
		revoked *time.Time
		want    bool
	}{
		{"no expiry, not revoked", nil, nil, true},
		{"future expiry", at(time.Hour), nil, true},
		{"expires in one nanosecond", at(time.Nanosecond), nil, true},
		{"expires exactly now", at(0), nil, false},
		{"expired", at(-time.Second), nil, false},
		{"expired long ago", at(-365 * 24 * time.Hour), nil, false},
		{"revoked, no expiry", nil, at(-time.Minute), false},
		{"revoked with future expiry", at(time.Hour), at(-time.Minute), false},
		{"revoked and expired", at(-time.Hour), at(-time.Minute), false},
		{"revoked in the future still counts", nil, at(time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := Token{ID: "t1", ExpiresAt: tt.expires, RevokedAt: tt.revoked}
			if got := tok.Active(now); got != tt.want {
				t.Errorf("Active = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTokenStringHidesSecret(t *testing.T) {
	tok := Token{ID: "t1", Prefix: "fq_310107_abcdef"}
	s := tok.String()
	if !strings.Contains(s, "t1") || !strings.Contains(s, tok.Prefix) {
		t.Errorf("String() = %q, want the id and the prefix", s)
	}
}

func FuzzParseAPIToken(f *testing.F) {
	f.Add("fq_310107_" + testSecret)
	f.Add("fq_000000_" + strings.Repeat("z", 40))
	f.Add("fq_31010a_" + testSecret)
	f.Add("fq_310107-" + testSecret)
	f.Add("fq_310107_" + testSecret[:39] + "\xe9")
	f.Add("")
	f.Add("fq_")
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.sig")
	if text, _, _, err := NewAPIToken("370104"); err == nil {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		code, hash, err := ParseAPIToken(text)
		if err != nil {
			if !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("ParseAPIToken(%q) error %v, want ErrUnauthenticated", text, err)
			}
			if code != "" || hash != nil {
				t.Fatalf("rejected %q but returned %q, %x", text, code, hash)
			}
			return
		}
		if !strings.HasPrefix(text, "fq_") || !LooksLikeAPIToken(text) {
			t.Fatalf("accepted %q without the fq_ prefix", text)
		}
		if len(code) != 6 {
			t.Fatalf("accepted %q with tenant code %q", text, code)
		}
		for i := range len(code) {
			if code[i] < '0' || code[i] > '9' {
				t.Fatalf("accepted %q with non-digit tenant code %q", text, code)
			}
		}
		if !strings.HasPrefix(text, "fq_"+code+"_") {
			t.Fatalf("tenant code %q is not the one in %q", code, text)
		}
		if len(text) != len("fq_")+6+1+apiTokenSecretLen {
			t.Fatalf("accepted %q of length %d", text, len(text))
		}
		for _, r := range text[len("fq_")+7:] {
			if !strings.ContainsRune(base62, r) {
				t.Fatalf("accepted %q with %q in the secret", text, r)
			}
		}
		if sum := sha256.Sum256([]byte(text)); !bytes.Equal(hash, sum[:]) {
			t.Fatalf("hash of %q is not its sha256", text)
		}
	})
}
