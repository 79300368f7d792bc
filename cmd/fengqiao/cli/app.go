// Package cli owns the fengqiao command line (cobra): it loads the configuration, wires the
// store, the authorizer, the domain services and the HTTP server together, and runs them.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/config"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/keyfile"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/core/warnings"
)

// Version is set at build time (-ldflags "-X github.com/fengqiao/fengqiao/cmd/fengqiao/cli.Version=…").
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

	piiActiveKey string // the id of the key that seals new personal data
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
	keys, err := platformKeys(ctx, cfg, st, log, needSigner)
	if err != nil {
		st.Close()
		return nil, err
	}
	key := keys.token
	if len(key) == 0 {
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
	protector, err := piiProtector(keys)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &app{
		cfg: cfg, log: log, store: st, authz: az, piiActiveKey: keys.piiActive,
		tenants:  tenant.NewService(st, cfg.Tenancy.Placements, nil),
		identity: identity.NewService(st, az, signer),
		cases:    cases.NewService(st, protector),
		orgs:     orgs.NewService(st),
		warnings: warnings.NewService(st),
		stats:    stats.NewService(st, nil),
	}, nil
}

// resolvedKeys are the platform's keys for one process.
type resolvedKeys struct {
	token     []byte // nil when the command issues no tokens and none is configured
	pii       map[string][]byte
	piiActive string
	index     []byte
}

// legacySecrets is what platformKeys asks the store.
type legacySecrets interface {
	LegacySecretsRemain(ctx context.Context) (bool, error)
}

// platformKeys finds the keys: configured ones (auth.token_key, security.pii_*) win; the others
// come from the key file (security.key_file), which is created on first use outside production
// and must exist in production. Keys are never read from or written to the database: a dump of
// it must hold nothing that opens or signs (issue 12). While platform_secrets still holds the
// keys of an earlier version, nothing starts — starting with fresh keys would leave the sealed
// data unreadable and the tokens invalid — until `fengqiao keys migrate` moved them out.
func platformKeys(ctx context.Context, cfg config.Config, st legacySecrets, log *slog.Logger, needSigner bool) (resolvedKeys, error) {
	remain, err := st.LegacySecretsRemain(ctx)
	if err != nil {
		return resolvedKeys{}, err
	}
	if remain {
		return resolvedKeys{}, errors.New("数据库的 platform_secrets 表仍保存着旧版本的密钥；请先以所有者角色执行 fengqiao keys migrate --key-file PATH 将其移到密钥文件（并把 security.key_file 指向它）/ " +
			"platform_secrets still holds the keys of an earlier version: move them to a key file with `fengqiao keys migrate --key-file PATH` (as the owner role, database.url) and point security.key_file to it")
	}
	k := resolvedKeys{token: []byte(cfg.Auth.TokenKey), piiActive: cfg.Security.PIIActiveKey}
	if k.pii, err = cfg.Security.Keys(); err != nil {
		return k, err
	}
	if k.index, err = cfg.Security.IndexKey(); err != nil {
		return k, err
	}
	var missing []string
	if needSigner && len(k.token) == 0 {
		missing = append(missing, "auth.token_key")
	}
	if len(k.pii) == 0 {
		missing = append(missing, "security.pii_keys")
	}
	if k.index == nil {
		missing = append(missing, "security.pii_index_key")
	}
	if len(missing) == 0 {
		return k, nil
	}
	names := strings.Join(missing, ", ")
	path := cfg.Security.KeyFile
	if path == "" {
		return k, fmt.Errorf("缺少密钥：未配置 %s，且 security.key_file 为空 / missing keys: %s not configured and security.key_file (env FENGQIAO_SECURITY_KEY_FILE) is empty", names, names)
	}
	var fk keyfile.Keys
	if cfg.Production() {
		fk, err = keyfile.Read(path)
		if errors.Is(err, fs.ErrNotExist) {
			return k, fmt.Errorf("生产环境（server.environment=production）缺少密钥：未配置 %s，密钥文件 %s 不存在，生产环境不会自动创建 / production (server.environment) lacks keys: %s not configured and the key file %s (security.key_file, env FENGQIAO_SECURITY_KEY_FILE) does not exist; production never creates one",
				names, path, names, path)
		}
	} else {
		var created bool
		fk, created, err = keyfile.Create(path)
		if created {
			log.Warn("created the key file of the platform's keys; back it up and keep it out of database dumps: without it the sealed personal data cannot be read", "path", path)
		}
	}
	if err != nil {
		return k, fmt.Errorf("密钥文件 / key file (security.key_file) %s: %w", path, err)
	}
	if needSigner && len(k.token) == 0 {
		k.token = fk.TokenKey
	}
	if len(k.pii) == 0 {
		k.pii, k.piiActive = fk.PIIKeys, fk.PIIActiveKey
	}
	if k.index == nil {
		k.index = fk.PIIIndexKey
	}
	if (needSigner && len(k.token) == 0) || len(k.pii) == 0 || k.index == nil {
		return k, fmt.Errorf("密钥文件 %s 缺少 %s 所需的密钥 / the key file %s lacks a key of %s", path, names, path, names)
	}
	return k, nil
}

// piiProtector builds the protection of parties' personal data.
func piiProtector(k resolvedKeys) (*pii.Protector, error) {
	ring, err := pii.NewKeyring(k.pii, k.piiActive)
	if err != nil {
		return nil, err
	}
	idx, err := pii.NewIndexer(k.index)
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
