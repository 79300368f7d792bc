package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/fengqiao/fengqiao/api"
	"github.com/fengqiao/fengqiao/core/pii"
)

// idNumber returns a valid resident ID number for a district, birth date and sequence.
func idNumber(t testing.TB, district, birth string, seq int) string {
	first := fmt.Sprintf("%s%s%03d", district, birth, seq)
	d, ok := pii.IDCheckDigit(first)
	if !ok {
		t.Fatalf("bad ID base %q", first)
	}
	return first + string(d)
}

func sampleCase(t testing.TB, title string) map[string]any {
	return map[string]any{
		"title":        title,
		"description":  "楼上漏水导致楼下天花板受损，双方就赔偿金额协商未果。",
		"dispute_type": "neighbour",
		"source":       "walk_in",
		"place_code":   "310107015",
		"amount":       3500.5,
		"parties": []map[string]any{
			{"name": "张三", "id_number": idNumber(t, "310107", "19800101", 123), "phone": "13800138000", "address": "上海市普陀区长寿路100弄3号501室", "role": "applicant"},
			{"name": "李四", "phone": "+86 139-0013-9000", "role": "respondent"},
		},
	}
}

func TestCreateCaseContract(t *testing.T) {
	e := newEnv(t)
	res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", sampleCase(t, "楼上漏水纠纷"))
	if res.status != http.StatusCreated {
		t.Fatalf("createCase: %d %s", res.status, res.body)
	}
	for _, k := range []string{"id", "number", "status", "risk_level"} {
		if res.json[k] == nil || res.json[k] == "" {
			t.Errorf("createCase response lacks %s: %s", k, res.body)
		}
	}
	if res.json["number"] != "(2026)沪0107调字第00001号" && !strings.HasSuffix(res.json["number"].(string), "沪0107调字第00001号") {
		t.Errorf("number %v", res.json["number"])
	}
	if res.json["status"] != "received" {
		t.Errorf("status %v", res.json["status"])
	}
	// Personal data is masked by default.
	body := string(res.body)
	for _, secret := range []string{"13800138000", "长寿路100弄", idNumber(t, "310107", "19800101", 123), "13900139000"} {
		if strings.Contains(body, secret) {
			t.Errorf("response reveals %q", secret)
		}
	}
	p0 := res.json["parties"].([]any)[0].(map[string]any)
	if p0["phone"] != "138****8000" || p0["id_number"] != "310***********"+idNumber(t, "310107", "19800101", 123)[14:] || p0["masked"] != true {
		t.Errorf("masking: %v", p0)
	}
	if p0["gender"] != "male" || p0["birth_year"].(float64) != 1980 {
		t.Errorf("derived attributes: %v", p0)
	}
	id := res.json["id"].(string)
	second := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", sampleCase(t, "第二件"))
	if !strings.HasSuffix(second.json["number"].(string), "调字第00002号") {
		t.Errorf("second number %v", second.json["number"])
	}
	got := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id, nil)
	if got.status != 200 || got.json["id"] != id || got.json["title"] != "楼上漏水纠纷" {
		t.Fatalf("getCase: %d %s", got.status, got.body)
	}
	list := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases", nil)
	items := list.json["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["title"] != "第二件" {
		t.Errorf("listCases newest first: %s", list.body)
	}
	hist := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id+"/history", nil)
	if evs := hist.json["items"].([]any); len(evs) != 1 || evs[0].(map[string]any)["action"] != "create" {
		t.Errorf("history: %s", hist.body)
	}
	types := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/dispute-types", nil)
	codes := map[string]bool{}
	for _, it := range types.json["items"].([]any) {
		codes[it.(map[string]any)["code"].(string)] = it.(map[string]any)["name_zh"] != ""
	}
	for _, c := range []string{"marriage_family", "neighbour", "property_management", "housing_homestead", "contract", "damages", "labour", "traffic_accident", "medical", "consumer", "land_demolition", "other"} {
		if !codes[c] {
			t.Errorf("catalogue lacks %s", c)
		}
	}
}

