// Package cli owns the fengqiao command line (cobra): it loads the configuration, has
// cmd/fengqiao/app build the application from it, and runs the commands and the server.
package cli

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fengqiao/fengqiao/cmd/fengqiao/app"
	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/store"
)

// Version is set at build time (-ldflags "-X github.com/fengqiao/fengqiao/cmd/fengqiao/cli.Version=…").
var Version = "dev"

// cliContext marks changes made from the command line in the audit trail.
func cliContext(ctx context.Context, command string) context.Context {
	return audit.WithActor(ctx, audit.Actor{Subject: "system:" + command})
}

func printf(w io.Writer, format string, args ...any) { _, _ = fmt.Fprintf(w, format, args...) }

// watchPolicies keeps the authorizer in step with the rules other processes change (another
// instance, or `fengqiao admin create` while the server runs): each committed change arrives as
// the row added or removed and is applied incrementally, in commit order. The watcher only
// queues the changes, so it keeps reading while a reload runs; a burst of reload requests
// coalesces into one.
func watchPolicies(ctx context.Context, a *app.App) {
	q := newRemoteQueue()
	go a.Store.WatchPolicies(ctx, func(ch store.PolicyChange) { q.push(authz.RemoteChange(ch)) })
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.ready():
		}
		for _, ch := range q.take() {
			err := a.Authz.ApplyRemote(ctx, ch)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil && ch.Reload:
				a.Log.Error("reload authorization rules", "err", err)
			case err != nil:
				a.Log.Error("apply a change of the authorization rules by another process; reloading them", "row", ch.Row, "add", ch.Add, "err", err)
				q.push(authz.RemoteChange{Reload: true})
			case ch.Reload:
				a.Log.Info("authorization rules reloaded")
			default:
				a.Log.Debug("authorization rule changed by another process", "row", ch.Row, "add", ch.Add)
			}
		}
	}
}

// maxQueuedChanges bounds remoteQueue: beyond it, one reload replaces the queued changes.
const maxQueuedChanges = 10000

// remoteQueue hands changes from the watcher to the goroutine applying them, in order. A reload
// makes every change queued before it redundant (it reads storage after they committed), so
// pushing one drops them: a burst of reloads is one reload, and the queue stays bounded.
type remoteQueue struct {
	mu      sync.Mutex
	pending []authz.RemoteChange
	signal  chan struct{} // a token: take what is pending
}

func newRemoteQueue() *remoteQueue { return &remoteQueue{signal: make(chan struct{}, 1)} }

// ready receives when changes may be queued.
func (q *remoteQueue) ready() <-chan struct{} { return q.signal }

func (q *remoteQueue) push(ch authz.RemoteChange) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if ch.Reload || len(q.pending) >= maxQueuedChanges {
		q.pending = append(q.pending[:0], authz.RemoteChange{Reload: true})
	} else {
		q.pending = append(q.pending, ch)
	}
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// take returns the queued changes, oldest first, and empties the queue.
func (q *remoteQueue) take() []authz.RemoteChange {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.pending
	q.pending = nil
	return out
}

// registerPoolMetrics exposes the database pool's connections on /metrics.
func registerPoolMetrics(reg prometheus.Registerer, a *app.App) {
	gauge := func(name, help string, v func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "fengqiao", Subsystem: "db_pool", Name: name, Help: help}, v)
	}
	reg.MustRegister(
		gauge("acquired_conns", "Connections in use.", func() float64 { return float64(a.Store.PoolStats().AcquiredConns()) }),
		gauge("idle_conns", "Idle connections.", func() float64 { return float64(a.Store.PoolStats().IdleConns()) }),
		gauge("total_conns", "Open connections.", func() float64 { return float64(a.Store.PoolStats().TotalConns()) }),
		gauge("max_conns", "Configured maximum.", func() float64 { return float64(a.Store.PoolStats().MaxConns()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "fengqiao", Subsystem: "db_pool", Name: "empty_acquire_total",
			Help: "Acquires that had to wait for a connection."}, func() float64 { return float64(a.Store.PoolStats().EmptyAcquireCount()) }),
	)
}
