package keyfile_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/fengqiao/fengqiao/core/keyfile"
)

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestCreateMakesAPrivateFileOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "keys.json")
	k, created, err := keyfile.Create(path)
	if err != nil || !created {
		t.Fatalf("create: created %v, %v", created, err)
	}
	if got := mode(t, path); got != 0o600 {
		t.Errorf("file mode %04o, want 0600", got)
	}
	if got := mode(t, filepath.Dir(path)); got != 0o700 {
		t.Errorf("folder mode %04o, want 0700", got)
	}
	if len(k.TokenKey) != 32 || len(k.PIIIndexKey) != 32 || len(k.PIIKeys[k.PIIActiveKey]) != 32 {
		t.Errorf("keys of the wrong size: %d %d %d", len(k.TokenKey), len(k.PIIIndexKey), len(k.PIIKeys[k.PIIActiveKey]))
	}
	again, created, err := keyfile.Create(path)
	if err != nil || created {
		t.Fatalf("second create: created %v, %v", created, err)
	}
	if !bytes.Equal(again.TokenKey, k.TokenKey) || !bytes.Equal(again.PIIIndexKey, k.PIIIndexKey) {
		t.Error("the second start has other keys")
	}
}

// Several processes starting together agree on one file.
func TestConcurrentCreatesAgree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	const n = 8
	keys := make([]keyfile.Keys, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], _, errs[i] = keyfile.Create(path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("create %d: %v", i, errs[i])
		}
		if !bytes.Equal(keys[i].TokenKey, keys[0].TokenKey) {
			t.Errorf("create %d has another token key", i)
		}
	}
}

func TestReadRefuses(t *testing.T) {
	valid := func(t *testing.T, path string) {
		if _, _, err := keyfile.Create(path); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  error
	}{
		{"missing", func(*testing.T, string) {}, fs.ErrNotExist},
		{"readable by the group", func(t *testing.T, path string) { valid(t, path); must(t, os.Chmod(path, 0o640)) }, keyfile.ErrTooOpen},
		{"readable by everyone", func(t *testing.T, path string) { valid(t, path); must(t, os.Chmod(path, 0o644)) }, keyfile.ErrTooOpen},
		{"executable", func(t *testing.T, path string) { valid(t, path); must(t, os.Chmod(path, 0o700)) }, keyfile.ErrTooOpen},
		{"not JSON", func(t *testing.T, path string) { must(t, os.WriteFile(path, []byte("token_key=abc"), 0o600)) }, keyfile.ErrInvalid},
		{"short token key", func(t *testing.T, path string) {
			must(t, os.WriteFile(path, []byte(`{"token_key":"c2hvcnQ="}`), 0o600))
		}, keyfile.ErrInvalid},
		{"active key missing", func(t *testing.T, path string) {
			must(t, os.WriteFile(path, []byte(`{"pii_keys":{"a":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},"pii_active_key":"b"}`), 0o600))
		}, keyfile.ErrInvalid},
		{"a folder", func(t *testing.T, path string) { must(t, os.Mkdir(path, 0o700)) }, keyfile.ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys.json")
			c.setup(t, path)
			if _, err := keyfile.Read(path); !errors.Is(err, c.want) {
				t.Errorf("read: %v, want %v", err, c.want)
			}
			if c.want == keyfile.ErrTooOpen {
				if _, _, err := keyfile.Create(path); !errors.Is(err, c.want) {
					t.Errorf("create over it: %v, want %v", err, c.want)
				}
			}
		})
	}
	if os.Geteuid() != 0 { // root reads whatever the mode
		t.Run("unreadable", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys.json")
			valid(t, path)
			must(t, os.Chmod(path, 0o200))
			if _, err := keyfile.Read(path); !errors.Is(err, fs.ErrPermission) {
				t.Errorf("read: %v, want permission denied", err)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	key := func(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }
	cases := []struct {
		name     string
		existing *keyfile.Keys
		add      keyfile.Keys
		want     error
	}{
		{"into no file", nil, keyfile.Keys{TokenKey: key(1), PIIKeys: map[string][]byte{"db1": key(2)}, PIIActiveKey: "db1"}, nil},
		{"the same again", &keyfile.Keys{TokenKey: key(1)}, keyfile.Keys{TokenKey: key(1), PIIIndexKey: key(3)}, nil},
		{"a different token key", &keyfile.Keys{TokenKey: key(1)}, keyfile.Keys{TokenKey: key(9)}, keyfile.ErrConflict},
		{"a different index key", &keyfile.Keys{PIIIndexKey: key(3)}, keyfile.Keys{PIIIndexKey: key(9)}, keyfile.ErrConflict},
		{"a different key of the same id", &keyfile.Keys{PIIKeys: map[string][]byte{"db1": key(2)}, PIIActiveKey: "db1"},
			keyfile.Keys{PIIKeys: map[string][]byte{"db1": key(9)}, PIIActiveKey: "db1"}, keyfile.ErrConflict},
		{"another id", &keyfile.Keys{PIIKeys: map[string][]byte{"file1": key(2)}, PIIActiveKey: "file1"},
			keyfile.Keys{PIIKeys: map[string][]byte{"db1": key(4)}, PIIActiveKey: "db1"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys.json")
			var before []byte
			if c.existing != nil {
				if _, err := keyfile.Merge(path, *c.existing); err != nil {
					t.Fatal(err)
				}
				before, _ = os.ReadFile(path)
			}
			got, err := keyfile.Merge(path, c.add)
			if !errors.Is(err, c.want) {
				t.Fatalf("merge: %v, want %v", err, c.want)
			}
			if c.want != nil {
				if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
					t.Error("a refused merge changed the file")
				}
				return
			}
			if m := mode(t, path); m != 0o600 {
				t.Errorf("mode %04o", m)
			}
			read, err := keyfile.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			for id, k := range c.add.PIIKeys {
				if !bytes.Equal(read.PIIKeys[id], k) || !bytes.Equal(got.PIIKeys[id], k) {
					t.Errorf("pii key %s not kept", id)
				}
			}
			if c.existing != nil {
				for id, k := range c.existing.PIIKeys {
					if !bytes.Equal(read.PIIKeys[id], k) {
						t.Errorf("existing pii key %s lost", id)
					}
				}
				if c.existing.PIIActiveKey != "" && read.PIIActiveKey != c.existing.PIIActiveKey {
					t.Errorf("active key %q, want the file's %q", read.PIIActiveKey, c.existing.PIIActiveKey)
				}
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
