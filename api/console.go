package api

// The web console: server-rendered pages (html/template) at /, enhanced by htmx and Alpine's CSP
// build, with ECharts for charts; every asset is embedded. Pages authenticate by a cookie that
// holds a login session, refuse unsafe requests without the session's CSRF token, and send a
// strict Content-Security-Policy. Data comes from the API's operations invoked in-process
// (console_invoke.go), so the console decides nothing the API does not.

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/labstack/echo/v4"
)

//go:embed console/templates/*.html console/assets/app.css console/assets/app.js console/assets/vendor/htmx.min.js console/assets/vendor/alpine-csp.min.js console/assets/vendor/echarts.min.js
var consoleFiles embed.FS

// ConsoleOptions configure the web console's sessions.
type ConsoleOptions struct {
	// CSRFKey binds each session's CSRF token to the session (HMAC); at least 32 bytes.
	CSRFKey []byte
	// SecureCookies marks the cookies Secure even when the request did not arrive over TLS
	// (behind a TLS-terminating proxy).
	SecureCookies bool
	// IdleTimeout ends a console session unused this long; MaxAge ends it this long after login
	// whatever its use. Zero: the defaults (30 minutes, 12 hours).
	IdleTimeout, MaxAge time.Duration
	// Disabled: the API only, no console at /.
	Disabled bool
}

const (
	sessionCookie = "fq_session"
	loginCSRF     = "fq_login_csrf" // the login form's CSRF token, before there is a session
	langCookie    = "fq_lang"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "_csrf"
)

// contentSecurityPolicy admits only the console's own files: no inline script or style, no
// eval (Alpine's CSP build, htmx without eval), no remote origin, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// page is one console route.
type page struct {
	method, path string
	public       bool // no session needed (login)
	handler      func(*Server, echo.Context, *view) error
}

// consolePages is every console route, by area; each area's file declares its own.
func consolePages() []page {
	var out []page
	for _, group := range []func() []page{consoleBasePages, consoleDashboardPages, consoleIntakePages, consoleCasePages, consoleQueuePages, consoleAdminPages, consolePluginPages} {
		out = append(out, group()...)
	}
	return out
}

// console holds the parsed templates and the asset versions.
type console struct {
	pages  map[string]*template.Template // page file name → layout + partials + the page
	assets fs.FS
	// assetVersion is a digest of every asset, appended to their URLs so that a new binary's
	// files are fetched despite the long cache lifetime.
	assetVersion string
}

var templateFuncs = template.FuncMap{
	"datetime": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return ""
			}
			return v.In(chinaTime).Format("2006-01-02 15:04")
		case *time.Time:
			if v == nil || v.IsZero() {
				return ""
			}
			return v.In(chinaTime).Format("2006-01-02 15:04")
		}
		return fmt.Sprint(t)
	},
	"date": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return ""
			}
			return v.In(chinaTime).Format("2006-01-02")
		case *time.Time:
			if v == nil || v.IsZero() {
				return ""
			}
			return v.In(chinaTime).Format("2006-01-02")
		}
		return fmt.Sprint(t)
	},
	"join": strings.Join,
	"add":  func(a, b int) int { return a + b },
	"pct":  func(v float64) string { return fmt.Sprintf("%.1f%%", v*100) },
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"list": func(v ...any) []any { return v },
}

func newConsole() (*console, error) {
	tfs, err := fs.Sub(consoleFiles, "console/templates")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(tfs, "*.html")
	if err != nil {
		return nil, err
	}
	base := template.New("").Funcs(templateFuncs)
	var pageFiles []string
	for _, n := range names {
		if strings.HasPrefix(n, "_") { // layout and partials
			if _, err := base.ParseFS(tfs, n); err != nil {
				return nil, fmt.Errorf("console template %s: %w", n, err)
			}
			continue
		}
		pageFiles = append(pageFiles, n)
	}
	c := &console{pages: map[string]*template.Template{}}
	for _, n := range pageFiles {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(tfs, n); err != nil {
			return nil, fmt.Errorf("console template %s: %w", n, err)
		}
		c.pages[strings.TrimSuffix(n, ".html")] = t
	}
	c.assets, err = fs.Sub(consoleFiles, "console/assets")
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	_ = fs.WalkDir(c.assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(c.assets, p)
		if err != nil {
			return err
		}
		h.Write([]byte(p))
		h.Write(b)
		return nil
	})
	c.assetVersion = base64.RawURLEncoding.EncodeToString(h.Sum(nil))[:12]
	return c, nil
}

