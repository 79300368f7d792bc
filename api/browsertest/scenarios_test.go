package browsertest

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The "Done when" stories, each as its user lives it in the browser: a fresh incognito
// context, axe on every main page visited, a screenshot, no JavaScript error nor CSP violation.
// The data they start from is set up through the API (world_test.go).

// setField sets a form control's value as a user's choice would (select, date) and fires the
// events a user's change fires.
func (tb *tab) setField(sel, value string) {
	tb.t.Helper()
	js := `(function () { var e = document.querySelector(` + strconv.Quote(sel) + `); if (!e) return false; e.value = ` + strconv.Quote(value) +
		`; e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); return e.value === ` + strconv.Quote(value) + `; })()`
	if !eval[bool](tb, js) {
		tb.shot("failed")
		tb.t.Fatalf("cannot set %s to %q", sel, value)
	}
}

// typeInto types text into a field, as a user does (one input event per character).
func (tb *tab) typeInto(sel, text string) {
	tb.t.Helper()
	tb.do(chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible))
}

// signIn opens the login page and signs in as username.
func (tb *tab) signIn(username string) {
	tb.t.Helper()
	tb.open("/login")
	tb.login(username, password)
	if strings.HasPrefix(tb.location(), "/login") {
		tb.shot("failed")
		tb.t.Fatalf("%s could not sign in", username)
	}
}

func TestScenarioProvinceOnboardsDistrict(t *testing.T) {
	s := newSite(t)
	tb := newTab(t, s)
	tb.signIn("sh-prov")
	tb.open("/admin")
	tb.axe()
	tb.open("/admin/tenants")
	tb.axe()
	// 徐汇区 (310104) is not yet onboarded.
	if strings.Contains(tb.body(), "徐汇区") {
		t.Fatal("徐汇区 is listed before its onboarding")
	}
	tb.typeInto("#onboard-code", "310104")
	tb.do(chromedp.Click(chromedp.CSS(`input[name="with_offices"]`), chromedp.NodeVisible))
	if status := tb.clickAndWait(`form[action="/admin/tenants/onboard"] button[type="submit"]`); status != http.StatusOK {
		t.Fatalf("onboarding answered %d", status)
	}
	tb.contains("开通结果", "上海市徐汇区")
	if got := tb.text("#onboard-result + dl"); !strings.Contains(got, "徐汇区") {
		t.Errorf("the result lists %q", got)
	}
	tb.axe()
	tb.shot("onboarded")
	tb.docShot("admin-onboard", "")
	// The API agrees: the district is active, with its judicial offices.
	out := s.must(t, http.StatusOK, "sh-prov", http.MethodGet, "/api/v1/tenants?q=310104", nil)
	items, _ := out["items"].([]any)
	found := false
	for _, it := range items {
		if m := it.(map[string]any); m["code"] == "310104" && m["status"] == "active" {
			found = true
		}
	}
	if !found {
		t.Errorf("the API does not list 310104 as active: %v", out)
	}
	// The tenants' table, looked at again, lists it.
	tb.open("/admin/tenants?q=" + url.QueryEscape("徐汇"))
	if got := tb.text("table tbody"); !strings.Contains(got, "徐汇区") {
		t.Errorf("the tenants' table after onboarding: %q", got)
	}
}

// fillIntake fills the intake form with a case of Putuo whose description carries risk
// signals (a threat and self-harm: red).
func (tb *tab) fillIntake(title string) {
	tb.t.Helper()
	tb.typeInto("#f-title", title)
	tb.setField("#f-dispute-type", "neighbour")
	tb.setField("#f-source", "walk_in")
	tb.setField("#f-place-code", "310107015")
	tb.typeInto("#f-amount", "3500")
	tb.typeInto("#f-parties-0-name", "张三")
	tb.typeInto("#f-parties-0-phone", "13800138000")
	tb.typeInto("#f-parties-1-name", "李四")
	tb.typeInto("#f-description", "张三称李四不赔偿就同归于尽，还说不想活了。")
}

var caseLocation = regexp.MustCompile(`^/cases/310107/([0-9a-f-]{36})`)

