package cli_test

// Where the platform's keys live: never in the database (issue 12, defect 2).

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fengqiao/fengqiao/cmd/fengqiao/cli"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// startServe runs `serve` until the test ends and returns its base URL.
func startServe(t *testing.T) string {
	t.Helper()
	addr := freeAddr(t)
	t.Setenv("FENGQIAO_HTTP_ADDR", addr)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		root := cli.NewRoot()
		root.SetArgs([]string{"serve"})
		done <- root.ExecuteContext(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); ; {
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v", err)
		default:
		}
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("server not ready")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func getStatus(t *testing.T, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func ownerQuery(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// dumpCandidates is what an attacker holding a dump of the database can try as a key: every
// value of every row of every table (what pg_dump as the owner writes), as stored (bytea
// decoded from hex) and base64-decoded, when at least 32 bytes long.
func dumpCandidates(t *testing.T, conn *pgx.Conn) [][]byte {
	t.Helper()
	ctx := context.Background()
	rows, err := conn.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out [][]byte
	add := func(b []byte) {
		if len(b) >= 32 && !seen[string(b)] {
			seen[string(b)] = true
			out = append(out, b)
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		case string:
			if h, ok := strings.CutPrefix(x, `\x`); ok {
				if b, err := hex.DecodeString(h); err == nil {
					add(b)
				}
			}
			add([]byte(x))
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
				if b, err := enc.DecodeString(x); err == nil {
					add(b)
				}
			}
		}
	}
	for _, tbl := range tables {
		rows, err := conn.Query(ctx, "SELECT to_jsonb(t)::text FROM "+pgx.Identifier{tbl}.Sanitize()+" t")
		if err != nil {
			t.Fatal(err)
		}
		docs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			var v any
			if err := json.Unmarshal([]byte(d), &v); err != nil {
				t.Fatal(err)
			}
			walk(v)
		}
	}
	return out
}

// TestDemoLeavesNoKeyInTheDatabase runs the demo path of `make run` (demo seed, serve) with no
// key configured, then plays an attacker holding a dump of the database: no value in it opens a
// sealed field of a party or signs a token the server accepts as the national administrator,
// platform_secrets is empty, and the keys are in the key file (mode 0600), which the dump does
// not contain in any encoding.
func TestDemoLeavesNoKeyInTheDatabase(t *testing.T) {
	db := storetest.NewDatabase(t)
	useDatabase(t, db)
	keyFile := os.Getenv("FENGQIAO_SECURITY_KEY_FILE")
	runSteps(t, []step{{name: "demo seed", args: []string{"demo", "seed"}, wantOut: []string{demoCasesCreated(t)}}})
	base := startServe(t)

	res, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"national-admin","password":"demo-national-2026"}`))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	_ = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if got := getStatus(t, base+"/api/v1/tenants/000000", tok.Token); got != 200 {
		t.Fatalf("the national administrator's own token: %d", got)
	}

	conn := ownerQuery(t, db)
	ctx := context.Background()
	var secrets int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM platform_secrets`).Scan(&secrets); err != nil {
		t.Fatal(err)
	}
	if secrets != 0 {
		t.Errorf("platform_secrets holds %d keys after the demo", secrets)
	}
	var adminID string
	if err := conn.QueryRow(ctx, `SELECT id::text FROM users WHERE username = 'national-admin'`).Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	type sealed struct {
		aad    []byte
		cipher []byte
	}
	rows, err := conn.Query(ctx, `SELECT tenant_id || '/' || case_id || '/' || id || '/id_number', id_number_enc
		FROM case_parties WHERE id_number_enc IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	fields, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sealed, error) {
		var s sealed
		var aad string
		err := r.Scan(&aad, &s.cipher)
		s.aad = []byte(aad)
		return s, err
	})
	if err != nil || len(fields) == 0 {
		t.Fatalf("no sealed field to attack (%v)", err)
	}
	candidates := dumpCandidates(t, conn)
	t.Logf("%d candidate keys from the dump, %d sealed fields", len(candidates), len(fields))

	opened, forged := 0, 0
	for _, c := range candidates {
		for _, f := range fields {
			id, err := pii.KeyID(f.cipher)
			if err != nil {
				t.Fatal(err)
			}
			ring, err := pii.NewKeyring(map[string][]byte{id: c[:32]}, id)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ring.Decrypt(f.cipher, f.aad); err == nil {
				opened++
			}
		}
		for _, key := range [][]byte{c, c[:32]} {
			signer, err := identity.NewSigner(key, time.Hour, "fengqiao")
			if err != nil {
				t.Fatal(err)
			}
			forgedToken, _, err := signer.Issue(identity.User{ID: adminID, TenantCode: "000000", Username: "national-admin", SessionGeneration: 1})
			if err != nil {
				t.Fatal(err)
			}
			if getStatus(t, base+"/api/v1/tenants/000000", forgedToken) != http.StatusUnauthorized {
				forged++
			}
		}
	}
	if opened > 0 {
		t.Errorf("values of the dump opened %d sealed fields", opened)
	}
	if forged > 0 {
		t.Errorf("values of the dump signed %d tokens the server accepted as the national administrator", forged)
	}

	fi, err := os.Stat(keyFile)
	if err != nil {
		t.Fatalf("the key file: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	raw, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		TokenKey    []byte            `json:"token_key"`
		PIIKeys     map[string][]byte `json:"pii_keys"`
		PIIIndexKey []byte            `json:"pii_index_key"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	keys := [][]byte{file.TokenKey, file.PIIIndexKey}
	for _, k := range file.PIIKeys {
		keys = append(keys, k)
	}
	for _, k := range keys {
		if len(k) < 32 {
			t.Fatalf("key file lacks a key: %s", raw)
		}
		for _, c := range candidates {
			if bytes.Contains(c, k) || bytes.Contains(c, []byte(hex.EncodeToString(k))) || bytes.Contains(c, []byte(base64.StdEncoding.EncodeToString(k))) {
				t.Errorf("the dump holds a key of the key file")
			}
		}
	}
}

