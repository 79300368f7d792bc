package identity

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestHashPasswordRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		password string
	}{
		{"ascii", "correct horse battery staple"},
		{"chinese", "人民调解委员会好"},
		{"max length", strings.Repeat("p", MaxPasswordLen)},
		{"with dollar signs", "pa$$word$argon2id$"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := HashPassword(tt.password)
			if err != nil {
				t.Fatalf("HashPassword: %v", err)
			}
			wantPrefix := fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$", argon2.Version, argonMemoryKiB, argonTime, argonThreads)
			if !strings.HasPrefix(h, wantPrefix) {
				t.Errorf("hash %q does not start with %q", h, wantPrefix)
			}
			if strings.Contains(h, tt.password) && tt.password != "" {
				t.Errorf("hash %q contains the password", h)
			}
			ok, err := VerifyPassword(h, tt.password)
			if err != nil || !ok {
				t.Fatalf("VerifyPassword(own hash) = %v, %v; want true, nil", ok, err)
			}
			for _, wrong := range []string{tt.password + "x", strings.ToUpper(tt.password) + "!", "wrong password"} {
				if wrong == tt.password {
					continue
				}
				ok, err := VerifyPassword(h, wrong)
				if err != nil {
					t.Fatalf("VerifyPassword(wrong): %v", err)
				}
				if ok {
					t.Errorf("VerifyPassword accepted wrong password %q", wrong)
				}
			}
		})
	}
}

func TestHashPasswordSalted(t *testing.T) {
	const p = "same password twice"
	h1, err := HashPassword(p)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := HashPassword(p)
	if err != nil {
		t.Fatal(err)
	}
	if h1 == h2 {
		t.Fatalf("two hashes of the same password are equal: %q", h1)
	}
	s1, s2 := strings.Split(h1, "$"), strings.Split(h2, "$")
	if s1[4] == s2[4] {
		t.Errorf("salts are equal: %q", s1[4])
	}
	for _, h := range []string{h1, h2} {
		salt, err := base64.RawStdEncoding.DecodeString(strings.Split(h, "$")[4])
		if err != nil || len(salt) != argonSaltLen {
			t.Errorf("salt of %q: %d bytes, %v; want %d", h, len(salt), err, argonSaltLen)
		}
		key, err := base64.RawStdEncoding.DecodeString(strings.Split(h, "$")[5])
		if err != nil || len(key) != argonKeyLen {
			t.Errorf("key of %q: %d bytes, %v; want %d", h, len(key), err, argonKeyLen)
		}
		if ok, err := VerifyPassword(h, p); err != nil || !ok {
			t.Errorf("VerifyPassword(%q) = %v, %v", h, ok, err)
		}
	}
}

