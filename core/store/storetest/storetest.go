// Package storetest gives tests a fresh, migrated PostgreSQL database of their own on the
// cluster named by FENGQIAO_TEST_DATABASE_URL (which `make test` starts). Databases are cloned
// from a template migrated once per test binary, so each test starts from the real schema.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/store"
	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable holding a superuser URL of the test cluster.
const EnvURL = "FENGQIAO_TEST_DATABASE_URL"

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

func adminURL(tb testing.TB) string {
	u := os.Getenv(EnvURL)
	if u == "" {
		tb.Fatalf("%s is not set: run `make test`, which starts a private PostgreSQL, or set it to a superuser URL of a disposable cluster", EnvURL)
	}
	return u
}

func withDB(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + db
	return u.String()
}

func exec(ctx context.Context, admin, sql string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// NewDatabase creates a migrated database for tb and returns its owner (superuser) URL. It is
// dropped when the test ends.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	admin := adminURL(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	templateOnce.Do(func() {
		templateName = randomName("fqt_tpl_")
		if templateErr = exec(ctx, admin, "CREATE DATABASE "+templateName); templateErr != nil {
			return
		}
		_, templateErr = store.Migrate(ctx, withDB(admin, templateName), nil)
	})
	if templateErr != nil {
		tb.Fatalf("storetest: template database: %v", templateErr)
	}
	name := randomName("fqt_")
	create(tb, ctx, admin, name, templateName)
	return withDB(admin, name)
}

// EmptyDatabase creates a database without any schema (nothing migrated) for tb and returns
// its owner (superuser) URL. It is dropped when the test ends.
func EmptyDatabase(tb testing.TB) string {
	tb.Helper()
	admin := adminURL(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := randomName("fqt_empty_")
	create(tb, ctx, admin, name, "")
	return withDB(admin, name)
}

// create makes database name (cloned from template when given) and drops it after the test.
func create(tb testing.TB, ctx context.Context, admin, name, template string) {
	tb.Helper()
	sql := "CREATE DATABASE " + name
	if template != "" {
		sql += " TEMPLATE " + template
	}
	var err error
	for range 20 { // CREATE DATABASE ... TEMPLATE fails while another clone is being made
		if err = exec(ctx, admin, sql); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		tb.Fatalf("storetest: create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := exec(ctx, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Logf("storetest: drop %s: %v", name, err)
		}
	})
}

// Open returns a store working as the application role on a fresh database, and the owner URL.
func Open(tb testing.TB) (*store.Store, string) {
	tb.Helper()
	owner := NewDatabase(tb)
	s, err := store.Open(context.Background(), store.Options{URL: owner, MaxConns: 8})
	if err != nil {
		tb.Fatalf("storetest: open: %v", err)
	}
	tb.Cleanup(s.Close)
	return s, owner
}