// TestKeySources: where a command takes its keys from, and when it refuses to start.
func TestKeySources(t *testing.T) {
	b64 := func(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }
	type setup struct {
		env         map[string]string
		keyFile     string // "" missing; else the file's content
		keyFileMode os.FileMode
		legacyRows  bool
	}
	validFile := `{"token_key":"` + b64(7) + `","pii_keys":{"file1":"` + b64(8) + `"},"pii_active_key":"file1","pii_index_key":"` + b64(9) + `"}`
	cases := []struct {
		name        string
		setup       setup
		args        []string
		wantErr     []string
		wantCreated bool // the key file exists afterwards though it did not before
	}{
		{name: "development: the key file is created", args: []string{"tenant", "list"}, wantCreated: true},
		{name: "production without a key source", args: []string{"tenant", "list"},
			setup:   setup{env: map[string]string{"FENGQIAO_SERVER_ENVIRONMENT": "production"}},
			wantErr: []string{"production", "security.key_file", "FENGQIAO_SECURITY_KEY_FILE"}},
		{name: "production with a key file", args: []string{"tenant", "list"},
			setup: setup{env: map[string]string{"FENGQIAO_SERVER_ENVIRONMENT": "production"}, keyFile: validFile}},
		{name: "production with every key configured", args: []string{"tenant", "list"},
			setup: setup{env: map[string]string{"FENGQIAO_SERVER_ENVIRONMENT": "production",
				"FENGQIAO_SECURITY_PII_KEYS": "k1:" + b64(1), "FENGQIAO_SECURITY_PII_INDEX_KEY": b64(2)}}},
		{name: "production serve without the token key", args: []string{"serve"},
			setup: setup{env: map[string]string{"FENGQIAO_SERVER_ENVIRONMENT": "production", "FENGQIAO_HTTP_ADDR": "127.0.0.1:0",
				"FENGQIAO_SECURITY_PII_KEYS": "k1:" + b64(1), "FENGQIAO_SECURITY_PII_INDEX_KEY": b64(2)}},
			wantErr: []string{"auth.token_key", "security.key_file"}},
		{name: "a key file readable by others", args: []string{"tenant", "list"},
			setup: setup{keyFile: validFile, keyFileMode: 0o644}, wantErr: []string{"0600", "chmod 600"}},
		{name: "a malformed key file", args: []string{"tenant", "list"},
			setup: setup{keyFile: `{"token_key":"short"}`}, wantErr: []string{"key file"}},
		{name: "keys still in the database", args: []string{"tenant", "list"},
			setup: setup{legacyRows: true}, wantErr: []string{"platform_secrets", "fengqiao keys migrate"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := storetest.NewDatabase(t)
			useDatabase(t, db)
			path := filepath.Join(t.TempDir(), "keys", "keys.json")
			t.Setenv("FENGQIAO_SECURITY_KEY_FILE", path)
			for k, v := range c.setup.env {
				t.Setenv(k, v)
			}
			if c.setup.keyFile != "" {
				mode := c.setup.keyFileMode
				if mode == 0 {
					mode = 0o600
				}
				if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(c.setup.keyFile), mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, mode); err != nil {
					t.Fatal(err)
				}
			}
			if c.setup.legacyRows {
				insertLegacySecrets(t, db)
			}
			runSteps(t, []step{{name: strings.Join(c.args, " "), args: c.args, wantErr: c.wantErr}})
			_, statErr := os.Stat(path)
			exists := statErr == nil
			switch {
			case c.wantCreated && !exists:
				t.Errorf("no key file created: %v", statErr)
			case !c.wantCreated && c.setup.keyFile == "" && exists:
				t.Errorf("a key file was created")
			}
			if c.wantCreated && exists {
				for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
					if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
						t.Errorf("%s: mode %v (%v), want %04o", p, fi.Mode().Perm(), err, want)
					}
				}
			}
			var n int
			if err := ownerQuery(t, db).QueryRow(context.Background(), `SELECT count(*) FROM platform_secrets`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if !c.setup.legacyRows && n != 0 {
				t.Errorf("platform_secrets holds %d keys", n)
			}
		})
	}
}

