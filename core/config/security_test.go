package config

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"
)

// testKey is a random key and its encodings.
type testKey struct {
	raw []byte
	std string // standard base64, padded
	url string // URL base64, unpadded
}

func newTestKey(t *testing.T, n int) testKey {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return testKey{raw: b, std: base64.StdEncoding.EncodeToString(b), url: base64.RawURLEncoding.EncodeToString(b)}
}

// secretForms returns every string that would reveal k if it appeared in an
// error: each base64 form, and a prefix of each.
func (k testKey) secretForms() []string {
	var out []string
	for _, enc := range keyEncodings {
		s := enc.EncodeToString(k.raw)
		out = append(out, s, s[:12])
	}
	return out
}

func TestSecurityLoad(t *testing.T) {
	k1, k2, k3, idx := newTestKey(t, 32), newTestKey(t, 32), newTestKey(t, 32), newTestKey(t, 32)
	tests := []struct {
		name     string
		file     string
		env      map[string]string
		want     Security
		wantKeys map[string][]byte
		wantIdx  []byte
	}{
		{
			name: "defaults are empty",
			want: Security{},
		},
		{
			name: "env sets each key",
			env: map[string]string{
				"FENGQIAO_SECURITY_PII_KEYS":       "k1:" + k1.std + ",k2:" + k2.std,
				"FENGQIAO_SECURITY_PII_ACTIVE_KEY": "k2",
				"FENGQIAO_SECURITY_PII_INDEX_KEY":  idx.std,
			},
			want:     Security{PIIKeys: "k1:" + k1.std + ",k2:" + k2.std, PIIActiveKey: "k2", PIIIndexKey: idx.std},
			wantKeys: map[string][]byte{"k1": k1.raw, "k2": k2.raw},
			wantIdx:  idx.raw,
		},
		{
			name:     "valid single key, active implied",
			env:      map[string]string{"FENGQIAO_SECURITY_PII_KEYS": "k2026:" + k1.std},
			want:     Security{PIIKeys: "k2026:" + k1.std, PIIActiveKey: "k2026"},
			wantKeys: map[string][]byte{"k2026": k1.raw},
		},
		{
			name: "single key with explicit active",
			env: map[string]string{
				"FENGQIAO_SECURITY_PII_KEYS":       "k2026:" + k1.std,
				"FENGQIAO_SECURITY_PII_ACTIVE_KEY": " k2026 ",
			},
			want:     Security{PIIKeys: "k2026:" + k1.std, PIIActiveKey: "k2026"},
			wantKeys: map[string][]byte{"k2026": k1.raw},
		},
		{
			name: "two keys with active",
			env: map[string]string{
				"FENGQIAO_SECURITY_PII_KEYS":       "old-1:" + k1.std + ",new-2:" + k2.std,
				"FENGQIAO_SECURITY_PII_ACTIVE_KEY": "old-1",
			},
			want:     Security{PIIKeys: "old-1:" + k1.std + ",new-2:" + k2.std, PIIActiveKey: "old-1"},
			wantKeys: map[string][]byte{"old-1": k1.raw, "new-2": k2.raw},
		},
		{
			name: "URL base64 without padding, spaces around entries",
			env: map[string]string{
				"FENGQIAO_SECURITY_PII_KEYS":       " a:" + k1.url + " , b : " + k2.url + " ,c:" + strings.TrimRight(k3.std, "="),
				"FENGQIAO_SECURITY_PII_ACTIVE_KEY": "c",
				"FENGQIAO_SECURITY_PII_INDEX_KEY":  idx.url,
			},
			want: Security{
				PIIKeys:      " a:" + k1.url + " , b : " + k2.url + " ,c:" + strings.TrimRight(k3.std, "="),
				PIIActiveKey: "c",
				PIIIndexKey:  idx.url,
			},
			wantKeys: map[string][]byte{"a": k1.raw, "b": k2.raw, "c": k3.raw},
			wantIdx:  idx.raw,
		},
		{
			name:     "file sets each key",
			file:     "security:\n  pii_keys: \"k1:" + k1.std + ",k2:" + k2.std + "\"\n  pii_active_key: k1\n  pii_index_key: \"" + idx.std + "\"\n",
			want:     Security{PIIKeys: "k1:" + k1.std + ",k2:" + k2.std, PIIActiveKey: "k1", PIIIndexKey: idx.std},
			wantKeys: map[string][]byte{"k1": k1.raw, "k2": k2.raw},
			wantIdx:  idx.raw,
		},
		{
			name: "env overrides file",
			file: "security:\n  pii_keys: \"k1:" + k1.std + ",k2:" + k2.std + "\"\n  pii_active_key: k1\n",
			env: map[string]string{
				"FENGQIAO_SECURITY_PII_KEYS":       "k3:" + k3.std,
				"FENGQIAO_SECURITY_PII_ACTIVE_KEY": "k3",
			},
			want:     Security{PIIKeys: "k3:" + k3.std, PIIActiveKey: "k3"},
			wantKeys: map[string][]byte{"k3": k3.raw},
		},
		{
			name: "key file from the environment",
			env:  map[string]string{"FENGQIAO_SECURITY_KEY_FILE": "/etc/fengqiao/keys.json"},
			want: Security{KeyFile: "/etc/fengqiao/keys.json"},
		},
		{
			name: "key file from the file",
			file: "security:\n  key_file: .local/keys.json\n",
			want: Security{KeyFile: ".local/keys.json"},
		},
		{
			name:    "index key alone",
			env:     map[string]string{"FENGQIAO_SECURITY_PII_INDEX_KEY": idx.std},
			want:    Security{PIIIndexKey: idx.std},
			wantIdx: idx.raw,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			c, err := Load(path, nil)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if tt.want.KeyFile == "" {
				tt.want.KeyFile = Defaults().Security.KeyFile
			}
			if c.Security != tt.want {
				t.Errorf("Security = %+v, want %+v", c.Security, tt.want)
			}
			want := Defaults()
			want.Security = tt.want
			if !reflect.DeepEqual(c, want) {
				t.Errorf("Load changed other sections:\n got %+v\nwant %+v", c, want)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			keys, err := c.Security.Keys()
			if err != nil {
				t.Fatalf("Keys: %v", err)
			}
			if tt.wantKeys == nil && keys != nil {
				t.Errorf("Keys = %v, want nil map", keys)
			}
			if !maps.EqualFunc(keys, tt.wantKeys, bytes.Equal) {
				t.Errorf("Keys = %x, want %x", keys, tt.wantKeys)
			}
			if len(tt.wantKeys) > 0 {
				if _, ok := keys[c.Security.PIIActiveKey]; !ok {
					t.Errorf("active key %q not among Keys", c.Security.PIIActiveKey)
				}
			}
			idxKey, err := c.Security.IndexKey()
			if err != nil {
				t.Fatalf("IndexKey: %v", err)
			}
			if (tt.wantIdx == nil) != (idxKey == nil) || !bytes.Equal(idxKey, tt.wantIdx) {
				t.Errorf("IndexKey = %x, want %x", idxKey, tt.wantIdx)
			}
		})
	}
}

