package api_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// casesWorld is Putuo with a committee, a court and a police station and their people, a
// court-referred case being mediated by the registry mediator 王明 (who logs in as wang), a
// received walk-in case about a fish pond, and cases of Qingpu and Huaiyin.
type casesWorld struct {
	e                            *env
	committee, court, police     string
	mediated, received           string // Putuo cases: ids
	mediatedNo, receivedNo       string // their numbers
	qingpu, huaiyin              string
	mediatedPath, receivedPath   string
	mediatedTitle, receivedTitle string
	qingpuTitle, huaiyinTitle    string
	wangUser                     string // the assigned mediator's user id
	wangMediator                 string // and its registry id
}

func newCasesWorld(t *testing.T) *casesWorld {
	e := newEnv(t)
	w := &casesWorld{e: e, mediatedTitle: "法院委派的相邻通行纠纷", receivedTitle: "鱼塘承包费用纠纷", qingpuTitle: "青浦的宅基地纠纷", huaiyinTitle: "槐荫的物业费纠纷"}
	w.committee = e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	w.court = e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "普陀区人民法院"})
	w.police = e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "长寿路派出所"})
	e.agencyUser(t, "310107", "court-clerk", "agency-clerk", w.court)
	e.agencyUser(t, "310107", "police-officer", "agency-clerk", w.police)
	e.agencyUser(t, "310107", "committee-head", "committee-head", w.committee)
	w.wangUser, _ = e.person(t, "putuo-admin", "310107", "wang", "mediator", w.committee)
	e.person(t, "putuo-admin", "310107", "zhao", "mediator", w.committee)
	w.wangMediator = e.mustCreate("putuo-admin", putuoMediators, map[string]any{"name": "王明", "kind": "full_time", "organisation_id": w.committee, "user_id": w.wangUser})

	referred := sampleCase(t, w.mediatedTitle)
	referred["source"] = "court"
	referred["referral"] = map[string]any{"agency": "普陀区人民法院", "agency_id": w.court, "reference": "(2026)沪0107民诉前调7号", "kind": "pre_filing"}
	w.mediated = e.createCase("putuo-staff", "310107", referred)
	w.mediatedPath = "/cases/310107/" + w.mediated
	api := "/api/v1/tenants/310107/cases/" + w.mediated + "/actions/"
	for _, step := range []struct {
		action string
		body   map[string]any
	}{{"assign", map[string]any{"committee_id": w.committee, "mediators": []string{w.wangMediator}}}, {"start_mediation", map[string]any{}}} {
		if res := e.do("putuo-staff", http.MethodPost, api+step.action, step.body); res.status != http.StatusOK {
			t.Fatalf("%s: %d %s", step.action, res.status, res.body)
		}
	}
	pond := sampleCase(t, w.receivedTitle)
	pond["dispute_type"] = "contract"
	pond["description"] = "村民承包鱼塘五年，村委会要求提前收回并拒绝退还承包费，双方争执不下。"
	w.received = e.createCase("putuo-staff", "310107", pond)
	w.receivedPath = "/cases/310107/" + w.received
	q := sampleCase(t, w.qingpuTitle)
	q["place_code"] = ""
	w.qingpu = e.createCase("qingpu-admin", "310118", q)
	h := sampleCase(t, w.huaiyinTitle)
	h["place_code"] = ""
	w.huaiyin = e.createCase("huaiyin-admin", "370104", h)
	for id, no := range map[string]*string{w.mediated: &w.mediatedNo, w.received: &w.receivedNo} {
		*no = e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id, nil).json["number"].(string)
	}
	return w
}

// apiAs is the bearer credential of a console user, for asking the API the same question.
func (w *casesWorld) apiAs(username string) string {
	if _, ok := w.e.tokens[username]; ok {
		return username
	}
	return "Bearer " + w.e.login(username, testPassword)
}

