package pluginhost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/plugins"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

// Catalog is the store of the catalog and of enablements.
type Catalog interface {
	Plugins(ctx context.Context) ([]plugins.Record, error)
	PluginEnablements(ctx context.Context) ([]plugins.Enablement, error)
}

// Options tune supervision.
type Options struct {
	Logger         *slog.Logger
	MaxConcurrent  int           // calls in flight per plugin; 0: 64
	CrashLimit     int           // crashes within CrashWindow that deactivate a plugin; 0: 5
	CrashWindow    time.Duration // 0: 10 minutes
	HealthInterval time.Duration // 0: 15 s
	MaxBackoff     time.Duration // longest wait before a restart; 0: 30 s
	// CoolOff is how long a deactivated plugin stays deactivated before the host tries it
	// once more by itself; it doubles after every failed trial, up to MaxCoolOff. 0: 5 min.
	CoolOff    time.Duration
	MaxCoolOff time.Duration // 0: 1 h
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = 64
	}
	if o.CrashLimit <= 0 {
		o.CrashLimit = 5
	}
	if o.CrashWindow <= 0 {
		o.CrashWindow = 10 * time.Minute
	}
	if o.HealthInterval <= 0 {
		o.HealthInterval = 15 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	if o.CoolOff <= 0 {
		o.CoolOff = 5 * time.Minute
	}
	if o.MaxCoolOff <= 0 {
		o.MaxCoolOff = time.Hour
	}
}

// Manager runs the installed plugins and dispatches work to them.
type Manager struct {
	opts    Options
	log     *slog.Logger
	catalog Catalog
	host    *hostServer
	metrics *metrics

	mu       sync.RWMutex
	records  map[string]plugins.Record
	settings map[string]*plugins.Settings // compiled settings schemas
	ens      []plugins.Enablement
	procs    map[string]*proc
	// grants: what each plugin may do through the host API, per governing tenant (Casbin).
	grants *authz.PluginGrants
	// applied caches Enabled's settings (defaults applied, schema checked) by plugin and
	// tenant: they depend only on what Reload loads, which replaces the cache.
	applied *sync.Map // settingsKey → json.RawMessage

	stop   context.CancelFunc
	wg     sync.WaitGroup
	closed atomic.Bool // no more trial starts
}

// proc is one plugin's process, as supervised.
type proc struct {
	name string
	sem  chan struct{}

	mu          sync.Mutex
	rec         plugins.Record
	conn        *conn
	inflight    *atomic.Int64 // calls on conn
	starting    bool
	crashes     []time.Time
	restarts    int
	nextStart   time.Time
	deactivated bool
	lastErr     string
	healthy     bool
	startedAt   time.Time
	// Deactivation: since when, until when (the cool-off, doubling with every deactivation
	// until an operator's restart or an upgrade), and whether the process runs on trial after
	// its cool-off (its first failure deactivates it again).
	deactivatedAt time.Time
	reactivateAt  time.Time
	coolOff       time.Duration
	trial         bool
	deactivations int // a generation: a cool-off's timer acts only on its own deactivation
}

// New returns a manager; Start loads the catalog and starts the plugins.
func New(catalog Catalog, deps HostDeps, opts Options) *Manager {
	opts.defaults()
	grants, err := authz.NewPluginGrants()
	if err != nil {
		panic(err) // the model is a constant
	}
	m := &Manager{opts: opts, log: opts.Logger, catalog: catalog, records: map[string]plugins.Record{},
		settings: map[string]*plugins.Settings{}, procs: map[string]*proc{}, applied: &sync.Map{}, metrics: newMetrics(), grants: grants}
	m.host = newHostServer(m, deps)
	return m
}

// Watcher announces catalog changes (store.WatchPlugins).
type Watcher interface {
	WatchPlugins(ctx context.Context, onChange func())
}

// Start loads the catalog, starts every installed plugin, and keeps following the catalog
// (with w; nil: only what Reload is told) and the plugins' health until Close.
func (m *Manager) Start(ctx context.Context, w Watcher) error {
	ctx, m.stop = context.WithCancel(context.WithoutCancel(ctx))
	if err := m.Reload(ctx); err != nil {
		return err
	}
	if w != nil {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			w.WatchPlugins(ctx, func() {
				if err := m.Reload(ctx); err != nil {
					m.log.Error("plugin catalog reload failed", "err", err)
				}
			})
		}()
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(m.opts.HealthInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				m.superviseAll(ctx)
			}
		}
	}()
	return nil
}