func TestCasePIIReveal(t *testing.T) {
	e := newEnv(t)
	res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", sampleCase(t, "漏水"))
	id := res.json["id"].(string)
	full := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/cases/"+id+"?reveal=pii", nil)
	p0 := full.json["parties"].([]any)[0].(map[string]any)
	if full.status != 200 || p0["phone"] != "13800138000" || p0["address"] != "上海市普陀区长寿路100弄3号501室" || p0["masked"] != false {
		t.Fatalf("reveal: %d %s", full.status, full.body)
	}
	if p1 := full.json["parties"].([]any)[1].(map[string]any); p1["phone"] != "13900139000" {
		t.Errorf("normalized phone %v", p1["phone"])
	}
	if full.header.Get("Cache-Control") != "no-store" {
		t.Error("revealed personal data may be cached")
	}
	audit := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/audit", nil)
	found := false
	for _, it := range audit.json["items"].([]any) {
		ev := it.(map[string]any)
		found = found || (ev["action"] == "case.pii.read" && ev["object"] == "case:"+id && ev["actor"] == "user:"+e.ids["putuo-admin"])
	}
	if !found {
		t.Errorf("the full read is not audited: %s", audit.body)
	}
	// An agency system may refer cases but not reveal (nor read) them.
	_, text := e.agencyToken("putuo-admin", "310107")
	runRows(t, e, nil, []row{
		{name: "agency refers a case", as: "Bearer " + text, method: "POST", path: "/api/v1/tenants/310107/cases", body: sampleCase(t, "法院委派"), status: 201},
		// A token of no agency refers cases but sees none: the case does not exist for it.
		{name: "agency cannot read", as: "Bearer " + text, method: "GET", path: "/api/v1/tenants/310107/cases/" + id, status: 404, problem: "case-not-found"},
		{name: "agency cannot reveal", as: "Bearer " + text, method: "GET", path: "/api/v1/tenants/310107/cases/" + id + "?reveal=pii", status: 404, problem: "case-not-found"},
		{name: "upper levels see no cases", as: "sh-prov", method: "GET", path: "/api/v1/tenants/310107/cases", status: 200, items: count(0)},
		{name: "upper levels cannot reveal", as: "nation", method: "GET", path: "/api/v1/tenants/310107/cases/" + id + "?reveal=pii", status: 404, problem: "case-not-found"},
		{name: "bad reveal", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/cases/" + id + "?reveal=all", status: 400, problem: "invalid-field", field: "reveal"},
	})
}

// TestIdempotencyKeyPerCaller: an Idempotency-Key belongs to the caller that sent it (as with
// Stripe), not to the whole tenant: two agency systems, or an agency and the staff, that happen
// to pick the same key each get their own case, and each retry replays the caller's own.
func TestIdempotencyKeyPerCaller(t *testing.T) {
	e := newEnv(t)
	tokenOf := func(org string) string {
		res := e.do("putuo-admin", http.MethodPost, "/api/v1/tenants/310107/organisations/"+org+"/tokens", map[string]any{"name": "系统"})
		if res.status != http.StatusCreated {
			t.Fatalf("createAgencyToken: %d %s", res.status, res.body)
		}
		return "Bearer " + res.json["token"].(string)
	}
	court := tokenOf(e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "普陀区人民法院"}))
	police := tokenOf(e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "长寿路派出所"}))
	body, other := sampleCase(t, "同一个键"), sampleCase(t, "另一件事")
	rows := []struct {
		name, as, key string
		body          map[string]any
		status        int
		problem       string
		replayed      bool
		sameAs        string // the row whose case this one must return
	}{
		{name: "court system creates", as: court, key: "intake-1", body: body, status: 201},
		{name: "police system, same key and body: a case of its own", as: police, key: "intake-1", body: body, status: 201},
		{name: "staff, same key and body: a case of their own", as: "putuo-staff", key: "intake-1", body: body, status: 201},
		{name: "court retries: its own case", as: court, key: "intake-1", body: body, status: 201, replayed: true, sameAs: "court system creates"},
		{name: "police retries: its own case", as: police, key: "intake-1", body: body, status: 201, replayed: true, sameAs: "police system, same key and body: a case of its own"},
		{name: "staff retry: their own case", as: "putuo-staff", key: "intake-1", body: body, status: 201, replayed: true, sameAs: "staff, same key and body: a case of their own"},
		{name: "court reuses its key for another body", as: court, key: "intake-1", body: other, status: 422, problem: "idempotency-key-reused"},
		{name: "police, another key and body", as: police, key: "intake-2", body: other, status: 201},
	}
	ids := map[string]string{}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/tenants/310107/cases", strings.NewReader(mustJSON(t, r.body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", r.key)
			if strings.HasPrefix(r.as, "Bearer ") {
				req.Header.Set("Authorization", r.as)
			} else {
				req.Header.Set("Authorization", "Bearer "+e.tokens[r.as])
			}
			res := e.send(req)
			if res.status != r.status {
				t.Fatalf("status %d, want %d: %s", res.status, r.status, res.body)
			}
			if r.problem != "" {
				if res.json["type"] != api.ProblemBase+r.problem || res.json["field"] != "Idempotency-Key" {
					t.Errorf("problem %s", res.body)
				}
				return
			}
			if got := res.header.Get("Idempotent-Replayed") == "true"; got != r.replayed {
				t.Errorf("replayed %v, want %v", got, r.replayed)
			}
			id, _ := res.json["id"].(string)
			if r.sameAs != "" && id != ids[r.sameAs] {
				t.Errorf("case %s, want the case of %q: %s", id, r.sameAs, ids[r.sameAs])
			}
			if r.sameAs == "" {
				for name, other := range ids {
					if other == id {
						t.Errorf("case %s is the case of %q", id, name)
					}
				}
			}
			ids[r.name] = id
		})
	}
}

