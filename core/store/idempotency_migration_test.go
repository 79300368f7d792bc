package store_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// TestIdempotencyKeysMigrateToTheirCaller: migration 00025 gives the keys taken before it to
// their case's creator (a retry in flight still replays), lets another caller take the same key,
// and migrates down again.
func TestIdempotencyKeysMigrateToTheirCaller(t *testing.T) {
	url := storetest.EmptyDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, os.DirFS("migrations"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 24); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO cases (tenant_id, id, number, year, seq, title, dispute_type, source, status, risk_level, risk, received_at, due_at, created_by)
		VALUES ('000000', '00000000-0000-0000-0000-0000000000c1', 'N1', 2026, 1, 't', 'neighbour', 'walk_in', 'received', 'low', '{}', now(), now(), 'token:court')`)
	exec(`INSERT INTO idempotency_keys (tenant_id, key, fingerprint, case_id) VALUES
		('000000', 'k-1', '\x01', '00000000-0000-0000-0000-0000000000c1'), ('000000', 'k-open', '\x02', NULL)`)
	if _, err := p.UpTo(ctx, 25); err != nil {
		t.Fatal(err)
	}
	subjects := map[string]string{}
	rows, err := db.QueryContext(ctx, `SELECT key, subject FROM idempotency_keys`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k, s string
		if err := rows.Scan(&k, &s); err != nil {
			t.Fatal(err)
		}
		subjects[k] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if subjects["k-1"] != "token:court" || subjects["k-open"] != "" || len(subjects) != 2 {
		t.Errorf("keys after the migration: %v", subjects)
	}
	exec(`INSERT INTO idempotency_keys (tenant_id, subject, key, fingerprint) VALUES ('000000', 'token:police', 'k-1', '\x03')`)
	if _, err := db.ExecContext(ctx, `INSERT INTO idempotency_keys (tenant_id, subject, key, fingerprint) VALUES ('000000', 'token:court', 'k-1', '\x04')`); err == nil {
		t.Error("the same caller took its key twice")
	}
	var forced bool
	if err := db.QueryRowContext(ctx, `SELECT relforcerowsecurity FROM pg_class WHERE oid = 'idempotency_keys'::regclass`).Scan(&forced); err != nil || !forced {
		t.Errorf("row-level security no longer forced: %v %v", forced, err)
	}
	if _, err := p.DownTo(ctx, 24); err != nil {
		t.Fatalf("down: %v", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM idempotency_keys WHERE key = 'k-1'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("after down, k-1 held %d times (%v)", n, err)
	}
}
