package authz

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// propagationDeadline bounds how long a change may take to reach the other server in these
// tests; the target (one second) is measured and logged, not asserted.
const propagationDeadline = 5 * time.Second

// heldRows returns a's in-memory rules as storage rows (ptype first).
func heldRows(a *Authorizer) [][]string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	var out [][]string
	for _, sec := range []string{"p", "g"} {
		for ptype, ast := range a.e.GetModel()[sec] {
			for _, r := range ast.Policy {
				out = append(out, append([]string{ptype}, r...))
			}
		}
	}
	return out
}

// applied is a change B's watcher applied, when, and how it went.
type applied struct {
	ch  RemoteChange
	at  time.Time
	err error
}

// twoServers returns two authorizers over two stores (two pools, two origins) on one
// database, as two server processes have: B follows the changes stored by others
// (store.WatchPolicies → ApplyRemote) and reports each one it applied. seed is stored first.
func twoServers(t *testing.T, seed [][]string) (azA *Authorizer, sA *store.Store, azB *Authorizer, sB *store.Store, seen <-chan applied) {
	t.Helper()
	ctx := context.Background()
	sA, owner := storetest.Open(t)
	sB, err := store.Open(ctx, store.Options{URL: owner, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sB.Close)
	if err := sA.AddPolicyRules(ctx, seed); err != nil {
		t.Fatal(err)
	}
	if azA, err = New(ctx, sA); err != nil {
		t.Fatal(err)
	}
	if azB, err = New(ctx, sB); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done }) // before the stores close
	out := make(chan applied, 10000)
	go func() {
		defer close(done)
		sB.WatchPolicies(wctx, func(ch store.PolicyChange) {
			rc := RemoteChange(ch)
			out <- applied{ch: rc, err: azB.ApplyRemote(wctx, rc), at: time.Now()}
		})
	}()
	select { // the Reload of the watch's first connection: the watch is in place
	case ap := <-out:
		if !ap.ch.Reload || ap.err != nil {
			t.Fatalf("first change %+v, %v; want a Reload", ap.ch, ap.err)
		}
	case <-time.After(propagationDeadline):
		t.Fatal("the watch did not start")
	}
	return azA, sA, azB, sB, out
}

// fitRow pads a row to the model's width for its type, whatever that width is.
func TestFitRow(t *testing.T) {
	wide := mustModel(t, `
[request_definition]
r = sub, rdom, dom, obj, act, rel
[policy_definition]
p = sub, dom, obj, act, rel, eft
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub, r.dom) && r.obj == p.obj && r.act == p.act
`)
	for _, tt := range []struct {
		m    string
		row  []string
		want []string // nil: an error
	}{
		{"wide", []string{"p", "role", "*", "cases", "read"}, []string{"p", "role", "*", "cases", "read", "", ""}},
		{"wide", []string{"p", "role", "*", "cases", "read", "", "allow"}, []string{"p", "role", "*", "cases", "read", "", "allow"}},
		{"wide", []string{"g", "user:a", "role"}, []string{"g", "user:a", "role", ""}},
		{"wide", []string{"p", "a", "b", "c", "d", "e", "f", "g"}, nil},
		{"ours", []string{"p", "role", "*", "cases", "read"}, []string{"p", "role", "*", "cases", "read", "", ""}},
		{"ours", []string{"p", "role", "*", "cases"}, []string{"p", "role", "*", "cases", "", "", ""}},
		{"ours", []string{"p", "role", "*", "cases", "read", "owner", "allow"}, []string{"p", "role", "*", "cases", "read", "owner", "allow"}},
		{"ours", []string{"p", "role", "*", "cases", "read", "owner", "allow", "x"}, nil},
		{"ours", []string{"g", "user:a", "role", "310107", "x"}, nil},
		{"ours", []string{"p99", "x"}, nil},
		{"ours", []string{""}, nil},
		{"ours", nil, nil},
	} {
		m := wide
		if tt.m == "ours" {
			m = mustModel(t, modelText)
		}
		got, err := fitRow(m, tt.row)
		if (err != nil) != (tt.want == nil) || !slices.Equal(got, tt.want) {
			t.Errorf("%s model: fitRow(%q) = %q, %v; want %q", tt.m, tt.row, got, err, tt.want)
		}
	}
}