// Close stops every plugin process.
func (m *Manager) Close() {
	m.closed.Store(true)
	if m.stop != nil {
		m.stop()
	}
	m.wg.Wait()
	m.mu.Lock()
	procs := m.procs
	m.procs = map[string]*proc{}
	m.mu.Unlock()
	for _, p := range procs {
		p.mu.Lock()
		c := p.conn
		p.conn = nil
		p.mu.Unlock()
		if c != nil {
			c.kill()
		}
	}
}

// Reload reads the catalog and enablements again; a plugin whose binary changed (an upgrade)
// is started anew and swapped in, its old process drained and stopped; a removed one stops.
func (m *Manager) Reload(ctx context.Context) error {
	recs, err := m.catalog.Plugins(ctx)
	if err != nil {
		return err
	}
	ens, err := m.catalog.PluginEnablements(ctx)
	if err != nil {
		return err
	}
	records, schemas := map[string]plugins.Record{}, map[string]*plugins.Settings{}
	for _, r := range recs {
		records[r.Name] = r
		s, err := plugins.CompileSettings(r.Manifest.SettingsSchema)
		if err != nil {
			m.log.Error("plugin settings schema does not compile", "plugin", r.Name, "err", err)
			continue
		}
		schemas[r.Name] = s
	}
	var grants []authz.PluginGrant
	for _, e := range ens {
		if r, ok := records[e.Plugin]; ok && e.Enabled {
			for _, p := range plugins.GrantedPermissions(r.Manifest, e) {
				grants = append(grants, authz.PluginGrant{Plugin: e.Plugin, Tenant: e.TenantCode, Permission: p})
			}
		}
	}
	if err := m.grants.Replace(grants); err != nil {
		return err
	}
	m.mu.Lock()
	m.records, m.settings, m.ens, m.applied = records, schemas, ens, &sync.Map{}
	var upgrade []*proc
	for name, p := range m.procs {
		r, ok := records[name]
		if !ok {
			delete(m.procs, name)
			go p.retire(m.log)
			continue
		}
		p.mu.Lock()
		if p.rec.SHA256 != r.SHA256 || p.rec.Path != r.Path {
			p.rec = r
			p.deactivated, p.crashes, p.nextStart, p.coolOff, p.trial = false, nil, time.Time{}, 0, false
			upgrade = append(upgrade, p)
		}
		p.mu.Unlock()
	}
	for name, r := range records {
		if _, ok := m.procs[name]; !ok {
			m.procs[name] = &proc{name: name, rec: r, sem: make(chan struct{}, m.opts.MaxConcurrent)}
			upgrade = append(upgrade, m.procs[name])
		}
	}
	m.mu.Unlock()
	for _, p := range upgrade {
		if _, err := m.startProc(p); err != nil {
			m.log.Error("plugin failed to start", "plugin", p.name, "err", err)
		}
	}
	return nil
}

