package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/pluginhost"
	"github.com/fengqiao/fengqiao/core/plugins"
	"github.com/fengqiao/fengqiao/core/tenant"
)

// PluginHost is the plugin platform as the API edge uses it (core/pluginhost.Manager).
type PluginHost interface {
	Records() []plugins.Record
	Statuses() []pluginhost.Status
	CallCounts(plugin string) map[string]float64
	Restart(ctx context.Context, name string) error
	Reload(ctx context.Context) error
	Enablement(plugin, tenant string) (plugins.Enablement, bool)
	Enabled(plugin, tenant string) (plugins.Record, []byte, bool)
	SettingsSchema(plugin string) (*plugins.Settings, bool)
	Route(plugin, tenant, method, path string) (plugins.Route, error)
	ServeRoute(ctx context.Context, plugin, tenant string, req pluginhost.RouteRequest) (pluginhost.RouteResponse, error)
}

// PluginStore writes enablements and reads job runs.
type PluginStore interface {
	SetPluginEnablement(ctx context.Context, e plugins.Enablement) (plugins.Enablement, error)
	PluginJobRuns(ctx context.Context, plugin, tenant string, limit int) ([]map[string]any, error)
}

func pluginRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/api/v1/plugins", operationID: "listPlugins", summary: "已安装插件（版本、SHA-256、运行状况、调用统计） / Installed plugins: version, SHA-256, health, calls", tag: "plugins", obj: authz.ObjPlugins, act: authz.ActRead, response: pluginList{}, status: 200, handler: (*Server).listPlugins},
		{method: http.MethodGet, path: "/api/v1/plugins/:name", operationID: "getPlugin", summary: "插件详情（清单与运行状况） / A plugin: manifest and health", tag: "plugins", obj: authz.ObjPlugins, act: authz.ActRead, response: pluginDTO{}, status: 200, handler: (*Server).getPlugin},
		{method: http.MethodPost, path: "/api/v1/plugins/:name/restart", operationID: "restartPlugin", summary: "重启插件进程并清除崩溃记录（平台运维） / Restart a plugin process and clear its crash record (operators)", tag: "plugins", obj: authz.ObjPlugins, act: authz.ActRestart, response: pluginDTO{}, status: 200, handler: (*Server).restartPlugin},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/plugins", operationID: "listTenantPlugins", summary: "租户可用及已启用的插件 / The plugins available and enabled in a tenant", tag: "plugins", tenantScoped: true, requireActive: true, obj: authz.ObjPlugins, act: authz.ActRead, response: tenantPluginList{}, status: 200, handler: (*Server).listTenantPlugins},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/plugins/:name", operationID: "getTenantPlugin", summary: "插件在本租户的启用状态、设置与任务记录 / A plugin in a tenant: enablement, settings, job runs", tag: "plugins", tenantScoped: true, requireActive: true, obj: authz.ObjPlugins, act: authz.ActRead, response: tenantPluginDTO{}, status: 200, handler: (*Server).getTenantPlugin},
		{method: http.MethodPut, path: "/api/v1/tenants/:code/plugins/:name", operationID: "enableTenantPlugin", summary: "为租户或其全部下级启用插件并设置（按插件的设置模式校验） / Enable a plugin for a tenant or its subtree, with settings validated against its schema", tag: "plugins", tenantScoped: true, requireActive: true, obj: authz.ObjPlugins, act: authz.ActUpdate, request: enablePluginRequest{}, response: tenantPluginDTO{}, status: 200, handler: (*Server).enableTenantPlugin},
		{method: http.MethodDelete, path: "/api/v1/tenants/:code/plugins/:name", operationID: "disableTenantPlugin", summary: "停用插件（其路由返回 404，钩子跳过） / Disable a plugin: its routes answer 404, its hooks are skipped", tag: "plugins", tenantScoped: true, requireActive: true, obj: authz.ObjPlugins, act: authz.ActUpdate, response: tenantPluginDTO{}, status: 200, handler: (*Server).disableTenantPlugin},
	}
}

type textDTO struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

