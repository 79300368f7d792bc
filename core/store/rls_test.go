package store_test

import (
	"github.com/jackc/pgerrcode"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/jackc/pgx/v5"
)

// tenantColumnRE matches every column name that names a tenant: tenant, tenant_id, tenant_code
// (or their plurals, for arrays) and any of them with a prefix (grantee_tenant, source_tenant,
// parent_tenant_code, …).
var tenantColumnRE = regexp.MustCompile(`(^|_)tenants?(_ids?|_codes?)?$`)

// exemptTenantTables have a column naming a tenant but are read across tenants by design, so
// they have no tenant policy. Each says why.
var exemptTenantTables = map[string]string{
	// README, "Tenancy and isolation": a person logs in before any tenant is known.
	"user_directory": "the login directory: username → tenant, no secret; read before a tenant is known",
}

// platformTables name no tenant in any column: platform-wide state. Each says why it may be
// read by the application role without a tenant. A new table must be added here or carry a
// tenant column (and then row-level security): this test fails for an unclassified table.
var platformTables = map[string]string{
	"casbin_rule":      "the authorization rules: the authorizer loads every rule at start (domains name tenants; edits go through core/authz)",
	"goose_db_version": "the schema version",
	"login_failures":   "failed logins by username and client address, counted before any tenant is known (unknown usernames too); no secret",
	"platform_secrets": "legacy keys awaiting `fengqiao keys migrate`; the application role has no privilege on it at all",
	"plugins":          "the catalog of installed plugins: platform-wide, like casbin_rule",
	// The queue is platform-wide: its workers run as the platform, not for a tenant, and every
	// job acts for the tenant its arguments name through the store's tenant transactions. The
	// arguments carry ids and codes (tenant, case id, number, status), never parties' personal
	// data; they are not copied out of the database.
	"river_job":          "the job queue: platform-wide, worked by the platform; arguments hold ids and codes, no personal data",
	"river_leader":       "the queue's leader election",
	"river_migration":    "the queue's schema version",
	"river_notification": "the queue's notifications",
	"river_queue":        "the queue's queues",
}

// tenantKeyColumn is the column that holds a row's own tenant where it is not tenant_id.
var tenantKeyColumn = map[string]string{"tenants": "code"}

// TestEveryTenantTableIsIsolated classifies every table of the schema — also those that later
// migrations add — by its columns: a table with a column naming a tenant (tenant_id,
// tenant_code, *_tenant, …, found in information_schema) must have forced row-level security
// with a policy keyed on current_tenant(), a primary key led by its tenant column, and show the
// application role without a tenant none of its rows (the rows themselves are seeded by
// TestNoTenantSeesNoRow and the API tests; here the tables are fresh, so the flags are what
// this test proves) — unless it is in exemptTenantTables with a reason. Any other table must be
// in platformTables with a reason.
func TestEveryTenantTableIsIsolated(t *testing.T) {
	owner := storetest.NewDatabase(t)
	ctx := testCtx(t)
	conn := ownerConn(t, owner)
	rows, err := conn.Query(ctx, `
		SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
		       EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname AND p.qual LIKE '%current_tenant()%'),
		       coalesce((SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		                 WHERE i.indrelid = c.oid AND i.indisprimary), ''),
		       coalesce((SELECT array_agg(col.column_name::text ORDER BY col.ordinal_position) FROM information_schema.columns col
		                 WHERE col.table_schema = 'public' AND col.table_name = c.relname), '{}')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
		ORDER BY c.relname`)
	if err != nil {
		t.Fatal(err)
	}
	type table struct {
		name                string
		rls, forced, policy bool
		firstKey            string
		columns             []string
	}
	tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (table, error) {
		var x table
		return x, r.Scan(&x.name, &x.rls, &x.forced, &x.policy, &x.firstKey, &x.columns)
	})
	if err != nil {
		t.Fatal(err)
	}
	pool := appPool(t, owner, 1)
	tenantTables := 0
	for _, x := range tables {
		t.Run(x.name, func(t *testing.T) {
			var tenantCols []string
			for _, c := range x.columns {
				if tenantColumnRE.MatchString(c) {
					tenantCols = append(tenantCols, c)
				}
			}
			key := tenantKeyColumn[x.name]
			switch {
			case key != "":
			case len(tenantCols) == 0:
				if _, ok := platformTables[x.name]; !ok {
					t.Fatalf("no column names a tenant and the table is not in platformTables: give it a tenant column and row-level security, or list it with the reason it is platform-wide")
				}
				return
			case slices.Contains(tenantCols, "tenant_id"):
				key = "tenant_id"
			default:
				key = tenantCols[0]
			}
			if why, ok := exemptTenantTables[x.name]; ok {
				t.Logf("exempt (column %s): %s", key, why)
				return
			}
			tenantTables++
			if !x.rls || !x.forced || !x.policy {
				t.Errorf("column %s names a tenant, but row-level security: enabled %v, forced %v, tenant policy %v", key, x.rls, x.forced, x.policy)
			}
			if x.firstKey != key {
				t.Errorf("primary key leads with %q, not %s", x.firstKey, key)
			}
			var n int
			if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{x.name}.Sanitize()).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("the app role without a tenant sees %d rows", n)
			}
		})
	}
	if tenantTables < 20 {
		t.Fatalf("only %d tenant tables found", tenantTables)
	}
}

