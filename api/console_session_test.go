package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/api"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// Console sessions and their protections (issue 15): a session ends at once on logout, when an
// administrator disables the user, resets its password, changes its roles or ends its sessions,
// when unused for the idle timeout and at its absolute age; CSRF, framing, sniffing, the static
// files' folder and the redirect after login are guarded.

// sessionCookieOf returns the console session cookie the client holds.
func (c *consoleClient) sessionCookie() string {
	c.t.Helper()
	u, _ := url.Parse(c.e.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "fq_session" {
			return ck.Value
		}
	}
	c.t.Fatal("no session cookie")
	return ""
}

// replay loads path with a session cookie as an attacker who kept it would.
func (e *env) replay(t *testing.T, cookie, path string) page {
	t.Helper()
	c := e.consoleAnonymous(t)
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "fq_session", Value: cookie})
	return c.do(req)
}

// moveSession moves a console session's recorded times into the past (the database's clock is
// the one the idle and absolute timeouts read), as if that much time had passed.
func (e *env) moveSession(t *testing.T, cookie, column, interval string) {
	t.Helper()
	p, err := e.deps.Identity.Authenticate(t.Context(), cookie)
	if err != nil {
		t.Fatalf("session to move: %v", err)
	}
	n := storetest.QueryInt(t, e.owner, fmt.Sprintf(`WITH m AS (UPDATE console_sessions SET %s = %s - $2::interval WHERE jti = $1 RETURNING 1)
		SELECT count(*) FROM m`, column, column), p.SessionID, interval)
	if n != 1 {
		t.Fatalf("moved %d console sessions, want 1", n)
	}
}

func TestConsoleSessionEnds(t *testing.T) {
	e := newEnv(t)
	patch := func(field string, value any) func(t *testing.T, id string) {
		return func(t *testing.T, id string) {
			res := e.do("putuo-admin", http.MethodPatch, "/api/v1/tenants/310107/users/"+id, map[string]any{field: value})
			if res.status != http.StatusOK {
				t.Fatalf("patch %s: %d %s", field, res.status, res.body)
			}
		}
	}
	rows := []struct {
		name  string
		end   func(t *testing.T, id string, c *consoleClient)
		ended bool // the session must be over; false: a control that must keep it
		// expired: the reason audited when a timeout ended the session (auth.session.expired)
		expired string
	}{
		{name: "logout", ended: true, end: func(t *testing.T, _ string, c *consoleClient) {
			if p := c.post("/logout", nil); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
				t.Fatalf("logout: %d %q", p.status, p.header.Get("Location"))
			}
		}},
		{name: "disabled by an administrator", ended: true, end: func(t *testing.T, id string, _ *consoleClient) { patch("status", "disabled")(t, id) }},
		{name: "password reset by an administrator", ended: true, end: func(t *testing.T, id string, _ *consoleClient) {
			patch("password", "another-horse-77")(t, id)
		}},
		{name: "roles changed by an administrator", ended: true, end: func(t *testing.T, id string, _ *consoleClient) {
			patch("roles", []string{identity.RoleAnalyst})(t, id)
		}},
		{name: "sessions ended by an administrator", ended: true, end: func(t *testing.T, id string, _ *consoleClient) {
			if res := e.do("putuo-admin", http.MethodDelete, "/api/v1/tenants/310107/users/"+id+"/sessions", nil); res.status != http.StatusNoContent {
				t.Fatalf("end sessions: %d %s", res.status, res.body)
			}
		}},
		{name: "idle for the timeout", ended: true, expired: "idle", end: func(t *testing.T, _ string, c *consoleClient) {
			e.moveSession(t, c.sessionCookie(), "last_seen_at", "30 minutes 1 second")
		}},
		{name: "idle a little less than the timeout", ended: false, end: func(t *testing.T, _ string, c *consoleClient) {
			e.moveSession(t, c.sessionCookie(), "last_seen_at", "29 minutes")
		}},
		{name: "older than the absolute lifetime though in use", ended: true, expired: "max_age", end: func(t *testing.T, _ string, c *consoleClient) {
			e.moveSession(t, c.sessionCookie(), "started_at", "12 hours 1 second")
		}},
		{name: "display name changed", ended: false, end: func(t *testing.T, id string, _ *consoleClient) {
			patch("display_name", "新名字")(t, id)
		}},
	}
	for i, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			username := fmt.Sprintf("session-user-%d", i)
			id, _ := e.person(t, "putuo-admin", "310107", username, identity.RoleDistrictStaff, "")
			c := e.consoleAs(t, username)
			if p := c.get("/"); p.status != http.StatusOK {
				t.Fatalf("dashboard before: %d", p.status)
			}
			cookie := c.sessionCookie()
			row.end(t, id, c)

			got := e.replay(t, cookie, "/")
			api := e.do("Bearer "+cookie, http.MethodGet, "/api/v1/me", nil)
			if !row.ended {
				if got.status != http.StatusOK || api.status != http.StatusOK {
					t.Fatalf("session ended by %s: console %d, API %d", row.name, got.status, api.status)
				}
				return
			}
			if got.status != http.StatusSeeOther || got.header.Get("Location") != "/login?ended=1" {
				t.Fatalf("replayed cookie: %d %q, want a redirect to /login?ended=1", got.status, got.header.Get("Location"))
			}
			if strings.Contains(got.body, "普陀区") {
				t.Error("the redirect shows the dashboard")
			}
			if api.status != http.StatusUnauthorized && api.status != http.StatusForbidden { // 403: the account is disabled
				t.Errorf("the ended session's token on the API: %d, want 401", api.status)
			}
			hx := e.consoleAnonymous(t)
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/", nil)
			req.Header.Set("HX-Request", "true")
			req.AddCookie(&http.Cookie{Name: "fq_session", Value: cookie})
			if p := hx.do(req); p.status != http.StatusUnauthorized || !strings.HasPrefix(p.header.Get("HX-Redirect"), "/login") {
				t.Errorf("htmx request: %d %q, want 401 with HX-Redirect to the login page", p.status, p.header.Get("HX-Redirect"))
			}
			n := storetest.QueryInt(t, e.owner, `SELECT count(*) FROM audit_events WHERE action = 'auth.session.expired' AND object = $1 AND after->>'reason' = $2`,
				identity.UserSubject(id), row.expired)
			if want := map[bool]int64{true: 1, false: 0}[row.expired != ""]; n != want {
				t.Errorf("%d audit events of the session's expiry (%q), want %d", n, row.expired, want)
			}
			login := e.consoleAnonymous(t).get("/login?ended=1")
			if !strings.Contains(login.body, "您的登录已结束") {
				t.Error("the login page does not say the session ended")
			}
		})
	}
}

