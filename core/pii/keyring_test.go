package pii

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// testKey returns a deterministic 32-byte key distinct for each seed byte.
func testKey(seed byte) []byte {
	k := make([]byte, KeySize)
	for i := range k {
		k[i] = seed ^ byte(i*7+1)
	}
	return k
}

func mustRing(t testing.TB, keys map[string][]byte, active string) *Keyring {
	t.Helper()
	r, err := NewKeyring(keys, active)
	if err != nil {
		t.Fatalf("NewKeyring: %v", err)
	}
	return r
}

var testAAD = AAD("310107", "0b9f7a2e-party", "id_number")

func TestEncryptDecryptRoundTrip(t *testing.T) {
	ring := mustRing(t, map[string][]byte{"k1": testKey(1)}, "k1")
	tests := []struct {
		name  string
		plain string
	}{
		{"ascii", "11010519491231002X"},
		{"chinese", "上海市普陀区曹杨路 100 弄 5 号 301 室"},
		{"empty", ""},
		{"one byte", "x"},
		{"10 KB", strings.Repeat("人民调解abc", 10*1024/15+1)},
		{"invalid utf-8 kept as bytes", "\xff\xfe\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, err := ring.Encrypt(tt.plain, testAAD)
			if err != nil {
				t.Fatalf("Encrypt: %v", err)
			}
			if tt.plain == "" {
				if ct != nil {
					t.Fatalf("Encrypt(\"\") = %x, want nil", ct)
				}
			} else {
				if want := 2 + len("k1") + nonceSize + len(tt.plain) + tagSize; len(ct) != want {
					t.Errorf("ciphertext length %d, want %d", len(ct), want)
				}
				if ct[0] != 1 || ct[1] != 2 || string(ct[2:4]) != "k1" {
					t.Errorf("header % x, want 01 02 'k1'", ct[:4])
				}
				// Only plaintexts long enough not to occur in random bytes by chance (a one-byte
				// plaintext is in ~10 % of 28 random bytes).
				if len(tt.plain) >= 4 && bytes.Contains(ct, []byte(tt.plain)) {
					t.Errorf("ciphertext contains the plaintext")
				}
			}
			got, err := ring.Decrypt(ct, testAAD)
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if got != tt.plain {
				t.Errorf("round trip gave %q, want %q", got, tt.plain)
			}
		})
	}
}

func TestDecryptNothingStored(t *testing.T) {
	ring := mustRing(t, map[string][]byte{"k1": testKey(1)}, "k1")
	for name, ct := range map[string][]byte{"nil": nil, "empty": {}} {
		t.Run(name, func(t *testing.T) {
			got, err := ring.Decrypt(ct, testAAD)
			if err != nil || got != "" {
				t.Errorf("Decrypt(%s) = %q, %v; want \"\", nil", name, got, err)
			}
			id, err := KeyID(ct)
			if err != nil || id != "" {
				t.Errorf("KeyID(%s) = %q, %v; want \"\", nil", name, id, err)
			}
		})
	}
}

func TestEncryptUsesFreshNonce(t *testing.T) {
	ring := mustRing(t, map[string][]byte{"k1": testKey(1)}, "k1")
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		ct, err := ring.Encrypt("13800138000", testAAD)
		if err != nil {
			t.Fatal(err)
		}
		if seen[string(ct)] {
			t.Fatalf("encryption %d repeated an earlier ciphertext", i)
		}
		seen[string(ct)] = true
	}
}

func TestDecryptWrongAAD(t *testing.T) {
	ring := mustRing(t, map[string][]byte{"k1": testKey(1)}, "k1")
	ct, err := ring.Encrypt("11010519491231002X", AAD("310107", "party-1", "id_number"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		aad  []byte
	}{
		{"other tenant", AAD("310106", "party-1", "id_number")},
		{"other party", AAD("310107", "party-2", "id_number")},
		{"other field", AAD("310107", "party-1", "phone")},
		{"parts shifted", AAD("310107party-1", "", "id_number")},
		{"no aad", nil},
		{"raw concatenation", []byte("310107party-1id_number")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ring.Decrypt(ct, tt.aad)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Decrypt with %s = %q, %v; want ErrCorrupt", tt.name, got, err)
			}
			if got != "" {
				t.Errorf("failed Decrypt returned %q", got)
			}
		})
	}
}

