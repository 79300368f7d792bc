package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// watchChanges starts s.WatchPolicies until the test ends and returns the changes it delivers,
// once the watch is in place (its first delivery, a Reload, has been received).
func watchChanges(t *testing.T, s *store.Store) <-chan store.PolicyChange {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	changes := make(chan store.PolicyChange, 1000)
	go func() {
		defer close(done)
		s.WatchPolicies(ctx, func(ch store.PolicyChange) { changes <- ch })
	}()
	if ch := nextChange(t, changes); !ch.Reload {
		t.Fatalf("first change %+v, want the Reload of a new connection", ch)
	}
	return changes
}

func nextChange(t *testing.T, changes <-chan store.PolicyChange) store.PolicyChange {
	t.Helper()
	select {
	case ch := <-changes:
		return ch
	case <-time.After(10 * time.Second):
		t.Fatal("no change delivered within 10 s")
		return store.PolicyChange{}
	}
}

func expectChanges(t *testing.T, changes <-chan store.PolicyChange, want ...store.PolicyChange) {
	t.Helper()
	for i, w := range want {
		got := nextChange(t, changes)
		if got.Reload != w.Reload || got.Add != w.Add || !slices.Equal(got.Row, w.Row) {
			t.Fatalf("change %d = %+v, want %+v", i, got, w)
		}
	}
}

func expectNoChange(t *testing.T, changes <-chan store.PolicyChange) {
	t.Helper()
	select {
	case ch := <-changes:
		t.Fatalf("unexpected change %+v", ch)
	case <-time.After(300 * time.Millisecond):
	}
}

func add(row ...string) store.PolicyChange    { return store.PolicyChange{Add: true, Row: row} }
func remove(row ...string) store.PolicyChange { return store.PolicyChange{Row: row} }

var reload = store.PolicyChange{Reload: true}

