package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// QueryInt runs a query returning one number on url (an owner URL sees every tenant's rows:
// tests check what was stored without the application's row-level security) and returns it.
func QueryInt(tb testing.TB, url, sql string, args ...any) int64 {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatalf("storetest: connect: %v", err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		tb.Fatalf("storetest: %s: %v", sql, err)
	}
	return n
}