func TestScenarioIntakeRoutesCase(t *testing.T) {
	w := newWorld(t)
	tb := newTab(t, w.site)
	tb.signIn("putuo-staff")
	tb.open("/intake")
	tb.axe()
	tb.fillIntake("张三与李四漏水赔偿纠纷")
	// Before saving: the warning level with its signals, the proposed committee with its reasons.
	tb.waitFor("the routing proposal", `!!document.querySelector('#intake-check button[name="route_to"][value="`+w.committee+`"]')`)
	panel := tb.text("#intake-check")
	for _, want := range []string{"红色", "同归于尽", "自伤自杀倾向", "长寿路街道人民调解委员会", "纠纷发生在本街镇"} {
		if !strings.Contains(panel, want) {
			t.Errorf("the check panel lacks %q: %s", want, panel)
		}
	}
	if n := w.must(t, http.StatusOK, "putuo-staff", http.MethodGet, putuo+"/cases", nil)["items"].([]any); len(n) != 0 {
		t.Errorf("the check saved %d cases", len(n))
	}
	tb.axe()
	tb.shot("intake-routing-warning")
	tb.docShot("intake", "#intake-check-h")
	// Take in and route to the proposed committee.
	tb.clickAndWait(`#intake-check button[name="route_to"][value="` + w.committee + `"]`)
	m := caseLocation.FindStringSubmatch(tb.location())
	if m == nil {
		t.Fatalf("after intake: %s", tb.location())
	}
	c := w.caseJSON(t, m[1])
	if c["risk_level"] != "red" || c["committee_id"] != w.committee {
		t.Errorf("the case taken in: risk %v, committee %v", c["risk_level"], c["committee_id"])
	}
	tb.contains(c["number"].(string), "长寿路街道人民调解委员会")
	tb.axe()
	tb.shot("case-page")
}

func TestScenarioMediatorSessionAndAgreement(t *testing.T) {
	w := newWorld(t)
	id, number := w.newCase(t, sampleCase("王明主办的漏水纠纷"))
	w.mediate(t, id)
	tb := newTab(t, w.site)
	tb.signIn("wang")
	tb.open("/cases")
	tb.contains(number)
	tb.axe()
	tb.open("/cases/310107/" + id)
	tb.contains(number, "王明主办的漏水纠纷")
	tb.axe()

	// A session.
	tb.do(chromedp.Click(chromedp.CSS(`details:has(form[data-action="record_session"]) > summary`), chromedp.NodeVisible))
	tb.setField(`[id="record_session-session.mode"]`, "in_person")
	tb.typeInto(`[id="record_session-session.summary"]`, "双方同意由楼上住户承担维修费用")
	tb.do(chromedp.Click(chromedp.CSS(`form[data-action="record_session"] button[type="submit"]`), chromedp.NodeVisible))
	eventually(t, "the session recorded", func() bool {
		ss, _ := w.caseJSON(t, id)["sessions"].([]any)
		return len(ss) == 1
	})
	tb.waitFor("the session on the page", `document.body.innerText.indexOf("双方同意由楼上住户承担维修费用") >= 0`)
	tb.shot("session")

	// The agreement.
	tb.waitFor("the agreement form", `!!document.querySelector('form[data-action="succeed"]')`)
	tb.do(chromedp.Click(chromedp.CSS(`details:has(form[data-action="succeed"]) > summary`), chromedp.NodeVisible))
	tb.setField(`[id="succeed-agreement.form"]`, "written")
	tb.typeInto(`[id="succeed-agreement.terms"]`, "楼上住户于十日内修复防水层")
	tb.do(chromedp.Click(chromedp.CSS(`form[data-action="succeed"] button[type="submit"]`), chromedp.NodeVisible))
	eventually(t, "the agreement recorded", func() bool { return w.caseJSON(t, id)["agreement"] != nil })
	tb.waitFor("the agreement on the page", `document.body.innerText.indexOf("楼上住户于十日内修复防水层") >= 0`)
	c := w.caseJSON(t, id)
	if c["status"] != "succeeded" {
		t.Errorf("the case after the agreement: %v", c["status"])
	}
	tb.axe()
	tb.shot("agreement")
	tb.docShot("case", "")
}