func TestAADIsUnambiguous(t *testing.T) {
	pairs := [][2][]string{
		{{"ab", "c"}, {"a", "bc"}},
		{{"", "abc"}, {"abc", ""}},
		{{"abc"}, {"abc", ""}},
		{{}, {""}},
	}
	for _, p := range pairs {
		if bytes.Equal(AAD(p[0]...), AAD(p[1]...)) {
			t.Errorf("AAD(%q) == AAD(%q)", p[0], p[1])
		}
	}
}

// TestDecryptEveryByteFlipped: a change anywhere in a ciphertext is detected; it never opens to
// another plaintext.
func TestDecryptEveryByteFlipped(t *testing.T) {
	ring := mustRing(t, map[string][]byte{"k1": testKey(1), "k2": testKey(2), "k3": testKey(3)}, "k2")
	const plain = "11010519491231002X"
	ct, err := ring.Encrypt(plain, testAAD)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ct {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(ct)
			bad[i] ^= mask
			got, err := ring.Decrypt(bad, testAAD)
			if err == nil {
				t.Fatalf("byte %d ^ %#x: Decrypt = %q, nil; want an error", i, mask, got)
			}
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnknownKey) {
				t.Errorf("byte %d ^ %#x: error %v, want ErrCorrupt or ErrUnknownKey", i, mask, err)
			}
			if got != "" {
				t.Errorf("byte %d ^ %#x: failed Decrypt returned %q", i, mask, got)
			}
		}
	}
}

func TestDecryptTruncatedOrExtended(t *testing.T) {
	ring := mustRing(t, map[string][]byte{"k1": testKey(1)}, "k1")
	ct, err := ring.Encrypt("13800138000", testAAD)
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n < len(ct); n++ {
		if got, err := ring.Decrypt(ct[:n], testAAD); !errors.Is(err, ErrCorrupt) {
			t.Errorf("first %d of %d bytes: Decrypt = %q, %v; want ErrCorrupt", n, len(ct), got, err)
		}
		if got, err := ring.Decrypt(ct[len(ct)-n:], testAAD); err == nil {
			t.Errorf("last %d of %d bytes: Decrypt = %q, nil; want an error", n, len(ct), got)
		}
	}
	for _, extra := range [][]byte{{0}, []byte("xyz"), ct} {
		long := append(bytes.Clone(ct), extra...)
		if got, err := ring.Decrypt(long, testAAD); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%d extra bytes: Decrypt = %q, %v; want ErrCorrupt", len(extra), got, err)
		}
	}
}