// TestConsoleCasesList: each role's list shows exactly the cases the API lists it, with
// nothing of the others; a city or province picks a district.
func TestConsoleCasesList(t *testing.T) {
	w := newCasesWorld(t)
	e := w.e
	all := map[string]string{w.mediated: w.mediatedTitle, w.received: w.receivedTitle, w.qingpu: w.qingpuTitle, w.huaiyin: w.huaiyinTitle}
	for _, tc := range []struct {
		user, tenant string
		want         int // cases listed, as a check on the world
	}{
		{"putuo-staff", "310107", 2},
		{"committee-head", "310107", 1},
		{"wang", "310107", 1},
		{"zhao", "310107", 0},
		{"court-clerk", "310107", 1},
		{"police-officer", "310107", 0},
		{"huaiyin-admin", "370104", 1},
		{"sh-prov", "310107", 0},
		{"jinan-city", "370104", 0},
	} {
		t.Run(tc.user, func(t *testing.T) {
			api := e.do(w.apiAs(tc.user), http.MethodGet, "/api/v1/tenants/"+tc.tenant+"/cases", nil)
			if api.status != http.StatusOK {
				t.Fatalf("API list: %d %s", api.status, api.body)
			}
			listed := map[string]bool{}
			for _, it := range api.json["items"].([]any) {
				listed[it.(map[string]any)["id"].(string)] = true
			}
			if len(listed) != tc.want {
				t.Errorf("the API lists %d cases, want %d", len(listed), tc.want)
			}
			c := e.consoleAs(t, tc.user)
			path := "/cases"
			if tc.user == "sh-prov" || tc.user == "jinan-city" {
				path += "?tenant=" + tc.tenant
			}
			p := c.get(path)
			if p.status != http.StatusOK {
				t.Fatalf("console list: %d %s", p.status, p.body)
			}
			for id, title := range all {
				shown := strings.Contains(p.body, id)
				if shown != listed[id] {
					t.Errorf("case %s shown %v, listed by the API %v", title, shown, listed[id])
				}
				if !listed[id] && strings.Contains(p.body, title) {
					t.Errorf("the page names the hidden case %s", title)
				}
			}
			if len(listed) == 0 && !strings.Contains(p.body, "cases-empty") {
				t.Error("an empty list is not explained")
			}
			if (tc.user == "sh-prov" || tc.user == "jinan-city") && !strings.Contains(p.body, `name="tenant"`) {
				t.Error("an upper level has no district to pick")
			}
		})
	}
	c := e.consoleAs(t, "putuo-staff")
	t.Run("filters", func(t *testing.T) {
		p := c.get("/cases?status=mediating")
		if p.status != 200 || !strings.Contains(p.body, w.mediated) || strings.Contains(p.body, w.received) {
			t.Errorf("status filter: %d", p.status)
		}
		p = c.htmx(http.MethodGet, "/cases?status=received&source=walk_in", nil)
		if p.status != 200 || strings.Contains(p.body, "<html") || !strings.Contains(p.body, w.received) || strings.Contains(p.body, w.mediated) {
			t.Errorf("htmx filter: %d %s", p.status, p.body)
		}
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/cases?status=received", nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-History-Restore-Request", "true")
		if p := c.do(req); p.status != 200 || !strings.Contains(p.body, "<html") || !strings.Contains(p.body, w.received) {
			t.Errorf("a history restore gets the whole page: %d", p.status)
		}
		p = c.get("/cases?from=yesterday")
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="f-from-error"`) || !strings.Contains(p.body, `aria-invalid="true"`) {
			t.Errorf("a bad date: %d, want 400 with the message beside the field", p.status)
		}
		p = c.get("/cases?committee_id=" + w.committee)
		if p.status != 200 || !strings.Contains(p.body, w.mediated) || strings.Contains(p.body, w.received) || !strings.Contains(p.body, `id="f-committee"`) {
			t.Errorf("committee filter: %d", p.status)
		}
		p = c.get("/cases?mediator_id=" + w.wangMediator)
		if p.status != 200 || !strings.Contains(p.body, w.mediated) || strings.Contains(p.body, w.received) || !strings.Contains(p.body, `id="f-mediator"`) {
			t.Errorf("mediator filter: %d", p.status)
		}
		if api := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases?mediator_id=wang", nil); api.status != http.StatusBadRequest || api.json["field"] != "mediator_id" {
			t.Errorf("a mediator filter by name: %d %s", api.status, api.body)
		}
		p = c.get("/cases?risk_level=red")
		if p.status != 200 || strings.Contains(p.body, w.mediated) || !strings.Contains(p.body, "cases-empty") {
			t.Errorf("an empty filter result: %d", p.status)
		}
	})
	t.Run("full-text search in Chinese", func(t *testing.T) {
		p := c.get("/cases?q=" + url.QueryEscape("鱼塘"))
		if p.status != 200 || !strings.Contains(p.body, w.received) || strings.Contains(p.body, w.mediated) {
			t.Errorf("search 鱼塘: %d %s", p.status, p.body)
		}
		if p := e.consoleAs(t, "wang").get("/cases?q=" + url.QueryEscape("鱼塘")); p.status != 200 || strings.Contains(p.body, w.received) {
			t.Errorf("a mediator finds a case not assigned to it: %d", p.status)
		}
	})
	t.Run("pages", func(t *testing.T) {
		for i := 0; i < 21; i++ {
			e.createCase("putuo-staff", "310107", sampleCase(t, "分页用纠纷"+strconv.Itoa(i)))
		}
		p := c.get("/cases")
		next := regexpFind(p.body, `rel="next" href="([^"]+)"`)
		if next == "" {
			t.Fatalf("no next page: %s", p.body)
		}
		p2 := c.get(strings.ReplaceAll(next, "&amp;", "&"))
		if p2.status != 200 || !strings.Contains(p2.body, w.mediated) || !strings.Contains(p2.body, `rel="prev"`) || strings.Contains(p2.body, `rel="next"`) {
			t.Errorf("second page: %d", p2.status)
		}
	})
}

