package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// A change of the rules committed by one process reaches the watchers of the others, and not
// the process's own watcher.
func TestWatchPoliciesSeesOtherProcesses(t *testing.T) {
	a, owner := storetest.Open(t)
	b, err := store.Open(context.Background(), store.Options{URL: owner, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if a.Origin() == b.Origin() {
		t.Fatal("two stores share an origin")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seenByA, seenByB := make(chan struct{}, 10), make(chan struct{}, 10)
	go a.WatchPolicies(ctx, func() { seenByA <- struct{}{} })
	go b.WatchPolicies(ctx, func() { seenByB <- struct{}{} })
	time.Sleep(300 * time.Millisecond) // both LISTENs in place

	if err := a.AddPolicyRules(ctx, [][]string{{"g", "user:watch-test", "district-staff", "310107"}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-seenByB:
	case <-time.After(10 * time.Second):
		t.Fatal("the other process was not notified of the change")
	}
	select {
	case <-seenByA:
		t.Fatal("a process was notified of its own change")
	case <-time.After(500 * time.Millisecond):
	}
}