// startProc starts p's current record and swaps it in; the previous process, if any, is
// drained (its calls in flight finish) and stopped.
func (m *Manager) startProc(p *proc) (*conn, error) {
	p.mu.Lock()
	if p.starting {
		p.mu.Unlock()
		return nil, fmt.Errorf("%w: starting", plugins.ErrUnavailable)
	}
	p.starting = true
	rec := p.rec
	p.mu.Unlock()
	c, err := launch(rec.Path, rec.SHA256, newHCLog(m.log, rec.Name), m.host)
	if err == nil && c.protocol != rec.ProtocolVersion {
		c.kill()
		err = fmt.Errorf("%w: installed for protocol %d, now speaks %d; reinstall it", plugins.ErrProtocol, rec.ProtocolVersion, c.protocol)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.starting = false
	if err != nil {
		p.lastErr, p.healthy = err.Error(), false
		m.metrics.up.WithLabelValues(p.name).Set(0)
		m.crashed(p, err)
		return nil, err
	}
	old, oldInflight := p.conn, p.inflight
	p.conn, p.inflight, p.startedAt, p.healthy, p.lastErr = c, new(atomic.Int64), time.Now(), true, ""
	m.metrics.up.WithLabelValues(p.name).Set(1)
	if old != nil {
		go drain(old, oldInflight)
	}
	m.log.Info("plugin started", "plugin", p.name, "version", rec.Version, "pid", c.pid, "protocol", c.protocol)
	return c, nil
}

// drain stops a replaced process once its calls in flight have finished (at most a minute).
func drain(c *conn, inflight *atomic.Int64) {
	deadline := time.Now().Add(time.Minute)
	for inflight != nil && inflight.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	c.kill()
}

func (p *proc) retire(log *slog.Logger) {
	p.mu.Lock()
	c, in := p.conn, p.inflight
	p.conn = nil
	p.mu.Unlock()
	if c != nil {
		drain(c, in)
		log.Info("plugin stopped (uninstalled)", "plugin", p.name)
	}
}

// crashed records a crash or failed start of p (p.mu held): backoff, and deactivation after
// CrashLimit crashes within CrashWindow.
func (m *Manager) crashed(p *proc, cause error) {
	now := time.Now()
	p.crashes = append(p.crashes, now)
	p.crashes = slices.DeleteFunc(p.crashes, func(t time.Time) bool { return now.Sub(t) > m.opts.CrashWindow })
	n := len(p.crashes)
	m.metrics.crashes.WithLabelValues(p.name).Inc()
	if (n >= m.opts.CrashLimit || p.trial) && !p.deactivated {
		p.coolOff = min(max(2*p.coolOff, m.opts.CoolOff), m.opts.MaxCoolOff)
		p.deactivated, p.trial, p.deactivatedAt, p.reactivateAt = true, false, now, now.Add(p.coolOff)
		m.metrics.deactivations.WithLabelValues(p.name).Inc()
		p.deactivations++
		m.log.Error("plugin deactivated after repeated crashes: its hooks are skipped where not mandatory; tried again after the cool-off, or restart it",
			"plugin", p.name, "crashes", n, "window", m.opts.CrashWindow, "cool_off", p.coolOff, "err", cause)
		gen := p.deactivations
		time.AfterFunc(p.coolOff, func() { m.tryAgain(p, gen) })
		go m.announceDeactivation(p.name, p.coolOff, cause)
		return
	}
	// The first crash in the window restarts at once; then 1 s, 2 s, 4 s… up to MaxBackoff.
	backoff := time.Duration(0)
	if n > 1 {
		backoff = min(time.Second<<(n-2), m.opts.MaxBackoff)
	}
	p.nextStart = now.Add(backoff)
	m.log.Warn("plugin crashed or failed to start", "plugin", p.name, "crashes_in_window", n, "restart_in", backoff, "err", cause)
}

// tryAgain ends the cool-off of p's deactivation gen (unless an operator or an upgrade ended
// it already) with one trial start, in the background so that no caller waits for it: the
// trial's first crash deactivates p again, for twice as long; its first answer ends the trial.
func (m *Manager) tryAgain(p *proc, gen int) {
	if m.closed.Load() {
		return
	}
	p.mu.Lock()
	if !p.deactivated || p.deactivations != gen {
		p.mu.Unlock()
		return
	}
	p.deactivated, p.trial, p.crashes, p.nextStart = false, true, nil, time.Time{}
	p.mu.Unlock()
	m.log.Info("plugin's cool-off is over: trying it again", "plugin", p.name)
	m.mu.RLock()
	current := m.procs[p.name] == p
	m.mu.RUnlock()
	if !current {
		return // uninstalled meanwhile
	}
	if _, err := m.startProc(p); err != nil {
		m.log.Error("plugin's trial start failed", "plugin", p.name, "err", err)
	}
}

// running returns p's live connection, restarting the process if it died and its backoff has
// passed (restarted tells).
func (m *Manager) running(ctx context.Context, p *proc) (_ *conn, _ *atomic.Int64, restarted bool, _ error) {
	p.mu.Lock()
	c, in := p.conn, p.inflight
	if c != nil && c.exited() {
		p.conn, c = nil, nil
		p.healthy = false
		m.metrics.up.WithLabelValues(p.name).Set(0)
		m.crashed(p, errors.New("the process exited"))
	}
	deactivated, wait := p.deactivated, time.Until(p.nextStart)
	p.mu.Unlock()
	if c != nil {
		return c, in, false, nil
	}
	if deactivated {
		return nil, nil, false, fmt.Errorf("%w: %s", plugins.ErrDeactivated, p.name)
	}
	if wait > 0 {
		// A call whose deadline outlasts the backoff waits for the restart.
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) <= wait {
			return nil, nil, false, fmt.Errorf("%w: %s restarts in %s", plugins.ErrUnavailable, p.name, wait.Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return nil, nil, false, ctx.Err()
		case <-time.After(wait):
		}
	}
	c, err := m.startProc(p)
	if err != nil {
		return nil, nil, false, err
	}
	p.mu.Lock()
	p.restarts++
	in = p.inflight
	p.mu.Unlock()
	m.metrics.restarts.WithLabelValues(p.name).Inc()
	return c, in, true, nil
}

func (m *Manager) superviseAll(ctx context.Context) {
	m.mu.RLock()
	procs := make([]*proc, 0, len(m.procs))
	for _, p := range m.procs {
		procs = append(procs, p)
	}
	m.mu.RUnlock()
	for _, p := range procs {
		c, _, _, err := m.running(ctx, p)
		if err != nil {
			continue
		}
		hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		r, err := c.svc.Health(hctx, &pluginv1.HealthRequest{})
		cancel()
		p.mu.Lock()
		p.healthy = err == nil && r.GetOk()
		switch {
		case err != nil:
			p.lastErr = "health: " + err.Error()
		case !r.GetOk():
			p.lastErr = "health: " + r.GetDetail()
		}
		p.mu.Unlock()
	}
}

// errKind classifies a failed call for metrics and for hooks' fail-open.
func errKind(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, context.DeadlineExceeded) || status.Code(err) == codes.DeadlineExceeded:
		return "timeout"
	case status.Code(err) == codes.Unavailable || errors.Is(err, plugins.ErrUnavailable) || errors.Is(err, plugins.ErrDeactivated),
		errors.Is(err, plugins.ErrChecksum), errors.Is(err, plugins.ErrProtocol):
		return "unavailable"
	case errors.Is(err, plugins.ErrMalformedReply):
		return "malformed"
	}
	return "error"
}

