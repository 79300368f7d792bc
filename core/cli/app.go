// Package cli owns the fengqiao command line (cobra): it loads the configuration, wires the
// store, the authorizer, the domain services and the HTTP server together, and runs them.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/config"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/core/warnings"
)

// Version is set at build time (-ldflags "-X github.com/fengqiao/fengqiao/core/cli.Version=…").
var Version = "dev"

// app is everything a command needs, built from the configuration.
type app struct {
	cfg      config.Config
	log      *slog.Logger
	store    *store.Store
	authz    *authz.Authorizer
	tenants  *tenant.Service
	identity *identity.Service
	cases    *cases.Service
	orgs     *orgs.Service
	warnings *warnings.Service
	stats    *stats.Service
}

func newLogger(c config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Log.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// open connects to the database and builds the services. needSigner: the token key is required.
func open(ctx context.Context, cfg config.Config, needSigner bool) (*app, error) {
	if err := cfg.RequireDatabase(); err != nil {
		return nil, err
	}
	log := newLogger(cfg, os.Stderr)
	st, err := store.Open(ctx, store.Options{URL: cfg.Database.URL, AppURL: cfg.Database.AppURL,
		MaxConns: cfg.Database.MaxConns, MinConns: cfg.Database.MinConns, Logger: log})
	if err != nil {
		return nil, err
	}
	key := []byte(cfg.Auth.TokenKey)
	switch {
	case len(key) > 0:
	case needSigner:
		// Without auth.token_key every instance signs with one random key kept in the database.
		if key, err = st.Secret(ctx, "token_key"); err != nil {
			st.Close()
			return nil, fmt.Errorf("token signing key: %w", err)
		}
		log.Info("auth.token_key not set: signing login tokens with the key kept in the database")
	default:
		key = []byte("command-line-does-not-issue-tokens-0000000000") // never used to sign
	}
	az, err := authz.New(ctx, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	signer, err := identity.NewSigner(key, cfg.Auth.TokenTTL, cfg.Auth.Issuer)
	if err != nil {
		st.Close()
		return nil, err
	}
	protector, err := piiProtector(ctx, cfg, st, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &app{
		cfg: cfg, log: log, store: st, authz: az,
		tenants:  tenant.NewService(st, cfg.Tenancy.Placements, nil),
		identity: identity.NewService(st, az, signer),
		cases:    cases.NewService(st, protector),
		orgs:     orgs.NewService(st),
		warnings: warnings.NewService(st),
		stats:    stats.NewService(st, nil),
	}, nil
}

// piiProtector builds the protection of parties' personal data from security.pii_* or, when
// they are not configured, from keys created once and kept in the database (with a warning:
// a database dump then holds both the data and its key).
func piiProtector(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) (*pii.Protector, error) {
	keys, err := cfg.Security.Keys()
	if err != nil {
		return nil, err
	}
	active := cfg.Security.PIIActiveKey
	if len(keys) == 0 {
		k, err := st.Secret(ctx, "pii_key_db1")
		if err != nil {
			return nil, fmt.Errorf("personal data key: %w", err)
		}
		keys, active = map[string][]byte{"db1": k[:32]}, "db1"
		log.Warn("security.pii_keys not set: parties' personal data is encrypted with a key kept in the database; configure security.pii_keys in production")
	}
	indexKey, err := cfg.Security.IndexKey()
	if err != nil {
		return nil, err
	}
	if indexKey == nil {
		k, err := st.Secret(ctx, "pii_index_key")
		if err != nil {
			return nil, fmt.Errorf("personal data index key: %w", err)
		}
		indexKey = k[:32]
	}
	ring, err := pii.NewKeyring(keys, active)
	if err != nil {
		return nil, err
	}
	idx, err := pii.NewIndexer(indexKey)
	if err != nil {
		return nil, err
	}
	return pii.NewProtector(ring, idx), nil
}

func (a *app) Close() { a.store.Close() }

// roleNames adapts the authorizer's grants to the role names the API shows.
type roleNames struct{ a *authz.Authorizer }

func (r roleNames) RolesOf(sub string) []string {
	var out []string
	for _, g := range r.a.RolesOf(sub) {
		out = append(out, g.Role)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

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
func watchPolicies(ctx context.Context, a *app) {
	q := newRemoteQueue()
	go a.store.WatchPolicies(ctx, func(ch store.PolicyChange) { q.push(authz.RemoteChange(ch)) })
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.ready():
		}
		for _, ch := range q.take() {
			err := a.authz.ApplyRemote(ctx, ch)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil && ch.Reload:
				a.log.Error("reload authorization rules", "err", err)
			case err != nil:
				a.log.Error("apply a change of the authorization rules by another process; reloading them", "row", ch.Row, "add", ch.Add, "err", err)
				q.push(authz.RemoteChange{Reload: true})
			case ch.Reload:
				a.log.Info("authorization rules reloaded")
			default:
				a.log.Debug("authorization rule changed by another process", "row", ch.Row, "add", ch.Add)
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
func registerPoolMetrics(reg prometheus.Registerer, a *app) {
	gauge := func(name, help string, v func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "fengqiao", Subsystem: "db_pool", Name: name, Help: help}, v)
	}
	reg.MustRegister(
		gauge("acquired_conns", "Connections in use.", func() float64 { return float64(a.store.PoolStats().AcquiredConns()) }),
		gauge("idle_conns", "Idle connections.", func() float64 { return float64(a.store.PoolStats().IdleConns()) }),
		gauge("total_conns", "Open connections.", func() float64 { return float64(a.store.PoolStats().TotalConns()) }),
		gauge("max_conns", "Configured maximum.", func() float64 { return float64(a.store.PoolStats().MaxConns()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "fengqiao", Subsystem: "db_pool", Name: "empty_acquire_total",
			Help: "Acquires that had to wait for a connection."}, func() float64 { return float64(a.store.PoolStats().EmptyAcquireCount()) }),
	)
}