func TestCaseIdempotency(t *testing.T) {
	e := newEnv(t)
	send := func(key string, body map[string]any) response {
		b := strings.NewReader(mustJSON(t, body))
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/tenants/310107/cases", b)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.tokens["putuo-staff"])
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		return e.send(req)
	}
	body := sampleCase(t, "重试")
	first := send("k-1", body)
	again := send("k-1", body)
	if first.status != 201 || again.status != 201 || first.json["id"] != again.json["id"] || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %d %v %v", first.status, again.status, first.json["id"], again.json["id"])
	}
	other := sampleCase(t, "另一件")
	if res := send("k-1", other); res.status != 422 || res.json["type"] != "https://fengqiao.cn/problems/idempotency-key-reused" {
		t.Errorf("key reused with another body: %d %s", res.status, res.body)
	}
	if res := send(strings.Repeat("k", 201), body); res.status != 400 || res.json["field"] != "Idempotency-Key" {
		t.Errorf("long key: %d %s", res.status, res.body)
	}
	// 16 concurrent retries of one request make one case.
	var wg sync.WaitGroup
	ids := make([]string, 16)
	statuses := make([]int, 16)
	body2 := sampleCase(t, "并发重试")
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := send("k-concurrent", body2)
			statuses[i] = res.status
			if id, ok := res.json["id"].(string); ok {
				ids[i] = id
			}
		}()
	}
	wg.Wait()
	for i := range ids {
		if statuses[i] != 201 || ids[i] != ids[0] {
			t.Fatalf("concurrent retry %d: %d %s (first %s)", i, statuses[i], ids[i], ids[0])
		}
	}
	list := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases?limit=500", nil)
	n := 0
	for _, it := range list.json["items"].([]any) {
		if it.(map[string]any)["title"] == "并发重试" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d cases from 16 concurrent retries, want 1", n)
	}
	// Without a key, two posts make two cases.
	send("", body)
	send("", body)
	list = e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases?limit=500", nil)
	n = 0
	for _, it := range list.json["items"].([]any) {
		if it.(map[string]any)["title"] == "重试" {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d cases titled 重试, want 1 (keyed) + 2 (unkeyed)", n)
	}
}

func TestCaseRiskAssessment(t *testing.T) {
	e := newEnv(t)
	c := sampleCase(t, "讨薪纠纷")
	c["description"] = "二十余名农民工讨薪未果，扬言集体上访并堵路，有人称要跳楼。"
	parties := []map[string]any{{"name": "王五", "role": "applicant"}}
	for i := range 11 {
		parties = append(parties, map[string]any{"name": fmt.Sprintf("工人%d", i), "role": "applicant"})
	}
	parties = append(parties, map[string]any{"name": "某建筑公司", "kind": "organisation", "role": "respondent"})
	c["parties"] = parties
	c["amount"] = 1_200_000
	res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", c)
	if res.status != 201 || res.json["risk_level"] != "red" {
		t.Fatalf("risk: %d %v %s", res.status, res.json["risk_level"], res.body)
	}
	codes := map[string]bool{}
	for _, s := range res.json["risk"].(map[string]any)["signals"].([]any) {
		sig := s.(map[string]any)
		codes[sig["code"].(string)] = sig["weight"].(float64) > 0 && sig["label"] != ""
	}
	for _, want := range []string{"self_harm", "group_petition", "wage_arrears", "group_dispute", "large_amount"} {
		if !codes[want] {
			t.Errorf("signal %s missing: %v", want, codes)
		}
	}
	calm := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", map[string]any{
		"title": "宠物噪音", "dispute_type": "neighbour", "source": "hotline", "parties": []map[string]any{{"name": "赵六", "role": "applicant"}}})
	if calm.json["risk_level"] != "none" {
		t.Errorf("calm case: %s", calm.body)
	}
	// The same parties (found by the blind index of ID number and phone) again: a repeat dispute.
	signals := func(res response) map[string]bool {
		out := map[string]bool{}
		for _, s := range res.json["risk"].(map[string]any)["signals"].([]any) {
			out[s.(map[string]any)["code"].(string)] = true
		}
		return out
	}
	if first := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", sampleCase(t, "又漏水")); signals(first)["repeat_dispute"] {
		t.Errorf("a first dispute is signalled as a repeat: %s", first.body)
	}
	if again := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", sampleCase(t, "再漏水")); !signals(again)["repeat_dispute"] {
		t.Errorf("repeat dispute not signalled: %s", again.body)
	}
}