// The idle clock is touched at most once a minute per session, and a request within the
// timeout moves it (a session in use does not end).
func TestConsoleSessionActivity(t *testing.T) {
	e := newEnv(t)
	c := e.consoleAs(t, "putuo-staff")
	cookie := c.sessionCookie()
	p, err := e.deps.Identity.Authenticate(t.Context(), cookie)
	if err != nil {
		t.Fatal(err)
	}
	seen := func() int64 {
		return storetest.QueryInt(t, e.owner, `SELECT (extract(epoch FROM last_seen_at) * 1000)::bigint FROM console_sessions WHERE jti = $1`, p.SessionID)
	}
	first := seen()
	c.get("/")
	if seen() != first {
		t.Error("a request within the minute wrote the session's activity")
	}
	e.moveSession(t, cookie, "last_seen_at", "20 minutes")
	moved := seen()
	if got := c.get("/"); got.status != http.StatusOK {
		t.Fatalf("after 20 idle minutes: %d", got.status)
	}
	if seen() <= moved {
		t.Fatal("a request after 20 idle minutes did not record the use")
	}
	e.moveSession(t, cookie, "last_seen_at", "20 minutes") // 40 minutes after login, 20 since the last use
	if got := c.get("/"); got.status != http.StatusOK {
		t.Errorf("a session in use ended: %d", got.status)
	}
	// A login token that never was a console session (from the API) is no console cookie.
	if got := e.replay(t, e.tokens["putuo-admin"], "/"); got.status != http.StatusSeeOther {
		t.Errorf("an API login token as the console cookie: %d, want a redirect to the login page", got.status)
	}
}