// principal_state sets the tenant for its own statement only: the pooled connection carries no
// tenant afterwards, and it reads only the tenant it was given.
func TestPrincipalStateLeavesNoTenant(t *testing.T) {
	owner := storetest.NewDatabase(t)
	ctx := testCtx(t)
	pool := appPool(t, owner, 1)
	var us, ts *string
	if err := pool.QueryRow(ctx, `SELECT user_status, tenant_status FROM principal_state('000000', gen_random_uuid())`).Scan(&us, &ts); err != nil {
		t.Fatal(err)
	}
	if us != nil || ts != nil {
		t.Errorf("an unknown user has a state: %v %v", us, ts)
	}
	var setting string
	var tenants int
	if err := pool.QueryRow(ctx, `SELECT coalesce(current_setting('fengqiao.tenant', true), ''), (SELECT count(*) FROM tenants)`).Scan(&setting, &tenants); err != nil {
		t.Fatal(err)
	}
	if setting != "" || tenants != 0 {
		t.Errorf("after principal_state the connection has tenant %q and sees %d tenants", setting, tenants)
	}
}

// console_session_seen (migration 00035) scopes its tenant setting to itself, like principal_state.
func TestConsoleSessionSeenLeavesNoTenant(t *testing.T) {
	owner := storetest.NewDatabase(t)
	ctx := testCtx(t)
	pool := appPool(t, owner, 1)
	var started *time.Time
	if err := pool.QueryRow(ctx, `SELECT o_started FROM console_session_seen('000000', gen_random_uuid(), gen_random_uuid(), 60, 1800, 43200)`).Scan(&started); err != nil {
		t.Fatal(err)
	}
	if started != nil {
		t.Errorf("an unknown session has a start: %v", started)
	}
	var setting string
	var tenants int
	if err := pool.QueryRow(ctx, `SELECT coalesce(current_setting('fengqiao.tenant', true), ''), (SELECT count(*) FROM tenants)`).Scan(&setting, &tenants); err != nil {
		t.Fatal(err)
	}
	if setting != "" || tenants != 0 {
		t.Errorf("after console_session_seen the connection has tenant %q and sees %d tenants", setting, tenants)
	}
}