// invoke calls plugin name within timeout with bounded concurrency; fn makes the gRPC call.
// A call that finds the process gone counts a crash; the next call restarts it.
func (m *Manager) invoke(ctx context.Context, name, kind string, timeout time.Duration, fn func(context.Context, pluginv1.PluginServiceClient) error) error {
	m.mu.RLock()
	p := m.procs[name]
	m.mu.RUnlock()
	if p == nil {
		return plugins.ErrNotInstalled
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	start := time.Now()
	select {
	case p.sem <- struct{}{}:
		defer func() { <-p.sem }()
	case <-ctx.Done():
		m.metrics.observe(name, kind, "busy", time.Since(start))
		return fmt.Errorf("%w: %s is busy (%d calls in flight)", plugins.ErrUnavailable, name, cap(p.sem))
	}
	c, in, restarted, err := m.running(ctx, p)
	if err != nil {
		m.metrics.observe(name, kind, "unavailable", time.Since(start))
		return err
	}
	if restarted {
		// The deadline is the plugin's time to answer: starting its process again is the
		// host's own work (fork, handshake, Init), which a busy machine can stretch past a
		// hook's 200 ms. The call gets its whole deadline from now on.
		var cancelCall context.CancelFunc
		ctx, cancelCall = context.WithTimeout(parent, timeout)
		defer cancelCall()
	}
	in.Add(1)
	err = fn(ctx, c.svc)
	in.Add(-1)
	outcome := errKind(ctx, err)
	m.metrics.observe(name, kind, outcome, time.Since(start))
	if err == nil {
		p.mu.Lock()
		p.trial = false // it answered: the trial is over
		p.mu.Unlock()
	}
	if outcome == "unavailable" || (err != nil && c.exited()) {
		m.noticeExit(p) // so the next call restarts it
	}
	return err
}

// noticeExit records the exit of p's process, if it exited.
func (m *Manager) noticeExit(p *proc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn != nil && p.conn.exited() {
		p.conn, p.healthy = nil, false
		m.metrics.up.WithLabelValues(p.name).Set(0)
		m.crashed(p, errors.New("the process exited"))
	}
}

// Status is what an operator sees of a plugin.
type Status struct {
	Name        string
	Version     string
	SHA256      string
	Running     bool
	Healthy     bool
	Deactivated bool
	PID         int
	Restarts    int
	Crashes     int // within the crash window
	LastError   string
	StartedAt   time.Time
	// DeactivatedAt and ReactivatesAt: when a deactivated plugin was deactivated, and when the
	// host tries it again by itself (the cool-off).
	DeactivatedAt time.Time
	ReactivatesAt time.Time
}

// Statuses lists every installed plugin's state.
func (m *Manager) Statuses() []Status {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Status, 0, len(m.procs))
	for _, p := range m.procs {
		out = append(out, p.status())
	}
	slices.SortFunc(out, func(a, b Status) int {
		if a.Name < b.Name {
			return -1
		}
		return 1
	})
	return out
}

