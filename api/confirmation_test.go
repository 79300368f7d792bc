package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// beijingToday is today's date in Beijing, the date of a judicial confirmation recorded today.
func beijingToday() string { return time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02") }

// succeedCase takes a case through assignment and mediation to an agreement of the form given.
func (e *env) succeedCase(t *testing.T, path, committee, form string) {
	t.Helper()
	for _, step := range []struct {
		action string
		body   map[string]any
	}{
		{"assign", map[string]any{"committee_id": committee}},
		{"start_mediation", map[string]any{}},
		{"succeed", map[string]any{"agreement": map[string]any{"form": form, "terms": []map[string]any{{"text": "李四赔偿张三维修费", "amount": 3000, "payer": "李四"}}}}},
	} {
		if res := e.do("putuo-staff", http.MethodPost, path+"/actions/"+step.action, step.body); res.status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", path, step.action, res.status, res.body)
		}
	}
}

// TestJudicialConfirmation holds the contract of judicial confirmation (司法确认), issue 14 item
// 1: a written agreement only, once (a correction is its own action with a reason, the earlier
// record kept in the history), by a court of the district's registry (an agency in its own
// name only), dated neither in the future nor before the agreement; the confirming court's
// clerk reads the agreement it confirmed and nothing else of the case, other agencies and
// districts do not; reopening the confirmed case needs a reason and tells the court.
func TestJudicialConfirmation(t *testing.T) {
	e := newEnv(t)
	court := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "上海市普陀区人民法院"})
	police := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "长寿路派出所"})
	committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	qingpuCourt := e.org(t, "qingpu-admin", "310118", map[string]any{"kind": "court", "name": "上海市青浦区人民法院"})
	clerk := e.agencyUser(t, "310107", "court-clerk", "agency-clerk", court)
	officer := e.agencyUser(t, "310107", "police-officer", "agency-clerk", police)

	written := e.createCase("putuo-staff", "310107", sampleCase(t, "书面协议的邻里纠纷"))
	oral := e.createCase("putuo-staff", "310107", sampleCase(t, "口头协议的邻里纠纷"))
	referredBody := sampleCase(t, "法院委派的邻里纠纷")
	referredBody["source"] = "court"
	referredBody["referral"] = map[string]any{"agency": "上海市普陀区人民法院", "agency_id": court, "reference": "(2026)沪0107民诉前调9号", "kind": "pre_filing"}
	referred := e.createCase("putuo-staff", "310107", referredBody)
	w, o, r := "/api/v1/tenants/310107/cases/"+written, "/api/v1/tenants/310107/cases/"+oral, "/api/v1/tenants/310107/cases/"+referred
	e.succeedCase(t, w, committee, "written")
	e.succeedCase(t, o, committee, "oral")
	e.succeedCase(t, r, committee, "written")

	today := beijingToday()
	yesterday := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, -1).Format("2006-01-02")
	cf := func(courtID, date string) map[string]any {
		return map[string]any{"confirmation": map[string]any{"court_id": courtID, "reference": "(2026)沪0107民特5号", "date": date}}
	}
	runRows(t, e, nil, []row{
		{name: "an oral agreement is not confirmed", as: "putuo-staff", method: "POST", path: o + "/actions/confirm", body: cf(court, today), status: 409, problem: "agreement-not-written", field: "confirmation"},
		{name: "dated 2030", as: "putuo-staff", method: "POST", path: w + "/actions/confirm", body: cf(court, "2030-01-01"), status: 400, problem: "invalid-field", field: "confirmation.date"},
		{name: "dated before the agreement", as: "putuo-staff", method: "POST", path: w + "/actions/confirm", body: cf(court, yesterday), status: 400, problem: "invalid-field", field: "confirmation.date"},
		{name: "a free-text Beijing court", as: "putuo-staff", method: "POST", path: w + "/actions/confirm", body: map[string]any{"confirmation": map[string]any{"court": "北京市朝阳区人民法院", "reference": "(2026)京0105民特1号", "date": today}}, status: 400, problem: "invalid-field", field: "confirmation.court_id"},
		{name: "a police station is no court", as: "putuo-staff", method: "POST", path: w + "/actions/confirm", body: cf(police, today), status: 400, problem: "invalid-field", field: "confirmation.court_id"},
		{name: "another district's court", as: "putuo-staff", method: "POST", path: w + "/actions/confirm", body: cf(qingpuCourt, today), status: 400, problem: "invalid-field", field: "confirmation.court_id"},
		{name: "the court does not read an agreement it has not confirmed", as: clerk, method: "GET", path: w + "/agreement", status: 404, problem: "case-not-found"},
		{name: "the referring court reads the agreement of its referral", as: clerk, method: "GET", path: r + "/agreement", status: 200},
		{name: "the referring court confirms in its own name only", as: clerk, method: "POST", path: r + "/actions/confirm", body: cf(police, today), status: 403, problem: "confirmation-court-forbidden", field: "confirmation.court_id"},
		{name: "the referring court confirms its referral", as: clerk, method: "POST", path: r + "/actions/confirm", body: cf(court, today), status: 200},
		{name: "staff record the court's confirmation", as: "putuo-staff", method: "POST", path: w + "/actions/confirm", body: cf(court, today), status: 200},
		{name: "confirmed once", as: "putuo-staff", method: "POST", path: w + "/actions/confirm", body: cf(court, today), status: 409, problem: "already-confirmed"},
		{name: "the confirming court's clerk reads the agreement", as: clerk, method: "GET", path: w + "/agreement", status: 200},
		{name: "but not the case", as: clerk, method: "GET", path: w, status: 404, problem: "case-not-found"},
		{name: "nor its history", as: clerk, method: "GET", path: w + "/history", status: 404, problem: "case-not-found"},
		{name: "nor changes it", as: clerk, method: "POST", path: w + "/actions/close", status: 404, problem: "case-not-found"},
		{name: "nor corrects the confirmation", as: clerk, method: "POST", path: w + "/actions/correct_confirmation", body: cf(court, today), status: 404, problem: "case-not-found"},
		{name: "its list holds the referred case only", as: clerk, method: "GET", path: "/api/v1/tenants/310107/cases", status: 200, items: count(1)},
		{name: "another agency does not read the agreement", as: officer, method: "GET", path: w + "/agreement", status: 404, problem: "case-not-found"},
		{name: "another district does not read the agreement", as: "qingpu-admin", method: "GET", path: w + "/agreement", status: 404, problem: "tenant-not-found"},
		{name: "the province does not read the agreement", as: "sh-prov", method: "GET", path: w + "/agreement", status: 404, problem: "case-not-found"},
		{name: "a correction needs a reason", as: "putuo-staff", method: "POST", path: w + "/actions/correct_confirmation", body: cf(court, today), status: 400, problem: "invalid-field", field: "reason"},
		{name: "a correction of an unconfirmed agreement", as: "putuo-staff", method: "POST", path: o + "/actions/correct_confirmation", body: map[string]any{"reason": "更正", "confirmation": map[string]any{"court_id": court, "reference": "x", "date": today}}, status: 409, problem: "not-confirmed"},
		{name: "a correction with its reason", as: "putuo-staff", method: "POST", path: w + "/actions/correct_confirmation", body: map[string]any{"reason": "裁定书文号录入错误", "confirmation": map[string]any{"court_id": court, "reference": "(2026)沪0107民特6号", "date": today}}, status: 200},
		{name: "reopening the confirmed case needs a reason", as: "putuo-staff", method: "POST", path: w + "/actions/reopen", status: 400, problem: "invalid-field", field: "reason"},
		{name: "reopening the confirmed case", as: "putuo-staff", method: "POST", path: w + "/actions/reopen", body: map[string]any{"reason": "李四反悔，拒绝履行"}, status: 200},
	})

	c := e.do("putuo-staff", http.MethodGet, w, nil)
	if cfm, _ := c.json["confirmation"].(map[string]any); cfm["court"] != "上海市普陀区人民法院" || cfm["court_id"] != court || cfm["reference"] != "(2026)沪0107民特6号" {
		t.Errorf("confirmation after the correction: %s", c.body)
	}
	h := e.do("putuo-staff", http.MethodGet, w+"/history", nil)
	var confirmations []string
	for _, it := range h.json["items"].([]any) {
		ev := it.(map[string]any)
		switch ev["action"] {
		case "confirm", "correct_confirmation":
			confirmations = append(confirmations, ev["action"].(string))
			if ev["action"] == "correct_confirmation" {
				prev, _ := ev["after"].(map[string]any)["previous"].(map[string]any)
				if prev["reference"] != "(2026)沪0107民特5号" {
					t.Errorf("the correction keeps no earlier record: %v", ev)
				}
			}
		}
	}
	if strings.Join(confirmations, ",") != "confirm,correct_confirmation" {
		t.Errorf("history of the confirmation: %v (%s)", confirmations, h.body)
	}
	doc := e.do(clerk, http.MethodGet, r+"/agreement", nil)
	if !strings.Contains(string(doc.body), "李四赔偿张三维修费") {
		t.Errorf("the court's agreement document: %d %s", doc.status, doc.body)
	}
	inbox := e.do(clerk, http.MethodGet, "/api/v1/tenants/310107/inbox", nil)
	found := false
	for _, it := range inbox.json["items"].([]any) {
		m := it.(map[string]any)
		if m["kind"] == "confirmation.reopened" && m["case_id"] == written && strings.Contains(m["body"].(string), "李四反悔，拒绝履行") {
			found = true
		}
	}
	if !found {
		t.Errorf("the court was not told of the reopening: %s", inbox.body)
	}
	if res := e.do(officer, http.MethodGet, "/api/v1/tenants/310107/inbox", nil); strings.Contains(string(res.body), "confirmation.reopened") {
		t.Errorf("another agency was told: %s", res.body)
	}
}

