package cli_test

// The real cobra commands against a fresh database, in the order an operator would run them.

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/cmd/fengqiao/cli"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/tenants"
)

// useDatabase points the commands at url, and at nothing else from the environment.
func useDatabase(t *testing.T, url string) {
	t.Helper()
	t.Setenv("FENGQIAO_DATABASE_URL", url)
	t.Setenv("FENGQIAO_DATABASE_APP_URL", "")
	t.Setenv("FENGQIAO_LOG_LEVEL", "error")
	t.Setenv("FENGQIAO_SERVER_ENVIRONMENT", "")
	t.Setenv("FENGQIAO_SECURITY_KEY_FILE", filepath.Join(t.TempDir(), "keys.json"))
}

// runWithInput executes one command line with a fresh command tree and returns its standard output.
func runWithInput(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	root := cli.NewRoot()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if errOut.Len() > 0 {
		t.Logf("%v: stderr: %s", args, errOut.String())
	}
	return out.String(), err
}

// step is one command line and what it must print or fail with.
type step struct {
	name    string
	args    []string
	wantOut []string // substrings of the output
	notOut  []string // substrings the output must not contain
	wantErr []string // substrings of the error; empty means success
	stdin   string
	check   func(t *testing.T, out string)
}

func runSteps(t *testing.T, steps []step) {
	t.Helper()
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			out, err := runWithInput(t, s.stdin, s.args...)
			if len(s.wantErr) == 0 && err != nil {
				t.Fatalf("fengqiao %s: %v\noutput:\n%s", strings.Join(s.args, " "), err, out)
			}
			if len(s.wantErr) > 0 {
				if err == nil {
					t.Fatalf("fengqiao %s succeeded, want an error containing %q\noutput:\n%s", strings.Join(s.args, " "), s.wantErr, out)
				}
				for _, w := range s.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("fengqiao %s: error %q, want it to contain %q", strings.Join(s.args, " "), err, w)
					}
				}
			}
			for _, w := range s.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("fengqiao %s: output lacks %q:\n%s", strings.Join(s.args, " "), w, out)
				}
			}
			for _, w := range s.notOut {
				if strings.Contains(out, w) {
					t.Errorf("fengqiao %s: output contains %q:\n%s", strings.Join(s.args, " "), w, out)
				}
			}
			if s.check != nil {
				s.check(t, out)
			}
		})
	}
}