func TestSecurityInvalid(t *testing.T) {
	k1, k2 := newTestKey(t, 32), newTestKey(t, 32)
	short, long, half := newTestKey(t, 31), newTestKey(t, 33), newTestKey(t, 16)
	idx := newTestKey(t, 32)
	secrets := []testKey{k1, k2, short, long, half, idx}

	const (
		envKeys   = "FENGQIAO_SECURITY_PII_KEYS"
		envActive = "FENGQIAO_SECURITY_PII_ACTIVE_KEY"
		envIndex  = "FENGQIAO_SECURITY_PII_INDEX_KEY"
	)
	tests := []struct {
		name    string
		env     map[string]string
		file    string
		wantKey string
		// wantValue is the FieldError.Value expected; secrets are "(hidden)".
		wantValue string
		// wantEN must occur in Allowed, wantZH in the Chinese half of the message.
		wantEN, wantZH []string
	}{
		{
			name:      "missing active with two keys",
			env:       map[string]string{envKeys: "k1:" + k1.std + ",k2:" + k2.std},
			wantKey:   "security.pii_active_key",
			wantValue: "",
			wantEN:    []string{"k1, k2", "required"},
			wantZH:    []string{"k1、k2", "必填"},
		},
		{
			name:      "active not among ids",
			env:       map[string]string{envKeys: "k1:" + k1.std + ",k2:" + k2.std, envActive: "k3"},
			wantKey:   "security.pii_active_key",
			wantValue: "k3",
			wantEN:    []string{"one of the ids in security.pii_keys (k1, k2)"},
			wantZH:    []string{"k1、k2"},
		},
		{
			name:      "active not the single id",
			env:       map[string]string{envKeys: "k1:" + k1.std, envActive: "k2"},
			wantKey:   "security.pii_active_key",
			wantValue: "k2",
			wantEN:    []string{"(k1)"},
		},
		{
			name:      "active without keys",
			env:       map[string]string{envActive: "k1"},
			wantKey:   "security.pii_active_key",
			wantValue: "k1",
			wantEN:    []string{"security.pii_keys is empty"},
			wantZH:    []string{"security.pii_keys 为空"},
		},
		{
			name:      "bad base64",
			env:       map[string]string{envKeys: "k1:" + k1.std + ",k2:" + k2.std[:20] + "*" + k2.std[21:], envActive: "k1"},
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
			wantEN:    []string{`"k2"`, "not valid base64", "id:key"},
			wantZH:    []string{`"k2"`, "base64"},
		},
		{
			name:      "mixed base64 alphabets",
			env:       map[string]string{envKeys: "k1:" + "+_" + k1.std[2:]},
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
			wantEN:    []string{`"k1"`, "not valid base64"},
		},
		{
			name:      "31-byte key",
			env:       map[string]string{envKeys: "k1:" + short.std},
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
			wantEN:    []string{`"k1"`, "31 bytes", "exactly 32"},
			wantZH:    []string{`"k1"`, "31 字节"},
		},
		{
			name:      "33-byte key",
			env:       map[string]string{envKeys: "k1:" + k1.std + ",k2:" + long.url, envActive: "k2"},
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
			wantEN:    []string{`"k2"`, "33 bytes"},
		},
		{
			name:      "empty key",
			env:       map[string]string{envKeys: "k1: "},
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
			wantEN:    []string{`"k1"`, "is empty"},
		},
		{
			name:      "duplicate id",
			env:       map[string]string{envKeys: "k1:" + k1.std + ",k1:" + k2.std, envActive: "k1"},
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
			wantEN:    []string{`"k1" is listed more than once`},
			wantZH:    []string{`"k1" 重复出现`},
		},
		{
			name:      "bad id chars: upper case",
			env:       map[string]string{envKeys: "K1:" + k1.std},
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
			wantEN:    []string{`"K1"`, "a-z, 0-9 and -"},
			wantZH:    []string{`"K1"`},
		},
		{
			name:      "bad id chars: underscore",
			env:       map[string]string{envKeys: "k1:" + k1.std + ",k_2:" + k2.std, envActive: "k1"},
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
			wantEN:    []string{`"k_2" (entry 2)`},
		},
		{
			name:      "active names a malformed id",
			env:       map[string]string{envKeys: "k1:" + k1.std + ",k_2:" + k2.std, envActive: "k_2"},
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
			wantEN:    []string{`"k_2"`},
		},
		{
			name:      "id too long",
			env:       map[string]string{envKeys: strings.Repeat("a", 17) + ":" + k1.std},
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
			wantEN:    []string{"entry 1", "longer than 16"},
		},
		{
			name:      "key and id swapped",
			env:       map[string]string{envKeys: k1.std + ":k1"},
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
			wantEN:    []string{"entry 1", "longer than 16"},
		},
		{
			name:      "entry without id",
			env:       map[string]string{envKeys: k1.std},
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
			wantEN:    []string{"entry 1 is not of the form id:key"},
			wantZH:    []string{"第 1 项"},
		},
		{
			name:      "empty id",
			env:       map[string]string{envKeys: ":" + k1.std},
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
			wantEN:    []string{"entry 1 has an empty id"},
		},
		{
			name:      "empty entries",
			env:       map[string]string{envKeys: "k1:" + k1.std + ",,k2:" + k2.std, envActive: "k2"},
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
			wantEN:    []string{"entry 2 is empty"},
			wantZH:    []string{"第 2 项为空"},
		},
		{
			name:      "trailing comma",
			env:       map[string]string{envKeys: "k1:" + k1.std + ",", envActive: "k1"},
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
			wantEN:    []string{"entry 2 is empty"},
		},
		{
			name:      "pii_keys wrong type in file",
			file:      "security:\n  pii_keys: [\"k1:" + k1.std + "\"]\n",
			wantKey:   "security.pii_keys",
			wantValue: hiddenValue,
		},
		{
			name:      "index key bad length",
			env:       map[string]string{envIndex: half.std},
			wantKey:   "security.pii_index_key",
			wantValue: hiddenValue,
			wantEN:    []string{"16 bytes", "exactly 32", "head -c 32 /dev/urandom | base64"},
			wantZH:    []string{"16 字节"},
		},
		{
			name:      "index key bad base64",
			env:       map[string]string{envIndex: idx.std + "!"},
			wantKey:   "security.pii_index_key",
			wantValue: hiddenValue,
			wantEN:    []string{"not valid base64"},
		},
		{
			name:      "index key wrong type in file",
			file:      "security:\n  pii_index_key: {k: \"" + idx.std + "\"}\n",
			wantKey:   "security.pii_index_key",
			wantValue: hiddenValue,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			got, err := Load(path, nil)
			if err == nil {
				t.Fatalf("Load succeeded with %+v, want FieldError for %s", got.Security, tt.wantKey)
			}
			fes := fieldErrors(err)
			if len(fes) != 1 {
				t.Fatalf("got field errors for %v, want exactly one for %s; err: %v", keysOf(fes), tt.wantKey, err)
			}
			fe := fes[0]
			if fe.Key != tt.wantKey {
				t.Fatalf("Key = %q, want %q (err %v)", fe.Key, tt.wantKey, err)
			}
			if fe.Env != envName(tt.wantKey) {
				t.Errorf("Env = %q, want %q", fe.Env, envName(tt.wantKey))
			}
			if fe.Value != tt.wantValue {
				t.Errorf("Value = %q, want %q", fe.Value, tt.wantValue)
			}
			if fe.Allowed == "" {
				t.Error("Allowed is empty")
			}
			msg := err.Error()
			zh, en, ok := strings.Cut(msg, " / invalid value for ")
			if !ok {
				t.Fatalf("message %q lacks the English half", msg)
			}
			for _, s := range tt.wantEN {
				if !strings.Contains(fe.Allowed, s) || !strings.Contains(en, s) {
					t.Errorf("Allowed %q does not contain %q", fe.Allowed, s)
				}
			}
			for _, s := range tt.wantZH {
				if !strings.Contains(zh, s) {
					t.Errorf("Chinese message %q does not contain %q", zh, s)
				}
			}
			for _, k := range secrets {
				for _, s := range k.secretForms() {
					if strings.Contains(msg, s) || strings.Contains(fe.Value, s) || strings.Contains(fe.Allowed, s) {
						t.Fatalf("error echoes key material %q: %v", s, err)
					}
				}
			}
			if !reflect.DeepEqual(got, Config{}) {
				t.Errorf("Load returned non-zero Config with error: %+v", got)
			}

			// Validate and the helpers agree with Load, and do not echo
			// secrets either.
			if tt.file != "" {
				return
			}
			c := Defaults()
			c.Security = Security{PIIKeys: tt.env[envKeys], PIIActiveKey: strings.TrimSpace(tt.env[envActive]), PIIIndexKey: tt.env[envIndex]}
			vfes := fieldErrors(c.Validate())
			if len(vfes) != 1 || vfes[0].Key != tt.wantKey || vfes[0].Allowed != fe.Allowed {
				t.Errorf("Validate gave %v, want the same error as Load", c.Validate())
			}
			_, kerr := c.Security.Keys()
			_, ierr := c.Security.IndexKey()
			if (kerr != nil) != (tt.wantKey == "security.pii_keys") {
				t.Errorf("Keys error = %v", kerr)
			}
			if (ierr != nil) != (tt.wantKey == "security.pii_index_key") {
				t.Errorf("IndexKey error = %v", ierr)
			}
			for _, e := range []error{kerr, ierr} {
				if e == nil {
					continue
				}
				if hfes := fieldErrors(e); len(hfes) != 1 || hfes[0].Error() != fe.Error() {
					t.Errorf("helper error %v, want %v", e, fe)
				}
			}
		})
	}
}