func TestScenarioCourtClerkConfirms(t *testing.T) {
	w := newWorld(t)
	body := sampleCase("法院委派的邻里纠纷")
	body["source"] = "court"
	body["referral"] = map[string]any{"agency": "普陀区人民法院", "agency_id": w.court, "reference": "(2026)沪0107民诉前调7号", "kind": "pre_filing"}
	referred, refNumber := w.newCase(t, body)
	other, otherNumber := w.newCase(t, sampleCase("未委派的纠纷"))
	for _, id := range []string{referred, other} {
		w.mediate(t, id)
		w.act(t, id, "succeed", map[string]any{"agreement": map[string]any{"form": "written", "terms": []map[string]any{{"text": "被申请人赔偿维修费", "amount": 3500}}}})
	}

	tb := newTab(t, w.site)
	tb.signIn("court-clerk")
	if loc := tb.location(); loc != "/agency" {
		t.Errorf("the court's clerk lands on %s", loc)
	}
	tb.contains(refNumber, "(2026)沪0107民诉前调7号", "调解成功")
	if body := tb.body(); strings.Contains(body, otherNumber) || strings.Contains(body, "未委派的纠纷") {
		t.Errorf("the court's desk shows a case the court did not refer")
	}
	tb.axe()
	// The cases it may read: the referral alone.
	tb.open("/cases")
	if body := tb.body(); !strings.Contains(body, refNumber) || strings.Contains(body, otherNumber) {
		t.Errorf("the court's clerk's case list: %q", body)
	}
	tb.axe()
	// Another case of the district: not found, nothing of it shown.
	res, err := chromedp.RunResponse(tb.ctx, chromedp.Navigate(w.url+"/cases/310107/"+other))
	if err != nil {
		t.Fatal(err)
	}
	tb.settle()
	if res.Status != http.StatusNotFound || strings.Contains(tb.body(), otherNumber) || strings.Contains(tb.body(), "未委派的纠纷") {
		t.Errorf("another case of the district: %d", res.Status)
	}
	tb.axe()

	// Judicial confirmation from the desk.
	tb.open("/agency")
	tb.typeInto("#cf-ref-"+referred, "(2026)沪0107民特9号")
	tb.do(chromedp.Click(chromedp.CSS(`#confirm-`+referred+` button[type="submit"]`), chromedp.NodeVisible))
	tb.waitFor("the confirmation", `document.getElementById("confirm-`+referred+`").innerText.indexOf("已确认") >= 0`)
	cf, _ := w.caseJSON(t, referred)["confirmation"].(map[string]any)
	if cf == nil || cf["court_id"] != w.court || cf["reference"] != "(2026)沪0107民特9号" {
		t.Errorf("the confirmation recorded: %v", cf)
	}
	tb.axe()
	tb.shot("agency-desk")
	tb.docShot("agency", "")
}

func TestScenarioPoliceAcknowledgesWarning(t *testing.T) {
	w := newWorld(t)
	body := sampleCase("张三与李四赔偿纠纷")
	body["description"] = "张三称李四不赔偿就同归于尽，还说不想活了。"
	_, number := w.newCase(t, body)
	w.work(t)
	wid := w.must(t, http.StatusOK, "putuo-staff", http.MethodGet, putuo+"/warnings?state=open", nil)["items"].([]any)[0].(map[string]any)["id"].(string)

	tb := newTab(t, w.site)
	tb.signIn("police-officer")
	tb.open("/agency")
	tb.contains(number)
	tb.axe()
	tb.shot("police-desk")
	tb.typeInto("#ack-note-"+wid, "已派民警上门")
	tb.do(chromedp.Click(chromedp.CSS(`#ack-`+wid+` button[type="submit"]`), chromedp.NodeVisible))
	tb.waitFor("the acknowledgement", `document.getElementById("ack-`+wid+`").innerText.indexOf("已签收") >= 0`)
	eventually(t, "the warning acknowledged", func() bool {
		items := w.must(t, http.StatusOK, "putuo-staff", http.MethodGet, putuo+"/warnings", nil)["items"].([]any)
		return items[0].(map[string]any)["state"] == "acknowledged"
	})
	tb.axe()
	tb.shot("acknowledged")
}

