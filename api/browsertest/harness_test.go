package browsertest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/fengqiao/fengqiao/cmd/fengqiao/app"
	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/config"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/pluginhost"
	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/prometheus/client_golang/prometheus"
)

// browser is the one Chromium of the test binary; noBrowser says why there is none (the tests
// skip), brokenBrowser why the one found does not start (the tests fail).
var (
	browser       context.Context
	noBrowser     string
	brokenBrowser string
)

// chromiumPath finds the browser: $FENGQIAO_CHROMIUM, else Debian's chromium.
func chromiumPath() string {
	if p := os.Getenv("FENGQIAO_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func TestMain(m *testing.M) {
	os.Exit(runWithBrowser(m))
}

func runWithBrowser(m *testing.M) int {
	path := chromiumPath()
	if path == "" {
		noBrowser = "no chromium found: install it (apt-get install chromium fonts-noto-cjk; make test does as root) or set FENGQIAO_CHROMIUM"
		return m.Run()
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // root in containers and CI; the pages are our own
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // start it
		brokenBrowser = fmt.Sprintf("chromium %s does not start: %v", path, err)
		return m.Run()
	}
	browser = ctx
	return m.Run()
}

const password = "correct-horse-42"

// users of every site: username → tenant, role.
var users = []struct{ username, tenant, role string }{
	{"sh-prov", "310000", identity.RoleProvinceAdmin},
	{"putuo-admin", "310107", identity.RoleDistrictAdmin},
	{"putuo-staff", "310107", identity.RoleDistrictStaff},
}

// site is the whole product on a fresh database, served over HTTP.
type site struct {
	url   string
	owner string // the database's owner URL
	app   *app.App
}

// siteOptions vary a site: a console idle timeout other than 30 minutes.
type siteOptions struct {
	idle    time.Duration
	plugins bool // run the plugin platform (install plugins with site.installPlugin)
}

// newSite starts the product as the api tests do: Shanghai's Putuo and Qingpu onboarded, the
// users above.
func newSite(t *testing.T, opts ...siteOptions) *site {
	t.Helper()
	var o siteOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.idle == 0 {
		o.idle = 30 * time.Minute
	}
	owner := storetest.NewDatabase(t)
	ctx := audit.WithActor(context.Background(), audit.Actor{Subject: "system:test"})
	key := func(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }
	cfg := config.Config{
		Database: config.Database{URL: owner, MaxConns: 8},
		Auth:     config.Auth{TokenKey: strings.Repeat("k", 32), TokenTTL: time.Hour, Issuer: "fengqiao-test"},
		Security: config.Security{PIIKeys: "t1:" + key(1), PIIActiveKey: "t1", PIIIndexKey: key(2)},
		Tenancy:  config.Tenancy{Placements: []string{"default"}},
		HTTP:     config.HTTP{BodyLimit: 1 << 20},
		Console:  config.Console{IdleTimeout: o.idle, MaxAge: 12 * time.Hour},
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("FENGQIAO_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	appOpts := app.Options{Serve: true, Logger: logger, Version: "test"}
	if o.plugins {
		reg := prometheus.NewRegistry()
		appOpts.Registerer, appOpts.Gatherer = reg, reg
		appOpts.Plugins, appOpts.PluginHost = true, pluginhost.Options{Logger: logger, HealthInterval: time.Hour}
	}
	a, err := app.New(ctx, cfg, appOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	srv := httptest.NewServer(a.API.Handler())
	t.Cleanup(srv.Close)
	plan, err := tenant.PlanOnboarding("000000", []string{"310107", "310118"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Tenants.Execute(ctx, "000000", plan); err != nil {
		t.Fatal(err)
	}
	st := &site{url: srv.URL, owner: owner, app: a}
	for _, u := range users {
		st.createUser(t, u.tenant, u.username, u.role, "")
	}
	return st
}

// createUser adds a user of tenant (password: password) with role, working for org (a committee
// or agency of the tenant, or "" for bureau staff), and returns its id.
func (s *site) createUser(t *testing.T, tenantCode, username, role, org string) string {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Subject: "system:test"})
	u, err := s.app.Identity.CreateUser(ctx, nil, tenantCode, identity.NewUser{Username: username, Password: password, Roles: []string{role}, OrganisationID: org})
	if err != nil {
		t.Fatalf("create %s: %v", username, err)
	}
	return u.ID
}

// tab is one test's browser: a new incognito context of the shared browser, whose JavaScript
// errors and CSP violations are collected.
type tab struct {
	t    *testing.T
	ctx  context.Context
	site *site

	mu       sync.Mutex
	problems []string // JavaScript errors and CSP violations the pages reported
	shots    int
}

// newTab opens an incognito context for the test; at its end, the test fails on any JavaScript
// error or CSP violation reported meanwhile.
func newTab(t *testing.T, s *site) *tab {
	t.Helper()
	if brokenBrowser != "" {
		t.Fatal(brokenBrowser)
	}
	if browser == nil {
		t.Skip("browser tests skipped: " + noBrowser)
	}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	tb := &tab{t: t, ctx: ctx, site: s}
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
	})
	if err := chromedp.Listen(ctx, tb.collect); err != nil {
		t.Fatalf("browser: %v", err)
	}
	// A CSP refusal is reported as a log entry; the event makes sure, whatever the browser's
	// wording (the script is the harness's, run by the protocol, not subject to the page's CSP).
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `document.addEventListener("securitypolicyviolation", function (e) { console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI); });`,
	}); err != nil {
		t.Fatalf("browser: %v", err)
	}
	t.Cleanup(func() {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, p := range tb.problems {
			t.Errorf("the page reported: %s", p)
		}
	})
	return tb
}

