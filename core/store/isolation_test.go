package store_test

// Row-level security seen from the inside: these tests talk to PostgreSQL as the application
// role with pgx directly, bypassing the store's own discipline (inTenant), to prove that the
// database itself — not only the Go code — keeps tenants apart.

import (
	"context"
	"errors"
	"fmt"
	"github.com/jackc/pgerrcode"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// tenantTables are the tables under row-level security.
var tenantTables = []string{"tenants", "users", "api_tokens", "judicial_offices", "audit_events"}

// testCtx carries a test actor, as the command line and the API do.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return audit.WithActor(ctx, audit.Actor{Subject: "system:test", RequestID: t.Name()})
}

// appPool connects with the owner URL and switches every connection to the application role,
// as store.Open does when no AppURL is given.
func appPool(t *testing.T, ownerURL string, maxConns int32) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = maxConns
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, "SET ROLE "+store.AppRole)
		return err
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	var who string
	if err := pool.QueryRow(context.Background(), "SELECT current_user").Scan(&who); err != nil || who != store.AppRole {
		t.Fatalf("app pool works as %q (err %v), want %s", who, err, store.AppRole)
	}
	return pool
}

// ownerConn is a superuser connection to the test database (it bypasses row-level security).
func ownerConn(t *testing.T, ownerURL string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func count(t *testing.T, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := q.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// inTenantTx runs fn in a transaction of pool acting for tenant (when not empty) and rolls it
// back, so a failing statement never spoils the next case.
func inTenantTx(t *testing.T, pool *pgxpool.Pool, tenantCode string, fn func(tx pgx.Tx)) {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if tenantCode != "" {
		if _, err := tx.Exec(ctx, "SELECT set_config('fengqiao.tenant', $1, true)", tenantCode); err != nil {
			t.Fatal(err)
		}
	}
	fn(tx)
}

// seeded is two onboarded districts, each with offices, a user and an API token.
type seeded struct {
	st        *store.Store
	owner     string
	users     map[string]identity.User
	tokens    map[string]identity.Token
	tokenHash map[string][]byte
	onboard   tenant.OnboardResult
}

var seedDistricts = []string{"310107", "370104"}

func seedTwoDistricts(t *testing.T) seeded {
	t.Helper()
	st, owner := storetest.Open(t)
	ctx := testCtx(t)
	plan, err := tenant.PlanOnboarding("000000", seedDistricts, true)
	if err != nil {
		t.Fatal(err)
	}
	s := seeded{st: st, owner: owner, users: map[string]identity.User{}, tokens: map[string]identity.Token{}, tokenHash: map[string][]byte{}}
	if s.onboard, err = st.Onboard(ctx, "000000", plan); err != nil {
		t.Fatalf("onboard: %v", err)
	}
	for _, d := range seedDistricts {
		u, err := st.CreateUser(ctx, identity.User{TenantCode: d, Username: "admin-" + d, DisplayName: "管理员 " + d},
			"not-a-real-hash", [][]string{{"g", "", identity.RoleDistrictAdmin, d}})
		if err != nil {
			t.Fatalf("create user of %s: %v", d, err)
		}
		s.users[d] = u
		_, prefix, hash, err := identity.NewAPIToken(d)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := st.CreateToken(ctx, identity.Token{TenantCode: d, Name: "agency " + d, Prefix: prefix, Role: identity.RoleAgencySystem, CreatedBy: u.Subject()},
			hash, [][]string{{"g", "", identity.RoleAgencySystem, d}})
		if err != nil {
			t.Fatalf("create token of %s: %v", d, err)
		}
		s.tokens[d], s.tokenHash[d] = tok, hash
	}
	return s
}

func TestSeedFillsEveryTenantTable(t *testing.T) {
	s := seedTwoDistricts(t)
	owner := ownerConn(t, s.owner)
	// The superuser owner bypasses RLS: the rows are there, so the zero counts below mean something.
	for _, d := range seedDistricts {
		for _, tbl := range []string{"users", "api_tokens", "judicial_offices", "audit_events"} {
			if n := count(t, owner, "SELECT count(*) FROM "+tbl+" WHERE tenant_id = $1", d); n == 0 {
				t.Errorf("%s has no %s rows after seeding", d, tbl)
			}
		}
	}
	if n := count(t, owner, "SELECT count(*) FROM audit_events WHERE tenant_id = '000000' AND action = 'tenant.onboard'"); n != 1 {
		t.Errorf("onboarding audit events of 000000 = %d, want 1", n)
	}
	// CreateUser fills the subject of the grant rows with the new user's id.
	for _, d := range seedDistricts {
		u := s.users[d]
		if !slices.Equal(u.Roles, []string{identity.RoleDistrictAdmin}) {
			t.Errorf("user of %s has roles %v", d, u.Roles)
		}
		if n := count(t, owner, "SELECT count(*) FROM casbin_rule WHERE ptype = 'g' AND v0 = $1 AND v1 = $2 AND v2 = $3",
			identity.UserSubject(u.ID), identity.RoleDistrictAdmin, d); n != 1 {
			t.Errorf("grant rows of %s = %d, want 1", u.Subject(), n)
		}
		if n := count(t, owner, "SELECT count(*) FROM casbin_rule WHERE ptype = 'g' AND v0 = $1", identity.TokenSubject(s.tokens[d].ID)); n != 1 {
			t.Errorf("grant rows of token %s = %d, want 1", s.tokens[d].ID, n)
		}
	}
}

func TestNoTenantSeesNoRow(t *testing.T) {
	s := seedTwoDistricts(t)
	pool := appPool(t, s.owner, 2)
	owner := ownerConn(t, s.owner)
	for _, tbl := range tenantTables {
		t.Run(tbl, func(t *testing.T) {
			if n := count(t, owner, "SELECT count(*) FROM "+tbl); n == 0 {
				t.Fatalf("%s is empty even for the owner", tbl)
			}
			if n := count(t, pool, "SELECT count(*) FROM "+tbl); n != 0 {
				t.Errorf("app role without a tenant sees %d rows of %s, want 0", n, tbl)
			}
			inTenantTx(t, pool, "", func(tx pgx.Tx) {
				if n := count(t, tx, "SELECT count(*) FROM "+tbl); n != 0 {
					t.Errorf("app role in a transaction without a tenant sees %d rows of %s, want 0", n, tbl)
				}
			})
			// An empty setting is no tenant either.
			inTenantTx(t, pool, "", func(tx pgx.Tx) {
				if _, err := tx.Exec(context.Background(), "SELECT set_config('fengqiao.tenant', '', true)"); err != nil {
					t.Fatal(err)
				}
				if n := count(t, tx, "SELECT count(*) FROM "+tbl); n != 0 {
					t.Errorf("app role with an empty tenant sees %d rows of %s, want 0", n, tbl)
				}
			})
		})
	}
	t.Run("writes without a tenant", func(t *testing.T) {
		cases := []struct{ name, sql string }{
			{"insert user", "INSERT INTO users (tenant_id, username, password_hash) VALUES ('310107', 'ghost', 'x')"},
			{"insert audit event", "INSERT INTO audit_events (tenant_id, actor, action, object) VALUES ('310107', 'x', 'y', 'z')"},
			{"insert tenant", "INSERT INTO tenants (code, name, full_name, level, parent_code, ancestors) VALUES ('310108', 'x', 'x', 'district', '310100', ARRAY['000000','310000','310100','310108'])"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				inTenantTx(t, pool, "", func(tx pgx.Tx) {
					_, err := tx.Exec(context.Background(), c.sql)
					if got := sqlState(err); got != pgerrcode.InsufficientPrivilege {
						t.Errorf("%s without a tenant: err %v (SQLSTATE %q), want 42501", c.name, err, got)
					}
				})
			})
		}
	})
}

func TestTenantSeesOnlyItsOwnRows(t *testing.T) {
	s := seedTwoDistricts(t)
	pool := appPool(t, s.owner, 4)
	owner := ownerConn(t, s.owner)
	ctx := context.Background()

	t.Run("reads", func(t *testing.T) {
		for _, tbl := range []string{"users", "api_tokens", "judicial_offices", "audit_events"} {
			t.Run(tbl, func(t *testing.T) {
				wantOwn := count(t, owner, "SELECT count(*) FROM "+tbl+" WHERE tenant_id = '310107'")
				inTenantTx(t, pool, "310107", func(tx pgx.Tx) {
					if n := count(t, tx, "SELECT count(*) FROM "+tbl+" WHERE tenant_id = '310107'"); n != wantOwn || n == 0 {
						t.Errorf("310107 sees %d of its %d %s rows", n, wantOwn, tbl)
					}
					if n := count(t, tx, "SELECT count(*) FROM "+tbl+" WHERE tenant_id = '370104'"); n != 0 {
						t.Errorf("310107 sees %d %s rows of 370104", n, tbl)
					}
					if n := count(t, tx, "SELECT count(*) FROM "+tbl+" WHERE tenant_id <> '310107'"); n != 0 {
						t.Errorf("310107 sees %d %s rows of other tenants", n, tbl)
					}
				})
			})
		}
	})

	t.Run("writes to another tenant touch nothing", func(t *testing.T) {
		cases := []struct{ name, sql string }{
			{"update users", "UPDATE users SET display_name = 'pwned' WHERE tenant_id = '370104'"},
			{"update all users", "UPDATE users SET display_name = display_name WHERE tenant_id <> '310107'"},
			{"delete users", "DELETE FROM users WHERE tenant_id = '370104'"},
			{"update api_tokens", "UPDATE api_tokens SET revoked_at = now() WHERE tenant_id = '370104'"},
			{"delete api_tokens", "DELETE FROM api_tokens WHERE tenant_id = '370104'"},
			{"update judicial_offices", "UPDATE judicial_offices SET name = 'x' WHERE tenant_id = '370104'"},
			{"delete judicial_offices", "DELETE FROM judicial_offices WHERE tenant_id = '370104'"},
			{"update tenants", "UPDATE tenants SET status = 'suspended' WHERE code = '370104'"},
			{"update parent tenant", "UPDATE tenants SET display_name = 'x' WHERE code = '310100'"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				inTenantTx(t, pool, "310107", func(tx pgx.Tx) {
					tag, err := tx.Exec(ctx, c.sql)
					if err != nil {
						t.Fatalf("%s: %v", c.sql, err)
					}
					if tag.RowsAffected() != 0 {
						t.Errorf("%s affected %d rows, want 0", c.sql, tag.RowsAffected())
					}
				})
			})
		}
		// Control: the same statements do reach the tenant's own rows.
		inTenantTx(t, pool, "310107", func(tx pgx.Tx) {
			tag, err := tx.Exec(ctx, "UPDATE users SET display_name = display_name WHERE tenant_id = '310107'")
			if err != nil || tag.RowsAffected() != 1 {
				t.Errorf("own update: %v, %d rows, want 1", err, tag.RowsAffected())
			}
		})
		for _, tbl := range []string{"users", "api_tokens", "judicial_offices"} {
			if n := count(t, owner, "SELECT count(*) FROM "+tbl+" WHERE tenant_id = '370104'"); n == 0 {
				t.Errorf("370104 lost its %s rows", tbl)
			}
		}
	})

	t.Run("writes of another tenant's rows are refused", func(t *testing.T) {
		cases := []struct{ name, sql string }{
			{"insert user", "INSERT INTO users (tenant_id, username, password_hash) VALUES ('370104', 'intruder', 'x')"},
			{"insert judicial office", "INSERT INTO judicial_offices (tenant_id, street_code, name, street_name) VALUES ('370104', '370104999', 'x司法所', 'x')"},
			{"insert api token", "INSERT INTO api_tokens (tenant_id, name, prefix, secret_hash, role, created_by) VALUES ('370104', 'x', 'x', '\\x00', 'agency-system', 'x')"},
			{"insert audit event", "INSERT INTO audit_events (tenant_id, actor, action, object) VALUES ('370104', 'x', 'forged', 'x')"},
			{"move own user away", "UPDATE users SET tenant_id = '370104' WHERE tenant_id = '310107'"},
			{"move own office away", "UPDATE judicial_offices SET tenant_id = '370104', street_code = '370104' || right(street_code, 3) WHERE tenant_id = '310107'"},
			{"insert sibling tenant", "INSERT INTO tenants (code, name, full_name, level, parent_code, ancestors) VALUES ('310108', 'x', 'x', 'district', '310100', ARRAY['000000','310000','310100','310108'])"},
			{"update audit event", "UPDATE audit_events SET actor = 'x' WHERE tenant_id = '310107'"},
			{"delete audit event", "DELETE FROM audit_events WHERE tenant_id = '310107'"},
			{"truncate audit events", "TRUNCATE audit_events"},
			{"delete tenant", "DELETE FROM tenants WHERE code = '310107'"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				inTenantTx(t, pool, "310107", func(tx pgx.Tx) {
					_, err := tx.Exec(ctx, c.sql)
					if got := sqlState(err); got != pgerrcode.InsufficientPrivilege {
						t.Errorf("%s: err %v (SQLSTATE %q), want 42501", c.sql, err, got)
					}
				})
			})
		}
	})

	t.Run("tenant registry", func(t *testing.T) {
		cases := []struct {
			scope string
			want  []string
		}{
			{"310107", []string{"310107"}},
			{"370104", []string{"370104"}},
			{"310100", []string{"310100", "310107"}},
			{"310000", []string{"310000", "310100", "310107"}},
			{"370000", []string{"370000", "370100", "370104"}},
			{"000000", []string{"000000", "310000", "310100", "310107", "370000", "370100", "370104"}},
			{"999999", nil},
		}
		for _, c := range cases {
			t.Run(c.scope, func(t *testing.T) {
				inTenantTx(t, pool, c.scope, func(tx pgx.Tx) {
					rows, err := tx.Query(ctx, "SELECT code FROM tenants ORDER BY code")
					if err != nil {
						t.Fatal(err)
					}
					got, err := pgx.CollectRows(rows, pgx.RowTo[string])
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(got, c.want) {
						t.Errorf("scope %s sees tenants %v, want %v", c.scope, got, c.want)
					}
				})
			})
		}
	})

	t.Run("user directory and policies are platform tables", func(t *testing.T) {
		// No RLS there by design: a login resolves the tenant from the username. Pin it, so a
		// change of that design is deliberate.
		inTenantTx(t, pool, "310107", func(tx pgx.Tx) {
			if n := count(t, tx, "SELECT count(*) FROM user_directory"); n != 2 {
				t.Errorf("user_directory rows seen = %d, want 2", n)
			}
		})
	})
}

