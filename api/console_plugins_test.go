package api_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/core/pluginhost"
)

// The example plugin's pages in the console: rendered from its declarative views for a user of
// the tenant where it is enabled, absent elsewhere; its actions go through the host's plugin
// route checks as the user; what a plugin sends is escaped or refused.
func TestConsolePluginPages(t *testing.T) {
	e := newEnvWith(t, envOptions{plugins: true})
	e.install(t, buildPlugin(t, "plugins/example/cmd", "-X main.version=1.0.0"))
	e.enablePlugin(t, "putuo-admin", "310107", "example", map[string]any{})
	staff := e.consoleAs(t, "putuo-staff")

	entries := []struct{ path, menu, block string }{
		{"/p/example/pages/overview", "回访概况", `plugin-stats`},
		{"/p/example/pages/visit", "登记回访", `plugin-form`},
		{"/p/example/pages/visits", "回访记录", `plugin-table`},
		{"/p/example/pages/timeline", "回访时间线", `plugin-timeline`},
	}
	t.Run("menu only where enabled and usable", func(t *testing.T) {
		home := staff.get("/")
		for _, en := range entries {
			if !strings.Contains(home.body, `href="`+en.path+`"`) || !strings.Contains(home.body, en.menu) {
				t.Errorf("the menu lacks %s %s", en.path, en.menu)
			}
		}
		for _, u := range []string{"qingpu-admin", "huaiyin-staff", "sh-prov"} {
			if body := e.consoleAs(t, u).get("/").body; strings.Contains(body, "/p/example") {
				t.Errorf("%s sees the example's menu", u)
			}
		}
	})

	t.Run("every page and block type", func(t *testing.T) {
		for _, en := range entries {
			p := staff.get(en.path)
			if p.status != 200 || !strings.Contains(p.body, en.block) || !strings.Contains(p.body, "<h1>"+en.menu) {
				t.Errorf("%s: %d, want %s\n%s", en.path, p.status, en.block, p.body)
			}
			if p.header.Get("Content-Security-Policy") == "" {
				t.Errorf("%s: no CSP", en.path)
			}
		}
		ov := staff.get("/p/example/pages/overview")
		for _, want := range []string{`class="chart" data-chart="`, `role="img" aria-label="按方式统计回访"`, `<th scope="col" class="num">回访次数</th>`, `<th scope="row">电话回访</th>`} {
			if !strings.Contains(ov.body, want) {
				t.Errorf("overview lacks %s", want)
			}
		}
		form := staff.get("/p/example/pages/visit")
		for _, want := range []string{`<label for="pv0-note" class="required">回访内容</label>`, `<textarea id="pv0-note" name="note"`, `<select id="pv0-kind" name="kind"`, `type="date"`, `name="_action" value="f0"`} {
			if !strings.Contains(form.body, want) {
				t.Errorf("form lacks %s", want)
			}
		}
	})

	t.Run("by role, as the API decides", func(t *testing.T) {
		committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
		court := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "普陀区人民法院"})
		e.person(t, "putuo-admin", "310107", "pv-mediator", "mediator", committee)
		e.agencyUser(t, "310107", "pv-clerk", "agency-clerk", court)
		for _, tc := range []struct {
			as     string
			status int
		}{
			{"putuo-admin", 200}, {"putuo-staff", 200}, {"pv-mediator", 200}, {"pv-clerk", 200}, // plugin_routes:read in Putuo
			{"qingpu-admin", 404}, {"huaiyin-staff", 404}, {"sh-prov", 404}, {"nation", 404}, // not enabled in their tenant
		} {
			c := e.consoleAs(t, tc.as)
			home := c.get("/")
			if inMenu := strings.Contains(home.body, `href="/p/example/pages/overview"`); inMenu != (tc.status == 200) {
				t.Errorf("%s: in the menu %v", tc.as, inMenu)
			}
			if p := c.get("/p/example/pages/visits"); p.status != tc.status || (tc.status != 200 && strings.Contains(p.body, "plugin-block")) {
				t.Errorf("%s: %d, want %d", tc.as, p.status, tc.status)
			}
		}
	})

	t.Run("refused elsewhere", func(t *testing.T) {
		for _, tc := range []struct{ as, path string }{
			{"qingpu-admin", "/p/example/pages/overview"}, // not enabled in Qingpu
			{"huaiyin-staff", "/p/example/pages/overview"},
			{"sh-prov", "/p/example/pages/visits"},
			{"putuo-staff", "/p/nosuch/pages/overview"},
			{"putuo-staff", "/p/example/nosuch"},
		} {
			c := staff
			if tc.as != "putuo-staff" {
				c = e.consoleAs(t, tc.as)
			}
			p := c.get(tc.path)
			if p.status != 404 || strings.Contains(p.body, "plugin-block") || strings.Contains(p.body, "按方式统计回访") {
				t.Errorf("%s %s: %d", tc.as, tc.path, p.status)
			}
		}
		if p := e.consoleAnonymous(t).get("/p/example/pages/overview"); p.status != http.StatusSeeOther {
			t.Errorf("without login: %d", p.status)
		}
		// A route that answers JSON that is not a view: a clear error, not its data.
		if p := staff.get("/p/example/hello"); p.status != 502 || !strings.Contains(p.body, "插件页面无法显示") || strings.Contains(p.body, "greeting") {
			t.Errorf("non-view: %d %s", p.status, p.body)
		}
	})

	caseID, _ := e.newCase(t, "putuo-staff", "310107")
	visit := func(v url.Values) url.Values {
		f := url.Values{"_action": {"f0"}, "case_id": {caseID}, "kind": {"home"}, "date": {"2026-05-04"}, "minutes": {"30"}, "note": {"双方已履行协议"}}
		for k, x := range v {
			f[k] = x
		}
		return f
	}

	t.Run("form action", func(t *testing.T) {
		staff.get("/p/example/pages/visit")
		p := staff.post("/p/example/pages/visit", visit(nil))
		if p.status != 200 || !strings.Contains(p.body, "回访已登记") || !strings.Contains(p.body, "双方已履行协议") || !strings.Contains(p.body, "plugin-detail") {
			t.Fatalf("record: %d %s", p.status, p.body)
		}
		// Done as the user through the plugin: the note is in the case's history as the
		// plugin's on behalf of putuo-staff.
		hist := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+caseID+"/history", nil)
		if !strings.Contains(string(hist.body), `"actor":"plugin:example for user:`+e.ids["putuo-staff"]+`"`) || !strings.Contains(string(hist.body), "双方已履行协议") {
			t.Errorf("the note is not in the history as the plugin's for the user: %s", hist.body)
		}
	})

	t.Run("problems beside the fields", func(t *testing.T) {
		for _, tc := range []struct {
			name, field, msg string
			form             url.Values
		}{
			{"the plugin's problem", "case_id", "没有这个案件", url.Values{"case_id": {"00000000-0000-0000-0000-000000000000"}}},
			{"required", "note", "必填", url.Values{"note": {""}}},
			{"a whole number", "minutes", "请填写整数", url.Values{"minutes": {"abc"}}},
			{"bounds", "minutes", "不得大于 600", url.Values{"minutes": {"601"}}},
			{"an option", "kind", "请从选项中选择", url.Values{"kind": {"fax"}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := staff.post("/p/example/pages/visit", visit(tc.form))
				if p.status != 422 {
					t.Fatalf("%d %s", p.status, p.body)
				}
				errRe := regexp.MustCompile(`<p class="field-error" id="pv0-` + tc.field + `-error">[^<]*` + tc.msg)
				if !errRe.MatchString(p.body) || !strings.Contains(p.body, `aria-describedby="`) || !strings.Contains(p.body, `aria-invalid="true"`) {
					t.Errorf("no message beside %s: %s", tc.field, p.body)
				}
				// The summary names the field by its label and links to it, not by its key.
				if !strings.Contains(p.body, `<li><a href="#pv0-`+tc.field+`">`) || strings.Contains(p.body, "<code>"+tc.field+"</code>") {
					t.Errorf("summary: %s", p.body)
				}
			})
		}
	})

	t.Run("CSRF required", func(t *testing.T) {
		before := strings.Count(staff.get("/p/example/pages/visits").body, `<tr>`)
		if p := staff.postRaw("/p/example/pages/visit", visit(url.Values{"note": {"无令牌"}})); p.status != 403 {
			t.Errorf("without CSRF: %d", p.status)
		}
		if p := staff.postRaw("/p/example/pages/visit", visit(url.Values{"note": {"错令牌"}, "_csrf": {"x"}})); p.status != 403 {
			t.Errorf("wrong CSRF: %d", p.status)
		}
		if after := strings.Count(staff.get("/p/example/pages/visits").body, `<tr>`); after != before {
			t.Errorf("a visit was recorded without CSRF: %d rows, then %d", before, after)
		}
	})

	t.Run("row action", func(t *testing.T) {
		list := staff.get("/p/example/pages/visits")
		if !strings.Contains(list.body, `name="_action" value="r0.0.0"`) || !strings.Contains(list.body, `data-confirm="确认此回访已完成？"`) ||
			!regexp.MustCompile(`<a href="/p/example/pages/visits/v\d+">`).MatchString(list.body) {
			t.Fatalf("table: %s", list.body)
		}
		p := staff.post("/p/example/pages/visits", url.Values{"_action": {"r0.0.0"}})
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/p/example/pages/visits?_done=1" {
			t.Fatalf("row action: %d %v %s", p.status, p.header, p.body)
		}
		if after := staff.get("/p/example/pages/visits?_done=1"); !strings.Contains(after.body, "已完成") || !strings.Contains(after.body, "操作已完成") {
			t.Errorf("not done: %s", after.body)
		}
		// An action the view no longer has.
		if p := staff.post("/p/example/pages/visits", url.Values{"_action": {"r0.9.0"}}); p.status != 409 {
			t.Errorf("stale action: %d", p.status)
		}
		// Another district's user cannot act.
		q := e.consoleAs(t, "huaiyin-staff")
		q.get("/")
		if p := q.post("/p/example/pages/visits", url.Values{"_action": {"r0.0.0"}}); p.status != 404 {
			t.Errorf("another district's action: %d", p.status)
		}
	})

	t.Run("malicious views", func(t *testing.T) {
		e.install(t, buildPlugin(t, "plugins/internal/faulty", ""))
		e.enablePlugin(t, "putuo-admin", "310107", "faulty", map[string]any{})
		page := func(v string) page { return staff.get("/p/faulty/view?" + url.Values{"v": {v}}.Encode()) }
		const head = `{"view":"fengqiao.view/v1","title":{"zh":"<script>alert(1)</script>标题"},"blocks":[`
		p := page(head + `{"type":"table","title":{"zh":"<img src=x onerror=alert(1)>"},"columns":[{"key":"a","label":{"zh":"\"><script>x</script>"},"kind":"link"}],"rows":[{"cells":[{"text":"<b>粗</b>","href":"/mode"}]}]},` +
			`{"type":"chart","title":{"zh":"图</div><script>"},"chart":{"kind":"bar","categories":["</script><script>alert(1)</script>"],"series":[{"name":{"zh":"s"},"values":[1]}]}}]}`)
		if p.status != 200 {
			t.Fatalf("escaped view: %d %s", p.status, p.body)
		}
		for _, bad := range []string{"<script>alert", "<img src=x", "<b>粗", `"><script>`, "</script><script>"} {
			if strings.Contains(p.body, bad) {
				t.Errorf("unescaped %q in %s", bad, p.body)
			}
		}
		if !strings.Contains(p.body, "&lt;script&gt;alert(1)&lt;/script&gt;标题") || !strings.Contains(p.body, `href="/p/faulty/mode"`) {
			t.Errorf("not shown escaped: %s", p.body)
		}
		for name, v := range map[string]string{
			"javascript link":  head + `{"type":"table","columns":[{"key":"a","label":{"zh":"甲"},"kind":"link"}],"rows":[{"cells":[{"text":"x","href":"javascript:alert(1)"}]}]}]}`,
			"remote link":      head + `{"type":"detail","sections":[{"items":[{"label":{"zh":"甲"},"value":"x","href":"//evil.example/mode"}]}]}]}`,
			"unknown type":     head + `{"type":"html","html":"<script>alert(1)</script>"}]}`,
			"raw option":       head + `{"type":"chart","title":{"zh":"图"},"chart":{"kind":"bar","categories":[],"series":[],"option":{"tooltip":{"formatter":"x"}}}}]}`,
			"unknown version":  `{"view":"fengqiao.view/v9","title":{"zh":"页"},"blocks":[]}`,
			"action elsewhere": head + `{"type":"form","fields":[],"submit":{"label":{"zh":"交"},"method":"POST","path":"/api/v1/tenants/310107/users"}}]}`,
		} {
			p := page(v)
			if p.status != 502 || !strings.Contains(p.body, "插件页面无法显示") || strings.Contains(p.body, `href="javascript:`) || strings.Contains(p.body, `href="//evil`) || strings.Contains(p.body, "<script>alert") {
				t.Errorf("%s: %d %s", name, p.status, p.body)
			}
		}
		if p := staff.get("/p/faulty/view?big=1"); p.status != 502 || !strings.Contains(p.body, "插件页面无法显示") {
			t.Errorf("oversized: %d %s", p.status, p.body)
		}
	})

	t.Run("filters, cursor and pie chart", func(t *testing.T) {
		v := `{"view":"fengqiao.view/v1","title":{"zh":"页"},"blocks":[{"type":"table","filters":[{"name":"kind","type":"string","label":{"zh":"方式"}}],` +
			`"columns":[{"key":"a","label":{"zh":"甲"},"kind":"date"}],"rows":[{"cells":[{"text":"2026-05-04T02:00:00Z"}]}],"next":"c2"},` +
			`{"type":"chart","title":{"zh":"占比"},"chart":{"kind":"pie","categories":["甲","乙"],"series":[{"name":{"zh":"件"},"values":[1,3]}]}}]}`
		q := url.Values{"v": {v}, "kind": {"home"}}
		p := staff.get("/p/faulty/view?" + q.Encode())
		if p.status != 200 {
			t.Fatalf("%d %s", p.status, p.body)
		}
		q.Set("cursor", "c2")
		for _, want := range []string{
			`<form class="row plugin-filters" method="get" action="/p/faulty/view" role="search">`,
			`<input id="pv0-filter-kind" name="kind" value="home"`,
			`href="/p/faulty/view?` + strings.ReplaceAll(q.Encode(), "&", "&amp;") + `" rel="next"`,
			`<th scope="row">2026-05-04 10:00</th>`, // a date-time in China's time
			`&#34;type&#34;:&#34;pie&#34;`,
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("lacks %s\n%s", want, p.body)
			}
		}
	})

	t.Run("the check refuses a console page that is not a view", func(t *testing.T) {
		rep, err := pluginhost.Check(context.Background(), buildPlugin(t, "plugins/internal/faulty", "-X main.console=/view"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK() || !strings.Contains(rep.Failure().Error(), "not a valid view") {
			t.Errorf("a console page answering no view passed the check: %+v", rep.Results)
		}
		rep, err = pluginhost.Check(context.Background(), buildPlugin(t, "plugins/example/cmd", "-X main.version=1.0.0"), nil)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rep.Results {
			found = found || (r.Step == "console /pages/visit" && r.OK)
		}
		if !rep.OK() || !found {
			t.Errorf("the example's check: %+v", rep.Results)
		}
	})

	t.Run("in English", func(t *testing.T) {
		en := e.consoleAs(t, "putuo-staff")
		en.get("/lang/en")
		p := en.get("/p/example/pages/overview")
		if !strings.Contains(p.body, "<h1>Overview</h1>") || !strings.Contains(p.body, "Visits by kind") || !strings.Contains(p.body, ">Record a visit</a>") {
			t.Errorf("not in English: %s", p.body)
		}
	})
}