// collect keeps what the pages report as errors: uncaught exceptions, console.error calls
// (the CSP listener above among them), and the browser's error log entries — except the
// network's (a 401 or 403 page the test asks for is reported there, and is no fault).
func (tb *tab) collect(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg = "exception: " + d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			if a.Value != nil {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		msg = "console.error: " + strings.Join(parts, " ")
	case *log.EventEntryAdded:
		e := ev.Entry
		if e.Level != log.EntryLevelError || e.Source == log.EntrySourceNetwork {
			return
		}
		msg = fmt.Sprintf("%s log: %s (%s)", e.Source, e.Text, e.URL)
	default:
		return
	}
	tb.mu.Lock()
	tb.problems = append(tb.problems, msg)
	tb.mu.Unlock()
}

// do runs actions, failing the test on an error.
func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		tb.shot("failed")
		tb.t.Fatal(err)
	}
}

// open navigates to a path of the site and waits for the page's scripts to have run.
func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(tb.site.url + path))
	tb.settle()
}

// settle waits until the document is loaded and the deferred scripts (htmx, Alpine) have run.
func (tb *tab) settle() {
	tb.t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](`document.readyState === "complete"`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		tb.t.Fatalf("page did not load: %v", err)
	}
}

// clickAndWait clicks the element and waits for the page it loads, whose status it returns.
func (tb *tab) clickAndWait(sel string) int64 {
	tb.t.Helper()
	res, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		tb.shot("failed")
		tb.t.Fatalf("click %s: %v", sel, err)
	}
	tb.settle()
	if res == nil {
		return 0
	}
	return res.Status
}

// back presses the browser's back button and waits for the document it shows, whether loaded
// again or restored from the back/forward cache (which fires no load event).
func (tb *tab) back() {
	tb.t.Helper()
	tb.do(chromedp.Evaluate[chromedp.Void](`window.__fqBefore = true; history.back(); undefined`))
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		done, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`window.__fqBefore !== true && document.readyState === "complete"`))
		if err == nil && done {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.t.Fatal("the back button showed no page")
}

// location is the page's path and query.
func (tb *tab) location() string {
	tb.t.Helper()
	loc, err := chromedp.Run(tb.ctx, chromedp.Location())
	if err != nil {
		tb.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, tb.site.url)
}

// text is the visible text of the first element sel matches.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		tb.shot("failed")
		tb.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// eval evaluates a JavaScript expression (in the page's world, outside its CSP).
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// login signs in through the login form and waits for the page it leads to.
func (tb *tab) login(username, pw string) {
	tb.t.Helper()
	if !strings.HasPrefix(tb.location(), "/login") {
		tb.open("/login")
	}
	tb.do(chromedp.SendKeys(chromedp.CSS("#username"), username, chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#password"), pw, chromedp.NodeVisible))
	tb.clickAndWait(`form[action="/login"] button[type="submit"]`)
}

// screenshotDir is where screenshots go: $FENGQIAO_SCREENSHOTS, or .local/screenshots of the
// checkout.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("FENGQIAO_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", ".local", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// shot saves a full-page PNG named after the test and name, and logs where.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return
	}
	tb.shots++
	file := filepath.Join(screenshotDir(tb.t), unsafeName.ReplaceAllString(fmt.Sprintf("%s-%02d-%s", tb.t.Name(), tb.shots, name), "_")+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot %s", file)
}

// axeSource is axe-core, vendored for the tests only (it is not embedded in the binary).
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(filepath.Join("..", "console", "assets", "vendor", "axe.min.js"))
	return string(b), err
})

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axe runs axe-core on the page (WCAG 2.1 A and AA rules) and fails the test on any serious or
// critical violation, printing them. The script is injected through the protocol, which the
// page's CSP does not govern.
func (tb *tab) axe() {
	tb.t.Helper()
	for _, v := range tb.axeViolations() {
		if v.Impact != "serious" && v.Impact != "critical" {
			tb.t.Logf("axe (%s, not failing): %s — %s", v.Impact, v.ID, v.Help)
			continue
		}
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target)+": "+n.Summary)
		}
		tb.t.Errorf("axe %s on %s: %s — %s\n  %s", v.Impact, tb.location(), v.ID, v.Help, strings.Join(where, "\n  "))
	}
}

// axeViolations runs axe-core on the page and returns every violation.
func (tb *tab) axeViolations() []axeViolation {
	tb.t.Helper()
	src, err := axeSource()
	if err != nil {
		tb.t.Fatalf("axe-core: %v", err)
	}
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[chromedp.Void](src+";undefined")); err != nil {
		tb.t.Fatalf("inject axe-core: %v", err)
	}
	out, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}, resultTypes: ["violations"]}).then(function (r) { return JSON.stringify(r.violations); })`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("axe-core: %v", err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		tb.t.Fatalf("axe-core result: %v", err)
	}
	return vs
}

// reported returns and forgets what the pages reported so far.
func (tb *tab) reported() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	out := tb.problems
	tb.problems = nil
	return out
}