type pluginStatusDTO struct {
	Running     bool               `json:"running"`
	Healthy     bool               `json:"healthy"`
	Deactivated bool               `json:"deactivated"`
	PID         int                `json:"pid,omitempty"`
	Restarts    int                `json:"restarts"`
	Crashes     int                `json:"recent_crashes"`
	LastError   string             `json:"last_error,omitempty"`
	StartedAt   *time.Time         `json:"started_at,omitempty"`
	Calls       map[string]float64 `json:"calls"`
	// While deactivated: since when, and when the host tries it again by itself.
	DeactivatedAt *time.Time `json:"deactivated_at,omitempty"`
	ReactivatesAt *time.Time `json:"reactivates_at,omitempty"`
}

type pluginDTO struct {
	Name            string          `json:"name"`
	Version         string          `json:"version"`
	SHA256          string          `json:"sha256"`
	ProtocolVersion int             `json:"protocol_version"`
	Description     textDTO         `json:"description"`
	Regions         []string        `json:"regions"`
	Hooks           []hookDTO       `json:"hooks"`
	Events          []string        `json:"events"`
	Routes          []routeDTO      `json:"routes"`
	Jobs            []jobDTO        `json:"jobs"`
	Permissions     []string        `json:"permissions"`
	Console         []consoleDTO    `json:"console"`
	SettingsSchema  json.RawMessage `json:"settings_schema"`
	InstalledAt     time.Time       `json:"installed_at"`
	InstalledBy     string          `json:"installed_by"`
	PreviousVersion string          `json:"previous_version,omitempty"`
	Status          pluginStatusDTO `json:"status"`
}

type hookDTO struct {
	Name      string `json:"name"`
	TimeoutMS int64  `json:"timeout_ms"`
	FailOpen  bool   `json:"fail_open"`
}

type routeDTO struct {
	Method  string  `json:"method"`
	Path    string  `json:"path"`
	Summary textDTO `json:"summary"`
	Public  bool    `json:"public"`
}

type jobDTO struct {
	Name     string  `json:"name"`
	Schedule string  `json:"schedule"`
	About    textDTO `json:"description"`
}

type consoleDTO struct {
	Menu     textDTO `json:"menu"`
	Path     string  `json:"path"`
	Kind     string  `json:"kind"`
	RoleHint string  `json:"role_hint,omitempty"`
}

type pluginList struct {
	Items []pluginDTO `json:"items"`
}

func (s *Server) pluginDTO(r plugins.Record) pluginDTO {
	m := r.Manifest
	d := pluginDTO{Name: r.Name, Version: r.Version, SHA256: r.SHA256, ProtocolVersion: r.ProtocolVersion,
		Description: textDTO{m.Description.Zh, m.Description.En}, Regions: m.Regions,
		Hooks: []hookDTO{}, Events: append([]string{}, m.Events...), Routes: routesOf(m), Jobs: []jobDTO{},
		Permissions: append([]string{}, m.Permissions...), Console: consoleOf(m), SettingsSchema: m.SettingsSchema,
		InstalledAt: r.InstalledAt, InstalledBy: r.InstalledBy}
	if len(d.SettingsSchema) == 0 {
		d.SettingsSchema = json.RawMessage(`{"type":"object","additionalProperties":false}`)
	}
	for _, h := range m.Hooks {
		d.Hooks = append(d.Hooks, hookDTO{Name: h.Name, TimeoutMS: plugins.HookTimeout(h).Milliseconds(), FailOpen: h.FailOpen})
	}
	for _, j := range m.Jobs {
		d.Jobs = append(d.Jobs, jobDTO{Name: j.Name, Schedule: j.Schedule, About: textDTO{j.Description.Zh, j.Description.En}})
	}
	if r.Previous != nil {
		d.PreviousVersion = r.Previous.Version
	}
	d.Status.Calls = map[string]float64{}
	if s.deps.Plugins != nil {
		for _, st := range s.deps.Plugins.Statuses() {
			if st.Name != r.Name {
				continue
			}
			d.Status = pluginStatusDTO{Running: st.Running, Healthy: st.Healthy, Deactivated: st.Deactivated, PID: st.PID,
				Restarts: st.Restarts, Crashes: st.Crashes, LastError: st.LastError, Calls: s.deps.Plugins.CallCounts(r.Name)}
			if !st.StartedAt.IsZero() {
				t := st.StartedAt
				d.Status.StartedAt = &t
			}
			if st.Deactivated {
				from, until := st.DeactivatedAt, st.ReactivatesAt
				d.Status.DeactivatedAt, d.Status.ReactivatesAt = &from, &until
			}
		}
	}
	return d
}

