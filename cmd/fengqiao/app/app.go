// Package app is the composition root: it builds the whole application from a configuration —
// the store, the platform's keys, the authorizer, the domain services, the plugin platform and
// the HTTP application (api) — for the command line (cmd/fengqiao/cli) and the API's tests. It
// sits at the edge so that nothing under core/ knows api or the wiring of the whole.
package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fengqiao/fengqiao/api"
	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/config"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/jobs"
	"github.com/fengqiao/fengqiao/core/keyfile"
	"github.com/fengqiao/fengqiao/core/library"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/fengqiao/fengqiao/core/pluginhost"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/fengqiao/fengqiao/tenants"
)

// Options are what New needs beyond the configuration.
type Options struct {
	// Logger; nil: log.level and log.format on standard error.
	Logger *slog.Logger
	// Serve builds what a server runs: the token key is then required (the command line issues
	// no tokens), and the HTTP application is built (App.API).
	Serve bool
	// Plugins runs the plugin platform (core/pluginhost): every installed plugin is started, the
	// cases' before-hooks are asked of it and the queue hands it the plugins' events and jobs.
	Plugins bool
	// PluginHost tunes the plugins' supervision; its Logger defaults to Logger.
	PluginHost pluginhost.Options
	// WatchPlugins follows the catalog's changes made by other processes (a server); without
	// it the catalog is read at start and on Reload only.
	WatchPlugins bool
	// Registerer and Gatherer (both or neither) take the metrics of the plugins and of the HTTP
	// application; nil: each has a private registry (so that tests may build a second server
	// from App.Deps).
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
	// Version is what the HTTP application reports.
	Version string
}

// App is the application, built and ready to run.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	Store    *store.Store
	Authz    *authz.Authorizer
	Tenants  *tenant.Service
	Identity *identity.Service
	Cases    *cases.Service
	Orgs     *orgs.Service
	Warnings *warnings.Service
	Stats    *stats.Service
	Library  *library.Service
	Plugins  *pluginhost.Manager // with Options.Plugins; nil otherwise
	Queue    *jobs.Runner        // works the job queue (Start), handing plugin work to Plugins
	API      *api.Server         // with Options.Serve; nil otherwise
	Deps     api.Deps            // what API was built with (tests build a second server from it)

	PIIActiveKey string // the id of the key that seals new personal data
}

// NewLogger is the process logger the configuration asks for, writing to w.
func NewLogger(c config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Log.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// New connects to the database (database.url) and builds the application. Close releases it.
func New(ctx context.Context, cfg config.Config, o Options) (_ *App, err error) {
	// The regional packs ship in the binary: an invalid one stops every command that opens the
	// application, before anything is touched, naming the pack and the field.
	if _, err := tenants.Packs(); err != nil {
		return nil, err
	}
	if err := cfg.RequireDatabase(); err != nil {
		return nil, err
	}
	log := o.Logger
	if log == nil {
		log = NewLogger(cfg, os.Stderr)
	}
	st, err := store.Open(ctx, store.Options{URL: cfg.Database.URL, AppURL: cfg.Database.AppURL,
		MaxConns: cfg.Database.MaxConns, MinConns: cfg.Database.MinConns, Logger: log})
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, Store: st}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	keys, err := platformKeys(ctx, cfg, st, log, o.Serve)
	if err != nil {
		return nil, err
	}
	a.PIIActiveKey = keys.piiActive
	key := keys.token
	if len(key) == 0 {
		key = []byte("command-line-does-not-issue-tokens-0000000000") // never used to sign
	}
	if a.Authz, err = authz.New(ctx, &st.PolicyDB); err != nil {
		return nil, err
	}
	signer, err := identity.NewSigner(key, cfg.Auth.TokenTTL, cfg.Auth.Issuer)
	if err != nil {
		return nil, err
	}
	protector, err := piiProtector(keys)
	if err != nil {
		return nil, err
	}
	var hooks *pluginHooks
	var caseOpts []cases.Option
	if o.Plugins {
		hooks = &pluginHooks{}
		caseOpts = append(caseOpts, cases.WithHooks(hooks))
	}
	a.Tenants = tenant.NewService(&st.TenantDB, cfg.Tenancy.Placements, nil)
	a.Identity = identity.NewService(&st.UserDB, a.Authz, signer)
	a.Cases = cases.NewService(&st.CaseDB, protector, caseOpts...)
	a.Orgs = orgs.NewService(&st.OrgDB)
	a.Warnings = warnings.NewService(&st.WarningDB)
	a.Stats = stats.NewService(&st.StatsDB, nil)
	a.Library = library.NewService(st, a.Cases)

	if o.Plugins {
		if err := startPlugins(ctx, a, hooks, o); err != nil {
			return nil, err
		}
	}
	var runtime jobs.PluginRuntime // a nil *Manager in the interface would read as a runtime
	if a.Plugins != nil {
		runtime = a.Plugins
	}
	a.Queue = jobs.New(st, runtime, log)
	if o.Serve {
		a.Deps = api.Deps{
			Tenants: a.Tenants, Identity: a.Identity, Cases: a.Cases, Orgs: a.Orgs, Warnings: a.Warnings, Stats: a.Stats, Library: a.Library,
			Authz: a.Authz, Access: st, Roles: roleNames{a.Authz}, Audit: st, DB: st,
			Logger: log, Registerer: o.Registerer, Gatherer: o.Gatherer, BodyLimit: cfg.HTTP.BodyLimit, RequestTimeout: cfg.HTTP.RequestTimeout, Version: o.Version,
			MetricsToken: publicMetricsToken(cfg.HTTP),
			Console:      consoleOptions(cfg),
		}
		if a.Plugins != nil { // a nil *Manager in the interface would read as a platform
			a.Deps.Plugins, a.Deps.PluginStore = a.Plugins, st
		}
		a.API = api.New(a.Deps)
	}
	return a, nil
}

// Close stops the plugins and closes the store.
func (a *App) Close() {
	if a.Plugins != nil {
		a.Plugins.Close()
	}
	a.Store.Close()
}

// publicMetricsToken is the token /metrics asks for on http.addr: none when a listener of its
// own serves it (then http.addr does not).
func publicMetricsToken(h config.HTTP) string {
	if h.MetricsAddr != "" {
		return ""
	}
	return h.MetricsToken
}

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
		return resolvedKeys{}, errors.New("数据库的密钥表（platform_secrets）仍保存着旧版本的密钥；请先以所有者角色执行 fengqiao keys migrate --key-file PATH 将其移到密钥文件（并把 security.key_file 指向它）/ " +
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

// consoleOptions configure the web console's sessions: the CSRF tokens are keyed by a key
// derived from the token key (never stored), the lifetimes come from the configuration.
func consoleOptions(cfg config.Config) api.ConsoleOptions {
	m := hmac.New(sha256.New, []byte(cfg.Auth.TokenKey))
	m.Write([]byte("fengqiao console csrf v1"))
	return api.ConsoleOptions{CSRFKey: m.Sum(nil), IdleTimeout: cfg.Console.IdleTimeout, MaxAge: cfg.Console.MaxAge, SecureCookies: cfg.Console.SecureCookies}
}