func TestScenarioDashboardFigures(t *testing.T) {
	w := newWorld(t)
	a, _ := w.newCase(t, sampleCase("漏水纠纷一"))
	b := sampleCase("物业纠纷二")
	b["dispute_type"] = "property_management"
	b["source"] = "hotline"
	w.newCase(t, b)
	risky := sampleCase("赔偿纠纷三")
	risky["description"] = "张三说不想活了。"
	_, riskyNumber := w.newCase(t, risky)
	w.mediate(t, a)
	w.act(t, a, "succeed", map[string]any{"agreement": map[string]any{"form": "oral", "terms": []map[string]any{{"text": "互谅互让", "amount": 0}}}})

	tb := newTab(t, w.site)
	tb.signIn("putuo-admin")
	tb.open("/")
	tb.waitFor("the charts drawn", `(function () { var cs = document.querySelectorAll(".chart"); if (!cs.length) return false; for (var i = 0; i < cs.length; i++) { if (cs[i].getAttribute("data-chart-drawn") !== "1" || !cs[i].querySelector("canvas")) return false; } return true; })()`)
	if n := eval[int](tb, `document.querySelectorAll(".chart").length`); n < 3 {
		t.Errorf("%d charts, want the monthly trend, by type and by source", n)
	}
	from := eval[string](tb, `document.getElementById("dash-from").value`)
	to := eval[string](tb, `document.getElementById("dash-to").value`)
	st := w.must(t, http.StatusOK, "putuo-admin", http.MethodGet, putuo+"/stats?"+url.Values{"from": {from}, "to": {to}, "group_by": {"month,dispute_type,source"}}.Encode(), nil)
	num := func(v any) string { return strconv.FormatInt(int64(v.(float64)), 10) }
	if st["received"].(float64) != 3 {
		t.Errorf("the stats operation counts %v received, want 3", st["received"])
	}
	// The cards.
	cards := map[string]string{}
	for _, c := range eval[[][]string](tb, `Array.from(document.querySelectorAll("#dash-figures ~ ul .stat")).map(function (li) { return [li.querySelector(".label").innerText.trim(), li.querySelector(".value").innerText.trim()]; })`) {
		cards[c[0]] = c[1]
	}
	for label, key := range map[string]string{"受理": "received", "办结": "concluded", "超期未结": "open_overdue"} {
		if cards[label] != num(st[key]) {
			t.Errorf("card %s shows %q, the stats operation %s", label, cards[label], num(st[key]))
		}
	}
	if rate, ok := st["success_rate"].(float64); !ok || cards["调解成功率"] != strconv.FormatFloat(rate*100, 'f', 1, 64)+"%" {
		t.Errorf("card 调解成功率 shows %q, the stats operation %v", cards["调解成功率"], st["success_rate"])
	}
	// The table views: every row equals the breakdown's.
	for _, br := range st["breakdowns"].([]any) {
		b := br.(map[string]any)
		id := map[string]string{"month": "chart-month", "dispute_type": "chart-type", "source": "chart-source"}[b["by"].(string)]
		if id == "" {
			continue
		}
		rows := map[string][]string{}
		for _, r := range eval[[][]string](tb, `Array.from(document.querySelectorAll("#`+id+` ~ details table tbody tr")).map(function (tr) { return Array.from(tr.children).map(function (c) { return c.textContent.trim(); }); })`) {
			rows[r[0]] = r[1:]
		}
		apiRows, _ := b["rows"].([]any)
		if id == "chart-month" { // every month of the period is listed, those without a case as zeros
			if len(apiRows) != 1 || len(rows) < 1 {
				t.Errorf("%s: %d rows in the table view, %d months with cases in the stats operation", id, len(rows), len(apiRows))
			}
		} else if len(rows) != len(apiRows) || len(apiRows) == 0 {
			t.Errorf("%s: %d rows in the table view, %d in the stats operation", id, len(rows), len(apiRows))
		}
		for _, ar := range apiRows {
			r := ar.(map[string]any)
			want := []string{num(r["received"]), num(r["concluded"]), num(r["succeeded"])}
			if got := rows[r["label"].(string)]; strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s row %s: the table shows %v, the stats operation %v", id, r["label"], got, want)
			}
		}
	}
	// The table view opens from the keyboard's reach (a details element).
	tb.do(chromedp.Click(chromedp.CSS(`#chart-type ~ details > summary`), chromedp.NodeVisible))
	tb.axe()
	tb.shot("dashboard")
	tb.docShot("dashboard", "")

	// The queues: the orange warning to acknowledge.
	tb.open("/queues")
	tb.contains(riskyNumber, "自伤自杀倾向")
	tb.axe()
	tb.shot("queues")
	tb.docShot("queues", "")
	// The policy in words and its explainer.
	tb.open("/admin/policy/explain?" + url.Values{"username": {"putuo-staff"}, "resource": {"cases"}, "action": {"create"}}.Encode())
	tb.axe()
	tb.shot("policy-explain")
	tb.docShot("policy", "#explain")
}

