// Package api owns Fengqiao's HTTP interface on Echo v4: the route table (which is also the
// source of the OpenAPI document), authentication and per-route authorization, strict JSON
// input, RFC 9457 problems, request IDs, logs and metrics. Echo lives only here; the domain
// below knows nothing of HTTP.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/library"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"
)

// Authorizer decides whether a subject may do an action on an object in a tenant, and keeps
// the rules a tenant's administrators edit.
type Authorizer interface {
	Allowed(sub, dom, obj, act string) (bool, error)
	Decide(r authz.Request) (bool, error)
	AllowedRelationships(r authz.Request, rels []string) ([]string, error)
	Explain(r authz.Request, rels []string) (authz.Explanation, error)
	Rules(tenant string) []authz.Rule
	CheckChange(sub string, r authz.Rule, add bool) error
	Granted(rows [][]string) error
	Revoked(rows [][]string) error
}

// RoleLister tells the roles a subject holds (for /me).
type RoleLister interface {
	RolesOf(sub string) []string
}

// AuditReader lists a tenant's audit trail.
type AuditReader interface {
	AuditEvents(ctx context.Context, code string, before int64, limit int) ([]audit.Event, error)
}

// Pinger checks the database for readiness.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps are what the HTTP layer calls.
type Deps struct {
	Tenants        *tenant.Service
	Cases          *cases.Service
	Orgs           *orgs.Service
	Warnings       *warnings.Service
	Stats          *stats.Service
	Library        *library.Service
	Identity       *identity.Service
	Authz          Authorizer
	Access         AccessStore
	Plugins        PluginHost  // nil: no plugin platform
	PluginStore    PluginStore // enablements; with Plugins
	Roles          RoleLister
	Audit          AuditReader
	DB             Pinger
	Logger         *slog.Logger
	Registerer     prometheus.Registerer // nil: a private registry
	Gatherer       prometheus.Gatherer
	BodyLimit      int64
	RequestTimeout time.Duration
	Version        string
	// MetricsToken is the bearer token /metrics asks for on Handler; empty, Handler does not
	// serve /metrics (MetricsHandler does, on a listener of its own).
	MetricsToken string
	// Console configures the web console served at /.
	Console ConsoleOptions
}

// Server is the HTTP application.
type Server struct {
	deps   Deps
	echo   *echo.Echo
	routes []route
	byPath map[string]route // "METHOD /path/:param" → route
	// publicLimit rate-limits plugins' public routes.
	publicLimit *publicLimiter
	metrics     *httpMetrics
	metricsHTTP http.Handler
	// registered holds "METHOD /template" of every route, to tell a route from a miss.
	registered map[string]bool
	console    *console // nil: no console
}

// New builds the Echo application with every route of the table.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.BodyLimit <= 0 {
		d.BodyLimit = 1 << 20
	}
	if d.RequestTimeout <= 0 {
		d.RequestTimeout = 20 * time.Second
	}
	if d.Registerer == nil {
		reg := prometheus.NewRegistry()
		d.Registerer, d.Gatherer = reg, reg
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{deps: d, echo: e, routes: routeTable(), byPath: map[string]route{},
		publicLimit: &publicLimiter{clients: map[string]*rate.Limiter{}, reset: time.Now()},
		metrics:     newHTTPMetrics(d.Registerer), metricsHTTP: newMetricsHandler(d), registered: map[string]bool{}}
	for _, r := range s.routes {
		s.byPath[r.method+" "+r.path] = r
	}
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		TargetHeader: echo.HeaderXRequestID,
		RequestIDHandler: func(c echo.Context, id string) {
			c.SetRequest(c.Request().WithContext(audit.WithActor(c.Request().Context(), audit.Actor{Subject: "anonymous", RequestID: id})))
		},
	}))
	e.Use(s.measure)
	e.Use(s.recoverer)
	e.Use(s.accessLog)
	e.Use(s.limitBody)
	e.Use(s.checkParams)
	e.Use(s.timeout)
	for _, r := range s.routes {
		h := r.handler
		r := r
		mw := []echo.MiddlewareFunc{}
		if !r.public {
			mw = append(mw, s.authenticate, s.authorize(r))
		}
		// After authorization, so a caller learns nothing of a tenant it may not see.
		mw = append(mw, declaredQuery(r))
		e.Add(r.method, r.path, func(c echo.Context) error { return h(s, c) }, mw...)
	}
	// Plugins' own routes: authenticated (or public) and authorized by pluginRoute itself, and
	// documented by the plugins' OpenAPI fragments merged into the served document.
	e.Any(pluginPrefix, func(c echo.Context) error { return s.pluginRoute(c) })
	e.GET("/metrics", s.serveMetrics)
	if err := s.registerConsole(); err != nil {
		panic(err) // the embedded templates do not parse: a build defect a test catches
	}
	for _, r := range e.Routes() {
		s.registered[r.Method+" "+r.Path] = true
	}
	return s
}

// Handler returns the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.echo }

// Routes lists the registered method+path pairs (for the OpenAPI consistency test).
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }

func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if s.console != nil && isConsolePath(c.Request().URL.Path) {
		s.consoleError(err, c)
		return
	}
	p := toProblem(err)
	if p.Status >= 500 {
		s.deps.Logger.ErrorContext(c.Request().Context(), "request failed", "err", err, "path", c.Request().URL.Path,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	if c.Request().Method == http.MethodHead {
		if p.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(p.RetryAfter))
		}
		_ = c.NoContent(p.Status)
		return
	}
	if werr := writeProblem(c, p); werr != nil {
		s.deps.Logger.Error("write problem", "err", werr)
	}
}