// The options reach the sessions: Secure cookies behind a TLS proxy, the absolute lifetime in the
// cookie, a short idle timeout ending the session in real time.
func TestConsoleSessionOptions(t *testing.T) {
	e := newEnv(t)
	deps := e.deps
	deps.Console.SecureCookies, deps.Console.MaxAge, deps.Console.IdleTimeout = true, 10*time.Minute, 3*time.Second
	srv := httptest.NewServer(api.New(deps).Handler())
	t.Cleanup(srv.Close)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path string, form url.Values, cookies ...*http.Cookie) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(form.Encode()))
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	cookie := func(res *http.Response, name string) *http.Cookie {
		for _, ck := range res.Cookies() {
			if ck.Name == name {
				return ck
			}
		}
		t.Fatalf("no cookie %s", name)
		return nil
	}
	res, body := send(http.MethodGet, "/login", nil)
	loginCSRF := cookie(res, "fq_login_csrf")
	m := csrfInPage.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token on the login page")
	}
	res, _ = send(http.MethodPost, "/login", url.Values{"username": {"putuo-admin"}, "password": {testPassword}, "_csrf": {m[1] + m[2]}}, loginCSRF)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	session := cookie(res, "fq_session")
	if !session.Secure || !session.HttpOnly || session.MaxAge <= 0 || session.MaxAge > 600 {
		t.Errorf("session cookie %+v: want Secure, HttpOnly, Max-Age within the 10 minutes of max_age", session)
	}
	if res, _ := send(http.MethodGet, "/", nil, session); res.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d", res.StatusCode)
	}
	time.Sleep(3100 * time.Millisecond) // the idle timeout of this server
	if res, _ := send(http.MethodGet, "/", nil, session); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?ended=1" {
		t.Errorf("after the idle timeout: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestConsoleLoginThrottled(t *testing.T) {
	e := newEnv(t)
	c := e.consoleAnonymous(t)
	c.get("/login")
	var last page
	for i := 0; i <= identity.FreeLoginFailures+1; i++ {
		last = c.post("/login", url.Values{"username": {"putuo-staff"}, "password": {"wrong-password-1"}})
		if last.status == http.StatusTooManyRequests {
			break
		}
		if last.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, last.status)
		}
	}
	if last.status != http.StatusTooManyRequests {
		t.Fatalf("after %d wrong passwords: %d, want 429", identity.FreeLoginFailures+2, last.status)
	}
	if ra, err := strconv.Atoi(last.header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After %q", last.header.Get("Retry-After"))
	}
	if !strings.Contains(last.body, "登录失败次数过多") || !strings.Contains(last.body, `name="password"`) {
		t.Errorf("the login form does not say why: %s", last.body)
	}
	// Even the right password waits now.
	if p := c.post("/login", url.Values{"username": {"putuo-staff"}, "password": {testPassword}}); p.status != http.StatusTooManyRequests {
		t.Errorf("right password while throttled: %d, want 429", p.status)
	}
}

func TestConsoleCSRF(t *testing.T) {
	e := newEnv(t)
	admin := e.consoleAs(t, "putuo-admin")
	staff := e.consoleAs(t, "putuo-staff")
	alive := func(t *testing.T, c *consoleClient) {
		t.Helper()
		if p := c.get("/"); p.status != http.StatusOK {
			t.Fatalf("the refused request changed something: the session is gone (%d)", p.status)
		}
	}
	send := func(c *consoleClient, method, path string, form url.Values, header map[string]string) page {
		req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		return c.do(req)
	}
	rows := []struct {
		name   string
		form   url.Values
		header map[string]string
	}{
		{name: "no token", form: url.Values{}},
		{name: "empty token", form: url.Values{"_csrf": {""}}},
		{name: "another session's token", form: url.Values{"_csrf": {staff.csrf}}},
		{name: "another session's token in the htmx header", form: url.Values{}, header: map[string]string{"X-CSRF-Token": staff.csrf, "HX-Request": "true"}},
		{name: "a tampered token", form: url.Values{"_csrf": {admin.csrf[:len(admin.csrf)-2] + "xx"}}},
		{name: "the right token from another site", form: url.Values{"_csrf": {admin.csrf}}, header: map[string]string{"Sec-Fetch-Site": "cross-site"}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			for _, path := range []string{"/logout", "/no-such-page"} {
				p := send(admin, http.MethodPost, path, row.form, row.header)
				if p.status != http.StatusForbidden && !(path == "/no-such-page" && (p.status == http.StatusNotFound || p.status == http.StatusMethodNotAllowed)) {
					t.Errorf("POST %s: %d, want 403", path, p.status)
				}
				if p.header.Get("Content-Security-Policy") == "" {
					t.Errorf("POST %s: the refusal has no CSP", path)
				}
			}
			alive(t, admin)
		})
	}
	// The login form has its own token before there is a session.
	anon := e.consoleAnonymous(t)
	anon.get("/login")
	if p := anon.postRaw("/login", url.Values{"username": {"putuo-admin"}, "password": {testPassword}}); p.status != http.StatusForbidden {
		t.Errorf("login without the form's token: %d, want 403", p.status)
	}
	fresh := e.consoleAnonymous(t)
	if p := fresh.postRaw("/login", url.Values{"username": {"putuo-admin"}, "password": {testPassword}, "_csrf": {anon.csrf}}); p.status != http.StatusForbidden {
		t.Errorf("login with another browser's form token: %d, want 403", p.status)
	}
	if p := admin.post("/logout", nil); p.status != http.StatusSeeOther {
		t.Errorf("logout with the token: %d", p.status)
	}
}

func TestConsoleSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	anon := e.consoleAnonymous(t)
	c := e.consoleAs(t, "putuo-admin")
	rows := []struct {
		name   string
		client *consoleClient
		path   string
		status int
	}{
		{"login page", anon, "/login", http.StatusOK},
		{"redirect to the login page", anon, "/", http.StatusSeeOther},
		{"dashboard", c, "/", http.StatusOK},
		{"unknown page", c, "/no-such-page", http.StatusNotFound},
		{"unknown page, anonymous", anon, "/no-such-page", http.StatusNotFound},
		{"stylesheet", anon, "/static/app.css", http.StatusOK},
		{"script", anon, "/static/app.js", http.StatusOK},
		{"vendored script", anon, "/static/vendor/htmx.min.js", http.StatusOK},
		{"missing static file", anon, "/static/nope.js", http.StatusNotFound},
		{"language switch", anon, "/lang/en", http.StatusSeeOther},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			p := row.client.get(row.path)
			if p.status != row.status {
				t.Fatalf("%s: %d, want %d", row.path, p.status, row.status)
			}
			if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("CSP %q", csp)
			}
			if p.header.Get("X-Frame-Options") != "DENY" || p.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("X-Frame-Options %q, X-Content-Type-Options %q", p.header.Get("X-Frame-Options"), p.header.Get("X-Content-Type-Options"))
			}
		})
	}
	// The session cookie: HttpOnly, SameSite, and Secure over TLS only (console.secure_cookies).
	anon.get("/login")
	res, err := anon.http.PostForm(e.srv.URL+"/login", url.Values{"username": {"putuo-admin"}, "password": {testPassword}, "_csrf": {anon.csrf}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var found bool
	for _, ck := range res.Cookies() {
		if ck.Name == "fq_session" {
			found = true
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.MaxAge <= 0 || ck.MaxAge > 3600 {
				t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain HTTP, Max-Age within the token's hour", ck)
			}
		}
	}
	if !found {
		t.Error("login set no session cookie")
	}
}

func TestConsoleStaticStaysInItsFolder(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{
		"/static/../console.go", "/static/%2e%2e/console.go", "/static/..%2fconsole.go", "/static/%2e%2e%2fconsole.go",
		"/static/vendor/..%2f..%2f..%2fconsole.go", "/static/..%5cconsole.go", "/static/....//console.go",
		"/static/../templates/login.html", "/static/%2e%2e/templates/login.html", "/static//etc/passwd",
		"/static/vendor/axe.min.js", // for the browser tests only: not embedded, not served
	} {
		req, err := http.NewRequest(http.MethodGet, e.srv.URL+"/static/x", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.URL.Opaque = p // sent as written, not cleaned by the client
		res := e.send(req)
		body := string(res.body)
		if res.status == http.StatusOK || strings.Contains(body, "package api") || strings.Contains(body, "{{define") || strings.Contains(body, "root:") || strings.Contains(body, "axe") {
			t.Errorf("GET %s: %d %.80q", p, res.status, body)
		}
	}
}

func TestConsoleNextStaysOnSite(t *testing.T) {
	e := newEnv(t)
	for _, next := range []string{"//evil.example", "/\\evil.example", "https://evil.example", "http:evil.example", "/\t/evil.example",
		"/\r\nLocation: https://evil.example", "\\\\evil.example", "javascript:alert(1)", "%2F%2Fevil.example", " //evil.example"} {
		c := e.consoleAnonymous(t)
		c.get("/login?next=" + url.QueryEscape(next))
		p := c.post("/login", url.Values{"username": {"putuo-admin"}, "password": {testPassword}, "next": {next}})
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/" {
			t.Errorf("next=%q: %d %q, want /", next, p.status, p.header.Get("Location"))
		}
		// Signed in already, the login page redirects the same way.
		if p := c.get("/login?next=" + url.QueryEscape(next)); p.header.Get("Location") != "/" {
			t.Errorf("login page with next=%q: %q, want /", next, p.header.Get("Location"))
		}
	}
	c := e.consoleAnonymous(t)
	c.get("/login")
	if p := c.post("/login", url.Values{"username": {"putuo-admin"}, "password": {testPassword}, "next": {"/cases?status=open"}}); p.header.Get("Location") != "/cases?status=open" {
		t.Errorf("a local next: %q", p.header.Get("Location"))
	}
}

// Every vendored script is the file its SHA-256 list names (make vendor writes both).
func TestVendoredAssetsMatchSums(t *testing.T) {
	dir := filepath.Join("console", "assets", "vendor")
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 || name == "" || strings.ContainsAny(name, "/\\") {
			t.Fatalf("SHA256SUMS line %q", line)
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s is listed but missing: %v", name, err)
			continue
		}
		got := sha256.Sum256(b)
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s does not match its SHA-256 in SHA256SUMS (run make vendor, do not edit vendored files)", name)
		}
		listed[name] = true
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.js"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no vendored scripts")
	}
	for _, f := range files {
		if !listed[filepath.Base(f)] {
			t.Errorf("%s is not in SHA256SUMS", filepath.Base(f))
		}
	}
}