func TestApplyRemote(t *testing.T) {
	a, s := newTestAuthorizer(t)
	ctx := context.Background()
	const u = "user:00000000-0000-0000-0000-0000000000dd"
	grant := GrantRows(u, []string{identity.RoleDistrictAdmin}, "310107")[0]
	if err := a.ApplyRemote(ctx, RemoteChange{Add: true, Row: grant}); err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, a, []decision{{u, "310107", ObjUsers, ActCreate, true}})
	if err := a.ApplyRemote(ctx, RemoteChange{Add: true, Row: grant}); err != nil { // held: nothing changes
		t.Fatal(err)
	}
	if err := a.ApplyRemote(ctx, RemoteChange{Row: grant}); err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, a, []decision{{u, "310107", ObjUsers, ActCreate, false}})
	if err := a.ApplyRemote(ctx, RemoteChange{Row: grant}); err != nil { // not held: nothing changes
		t.Fatal(err)
	}
	before := heldRows(a)
	for _, row := range [][]string{nil, {"g"}, {"x", "a"}, {"g", "user:a", "role", "310107", "extra"}, {"p", "role", "*", "cases", "read", "owner", "allow", "x"}, {"p", "role", "*", "cases", "read"}} {
		if err := a.ApplyRemote(ctx, RemoteChange{Add: true, Row: row}); !errors.Is(err, ErrBadRule) {
			t.Errorf("ApplyRemote(add %q) = %v, want ErrBadRule", row, err)
		}
	}
	if !sameRows(heldRows(a), before) {
		t.Error("a refused change changed the rules")
	}
	// A Reload change reads storage again.
	if err := s.AddPolicyRules(ctx, [][]string{grant}); err != nil {
		t.Fatal(err)
	}
	if err := a.ApplyRemote(ctx, RemoteChange{Reload: true}); err != nil {
		t.Fatal(err)
	}
	checkDecisions(t, a, []decision{{u, "310107", ObjUsers, ActCreate, true}})
	stored, err := s.PolicyRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sameRows(heldRows(a), stored) {
		t.Error("after a Reload change the rules differ from storage")
	}
}

// pollAllowed polls a until its decision is want, and returns how long that took.
func pollAllowed(t *testing.T, a *Authorizer, want bool, sub, dom, obj, act string) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		got, err := a.Allowed(sub, dom, obj, act)
		if err != nil {
			t.Fatal(err)
		}
		if got == want {
			return time.Since(start)
		}
		if time.Since(start) > propagationDeadline {
			t.Fatalf("Allowed(%s, %s, %s, %s) still %v after %v", sub, dom, obj, act, got, propagationDeadline)
		}
		time.Sleep(time.Millisecond)
	}
}

// A grant stored and announced by one server reaches the other's decisions, and so does its
// removal.
func TestApplyRemoteAcrossServers(t *testing.T) {
	azA, sA, azB, _, _ := twoServers(t, nil)
	ctx := context.Background()
	const u = "user:00000000-0000-0000-0000-0000000000ee"
	grant := GrantRows(u, []string{identity.RoleDistrictAdmin}, "310107")
	checkDecisions(t, azB, []decision{{u, "310107", ObjUsers, ActCreate, false}})

	start := time.Now()
	if err := sA.AddPolicyRules(ctx, grant); err != nil {
		t.Fatal(err)
	}
	if err := azA.Granted(grant); err != nil {
		t.Fatal(err)
	}
	pollAllowed(t, azB, true, u, "310107", ObjUsers, ActCreate)
	t.Logf("grant reached the other server in %v", time.Since(start))
	checkDecisions(t, azB, []decision{{u, "310101", ObjUsers, ActCreate, false}}) // and no further

	start = time.Now()
	if err := sA.RemovePolicyRules(ctx, grant); err != nil {
		t.Fatal(err)
	}
	if err := azA.Revoked(grant); err != nil {
		t.Fatal(err)
	}
	pollAllowed(t, azB, false, u, "310107", ObjUsers, ActCreate)
	t.Logf("revocation reached the other server in %v", time.Since(start))
}