// registerConsole adds the console's routes to the Echo application.
func (s *Server) registerConsole() error {
	if s.deps.Console.Disabled {
		return nil
	}
	c, err := newConsole()
	if err != nil {
		return err
	}
	s.console = c
	// Middleware per route, not an Echo group: a group's middleware would answer every unmatched
	// path and method itself (404 where the API says 405).
	s.echo.GET("/static/*", s.serveAsset, s.consoleHeaders)
	for _, p := range consolePages() {
		p := p
		mw := []echo.MiddlewareFunc{s.consoleHeaders, s.consoleSession(p.public), s.consoleCSRF}
		s.echo.Add(p.method, p.path, func(c echo.Context) error {
			v := s.newView(c)
			return p.handler(s, c, v)
		}, mw...)
	}
	return nil
}

// isConsolePath tells the console's paths from the API's (errors are pages there, not JSON).
func isConsolePath(p string) bool {
	for _, prefix := range []string{"/api/", "/healthz", "/readyz", "/metrics"} {
		if p == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(p, prefix) {
			return false
		}
	}
	return true
}

func (s *Server) consoleHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		setConsoleHeaders(c)
		return next(c)
	}
}

// setConsoleHeaders: the CSP and the other protections of every console response.
func setConsoleHeaders(c echo.Context) {
	{
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	}
}

func (s *Server) serveAsset(c echo.Context) error {
	name := path.Clean(strings.TrimPrefix(c.Param("*"), "/"))
	b, err := fs.ReadFile(s.console.assets, name)
	if err != nil {
		return echo.ErrNotFound
	}
	ctype := "application/octet-stream"
	switch path.Ext(name) {
	case ".js":
		ctype = "text/javascript; charset=utf-8"
	case ".css":
		ctype = "text/css; charset=utf-8"
	case ".svg":
		ctype = "image/svg+xml"
	case ".png":
		ctype = "image/png"
	}
	if c.QueryParam("v") == s.console.assetVersion {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "no-cache")
	}
	return c.Blob(http.StatusOK, ctype, b)
}

// secureCookies tells whether cookies get the Secure flag.
func (s *Server) secureCookies(c echo.Context) bool {
	return s.deps.Console.SecureCookies || c.IsTLS()
}

func (s *Server) setCookie(c echo.Context, name, value string, maxAge int) {
	c.SetCookie(&http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.secureCookies(c), SameSite: http.SameSiteLaxMode})
}

// consoleSession authenticates the session cookie. Without a valid session a page redirects to
// the login page (htmx requests are told to, by HX-Redirect), remembering where it was going.
func (s *Server) consoleSession(public bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, err := s.sessionPrincipal(c)
			if err == nil {
				s.actingAs(c, p)
				return next(c)
			}
			if public {
				return next(c)
			}
			if ck, cerr := c.Cookie(sessionCookie); cerr == nil && ck.Value != "" {
				s.setCookie(c, sessionCookie, "", -1) // ended, expired or revoked: forget it
			}
			target := "/login"
			if c.Request().Method == http.MethodGet && c.Request().URL.Path != "/" {
				target += "?next=" + url.QueryEscape(c.Request().URL.RequestURI())
			}
			if errors.Is(err, identity.ErrSessionEnded) || errors.Is(err, identity.ErrSessionNotFound) || errors.Is(err, identity.ErrUnauthenticated) || errors.Is(err, identity.ErrDisabled) {
				if _, cerr := c.Cookie(sessionCookie); cerr == nil {
					sep := "?"
					if strings.Contains(target, "?") {
						sep = "&"
					}
					target += sep + "ended=1"
				}
			}
			if c.Request().Header.Get("HX-Request") == "true" {
				c.Response().Header().Set("HX-Redirect", target)
				return c.NoContent(http.StatusUnauthorized)
			}
			return c.Redirect(http.StatusSeeOther, target)
		}
	}
}