// legacy is what an installation of before keeps in platform_secrets.
type legacy struct{ token, pii, index []byte }

func insertLegacySecrets(t *testing.T, db string) legacy {
	t.Helper()
	l := legacy{make([]byte, 48), make([]byte, 48), make([]byte, 48)}
	for _, b := range [][]byte{l.token, l.pii, l.index} {
		_, _ = rand.Read(b)
	}
	if _, err := ownerQuery(t, db).Exec(context.Background(), `INSERT INTO platform_secrets (name, value)
		VALUES ('token_key', $1), ('pii_key_db1', $2), ('pii_index_key', $3)`, l.token, l.pii, l.index); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestKeysMigrate moves the keys of an older installation out of the database: the data sealed
// and the tokens signed with them before still open and verify afterwards, from the key file.
func TestKeysMigrate(t *testing.T) {
	db := storetest.NewDatabase(t)
	useDatabase(t, db)
	path := filepath.Join(t.TempDir(), "moved", "keys.json")
	l := insertLegacySecrets(t, db)

	// The installation of before: its server used the keys of platform_secrets (here given as
	// configuration, which is what it amounted to) for the data and the tokens.
	t.Setenv("FENGQIAO_SECURITY_PII_KEYS", "db1:"+base64.StdEncoding.EncodeToString(l.pii[:32]))
	t.Setenv("FENGQIAO_SECURITY_PII_INDEX_KEY", base64.StdEncoding.EncodeToString(l.index[:32]))
	conn := ownerQuery(t, db)
	ctx := context.Background()
	if _, err := conn.Exec(ctx, `DELETE FROM platform_secrets`); err != nil { // seeding would refuse otherwise
		t.Fatal(err)
	}
	runSteps(t, []step{{name: "seed as before", args: []string{"demo", "seed"}, wantOut: []string{demoCasesCreated(t)}}})
	if _, err := conn.Exec(ctx, `INSERT INTO platform_secrets (name, value) VALUES ('token_key', $1), ('pii_key_db1', $2), ('pii_index_key', $3)`,
		l.token, l.pii, l.index); err != nil {
		t.Fatal(err)
	}
	var adminID string
	if err := conn.QueryRow(ctx, `SELECT id::text FROM users WHERE username = 'national-admin'`).Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	signer, err := identity.NewSigner(l.token, time.Hour, "fengqiao")
	if err != nil {
		t.Fatal(err)
	}
	oldToken, _, err := signer.Issue(identity.User{ID: adminID, TenantCode: "000000", Username: "national-admin", SessionGeneration: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("FENGQIAO_SECURITY_PII_KEYS", "")
	t.Setenv("FENGQIAO_SECURITY_PII_INDEX_KEY", "")
	t.Setenv("FENGQIAO_SECURITY_KEY_FILE", "")

	other := filepath.Join(t.TempDir(), "other.json")
	if err := os.WriteFile(other, []byte(`{"token_key":"`+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	runSteps(t, []step{
		{name: "refuses a file holding another key", args: []string{"keys", "migrate", "--key-file", other}, wantErr: []string{"token_key", "不同"}},
		{name: "migrate", args: []string{"keys", "migrate", "--key-file", path},
			wantOut: []string{"moved 3 keys", "token_key", "pii_key_db1", "pii_index_key", path}},
		{name: "again: nothing left", args: []string{"keys", "migrate", "--key-file", path}, wantOut: []string{"no key"}},
	})
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM platform_secrets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("platform_secrets holds %d keys after the move", n)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v", err)
	}
	if kept, err := os.ReadFile(other); err != nil || !bytes.Contains(kept, []byte(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)))) {
		t.Errorf("the refused file was changed (%v)", err)
	}

	// Afterwards, from the key file alone: seeding again opens every sealed party (it replays
	// the cases), and the token signed before still verifies.
	t.Setenv("FENGQIAO_SECURITY_KEY_FILE", path)
	runSteps(t, []step{{name: "data opens from the key file", args: []string{"demo", "seed"}, wantOut: []string{"demo cases: 0 created"}}})
	var parties int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM case_parties WHERE id_number_enc IS NOT NULL`).Scan(&parties); err != nil || parties == 0 {
		t.Fatalf("no sealed party (%v)", err)
	}
	base := startServe(t)
	if got := getStatus(t, base+"/api/v1/tenants/000000", oldToken); got != 200 {
		t.Errorf("a token signed before the move: %d, want 200", got)
	}
	if got := getStatus(t, base+"/api/v1/tenants/000000/cases?limit=1", oldToken); got >= 500 {
		t.Errorf("reading cases after the move: %d", got)
	}
}