func TestPooledConnectionCarriesNoTenant(t *testing.T) {
	s := seedTwoDistricts(t)
	pool := appPool(t, s.owner, 1) // one connection: every transaction reuses it
	ctx := context.Background()
	cases := []struct {
		name   string
		finish func(pgx.Tx) error
	}{
		{"after commit", func(tx pgx.Tx) error { return tx.Commit(ctx) }},
		{"after rollback", func(tx pgx.Tx) error { return tx.Rollback(ctx) }},
		{"after a failed statement and rollback", func(tx pgx.Tx) error {
			_, _ = tx.Exec(ctx, "SELECT 1/0")
			return tx.Rollback(ctx)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, err := pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var pidIn, pidAfter int32
			if _, err := tx.Exec(ctx, "SELECT set_config('fengqiao.tenant', '310107', true)"); err != nil {
				t.Fatal(err)
			}
			if err := tx.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pidIn); err != nil {
				t.Fatal(err)
			}
			if n := count(t, tx, "SELECT count(*) FROM users"); n != 1 {
				t.Fatalf("inside the transaction 310107 sees %d users, want 1", n)
			}
			if err := c.finish(tx); err != nil {
				t.Fatal(err)
			}
			var setting *string
			if err := pool.QueryRow(ctx, "SELECT pg_backend_pid(), current_setting('fengqiao.tenant', true)").Scan(&pidAfter, &setting); err != nil {
				t.Fatal(err)
			}
			if pidAfter != pidIn {
				t.Fatalf("not the same connection: backend %d then %d", pidIn, pidAfter)
			}
			if setting != nil && *setting != "" {
				t.Errorf("after the transaction the connection still acts for %q", *setting)
			}
			var cur *string
			if err := pool.QueryRow(ctx, "SELECT current_tenant()").Scan(&cur); err != nil || cur != nil {
				t.Errorf("current_tenant() after the transaction = %v (err %v), want NULL", deref(cur), err)
			}
			for _, tbl := range tenantTables {
				if n := count(t, pool, "SELECT count(*) FROM "+tbl); n != 0 {
					t.Errorf("after the transaction the connection sees %d rows of %s, want 0", n, tbl)
				}
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func TestAppRoleCannotBypassSecurity(t *testing.T) {
	s := seedTwoDistricts(t)
	owner := ownerConn(t, s.owner)
	pool := appPool(t, s.owner, 1)
	ctx := context.Background()

	t.Run("role attributes", func(t *testing.T) {
		var super, bypass, login bool
		if err := owner.QueryRow(ctx, "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1", store.AppRole).
			Scan(&super, &bypass, &login); err != nil {
			t.Fatal(err)
		}
		if super || bypass || login {
			t.Errorf("%s: superuser %v, bypassrls %v, login %v; want all false", store.AppRole, super, bypass, login)
		}
		if n := count(t, owner, "SELECT count(*) FROM pg_tables WHERE tableowner = $1", store.AppRole); n != 0 {
			t.Errorf("%s owns %d tables, want 0", store.AppRole, n)
		}
		if n := count(t, owner, "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = $1", store.AppRole); n != 0 {
			t.Errorf("%s owns %d relations, want 0", store.AppRole, n)
		}
	})

	t.Run("privileges", func(t *testing.T) {
		cases := []struct {
			table, privilege string
			want             bool
		}{
			{"audit_events", "SELECT", true},
			{"audit_events", "INSERT", true},
			{"audit_events", "UPDATE", false},
			{"audit_events", "DELETE", false},
			{"audit_events", "TRUNCATE", false},
			{"tenants", "DELETE", false},
			{"tenants", "TRUNCATE", false},
			{"user_directory", "UPDATE", false},
			{"users", "TRUNCATE", false},
			{"users", "DELETE", true},
			{"casbin_rule", "DELETE", true},
		}
		for _, c := range cases {
			t.Run(c.table+" "+c.privilege, func(t *testing.T) {
				var got bool
				if err := owner.QueryRow(ctx, "SELECT has_table_privilege($1, $2, $3)", store.AppRole, c.table, c.privilege).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != c.want {
					t.Errorf("has_table_privilege(%s, %s, %s) = %v, want %v", store.AppRole, c.table, c.privilege, got, c.want)
				}
			})
		}
	})

	t.Run("current_tenant is STABLE", func(t *testing.T) {
		var vol string
		if err := owner.QueryRow(ctx, "SELECT provolatile::text FROM pg_proc WHERE proname = 'current_tenant'").Scan(&vol); err != nil {
			t.Fatal(err)
		}
		if vol != "s" {
			t.Errorf("current_tenant() provolatile = %q, want s (STABLE)", vol)
		}
	})

	t.Run("row level security is forced", func(t *testing.T) {
		for _, tbl := range tenantTables {
			var enabled, forced bool
			if err := owner.QueryRow(ctx, "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = $1::regclass", tbl).Scan(&enabled, &forced); err != nil {
				t.Fatal(err)
			}
			if !enabled || !forced {
				t.Errorf("%s: row security %v, forced %v; want both", tbl, enabled, forced)
			}
			if n := count(t, owner, "SELECT count(*) FROM pg_policies WHERE schemaname = 'public' AND tablename = $1", tbl); n == 0 {
				t.Errorf("%s has no policy", tbl)
			}
		}
	})

	t.Run("app role cannot turn security off", func(t *testing.T) {
		cases := []struct{ name, sql string }{
			{"disable row security", "ALTER TABLE users DISABLE ROW LEVEL SECURITY"},
			{"no force", "ALTER TABLE users NO FORCE ROW LEVEL SECURITY"},
			{"drop policy", "DROP POLICY tenant_isolation ON users"},
			{"replace current_tenant", "CREATE OR REPLACE FUNCTION current_tenant() RETURNS text LANGUAGE sql STABLE AS $$ SELECT '370104' $$"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				inTenantTx(t, pool, "310107", func(tx pgx.Tx) {
					_, err := tx.Exec(ctx, c.sql)
					if got := sqlState(err); got != pgerrcode.InsufficientPrivilege {
						t.Errorf("%s: err %v (SQLSTATE %q), want 42501", c.sql, err, got)
					}
				})
			})
		}
		inTenantTx(t, pool, "310107", func(tx pgx.Tx) {
			if _, err := tx.Exec(ctx, "SET LOCAL row_security = off"); err != nil {
				t.Fatal(err)
			}
			// With row_security off, a query that RLS would filter fails instead of leaking.
			_, err := tx.Exec(ctx, "SELECT count(*) FROM users")
			if got := sqlState(err); got != pgerrcode.InsufficientPrivilege {
				t.Errorf("row_security=off: err %v (SQLSTATE %q), want 42501", err, got)
			}
		})
	})
}

// roleURL is the test cluster's URL for database db logged in as role.
func roleURL(t *testing.T, ownerURL, role string) string {
	t.Helper()
	u, err := url.Parse(ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	return u.String()
}

func TestOpenRefusesRolesThatBypassSecurity(t *testing.T) {
	if os.Getenv(storetest.EnvURL) == "" {
		t.Fatalf("%s is not set", storetest.EnvURL)
	}
	owner := storetest.NewDatabase(t)
	oc := ownerConn(t, owner)
	ctx := context.Background()
	suffix := fmt.Sprintf("%d", time.Now().UnixNano()%1_000_000_000)
	cases := []struct {
		name    string
		setup   []string // %[1]s is the role
		url     func(role string) string
		wantErr string // "" means Open succeeds
	}{
		{name: "owner superuser as AppURL", url: func(string) string { return owner }, wantErr: "bypasses row-level security"},
		{name: "login role member of the app role",
			setup: []string{"CREATE ROLE %[1]s LOGIN NOSUPERUSER NOBYPASSRLS", "GRANT fengqiao_app TO %[1]s"},
			url:   func(r string) string { return roleURL(t, owner, r) }},
		{name: "bypassrls role",
			setup:   []string{"CREATE ROLE %[1]s LOGIN NOSUPERUSER BYPASSRLS", "GRANT fengqiao_app TO %[1]s"},
			url:     func(r string) string { return roleURL(t, owner, r) },
			wantErr: "bypasses row-level security"},
		{name: "role outside the app role",
			setup:   []string{"CREATE ROLE %[1]s LOGIN NOSUPERUSER NOBYPASSRLS"},
			url:     func(r string) string { return roleURL(t, owner, r) },
			wantErr: "is not a member of " + store.AppRole},
		{name: "role owning a table",
			setup:   []string{"CREATE ROLE %[1]s LOGIN NOSUPERUSER NOBYPASSRLS", "GRANT fengqiao_app TO %[1]s", "CREATE TABLE %[1]s_t (x int)", "ALTER TABLE %[1]s_t OWNER TO %[1]s"},
			url:     func(r string) string { return roleURL(t, owner, r) },
			wantErr: "owns tables"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			role := fmt.Sprintf("fqt_role_%s_%d", suffix, i)
			for _, q := range c.setup {
				if _, err := oc.Exec(ctx, fmt.Sprintf(q, role)); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if len(c.setup) > 0 {
				t.Cleanup(func() {
					// DROP OWNED acts in this database only, where the role's objects are.
					for _, q := range []string{"DROP OWNED BY " + role, "DROP ROLE " + role} {
						if _, err := oc.Exec(context.Background(), q); err != nil {
							t.Logf("%s: %v", q, err)
						}
					}
				})
			}
			st, err := store.Open(ctx, store.Options{URL: owner, AppURL: c.url(role), MaxConns: 1})
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer st.Close()
				if err := st.Ping(ctx); err != nil {
					t.Errorf("Ping: %v", err)
				}
				if _, err := st.Tenant(ctx, "000000", "000000"); err != nil {
					t.Errorf("Tenant as %s: %v", role, err)
				}
				return
			}
			if err == nil {
				st.Close()
				t.Fatalf("Open as %s succeeded, want an error containing %q", c.name, c.wantErr)
			}
			if !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("Open error %q, want it to contain %q", err, c.wantErr)
			}
		})
	}
}