// Changes streaming in while decisions run on several goroutines and reloads are requested:
// decisions never fail or lose a stable grant, and the rules end equal to storage (run with
// -race).
func TestApplyRemoteWhileDeciding(t *testing.T) {
	const stable = "user:00000000-0000-0000-0000-00000000a11a"
	azA, sA, azB, _, seen := twoServers(t, GrantRows(stable, []string{identity.RoleDistrictAdmin}, "310107"))
	ctx := context.Background()
	subject := func(i int) string { return fmt.Sprintf("user:00000000-0000-0000-0000-%012d", i) }
	stop := make(chan struct{})
	errs := make(chan error, 32)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if ok, err := azB.Allowed(stable, "310107", ObjUsers, ActCreate); err != nil || !ok {
					errs <- fmt.Errorf("decider %d: stable grant: %v, %v", w, ok, err)
					return
				}
				if _, err := azB.Allowed(subject(i%20), "310107", ObjOffices, ActRead); err != nil {
					errs <- err
					return
				}
				_ = azB.RolesOf(subject(i % 20))
			}
		}()
	}
	wg.Add(1)
	go func() { // reloads requested meanwhile, as after a reconnect
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if err := azB.ApplyRemote(ctx, RemoteChange{Reload: true}); err != nil {
				errs <- err
				return
			}
		}
	}()
	rnd := rand.New(rand.NewPCG(1, 2))
	roles := []string{identity.RoleDistrictAdmin, identity.RoleDistrictStaff}
	for range 300 {
		rows := GrantRows(subject(rnd.IntN(20)), roles[rnd.IntN(2):][:1], "310107")
		if rnd.IntN(2) == 0 {
			if err := sA.AddPolicyRules(ctx, rows); err != nil {
				t.Fatal(err)
			}
			if err := azA.Granted(rows); err != nil {
				t.Fatal(err)
			}
		} else {
			if err := sA.RemovePolicyRules(ctx, rows); err != nil {
				t.Fatal(err)
			}
			if err := azA.Revoked(rows); err != nil {
				t.Fatal(err)
			}
		}
	}
	deadline := time.Now().Add(propagationDeadline)
	for {
		stored, err := sA.PolicyRules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sameRows(heldRows(azB), stored) && sameRows(heldRows(azA), stored) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the other server's rules differ from storage after %v", propagationDeadline)
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for len(seen) > 0 {
		if ap := <-seen; ap.err != nil {
			t.Errorf("ApplyRemote(%+v): %v", ap.ch, ap.err)
		}
	}
}

// TestRemotePropagationLatency measures how long a change stored by one server takes to be
// applied by another (commit, notification, ApplyRemote), over 50 changes, and logs p50, p90
// and max (go test -run TestRemotePropagationLatency -v ./core/authz/). Only the deadline is
// asserted.
func TestRemotePropagationLatency(t *testing.T) {
	azA, sA, azB, _, seen := twoServers(t, nil)
	ctx := context.Background()
	const n = 50
	var lat []time.Duration
	for i := range n {
		sub := fmt.Sprintf("user:00000000-0000-0000-0000-%012d", i/2)
		rows := GrantRows(sub, []string{identity.RoleDistrictStaff}, "310107")
		add := i%2 == 0
		start := time.Now()
		var err error
		if add {
			if err = sA.AddPolicyRules(ctx, rows); err == nil {
				err = azA.Granted(rows)
			}
		} else {
			if err = sA.RemovePolicyRules(ctx, rows); err == nil {
				err = azA.Revoked(rows)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		select {
		case ap := <-seen:
			if ap.err != nil {
				t.Fatalf("ApplyRemote(%+v): %v", ap.ch, ap.err)
			}
			if ap.ch.Reload || ap.ch.Add != add || !slices.Equal(ap.ch.Row, rows[0]) {
				t.Fatalf("applied %+v, want add=%v %q", ap.ch, add, rows[0])
			}
			lat = append(lat, ap.at.Sub(start))
		case <-time.After(propagationDeadline):
			t.Fatalf("change %d not applied by the other server within %v", i, propagationDeadline)
		}
		checkDecisions(t, azB, []decision{{sub, "310107", ObjOffices, ActRead, add}})
	}
	slices.Sort(lat)
	t.Logf("propagation to another server over %d changes: p50 %v, p90 %v, max %v",
		n, lat[n/2].Round(time.Microsecond), lat[n*9/10].Round(time.Microsecond), lat[n-1].Round(time.Microsecond))
}