// TestCourtTimeLimitsAPI holds issue 14 item 4 over HTTP: court-entrusted cases (诉前委派,
// 诉中委托) follow the tenant's court limit of their kind, extended once with a reason (in the
// history); the overdue flag and list follow; invalid settings are refused.
func TestCourtTimeLimitsAPI(t *testing.T) {
	e := newEnv(t)
	court := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "上海市普陀区人民法院"})
	settings := "/api/v1/tenants/310107/case-settings"
	runRows(t, e, nil, []row{
		{name: "zero days refused", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"court_time_limit_days": map[string]any{"pre_filing": 0}}, status: 400, problem: "invalid-field", field: "court_time_limit_days.pre_filing"},
		{name: "negative days refused", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"court_time_limit_days": map[string]any{"in_litigation": -30}}, status: 400, problem: "invalid-field", field: "court_time_limit_days.in_litigation"},
		{name: "unknown kind refused", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"court_time_limit_days": map[string]any{"appeal": 30}}, status: 400, problem: "invalid-field", field: "court_time_limit_days.appeal"},
		{name: "zero extension refused", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"court_extension_days": 0}, status: 400, problem: "invalid-field", field: "court_extension_days"},
		{name: "staff may not change them", as: "putuo-staff", method: "PUT", path: settings, body: map[string]any{"court_time_limit_days": map[string]any{"pre_filing": 20}}, status: 403, problem: "forbidden"},
		{name: "the district's court limits", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"court_time_limit_days": map[string]any{"pre_filing": 20}, "court_extension_days": 10}, status: 200},
	})
	st := e.do("putuo-staff", http.MethodGet, settings, nil)
	if lim := st.json["court_time_limit_days"].(map[string]any); lim["pre_filing"] != 20.0 || lim["in_litigation"] != 30.0 || st.json["court_extension_days"] != 10.0 {
		t.Fatalf("settings: %s", st.body)
	}

	body := sampleCase(t, "法院诉前委派的物业纠纷")
	body["source"] = "court"
	body["referral"] = map[string]any{"agency": "上海市普陀区人民法院", "agency_id": court, "reference": "(2026)沪0107民诉前调3号", "kind": "pre_filing"}
	res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", body)
	if res.status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	id := res.json["id"].(string)
	received, _ := time.Parse(time.RFC3339Nano, res.json["received_at"].(string))
	due, _ := time.Parse(time.RFC3339Nano, res.json["due_at"].(string))
	if got := due.Sub(received).Round(time.Second); got != 20*24*time.Hour {
		t.Errorf("a pre-filing case's limit: %v, want 20 days", got)
	}
	walkIn := e.createCase("putuo-staff", "310107", sampleCase(t, "来访的邻里纠纷"))
	c, wk := "/api/v1/tenants/310107/cases/"+id, "/api/v1/tenants/310107/cases/"+walkIn
	for _, p := range []string{c, wk} {
		if r := e.do("putuo-staff", http.MethodPost, p+"/actions/record_contact", nil); r.status != http.StatusOK {
			t.Fatalf("record_contact: %d %s", r.status, r.body)
		}
	}

	// 25 days on: past the court's 20 days, within the walk-in's 30.
	e.cases.SetClock(func() time.Time { return time.Now().AddDate(0, 0, 25) })
	defer e.cases.SetClock(time.Now)
	runRows(t, e, nil, []row{
		{name: "the court case is overdue", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/cases?overdue=true", status: 200, items: count(1)},
		{name: "an extension needs a reason", as: "putuo-staff", method: "POST", path: c + "/actions/extend_time_limit", status: 400, problem: "invalid-field", field: "reason"},
		{name: "a walk-in has no court limit", as: "putuo-staff", method: "POST", path: wk + "/actions/extend_time_limit", body: map[string]any{"reason": "延期"}, status: 409, problem: "no-court-time-limit"},
		{name: "the court clerk cannot extend", as: e.agencyUser(t, "310107", "court-clerk", "agency-clerk", court), method: "POST", path: c + "/actions/extend_time_limit", body: map[string]any{"reason": "延期"}, status: 403, problem: "forbidden"},
		{name: "extended once with a reason", as: "putuo-staff", method: "POST", path: c + "/actions/extend_time_limit", body: map[string]any{"reason": "当事人申请延长调解期限，法院同意"}, status: 200},
		{name: "not twice", as: "putuo-staff", method: "POST", path: c + "/actions/extend_time_limit", body: map[string]any{"reason": "再次延期"}, status: 409, problem: "time-limit-extended"},
		{name: "no longer overdue", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/cases?overdue=true", status: 200, items: count(0)},
	})
	after := e.do("putuo-staff", http.MethodGet, c, nil)
	newDue, _ := time.Parse(time.RFC3339Nano, after.json["due_at"].(string))
	if got := newDue.Sub(received).Round(time.Second); got != 30*24*time.Hour || after.json["overdue"] != false {
		t.Errorf("after the extension: %v overdue %v, want 30 days", got, after.json["overdue"])
	}
	// A corrected kind moves the limit to the new kind's (in-litigation: 30 days), the
	// extension kept.
	fix := e.do("putuo-staff", http.MethodPatch, c, map[string]any{"referral": map[string]any{"agency": "上海市普陀区人民法院", "agency_id": court,
		"reference": "(2026)沪0107民初3号", "kind": "in_litigation"}})
	fixedDue, _ := time.Parse(time.RFC3339Nano, fix.json["due_at"].(string))
	if got := fixedDue.Sub(received).Round(time.Second); fix.status != http.StatusOK || got != 40*24*time.Hour {
		t.Errorf("after correcting the kind: %d, %v, want 40 days: %s", fix.status, got, fix.body)
	}
	h := e.do("putuo-staff", http.MethodGet, c+"/history", nil)
	if !strings.Contains(string(h.body), `"extend_time_limit"`) || !strings.Contains(string(h.body), "当事人申请延长调解期限") {
		t.Errorf("the extension is not in the history: %s", h.body)
	}
}