// ownerExec runs statements as the owner, in a session without fengqiao.origin (like psql).
func ownerExec(t *testing.T, owner string, sqls ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range sqls {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
}

// openOther opens a second store (another process, as far as notifications go) on owner.
func openOther(t *testing.T, owner string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), store.Options{URL: owner, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// A change of the rules committed by one process reaches the watchers of the others, and not
// the process's own watcher.
func TestWatchPoliciesSeesOtherProcesses(t *testing.T) {
	a, owner := storetest.Open(t)
	b := openOther(t, owner)
	if a.Origin() == b.Origin() {
		t.Fatal("two stores share an origin")
	}
	seenByA, seenByB := watchChanges(t, a), watchChanges(t, b)
	ctx := context.Background()
	if err := a.AddPolicyRules(ctx, [][]string{{"g", "user:watch-test", "district-staff", "310107"}}); err != nil {
		t.Fatal(err)
	}
	expectChanges(t, seenByB, add("g", "user:watch-test", "district-staff", "310107"))
	expectNoChange(t, seenByA)
}

// Every kind of change arrives as what it did to the rows, in commit order.
func TestWatchPoliciesPayloads(t *testing.T) {
	a, owner := storetest.Open(t)
	b := openOther(t, owner)
	changes := watchChanges(t, b)
	ctx := context.Background()
	x := []string{"g", "user:x", "district-staff", "310107"}
	p := []string{"p", "district-staff", "*", "cases", "read"}

	t.Run("add", func(t *testing.T) {
		if err := a.AddPolicyRules(ctx, [][]string{x, p}); err != nil {
			t.Fatal(err)
		}
		expectChanges(t, changes, add(x...), add(p...))
		if err := a.AddPolicyRules(ctx, [][]string{x}); err != nil { // held already: no row inserted
			t.Fatal(err)
		}
		expectNoChange(t, changes)
	})
	t.Run("remove", func(t *testing.T) {
		if err := a.RemovePolicyRules(ctx, [][]string{x}); err != nil {
			t.Fatal(err)
		}
		expectChanges(t, changes, remove(x...))
	})
	t.Run("trailing empty values trimmed", func(t *testing.T) {
		ownerExec(t, owner, `INSERT INTO casbin_rule (ptype, v0, v1) VALUES ('g', 'user:short', 'role')`)
		expectChanges(t, changes, add("g", "user:short", "role"))
	})
	t.Run("update is remove old, add new", func(t *testing.T) {
		ownerExec(t, owner, `UPDATE casbin_rule SET v2 = '310108', v1 = '' WHERE v0 = 'user:short'`)
		expectChanges(t, changes, remove("g", "user:short", "role"), add("g", "user:short", "", "310108"))
	})
	t.Run("truncate reloads", func(t *testing.T) {
		ownerExec(t, owner, `TRUNCATE casbin_rule`)
		expectChanges(t, changes, reload)
	})
	t.Run("a row too large for a notification reloads", func(t *testing.T) {
		ownerExec(t, owner, `INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ('g', 'user:' || repeat('x', 9000), 'role', '310107')`)
		expectChanges(t, changes, reload)
		ownerExec(t, owner, `INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ('g', 'user:' || repeat('y', 7800), 'role', '310107')`)
		expectChanges(t, changes, add("g", "user:"+strings.Repeat("y", 7800), "role", "310107")) // just fits
		ownerExec(t, owner, `DELETE FROM casbin_rule WHERE length(v0) > 7000`)
		expectChanges(t, changes, reload, remove("g", "user:"+strings.Repeat("y", 7800), "role", "310107"))
	})
	t.Run("an unreadable payload reloads", func(t *testing.T) {
		ownerExec(t, owner, `SELECT pg_notify('fengqiao_policy', 'not json')`,
			`SELECT pg_notify('fengqiao_policy', '{"origin":"","seq":1,"op":"shrug","row":["g","a"]}')`,
			`SELECT pg_notify('fengqiao_policy', '{"origin":"","seq":1,"op":"add","row":[]}')`)
		expectChanges(t, changes, reload, reload, reload)
	})
	t.Run("own origin skipped, in either payload format", func(t *testing.T) {
		ownerExec(t, owner, `SELECT pg_notify('fengqiao_policy', '`+b.Origin()+`')`,
			`SELECT pg_notify('fengqiao_policy', '{"origin":"`+b.Origin()+`","seq":1,"op":"add","row":["g","a","b","c"]}')`)
		if err := b.AddPolicyRules(ctx, [][]string{x}); err != nil {
			t.Fatal(err)
		}
		expectNoChange(t, changes)
	})
}

// PostgreSQL drops a notification whose payload repeats an earlier one of the same transaction,
// adjacent or not — why payloads carry a sequence number (migration 00017).
func TestNotifyDropsRepeatedPayloads(t *testing.T) {
	_, owner := storetest.Open(t)
	ctx := context.Background()
	listener, err := pgx.Connect(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close(ctx)
	if _, err := listener.Exec(ctx, "LISTEN dedup_probe"); err != nil {
		t.Fatal(err)
	}
	ownerExec(t, owner, `BEGIN`, `SELECT pg_notify('dedup_probe', 'x')`, `SELECT pg_notify('dedup_probe', 'y')`,
		`SELECT pg_notify('dedup_probe', 'x')`, `COMMIT`)
	var got []string
	for {
		wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		n, err := listener.WaitForNotification(wctx)
		cancel()
		if err != nil {
			break
		}
		got = append(got, n.Payload)
	}
	if !slices.Equal(got, []string{"x", "y"}) {
		t.Logf("PostgreSQL delivered %q for x, y, x in one transaction (this version keeps repeats)", got)
	}
}

// A row removed and added again — or added, removed and added — in one transaction ends as it
// is stored: no notification is lost as a duplicate of an earlier one.
func TestWatchPoliciesSameRowTwiceInATransaction(t *testing.T) {
	_, owner := storetest.Open(t)
	b := openOther(t, owner)
	changes := watchChanges(t, b)
	const ins = `INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ('g', 'user:twice', 'district-staff', '310107')`
	const del = `DELETE FROM casbin_rule WHERE v0 = 'user:twice'`
	x := []string{"g", "user:twice", "district-staff", "310107"}
	for _, tt := range []struct {
		name  string
		sqls  []string
		want  []store.PolicyChange
		final bool
	}{
		{"add, remove, add", []string{ins, del, ins}, []store.PolicyChange{add(x...), remove(x...), add(x...)}, true},
		{"remove, add, remove", []string{del, ins, del}, []store.PolicyChange{remove(x...), add(x...), remove(x...)}, false},
		{"add, remove, add, remove, add", []string{ins, del, ins, del, ins},
			[]store.PolicyChange{add(x...), remove(x...), add(x...), remove(x...), add(x...)}, true},
		{"remove rolled back to a savepoint", []string{del, "SAVEPOINT s", ins, del, "ROLLBACK TO SAVEPOINT s", ins},
			[]store.PolicyChange{remove(x...), add(x...)}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ownerExec(t, owner, append(append([]string{"BEGIN"}, tt.sqls...), "COMMIT")...)
			held := map[string]bool{}
			for i, w := range tt.want {
				got := nextChange(t, changes)
				if got.Reload || got.Add != w.Add || !slices.Equal(got.Row, w.Row) {
					t.Fatalf("change %d = %+v, want %+v", i, got, w)
				}
				held[strings.Join(got.Row, ",")] = got.Add
			}
			expectNoChange(t, changes)
			stored := storetest.QueryInt(t, owner, `SELECT count(*) FROM casbin_rule WHERE v0 = 'user:twice'`) == 1
			if stored != tt.final || held[strings.Join(x, ",")] != stored {
				t.Errorf("stored %v, the changes leave it held %v; want %v", stored, held[strings.Join(x, ",")], tt.final)
			}
		})
	}
}

// After its connection is lost the watcher reconnects and delivers a Reload, since changes may
// have been missed meanwhile; then changes arrive again.
func TestWatchPoliciesReconnects(t *testing.T) {
	a, owner := storetest.Open(t)
	b := openOther(t, owner)
	changes := watchChanges(t, b)
	if storetest.QueryInt(t, owner, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN fengqiao_policy'`) != 1 {
		t.Fatal("the watcher's connection was not found")
	}
	expectChanges(t, changes, reload)
	if err := a.AddPolicyRules(context.Background(), [][]string{{"g", "user:after", "district-staff", "310107"}}); err != nil {
		t.Fatal(err)
	}
	expectChanges(t, changes, add("g", "user:after", "district-staff", "310107"))
}
