package store_test

import (
	"testing"

	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/jackc/pgx/v5"
)

// platformTables hold a tenant_id but are read across tenants by design (README, "Tenancy and
// isolation"): the login directory.
var platformTables = map[string]bool{"user_directory": true}

// TestEveryTenantTableIsIsolated finds every table with a tenant_id column — also those that
// later migrations add — and checks that it has forced row-level security keyed on the tenant,
// that tenant_id leads its primary key, and that the application role without a tenant sees
// none of its rows (the rows themselves are seeded by TestNoTenantSeesNoRow and the API tests;
// here the tables are fresh, so the flags are what this test proves).
func TestEveryTenantTableIsIsolated(t *testing.T) {
	owner := storetest.NewDatabase(t)
	ctx := testCtx(t)
	conn := ownerConn(t, owner)
	rows, err := conn.Query(ctx, `
		SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
		       EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname AND p.qual LIKE '%current_tenant()%'),
		       coalesce((SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		                 WHERE i.indrelid = c.oid AND i.indisprimary), '')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r'
		  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
		ORDER BY c.relname`)
	if err != nil {
		t.Fatal(err)
	}
	type table struct {
		name                string
		rls, forced, policy bool
		firstKey            string
	}
	tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (table, error) {
		var x table
		return x, r.Scan(&x.name, &x.rls, &x.forced, &x.policy, &x.firstKey)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 20 {
		t.Fatalf("only %d tenant tables found: %v", len(tables), tables)
	}
	pool := appPool(t, owner, 1)
	for _, x := range tables {
		t.Run(x.name, func(t *testing.T) {
			if platformTables[x.name] {
				return
			}
			if !x.rls || !x.forced || !x.policy {
				t.Errorf("row-level security: enabled %v, forced %v, tenant policy %v", x.rls, x.forced, x.policy)
			}
			if x.firstKey != "tenant_id" {
				t.Errorf("primary key leads with %q, not tenant_id", x.firstKey)
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
