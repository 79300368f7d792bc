package browsertest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/pluginhost"
)

// Data for the scenarios is set up as the api tests do: through the JSON API over HTTP, as a
// user of the site (never through the database).

// apiCall sends a JSON request as username (signing in through the API once) and returns the
// status and the decoded answer.
func (s *site) apiCall(t *testing.T, as, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if as != "" {
		req.Header.Set("Authorization", "Bearer "+s.apiToken(t, as))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	if out == nil {
		out = map[string]any{"_raw": string(raw)}
	}
	return res.StatusCode, out
}

var tokens sync.Map // site url + username → bearer token

func (s *site) apiToken(t *testing.T, username string) string {
	t.Helper()
	if tok, ok := tokens.Load(s.url + username); ok {
		return tok.(string)
	}
	status, out := s.apiCall(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": username, "password": password})
	if status != http.StatusOK {
		t.Fatalf("API login %s: %d %v", username, status, out)
	}
	tok := out["token"].(string)
	tokens.Store(s.url+username, tok)
	return tok
}

// must sends a request that must answer want, and returns the answer.
func (s *site) must(t *testing.T, want int, as, method, path string, body any) map[string]any {
	t.Helper()
	status, out := s.apiCall(t, as, method, path, body)
	if status != want {
		t.Fatalf("%s %s as %s: %d, want %d: %v", method, path, as, status, want, out)
	}
	return out
}

const putuo = "/api/v1/tenants/310107"

// world is Putuo with what the scenarios need: a street committee (routing proposes it), a
// court and a police station with a clerk each (the station receives the district's warnings),
// and the registry mediator 王明 who signs in as wang.
type world struct {
	*site
	committee, court, police string // organisation ids
	mediator                 string // 王明's registry id
}

func newWorld(t *testing.T, opts ...siteOptions) *world {
	t.Helper()
	w := &world{site: newSite(t, opts...)}
	org := func(body map[string]any) string {
		return w.must(t, http.StatusCreated, "putuo-admin", http.MethodPost, putuo+"/organisations", body)["id"].(string)
	}
	w.committee = org(map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	w.court = org(map[string]any{"kind": "court", "name": "普陀区人民法院"})
	w.police = org(map[string]any{"kind": "police_station", "name": "长寿路派出所"})
	w.must(t, http.StatusOK, "putuo-admin", http.MethodPut, putuo+"/warning-settings", map[string]any{"police_org_id": w.police})
	user := func(username, role, org string) string {
		return w.must(t, http.StatusCreated, "putuo-admin", http.MethodPost, putuo+"/users",
			map[string]any{"username": username, "password": password, "roles": []string{role}, "organisation_id": org})["id"].(string)
	}
	wang := user("wang", "mediator", w.committee)
	user("court-clerk", "agency-clerk", w.court)
	user("police-officer", "agency-clerk", w.police)
	w.mediator = w.must(t, http.StatusCreated, "putuo-admin", http.MethodPost, putuo+"/mediators", map[string]any{
		"name": "王明", "kind": "full_time", "organisation_id": w.committee, "chief": true, "user_id": wang})["id"].(string)
	return w
}

// sampleCase is a calm neighbours' dispute in Putuo.
func sampleCase(title string) map[string]any {
	return map[string]any{
		"title":        title,
		"description":  "楼上漏水导致楼下天花板受损，双方就赔偿金额协商未果。",
		"dispute_type": "neighbour",
		"source":       "walk_in",
		"place_code":   "310107015",
		"amount":       3500.5,
		"parties": []map[string]any{
			{"name": "张三", "phone": "13800138000", "role": "applicant"},
			{"name": "李四", "phone": "13900139000", "role": "respondent"},
		},
	}
}

// newCase takes a case in through the API as putuo-staff and returns its id and number.
func (w *world) newCase(t *testing.T, body map[string]any) (id, number string) {
	t.Helper()
	out := w.must(t, http.StatusCreated, "putuo-staff", http.MethodPost, putuo+"/cases", body)
	return out["id"].(string), out["number"].(string)
}

// act runs a case action as putuo-staff (the case's version read first).
func (w *world) act(t *testing.T, id, action string, body map[string]any) {
	t.Helper()
	c := w.must(t, http.StatusOK, "putuo-staff", http.MethodGet, putuo+"/cases/"+id, nil)
	if body == nil {
		body = map[string]any{}
	}
	body["version"] = c["version"]
	w.must(t, http.StatusOK, "putuo-staff", http.MethodPost, putuo+"/cases/"+id+"/actions/"+action, body)
}

// mediate assigns the case to the committee with 王明 and starts the mediation.
func (w *world) mediate(t *testing.T, id string) {
	t.Helper()
	w.act(t, id, "assign", map[string]any{"committee_id": w.committee, "mediators": []string{w.mediator}})
	w.act(t, id, "start_mediation", nil)
}

// caseJSON reads a case through the API as putuo-staff.
func (w *world) caseJSON(t *testing.T, id string) map[string]any {
	t.Helper()
	return w.must(t, http.StatusOK, "putuo-staff", http.MethodGet, putuo+"/cases/"+id, nil)
}

// work drains the job queue (notifications of warnings).
func (s *site) work(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.app.Queue.WorkQueue(ctx, time.Now()); err != nil {
		t.Fatalf("work the queue: %v", err)
	}
}

// eventually polls cond (an API read) until it holds, for the htmx swap and the server.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: did not happen", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitFor polls a JavaScript condition in the page.
func (tb *tab) waitFor(what, expr string) {
	tb.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := evalErr[bool](tb, expr)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			tb.shot("failed")
			tb.t.Fatalf("%s: the page never showed it (%s): %v", what, expr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// body is the page's visible text.
func (tb *tab) body() string {
	tb.t.Helper()
	return eval[string](tb, `document.body.innerText`)
}

var pluginBuild = sync.OnceValues(func() (string, error) {
	dir := filepath.Join(os.TempDir(), "fengqiao-browsertest-plugins")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte("example|1.0.0"))
	out := filepath.Join(dir, "example-"+hex.EncodeToString(sum[:4]))
	cmd := exec.Command("go", "build", "-ldflags", "-X main.version=1.0.0", "-o", out, "./plugins/example/cmd")
	cmd.Dir = filepath.Join("..", "..")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the example plugin: %v\n%s", err, b)
	}
	return out, nil
})

// installExample builds the example plugin (once per test binary), installs it as `fengqiao
// plugin install` does and enables it in Putuo through the API.
func (s *site) installExample(t *testing.T) {
	t.Helper()
	bin, err := pluginBuild()
	if err != nil {
		t.Fatal(err)
	}
	ctx := audit.WithActor(context.Background(), audit.Actor{Subject: "system:test"})
	rec, rep, err := pluginhost.Install(ctx, bin, filepath.Join(t.TempDir(), "plugins"), "system:test", nil)
	if err != nil {
		t.Fatalf("install: %v (%+v)", err, rep)
	}
	if _, err := s.app.Store.InstallPlugin(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := s.app.Plugins.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	s.must(t, http.StatusOK, "putuo-admin", http.MethodPut, putuo+"/plugins/example", map[string]any{"settings": map[string]any{}})
}

// contains fails the test unless the page's text holds every want.
func (tb *tab) contains(want ...string) {
	tb.t.Helper()
	body := tb.body()
	for _, w := range want {
		if !strings.Contains(body, w) {
			tb.shot("failed")
			tb.t.Errorf("%s lacks %q", tb.location(), w)
		}
	}
}

// evalErr evaluates a JavaScript expression, returning the error rather than failing.
func evalErr[T any](tb *tab, expr string) (T, error) {
	return chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
}

// acceptDialogs answers yes to every confirm() the pages ask (a plugin action's confirmation);
// the function it returns lists the questions asked so far.
func (tb *tab) acceptDialogs() func() []string {
	tb.t.Helper()
	var mu sync.Mutex
	var asked []string
	if err := chromedp.Listen(tb.ctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			mu.Lock()
			asked = append(asked, d.Message)
			mu.Unlock()
			go func() {
				_, _ = chromedp.Call(tb.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		tb.t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), asked...)
	}
}

// docShot saves what the window shows (1280 px wide on a desktop; the phone's viewport on a
// phone), scrolled to sel if given, as name.png under $FENGQIAO_DOC_SCREENSHOTS — the README's
// images (docs/screenshots): `FENGQIAO_DOC_SCREENSHOTS=$PWD/docs/screenshots go test
// ./api/browsertest/ -run TestScenario`. Without the variable it does nothing.
func (tb *tab) docShot(name, sel string) {
	tb.t.Helper()
	dir := os.Getenv("FENGQIAO_DOC_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	if sel != "" {
		tb.do(chromedp.ScrollIntoView(chromedp.CSS(sel), chromedp.NodeVisible))
	} else {
		tb.do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0); undefined`))
	}
	png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}