// TestConsoleCasePage: the case page answers as the API for every role, with nothing of a
// hidden case; its actions are exactly the caller's.
func TestConsoleCasePage(t *testing.T) {
	w := newCasesWorld(t)
	e := w.e
	cases := map[string]struct{ path, api, title string }{
		"mediated": {w.mediatedPath, "/api/v1/tenants/310107/cases/" + w.mediated, w.mediatedTitle},
		"received": {w.receivedPath, "/api/v1/tenants/310107/cases/" + w.received, w.receivedTitle},
		"huaiyin":  {"/cases/370104/" + w.huaiyin, "/api/v1/tenants/370104/cases/" + w.huaiyin, w.huaiyinTitle},
	}
	type want struct {
		status  int
		has     []string // actions offered
		hasNot  []string
		mayShow bool // the reveal button
	}
	for _, tc := range []struct {
		user, kase string
		want       want
	}{
		{"putuo-staff", "received", want{200, []string{"assign", "guide", "adjust_risk", "record_contact"}, []string{"close", "reopen", "record_session", "confirm"}, true}},
		{"putuo-staff", "mediated", want{200, []string{"record_session", "succeed", "fail", "transfer", "extend_time_limit"}, []string{"assign", "close"}, true}},
		{"committee-head", "mediated", want{200, []string{"record_session", "succeed"}, []string{"assign"}, true}},
		{"committee-head", "received", want{404, nil, nil, false}},
		{"wang", "mediated", want{200, []string{"record_session", "succeed", "fail"}, []string{"assign", "close"}, true}},
		{"wang", "received", want{404, nil, nil, false}},
		{"zhao", "mediated", want{404, nil, nil, false}},
		{"court-clerk", "mediated", want{200, nil, []string{"record_session", "succeed", "assign", "confirm"}, false}},
		{"court-clerk", "received", want{404, nil, nil, false}},
		{"police-officer", "mediated", want{404, nil, nil, false}},
		{"huaiyin-admin", "received", want{404, nil, nil, false}},
		{"huaiyin-admin", "huaiyin", want{200, []string{"assign"}, nil, true}},
		{"sh-prov", "mediated", want{404, nil, nil, false}},
		{"jinan-city", "huaiyin", want{404, nil, nil, false}},
		{"putuo-staff", "huaiyin", want{404, nil, nil, false}},
	} {
		t.Run(tc.user+"/"+tc.kase, func(t *testing.T) {
			k := cases[tc.kase]
			api := e.do(w.apiAs(tc.user), http.MethodGet, k.api, nil)
			c := e.consoleAs(t, tc.user)
			p := c.get(k.path)
			if p.status != api.status || p.status != tc.want.status {
				t.Fatalf("console %d, API %d, want %d", p.status, api.status, tc.want.status)
			}
			if p.status != http.StatusOK {
				if strings.Contains(p.body, k.title) || strings.Contains(p.body, "张三") {
					t.Error("the refusal shows the case")
				}
				return
			}
			for _, a := range tc.want.has {
				if !strings.Contains(p.body, `data-action="`+a+`"`) {
					t.Errorf("action %s not offered", a)
				}
			}
			for _, a := range tc.want.hasNot {
				if strings.Contains(p.body, `data-action="`+a+`"`) {
					t.Errorf("action %s offered", a)
				}
			}
			var offered []string
			for _, a := range api.json["caller"].(map[string]any)["actions"].([]any) {
				if a != "edit" {
					offered = append(offered, a.(string))
				}
			}
			if n := strings.Count(p.body, `data-action="`); n != len(offered) {
				t.Errorf("%d actions offered, the API allows %v", n, offered)
			}
			if got := strings.Contains(p.body, "/reveal"); got != tc.want.mayShow {
				t.Errorf("reveal button %v, want %v", got, tc.want.mayShow)
			}
			if strings.Contains(p.body, "13800138000") || !strings.Contains(p.body, "138****8000") {
				t.Error("the parties' phones are not masked")
			}
			if !strings.Contains(p.body, `class="timeline"`) {
				t.Error("no timeline")
			}
		})
	}
}