// sessionPrincipal is the user of the request's session cookie.
func (s *Server) sessionPrincipal(c echo.Context) (identity.Principal, error) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return identity.Principal{}, identity.ErrUnauthenticated
	}
	p, err := s.deps.Identity.Authenticate(c.Request().Context(), ck.Value)
	if err != nil {
		return identity.Principal{}, err
	}
	if p.Kind != "user" {
		return identity.Principal{}, identity.ErrUnauthenticated
	}
	// The console's own limits, on the server: idle and absolute timeouts.
	if err := s.deps.Identity.ContinueConsoleSession(c.Request().Context(), p, s.sessionLimits()); err != nil {
		return identity.Principal{}, err
	}
	return p, nil
}

// csrfToken is the token unsafe requests must carry: bound to the session (an HMAC of its id),
// or before login to the login form's own cookie.
func (s *Server) csrfToken(c echo.Context) string {
	if p, ok := c.Get("principal").(identity.Principal); ok && p.SessionID != "" {
		m := hmac.New(sha256.New, s.deps.Console.CSRFKey)
		m.Write([]byte("console-csrf:" + p.SessionID))
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	if ck, err := c.Cookie(loginCSRF); err == nil && len(ck.Value) >= 32 {
		return ck.Value
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	s.setCookie(c, loginCSRF, v, 3600)
	c.Set(loginCSRF, v)
	return v
}

// consoleCSRF refuses an unsafe request without the CSRF token of its session (in the
// X-CSRF-Token header htmx sends, or the _csrf form field), and one another site sent.
func (s *Server) consoleCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !writes(c.Request().Method) {
			return next(c)
		}
		if site := c.Request().Header.Get("Sec-Fetch-Site"); site == "cross-site" {
			return s.csrfRefused(c)
		}
		want := ""
		if p, ok := c.Get("principal").(identity.Principal); ok && p.SessionID != "" {
			want = s.csrfToken(c)
		} else if ck, err := c.Cookie(loginCSRF); err == nil && len(ck.Value) >= 32 {
			want = ck.Value
		}
		got := c.Request().Header.Get(csrfHeader)
		if got == "" {
			got = c.FormValue(csrfField)
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return s.csrfRefused(c)
		}
		return next(c)
	}
}

func (s *Server) csrfRefused(c echo.Context) error {
	return &Problem{Type: ProblemBase + "csrf", Status: http.StatusForbidden, Title: "请求已过期 / Request refused",
		Detail: "页面已过期或请求并非来自本系统，请刷新页面后重试 / the page has expired or the request did not come from this site: reload the page and try again"}
}

// Default lifetimes of console sessions (console.idle_timeout, console.max_age).
const (
	defaultSessionIdle   = 30 * time.Minute
	defaultSessionMaxAge = 12 * time.Hour
)

// sessionMaxAge is the absolute lifetime of a console session.
func (s *Server) sessionMaxAge() time.Duration {
	if s.deps.Console.MaxAge > 0 {
		return s.deps.Console.MaxAge
	}
	return defaultSessionMaxAge
}

// sessionLimits are the idle and absolute timeouts of console sessions.
func (s *Server) sessionLimits() identity.SessionLimits {
	idle := s.deps.Console.IdleTimeout
	if idle <= 0 {
		idle = defaultSessionIdle
	}
	return identity.SessionLimits{Idle: idle, MaxAge: s.sessionMaxAge()}
}

// IsConsolePath tells whether a path is the console's (HTML for people) rather than the API's.
func IsConsolePath(p string) bool { return isConsolePath(p) }