func routesOf(m *plugins.Manifest) []routeDTO {
	out := []routeDTO{}
	for _, r := range m.Routes {
		out = append(out, routeDTO{Method: r.Method, Path: r.Path, Public: r.Public,
			Summary: textDTO{r.Summary.Zh, r.Summary.En}})
	}
	return out
}

func consoleOf(m *plugins.Manifest) []consoleDTO {
	out := []consoleDTO{}
	for _, c := range m.Console {
		out = append(out, consoleDTO{Menu: textDTO{c.Menu.Zh, c.Menu.En}, Path: c.Path, Kind: c.Kind, RoleHint: c.RoleHint})
	}
	return out
}

var errPluginNotFound = problem(http.StatusNotFound, "plugin-not-found", "插件不存在 / Plugin not found", "没有安装此插件 / no such plugin is installed")

func (s *Server) record(name string) (plugins.Record, error) {
	if s.deps.Plugins == nil {
		return plugins.Record{}, errPluginNotFound
	}
	for _, r := range s.deps.Plugins.Records() {
		if r.Name == name {
			return r, nil
		}
	}
	return plugins.Record{}, errPluginNotFound
}

func (s *Server) listPlugins(c echo.Context) error {
	out := pluginList{Items: []pluginDTO{}}
	if s.deps.Plugins != nil {
		for _, r := range s.deps.Plugins.Records() {
			out.Items = append(out.Items, s.pluginDTO(r))
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getPlugin(c echo.Context) error {
	r, err := s.record(c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.pluginDTO(r))
}

func (s *Server) restartPlugin(c echo.Context) error {
	r, err := s.record(c.Param("name"))
	if err != nil {
		return err
	}
	if err := s.deps.Plugins.Restart(c.Request().Context(), r.Name); err != nil {
		return problem(http.StatusServiceUnavailable, "plugin-unavailable", "插件无法启动 / The plugin does not start", err.Error())
	}
	return c.JSON(http.StatusOK, s.pluginDTO(r))
}

// --- a tenant's plugins ------------------------------------------------------------------------

type tenantPluginDTO struct {
	Name        string          `json:"name"`
	Version     string          `json:"version"`
	Description textDTO         `json:"description"`
	Regions     []string        `json:"regions"`
	Available   bool            `json:"available"` // the plugin's regions include the tenant
	Enabled     bool            `json:"enabled"`
	Subtree     bool            `json:"subtree"`               // the governing row covers the subtree
	GovernedBy  string          `json:"governed_by,omitempty"` // the tenant whose row governs (itself or an ancestor)
	Settings    json.RawMessage `json:"settings"`              // effective, defaults applied
	Schema      json.RawMessage `json:"settings_schema"`
	Routes      []routeDTO      `json:"routes"`
	Console     []consoleDTO    `json:"console"`
	Permissions []string        `json:"permissions"`         // requested by the plugin
	Granted     []string        `json:"granted_permissions"` // granted here (by the governing tenant)
	// Mandatory: while the plugin is deactivated, the actions its hooks check are refused here
	// (503) instead of proceeding unchecked (the governing row's).
	Mandatory bool             `json:"mandatory"`
	UpdatedBy string           `json:"updated_by,omitempty"`
	UpdatedAt *time.Time       `json:"updated_at,omitempty"`
	JobRuns   []map[string]any `json:"job_runs,omitempty"`
}

type tenantPluginList struct {
	Items []tenantPluginDTO `json:"items"`
}

type enablePluginRequest struct {
	Enabled  *bool           `json:"enabled"`  // default true
	Subtree  bool            `json:"subtree"`  // also every tenant below, unless one says otherwise
	Settings json.RawMessage `json:"settings"` // validated against the plugin's settings schema
	// Permissions granted to the plugin here, among those it requests; absent: all of them.
	Permissions []string `json:"permissions"`
	// Mandatory marks the plugin's before-hooks mandatory here: while the plugin is deactivated
	// the actions they check are refused (503) rather than proceeding unchecked; absent: kept.
	Mandatory *bool `json:"mandatory"`
}

func (s *Server) tenantPlugin(r plugins.Record, code string) tenantPluginDTO {
	m := r.Manifest
	d := tenantPluginDTO{Name: r.Name, Version: r.Version, Description: textDTO{m.Description.Zh, m.Description.En},
		Regions: m.Regions, Available: plugins.RegionAllows(m.Regions, code), Routes: routesOf(m), Console: consoleOf(m),
		Permissions: append([]string{}, m.Permissions...), Schema: m.SettingsSchema}
	if len(d.Schema) == 0 {
		d.Schema = json.RawMessage(`{"type":"object","additionalProperties":false}`)
	}
	e, governed := s.deps.Plugins.Enablement(r.Name, code)
	d.Granted = []string{}
	if governed && e.Enabled {
		d.Granted = append(d.Granted, plugins.GrantedPermissions(m, e)...)
	}
	if governed {
		d.Subtree, d.GovernedBy, d.UpdatedBy, d.Mandatory = e.Subtree, e.TenantCode, e.UpdatedBy, e.Mandatory
		t := e.UpdatedAt
		d.UpdatedAt = &t
	}
	_, settings, enabled := s.deps.Plugins.Enabled(r.Name, code)
	d.Enabled = enabled
	if sch, ok := s.deps.Plugins.SettingsSchema(r.Name); ok && !enabled {
		// Disabled: show what the settings would be (the row's, else the defaults).
		if settings, _ = sch.Apply(e.Settings); settings == nil {
			settings, _ = sch.Apply(nil)
		}
	}
	d.Settings = settings
	if d.Settings == nil {
		d.Settings = json.RawMessage("{}")
	}
	return d
}

func (s *Server) listTenantPlugins(c echo.Context) error {
	out := tenantPluginList{Items: []tenantPluginDTO{}}
	if s.deps.Plugins != nil {
		for _, r := range s.deps.Plugins.Records() {
			out.Items = append(out.Items, s.tenantPlugin(r, c.Param("code")))
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getTenantPlugin(c echo.Context) error {
	r, err := s.record(c.Param("name"))
	if err != nil {
		return err
	}
	d := s.tenantPlugin(r, c.Param("code"))
	if s.deps.PluginStore != nil {
		runs, err := s.deps.PluginStore.PluginJobRuns(c.Request().Context(), r.Name, c.Param("code"), 20)
		if err != nil {
			return err
		}
		d.JobRuns = runs
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Server) enableTenantPlugin(c echo.Context) error {
	var in enablePluginRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	enabled := in.Enabled == nil || *in.Enabled
	return s.setEnablement(c, enabled, in.Subtree, in.Settings, in.Permissions, in.Mandatory)
}

func (s *Server) disableTenantPlugin(c echo.Context) error {
	return s.setEnablement(c, false, false, nil, nil, nil)
}

// setEnablement writes a tenant's row for a plugin: regions checked, settings validated
// against the plugin's schema (kept as given; defaults are applied when read).
func (s *Server) setEnablement(c echo.Context, enabled, subtree bool, settings json.RawMessage, permissions []string, mandatory *bool) error {
	code := c.Param("code")
	r, err := s.record(c.Param("name"))
	if err != nil {
		return err
	}
	own, hasOwn := s.deps.Plugins.Enablement(r.Name, code)
	hasOwn = hasOwn && own.TenantCode == code
	if mandatory == nil {
		mandatory = &own.Mandatory // the tenant's own row's, else false
		if !hasOwn {
			mandatory = new(bool)
		}
	}
	if len(settings) == 0 || string(settings) == "null" {
		if e, ok := s.deps.Plugins.Enablement(r.Name, code); ok && e.TenantCode == code {
			settings = e.Settings // keep the tenant's settings when only switching
		} else {
			settings = json.RawMessage("{}")
		}
	}
	if err := plugins.CheckEnablement(r, code, subtree, enabled, settings, permissions); err != nil {
		return err
	}
	if _, err := s.deps.PluginStore.SetPluginEnablement(c.Request().Context(), plugins.Enablement{Plugin: r.Name, TenantCode: code,
		Subtree: subtree, Enabled: enabled, Settings: settings, Permissions: permissions, Mandatory: *mandatory}); err != nil {
		return err
	}
	// This server sees the change at once; the others through the catalog's notifications.
	if err := s.deps.Plugins.Reload(c.Request().Context()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.tenantPlugin(r, code))
}

// --- forwarding a plugin's routes ------------------------------------------------------------

// pluginPrefix is where a tenant's plugin routes live.
const pluginPrefix = "/api/v1/tenants/:code/plugins/:name/*"

// forwardHeaders are the request headers a plugin sees; replyHeaders those it may set.
var (
	forwardHeaders = []string{"Accept", "Accept-Language", "Content-Type", "If-None-Match"}
	replyHeaders   = []string{"Content-Type", "Cache-Control", "Etag", "Content-Disposition", "Location", "Last-Modified"}
)

// publicLimiter rate-limits public plugin routes per client address.
type publicLimiter struct {
	mu      sync.Mutex
	clients map[string]*rate.Limiter
	reset   time.Time
}

func (l *publicLimiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Since(l.reset) > 10*time.Minute || len(l.clients) > 100_000 {
		l.clients, l.reset = map[string]*rate.Limiter{}, time.Now()
	}
	lim := l.clients[key]
	if lim == nil {
		lim = rate.NewLimiter(rate.Limit(5), 20) // 5 requests a second, bursts of 20
		l.clients[key] = lim
	}
	return lim.Allow()
}

// pluginRoute forwards a request to the plugin's route: a public route without login (GET,
// rate-limited); any other after authentication and the plugin_routes rule (read for GET,
// write otherwise) in a tenant of the caller's subtree. A plugin not enabled in the tenant
// has no routes there (404).
func (s *Server) pluginRoute(c echo.Context) error {
	code, name := c.Param("code"), c.Param("name")
	if err := checkPathCode(code); err != nil {
		return err
	}
	notFound := errPluginRouteNotFound()
	if s.deps.Plugins == nil || !plugins.ValidName(name) {
		return notFound
	}
	method := c.Request().Method
	path := "/" + c.Param("*")
	spec, err := s.deps.Plugins.Route(name, code, method, path)
	switch {
	case errors.Is(err, pluginhost.ErrMethod):
		return problem(http.StatusMethodNotAllowed, "method-not-allowed", "方法不允许 / Method not allowed", "此路由不接受 "+method+" / this route does not accept "+method)
	case err != nil:
		return notFound
	}
	ctx := c.Request().Context()
	if spec.Public {
		if !s.publicLimit.allow(clientIP(c) + " " + name) {
			c.Response().Header().Set("Retry-After", "1")
			return problem(http.StatusTooManyRequests, "rate-limited", "请求过于频繁 / Too many requests", "请稍后再试 / slow down and retry")
		}
		t, err := s.deps.Tenants.Get(ctx, rootScope, code)
		if err != nil {
			return err
		}
		if tenant.Usable(t.Status) != nil {
			return notFound
		}
	} else {
		err := s.authenticate(func(c echo.Context) error {
			return s.pluginRouteAllowed(c, principal(c), code, method)
		})(c)
		if err != nil {
			return err
		}
		ctx = c.Request().Context()
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return err
	}
	hdr := map[string]string{}
	for _, h := range forwardHeaders {
		if v := c.Request().Header.Get(h); v != "" {
			hdr[h] = v
		}
	}
	resp, err := s.servePluginRoute(ctx, name, code, pluginhost.RouteRequest{Method: method, Path: path,
		Query: c.Request().URL.RawQuery, Headers: hdr, Body: body})
	if err != nil {
		return err
	}
	h := c.Response().Header()
	for _, k := range replyHeaders {
		for rk, v := range resp.Headers {
			if strings.EqualFold(rk, k) {
				h.Set(k, v)
			}
		}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox")
	if spec.Public && h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "public, max-age=60")
	}
	return c.Blob(resp.Status, h.Get("Content-Type"), resp.Body)
}

func errPluginRouteNotFound() *Problem {
	return problem(http.StatusNotFound, "plugin-route-not-found", "插件路由不存在 / No such plugin route",
		"该租户未启用此插件，或插件没有此路由 / the plugin is not enabled in this tenant, or has no such route")
}

// pluginRouteAllowed decides whether p may call a (non-public) route of a plugin in tenant
// code: the tenant in p's subtree (and usable), and the plugin_routes rule — read for GET,
// write otherwise. The console's plugin pages and actions decide by it too.
func (s *Server) pluginRouteAllowed(c echo.Context, p identity.Principal, code, method string) error {
	if !division.Contains(p.TenantCode, code) {
		return tenant.ErrNotFound
	}
	act := authz.ActWrite
	if method == http.MethodGet || method == http.MethodHead {
		act = authz.ActRead
	}
	if err := s.allowRel(p, code, authz.ObjPluginRoutes, act, tenantRel(p, code)); err != nil {
		return err
	}
	if code != p.TenantCode {
		t, err := s.deps.Tenants.Get(c.Request().Context(), p.TenantCode, code)
		if err != nil {
			return err
		}
		return tenant.Usable(t.Status)
	}
	return nil
}

// servePluginRoute calls the plugin's route and turns the host's failures into problems.
func (s *Server) servePluginRoute(ctx context.Context, name, code string, req pluginhost.RouteRequest) (pluginhost.RouteResponse, error) {
	resp, err := s.deps.Plugins.ServeRoute(ctx, name, code, req)
	if err != nil {
		var re *pluginhost.RouteError
		if errors.As(err, &re) {
			st := http.StatusBadGateway
			switch re.Kind {
			case "timeout":
				st = http.StatusGatewayTimeout
			case "unavailable":
				st = http.StatusServiceUnavailable
			}
			return resp, problem(st, "plugin-failed", "插件未能处理请求 / The plugin failed", "插件 "+re.Plugin+" "+re.Reason)
		}
		if errors.Is(err, plugins.ErrNotEnabled) || errors.Is(err, plugins.ErrRouteNotFound) {
			return resp, errPluginRouteNotFound()
		}
		return resp, err
	}
	return resp, nil
}

// rootScope is the whole country: public routes look their tenant up without a caller.
const rootScope = "000000"

func clientIP(c echo.Context) string {
	host, _, err := net.SplitHostPort(c.Request().RemoteAddr)
	if err != nil {
		return c.Request().RemoteAddr
	}
	return host
}

// hookProblem shows a plugin's refusal of a case action.
func hookProblem(err error) (*Problem, bool) {
	var rej *cases.HookRejectedError
	var un *cases.HookUnavailableError
	switch {
	case errors.As(err, &rej):
		p := problem(http.StatusUnprocessableEntity, "rejected-by-plugin", rej.Title, rej.Detail)
		if p.Detail == "" {
			p.Detail = "插件 " + rej.Plugin + " 拒绝了此操作 / plugin " + rej.Plugin + " refused this"
		}
		for _, f := range rej.Fields {
			p.Errors = append(p.Errors, FieldProblem{Field: f.Field, Detail: f.Message})
		}
		if len(rej.Fields) > 0 {
			p.Field = rej.Fields[0].Field
		}
		return p, true
	case errors.As(err, &un):
		return problem(http.StatusServiceUnavailable, "plugin-unavailable", "插件暂不可用，请稍后重试 / A plugin is unavailable: retry shortly",
			"插件 "+un.Plugin+" "+un.Reason+"；本次操作未执行 / nothing was changed"), true
	}
	return nil, false
}
