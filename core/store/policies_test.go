package store

// These tests are internal (package store) so they reach the unexported transaction helpers;
// an internal test cannot import storetest (it imports store), so policyTestStore makes its own
// fresh, migrated database on the cluster named by FENGQIAO_TEST_DATABASE_URL. The adapter on
// top of these methods is tested in core/authz.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func policyTestStore(t *testing.T) *Store {
	t.Helper()
	admin := os.Getenv("FENGQIAO_TEST_DATABASE_URL")
	if admin == "" {
		t.Fatal("FENGQIAO_TEST_DATABASE_URL is not set: run `make test`, or set it to a superuser URL of a disposable cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "fqt_pol_" + hex.EncodeToString(b)
	exec := func(sql string) error {
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		_, err = c.Exec(ctx, sql)
		return err
	}
	if err := exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err == nil {
			_, err = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
		if err != nil {
			t.Logf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	if _, err := Migrate(ctx, u.String(), nil); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	s, err := Open(ctx, Options{URL: u.String(), MaxConns: 4})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func sortedRows(rows [][]string) [][]string {
	out := append([][]string(nil), rows...)
	sort.Slice(out, func(i, j int) bool { return strings.Join(out[i], "\x00") < strings.Join(out[j], "\x00") })
	return out
}

func wantRules(t *testing.T, s *Store, want [][]string) {
	t.Helper()
	got, err := s.PolicyRules(context.Background())
	if err != nil {
		t.Fatalf("PolicyRules: %v", err)
	}
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(sortedRows(got), sortedRows(want)) {
		t.Fatalf("stored rules\n got %q\nwant %q", sortedRows(got), sortedRows(want))
	}
}

var (
	rowA = []string{"p", "district-admin", "*", "users", "create"}
	rowB = []string{"p", "district-staff", "*", "tenants", "read"}
	rowC = []string{"p", "district-staff", "310107", "offices", "read"}
	rowG = []string{"g", "user:1", "district-admin", "310107"}
	rowH = []string{"g", "user:2", "district-staff", "310107"}
)

func TestPolicyRules(t *testing.T) {
	s := policyTestStore(t)
	ctx := context.Background()
	reset := func(t *testing.T, rows ...[]string) {
		t.Helper()
		if err := s.ReplacePolicyRules(ctx, rows); err != nil {
			t.Fatalf("reset: %v", err)
		}
	}
	tests := []struct {
		name    string
		seed    [][]string
		do      func() error
		wantErr bool
		want    [][]string
	}{
		{name: "empty", want: nil, do: func() error { return nil }},
		{
			name: "add round-trips rows of any width, trailing empty values trimmed",
			do: func() error {
				return s.AddPolicyRules(ctx, [][]string{rowA, {"g", "a", "b"}, {"p", "x", "", "y", ""}, {"p", "v0", "v1", "v2", "v3", "v4", "v5"}})
			},
			want: [][]string{rowA, {"g", "a", "b"}, {"p", "x", "", "y"}, {"p", "v0", "v1", "v2", "v3", "v4", "v5"}},
		},
		{
			name: "duplicates ignored, within a batch and against stored rows",
			seed: [][]string{rowA},
			do:   func() error { return s.AddPolicyRules(ctx, [][]string{rowA, rowB, rowB}) },
			want: [][]string{rowA, rowB},
		},
		{name: "add nothing", seed: [][]string{rowA}, do: func() error { return s.AddPolicyRules(ctx, nil) }, want: [][]string{rowA}},
		{
			name:    "too many values refused",
			do:      func() error { return s.AddPolicyRules(ctx, [][]string{rowA, {"p", "1", "2", "3", "4", "5", "6", "7"}}) },
			wantErr: true,
		},
		{name: "empty ptype refused", do: func() error { return s.AddPolicyRules(ctx, [][]string{{"", "a"}}) }, wantErr: true},
		{name: "empty row refused", do: func() error { return s.AddPolicyRules(ctx, [][]string{{}}) }, wantErr: true},
		{
			name: "remove exact rows only",
			seed: [][]string{rowA, rowB, rowC, {"p", "district-staff", "*", "tenants"}},
			do: func() error {
				return s.RemovePolicyRules(ctx, [][]string{rowB, {"p", "district-admin", "*", "users"}, {"p", "nobody"}})
			},
			want: [][]string{rowA, rowC, {"p", "district-staff", "*", "tenants"}},
		},
		{
			name: "remove filtered by v0",
			seed: [][]string{rowA, rowB, rowC, rowG},
			do:   func() error { return s.RemoveFilteredPolicyRules(ctx, "p", 0, "district-staff") },
			want: [][]string{rowA, rowG},
		},
		{
			name: "remove filtered by v1",
			seed: [][]string{rowA, rowB, rowC, rowG, rowH},
			do:   func() error { return s.RemoveFilteredPolicyRules(ctx, "p", 1, "*") },
			want: [][]string{rowC, rowG, rowH},
		},
		{
			name: "remove filtered by several values, empty matching any",
			seed: [][]string{rowA, rowB, rowC, rowG, rowH},
			do:   func() error { return s.RemoveFilteredPolicyRules(ctx, "g", 0, "", "", "310107") },
			want: [][]string{rowA, rowB, rowC},
		},
		{
			name: "remove filtered by v1 and v2",
			seed: [][]string{rowA, rowB, rowC},
			do:   func() error { return s.RemoveFilteredPolicyRules(ctx, "p", 1, "*", "tenants") },
			want: [][]string{rowA, rowC},
		},
		{name: "filter beyond v5 refused", seed: [][]string{rowA}, do: func() error { return s.RemoveFilteredPolicyRules(ctx, "p", 5, "a", "b") }, wantErr: true},
		{name: "filter without values refused", seed: [][]string{rowA}, do: func() error { return s.RemoveFilteredPolicyRules(ctx, "p", 0) }, wantErr: true},
		{
			name: "replace all",
			seed: [][]string{rowA, rowB, rowG},
			do:   func() error { return s.ReplacePolicyRules(ctx, [][]string{rowC, rowH, rowH}) },
			want: [][]string{rowC, rowH},
		},
		{
			name:    "replace with a bad row changes nothing",
			seed:    [][]string{rowA, rowB},
			do:      func() error { return s.ReplacePolicyRules(ctx, [][]string{rowC, {""}}) },
			wantErr: true,
			want:    [][]string{rowA, rowB},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reset(t, tt.seed...)
			err := tt.do()
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr && tt.want == nil {
				tt.want = tt.seed
			}
			wantRules(t, s, tt.want)
		})
	}
}

func TestPolicyRowsTx(t *testing.T) {
	s := policyTestStore(t)
	ctx := context.Background()
	if err := s.ReplacePolicyRules(ctx, [][]string{rowA, rowH}); err != nil {
		t.Fatal(err)
	}
	errRollback := errors.New("roll back")

	// Rolled back: nothing happens.
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := insertPolicyRowsTx(ctx, tx, [][]string{rowG}); err != nil {
			return err
		}
		if err := deletePolicyRowsTx(ctx, tx, [][]string{rowA}); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("err = %v", err)
	}
	wantRules(t, s, [][]string{rowA, rowH})

	// Committed.
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := insertPolicyRowsTx(ctx, tx, [][]string{rowG, rowH, {"g", "user:2", "district-admin", "310107"}}); err != nil {
			return err
		}
		return deletePolicyRowsTx(ctx, tx, [][]string{rowA, rowB})
	})
	if err != nil {
		t.Fatal(err)
	}
	wantRules(t, s, [][]string{rowG, rowH, {"g", "user:2", "district-admin", "310107"}})

	var deleted [][]string
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		deleted, err = deleteSubjectGrantsTx(ctx, tx, "user:2", "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{rowH, {"g", "user:2", "district-admin", "310107"}}; !reflect.DeepEqual(sortedRows(deleted), sortedRows(want)) {
		t.Fatalf("deleted %q, want %q", deleted, want)
	}
	wantRules(t, s, [][]string{rowG})

	if err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return insertPolicyRowsTx(ctx, tx, [][]string{{"p", "1", "2", "3", "4", "5", "6", "7"}})
	}); err == nil {
		t.Fatal("a row with 7 values was accepted")
	}
}