// TestSecurityValidateByHand covers configs built without Load: a single key
// needs no active id, and the helpers return fresh, correct values.
func TestSecurityValidateByHand(t *testing.T) {
	k1, k2, idx := newTestKey(t, 32), newTestKey(t, 32), newTestKey(t, 32)

	c := Defaults()
	c.Security.PIIKeys = "k1:" + k1.std
	if err := c.Validate(); err != nil {
		t.Fatalf("single key without active: %v", err)
	}
	if got := c.Security.normalized().PIIActiveKey; got != "k1" {
		t.Errorf("normalized active = %q, want k1", got)
	}

	c.Security.PIIKeys = "k1:" + k1.std + ",k2:" + k2.url
	if keys := keysOf(fieldErrors(c.Validate())); !reflect.DeepEqual(keys, []string{"security.pii_active_key"}) {
		t.Errorf("two keys without active: errors for %v", keys)
	}
	if got := c.Security.normalized().PIIActiveKey; got != "" {
		t.Errorf("normalized active with two keys = %q, want empty", got)
	}
	c.Security.PIIActiveKey = "k2"
	c.Security.PIIIndexKey = idx.std
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}

	keys, err := c.Security.Keys()
	if err != nil {
		t.Fatal(err)
	}
	if !maps.EqualFunc(keys, map[string][]byte{"k1": k1.raw, "k2": k2.raw}, bytes.Equal) {
		t.Errorf("Keys = %x", keys)
	}
	keys["k1"][0] ^= 0xff
	delete(keys, "k2")
	again, _ := c.Security.Keys()
	if len(again) != 2 || !bytes.Equal(again["k1"], k1.raw) {
		t.Error("Keys shares state between calls")
	}
	got, err := c.Security.IndexKey()
	if err != nil || !bytes.Equal(got, idx.raw) {
		t.Errorf("IndexKey = %x, %v; want %x", got, err, idx.raw)
	}

	var empty Security
	if k, err := empty.Keys(); k != nil || err != nil {
		t.Errorf("empty Keys() = %v, %v; want nil, nil", k, err)
	}
	if k, err := (Security{PIIKeys: "  "}).Keys(); k != nil || err != nil {
		t.Errorf("blank Keys() = %v, %v; want nil, nil", k, err)
	}
	if k, err := empty.IndexKey(); k != nil || err != nil {
		t.Errorf("empty IndexKey() = %v, %v; want nil, nil", k, err)
	}
}

