package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/pluginhost"
	"github.com/fengqiao/fengqiao/core/plugins"
	"github.com/fengqiao/fengqiao/core/store"
)

// The plugin platform through the real host: plugins/example and the fault-test plugin
// plugins/internal/faulty are built, installed and run as processes (hashicorp/go-plugin),
// and driven through the HTTP API and the job queue.

var (
	buildMu sync.Mutex
	builds  = map[string]string{}
)

// buildPlugin builds a plugin package of the repository (once per test process and flags).
func buildPlugin(t testing.TB, pkg, ldflags string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	key := pkg + "|" + ldflags
	if p, ok := builds[key]; ok {
		return p
	}
	// Per checkout too: tests of other checkouts on the machine build their own versions.
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(root + "|" + key))
	dir := filepath.Join(os.TempDir(), "fengqiao-test-plugins", hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-ldflags", ldflags, "-o", out, "./"+pkg)
	cmd.Dir = ".."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, b)
	}
	builds[key] = out
	return out
}

// install checks and installs a plugin binary into a fresh plugin directory, as
// `fengqiao plugin install` does, and makes the manager see it.
func (e *env) install(t *testing.T, path string) plugins.Record {
	t.Helper()
	ctx := audit.WithActor(context.Background(), audit.Actor{Subject: "system:test"})
	rec, rep, err := pluginhost.Install(ctx, path, filepath.Join(t.TempDir(), "plugins"), "system:test", nil)
	if err != nil {
		t.Fatalf("install %s: %v (%+v)", path, err, rep)
	}
	if rec, err = e.store.InstallPlugin(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := e.plugins.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	return rec
}

func (e *env) enablePlugin(t *testing.T, as, code, name string, settings map[string]any) {
	t.Helper()
	res := e.do(as, http.MethodPut, "/api/v1/tenants/"+code+"/plugins/"+name, map[string]any{"settings": settings})
	if res.status != 200 {
		t.Fatalf("enable %s in %s: %d %s", name, code, res.status, res.body)
	}
}

func countCases(t *testing.T, e *env, as, code string) int {
	t.Helper()
	res := e.do(as, http.MethodGet, "/api/v1/tenants/"+code+"/cases?limit=500", nil)
	if res.status != 200 {
		t.Fatalf("list: %d %s", res.status, res.body)
	}
	return len(items(res))
}

func TestPluginPlatform(t *testing.T) {
	e := newEnvWith(t, envOptions{plugins: true})
	example := buildPlugin(t, "plugins/example/cmd", "-X main.version=1.0.0")
	rec := e.install(t, example)
	ctx := context.Background()

	t.Run("catalog", func(t *testing.T) {
		res := e.do("nation", http.MethodGet, "/api/v1/plugins", nil)
		if res.status != 200 || len(items(res)) != 1 {
			t.Fatalf("listPlugins: %d %s", res.status, res.body)
		}
		p := items(res)[0]
		if p["name"] != "example" || p["version"] != "1.0.0" || p["sha256"] != rec.SHA256 || p["protocol_version"] != float64(1) {
			t.Errorf("listed %v", p)
		}
		if st := p["status"].(map[string]any); st["running"] != true {
			t.Errorf("not running: %v", st)
		}
	})

	runRows(t, e, nil, []row{
		{name: "a district admin enables it for Putuo", as: "putuo-admin", method: "PUT", path: "/api/v1/tenants/310107/plugins/example", body: map[string]any{"settings": map[string]any{"greeting": "您好"}}, status: 200},
		{name: "not for Jinan: regions 31", as: "huaiyin-admin", method: "PUT", path: "/api/v1/tenants/370104/plugins/example", body: map[string]any{}, status: 400, problem: "invalid-field", field: "regions"},
		{name: "settings against the schema", as: "qingpu-admin", method: "PUT", path: "/api/v1/tenants/310118/plugins/example", body: map[string]any{"settings": map[string]any{"forbidden_word": ""}}, status: 400, problem: "invalid-field", field: "settings.forbidden_word"},
		{name: "unknown setting", as: "qingpu-admin", method: "PUT", path: "/api/v1/tenants/310118/plugins/example", body: map[string]any{"settings": map[string]any{"colour": "red"}}, status: 400, problem: "invalid-field"},
		{name: "a district has no subtree", as: "qingpu-admin", method: "PUT", path: "/api/v1/tenants/310118/plugins/example", body: map[string]any{"subtree": true}, status: 400, problem: "invalid-field", field: "subtree"},
		{name: "not another district's", as: "qingpu-admin", method: "PUT", path: "/api/v1/tenants/310107/plugins/example", body: map[string]any{}, status: 404, problem: "tenant-not-found"},
		{name: "staff may not enable", as: "putuo-staff", method: "PUT", path: "/api/v1/tenants/310107/plugins/example", body: map[string]any{}, status: 403, problem: "forbidden"},
		{name: "unknown plugin", as: "putuo-admin", method: "PUT", path: "/api/v1/tenants/310107/plugins/nosuch", body: map[string]any{}, status: 404, problem: "plugin-not-found"},
		{name: "tenant's plugins", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/plugins", status: 200, items: count(1)},

		{name: "route as staff", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/plugins/example/hello", status: 200},
		{name: "route needs login", as: "", method: "GET", path: "/api/v1/tenants/310107/plugins/example/hello", status: 401, problem: "unauthenticated"},
		{name: "route of another tenant", as: "huaiyin-staff", method: "GET", path: "/api/v1/tenants/310107/plugins/example/hello", status: 404, problem: "tenant-not-found"},
		{name: "not enabled in Qingpu", as: "qingpu-admin", method: "GET", path: "/api/v1/tenants/310118/plugins/example/hello", status: 404, problem: "plugin-route-not-found"},
		{name: "no such route", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/plugins/example/nosuch", status: 404, problem: "plugin-route-not-found"},
		{name: "wrong method", as: "putuo-staff", method: "DELETE", path: "/api/v1/tenants/310107/plugins/example/hello", status: 405, problem: "method-not-allowed"},
		{name: "public route without login", as: "", method: "GET", path: "/api/v1/tenants/310107/plugins/example/public/greeting", status: 200},
		{name: "public route where not enabled", as: "", method: "GET", path: "/api/v1/tenants/310118/plugins/example/public/greeting", status: 404, problem: "plugin-route-not-found"},
	})

	t.Run("route carries tenant, principal and settings", func(t *testing.T) {
		res := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/plugins/example/hello", nil)
		if res.json["greeting"] != "您好" || res.json["tenant"] != "310107" || res.json["principal"] != "user:"+e.ids["putuo-staff"] {
			t.Errorf("hello: %s", res.body)
		}
		res = e.do("", http.MethodGet, "/api/v1/tenants/310107/plugins/example/public/greeting", nil)
		if res.json["greeting"] != "您好" || res.header.Get("Cache-Control") == "" {
			t.Errorf("public greeting: %s %v", res.body, res.header)
		}
	})

	t.Run("public routes are rate-limited per client", func(t *testing.T) {
		limited := 0
		for i := 0; i < 40; i++ {
			res := e.do("", http.MethodGet, "/api/v1/tenants/310107/plugins/example/public/greeting", nil)
			if res.status == http.StatusTooManyRequests {
				limited++
				if res.header.Get("Retry-After") == "" {
					t.Errorf("429 without Retry-After")
				}
			}
		}
		// Bursts of 20, then 5 a second: 40 requests in well under a second get some 429s.
		if limited == 0 {
			t.Errorf("40 quick requests to a public route: none limited")
		}
		// An authenticated route is not limited this way.
		if res := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/plugins/example/hello", nil); res.status != 200 {
			t.Errorf("hello after the burst: %d", res.status)
		}
	})

	t.Run("before-hook refuses an intake", func(t *testing.T) {
		before := countCases(t, e, "putuo-staff", "310107")
		res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", sampleCase(t, "禁止停车纠纷"))
		if res.status != 422 || res.json["type"] != "https://fengqiao.example/problems/rejected-by-plugin" && !strings.HasSuffix(res.json["type"].(string), "rejected-by-plugin") {
			t.Fatalf("refused intake: %d %s", res.status, res.body)
		}
		if res.json["field"] != "title" || !strings.Contains(string(res.body), "禁止") {
			t.Errorf("problem: %s", res.body)
		}
		if n := countCases(t, e, "putuo-staff", "310107"); n != before {
			t.Errorf("a refused intake changed the cases: %d → %d", before, n)
		}
		e.createCase("putuo-staff", "310107", sampleCase(t, "停车位纠纷"))
	})

	var caseID, foreignID string
	t.Run("host API limited by permissions and tenant", func(t *testing.T) {
		caseID = e.createCase("putuo-staff", "310107", sampleCase(t, "邻里噪音纠纷"))
		foreign := sampleCase(t, "青浦的案件")
		foreign["place_code"] = ""
		foreignID = e.createCase("qingpu-admin", "310118", foreign)
		base := "/api/v1/tenants/310107/plugins/example/cases/"
		res := e.do("putuo-staff", http.MethodGet, base+caseID, nil)
		if res.status != 200 || res.json["id"] != caseID || strings.Contains(string(res.body), "13800138000") {
			t.Fatalf("get case through the plugin: %d %s", res.status, res.body)
		}
		if res := e.do("putuo-staff", http.MethodGet, base+foreignID, nil); res.status != 404 {
			t.Errorf("another tenant's case through the plugin: %d %s", res.status, res.body)
		}
		res = e.do("putuo-staff", http.MethodPost, base+caseID+"/notes", map[string]any{"text": "已电话联系双方"})
		if res.status != 201 {
			t.Fatalf("note: %d %s", res.status, res.body)
		}
		hist := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+caseID+"/history", nil)
		if !strings.Contains(string(hist.body), `"actor":"plugin:example for user:`+e.ids["putuo-staff"]+`"`) || !strings.Contains(string(hist.body), "已电话联系双方") {
			t.Errorf("the note is not in the history as the plugin's: %s", hist.body)
		}
		res = e.do("putuo-staff", http.MethodPost, base+caseID+"/shares", map[string]any{"tenant": "310118", "scope": "summary"})
		if res.status != 403 {
			t.Errorf("share without cases.share: %d %s", res.status, res.body)
		}
		if res := e.do("putuo-staff", http.MethodPost, base+caseID+"/notes", map[string]any{"text": ""}); res.status != 422 {
			t.Errorf("empty note: %d %s", res.status, res.body)
		}
		// The district narrows what the plugin may do here: notes are no longer granted.
		res = e.do("putuo-admin", http.MethodPut, "/api/v1/tenants/310107/plugins/example", map[string]any{"permissions": []string{"cases.read", "organisations.read"}})
		if res.status != 200 || len(res.json["granted_permissions"].([]any)) != 2 {
			t.Fatalf("narrow: %d %s", res.status, res.body)
		}
		if res := e.do("putuo-staff", http.MethodPost, base+caseID+"/notes", map[string]any{"text": "再次联系"}); res.status != 403 {
			t.Errorf("a note the tenant no longer grants: %d %s", res.status, res.body)
		}
		if res := e.do("putuo-admin", http.MethodPut, "/api/v1/tenants/310107/plugins/example", map[string]any{"permissions": []string{"cases.share"}}); res.status != 400 || res.json["field"] != "permissions[0]" {
			t.Errorf("granting what the plugin does not request: %d %s", res.status, res.body)
		}
		if res := e.do("putuo-admin", http.MethodPut, "/api/v1/tenants/310107/plugins/example", map[string]any{}); res.status != 200 || len(res.json["granted_permissions"].([]any)) != 3 {
			t.Errorf("back to every requested permission: %d %s", res.status, res.body)
		}
	})

	t.Run("after-events once per event id, across a restart", func(t *testing.T) {
		pid := e.plugins.PID("example")
		if pid == 0 {
			t.Fatal("example not running")
		}
		// Kill the plugin before the queue delivers: the first delivery restarts it.
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		waitExit(t, pid)
		e.work(t, 0)
		if e.plugins.PID("example") == pid || e.plugins.PID("example") == 0 {
			t.Fatalf("not restarted: pid %d → %d", pid, e.plugins.PID("example"))
		}
		docs, err := e.store.PluginDocuments(ctx, "310107", "example", "events", "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		// Two cases were received in Putuo (the refused one never was); a note is no event.
		received := 0
		for _, d := range docs {
			if strings.Contains(string(d.Data), "case.received") {
				received++
			}
		}
		if received != 2 {
			t.Fatalf("%d case.received events recorded, want 2: %v", received, docs)
		}
		tally, err := e.store.PluginDocument(ctx, "310107", "example", "tally", "events")
		if err != nil {
			t.Fatal(err)
		}
		// A redelivery of an event already handled (at least once) is counted once.
		var first store.PluginEvent
		for _, d := range docs {
			var v struct {
				Kind   string `json:"kind"`
				CaseID string `json:"case_id"`
			}
			_ = json.Unmarshal(d.Data, &v)
			first = store.PluginEvent{Plugin: "example", Tenant: "310107", EventID: d.ID, Kind: v.Kind, CaseID: v.CaseID, OccurredAt: time.Now(), Attempt: 2}
			break
		}
		if err := e.plugins.DeliverEvent(ctx, first); err != nil {
			t.Fatal(err)
		}
		again, _ := e.store.PluginDocument(ctx, "310107", "example", "tally", "events")
		if string(again.Data) != string(tally.Data) {
			t.Errorf("a redelivered event was counted again: %s → %s", tally.Data, again.Data)
		}
		// Qingpu's case reached no plugin: example is not enabled there.
		if docs, _ := e.store.PluginDocuments(ctx, "310118", "example", "events", "", 10); len(docs) != 0 {
			t.Errorf("events of a tenant without the plugin: %v", docs)
		}
	})

	t.Run("scheduled job per enabled tenant", func(t *testing.T) {
		runs, err := e.store.SchedulePluginJobs(ctx, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 || runs[0].Tenant != "310107" || runs[0].Job != "tally" {
			t.Fatalf("scheduled %+v, want one tally run in 310107", runs)
		}
		if again, _ := e.store.SchedulePluginJobs(ctx, time.Now()); len(again) != 0 {
			t.Errorf("the same run scheduled twice: %+v", again)
		}
		e.work(t, 0)
		if _, err := e.store.PluginDocument(ctx, "310107", "example", "runs", runs[0].RunID); err != nil {
			t.Errorf("the job did not run: %v", err)
		}
		res := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/plugins/example", nil)
		jr, _ := res.json["job_runs"].([]any)
		if len(jr) != 1 || jr[0].(map[string]any)["state"] != "done" || !strings.Contains(jr[0].(map[string]any)["summary"].(string), "counted") {
			t.Errorf("job runs: %s", res.body)
		}
	})

	t.Run("metrics", func(t *testing.T) {
		body := e.scrape(t)
		for _, want := range []string{`fengqiao_plugin_calls_total{kind="route",outcome="ok",plugin="example"}`, `fengqiao_plugin_up{plugin="example"} 1`, `fengqiao_plugin_crashes_total{plugin="example"} 1`,
			// A plugin's routes by the forwarding template, whatever their sub-path.
			`method="GET",route="/api/v1/tenants/:code/plugins/:name/*"}`} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})

	t.Run("openapi merges the plugin's fragment", func(t *testing.T) {
		res := e.do("", http.MethodGet, "/api/v1/openapi.json", nil)
		if !strings.Contains(string(res.body), `"/api/v1/tenants/{code}/plugins/example/hello"`) {
			t.Errorf("the plugin's paths are not in the served document")
		}
	})

	t.Run("upgrade without restarting the server", func(t *testing.T) {
		pid := e.plugins.PID("example")
		e.install(t, buildPlugin(t, "plugins/example/cmd", "-X main.version=1.1.0"))
		res := e.do("nation", http.MethodGet, "/api/v1/plugins/example", nil)
		if res.json["version"] != "1.1.0" || res.json["previous_version"] != "1.0.0" {
			t.Errorf("after upgrade: %s", res.body)
		}
		if e.plugins.PID("example") == pid {
			t.Errorf("still the old process")
		}
		if res := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/plugins/example/hello", nil); res.status != 200 {
			t.Errorf("route after upgrade: %d %s", res.status, res.body)
		}
	})

	t.Run("disabled tenant: routes 404, hooks skipped", func(t *testing.T) {
		if res := e.do("putuo-admin", http.MethodDelete, "/api/v1/tenants/310107/plugins/example", nil); res.status != 200 || res.json["enabled"] != false {
			t.Fatalf("disable: %d %s", res.status, res.body)
		}
		if res := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/plugins/example/hello", nil); res.status != 404 {
			t.Errorf("route of a disabled plugin: %d", res.status)
		}
		if res := e.do("", http.MethodGet, "/api/v1/tenants/310107/plugins/example/public/greeting", nil); res.status != 404 {
			t.Errorf("public route of a disabled plugin: %d", res.status)
		}
		e.createCase("putuo-staff", "310107", sampleCase(t, "禁止停车纠纷"))
	})

	t.Run("a province enables its subtree", func(t *testing.T) {
		e.enablePlugin(t, "sh-prov", "310000", "example", nil) // not subtree: the province itself
		if res := e.do("qingpu-admin", http.MethodGet, "/api/v1/tenants/310118/plugins/example/hello", nil); res.status != 404 {
			t.Errorf("a province's own enablement reached a district: %d", res.status)
		}
		res := e.do("sh-prov", http.MethodPut, "/api/v1/tenants/310000/plugins/example", map[string]any{"subtree": true})
		if res.status != 200 {
			t.Fatalf("subtree: %d %s", res.status, res.body)
		}
		if res := e.do("qingpu-admin", http.MethodGet, "/api/v1/tenants/310118/plugins/example/hello", nil); res.status != 200 {
			t.Errorf("subtree enablement did not reach Qingpu: %d %s", res.status, res.body)
		}
		// Putuo's own row (disabled) still wins over the province's subtree.
		if res := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/plugins/example/hello", nil); res.status != 404 {
			t.Errorf("Putuo's own disable lost to the subtree: %d", res.status)
		}
		res = e.do("qingpu-admin", http.MethodGet, "/api/v1/tenants/310118/plugins/example", nil)
		if res.json["governed_by"] != "310000" || res.json["enabled"] != true {
			t.Errorf("governed_by: %s", res.body)
		}
	})
}

func waitExit(t *testing.T, pid int) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if err := syscall.Kill(pid, 0); err != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPluginNoteBadText: text a plugin passes on from a request (a note with a NUL, a note's
// data with invalid UTF-8 or a NUL) is refused by the host API as the public API refuses it —
// InvalidArgument naming the field, which the example plugin answers as a 4xx problem — never a
// driver error (502), and nothing is written.
func TestPluginNoteBadText(t *testing.T) {
	e := newEnvWith(t, envOptions{plugins: true})
	e.install(t, buildPlugin(t, "plugins/example/cmd", "-X main.version=1.0.0"))
	e.enablePlugin(t, "putuo-admin", "310107", "example", map[string]any{})
	caseID := e.createCase("putuo-staff", "310107", sampleCase(t, "邻里噪音纠纷"))
	notes := "/api/v1/tenants/310107/plugins/example/cases/" + caseID + "/notes"
	history := func() int {
		return len(items(e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+caseID+"/history", nil)))
	}
	before := history()
	for _, tc := range []struct{ name, body string }{
		{"a NUL in the text", `{"text":"已联系\u0000双方"}`},
		{"only a NUL", `{"text":"\u0000"}`},
		{"a NUL at the end", `{"text":"已联系双方\u0000"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do("putuo-staff", http.MethodPost, notes, tc.body)
			if res.status < 400 || res.status >= 500 {
				t.Fatalf("%d, want a 4xx problem: %s", res.status, res.body)
			}
			if !strings.Contains(string(res.body), "text") {
				t.Errorf("the problem does not name the field text: %s", res.body)
			}
		})
	}
	if n := history(); n != before {
		t.Errorf("the case's history grew from %d to %d events", before, n)
	}
}