// TestConsoleCaseActions: an action through the console changes the case, audited as the
// user; a problem shows beside its field; a stale version says the case changed; a closed case
// offers reopen, not close; personal data shows only when asked, to those allowed, audited.
func TestConsoleCaseActions(t *testing.T) {
	w := newCasesWorld(t)
	e := w.e
	staff := e.consoleAs(t, "putuo-staff")
	version := func(id string) string {
		return strconv.Itoa(int(e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id, nil).json["version"].(float64)))
	}
	v0 := version(w.received)
	staff.get(w.receivedPath)

	p := staff.post(w.receivedPath+"/actions/assign", url.Values{"version": {v0}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="assign-committee_id-error"`) || !strings.Contains(p.body, "<details class=\"case-action\" open>") {
		t.Errorf("assign without a committee: %d, want 400 with the message beside the field in the open form", p.status)
	}
	if !strings.Contains(p.body, `id="assign-lead"`) || !strings.Contains(p.body, "王明（长寿路街道人民调解委员会）") {
		t.Error("the assign form names no mediators")
	}
	if wang := e.consoleAs(t, "wang"); wang.get(w.receivedPath).status != http.StatusNotFound {
		t.Error("wang sees the case before it is assigned to him")
	}
	p = staff.post(w.receivedPath+"/actions/assign", url.Values{"version": {v0}, "committee_id": {w.committee}, "lead": {w.wangMediator}})
	if p.status != http.StatusSeeOther || !strings.HasSuffix(p.header.Get("Location"), "?done=assign") {
		t.Fatalf("assign: %d %s", p.status, p.body)
	}
	p = staff.get(p.header.Get("Location"))
	if !strings.Contains(p.body, `class="flash"`) || !strings.Contains(p.body, "已分流") || !strings.Contains(p.body, "长寿路街道人民调解委员会") {
		t.Errorf("after assigning: %s", p.body)
	}
	if p := e.consoleAs(t, "wang").get(w.receivedPath); p.status != http.StatusOK || !strings.Contains(p.body, `data-action="start_mediation"`) {
		t.Errorf("the lead mediator named by the console's assignment: %d", p.status)
	}
	cs := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+w.received, nil)
	if cs.json["status"] != "assigned" || cs.json["committee_id"] != w.committee || len(cs.json["mediators"].([]any)) != 1 {
		t.Errorf("the case after assigning: %s", cs.body)
	}
	// Case actions are recorded in the case's history (its audit trail), with their actor.
	if last := lastEvent(t, e, w.received); last["action"] != "assign" || last["actor"] != "user:"+e.ids["putuo-staff"] {
		t.Errorf("the assignment is recorded as %v by %v", last["action"], last["actor"])
	}

	// The intake is corrected through the PATCH, its form filled with the case's values.
	page := staff.get(w.receivedPath)
	if !strings.Contains(page.body, `data-form="edit"`) || !strings.Contains(page.body, `value="`+w.receivedTitle+`"`) {
		t.Error("no correction form filled with the case")
	}
	edit := url.Values{"version": {version(w.received)}, "title": {"鱼塘承包费退还纠纷"}, "dispute_type": {"contract"}, "amount": {"三千"}, "description": {"村民承包鱼塘五年，村委会要求提前收回。"}}
	if p := staff.post(w.receivedPath+"/edit", edit); p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="edit-amount-error"`) || !strings.Contains(p.body, `value="鱼塘承包费退还纠纷"`) {
		t.Errorf("a correction with a bad amount: %d", p.status)
	}
	edit.Set("amount", "12000")
	if p := staff.post(w.receivedPath+"/edit", edit); p.status != http.StatusSeeOther {
		t.Fatalf("correct the intake: %d %s", p.status, p.body)
	}
	if last := lastEvent(t, e, w.received); last["action"] != "edit" || last["actor"] != "user:"+e.ids["putuo-staff"] {
		t.Errorf("the correction is recorded as %v by %v", last["action"], last["actor"])
	}

	// The form's version is the one the page showed: another change in between is a conflict.
	p = staff.post(w.receivedPath+"/actions/adjust_risk", url.Values{"version": {v0}, "risk_level": {"orange"}, "reason": {"当事人情绪激动"}})
	if p.status != http.StatusConflict || !strings.Contains(p.body, "案件已被他人修改") {
		t.Errorf("a stale version: %d, want 409 with the conflict message", p.status)
	}

	// A mediator records a session through htmx: the page part comes back with a flash.
	wang := e.consoleAs(t, "wang")
	wang.get(w.mediatedPath)
	p = wang.htmx(http.MethodPost, w.mediatedPath+"/actions/record_session", url.Values{"version": {version(w.mediated)}, "session.at": {"2026-01-05T09:30"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="record_session-session.mode-error"`) || strings.Contains(p.body, "<html") {
		t.Errorf("a session without its mode: %d %s", p.status, p.body)
	}
	p = wang.htmx(http.MethodPost, w.mediatedPath+"/actions/record_session", url.Values{"version": {version(w.mediated)}, "session.at": {"2026-01-05T09:30"}, "session.mode": {"in_person"}, "session.summary": {"双方同意继续协商"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, `class="flash"`) || !strings.Contains(p.body, "双方同意继续协商") {
		t.Errorf("record a session: %d %s", p.status, p.body)
	}
	if last := lastEvent(t, e, w.mediated); last["action"] != "record_session" || last["actor"] != "user:"+w.wangUser {
		t.Errorf("the session is recorded as %v by %v", last["action"], last["actor"])
	}
	// A mediator cannot act on a case not its own, whatever the form says.
	if p := e.consoleAs(t, "zhao").post(w.mediatedPath+"/actions/close", url.Values{"version": {version(w.mediated)}}); p.status != http.StatusNotFound || strings.Contains(p.body, w.mediatedTitle) {
		t.Errorf("an unassigned mediator acts: %d", p.status)
	}

	// A closed case offers reopen, not close.
	api := "/api/v1/tenants/310107/cases/" + w.received + "/actions/"
	for _, a := range []struct {
		action string
		body   map[string]any
	}{{"guide", map[string]any{"channel": "litigation", "reason": "涉及合同效力认定"}}, {"close", map[string]any{}}} {
		if res := e.do("putuo-staff", http.MethodPost, api+a.action, a.body); res.status != http.StatusOK {
			t.Fatalf("%s: %d %s", a.action, res.status, res.body)
		}
	}
	p = staff.get(w.receivedPath)
	if !strings.Contains(p.body, `data-action="reopen"`) || strings.Contains(p.body, `data-action="close"`) {
		t.Error("a closed case does not offer reopen alone")
	}

	// Personal data: masked, shown on request to those allowed, and audited.
	p = staff.htmx(http.MethodPost, w.receivedPath+"/reveal", url.Values{})
	if p.status != http.StatusOK || !strings.Contains(p.body, "13800138000") || !strings.Contains(p.body, "审计") {
		t.Errorf("reveal: %d %s", p.status, p.body)
	}
	if p.header.Get("Cache-Control") != "no-store" {
		t.Error("revealed personal data may be cached")
	}
	audit := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/audit", nil)
	found := false
	for _, it := range audit.json["items"].([]any) {
		ev := it.(map[string]any)
		found = found || (ev["action"] == "case.pii.read" && ev["object"] == "case:"+w.received && ev["actor"] == "user:"+e.ids["putuo-staff"])
	}
	if !found {
		t.Error("the reveal is not audited as the user")
	}
	clerk := e.consoleAs(t, "court-clerk")
	clerk.get(w.mediatedPath)
	if p := clerk.post(w.mediatedPath+"/reveal", url.Values{}); p.status != http.StatusForbidden || strings.Contains(p.body, "13800138000") {
		t.Errorf("a clerk reveals: %d", p.status)
	}
	if p := staff.postRaw(w.receivedPath+"/reveal", url.Values{}); p.status != http.StatusForbidden || strings.Contains(p.body, "13800138000") {
		t.Errorf("a reveal without the CSRF token: %d", p.status)
	}
}

func regexpFind(s, expr string) string {
	if m := regexp.MustCompile(expr).FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// lastEvent is the latest entry of a Putuo case's history.
func lastEvent(t *testing.T, e *env, id string) map[string]any {
	t.Helper()
	h := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id+"/history", nil)
	items, _ := h.json["items"].([]any)
	if len(items) == 0 {
		t.Fatalf("history: %d %s", h.status, h.body)
	}
	return items[len(items)-1].(map[string]any)
}

// TestConsoleCaseShare: staff share a case with the court through the console (the court's
// clerk then sees it), and revoke the share (it no longer does); those who may not share see
// no form and are refused.
func TestConsoleCaseShare(t *testing.T) {
	w := newCasesWorld(t)
	e := w.e
	staff := e.consoleAs(t, "putuo-staff")
	page := staff.get(w.receivedPath)
	if !strings.Contains(page.body, `data-form="share"`) || !strings.Contains(page.body, "普陀区人民法院") || !strings.Contains(page.body, "青浦区") {
		t.Fatalf("no share form with the court and the city's districts: %s", page.body)
	}
	if p := staff.post(w.receivedPath+"/shares", url.Values{"grantee": {"org:" + w.court}, "scope": {"summary"}, "expires_at": {"2099-01-01"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="share-purpose-error"`) {
		t.Errorf("a share without a purpose: %d, want 400 beside the purpose", p.status)
	}
	if p := staff.post(w.receivedPath+"/shares", url.Values{"grantee": {"org:" + w.court}, "scope": {"summary"}, "purpose": {"法院了解诉前调解进展"}, "expires_at": {time.Now().AddDate(0, 1, 0).Format("2006-01-02")}}); p.status != http.StatusSeeOther {
		t.Fatalf("share: %d %s", p.status, p.body)
	}
	clerk := e.consoleAs(t, "court-clerk")
	if p := clerk.get("/cases"); !strings.Contains(p.body, w.received) {
		t.Error("the court's clerk does not see the case shared with the court")
	}
	if p := clerk.get(w.receivedPath); p.status != http.StatusOK || strings.Contains(p.body, "张三") || strings.Contains(p.body, `data-form="share"`) {
		t.Errorf("the clerk reads the summary share: %d (parties or a share form shown?)", p.status)
	}
	if p := clerk.post(w.receivedPath+"/shares", url.Values{"grantee": {"tenant:310118"}, "scope": {"summary"}, "purpose": {"x"}, "expires_at": {"2099-01-01"}}); p.status != http.StatusForbidden {
		t.Errorf("the clerk shares: %d, want 403", p.status)
	}
	page = staff.get(w.receivedPath)
	share := regexpFind(page.body, `/shares/([0-9a-f-]{36})/revoke`)
	if share == "" || !strings.Contains(page.body, "法院了解诉前调解进展") {
		t.Fatalf("the share is not listed with its revoke button")
	}
	if p := staff.htmx(http.MethodPost, w.receivedPath+"/shares/"+share+"/revoke", url.Values{}); p.status != http.StatusOK || !strings.Contains(p.body, "已撤销") {
		t.Errorf("revoke: %d %s", p.status, p.body)
	}
	if p := clerk.get("/cases"); strings.Contains(p.body, w.received) {
		t.Error("the clerk still sees the case after the share was revoked")
	}

	// Linking the police station: its officer then sees the case, and may see the parties.
	police := e.consoleAs(t, "police-officer")
	if p := police.get(w.receivedPath); p.status != http.StatusNotFound {
		t.Errorf("the police reads an unlinked case: %d", p.status)
	}
	if p := staff.post(w.receivedPath+"/links", url.Values{"party_id": {w.police}, "reason": {"joint"}, "note": {"联合化解"}}); p.status != http.StatusSeeOther {
		t.Fatalf("link the police: %d %s", p.status, p.body)
	}
	if p := police.get(w.receivedPath); p.status != http.StatusOK || !strings.Contains(p.body, "/reveal") || strings.Contains(p.body, `data-action="`) {
		t.Errorf("the linked police station: %d (its reveal button, no action)", p.status)
	}
	if p := staff.get(w.receivedPath); !strings.Contains(p.body, "长寿路派出所 · 联合调解") {
		t.Error("the link is not listed by name and reason")
	}

	// A transfer to another district of the city: proposed, listed, not proposed twice.
	if p := staff.post(w.receivedPath+"/district-transfer", url.Values{"to_tenant": {"310118"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="district_transfer-reason-error"`) {
		t.Errorf("a transfer without a reason: %d", p.status)
	}
	if p := staff.post(w.receivedPath+"/district-transfer", url.Values{"to_tenant": {"310118"}, "reason": {"纠纷发生地在青浦区"}}); p.status != http.StatusSeeOther {
		t.Fatalf("propose a transfer: %d %s", p.status, p.body)
	}
	page = staff.get(w.receivedPath)
	if !strings.Contains(page.body, "待对方接收") || !strings.Contains(page.body, "纠纷发生地在青浦区") || strings.Contains(page.body, `data-form="district_transfer"`) {
		t.Errorf("after proposing the transfer: %s", page.body)
	}
}

// TestConsoleCaseAgreement: the printable agreement opens from the case page for those who may
// read it, under a policy that admits its own style only; others are refused as by the API.
func TestConsoleCaseAgreement(t *testing.T) {
	w := newCasesWorld(t)
	e := w.e
	if res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases/"+w.mediated+"/actions/succeed",
		map[string]any{"agreement": map[string]any{"form": "written", "terms": []map[string]any{{"text": "被申请人让出通道", "amount": 0}}}}); res.status != http.StatusOK {
		t.Fatalf("succeed: %d %s", res.status, res.body)
	}
	staff := e.consoleAs(t, "putuo-staff")
	if p := staff.get(w.mediatedPath); !strings.Contains(p.body, w.mediatedPath+"/agreement") || !strings.Contains(p.body, "被申请人让出通道") || !strings.Contains(p.body, `data-action="confirm"`) {
		t.Errorf("the case page lacks the agreement, its document or confirmation")
	}
	staff.get("/lang/en")
	if p := staff.get(w.mediatedPath); p.status != 200 || !strings.Contains(p.body, "Record judicial confirmation") || !strings.Contains(p.body, "Parties") || !strings.Contains(p.body, "Written agreement") {
		t.Errorf("the case page in English: %d", p.status)
	}
	if p := staff.get("/cases?status=succeeded"); p.status != 200 || !strings.Contains(p.body, "Succeeded") || !strings.Contains(p.body, w.mediated) {
		t.Errorf("the list in English: %d", p.status)
	}
	staff.get("/lang/zh")
	p := staff.get(w.mediatedPath + "/agreement")
	csp := p.header.Get("Content-Security-Policy")
	if p.status != http.StatusOK || !strings.Contains(p.body, "13800138000") || !strings.Contains(csp, "'sha256-") || strings.Contains(csp, "unsafe") || strings.Contains(csp, "script-src") {
		t.Errorf("agreement document: %d %q", p.status, csp)
	}
	if p := e.consoleAs(t, "police-officer").get(w.mediatedPath + "/agreement"); p.status != http.StatusNotFound || strings.Contains(p.body, "13800138000") {
		t.Errorf("the police reads the agreement: %d", p.status)
	}
	clerk := e.consoleAs(t, "court-clerk")
	if p := clerk.get(w.mediatedPath); !strings.Contains(p.body, `data-action="confirm"`) || strings.Count(p.body, `data-action="`) != 1 {
		t.Errorf("the referring court's clerk is not offered confirmation alone")
	}
	p = clerk.post(w.mediatedPath+"/actions/confirm", url.Values{"version": {"0"}, "confirmation.court_id": {w.court}, "confirmation.reference": {"(2026)沪0107民特9号"}, "confirmation.date": {time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("the clerk confirms: %d %s", p.status, p.body)
	}
	if p := clerk.get(p.header.Get("Location")); !strings.Contains(p.body, "(2026)沪0107民特9号") || strings.Contains(p.body, `data-action="confirm"`) {
		t.Errorf("after confirmation: %s", p.body)
	}
}