// TestSecurityReportsEveryEntry checks that each faulty entry is reported
// on its own, in order, with Validate listing errors in documentation order.
func TestSecurityReportsEveryEntry(t *testing.T) {
	k1, short := newTestKey(t, 32), newTestKey(t, 31)
	c := Defaults()
	c.Log.Level = "loud"
	c.Security = Security{
		PIIKeys:      "k1:" + k1.std + ",,Bad:" + k1.std + ",k2:" + short.std,
		PIIActiveKey: "k1",
		PIIIndexKey:  short.std,
	}
	fes := fieldErrors(c.Validate())
	want := []string{"log.level", "security.pii_keys", "security.pii_keys", "security.pii_keys", "security.pii_index_key"}
	if got := keysOf(fes); !reflect.DeepEqual(got, want) {
		t.Fatalf("keys = %v, want %v", got, want)
	}
	for i, s := range []string{"entry 2 is empty", `"Bad" (entry 3)`, `"k2" decodes to 31 bytes`} {
		if !strings.Contains(fes[i+1].Allowed, s) {
			t.Errorf("error %d: Allowed %q lacks %q", i+1, fes[i+1].Allowed, s)
		}
	}
}

func TestServerEnvironment(t *testing.T) {
	tests := []struct {
		name, value    string
		want           string
		wantProduction bool
		wantErr        bool
	}{
		{name: "default", want: EnvDevelopment},
		{name: "production", value: "production", want: EnvProduction, wantProduction: true},
		{name: "any case", value: "Production", want: EnvProduction, wantProduction: true},
		{name: "development", value: "development", want: EnvDevelopment},
		{name: "unknown", value: "prod", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			if tt.value != "" {
				t.Setenv("FENGQIAO_SERVER_ENVIRONMENT", tt.value)
			}
			c, err := Load("", nil)
			if tt.wantErr {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Key != "server.environment" || !strings.Contains(err.Error(), `"development"（开发）、"production"（生产）`) {
					t.Fatalf("error %v, want a FieldError for server.environment", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Server.Environment != tt.want || c.Production() != tt.wantProduction {
				t.Errorf("environment %q production %v, want %q %v", c.Server.Environment, c.Production(), tt.want, tt.wantProduction)
			}
		})
	}
}