func TestDecryptMalformedHeader(t *testing.T) {
	ring := mustRing(t, map[string][]byte{"k1": testKey(1)}, "k1")
	body := bytes.Repeat([]byte{0xaa}, nonceSize+tagSize+4)
	tests := []struct {
		name string
		ct   []byte
		want error
	}{
		{"one byte", []byte{1}, ErrCorrupt},
		{"version 0", append([]byte{0, 2, 'k', '1'}, body...), ErrCorrupt},
		{"version 2", append([]byte{2, 2, 'k', '1'}, body...), ErrCorrupt},
		{"empty key id", append([]byte{1, 0}, body...), ErrCorrupt},
		{"key id too long", append(append([]byte{1, 17}, strings.Repeat("a", 17)...), body...), ErrCorrupt},
		{"key id upper case", append([]byte{1, 2, 'K', '1'}, body...), ErrCorrupt},
		{"key id length past the end", []byte{1, 255, 'k', '1'}, ErrCorrupt},
		{"header only", []byte{1, 2, 'k', '1'}, ErrCorrupt},
		{"no room for the tag", append([]byte{1, 2, 'k', '1'}, body[:nonceSize+tagSize-1]...), ErrCorrupt},
		{"unknown key id", append([]byte{1, 2, 'k', '9'}, body...), ErrUnknownKey},
		{"known key, garbage body", append([]byte{1, 2, 'k', '1'}, body...), ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ring.Decrypt(tt.ct, testAAD)
			if !errors.Is(err, tt.want) {
				t.Errorf("Decrypt = %q, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestDecryptUnknownKey(t *testing.T) {
	old := mustRing(t, map[string][]byte{"2024-01": testKey(1)}, "2024-01")
	ct, err := old.Encrypt("13800138000", testAAD)
	if err != nil {
		t.Fatal(err)
	}
	other := mustRing(t, map[string][]byte{"2025-01": testKey(2)}, "2025-01")
	_, err = other.Decrypt(ct, testAAD)
	if !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Decrypt under a ring without the key: %v, want ErrUnknownKey", err)
	}
	if !strings.Contains(err.Error(), "2024-01") {
		t.Errorf("error %q does not name the key id", err)
	}
	// Same id, different key bytes: the id is known but the key is wrong.
	impostor := mustRing(t, map[string][]byte{"2024-01": testKey(9)}, "2024-01")
	if _, err := impostor.Decrypt(ct, testAAD); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Decrypt with another key under the same id: %v, want ErrCorrupt", err)
	}
	var nilRing *Keyring
	if _, err := nilRing.Decrypt(ct, testAAD); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("nil ring Decrypt: %v, want ErrUnknownKey", err)
	}
	if _, err := nilRing.Encrypt("x", testAAD); !errors.Is(err, ErrBadKey) {
		t.Errorf("nil ring Encrypt: %v, want ErrBadKey", err)
	}
}

func TestRotation(t *testing.T) {
	k1, k2 := testKey(1), testKey(2)
	ringA := mustRing(t, map[string][]byte{"k1": k1}, "k1")
	old, err := ringA.Encrypt("11010519491231002X", testAAD)
	if err != nil {
		t.Fatal(err)
	}
	ringB := mustRing(t, map[string][]byte{"k1": k1, "k2": k2}, "k2")
	if ringB.Active() != "k2" {
		t.Fatalf("Active() = %q, want k2", ringB.Active())
	}
	if got, err := ringB.Decrypt(old, testAAD); err != nil || got != "11010519491231002X" {
		t.Fatalf("ring B decrypting the k1 ciphertext: %q, %v", got, err)
	}
	fresh, err := ringB.Encrypt("13800138000", testAAD)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ct   []byte
		want string
	}{{"old", old, "k1"}, {"new", fresh, "k2"}} {
		if id, err := KeyID(c.ct); err != nil || id != c.want {
			t.Errorf("KeyID(%s) = %q, %v; want %q", c.name, id, err, c.want)
		}
	}
	if _, err := ringA.Decrypt(fresh, testAAD); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("ring A decrypting a k2 ciphertext: %v, want ErrUnknownKey", err)
	}

	// Reencrypt moves the old value to k2 and leaves the new one alone.
	moved, changed, err := ringB.Reencrypt(old, testAAD)
	if err != nil || !changed {
		t.Fatalf("Reencrypt(old) = changed %v, %v", changed, err)
	}
	if id, _ := KeyID(moved); id != "k2" {
		t.Errorf("re-encrypted value is under %q, want k2", id)
	}
	if got, err := ringB.Decrypt(moved, testAAD); err != nil || got != "11010519491231002X" {
		t.Errorf("re-encrypted value decrypts to %q, %v", got, err)
	}
	same, changed, err := ringB.Reencrypt(fresh, testAAD)
	if err != nil || changed || !bytes.Equal(same, fresh) {
		t.Errorf("Reencrypt(fresh) = changed %v, %v; want the input unchanged", changed, err)
	}
	if out, changed, err := ringB.Reencrypt(nil, testAAD); err != nil || changed || out != nil {
		t.Errorf("Reencrypt(nil) = %x, %v, %v", out, changed, err)
	}
	if _, _, err := ringB.Reencrypt(old, AAD("elsewhere")); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Reencrypt with the wrong aad: %v, want ErrCorrupt", err)
	}
	// After the old key is retired, ring C still reads the moved value.
	ringC := mustRing(t, map[string][]byte{"k2": k2}, "k2")
	if got, err := ringC.Decrypt(moved, testAAD); err != nil || got != "11010519491231002X" {
		t.Errorf("ring C: %q, %v", got, err)
	}
}