// phc builds an argon2id PHC string with the given (cheap) parameters.
func phc(password string, salt []byte, mem, iters uint32, threads uint8, keyLen uint32) string {
	key := argon2.IDKey([]byte(password), salt, iters, mem, threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, mem, iters, threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reads the parameters from the hash, so hashes made with older settings still verify.
func TestVerifyPasswordUsesStoredParameters(t *testing.T) {
	salt := []byte("0123456789abcdef")
	tests := []struct {
		name    string
		mem     uint32
		iters   uint32
		threads uint8
		keyLen  uint32
	}{
		{"small memory", 64, 1, 1, 32},
		{"two lanes", 256, 1, 2, 32},
		{"three passes", 128, 3, 1, 16},
		{"long key", 64, 1, 1, 64},
		{"one byte key", 64, 1, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := phc("secret-pass", salt, tt.mem, tt.iters, tt.threads, tt.keyLen)
			if ok, err := VerifyPassword(h, "secret-pass"); err != nil || !ok {
				t.Errorf("VerifyPassword(%q, right) = %v, %v; want true, nil", h, ok, err)
			}
			if ok, err := VerifyPassword(h, "secret-pasS"); err != nil || ok {
				t.Errorf("VerifyPassword(%q, wrong) = %v, %v; want false, nil", h, ok, err)
			}
		})
	}
}

func TestVerifyPasswordTamperedHash(t *testing.T) {
	h := phc("secret-pass", []byte("0123456789abcdef"), 64, 1, 1, 32)
	parts := strings.Split(h, "$")
	flip := func(s string) string {
		b := []byte(s)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		return string(b)
	}
	tests := []struct {
		name string
		hash string
	}{
		{"other salt", strings.Join([]string{"", parts[1], parts[2], parts[3], flip(parts[4]), parts[5]}, "$")},
		{"other key", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], flip(parts[5])}, "$")},
		{"other memory", strings.Replace(h, "m=64,", "m=72,", 1)},
		{"other passes", strings.Replace(h, "t=1,", "t=2,", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := VerifyPassword(tt.hash, "secret-pass")
			if err != nil {
				t.Fatalf("VerifyPassword(%q): %v", tt.hash, err)
			}
			if ok {
				t.Errorf("VerifyPassword(%q) accepted the password", tt.hash)
			}
		})
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	const (
		salt = "MDEyMzQ1Njc4OWFiY2RlZg"                      // 16 bytes
		key  = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" // 32 bytes
	)
	ok := func(params string) string { return "$argon2id$v=19$" + params + "$" + salt + "$" + key }
	tests := []struct {
		name string
		hash string
	}{
		{"empty", ""},
		{"plain text", "password"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"only dollars", "$$$$$"},
		{"too few parts", "$argon2id$v=19$m=64,t=1,p=1$" + salt},
		{"too many parts", ok("m=64,t=1,p=1") + "$extra"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"argon2d", "$argon2d$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"variant upper case", "$ARGON2ID$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"old version 16", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"version not a number", "$argon2id$v=x$m=64,t=1,p=1$" + salt + "$" + key},
		{"version missing", "$argon2id$$m=64,t=1,p=1$" + salt + "$" + key},
		{"params missing", ok("")},
		{"params reordered", ok("t=1,m=64,p=1")},
		{"params missing p", ok("m=64,t=1")},
		{"params with spaces", ok("m = 64, t = 1, p = 1")},
		{"memory zero", ok("m=0,t=1,p=1")},
		{"memory negative", ok("m=-1,t=1,p=1")},
		{"memory above 1 GiB", ok("m=1048577,t=1,p=1")},
		{"memory max uint32", ok("m=4294967295,t=1,p=1")},
		{"memory overflows uint32", ok("m=4294967296,t=1,p=1")},
		{"memory huge", ok("m=99999999999999999999999999,t=1,p=1")},
		{"memory hex", ok("m=0x40,t=1,p=1")},
		{"passes zero", ok("m=64,t=0,p=1")},
		{"passes 17", ok("m=64,t=17,p=1")},
		{"passes huge", ok("m=64,t=4294967295,p=1")},
		{"threads zero", ok("m=64,t=1,p=0")},
		{"threads overflow uint8", ok("m=64,t=1,p=256")},
		{"threads negative", ok("m=64,t=1,p=-1")},
		{"salt not base64", "$argon2id$v=19$m=64,t=1,p=1$!!!!$" + key},
		{"salt padded base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{"key not base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$***"},
		{"key empty", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$"},
		{"key too long", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + base64.RawStdEncoding.EncodeToString(make([]byte, 129))},
		{"key padded base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("VerifyPassword(%q) panicked: %v", tt.hash, r)
				}
			}()
			ok, err := VerifyPassword(tt.hash, "secret-pass")
			if err == nil {
				t.Fatalf("VerifyPassword(%q) = %v, nil; want an error", tt.hash, ok)
			}
			if err != errMalformedHash {
				t.Errorf("VerifyPassword(%q) error = %v, want %v", tt.hash, err, errMalformedHash)
			}
			if ok {
				t.Errorf("VerifyPassword(%q) reported a match alongside an error", tt.hash)
			}
		})
	}
}

func TestBurnPasswordCheck(t *testing.T) {
	if dummyHash == "" {
		t.Fatal("dummyHash is empty: the timing equaliser would verify nothing")
	}
	if ok, err := VerifyPassword(dummyHash, "anything"); err != nil || ok {
		t.Errorf("VerifyPassword(dummyHash) = %v, %v; want false, nil", ok, err)
	}
	BurnPasswordCheck("anything") // must not panic
}
