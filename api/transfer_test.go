package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestCaseTransfer holds the transfer of a case between two districts of one city (issue 14,
// item 11) from the outside: Putuo proposes, Qingpu (same city) accepts or declines; a district
// of another city is refused by name; until accepted the case stays Putuo's (Qingpu cannot see
// it, Putuo still works on it); after acceptance Qingpu holds it under its own number with the
// parties' data readable, its history saying where it came from, and Putuo keeps a read-only
// record saying where it went. Third districts and committee users are refused throughout.
func TestCaseTransfer(t *testing.T) {
	e := newEnv(t)
	committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	head := e.agencyUser(t, "310107", "committee-head", "committee-head", committee)
	moved := e.createCase("putuo-staff", "310107", sampleCase(t, "当事人已迁居青浦的邻里纠纷"))
	kept := e.createCase("putuo-staff", "310107", sampleCase(t, "青浦拒绝接收的纠纷"))
	m, k := "/api/v1/tenants/310107/cases/"+moved, "/api/v1/tenants/310107/cases/"+kept
	if res := e.do("putuo-staff", http.MethodPost, m+"/actions/assign", map[string]any{"committee_id": committee}); res.status != http.StatusOK {
		t.Fatalf("assign: %d %s", res.status, res.body)
	}
	propose := func(to string) map[string]any {
		return map[string]any{"to_tenant": to, "reason": "双方当事人均已迁居青浦区，便于就近调解"}
	}
	res := e.do("putuo-staff", http.MethodPost, m+"/transfers", propose("370104"))
	if res.status != http.StatusBadRequest || res.json["field"] != "to_tenant" || !strings.Contains(string(res.body), "普陀区与槐荫区不属于同一城市") {
		t.Errorf("a district of another city: %d %s", res.status, res.body)
	}
	runRows(t, e, nil, []row{
		{name: "to itself", as: "putuo-staff", method: "POST", path: m + "/transfers", body: propose("310107"), status: 400, problem: "invalid-field", field: "to_tenant"},
		{name: "to a city", as: "putuo-staff", method: "POST", path: m + "/transfers", body: propose("310100"), status: 400, problem: "invalid-field", field: "to_tenant"},
		{name: "without a reason", as: "putuo-staff", method: "POST", path: m + "/transfers", body: map[string]any{"to_tenant": "310118"}, status: 400, problem: "invalid-field", field: "reason"},
		{name: "to a district not onboarded", as: "putuo-staff", method: "POST", path: m + "/transfers", body: propose("310104"), status: 400, problem: "invalid-field", field: "to_tenant"},
		{name: "a committee head may not", as: head, method: "POST", path: m + "/transfers", body: propose("310118"), status: 403, problem: "forbidden"},
		{name: "another district may not", as: "qingpu-admin", method: "POST", path: m + "/transfers", body: propose("310118"), status: 404, problem: "tenant-not-found"},
		{name: "Putuo proposes", as: "putuo-staff", method: "POST", path: m + "/transfers", body: propose("310118"), status: 201},
		{name: "one pending transfer at a time", as: "putuo-staff", method: "POST", path: m + "/transfers", body: propose("310118"), status: 409, problem: "transfer-pending"},
		{name: "Putuo proposes the other case", as: "putuo-staff", method: "POST", path: k + "/transfers", body: propose("310118"), status: 201},
		{name: "until accepted Qingpu does not see the case", as: "qingpu-admin", method: "GET", path: m, status: 404, problem: "tenant-not-found"},
		{name: "nor under its own tenant", as: "qingpu-admin", method: "GET", path: "/api/v1/tenants/310118/cases/" + moved, status: 404, problem: "case-not-found"},
		{name: "until accepted Putuo works on it", as: "putuo-staff", method: "POST", path: m + "/actions/record_contact", status: 200},
		{name: "Qingpu sees the proposals", as: "qingpu-admin", method: "GET", path: "/api/v1/tenants/310118/transfers", status: 200, items: count(2)},
		{name: "Putuo sees its proposals", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/transfers", status: 200, items: count(2)},
		{name: "a third district sees none", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/370104/transfers", status: 200, items: count(0)},
		{name: "a committee head lists none", as: head, method: "GET", path: "/api/v1/tenants/310107/transfers", status: 403, problem: "forbidden"},
	})

	received := func(as, code string) float64 {
		t.Helper()
		r := e.do(as, http.MethodGet, "/api/v1/tenants/"+code+"/stats?from="+beijingToday()+"&to="+beijingToday(), nil)
		v, ok := r.json["received"].(float64)
		if r.status != http.StatusOK || !ok {
			t.Fatalf("stats of %s: %d %s", code, r.status, r.body)
		}
		return v
	}
	putuoBefore, qingpuBefore := received("putuo-admin", "310107"), received("qingpu-admin", "310118")

	ids := map[string]string{} // case id → transfer id, from Qingpu's list
	list := e.do("qingpu-admin", http.MethodGet, "/api/v1/tenants/310118/transfers", nil)
	for _, it := range list.json["items"].([]any) {
		tr := it.(map[string]any)
		if tr["direction"] != "in" || tr["status"] != "proposed" || tr["from_tenant"] != "310107" {
			t.Errorf("Qingpu's record: %v", tr)
		}
		ids[tr["case_id"].(string)] = tr["id"].(string)
	}
	accept, decline := "/api/v1/tenants/310118/transfers/"+ids[moved]+"/accept", "/api/v1/tenants/310118/transfers/"+ids[kept]+"/decline"
	runRows(t, e, nil, []row{
		{name: "Putuo cannot accept its own proposal", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/transfers/" + ids[moved] + "/accept", status: 409, problem: "transfer-decided"},
		{name: "a third district cannot accept", as: "huaiyin-admin", method: "POST", path: accept, status: 404, problem: "tenant-not-found"},
		{name: "nor through its own tenant", as: "huaiyin-admin", method: "POST", path: "/api/v1/tenants/370104/transfers/" + ids[moved] + "/accept", status: 404, problem: "transfer-not-found"},
		{name: "declining needs a reason", as: "qingpu-admin", method: "POST", path: decline, body: map[string]any{}, status: 400, problem: "invalid-field", field: "reason"},
		{name: "Qingpu declines one", as: "qingpu-admin", method: "POST", path: decline, body: map[string]any{"reason": "纠纷发生地在普陀区，宜由普陀区办理"}, status: 200},
		{name: "a declined case stays Putuo's", as: "putuo-staff", method: "POST", path: k + "/actions/assign", body: map[string]any{"committee_id": committee}, status: 200},
		{name: "Qingpu accepts the other", as: "qingpu-admin", method: "POST", path: accept, status: 200},
		{name: "accepted once", as: "qingpu-admin", method: "POST", path: accept, status: 409, problem: "transfer-decided"},
		{name: "Putuo keeps a read-only record", as: "putuo-staff", method: "GET", path: m, status: 200},
		{name: "Putuo no longer acts on it", as: "putuo-staff", method: "POST", path: m + "/actions/start_mediation", body: map[string]any{}, status: 409, problem: "case-transferred"},
		{name: "nor corrects it", as: "putuo-staff", method: "PATCH", path: m, body: map[string]any{"title": "改"}, status: 409, problem: "case-transferred"},
		{name: "nor transfers it again", as: "putuo-staff", method: "POST", path: m + "/transfers", body: propose("310118"), status: 409, problem: "case-transferred"},
		{name: "the committee no longer lists it as open work", as: head, method: "GET", path: "/api/v1/tenants/310107/cases?overdue=true", status: 200, items: count(0)},
		{name: "Qingpu reads the parties", as: "qingpu-admin", method: "GET", path: "/api/v1/tenants/310118/cases/" + moved + "?reveal=pii", status: 200},
		{name: "Qingpu routes it", as: "qingpu-admin", method: "GET", path: "/api/v1/tenants/310118/cases/" + moved + "/routing", status: 200},
		{name: "a third district does not see it", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/310118/cases/" + moved, status: 404, problem: "tenant-not-found"},
		{name: "Putuo does not see Qingpu's case", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310118/cases/" + moved, status: 404, problem: "tenant-not-found"},
	})

	// The figures move with the case: counted once, where it is now.
	if p, q := received("putuo-admin", "310107"), received("qingpu-admin", "310118"); p != putuoBefore-1 || q != qingpuBefore+1 {
		t.Errorf("received after the transfer: Putuo %v (was %v), Qingpu %v (was %v)", p, putuoBefore, q, qingpuBefore)
	}
	a := e.do("putuo-staff", http.MethodGet, m, nil)
	if a.json["transferred_to"] != "310118" || a.json["overdue"] != false {
		t.Errorf("Putuo's record: %s", a.body)
	}
	b := e.do("qingpu-admin", http.MethodGet, "/api/v1/tenants/310118/cases/"+moved+"?reveal=pii", nil)
	number, _ := b.json["number"].(string)
	parties, _ := b.json["parties"].([]any)
	if b.json["status"] != "received" || !strings.Contains(number, "沪0118") || len(parties) != 2 ||
		parties[0].(map[string]any)["id_number"] != idNumber(t, "310107", "19800101", 123) {
		t.Errorf("Qingpu's case: %s", b.body)
	}
	hb := e.do("qingpu-admin", http.MethodGet, "/api/v1/tenants/310118/cases/"+moved+"/history", nil)
	first := hb.json["items"].([]any)[0].(map[string]any)
	if first["action"] != "transfer_in" || first["after"].(map[string]any)["from_tenant"] != "310107" || first["after"].(map[string]any)["from_number"] != a.json["number"] {
		t.Errorf("Qingpu's history does not begin with where the case came from: %s", hb.body)
	}
	ha := e.do("putuo-staff", http.MethodGet, m+"/history", nil)
	for _, want := range []string{`"transfer_proposed"`, `"transfer_accepted"`, number} {
		if !strings.Contains(string(ha.body), want) {
			t.Errorf("Putuo's history lacks %s: %s", want, ha.body)
		}
	}
	if in := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/inbox", nil); !strings.Contains(string(in.body), "青浦区已接收") || !strings.Contains(string(in.body), "青浦区拒绝接收") {
		t.Errorf("Putuo was not told: %s", in.body)
	}
	if in := e.do("qingpu-admin", http.MethodGet, "/api/v1/tenants/310118/inbox", nil); !strings.Contains(string(in.body), "普陀区提出移交案件") {
		t.Errorf("Qingpu was not told: %s", in.body)
	}
}
