package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestConsoleAgency: the court's clerk sees only the case its court referred, with its
// outcome, and records judicial confirmation in its court's name; the police officer sees only
// its station's warnings and acknowledges them; their menus show their desk alone; another
// district's users see nothing of it.
func TestConsoleAgency(t *testing.T) {
	e := newEnv(t)
	court := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "普陀区人民法院"})
	police := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "长寿路派出所"})
	otherPolice := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "曹杨新村派出所"})
	committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	if res := e.do("putuo-admin", http.MethodPut, "/api/v1/tenants/310107/warning-settings", map[string]any{"police_org_id": police}); res.status != 200 {
		t.Fatalf("settings: %d %s", res.status, res.body)
	}
	e.agencyUser(t, "310107", "desk-court", "agency-clerk", court)
	officer := e.agencyUser(t, "310107", "desk-police", "agency-clerk", police)
	e.agencyUser(t, "310107", "desk-police2", "agency-clerk", otherPolice)

	body := sampleCase(t, "法院委派的邻里纠纷")
	body["source"] = "court"
	body["referral"] = map[string]any{"agency": "普陀区人民法院", "agency_id": court, "reference": "(2026)沪0107民诉前调7号", "kind": "pre_filing"}
	referred := e.createCase("putuo-staff", "310107", body)
	other := e.createCase("putuo-staff", "310107", sampleCase(t, "未委派的纠纷"))
	e.succeedCase(t, "/api/v1/tenants/310107/cases/"+referred, committee, "written")
	e.succeedCase(t, "/api/v1/tenants/310107/cases/"+other, committee, "written")
	_, redNumber := e.riskyCase(t, "putuo-staff", "310107", "red")
	e.riskyCase(t, "huaiyin-staff", "370104", "red")
	e.work(t, 0)
	number := func(id string) string {
		return e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id, nil).json["number"].(string)
	}
	refNumber, otherNumber := number(referred), number(other)

	// The court's clerk.
	cc := e.consoleAs(t, "desk-court")
	p := cc.get("/agency")
	if p.status != http.StatusOK || !strings.Contains(p.body, refNumber) || !strings.Contains(p.body, "(2026)沪0107民诉前调7号") ||
		!strings.Contains(p.body, "调解成功") || !strings.Contains(p.body, "书面协议") || !strings.Contains(p.body, "登记司法确认") {
		t.Fatalf("the court's desk: %d %s", p.status, p.body)
	}
	if strings.Contains(p.body, otherNumber) || strings.Contains(p.body, redNumber) || strings.Contains(p.body, "张三") || rowsIn(p.body) != 1 {
		t.Errorf("the court's desk shows more than its referral: %s", p.body)
	}
	for _, link := range []string{`href="/queues"`, `href="/cases"`, `href="/admin"`, `href="/intake"`} {
		if strings.Contains(p.body, link) {
			t.Errorf("the court's menu has %s", link)
		}
	}
	if !strings.Contains(p.body, `href="/agency"`) {
		t.Errorf("the court's menu lacks its desk")
	}
	// Confirmation: beside the field when refused; of another case, not found; then recorded.
	if r := cc.htmx(http.MethodPost, "/agency/cases/"+referred+"/confirm", url.Values{"reference": {"(2026)沪0107民特9号"}, "date": {"2030-01-01"}}); r.status != http.StatusBadRequest ||
		!strings.Contains(r.body, `id="cf-date-`+referred+`-error"`) || !strings.Contains(r.body, `aria-invalid="true"`) {
		t.Errorf("a confirmation dated 2030: %d %s", r.status, r.body)
	}
	if r := cc.htmx(http.MethodPost, "/agency/cases/"+other+"/confirm", url.Values{"reference": {"(2026)沪0107民特9号"}, "date": {beijingToday()}}); r.status != http.StatusNotFound || strings.Contains(r.body, otherNumber) {
		t.Errorf("confirming a case the court did not refer: %d %s", r.status, r.body)
	}
	r := cc.htmx(http.MethodPost, "/agency/cases/"+referred+"/confirm", url.Values{"reference": {"(2026)沪0107民特9号"}, "date": {beijingToday()}, "court_id": {police}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "已确认") || !strings.Contains(r.body, "普陀区人民法院") {
		t.Fatalf("confirmation: %d %s", r.status, r.body)
	}
	cf := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+referred, nil).json["confirmation"].(map[string]any)
	if cf["court_id"] != court || cf["reference"] != "(2026)沪0107民特9号" {
		t.Errorf("the confirmation recorded: %v", cf)
	}
	if res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases/"+referred+"/actions/record_performed", map[string]any{"result": "performed"}); res.status != 200 {
		t.Fatalf("record_performed: %d %s", res.status, res.body)
	}
	if p := cc.get("/agency"); !strings.Contains(p.body, "已确认") || !strings.Contains(p.body, "履行完毕") || strings.Contains(p.body, "/confirm\"") {
		t.Errorf("the desk after confirmation: %s", p.body)
	}
	if p := cc.get("/"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/agency" {
		t.Errorf("the court's clerk at /: %d", p.status)
	}

	// The police officer: its station's warning, acknowledged from the desk.
	pc := e.consoleAs(t, "desk-police")
	p = pc.get("/agency")
	if p.status != http.StatusOK || !strings.Contains(p.body, redNumber) || strings.Contains(p.body, refNumber) || strings.Contains(p.body, otherNumber) {
		t.Fatalf("the police's desk: %d %s", p.status, p.body)
	}
	if strings.Contains(p.body, "沪0104") || strings.Contains(p.body, "/confirm\"") {
		t.Errorf("the police's desk shows another district's warning or a confirmation form")
	}
	w := e.items(t, "putuo-staff", "/api/v1/tenants/310107/warnings?state=open")[0]["id"].(string)
	if r := pc.htmx(http.MethodPost, "/queues/warnings/"+w+"/acknowledge", url.Values{"note": {"已派民警上门"}}); r.status != http.StatusOK || !strings.Contains(r.body, "已签收") {
		t.Fatalf("the police acknowledges: %d %s", r.status, r.body)
	}
	got := e.items(t, "putuo-staff", "/api/v1/tenants/310107/warnings")[0]
	if got["state"] != "acknowledged" || got["acknowledged_by"] != e.do(officer, http.MethodGet, "/api/v1/me", nil).json["subject"] {
		t.Errorf("the warning after the police's acknowledgement: %v", got)
	}
	// Another station sees none of it.
	if p := e.consoleAs(t, "desk-police2").get("/agency"); p.status != http.StatusOK || strings.Contains(p.body, redNumber) || strings.Contains(p.body, refNumber) || rowsIn(p.body) != 0 {
		t.Errorf("another station's desk: %d %s", p.status, p.body)
	}
	// Another district and the province: nothing of Putuo.
	for _, as := range []string{"huaiyin-admin", "qingpu-admin", "sh-prov"} {
		c := e.consoleAs(t, as)
		for _, path := range []string{"/agency", "/queues", "/queues?tab=inbox", "/"} {
			p := c.get(path)
			if p.status >= 500 || strings.Contains(p.body, refNumber) || strings.Contains(p.body, redNumber) || strings.Contains(p.body, "民诉前调7号") {
				t.Errorf("%s %s: %d shows Putuo's", as, path, p.status)
			}
		}
		if r := c.htmx(http.MethodPost, "/agency/cases/"+referred+"/confirm", url.Values{"reference": {"x"}, "date": {beijingToday()}}); r.status != http.StatusNotFound {
			t.Errorf("%s confirming Putuo's case: %d", as, r.status)
		}
	}
}