func districtsOf(t *testing.T, code string) []division.Division {
	t.Helper()
	ds, err := division.Districts(code)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func childrenOf(t *testing.T, code string) []division.Division {
	t.Helper()
	ds, err := division.Children(code)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func streetsOf(t *testing.T, code string) int {
	t.Helper()
	ss, err := division.Streets(code)
	if err != nil {
		t.Fatal(err)
	}
	return len(ss)
}

// tenantLines returns the tenant codes of a `tenant list` output.
func tenantLines(out string) []string {
	var codes []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if f := strings.Fields(l); len(f) > 0 {
			codes = append(codes, f[0])
		}
	}
	return codes
}

func TestCommandsAgainstAFreshDatabase(t *testing.T) {
	useDatabase(t, storetest.NewDatabase(t))
	shandong := districtsOf(t, "370000")
	jinan := districtsOf(t, "370100")
	shandongCities := childrenOf(t, "370000")
	steps := []step{
		{name: "version", args: []string{"version"}, wantOut: []string{"fengqiao " + cli.Version}},
		{name: "migrate", args: []string{"migrate"}, wantOut: []string{"applied 0 migration(s); schema version " + latestVersion}},
		{name: "migrate status", args: []string{"migrate", "--status"}, wantOut: []string{"schema version " + latestVersion + ", latest " + latestVersion}},

		{name: "national admin", args: []string{"admin", "create", "--username", "root1", "--password", "secret-pass-1", "--role", "national-admin"},
			wantOut: []string{"created root1 (national-admin) in tenant 000000, id "}},
		{name: "national admin again", args: []string{"admin", "create", "--username", "root1", "--password", "secret-pass-1", "--role", "national-admin"},
			wantErr: []string{"username already taken"}},
		{name: "username in other case", args: []string{"admin", "create", "--username", "ROOT1", "--password", "secret-pass-1"},
			wantErr: []string{"username already taken"}},
		{name: "short password", args: []string{"admin", "create", "--username", "root2", "--password", "short"},
			wantErr: []string{"password"}},
		{name: "bad username", args: []string{"admin", "create", "--username", "x", "--password", "secret-pass-1"},
			wantErr: []string{"username"}},
		{name: "district admin before onboarding", args: []string{"admin", "create", "--username", "huaiyin1", "--password", "secret-pass-1", "--role", "district-admin", "--tenant", "370104"},
			wantErr: []string{"370104 is not onboarded", "fengqiao tenant onboard 370104"}},
		{name: "district admin without tenant", args: []string{"admin", "create", "--username", "huaiyin1", "--password", "secret-pass-1", "--role", "district-admin"},
			wantErr: []string{"--tenant is required"}},
		{name: "missing username", args: []string{"admin", "create", "--password", "secret-pass-1"},
			wantErr: []string{"username"}},

		{name: "onboard huaiyin", args: []string{"tenant", "onboard", "370104", "--with-offices"},
			wantOut: []string{fmt.Sprintf("created 1, existing 0, ancestors created 2, offices created %d in ", streetsOf(t, "370104")), "created: 370104"}},
		{name: "onboard huaiyin again", args: []string{"tenant", "onboard", "370104", "--with-offices"},
			wantOut: []string{"created 0, existing 1, ancestors created 0, offices created 0 in "}, notOut: []string{"created: "}},
		{name: "district admin", args: []string{"admin", "create", "--username", "huaiyin1", "--password", "secret-pass-1", "--role", "district-admin", "--tenant", "370104", "--display-name", "槐荫管理员"},
			wantOut: []string{"created huaiyin1 (district-admin) in tenant 370104"}},
		{name: "national role in a district", args: []string{"admin", "create", "--username", "huaiyin2", "--password", "secret-pass-1", "--role", "national-admin", "--tenant", "370104"},
			wantErr: []string{"national-admin"}},
		{name: "unknown role", args: []string{"admin", "create", "--username", "huaiyin2", "--password", "secret-pass-1", "--role", "emperor", "--tenant", "370104"},
			wantErr: []string{"emperor"}},

		{name: "onboard shandong", args: []string{"tenant", "onboard", "--within", "370000"},
			wantOut: []string{fmt.Sprintf("created %d, existing 1, ancestors created %d, offices created 0 in ", len(shandong)-1, len(shandongCities)-1)}},
		{name: "onboard shandong again", args: []string{"tenant", "onboard", "--within", "370000"},
			wantOut: []string{fmt.Sprintf("created 0, existing %d, ancestors created 0, offices created 0 in ", len(shandong))}},
		{name: "codes and within", args: []string{"tenant", "onboard", "370104", "--within", "370000"},
			wantErr: []string{"not both"}},
		{name: "onboard a street", args: []string{"tenant", "onboard", "310107001"}, wantErr: []string{"310107001"}},
		{name: "onboard an unknown code", args: []string{"tenant", "onboard", "999999"}, wantErr: []string{"999999"}},
		{name: "onboard the country", args: []string{"tenant", "onboard", "000000"}, wantErr: []string{"000000"}},
		{name: "onboard a good and a bad code", args: []string{"tenant", "onboard", "310107", "abc"}, wantErr: []string{"abc"}},
		{name: "onboard nothing", args: []string{"tenant", "onboard"}, wantErr: []string{"nothing to onboard"}},
		{name: "within a street", args: []string{"tenant", "onboard", "--within", "370104001"}, wantErr: []string{"370104001"}},

		{name: "list within jinan", args: []string{"tenant", "list", "--within", "370100"},
			wantOut: []string{"CODE", "370104", "山东省济南市槐荫区"},
			check: func(t *testing.T, out string) {
				codes := tenantLines(out)
				if len(codes) != len(jinan)+1 || codes[0] != "370100" {
					t.Errorf("list within 370100 = %v, want 370100 and its %d districts", codes, len(jinan))
				}
				for _, c := range codes {
					if !strings.HasPrefix(c, "3701") {
						t.Errorf("list within 370100 shows %s", c)
					}
				}
			}},
		{name: "list provinces", args: []string{"tenant", "list", "--level", "province"},
			check: func(t *testing.T, out string) {
				if codes := tenantLines(out); strings.Join(codes, " ") != "370000" {
					t.Errorf("provinces = %v, want [370000]", codes)
				}
			}},
		{name: "list everything", args: []string{"tenant", "list"},
			check: func(t *testing.T, out string) {
				if codes := tenantLines(out); len(codes) != 1+1+len(shandongCities)+len(shandong) {
					t.Errorf("list shows %d tenants, want %d", len(codes), 2+len(shandongCities)+len(shandong))
				}
			}},
		{name: "show huaiyin", args: []string{"tenant", "show", "370104"},
			wantOut: []string{"code:            370104", "name:            槐荫区", "full name:       山东省济南市槐荫区", "level:           district", "parent:          370100", "status:          active", "placement:       default"}},
		{name: "show unknown", args: []string{"tenant", "show", "310107"}, wantErr: []string{"310107", "tenant not found"}},

		{name: "suspend", args: []string{"tenant", "suspend", "370104", "--reason", "test"}, wantOut: []string{"370104 山东省济南市槐荫区 is now suspended"}},
		{name: "show suspended", args: []string{"tenant", "show", "370104"}, wantOut: []string{"status:          suspended test"}},
		{name: "admin in a suspended tenant", args: []string{"admin", "create", "--username", "huaiyin3", "--password", "secret-pass-1", "--role", "district-admin", "--tenant", "370104"},
			wantErr: []string{"tenant suspended"}},
		{name: "suspend again", args: []string{"tenant", "suspend", "370104"}, wantErr: []string{"370104", "cannot suspend a tenant that is suspended"}},
		{name: "resume", args: []string{"tenant", "resume", "370104"}, wantOut: []string{"370104 山东省济南市槐荫区 is now active"}},
		{name: "resume again", args: []string{"tenant", "resume", "370104"}, wantErr: []string{"370104", "cannot resume a tenant that is active"}},
		{name: "show resumed", args: []string{"tenant", "show", "370104"}, wantOut: []string{"status:          active \n"}},
		{name: "admin after resuming", args: []string{"admin", "create", "--username", "huaiyin3", "--password", "secret-pass-1", "--role", "district-staff", "--tenant", "370104"},
			wantOut: []string{"created huaiyin3 (district-staff) in tenant 370104"}},
		{name: "archive", args: []string{"tenant", "archive", "370102", "--reason", "merged"}, wantOut: []string{"370102 山东省济南市历下区 is now archived"}},
		{name: "resume archived", args: []string{"tenant", "resume", "370102"}, wantErr: []string{"cannot resume a tenant that is archived"}},
		{name: "admin in an archived tenant", args: []string{"admin", "create", "--username", "lixia1", "--password", "secret-pass-1", "--role", "district-admin", "--tenant", "370102"},
			wantErr: []string{"tenant archived"}},
		{name: "suspend the country", args: []string{"tenant", "suspend", "000000"}, wantErr: []string{"000000"}},
		{name: "suspend unknown", args: []string{"tenant", "suspend", "310107"}, wantErr: []string{"310107", "tenant not found"}},
		{name: "list suspended none", args: []string{"tenant", "list", "--status", "suspended"},
			check: func(t *testing.T, out string) {
				if codes := tenantLines(out); len(codes) != 0 {
					t.Errorf("suspended tenants = %v, want none", codes)
				}
			}},
		{name: "list archived", args: []string{"tenant", "list", "--status", "archived"},
			check: func(t *testing.T, out string) {
				if codes := tenantLines(out); strings.Join(codes, " ") != "370102" {
					t.Errorf("archived tenants = %v, want [370102]", codes)
				}
			}},
	}
	runSteps(t, steps)
}

func TestLifecycleIsAudited(t *testing.T) {
	db := storetest.NewDatabase(t)
	useDatabase(t, db)
	runSteps(t, []step{
		{name: "onboard", args: []string{"tenant", "onboard", "310107"}, wantOut: []string{"created 1"}},
		{name: "suspend", args: []string{"tenant", "suspend", "310107", "--reason", "审计"}, wantOut: []string{"is now suspended"}},
		{name: "resume", args: []string{"tenant", "resume", "310107"}, wantOut: []string{"is now active"}},
	})
	st, err := store.Open(context.Background(), store.Options{URL: db, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	events, err := st.AuditEvents(context.Background(), "310107", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"system:tenant-resume", "system:tenant-suspend"}
	if len(events) != 2 || events[0].Actor != want[0] || events[1].Actor != want[1] || !strings.Contains(string(events[1].After), "审计") {
		t.Errorf("audit events of 310107 = %+v, want tenant.update by %v", events, want)
	}
	national, err := st.AuditEvents(context.Background(), "000000", 0, 10)
	if err != nil || len(national) != 1 || national[0].Actor != "system:tenant-onboard" || national[0].Action != "tenant.onboard" {
		t.Errorf("audit events of 000000 = %+v, %v", national, err)
	}
}

func TestAdminPasswordFromStdin(t *testing.T) {
	db := storetest.NewDatabase(t)
	useDatabase(t, db)
	runSteps(t, []step{
		{name: "newline trimmed", args: []string{"admin", "create", "--username", "stdin1", "--password-stdin"}, stdin: "secret-pass-9\r\n",
			wantOut: []string{"created stdin1 (national-admin) in tenant 000000"}},
		{name: "too short", args: []string{"admin", "create", "--username", "stdin2", "--password-stdin"}, stdin: "short\n", wantErr: []string{"password"}},
		{name: "too long", args: []string{"admin", "create", "--username", "stdin3", "--password-stdin"}, stdin: strings.Repeat("p", 500), wantErr: []string{"password"}},
		{name: "empty", args: []string{"admin", "create", "--username", "stdin4", "--password-stdin"}, wantErr: []string{"password"}},
	})
	st, err := store.Open(context.Background(), store.Options{URL: db, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.CredentialsFor(context.Background(), "stdin1")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		password string
		want     bool
	}{{"secret-pass-9", true}, {"secret-pass-9\r\n", false}, {"secret-pass-9\r", false}} {
		if ok, err := identity.VerifyPassword(c.PasswordHash, p.password); err != nil || ok != p.want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", p.password, ok, err, p.want)
		}
	}
	for _, u := range []string{"stdin2", "stdin3", "stdin4"} {
		if _, err := st.CredentialsFor(context.Background(), u); err == nil {
			t.Errorf("%s was created with a refused password", u)
		}
	}
}

func TestDemoSeedIsIdempotent(t *testing.T) {
	db := storetest.NewDatabase(t)
	useDatabase(t, db)
	seed, err := tenants.Demo()
	if err != nil {
		t.Fatal(err)
	}
	offices := 0
	for _, c := range seed.Tenants.Codes {
		offices += streetsOf(t, c)
	}
	n := len(seed.Tenants.Codes)
	runSteps(t, []step{
		{name: "first", args: []string{"demo", "seed"},
			wantOut: []string{fmt.Sprintf("demo tenants: %d created, 0 existing, %d judicial offices created", n, offices), "putuo-admin", "national-admin"}},
		{name: "second", args: []string{"demo", "seed"},
			wantOut: []string{fmt.Sprintf("demo tenants: 0 created, %d existing, 0 judicial offices created", n), "putuo-admin"}},
	})
	st, err := store.Open(context.Background(), store.Options{URL: db, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, u := range seed.Users {
		c, err := st.CredentialsFor(context.Background(), u.Username)
		if err != nil {
			t.Errorf("demo user %s: %v", u.Username, err)
			continue
		}
		if c.User.TenantCode != u.Tenant || len(c.User.Roles) != 1 || c.User.Roles[0] != u.Role || c.TenantStatus != tenant.StatusActive {
			t.Errorf("demo user %s = %+v in a %s tenant, want role %s in %s", u.Username, c.User, c.TenantStatus, u.Role, u.Tenant)
		}
		if (u.Organisation != "") != (c.User.OrganisationID != "") {
			t.Errorf("demo user %s: organisation %q, id %q", u.Username, u.Organisation, c.User.OrganisationID)
		}
	}
	want := 0
	for _, u := range seed.Users {
		if u.Tenant == "310107" {
			want++
		}
	}
	users, err := st.Users(context.Background(), "310107", "", 100)
	if err != nil || len(users) != want {
		t.Errorf("users of 310107 after two seeds = %d, %v; want %d", len(users), err, want)
	}
}

// latestVersion is the newest embedded migration, as the CLI prints it.
var latestVersion = strconv.FormatInt(slices.Max(store.MigrationVersions()), 10)

func TestMigrateAnEmptyDatabase(t *testing.T) {
	useDatabase(t, storetest.EmptyDatabase(t))
	applied := regexp.MustCompile(`applied (\d+) migration\(s\); schema version (\d+)`)
	runSteps(t, []step{
		{name: "status before", args: []string{"migrate", "--status"}, wantOut: []string{"schema version 0, latest " + latestVersion}},
		{name: "first", args: []string{"migrate"}, check: func(t *testing.T, out string) {
			m := applied.FindStringSubmatch(out)
			if m == nil || m[2] != latestVersion {
				t.Errorf("first migrate printed %q", out)
			} else if n, _ := strconv.Atoi(m[1]); n != len(store.MigrationVersions()) {
				t.Errorf("first migrate applied %d of %d", n, len(store.MigrationVersions()))
			}
		}},
		{name: "second", args: []string{"migrate"}, wantOut: []string{"applied 0 migration(s); schema version " + latestVersion}},
		{name: "usable", args: []string{"tenant", "list"}, wantOut: []string{"000000"}},
	})
}

func TestCommandsWithoutADatabase(t *testing.T) {
	useDatabase(t, "")
	runSteps(t, []step{
		{name: "version", args: []string{"version"}, wantOut: []string{"fengqiao "}},
		{name: "migrate", args: []string{"migrate"}, wantErr: []string{"FENGQIAO_DATABASE_URL"}},
		{name: "tenant list", args: []string{"tenant", "list"}, wantErr: []string{"FENGQIAO_DATABASE_URL"}},
		{name: "demo seed", args: []string{"demo", "seed"}, wantErr: []string{"FENGQIAO_DATABASE_URL"}},
		{name: "admin create", args: []string{"admin", "create", "--username", "root1", "--password", "secret-pass-1"}, wantErr: []string{"FENGQIAO_DATABASE_URL"}},
		{name: "unknown command", args: []string{"frobnicate"}, wantErr: []string{"frobnicate"}},
		{name: "version takes no argument", args: []string{"version", "x"}, wantErr: []string{"x"}},
	})
}

// TestPIIRotate: parties sealed under one key are re-encrypted under a new active key by
// `pii rotate`; the old key can then leave the ring and the data still opens.
func TestPIIRotate(t *testing.T) {
	useDatabase(t, storetest.NewDatabase(t))
	k1 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	k2 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	t.Setenv("FENGQIAO_SECURITY_PII_INDEX_KEY", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32)))
	t.Setenv("FENGQIAO_SECURITY_PII_KEYS", "k1:"+k1)
	runSteps(t, []step{{name: "seed under k1", args: []string{"demo", "seed"}, wantOut: []string{demoCasesCreated(t)}}})
	t.Setenv("FENGQIAO_SECURITY_PII_KEYS", "k1:"+k1+",k2:"+k2)
	t.Setenv("FENGQIAO_SECURITY_PII_ACTIVE_KEY", "k2")
	runSteps(t, []step{
		// The demo cases' parties with personal data, and the 5 of the demo workbook's (tenants.DemoImport).
		{name: "rotate", args: []string{"pii", "rotate"}, wantOut: []string{fmt.Sprintf("re-encrypted the personal data of %d parties", demoSealedParties(t)+demoWorkbookParties), "under key k2"}},
		{name: "rotate again", args: []string{"pii", "rotate"}, wantOut: []string{"re-encrypted the personal data of 0 parties"}},
	})
	// (the demo parties with personal data are counted from demo.yaml; companies have none.) k1 leaves the
	// ring; seeding again replays the cases, which opens their parties under k2.
	t.Setenv("FENGQIAO_SECURITY_PII_KEYS", "k2:"+k2)
	runSteps(t, []step{{name: "data opens without k1", args: []string{"demo", "seed"}, wantOut: []string{"demo cases: 0 created"}}})
}

// A thousandth of Shanghai 2020: the loaded cases, the statistics and the rebuild check agree,
// and generating twice is refused.
func TestDemoGenerateScaled(t *testing.T) {
	db := storetest.NewDatabase(t)
	useDatabase(t, db)
	runSteps(t, []step{
		{name: "unknown profile", args: []string{"demo", "generate", "--profile", "atlantis"}, wantErr: []string{"unknown profile"}},
		{name: "generate", args: []string{"demo", "generate", "--profile", "shanghai-2020", "--scale", "0.001", "--batch", "500"},
			wantOut: []string{"loaded 1943 cases", "310000 2020: received 1943, concluded 1943, succeeded 1335, success rate 0.6871",
				"310107 2020 source=court: received 8, succeeded 7, success rate 0.8750"}},
		{name: "again is refused", args: []string{"demo", "generate", "--profile", "shanghai-2020", "--scale", "0.001"}, wantErr: []string{"already holds 1943 cases"}},
		{name: "rebuild check agrees", args: []string{"stats", "rebuild", "--check", "--tenant", "310000"},
			wantOut: []string{"checked 18 tenants, 1943 cases", "0 cells differed"}},
		{name: "rebuild", args: []string{"stats", "rebuild", "--tenant", "310107"}, wantOut: []string{"rebuilt 1 tenants"}},
	})
}
