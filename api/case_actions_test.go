package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func (e *env) newCase(t *testing.T, as, code string) (string, int) {
	t.Helper()
	body := sampleCase(t, "测试案件")
	if code != "310107" {
		body["place_code"] = ""
	}
	res := e.do(as, http.MethodPost, "/api/v1/tenants/"+code+"/cases", body)
	if res.status != 201 {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	return res.json["id"].(string), int(res.json["version"].(float64))
}

func TestCaseActionsWithoutCommittee(t *testing.T) {
	e := newEnv(t)
	id, v := e.newCase(t, "putuo-staff", "310107")
	act := func(a string) string { return "/api/v1/tenants/310107/cases/" + id + "/actions/" + a }
	runRows(t, e, nil, []row{
		{name: "succeed before mediation", as: "putuo-staff", method: "POST", path: act("succeed"), body: map[string]any{}, status: 409, problem: "action-not-allowed"},
		{name: "unknown action", as: "putuo-staff", method: "POST", path: act("teleport"), body: map[string]any{}, status: 400, problem: "invalid-field", field: "action"},
		{name: "edit is not an action", as: "putuo-staff", method: "POST", path: act("edit"), body: map[string]any{}, status: 400, problem: "invalid-field", field: "action"},
		{name: "assign without committee", as: "putuo-staff", method: "POST", path: act("assign"), body: map[string]any{}, status: 400, problem: "invalid-field", field: "committee_id"},
		{name: "assign to a non-committee", as: "putuo-staff", method: "POST", path: act("assign"), body: map[string]any{"committee_id": "00000000-0000-0000-0000-000000000000"}, status: 400, problem: "invalid-field", field: "committee_id"},
		{name: "risk without reason", as: "putuo-staff", method: "POST", path: act("adjust_risk"), body: map[string]any{"risk_level": "orange"}, status: 400, problem: "invalid-field", field: "reason"},
		{name: "risk bad level", as: "putuo-staff", method: "POST", path: act("adjust_risk"), body: map[string]any{"risk_level": "purple", "reason": "x"}, status: 400, problem: "invalid-field", field: "risk_level"},
		{name: "stale version", as: "putuo-staff", method: "POST", path: act("adjust_risk"), body: map[string]any{"risk_level": "orange", "reason": "当事人情绪激动", "version": v + 5}, status: 409, problem: "version-conflict"},
		{name: "raise risk", as: "putuo-staff", method: "POST", path: act("adjust_risk"), body: map[string]any{"risk_level": "orange", "reason": "当事人情绪激动", "version": v}, status: 200},
		{name: "guide without channel", as: "putuo-staff", method: "POST", path: act("guide"), body: map[string]any{"reason": "涉及行政行为"}, status: 400, problem: "invalid-field", field: "channel"},
		{name: "guide to reconsideration", as: "putuo-staff", method: "POST", path: act("guide"), body: map[string]any{"channel": "administrative_reconsideration", "reason": "涉及行政行为"}, status: 200},
		{name: "start mediation when guided", as: "putuo-staff", method: "POST", path: act("start_mediation"), status: 409, problem: "action-not-allowed"},
		{name: "close", as: "putuo-staff", method: "POST", path: act("close"), status: 200},
		{name: "upper level cannot act (nor see the case)", as: "nation", method: "POST", path: act("reopen"), body: map[string]any{"reason": "x"}, status: 404, problem: "case-not-found"},
		{name: "other district cannot act", as: "huaiyin-admin", method: "POST", path: "/api/v1/tenants/310107/cases/" + id + "/actions/reopen", body: map[string]any{"reason": "x"}, status: 404, problem: "tenant-not-found"},
		{name: "other's case through own path", as: "huaiyin-admin", method: "POST", path: "/api/v1/tenants/370104/cases/" + id + "/actions/reopen", body: map[string]any{"reason": "x"}, status: 404, problem: "case-not-found"},
	})
	res := e.do("putuo-staff", http.MethodPost, act("succeed"), map[string]any{})
	allowed := res.json["allowed_actions"].([]any)
	if len(allowed) != 1 || allowed[0] != "reopen" {
		t.Errorf("a closed case allows %v, want [reopen]", allowed)
	}
	c := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id, nil)
	if c.json["status"] != "closed" || c.json["risk_level"] != "orange" || c.json["outcome"].(map[string]any)["channel"] != "administrative_reconsideration" || c.json["concluded_at"] == nil {
		t.Errorf("case after actions: %s", c.body)
	}
	h := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id+"/history", nil)
	var actions []string
	for _, it := range h.json["items"].([]any) {
		actions = append(actions, it.(map[string]any)["action"].(string))
	}
	if want := []string{"create", "adjust_risk", "guide", "close"}; len(actions) != len(want) {
		t.Errorf("history %v, want %v", actions, want)
	} else {
		for i := range want {
			if actions[i] != want[i] {
				t.Errorf("history %v, want %v", actions, want)
				break
			}
		}
	}
}