func TestKeyIDMalformed(t *testing.T) {
	for name, ct := range map[string][]byte{
		"one byte":    {1},
		"bad version": append([]byte{7, 2, 'k', '1'}, make([]byte, 40)...),
		"short":       {1, 2, 'k', '1', 0, 0},
	} {
		if id, err := KeyID(ct); !errors.Is(err, ErrCorrupt) {
			t.Errorf("KeyID(%s) = %q, %v; want ErrCorrupt", name, id, err)
		}
	}
}

func TestNewKeyringErrors(t *testing.T) {
	tests := []struct {
		name   string
		keys   map[string][]byte
		active string
		inMsg  string // the error message must mention this
	}{
		{"no keys", nil, "k1", ""},
		{"empty map", map[string][]byte{}, "k1", ""},
		{"short key", map[string][]byte{"k1": make([]byte, 31)}, "k1", `"k1"`},
		{"long key", map[string][]byte{"k1": make([]byte, 33)}, "k1", `"k1"`},
		{"nil key", map[string][]byte{"k1": nil}, "k1", `"k1"`},
		{"AES-128 key", map[string][]byte{"k1": make([]byte, 16)}, "k1", `"k1"`},
		{"empty id", map[string][]byte{"": testKey(1)}, "", ""},
		{"upper-case id", map[string][]byte{"K1": testKey(1)}, "K1", `"K1"`},
		{"id with underscore", map[string][]byte{"k_1": testKey(1)}, "k_1", `"k_1"`},
		{"id with colon", map[string][]byte{"k:1": testKey(1)}, "k:1", `"k:1"`},
		{"id 17 chars", map[string][]byte{strings.Repeat("a", 17): testKey(1)}, strings.Repeat("a", 17), "17"},
		{"bad id among good", map[string][]byte{"k1": testKey(1), "k 2": testKey(2)}, "k1", `"k 2"`},
		{"missing active", map[string][]byte{"k1": testKey(1)}, "k2", `"k2"`},
		{"empty active", map[string][]byte{"k1": testKey(1)}, "", ""},
		{"duplicate key bytes under two ids", map[string][]byte{"k1": testKey(1), "k2": testKey(1)}, "k2", `"k1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewKeyring(tt.keys, tt.active)
			if !errors.Is(err, ErrBadKey) {
				t.Fatalf("NewKeyring = %v, %v; want ErrBadKey", r, err)
			}
			if r != nil {
				t.Errorf("got a keyring with the error")
			}
			if !strings.Contains(err.Error(), tt.inMsg) {
				t.Errorf("error %q does not mention %s", err, tt.inMsg)
			}
		})
	}
}

func TestNewKeyringValid(t *testing.T) {
	keys := map[string][]byte{"a": testKey(1), strings.Repeat("z", 16): testKey(2), "2026-q1": testKey(3), "0": testKey(4)}
	for id := range keys {
		r := mustRing(t, keys, id)
		if r.Active() != id {
			t.Errorf("Active() = %q, want %q", r.Active(), id)
		}
		ct, err := r.Encrypt("x", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := KeyID(ct); got != id {
			t.Errorf("KeyID = %q, want %q", got, id)
		}
	}
	// The ring copies the key: changing the caller's slice afterwards changes nothing.
	k := testKey(5)
	r := mustRing(t, map[string][]byte{"k": k}, "k")
	ct, _ := r.Encrypt("secret", nil)
	k[0] ^= 0xff
	if got, err := r.Decrypt(ct, nil); err != nil || got != "secret" {
		t.Errorf("after the caller changed its key slice: %q, %v", got, err)
	}
}

func TestParseKeys(t *testing.T) {
	k1, k2 := testKey(1), testKey(2)
	std := base64.StdEncoding.EncodeToString
	rawURL := base64.RawURLEncoding.EncodeToString
	// A key whose encodings use + and / (standard) or - and _ (URL).
	special := bytes.Repeat([]byte{0xfb, 0xff, 0xbf}, 11)[:32]
	tests := []struct {
		name  string
		in    string
		want  map[string][]byte // nil: an error is expected
		inMsg string            // for errors: the message names this
	}{
		{"one key", "k1:" + std(k1), map[string][]byte{"k1": k1}, ""},
		{"two keys", "k1:" + std(k1) + ",k2:" + std(k2), map[string][]byte{"k1": k1, "k2": k2}, ""},
		{"spaces around entries", " k1 : " + std(k1) + " ,\n k2:" + std(k2) + " ", map[string][]byte{"k1": k1, "k2": k2}, ""},
		{"standard unpadded", "k1:" + base64.RawStdEncoding.EncodeToString(special), map[string][]byte{"k1": special}, ""},
		{"standard padded", "k1:" + std(special), map[string][]byte{"k1": special}, ""},
		{"URL padded", "k1:" + base64.URLEncoding.EncodeToString(special), map[string][]byte{"k1": special}, ""},
		{"URL unpadded", "k1:" + rawURL(special), map[string][]byte{"k1": special}, ""},
		{"dated ids", "2025-01:" + std(k1) + ",2026-01:" + rawURL(k2), map[string][]byte{"2025-01": k1, "2026-01": k2}, ""},
		{"empty", "", nil, ""},
		{"only spaces", "   ", nil, ""},
		{"trailing comma", "k1:" + std(k1) + ",", nil, "2"},
		{"empty entry between", "k1:" + std(k1) + ",,k2:" + std(k2), nil, "2"},
		{"missing colon", std(k1), nil, "1"},
		{"missing colon second", "k1:" + std(k1) + ",k2" + std(k2), nil, "2"},
		{"empty key", "k1:", nil, `"k1"`},
		{"bad base64", "k1:" + std(k1)[:20] + "!!" + std(k1)[22:], nil, `"k1"`},
		{"mixed alphabets", "k1:" + strings.Replace(std(special), "+", "-", 1), nil, `"k1"`},
		{"wrong padding", "k1:" + std(k1) + "==", nil, `"k1"`},
		{"short key", "k1:" + std(k1[:16]), nil, `"k1"`},
		{"long key", "k1:" + std(append(bytes.Clone(k1), 0)), nil, `"k1"`},
		{"empty id", ":" + std(k1), nil, ""},
		{"upper-case id", "K1:" + std(k1), nil, `"K1"`},
		{"id too long", strings.Repeat("k", 17) + ":" + std(k1), nil, "17"},
		{"id and key swapped", std(k1) + ":k1", nil, "44"},
		{"id with dot", "k.1:" + std(k1), nil, `"k.1"`},
		{"duplicate id", "k1:" + std(k1) + ",k1:" + std(k2), nil, `"k1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKeys(tt.in)
			if tt.want == nil {
				if !errors.Is(err, ErrBadKey) {
					t.Fatalf("ParseKeys = %v, %v; want ErrBadKey", got, err)
				}
				if !strings.Contains(err.Error(), tt.inMsg) {
					t.Errorf("error %q does not name %s", err, tt.inMsg)
				}
				for _, k := range [][]byte{k1, k2, special} {
					if strings.Contains(err.Error(), std(k)[:8]) || strings.Contains(err.Error(), rawURL(k)[:8]) {
						t.Errorf("error %q repeats key material", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseKeys: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d keys, want %d", len(got), len(tt.want))
			}
			for id, k := range tt.want {
				if !bytes.Equal(got[id], k) {
					t.Errorf("key %q = %x, want %x", id, got[id], k)
				}
			}
			if _, err := NewKeyring(got, "k1"); err != nil && got["k1"] != nil {
				t.Errorf("NewKeyring on the parsed keys: %v", err)
			}
		})
	}
}

// TestConcurrentUse: one Keyring and one Indexer serve every request (run with -race).
func TestConcurrentUse(t *testing.T) {
	ring := mustRing(t, map[string][]byte{"k1": testKey(1), "k2": testKey(2)}, "k2")
	x := mustIndexer(t, testKey(7))
	want := x.Index(KindPhone, "13800138000")
	done := make(chan error)
	for g := 0; g < 8; g++ {
		go func() {
			var err error
			for i := 0; i < 200 && err == nil; i++ {
				aad := AAD("310107", string(rune('a'+g)), "phone")
				var ct []byte
				if ct, err = ring.Encrypt("13800138000", aad); err != nil {
					break
				}
				var got string
				if got, err = ring.Decrypt(ct, aad); err == nil && got != "13800138000" {
					err = errors.New("wrong plaintext " + got)
				}
				if !bytes.Equal(x.Index(KindPhone, "+86 138 0013 8000"), want) {
					err = errors.New("index differs")
				}
			}
			done <- err
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