func TestScenarioPluginPages(t *testing.T) {
	s := newSite(t, siteOptions{plugins: true})
	s.installExample(t)
	tb := newTab(t, s)
	tb.signIn("putuo-staff")
	for _, p := range []struct{ path, title, block string }{
		{"/p/example/pages/overview", "回访概况", ".plugin-chart"},
		{"/p/example/pages/visits", "回访记录", ".plugin-table"},
		{"/p/example/pages/timeline", "回访时间线", ".plugin-timeline"},
		{"/p/example/pages/visit", "登记回访", ".plugin-form"},
	} {
		if !eval[bool](tb, `!!document.querySelector('a[href="`+p.path+`"]')`) {
			t.Errorf("the menu lacks %s", p.path)
		}
		tb.open(p.path)
		if h := tb.text("main h1"); !strings.Contains(h, p.title) {
			t.Errorf("%s: heading %q", p.path, h)
		}
		if !eval[bool](tb, `!!document.querySelector("`+p.block+`")`) {
			t.Errorf("%s lacks %s", p.path, p.block)
		}
		if strings.Contains(p.block, ".plugin-chart") {
			if !eval[bool](tb, `!!document.querySelector(".plugin-stats")`) {
				t.Errorf("%s lacks its stat cards", p.path)
			}
			tb.waitFor("the plugin's chart drawn", `(function () { var c = document.querySelector(".chart"); return !!c && c.getAttribute("data-chart-drawn") === "1" && !!c.querySelector("canvas"); })()`)
		}
		tb.axe()
		tb.shot(strings.TrimPrefix(p.path, "/p/example/pages/"))
		if strings.Contains(p.block, ".plugin-chart") {
			tb.docShot("plugin", "")
		}
	}
	// The form's action: a visit recorded, then listed.
	tb.setField("#pv0-kind", "phone")
	tb.setField(`input[type="date"]`, time.Now().AddDate(0, 0, -1).Format("2006-01-02"))
	tb.typeInto("#pv0-note", "电话回访，双方已履行协议")
	tb.clickAndWait(`.plugin-form button[type="submit"]`)
	if strings.Contains(tb.body(), "请检查") || strings.Contains(tb.body(), "请更正") {
		tb.shot("failed")
		t.Fatalf("the plugin's form was refused: %s", tb.body())
	}
	tb.contains("回访已登记", "电话回访，双方已履行协议")
	if !eval[bool](tb, `!!document.querySelector(".plugin-detail")`) {
		t.Errorf("the action's answer is not a detail view")
	}
	tb.axe()
	tb.shot("visit-recorded")
	// A row action with its confirmation: the visit marked done.
	asked := tb.acceptDialogs()
	tb.open("/p/example/pages/visits")
	tb.contains("电话回访", "待跟进")
	tb.clickAndWait(`.plugin-table form[data-confirm] button`)
	if q := asked(); len(q) != 1 || !strings.Contains(q[0], "确认此回访已完成") {
		t.Errorf("the confirmation asked: %q", q)
	}
	tb.open("/p/example/pages/visits")
	tb.contains("已完成")
	tb.axe()
}

func TestScenarioPhoneIntake(t *testing.T) {
	w := newWorld(t)
	tb := newTab(t, w.site)
	tb.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	tb.signIn("putuo-staff")
	tb.open("/intake")
	wide := func() {
		if px := eval[float64](tb, `document.documentElement.scrollWidth`); px > 390 {
			t.Errorf("the intake page is %v px wide on a 390 px phone", px)
		}
	}
	wide()
	tb.axe()
	tb.fillIntake("手机登记的漏水纠纷")
	tb.waitFor("the check", `document.getElementById("intake-check").innerText.indexOf("红色") >= 0`)
	wide()
	tb.shot("phone-intake")
	tb.docShot("phone-intake", "#intake-check-h")
	tb.clickAndWait(`.intake-actions button[type="submit"]`)
	m := caseLocation.FindStringSubmatch(tb.location())
	if m == nil {
		t.Fatalf("after intake on a phone: %s", tb.location())
	}
	if c := w.caseJSON(t, m[1]); c["title"] != "手机登记的漏水纠纷" {
		t.Errorf("the case taken in: %v", c["title"])
	}
	wide()
	tb.axe()
	tb.shot("phone-case")
}