func (e *env) org(t *testing.T, as, code string, body map[string]any) string {
	t.Helper()
	res := e.do(as, http.MethodPost, "/api/v1/tenants/"+code+"/organisations", body)
	if res.status != 201 {
		t.Fatalf("create organisation: %d %s", res.status, res.body)
	}
	return res.json["id"].(string)
}

// TestCaseLifecycleFlow walks one case through the whole lifecycle over the API: routing
// proposal, assignment, mediation, agreement, judicial confirmation, follow-ups (one finds the
// agreement not performed and reopens the case), failure, close — and checks the history.
func TestCaseLifecycleFlow(t *testing.T) {
	e := newEnv(t)
	street := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	e.org(t, "putuo-admin", "310107", map[string]any{"kind": "industry_committee", "name": "普陀区物业纠纷调委会", "industry": "property"})
	other := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "曹杨新村街道人民调解委员会", "street_code": "310107005"})
	court := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "普陀区人民法院"})
	id, _ := e.newCase(t, "putuo-staff", "310107")
	base := "/api/v1/tenants/310107/cases/" + id
	act := func(a string) string { return base + "/actions/" + a }

	routing := e.do("putuo-staff", http.MethodGet, base+"/routing", nil)
	props := routing.json["proposals"].([]any)
	if routing.status != 200 || routing.json["complexity"] != "simple" || len(props) == 0 ||
		props[0].(map[string]any)["committee"].(map[string]any)["id"] != street {
		t.Fatalf("routing: %d %s", routing.status, routing.body)
	}
	runRows(t, e, nil, []row{
		{name: "assign to an agency is refused", as: "putuo-staff", method: "POST", path: act("assign"), body: map[string]any{"committee_id": court}, status: 400, problem: "invalid-field", field: "committee_id"},
		{name: "assign as proposed", as: "putuo-staff", method: "POST", path: act("assign"), body: map[string]any{"committee_id": street}, status: 200},
		{name: "transfer without reason", as: "putuo-staff", method: "POST", path: act("transfer"), body: map[string]any{"committee_id": other}, status: 400, problem: "invalid-field", field: "reason"},
		{name: "transfer", as: "putuo-staff", method: "POST", path: act("transfer"), body: map[string]any{"committee_id": other, "reason": "当事人居住地在曹杨"}, status: 200},
		{name: "start mediation naming a mediator by name", as: "putuo-staff", method: "POST", path: act("start_mediation"), body: map[string]any{"mediators": []string{"王调解员"}}, status: 400, problem: "invalid-field", field: "mediators[0]"},
		{name: "start mediation", as: "putuo-staff", method: "POST", path: act("start_mediation"), status: 200},
		{name: "session in the future", as: "putuo-staff", method: "POST", path: act("record_session"), body: map[string]any{"session": map[string]any{"at": "2099-01-01T09:00:00Z", "mode": "in_person"}}, status: 400, problem: "invalid-field", field: "session.at"},
		{name: "session bad mode", as: "putuo-staff", method: "POST", path: act("record_session"), body: map[string]any{"session": map[string]any{"at": "2026-01-05T09:00:00Z", "mode": "pigeon"}}, status: 400, problem: "invalid-field", field: "session.mode"},
		{name: "session", as: "putuo-staff", method: "POST", path: act("record_session"), body: map[string]any{"session": map[string]any{"at": "2026-01-05T09:00:00Z", "mode": "in_person", "summary": "双方到场，律师参与", "participants": []string{"李律师"}}}, status: 200},
		{name: "agreement without terms", as: "putuo-staff", method: "POST", path: act("succeed"), body: map[string]any{"agreement": map[string]any{"form": "written", "terms": []any{}}}, status: 400, problem: "invalid-field", field: "agreement.terms"},
		{name: "agreement bad due date", as: "putuo-staff", method: "POST", path: act("succeed"), body: map[string]any{"agreement": map[string]any{"form": "written", "terms": []map[string]any{{"text": "赔偿", "due_date": "soon"}}}}, status: 400, problem: "invalid-field", field: "agreement.terms[0].due_date"},
		{name: "succeed", as: "putuo-staff", method: "POST", path: act("succeed"), body: map[string]any{"agreement": map[string]any{"form": "written", "terms": []map[string]any{{"text": "李四赔偿张三维修费", "amount": 3000, "due_date": "2026-12-31", "payer": "李四"}}}}, status: 200},
		{name: "confirmation incomplete", as: "putuo-staff", method: "POST", path: act("confirm"), body: map[string]any{"confirmation": map[string]any{"court": "普陀区人民法院"}}, status: 400, problem: "invalid-field", field: "confirmation"},
		{name: "judicial confirmation", as: "putuo-staff", method: "POST", path: act("confirm"), body: map[string]any{"confirmation": map[string]any{"court": "普陀区人民法院", "reference": "(2026)沪0107民特1号", "date": "2026-11-30"}}, status: 200},
		{name: "follow-up unknown", as: "putuo-staff", method: "POST", path: act("follow_up"), body: map[string]any{"follow_up_id": "00000000-0000-0000-0000-000000000000", "result": "performed"}, status: 400, problem: "invalid-field", field: "follow_up_id"},
	})
	doc := e.do("putuo-staff", http.MethodGet, base+"/agreement", nil)
	for _, want := range []string{"人民调解协议书", "李四赔偿张三维修费", "曹杨新村街道人民调解委员会", idNumber(t, "310107", "19800101", 123), "(2026)沪0107民特1号"} {
		if !strings.Contains(string(doc.body), want) {
			t.Errorf("agreement document lacks %q", want)
		}
	}
	if doc.status != 200 || !strings.HasPrefix(doc.header.Get("Content-Type"), "text/html") || doc.header.Get("Cache-Control") != "no-store" {
		t.Errorf("agreement document: %d %v", doc.status, doc.header)
	}
	c := e.do("putuo-staff", http.MethodGet, base, nil)
	fus := c.json["follow_ups"].([]any)
	if c.json["status"] != "succeeded" || c.json["committee_id"] != other || len(fus) != 2 || c.json["confirmation"] == nil || len(c.json["sessions"].([]any)) != 1 {
		t.Fatalf("after agreement: %s", c.body)
	}
	first := fus[0].(map[string]any)["id"].(string)
	runRows(t, e, nil, []row{
		{name: "reopen needs not performed", as: "putuo-staff", method: "POST", path: act("follow_up"), body: map[string]any{"follow_up_id": first, "result": "performed", "reopen": true}, status: 400, problem: "invalid-field", field: "reopen"},
		{name: "follow-up finds it not performed and reopens", as: "putuo-staff", method: "POST", path: act("follow_up"), body: map[string]any{"follow_up_id": first, "result": "not_performed", "note": "李四未付款", "reopen": true}, status: 200},
		{name: "the same follow-up twice", as: "putuo-staff", method: "POST", path: act("follow_up"), body: map[string]any{"follow_up_id": first, "result": "performed"}, status: 409, problem: "action-not-allowed"},
		{name: "fail to litigation", as: "putuo-staff", method: "POST", path: act("fail"), body: map[string]any{"channel": "litigation"}, status: 200},
		{name: "close", as: "putuo-staff", method: "POST", path: act("close"), status: 200},
	})
	c = e.do("putuo-staff", http.MethodGet, base, nil)
	if c.json["status"] != "closed" || c.json["outcome"].(map[string]any)["channel"] != "litigation" || len(c.json["follow_ups"].([]any)) != 3 {
		t.Errorf("after failure and close: %s", c.body)
	}
	h := e.do("putuo-staff", http.MethodGet, base+"/history", nil)
	var got []string
	for _, it := range h.json["items"].([]any) {
		got = append(got, it.(map[string]any)["action"].(string))
	}
	want := []string{"create", "assign", "transfer", "start_mediation", "record_session", "succeed", "confirm", "follow_up", "fail", "close"}
	if len(got) != len(want) {
		t.Fatalf("history %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("history %v, want %v", got, want)
		}
	}
	// Follow-ups: one pending (the 30-day one of the agreement), and one of the failure; none
	// overdue now; all overdue a year later.
	due := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/follow-ups?state=due", nil)
	if n := len(due.json["items"].([]any)); n != 2 {
		t.Errorf("due follow-ups: %d %s", n, due.body)
	}
	if n := len(e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/follow-ups?state=overdue", nil).json["items"].([]any)); n != 0 {
		t.Errorf("overdue now: %d", n)
	}
	e.cases.SetClock(func() time.Time { return time.Now().AddDate(1, 0, 0) })
	if n := len(e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/follow-ups?state=overdue", nil).json["items"].([]any)); n != 2 {
		t.Errorf("overdue a year later: %d", n)
	}
	if n := len(e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/follow-ups?state=done", nil).json["items"].([]any)); n != 1 {
		t.Errorf("done follow-ups: %d", n)
	}
	runRows(t, e, nil, []row{
		{name: "no agreement document for a failed case", as: "putuo-staff", method: "GET", path: base + "/agreement", status: 409, problem: "no-written-agreement"},
		{name: "no agreement document across districts", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/370104/cases/" + id + "/agreement", status: 404, problem: "case-not-found"},
		{name: "follow-ups bad state", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/follow-ups?state=soon", status: 400, problem: "invalid-field", field: "state"},
		{name: "follow-ups of another district", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/370104/follow-ups", status: 404, problem: "tenant-not-found"},
		{name: "routing of another district's case", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/370104/cases/" + id + "/routing", status: 404, problem: "case-not-found"},
	})
}

func TestCaseSettings(t *testing.T) {
	e := newEnv(t)
	path := "/api/v1/tenants/310107/case-settings"
	def := e.do("putuo-staff", http.MethodGet, path, nil)
	if def.status != 200 || def.json["time_limit_days"].(map[string]any)["court"].(float64) != 30 || len(def.json["follow_up_days"].([]any)) != 2 {
		t.Fatalf("defaults: %d %s", def.status, def.body)
	}
	runRows(t, e, nil, []row{
		{name: "staff cannot change", as: "putuo-staff", method: "PUT", path: path, body: map[string]any{"follow_up_days": []int{3}}, status: 403, problem: "forbidden"},
		{name: "unknown source", as: "putuo-admin", method: "PUT", path: path, body: map[string]any{"time_limit_days": map[string]int{"pigeon": 3}}, status: 400, problem: "invalid-field", field: "time_limit_days.pigeon"},
		{name: "zero days", as: "putuo-admin", method: "PUT", path: path, body: map[string]any{"time_limit_days": map[string]int{"court": 0}}, status: 400, problem: "invalid-field", field: "time_limit_days.court"},
		{name: "decreasing follow-ups", as: "putuo-admin", method: "PUT", path: path, body: map[string]any{"follow_up_days": []int{30, 7}}, status: 400, problem: "invalid-field", field: "follow_up_days"},
		{name: "set", as: "putuo-admin", method: "PUT", path: path, body: map[string]any{"time_limit_days": map[string]int{"court": 20}, "follow_up_days": []int{3, 14, 60}}, status: 200},
		{name: "another district", as: "putuo-admin", method: "PUT", path: "/api/v1/tenants/370104/case-settings", body: map[string]any{}, status: 404, problem: "tenant-not-found"},
	})
	got := e.do("putuo-staff", http.MethodGet, path, nil)
	if got.json["time_limit_days"].(map[string]any)["court"].(float64) != 20 || got.json["time_limit_days"].(map[string]any)["walk_in"].(float64) != 30 {
		t.Errorf("merged settings: %s", got.body)
	}
	// A court referral now gets 20 days; an agreement three follow-ups.
	c := sampleCase(t, "委派案件")
	c["source"] = "court"
	res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", c)
	received, _ := time.Parse(time.RFC3339Nano, res.json["received_at"].(string))
	due, _ := time.Parse(time.RFC3339Nano, res.json["due_at"].(string))
	if d := due.Sub(received); d != 20*24*time.Hour {
		t.Errorf("court time limit %v, want 480h", d)
	}
	// Huaiyin keeps the defaults.
	if h := e.do("huaiyin-staff", http.MethodGet, "/api/v1/tenants/370104/case-settings", nil); h.json["time_limit_days"].(map[string]any)["court"].(float64) != 30 {
		t.Errorf("another tenant's settings changed: %s", h.body)
	}
	street := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	id := res.json["id"].(string)
	for _, a := range []struct {
		action string
		body   map[string]any
	}{{"assign", map[string]any{"committee_id": street}}, {"start_mediation", map[string]any{}}, {"succeed", map[string]any{"agreement": map[string]any{"form": "oral", "terms": []map[string]any{{"text": "互相谅解"}}}}}} {
		if r := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases/"+id+"/actions/"+a.action, a.body); r.status != 200 {
			t.Fatalf("%s: %d %s", a.action, r.status, r.body)
		}
	}
	cs := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id, nil)
	if n := len(cs.json["follow_ups"].([]any)); n != 3 {
		t.Errorf("follow-ups scheduled: %d, want 3", n)
	}
}

func TestTenantDisputeTypes(t *testing.T) {
	e := newEnv(t)
	path := "/api/v1/tenants/310107/dispute-types"
	runRows(t, e, nil, []row{
		{name: "staff cannot add", as: "putuo-staff", method: "POST", path: path, body: map[string]any{"code": "rural_land", "name_zh": "农村土地承包纠纷"}, status: 403, problem: "forbidden"},
		{name: "bad code", as: "putuo-admin", method: "POST", path: path, body: map[string]any{"code": "Rural Land", "name_zh": "农村土地承包纠纷"}, status: 400, problem: "invalid-field", field: "code"},
		{name: "no name", as: "putuo-admin", method: "POST", path: path, body: map[string]any{"code": "rural_land"}, status: 400, problem: "invalid-field", field: "name_zh"},
		{name: "bad industry", as: "putuo-admin", method: "POST", path: path, body: map[string]any{"code": "rural_land", "name_zh": "农村土地承包纠纷", "industry": "farming"}, status: 400, problem: "invalid-field", field: "industry"},
		{name: "built-in code", as: "putuo-admin", method: "POST", path: path, body: map[string]any{"code": "labour", "name_zh": "劳动"}, status: 409, problem: "dispute-type-exists", field: "code"},
		{name: "add", as: "putuo-admin", method: "POST", path: path, body: map[string]any{"code": "rural_land", "name_zh": "农村土地承包纠纷", "name_en": "Rural land contracts"}, status: 201},
		{name: "add twice", as: "putuo-admin", method: "POST", path: path, body: map[string]any{"code": "rural_land", "name_zh": "农村土地承包纠纷"}, status: 409, problem: "dispute-type-exists", field: "code"},
		{name: "another district", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/370104/dispute-types", body: map[string]any{"code": "x_y", "name_zh": "x"}, status: 404, problem: "tenant-not-found"},
	})
	c := sampleCase(t, "土地承包")
	c["dispute_type"] = "rural_land"
	if res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", c); res.status != 201 {
		t.Errorf("a case of the tenant's own type: %d %s", res.status, res.body)
	}
	if res := e.do("huaiyin-staff", http.MethodPost, "/api/v1/tenants/370104/cases", map[string]any{"title": "x", "dispute_type": "rural_land", "source": "walk_in", "parties": []map[string]any{{"name": "甲", "role": "applicant"}}}); res.status != 400 {
		t.Errorf("another tenant used Putuo's own type: %d", res.status)
	}
}

func TestEditCase(t *testing.T) {
	e := newEnv(t)
	id, v := e.newCase(t, "putuo-staff", "310107")
	path := "/api/v1/tenants/310107/cases/" + id
	e.do("putuo-staff", http.MethodPost, path+"/actions/adjust_risk", map[string]any{"risk_level": "blue", "reason": "老人独居"})
	runRows(t, e, nil, []row{
		{name: "empty title", as: "putuo-staff", method: "PATCH", path: path, body: map[string]any{"title": " "}, status: 400, problem: "invalid-field", field: "title"},
		{name: "unknown type", as: "putuo-staff", method: "PATCH", path: path, body: map[string]any{"dispute_type": "alien"}, status: 400, problem: "invalid-field", field: "dispute_type"},
		{name: "street of another district", as: "putuo-staff", method: "PATCH", path: path, body: map[string]any{"place_code": "370104001"}, status: 400, problem: "invalid-field", field: "place_code"},
		{name: "stale version", as: "putuo-staff", method: "PATCH", path: path, body: map[string]any{"title": "x", "version": v}, status: 409, problem: "version-conflict"},
		{name: "other district", as: "huaiyin-admin", method: "PATCH", path: "/api/v1/tenants/370104/cases/" + id, body: map[string]any{"title": "x"}, status: 404, problem: "case-not-found"},
		{name: "correct", as: "putuo-staff", method: "PATCH", path: path, body: map[string]any{"description": "对方扬言报复，要同归于尽", "amount": 5000}, status: 200},
	})
	c := e.do("putuo-staff", http.MethodGet, path, nil)
	if c.json["amount"].(float64) != 5000 || c.json["risk_level"] != "blue" {
		t.Errorf("after edit: amount %v, level %v (the manual level stays)", c.json["amount"], c.json["risk_level"])
	}
	codes := map[string]bool{}
	for _, s := range c.json["risk"].(map[string]any)["signals"].([]any) {
		codes[s.(map[string]any)["code"].(string)] = true
	}
	if !codes["threat"] || !codes["manual"] {
		t.Errorf("re-assessed signals: %v", codes)
	}
	h := e.do("putuo-staff", http.MethodGet, path+"/history", nil)
	items := h.json["items"].([]any)
	last := items[len(items)-1].(map[string]any)
	if last["action"] != "edit" || last["after"].(map[string]any)["changed"].(map[string]any)["amount"].(float64) != 5000 {
		t.Errorf("history of the edit: %v", last)
	}
}

func TestFirstContact(t *testing.T) {
	e := newEnv(t)
	id, _ := e.newCase(t, "putuo-staff", "310107")
	path := "/api/v1/tenants/310107/cases/" + id
	c := e.do("putuo-staff", http.MethodGet, path, nil)
	received, _ := time.Parse(time.RFC3339Nano, c.json["received_at"].(string))
	due, _ := time.Parse(time.RFC3339Nano, c.json["first_contact_due_at"].(string))
	if gap := due.Sub(received); gap < 24*time.Hour || gap > 72*time.Hour || c.json["contact_overdue"] != false {
		t.Fatalf("first contact due %v after intake (one working day), overdue %v", gap, c.json["contact_overdue"])
	}
	e.cases.SetClock(func() time.Time { return time.Now().AddDate(0, 0, 5) })
	late := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases?overdue=true", nil)
	if n := len(late.json["items"].([]any)); n != 1 || late.json["items"].([]any)[0].(map[string]any)["contact_overdue"] != true {
		t.Fatalf("overdue list five days later: %s", late.body)
	}
	if r := e.do("putuo-staff", http.MethodPost, path+"/actions/record_contact", map[string]any{"note": "电话联系双方"}); r.status != 200 || r.json["contacted_at"] == nil {
		t.Fatalf("record_contact: %d %s", r.status, r.body)
	}
	if n := len(e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases?overdue=true", nil).json["items"].([]any)); n != 0 {
		t.Errorf("still overdue after the contact: %d", n)
	}
}

// TestRoutingRulesPerTenant: a tenant's thresholds of 繁简分流 decide what is complex.
func TestRoutingRulesPerTenant(t *testing.T) {
	e := newEnv(t)
	e.org(t, "putuo-admin", "310107", map[string]any{"kind": "brand_studio", "name": "普陀金牌调解工作室", "mediator_name": "柏万青"})
	id, _ := e.newCase(t, "putuo-staff", "310107")
	route := func() map[string]any {
		return e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id+"/routing", nil).json
	}
	if r := route(); r["complexity"] != "simple" {
		t.Fatalf("default: %v", r)
	}
	runRows(t, e, nil, []row{
		{name: "bad level", as: "putuo-admin", method: "PUT", path: "/api/v1/tenants/310107/case-settings", body: map[string]any{"routing": map[string]any{"complex_risk_level": "none"}}, status: 400, problem: "invalid-field", field: "routing.complex_risk_level"},
		{name: "one party is no threshold", as: "putuo-admin", method: "PUT", path: "/api/v1/tenants/310107/case-settings", body: map[string]any{"routing": map[string]any{"complex_parties": 1}}, status: 400, problem: "invalid-field", field: "routing.complex_parties"},
		{name: "amounts from 3,000 yuan are complex", as: "putuo-admin", method: "PUT", path: "/api/v1/tenants/310107/case-settings", body: map[string]any{"routing": map[string]any{"complex_amount": 3000}}, status: 200},
	})
	r := route()
	props, _ := r["proposals"].([]any)
	if r["complexity"] != "complex" || len(props) == 0 || props[0].(map[string]any)["committee"].(map[string]any)["kind"] != "brand_studio" {
		t.Errorf("with the tenant's threshold: %v", r)
	}
}