func (s *Server) recoverer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.deps.Logger.ErrorContext(c.Request().Context(), "panic", "panic", r, "path", c.Request().URL.Path)
				err = errors.New("panic")
			}
		}()
		return next(c)
	}
}

func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		req := c.Request()
		level := slog.LevelInfo
		if c.Response().Status >= 500 {
			level = slog.LevelError
		}
		s.deps.Logger.Log(req.Context(), level, "http",
			"method", req.Method, "path", req.URL.Path, "route", c.Path(), "status", c.Response().Status,
			"bytes", c.Response().Size, "duration_ms", float64(time.Since(start).Microseconds())/1000,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "actor", audit.ActorFrom(req.Context()).Subject)
		return nil
	}
}

// limitBody caps the request body: the server's limit, or the route's own (uploads).
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		limit := s.deps.BodyLimit
		if r, ok := s.byPath[req.Method+" "+c.Path()]; ok && r.bodyLimit > 0 {
			limit = r.bodyLimit
		} else if l, ok := consoleUpload(req.Method, c.Path()); ok {
			limit = l
		}
		if req.ContentLength > limit {
			return toProblem(&http.MaxBytesError{Limit: limit})
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		return next(c)
	}
}

// checkParams refuses query and path parameters that are not valid UTF-8 or hold NUL, which
// no field of the API accepts and PostgreSQL text cannot store.
func (s *Server) checkParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		bad := func(v string) bool { return !utf8.ValidString(v) || strings.ContainsRune(v, 0) }
		for name, values := range c.QueryParams() {
			for _, v := range values {
				if bad(name) || bad(v) {
					return invalid(strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", ""), "?"), "参数须为不含空字符的 UTF-8 文本 / query parameters must be UTF-8 text without NUL characters")
				}
			}
		}
		for i, name := range c.ParamNames() {
			if i < len(c.ParamValues()) && bad(c.ParamValues()[i]) {
				return invalid(name, "路径参数须为不含空字符的 UTF-8 文本 / path parameters must be UTF-8 text without NUL characters")
			}
		}
		return next(c)
	}
}

func (s *Server) timeout(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		d := s.deps.RequestTimeout
		if r, ok := s.byPath[c.Request().Method+" "+c.Path()]; ok && r.timeout > 0 {
			d = r.timeout
		} else if _, ok := consoleUpload(c.Request().Method, c.Path()); ok {
			d = importTimeout
		}
		ctx, cancel := context.WithTimeout(c.Request().Context(), d)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

func principal(c echo.Context) identity.Principal {
	p, _ := c.Get("principal").(identity.Principal)
	return p
}

// authenticate accepts a login token or an API token as Authorization: Bearer.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, cred, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(cred) == "" {
			return identity.ErrUnauthenticated
		}
		p, err := s.deps.Identity.Authenticate(c.Request().Context(), strings.TrimSpace(cred))
		if err != nil {
			return err
		}
		s.actingAs(c, p)
		return next(c)
	}
}

// authorize applies the route's rule. Tenant-scoped routes act in the tenant of the path,
// which must lie in the caller's subtree (otherwise it does not exist for the caller) and be
// active unless the route manages the lifecycle; others act in the caller's own tenant.
//
// Case routes decide on the caller's relationships to the case (package access): a case the
// caller has no relationship to does not exist for it (404), one it may read but not act on
// answers 403. A case of another tenant is reachable only through a relationship that crosses
// tenants (a share, a joint mediation); the caller's roles are then looked up in its own
// tenant. List routes derive the relationships they may show from the rules and hand them to
// the store as a filter.
func (s *Server) authorize(r route) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if r.obj == "" { // the handler authorizes (the domain comes from the body)
				return next(c)
			}
			p := principal(c)
			dom := p.TenantCode
			inScope := true
			if r.tenantScoped {
				code := c.Param("code")
				if err := checkPathCode(code); err != nil {
					return err
				}
				inScope = division.Contains(p.TenantCode, code)
				if !inScope && r.caseScoped == nil {
					return tenant.ErrNotFound
				}
				dom = code
			}
			act := r.act
			if r.actOf != nil {
				act = r.actOf(c)
			}
			var err error
			switch {
			case r.caseScoped != nil:
				err = s.authorizeCase(c, r, dom, inScope, act)
			case r.caseList:
				err = s.authorizeList(c, dom, r.obj, act)
			case r.tenantRel:
				err = s.allowRel(p, dom, r.obj, act, tenantRel(p, dom))
			default:
				err = s.allow(p, dom, r.obj, act)
			}
			if err != nil {
				return err
			}
			// The caller's own tenant was found active when it authenticated; a tenant reached
			// across (a share) is checked by the store when the case changes. A district below
			// the caller that is suspended or archived is read-only for it.
			if r.tenantScoped && r.requireActive && dom != p.TenantCode && inScope {
				t, err := s.deps.Tenants.Get(c.Request().Context(), p.TenantCode, dom)
				if err != nil {
					return err
				}
				if err := tenant.UsableByParent(t.Status, writes(r.method)); err != nil {
					return err
				}
			}
			return next(c)
		}
	}
}

// writes tells a method that changes something from one that reads.
func writes(method string) bool { return method != http.MethodGet && method != http.MethodHead }

func (s *Server) allow(p identity.Principal, dom, obj, act string) error {
	ok, err := s.deps.Authz.Allowed(p.Subject, dom, obj, act)
	if err != nil {
		return err
	}
	if !ok {
		return problem(http.StatusForbidden, "forbidden", "无权操作 / Forbidden",
			"您的角色不允许在"+authz.TenantWord(dom)+authz.ActionWords(obj, act)+" / your roles do not allow "+obj+":"+act+" in tenant "+dom)
	}
	return nil
}
