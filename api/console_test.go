package api_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// consoleClient is a person using the web console: a cookie jar, no redirects followed (tests
// look at them), and the CSRF token of the last page it loaded.
type consoleClient struct {
	t    testing.TB
	e    *env
	http *http.Client
	csrf string
}

// page is one console response.
type page struct {
	status int
	header http.Header
	body   string
}

var csrfInPage = regexp.MustCompile(`name="_csrf" value="([^"]+)"|"X-CSRF-Token": "([^"]+)"`)

// consoleAs logs username in through the login form (password testPassword unless given).
func (e *env) consoleAs(t testing.TB, username string, password ...string) *consoleClient {
	t.Helper()
	c := e.consoleAnonymous(t)
	pw := testPassword
	if len(password) > 0 {
		pw = password[0]
	}
	c.get("/login")
	p := c.post("/login", url.Values{"username": {username}, "password": {pw}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("console login %s: %d %s", username, p.status, p.body)
	}
	c.get("/") // the session's own CSRF token
	return c
}

// consoleAnonymous is a console client that has not logged in.
func (e *env) consoleAnonymous(t testing.TB) *consoleClient {
	jar, _ := cookiejar.New(nil)
	return &consoleClient{t: t, e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *consoleClient) do(req *http.Request) page {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	p := page{status: res.StatusCode, header: res.Header, body: string(b)}
	if m := csrfInPage.FindStringSubmatch(p.body); m != nil {
		c.csrf = m[1] + m[2]
	}
	return p
}

// get loads a page as a browser would.
func (c *consoleClient) get(path string) page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.e.srv.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// htmx loads a fragment as htmx does (HX-Request).
func (c *consoleClient) htmx(method, path string, form url.Values) page {
	c.t.Helper()
	req, err := http.NewRequest(method, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", c.csrf)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return c.do(req)
}

// post submits a form with the CSRF token of the last page.
func (c *consoleClient) post(path string, form url.Values) page {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.csrf)
	}
	return c.postRaw(path, form)
}

// postRaw submits a form as is (no CSRF token added).
func (c *consoleClient) postRaw(path string, form url.Values) page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func TestConsoleLoginAndHeaders(t *testing.T) {
	e := newEnv(t)
	anon := e.consoleAnonymous(t)
	if p := anon.get("/"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
		t.Fatalf("anonymous /: %d %q", p.status, p.header.Get("Location"))
	}
	login := anon.get("/login")
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"} {
		if login.header.Get(h) == "" {
			t.Errorf("login page lacks %s", h)
		}
	}
	if csp := login.header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	if p := anon.post("/login", url.Values{"username": {"putuo-admin"}, "password": {"wrong-password-1"}}); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "problem") {
		t.Errorf("wrong password: %d", p.status)
	}
	c := e.consoleAs(t, "putuo-admin")
	home := c.get("/")
	if home.status != http.StatusOK || !strings.Contains(home.body, "普陀区") {
		t.Fatalf("dashboard: %d %s", home.status, home.body)
	}
	if p := c.postRaw("/logout", url.Values{}); p.status != http.StatusForbidden {
		t.Errorf("logout without the CSRF token: %d, want 403", p.status)
	}
	if p := c.post("/logout", nil); p.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", p.status)
	}
	if p := c.get("/"); p.status != http.StatusSeeOther {
		t.Errorf("after logout: %d, want a redirect to the login page", p.status)
	}
}