func TestCaseInputErrors(t *testing.T) {
	e := newEnv(t)
	with := func(k string, v any) map[string]any {
		c := sampleCase(t, "x")
		c[k] = v
		return c
	}
	party := func(k string, v any) map[string]any {
		c := sampleCase(t, "x")
		p := c["parties"].([]map[string]any)[0]
		p[k] = v
		return c
	}
	path := "/api/v1/tenants/310107/cases"
	runRows(t, e, nil, []row{
		{name: "no title", as: "putuo-staff", method: "POST", path: path, body: with("title", ""), status: 400, problem: "invalid-field", field: "title"},
		{name: "long title", as: "putuo-staff", method: "POST", path: path, body: with("title", strings.Repeat("纠", 201)), status: 400, problem: "invalid-field", field: "title"},
		{name: "unknown type", as: "putuo-staff", method: "POST", path: path, body: with("dispute_type", "alien"), status: 400, problem: "invalid-field", field: "dispute_type"},
		{name: "unknown source", as: "putuo-staff", method: "POST", path: path, body: with("source", "pigeon"), status: 400, problem: "invalid-field", field: "source"},
		{name: "negative amount", as: "putuo-staff", method: "POST", path: path, body: with("amount", -1), status: 400, problem: "invalid-field", field: "amount"},
		{name: "amount as text", as: "putuo-staff", method: "POST", path: path, body: with("amount", "100"), status: 400, problem: "invalid-field", field: "amount"},
		{name: "place of another district", as: "putuo-staff", method: "POST", path: path, body: with("place_code", "370104001"), status: 400, problem: "invalid-field", field: "place_code"},
		{name: "unknown street", as: "putuo-staff", method: "POST", path: path, body: with("place_code", "310107999"), status: 400, problem: "invalid-field", field: "place_code"},
		{name: "no parties", as: "putuo-staff", method: "POST", path: path, body: with("parties", []any{}), status: 400, problem: "invalid-field", field: "parties"},
		{name: "no applicant", as: "putuo-staff", method: "POST", path: path, body: with("parties", []map[string]any{{"name": "甲", "role": "respondent"}}), status: 400, problem: "invalid-field", field: "parties"},
		{name: "bad role", as: "putuo-staff", method: "POST", path: path, body: party("role", "judge"), status: 400, problem: "invalid-field", field: "parties[0].role"},
		{name: "bad id number", as: "putuo-staff", method: "POST", path: path, body: party("id_number", "310107198001011230"), status: 400, problem: "invalid-field", field: "parties[0].id_number"},
		{name: "bad phone", as: "putuo-staff", method: "POST", path: path, body: party("phone", "12345"), status: 400, problem: "invalid-field", field: "parties[0].phone"},
		{name: "no name", as: "putuo-staff", method: "POST", path: path, body: party("name", " "), status: 400, problem: "invalid-field", field: "parties[0].name"},
		{name: "referral kind outside court", as: "putuo-staff", method: "POST", path: path, body: with("referral", map[string]any{"agency": "某派出所", "kind": "pre_filing"}), status: 400, problem: "invalid-field", field: "referral.kind"},
		{name: "unknown field", as: "putuo-staff", method: "POST", path: path, body: with("colour", "red"), status: 400, problem: "invalid-field", field: "colour"},
		{name: "bad status filter", as: "putuo-staff", method: "GET", path: path + "?status=lost", status: 400, problem: "invalid-field", field: "status"},
		{name: "bad cursor", as: "putuo-staff", method: "GET", path: path + "?after=zzz", status: 400, problem: "invalid-field", field: "after"},
		{name: "bad overdue", as: "putuo-staff", method: "GET", path: path + "?overdue=maybe", status: 400, problem: "invalid-field", field: "overdue"},
		{name: "unknown case", as: "putuo-staff", method: "GET", path: path + "/00000000-0000-0000-0000-000000000000", status: 404, problem: "case-not-found"},
		{name: "case id not a uuid", as: "putuo-staff", method: "GET", path: path + "/x", status: 404, problem: "case-not-found"},
		{name: "history of unknown case", as: "putuo-staff", method: "GET", path: path + "/00000000-0000-0000-0000-000000000000/history", status: 404, problem: "case-not-found"},
	})
	// Several errors at once are all listed.
	c := sampleCase(t, "")
	c["source"] = "pigeon"
	res := e.do("putuo-staff", http.MethodPost, path, c)
	if errs, _ := res.json["errors"].([]any); res.status != 400 || len(errs) != 2 {
		t.Errorf("two errors: %d %s", res.status, res.body)
	}
	// Nothing was stored.
	if l := e.do("putuo-staff", http.MethodGet, path, nil); len(l.json["items"].([]any)) != 0 {
		t.Errorf("rejected intakes stored cases: %s", l.body)
	}
}