func (p *proc) status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Status{Name: p.name, Version: p.rec.Version, SHA256: p.rec.SHA256, Healthy: p.healthy, Deactivated: p.deactivated,
		Restarts: p.restarts, Crashes: len(p.crashes), LastError: p.lastErr, StartedAt: p.startedAt}
	if p.conn != nil && !p.conn.exited() {
		s.Running, s.PID = true, p.conn.pid
	}
	if p.deactivated {
		s.DeactivatedAt, s.ReactivatesAt = p.deactivatedAt, p.reactivateAt
	}
	return s
}

// Restart clears a plugin's crash record (a deactivated plugin runs again) and restarts it.
func (m *Manager) Restart(ctx context.Context, name string) error {
	m.mu.RLock()
	p := m.procs[name]
	m.mu.RUnlock()
	if p == nil {
		return plugins.ErrNotInstalled
	}
	p.mu.Lock()
	p.deactivated, p.crashes, p.nextStart, p.coolOff, p.trial = false, nil, time.Time{}, 0, false
	p.mu.Unlock()
	_, err := m.startProc(p)
	return err
}

// Record returns an installed plugin's catalog record.
func (m *Manager) Record(name string) (plugins.Record, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, ok := m.records[name]
	return r, ok
}

// Records lists the catalog (as last loaded), by name.
func (m *Manager) Records() []plugins.Record {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]plugins.Record, 0, len(m.records))
	for _, r := range m.records {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b plugins.Record) int {
		if a.Name < b.Name {
			return -1
		}
		return 1
	})
	return out
}

// Enabled returns the effective enablement of plugin in tenant, with its settings (defaults
// applied); ok is false when the plugin is not installed, not enabled there, or its regions
// exclude the tenant.
func (m *Manager) Enabled(plugin, tenant string) (rec plugins.Record, settings []byte, ok bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	rec, ok = m.records[plugin]
	if !ok || !plugins.RegionAllows(rec.Manifest.Regions, tenant) {
		return rec, nil, false
	}
	key := settingsKey{plugin: plugin, tenant: tenant}
	if v, hit := m.applied.Load(key); hit {
		return rec, slices.Clone(v.(json.RawMessage)), true
	}
	e, ok := plugins.Effective(m.ens, plugin, tenant)
	if !ok || !e.Enabled {
		return rec, nil, false
	}
	s := m.settings[plugin]
	if s == nil {
		return rec, nil, false
	}
	applied, err := s.Apply(e.Settings)
	if err != nil { // settings written under an older schema: the plugin gets its defaults
		applied, _ = s.Apply(nil)
	}
	m.applied.Store(key, applied)
	return rec, slices.Clone(applied), true
}

type settingsKey struct{ plugin, tenant string }

// Enablement returns the effective enablement row of plugin in tenant.
func (m *Manager) Enablement(plugin, tenant string) (plugins.Enablement, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return plugins.Effective(m.ens, plugin, tenant)
}

// SettingsSchema returns a plugin's compiled settings schema.
func (m *Manager) SettingsSchema(plugin string) (*plugins.Settings, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	s, ok := m.settings[plugin]
	return s, ok
}

// enabledIn lists the plugins enabled in tenant that want selects, by name, with their
// settings.
func (m *Manager) enabledIn(tenant string, want func(plugins.Record) bool) []enabled {
	m.mu.RLock()
	names := make([]string, 0, len(m.records))
	for n, r := range m.records {
		if want(r) { // first, so that the settings of the others are not looked up
			names = append(names, n)
		}
	}
	m.mu.RUnlock()
	slices.Sort(names)
	var out []enabled
	for _, n := range names {
		rec, settings, ok := m.Enabled(n, tenant)
		if ok && want(rec) {
			out = append(out, enabled{rec: rec, settings: settings})
		}
	}
	return out
}

type enabled struct {
	rec      plugins.Record
	settings []byte
}

// PID returns the process id of a running plugin (for tests and operators).
func (m *Manager) PID(name string) int {
	m.mu.RLock()
	p := m.procs[name]
	m.mu.RUnlock()
	if p == nil {
		return 0
	}
	return p.status().PID
}
