package store_test

import (
	"github.com/jackc/pgerrcode"
	"testing"

	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/jackc/pgx/v5"
)

// The application role can do nothing with platform_secrets, where installations of before
// kept their keys: a server (or anyone holding its connection) reads no key from the database.
func TestAppRoleReadsNoSecret(t *testing.T) {
	owner := storetest.NewDatabase(t)
	ctx := testCtx(t)
	if _, err := ownerConn(t, owner).Exec(ctx, `INSERT INTO platform_secrets (name, value) VALUES ('token_key', decode(repeat('ab', 48), 'hex'))`); err != nil {
		t.Fatal(err)
	}
	pool := appPool(t, owner, 1)
	cases := []struct{ name, sql string }{
		{"select", `SELECT value FROM platform_secrets`},
		{"count", `SELECT count(*) FROM platform_secrets`},
		{"insert", `INSERT INTO platform_secrets (name, value) VALUES ('x', decode(repeat('cd', 48), 'hex'))`},
		{"update", `UPDATE platform_secrets SET value = value`},
		{"delete", `DELETE FROM platform_secrets`},
		{"copy out", `COPY platform_secrets TO STDOUT`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inTenantTx(t, pool, "000000", func(tx pgx.Tx) {
				_, err := tx.Exec(ctx, c.sql)
				if sqlState(err) != pgerrcode.InsufficientPrivilege {
					t.Errorf("%s: %v, want permission denied (42501)", c.sql, err)
				}
			})
		})
	}
}