func TestCaseIsolationAndPaging(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := range 5 {
		res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", sampleCase(t, fmt.Sprintf("案%d", i)))
		ids = append(ids, res.json["id"].(string))
	}
	hres := e.do("huaiyin-staff", http.MethodPost, "/api/v1/tenants/370104/cases", map[string]any{
		"title": "槐荫案件", "dispute_type": "contract", "source": "court", "referral": map[string]any{"agency": "槐荫区人民法院", "kind": "pre_filing"},
		"parties": []map[string]any{{"name": "钱七", "role": "applicant", "phone": "13700137000"}}})
	if hres.status != 201 || !strings.Contains(hres.json["number"].(string), "鲁0104调字第00001号") {
		t.Fatalf("huaiyin case: %d %s", hres.status, hres.body)
	}
	hid := hres.json["id"].(string)
	runRows(t, e, nil, []row{
		{name: "read another district's case", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/370104/cases/" + hid, status: 404, problem: "tenant-not-found"},
		{name: "list another district's cases", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/370104/cases", status: 404, problem: "tenant-not-found"},
		{name: "create in another district", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/370104/cases", body: sampleCase(t, "x"), status: 404, problem: "tenant-not-found"},
		{name: "history of another district's case", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/370104/cases/" + hid + "/history", status: 404, problem: "tenant-not-found"},
		{name: "other's case through own path", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/cases/" + hid, status: 404, problem: "case-not-found"},
		{name: "other's case history through own path", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/cases/" + hid + "/history", status: 404, problem: "case-not-found"},
		{name: "other's case revealed through own path", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/cases/" + hid + "?reveal=pii", status: 404, problem: "case-not-found"},
		{name: "dispute types of another district", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/370104/dispute-types", status: 404, problem: "tenant-not-found"},
	})
	// Paging: 2 per page walks the 5 cases once, newest first, and never shows Huaiyin's.
	seen, after := []string{}, ""
	for range 5 {
		page := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases?limit=2&after="+after, nil)
		for _, it := range page.json["items"].([]any) {
			seen = append(seen, it.(map[string]any)["id"].(string))
		}
		next, _ := page.json["next_after"].(string)
		if next == "" {
			break
		}
		after = next
	}
	if len(seen) != 5 || seen[0] != ids[4] || seen[4] != ids[0] {
		t.Errorf("paging: %v, created %v", seen, ids)
	}
	// Filters.
	court := e.do("huaiyin-staff", http.MethodGet, "/api/v1/tenants/370104/cases?source=court&dispute_type=contract", nil)
	if n := len(court.json["items"].([]any)); n != 1 {
		t.Errorf("filter by source: %d", n)
	}
	if n := len(e.do("huaiyin-staff", http.MethodGet, "/api/v1/tenants/370104/cases?source=police", nil).json["items"].([]any)); n != 0 {
		t.Errorf("filter by another source: %d", n)
	}
	if n := len(e.do("huaiyin-staff", http.MethodGet, "/api/v1/tenants/370104/cases?overdue=true", nil).json["items"].([]any)); n != 0 {
		t.Errorf("a fresh case is overdue: %d", n)
	}
}