// The plugin tables under row-level security: a tenant writes only its own rows; it reads its
// own, its subtree's, and (enablements) its ancestors' made for their subtree; the country reads
// every row (the platform's reads); no tenant, no row.
func TestPluginTablesRowLevelSecurity(t *testing.T) {
	s := seedTwoDistricts(t)
	ctx := testCtx(t)
	owner := ownerConn(t, s.owner)
	for _, q := range []string{
		`INSERT INTO plugins (name, version, sha256, path, protocol_version, manifest, installed_by)
			VALUES ('probe', '1', repeat('0', 64), '/nowhere', 1, '{}', 'test'), ('probe2', '1', repeat('0', 64), '/nowhere', 1, '{}', 'test')`,
		`INSERT INTO plugin_tenants (plugin, tenant_code, subtree, enabled, updated_by) VALUES
			('probe', '310000', true, true, 'test'), ('probe', '310100', false, true, 'test'),
			('probe', '310107', false, true, 'test'), ('probe', '370104', false, true, 'test')`,
		`INSERT INTO plugin_job_runs (plugin, job, tenant_code, scheduled_at) VALUES
			('probe', 'j', '310107', now()), ('probe', 'j', '370104', now())`,
	} {
		if _, err := owner.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	pool := appPool(t, s.owner, 1)
	codes := func(tx pgx.Tx, q string) []string {
		rows, err := tx.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	reads := []struct {
		name, tenant      string
		enablements, runs []string
	}{
		{"no tenant", "", nil, nil},
		{"a district: its own and its province's for the subtree, not its city's own", "310107", []string{"310000", "310107"}, []string{"310107"}},
		{"another district", "370104", []string{"370104"}, []string{"370104"}},
		{"a province: its subtree", "310000", []string{"310000", "310100", "310107"}, []string{"310107"}},
		{"the country: every row", "000000", []string{"310000", "310100", "310107", "370104"}, []string{"310107", "370104"}},
	}
	for _, c := range reads {
		t.Run("read/"+c.name, func(t *testing.T) {
			inTenantTx(t, pool, c.tenant, func(tx pgx.Tx) {
				if got := codes(tx, `SELECT tenant_code FROM plugin_tenants ORDER BY 1`); !slices.Equal(got, c.enablements) {
					t.Errorf("plugin_tenants: sees %v, want %v", got, c.enablements)
				}
				if got := codes(tx, `SELECT tenant_code FROM plugin_job_runs ORDER BY 1`); !slices.Equal(got, c.runs) {
					t.Errorf("plugin_job_runs: sees %v, want %v", got, c.runs)
				}
			})
		})
	}
	writes := []struct {
		name, tenant, sql string
		wantState         string // "" = succeeds; "0" = succeeds changing no row
	}{
		{"own enablement", "310107", `UPDATE plugin_tenants SET enabled = false WHERE tenant_code = '310107'`, ""},
		{"another district's enablement", "310107", `INSERT INTO plugin_tenants (plugin, tenant_code, enabled, updated_by) VALUES ('probe2', '370104', true, 'x')`, pgerrcode.InsufficientPrivilege},
		{"a province writes for its district", "310000", `INSERT INTO plugin_job_runs (plugin, job, tenant_code, scheduled_at) VALUES ('probe', 'j', '310107', now() + interval '1 day')`, pgerrcode.InsufficientPrivilege},
		{"the country writes a district's run", "000000", `INSERT INTO plugin_job_runs (plugin, job, tenant_code, scheduled_at) VALUES ('probe', 'j', '370104', now() + interval '1 day')`, pgerrcode.InsufficientPrivilege},
		{"a district changes an inherited enablement", "310107", `UPDATE plugin_tenants SET enabled = false WHERE tenant_code = '310000'`, "0"},
		{"a district deletes another's run", "310107", `DELETE FROM plugin_job_runs WHERE tenant_code = '370104'`, "0"},
	}
	for _, c := range writes {
		t.Run("write/"+c.name, func(t *testing.T) {
			inTenantTx(t, pool, c.tenant, func(tx pgx.Tx) {
				tag, err := tx.Exec(ctx, c.sql)
				switch {
				case c.wantState == "0" && err == nil && tag.RowsAffected() != 0:
					t.Errorf("changed %d rows, want none", tag.RowsAffected())
				case c.wantState == "0" || c.wantState == "":
					if err != nil {
						t.Errorf("error %v", err)
					}
				case sqlState(err) != c.wantState:
					t.Errorf("error %v (%s), want SQLSTATE %s", err, sqlState(err), c.wantState)
				}
			})
		})
	}
}

// What the RLS test counts as a column naming a tenant.
func TestTenantColumnNames(t *testing.T) {
	for name, want := range map[string]bool{
		"tenant_id": true, "tenant_code": true, "tenant": true, "grantee_tenant": true, "source_tenant": true,
		"parent_tenant_code": true, "tenant_codes": true, "tenants": true,
		"tenant_name": false, "maintenant": false, "subtenant": false, "code": false, "parent_code": false,
	} {
		t.Run(name, func(t *testing.T) {
			if got := tenantColumnRE.MatchString(name); got != want {
				t.Errorf("names a tenant: %v, want %v", got, want)
			}
		})
	}
}
