package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// The district's registry: organisations, mediators and the expert pool.

const (
	putuoOrgs      = "/api/v1/tenants/310107/organisations"
	putuoMediators = "/api/v1/tenants/310107/mediators"
	putuoExperts   = "/api/v1/tenants/310107/experts"
)

// mustCreate posts body as user and returns the new record's id.
func (e *env) mustCreate(as, path string, body any) string {
	e.t.Helper()
	res := e.do(as, http.MethodPost, path, body)
	if res.status != http.StatusCreated {
		e.t.Fatalf("POST %s: %d %s", path, res.status, res.body)
	}
	id, _ := res.json["id"].(string)
	if id == "" || res.header.Get("Location") != path+"/"+id {
		e.t.Fatalf("POST %s: id %q, Location %q", path, id, res.header.Get("Location"))
	}
	return id
}

func streetCommittee(name string) map[string]any {
	return map[string]any{"kind": "street_committee", "name": name, "street_code": "310107015",
		"contact": map[string]any{"name": "王主任", "phone": "021-5256 4588", "address": "上海市普陀区长寿路 100 号"}}
}

// listAll walks every page of a listing and returns the items.
func (e *env) listAll(as, path string, limit int) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	after := ""
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for range 1000 {
		res := e.do(as, http.MethodGet, fmt.Sprintf("%s%slimit=%d&after=%s", path, sep, limit, url.QueryEscape(after)), nil)
		if res.status != http.StatusOK {
			e.t.Fatalf("GET %s: %d %s", path, res.status, res.body)
		}
		items, _ := res.json["items"].([]any)
		if len(items) > limit {
			e.t.Fatalf("GET %s: %d items for limit %d", path, len(items), limit)
		}
		for _, it := range items {
			out = append(out, it.(map[string]any))
		}
		next, _ := res.json["next_after"].(string)
		if next == "" {
			return out
		}
		after = next
	}
	e.t.Fatalf("GET %s: paging does not end", path)
	return nil
}

func names(items []map[string]any) []string {
	var out []string
	for _, it := range items {
		out = append(out, it["name"].(string))
	}
	return out
}

func TestOrganisationsContract(t *testing.T) {
	e := newEnv(t)
	// One of every kind, with the fields each kind needs.
	bodies := []map[string]any{
		streetCommittee("长寿路街道人民调解委员会"),
		{"kind": "village_committee", "name": "某居委会人民调解委员会", "street_code": "310107015", "village_code": "310107015001"},
		{"kind": "enterprise_committee", "name": "某集团人民调解委员会"},
		{"kind": "industry_committee", "name": "普陀区医疗纠纷人民调解委员会", "industry": "medical"},
		{"kind": "dispatched_committee", "name": "驻普陀区法院人民调解委员会", "stationed_at": "court"},
		{"kind": "judicial_office", "name": "长寿路司法所", "street_code": "310107015"},
		{"kind": "brand_studio", "name": "老杨调解工作室", "mediator_name": "杨伯寿"},
		{"kind": "court", "name": "普陀区人民法院", "webhook_url": "https://court.example.cn/fengqiao/feedback"},
		{"kind": "police_station", "name": "长寿路派出所", "webhook_url": "http://127.0.0.1:9/hook"},
		{"kind": "procuratorate", "name": "普陀区人民检察院"},
		{"kind": "petition_office", "name": "普陀区信访办"},
		{"kind": "department", "name": "普陀区消费者权益保护委员会"},
	}
	ids := map[string]string{}
	for _, b := range bodies {
		ids[b["kind"].(string)] = e.mustCreate("putuo-admin", putuoOrgs, b)
	}
	got := e.do("putuo-staff", http.MethodGet, putuoOrgs+"/"+ids["street_committee"], nil)
	if got.status != 200 || got.json["name"] != "长寿路街道人民调解委员会" || got.json["status"] != "active" || got.json["tenant_code"] != "310107" {
		t.Fatalf("getOrganisation: %d %s", got.status, got.body)
	}
	if ct := got.json["contact"].(map[string]any); ct["phone"] != "02152564588" || ct["name"] != "王主任" {
		t.Errorf("contact not normalized: %v", ct)
	}
	if ind := e.do("putuo-staff", http.MethodGet, putuoOrgs+"/"+ids["industry_committee"], nil); ind.json["industry"] != "medical" {
		t.Errorf("industry: %s", ind.body)
	}
	list := e.do("putuo-staff", http.MethodGet, putuoOrgs, nil)
	if items := list.json["items"].([]any); list.status != 200 || len(items) != len(bodies) {
		t.Fatalf("listOrganisations: %d %s", list.status, list.body)
	}
	if n := len(e.do("putuo-staff", http.MethodGet, putuoOrgs+"?kind=court", nil).json["items"].([]any)); n != 1 {
		t.Errorf("kind filter: %d", n)
	}
	if res := e.do("putuo-staff", http.MethodGet, putuoOrgs+"?q="+url.QueryEscape("调解委员会"), nil); len(res.json["items"].([]any)) != 5 {
		t.Errorf("q filter: %s", res.body)
	}
	// PATCH changes only what it names.
	up := e.do("putuo-admin", http.MethodPatch, putuoOrgs+"/"+ids["court"], map[string]any{"contact": map[string]any{"name": "立案庭", "phone": "13800138000"}})
	if up.status != 200 || up.json["webhook_url"] != "https://court.example.cn/fengqiao/feedback" || up.json["contact"].(map[string]any)["phone"] != "13800138000" {
		t.Fatalf("updateOrganisation: %d %s", up.status, up.body)
	}
	// A duplicate name among active organisations conflicts; a deactivated one frees it.
	runRows(t, e, nil, []row{
		{name: "duplicate name", as: "putuo-admin", method: "POST", path: putuoOrgs, body: streetCommittee("长寿路街道人民调解委员会"), status: 409, problem: "organisation-name-taken", field: "name"},
		{name: "rename onto another", as: "putuo-admin", method: "PATCH", path: putuoOrgs + "/" + ids["court"], body: map[string]any{"name": "普陀区人民检察院"}, status: 409, problem: "organisation-name-taken", field: "name"},
		{name: "deactivate", as: "putuo-admin", method: "PATCH", path: putuoOrgs + "/" + ids["street_committee"], body: map[string]any{"status": "inactive"}, status: 200},
		{name: "name reused", as: "putuo-admin", method: "POST", path: putuoOrgs, body: streetCommittee("长寿路街道人民调解委员会"), status: 201},
		{name: "reactivation conflicts", as: "putuo-admin", method: "PATCH", path: putuoOrgs + "/" + ids["street_committee"], body: map[string]any{"status": "active"}, status: 409, problem: "organisation-name-taken", field: "name"},
		{name: "another district may use the name", as: "huaiyin-admin", method: "POST", path: "/api/v1/tenants/370104/organisations", body: map[string]any{"kind": "enterprise_committee", "name": "长寿路街道人民调解委员会"}, status: 201},
		{name: "staff cannot create", as: "putuo-staff", method: "POST", path: putuoOrgs, body: streetCommittee("x"), status: 403, problem: "forbidden"},
		{name: "staff cannot update", as: "putuo-staff", method: "PATCH", path: putuoOrgs + "/" + ids["court"], body: map[string]any{"name": "x"}, status: 403, problem: "forbidden"},
	})
}

func TestOrganisationInputErrors(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate("putuo-admin", putuoOrgs, map[string]any{"kind": "industry_committee", "name": "医调委", "industry": "medical"})
	with := func(k string, v any) map[string]any {
		b := streetCommittee("x")
		b[k] = v
		return b
	}
	p := putuoOrgs
	runRows(t, e, nil, []row{
		{name: "bad kind", as: "putuo-admin", method: "POST", path: p, body: with("kind", "club"), status: 400, problem: "invalid-field", field: "kind"},
		{name: "no name", as: "putuo-admin", method: "POST", path: p, body: with("name", " "), status: 400, problem: "invalid-field", field: "name"},
		{name: "long name", as: "putuo-admin", method: "POST", path: p, body: with("name", strings.Repeat("调", 101)), status: 400, problem: "invalid-field", field: "name"},
		{name: "village committee without street", as: "putuo-admin", method: "POST", path: p, body: map[string]any{"kind": "village_committee", "name": "x"}, status: 400, problem: "invalid-field", field: "street_code"},
		{name: "street of another district", as: "putuo-admin", method: "POST", path: p, body: with("street_code", "370104001"), status: 400, problem: "invalid-field", field: "street_code"},
		{name: "unknown street", as: "putuo-admin", method: "POST", path: p, body: with("street_code", "310107999"), status: 400, problem: "invalid-field", field: "street_code"},
		{name: "village not under the street", as: "putuo-admin", method: "POST", path: p, body: with("village_code", "310107014001"), status: 400, problem: "invalid-field", field: "village_code"},
		{name: "industry missing", as: "putuo-admin", method: "POST", path: p, body: map[string]any{"kind": "industry_committee", "name": "x"}, status: 400, problem: "invalid-field", field: "industry"},
		{name: "industry on a street committee", as: "putuo-admin", method: "POST", path: p, body: with("industry", "medical"), status: 400, problem: "invalid-field", field: "industry"},
		{name: "stationed_at missing", as: "putuo-admin", method: "POST", path: p, body: map[string]any{"kind": "dispatched_committee", "name": "x"}, status: 400, problem: "invalid-field", field: "stationed_at"},
		{name: "studio without mediator", as: "putuo-admin", method: "POST", path: p, body: map[string]any{"kind": "brand_studio", "name": "x"}, status: 400, problem: "invalid-field", field: "mediator_name"},
		{name: "webhook on a committee", as: "putuo-admin", method: "POST", path: p, body: with("webhook_url", "https://x.example.cn/h"), status: 400, problem: "invalid-field", field: "webhook_url"},
		{name: "webhook over http", as: "putuo-admin", method: "POST", path: p, body: map[string]any{"kind": "court", "name": "x", "webhook_url": "http://court.example.cn/h"}, status: 400, problem: "invalid-field", field: "webhook_url"},
		{name: "bad phone", as: "putuo-admin", method: "POST", path: p, body: with("contact", map[string]any{"phone": "12345"}), status: 400, problem: "invalid-field", field: "contact.phone"},
		{name: "unknown field", as: "putuo-admin", method: "POST", path: p, body: with("colour", "red"), status: 400, problem: "invalid-field", field: "colour"},
		{name: "unknown contact field", as: "putuo-admin", method: "POST", path: p, body: with("contact", map[string]any{"email": "a@b.cn"}), status: 400, problem: "invalid-field", field: "email"},
		{name: "kind cannot change", as: "putuo-admin", method: "PATCH", path: p + "/" + id, body: map[string]any{"kind": "court"}, status: 400, problem: "invalid-field", field: "kind"},
		{name: "industry cannot be cleared", as: "putuo-admin", method: "PATCH", path: p + "/" + id, body: map[string]any{"industry": ""}, status: 400, problem: "invalid-field", field: "industry"},
		{name: "bad status", as: "putuo-admin", method: "PATCH", path: p + "/" + id, body: map[string]any{"status": "deleted"}, status: 400, problem: "invalid-field", field: "status"},
		{name: "unknown field in patch", as: "putuo-admin", method: "PATCH", path: p + "/" + id, body: map[string]any{"deleted": true}, status: 400, problem: "invalid-field", field: "deleted"},
		{name: "bad kind filter", as: "putuo-admin", method: "GET", path: p + "?kind=club", status: 400, problem: "invalid-field", field: "kind"},
		{name: "bad status filter", as: "putuo-admin", method: "GET", path: p + "?status=gone", status: 400, problem: "invalid-field", field: "status"},
		{name: "bad cursor", as: "putuo-admin", method: "GET", path: p + "?after=zzz", status: 400, problem: "invalid-field", field: "after"},
		{name: "cursor without id", as: "putuo-admin", method: "GET", path: p + "?after=5Yy76LCD5aeU", status: 400, problem: "invalid-field", field: "after"},
		{name: "limit 0", as: "putuo-admin", method: "GET", path: p + "?limit=0", status: 400, problem: "invalid-field", field: "limit"},
		{name: "limit 501", as: "putuo-admin", method: "GET", path: p + "?limit=501", status: 400, problem: "invalid-field", field: "limit"},
		{name: "limit 500", as: "putuo-admin", method: "GET", path: p + "?limit=500", status: 200},
		{name: "unknown organisation", as: "putuo-admin", method: "GET", path: p + "/00000000-0000-0000-0000-000000000000", status: 404, problem: "organisation-not-found"},
		{name: "id not a uuid", as: "putuo-admin", method: "GET", path: p + "/x", status: 404, problem: "organisation-not-found"},
		{name: "patch unknown organisation", as: "putuo-admin", method: "PATCH", path: p + "/00000000-0000-0000-0000-000000000000", body: map[string]any{"name": "x"}, status: 404, problem: "organisation-not-found"},
	})
	// Several errors at once are all listed; nothing was stored.
	res := e.do("putuo-admin", http.MethodPost, p, map[string]any{"kind": "industry_committee", "name": "", "contact": map[string]any{"phone": "1"}})
	if errs, _ := res.json["errors"].([]any); res.status != 400 || len(errs) != 3 {
		t.Errorf("three errors: %d %s", res.status, res.body)
	}
	if n := len(e.do("putuo-admin", http.MethodGet, p, nil).json["items"].([]any)); n != 1 {
		t.Errorf("rejected registrations stored organisations: %d", n)
	}
}

func TestMediatorsContract(t *testing.T) {
	e := newEnv(t)
	committee := e.mustCreate("putuo-admin", putuoOrgs, streetCommittee("长寿路街道人民调解委员会"))
	studio := e.mustCreate("putuo-admin", putuoOrgs, map[string]any{"kind": "brand_studio", "name": "老杨调解工作室", "mediator_name": "杨伯寿"})
	court := e.mustCreate("putuo-admin", putuoOrgs, map[string]any{"kind": "court", "name": "普陀区人民法院"})
	office := e.mustCreate("putuo-admin", putuoOrgs, map[string]any{"kind": "judicial_office", "name": "长寿路司法所"})
	closed := e.mustCreate("putuo-admin", putuoOrgs, map[string]any{"kind": "enterprise_committee", "name": "已撤销调委会"})
	if res := e.do("putuo-admin", http.MethodPatch, putuoOrgs+"/"+closed, map[string]any{"status": "inactive"}); res.status != 200 {
		t.Fatalf("deactivate: %d %s", res.status, res.body)
	}
	foreign := e.mustCreate("huaiyin-admin", "/api/v1/tenants/370104/organisations", map[string]any{"kind": "street_committee", "name": "振兴街街道调委会", "street_code": "370104001"})

	res := e.do("putuo-admin", http.MethodPost, putuoMediators, map[string]any{"name": "杨伯寿", "kind": "full_time", "certificate_number": "沪调证 0001",
		"grade": "senior", "chief": true, "specialities": []string{"neighbour", "marriage_family", "neighbour"}, "organisation_id": studio, "phone": "+86 139-0013-9000"})
	if res.status != 201 {
		t.Fatalf("createMediator: %d %s", res.status, res.body)
	}
	yang := res.json["id"].(string)
	if res.json["credit_score"].(float64) != 100 || res.json["phone"] != "13900139000" || res.json["chief"] != true || res.json["status"] != "active" ||
		fmt.Sprint(res.json["specialities"]) != "[neighbour marriage_family]" {
		t.Errorf("created mediator: %s", res.body)
	}
	zhang := e.mustCreate("putuo-admin", putuoMediators, map[string]any{"name": "张兼职", "kind": "part_time", "organisation_id": committee, "specialities": []string{"contract"}})
	if got := e.do("putuo-staff", http.MethodGet, putuoMediators+"/"+zhang, nil); got.status != 200 || got.json["organisation_id"] != committee ||
		got.json["grade"] != "" || fmt.Sprint(got.json["specialities"]) != "[contract]" {
		t.Fatalf("getMediator: %d %s", got.status, got.body)
	}
	good := func(k string, v any) map[string]any {
		b := map[string]any{"name": "李调解", "kind": "full_time", "organisation_id": committee}
		b[k] = v
		return b
	}
	p := putuoMediators
	runRows(t, e, nil, []row{
		{name: "bad kind", as: "putuo-admin", method: "POST", path: p, body: good("kind", "volunteer"), status: 400, problem: "invalid-field", field: "kind"},
		{name: "bad grade", as: "putuo-admin", method: "POST", path: p, body: good("grade", "master"), status: 400, problem: "invalid-field", field: "grade"},
		{name: "bad phone", as: "putuo-admin", method: "POST", path: p, body: good("phone", "12345"), status: 400, problem: "invalid-field", field: "phone"},
		{name: "unknown speciality", as: "putuo-admin", method: "POST", path: p, body: good("specialities", []string{"alien"}), status: 400, problem: "invalid-field", field: "specialities"},
		{name: "credit score above 100", as: "putuo-admin", method: "POST", path: p, body: good("credit_score", 101), status: 400, problem: "invalid-field", field: "credit_score"},
		{name: "credit score as text", as: "putuo-admin", method: "POST", path: p, body: good("credit_score", "90"), status: 400, problem: "invalid-field", field: "credit_score"},
		{name: "no organisation", as: "putuo-admin", method: "POST", path: p, body: good("organisation_id", ""), status: 400, problem: "invalid-field", field: "organisation_id"},
		{name: "organisation id not a uuid", as: "putuo-admin", method: "POST", path: p, body: good("organisation_id", "x"), status: 400, problem: "invalid-field", field: "organisation_id"},
		{name: "unknown organisation", as: "putuo-admin", method: "POST", path: p, body: good("organisation_id", "00000000-0000-0000-0000-000000000000"), status: 400, problem: "invalid-field", field: "organisation_id"},
		{name: "organisation of another tenant", as: "putuo-admin", method: "POST", path: p, body: good("organisation_id", foreign), status: 400, problem: "invalid-field", field: "organisation_id"},
		{name: "inactive organisation", as: "putuo-admin", method: "POST", path: p, body: good("organisation_id", closed), status: 400, problem: "invalid-field", field: "organisation_id"},
		{name: "organisation is a court", as: "putuo-admin", method: "POST", path: p, body: good("organisation_id", court), status: 400, problem: "invalid-field", field: "organisation_id"},
		{name: "organisation is a judicial office", as: "putuo-admin", method: "POST", path: p, body: good("organisation_id", office), status: 400, problem: "invalid-field", field: "organisation_id"},
		{name: "unknown field", as: "putuo-admin", method: "POST", path: p, body: good("age", 50), status: 400, problem: "invalid-field", field: "age"},
		{name: "move to a court", as: "putuo-admin", method: "PATCH", path: p + "/" + zhang, body: map[string]any{"organisation_id": court}, status: 400, problem: "invalid-field", field: "organisation_id"},
		{name: "move to another tenant's", as: "putuo-admin", method: "PATCH", path: p + "/" + zhang, body: map[string]any{"organisation_id": foreign}, status: 400, problem: "invalid-field", field: "organisation_id"},
		{name: "bad credit score", as: "putuo-admin", method: "PATCH", path: p + "/" + zhang, body: map[string]any{"credit_score": -1}, status: 400, problem: "invalid-field", field: "credit_score"},
		{name: "set credit score", as: "putuo-admin", method: "PATCH", path: p + "/" + zhang, body: map[string]any{"credit_score": 72, "grade": "junior"}, status: 200},
		{name: "move to the studio", as: "putuo-admin", method: "PATCH", path: p + "/" + zhang, body: map[string]any{"organisation_id": studio}, status: 200},
		{name: "staff cannot create", as: "putuo-staff", method: "POST", path: p, body: good("name", "x"), status: 403, problem: "forbidden"},
		{name: "bad kind filter", as: "putuo-staff", method: "GET", path: p + "?kind=court", status: 400, problem: "invalid-field", field: "kind"},
		{name: "bad organisation filter", as: "putuo-staff", method: "GET", path: p + "?organisation_id=x", status: 400, problem: "invalid-field", field: "organisation_id"},
		{name: "bad speciality filter", as: "putuo-staff", method: "GET", path: p + "?speciality=Bad!", status: 400, problem: "invalid-field", field: "speciality"},
		{name: "bad cursor", as: "putuo-staff", method: "GET", path: p + "?after=%21%21", status: 400, problem: "invalid-field", field: "after"},
		{name: "limit 0", as: "putuo-staff", method: "GET", path: p + "?limit=0", status: 400, problem: "invalid-field", field: "limit"},
		{name: "limit 501", as: "putuo-staff", method: "GET", path: p + "?limit=501", status: 400, problem: "invalid-field", field: "limit"},
		{name: "unknown mediator", as: "putuo-staff", method: "GET", path: p + "/00000000-0000-0000-0000-000000000000", status: 404, problem: "mediator-not-found"},
		{name: "mediator id not a uuid", as: "putuo-staff", method: "GET", path: p + "/x", status: 404, problem: "mediator-not-found"},
	})
	z := e.do("putuo-staff", http.MethodGet, p+"/"+zhang, nil)
	if z.json["credit_score"].(float64) != 72 || z.json["grade"] != "junior" || z.json["organisation_id"] != studio || z.json["kind"] != "part_time" {
		t.Errorf("after updates: %s", z.body)
	}
	count := func(q string) int {
		t.Helper()
		res := e.do("putuo-staff", http.MethodGet, p+q, nil)
		if res.status != 200 {
			t.Fatalf("GET %s: %d %s", q, res.status, res.body)
		}
		return len(res.json["items"].([]any))
	}
	if n := count("?organisation_id=" + studio); n != 2 {
		t.Errorf("mediators of the studio: %d", n)
	}
	if n := count("?organisation_id=" + committee); n != 0 {
		t.Errorf("mediators of the committee: %d", n)
	}
	if n := count("?speciality=contract"); n != 1 {
		t.Errorf("speciality filter: %d", n)
	}
	if n := count("?kind=full_time"); n != 1 {
		t.Errorf("kind filter: %d", n)
	}
	if n := count("?q=" + url.QueryEscape("杨")); n != 1 {
		t.Errorf("q filter: %d", n)
	}
	// Huaiyin does not see Putuo's mediators.
	if n := len(e.do("huaiyin-staff", http.MethodGet, "/api/v1/tenants/370104/mediators", nil).json["items"].([]any)); n != 0 {
		t.Errorf("another district lists %d of Putuo's mediators", n)
	}
	_ = yang
}

func TestExpertsContract(t *testing.T) {
	e := newEnv(t)
	res := e.do("putuo-admin", http.MethodPost, putuoExperts, map[string]any{"name": "刘律师", "field": "lawyer", "specialities": []string{"contract", "labour"},
		"organisation": "上海某律师事务所", "phone": "13800138000", "note": "擅长劳动争议"})
	if res.status != 201 || res.json["field"] != "lawyer" || res.json["organisation"] != "上海某律师事务所" || res.json["status"] != "active" {
		t.Fatalf("createExpert: %d %s", res.status, res.body)
	}
	lawyer := res.json["id"].(string)
	doctor := e.mustCreate("putuo-admin", putuoExperts, map[string]any{"name": "陈医生", "field": "doctor", "specialities": []string{"medical"}})
	good := func(k string, v any) map[string]any {
		b := map[string]any{"name": "王专家", "field": "psychologist"}
		b[k] = v
		return b
	}
	p := putuoExperts
	runRows(t, e, nil, []row{
		{name: "bad field", as: "putuo-admin", method: "POST", path: p, body: good("field", "astrologer"), status: 400, problem: "invalid-field", field: "field"},
		{name: "no name", as: "putuo-admin", method: "POST", path: p, body: good("name", ""), status: 400, problem: "invalid-field", field: "name"},
		{name: "bad phone", as: "putuo-admin", method: "POST", path: p, body: good("phone", "010-1"), status: 400, problem: "invalid-field", field: "phone"},
		{name: "unknown speciality", as: "putuo-admin", method: "POST", path: p, body: good("specialities", []string{"alien"}), status: 400, problem: "invalid-field", field: "specialities"},
		{name: "long note", as: "putuo-admin", method: "POST", path: p, body: good("note", strings.Repeat("注", 501)), status: 400, problem: "invalid-field", field: "note"},
		{name: "long organisation", as: "putuo-admin", method: "POST", path: p, body: good("organisation", strings.Repeat("院", 101)), status: 400, problem: "invalid-field", field: "organisation"},
		{name: "unknown field", as: "putuo-admin", method: "POST", path: p, body: good("rank", 1), status: 400, problem: "invalid-field", field: "rank"},
		{name: "update field", as: "putuo-admin", method: "PATCH", path: p + "/" + doctor, body: map[string]any{"field": "wizard"}, status: 400, problem: "invalid-field", field: "field"},
		{name: "update note", as: "putuo-admin", method: "PATCH", path: p + "/" + doctor, body: map[string]any{"note": "三甲医院主任医师"}, status: 200},
		{name: "staff reads", as: "putuo-staff", method: "GET", path: p + "/" + lawyer, status: 200},
		{name: "staff cannot update", as: "putuo-staff", method: "PATCH", path: p + "/" + lawyer, body: map[string]any{"note": "x"}, status: 403, problem: "forbidden"},
		{name: "bad field filter", as: "putuo-staff", method: "GET", path: p + "?field=full_time", status: 400, problem: "invalid-field", field: "field"},
		{name: "bad cursor", as: "putuo-staff", method: "GET", path: p + "?after=bm9waXBl", status: 400, problem: "invalid-field", field: "after"},
		{name: "limit 501", as: "putuo-staff", method: "GET", path: p + "?limit=501", status: 400, problem: "invalid-field", field: "limit"},
		{name: "unknown expert", as: "putuo-staff", method: "GET", path: p + "/00000000-0000-0000-0000-000000000000", status: 404, problem: "expert-not-found"},
	})
	if got := e.do("putuo-staff", http.MethodGet, p+"/"+doctor, nil); got.json["note"] != "三甲医院主任医师" || got.json["field"] != "doctor" {
		t.Errorf("after update: %s", got.body)
	}
	if items := e.do("putuo-staff", http.MethodGet, p+"?field=lawyer&speciality=labour", nil).json["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != lawyer {
		t.Errorf("filters: %v", items)
	}
	if items := e.do("putuo-staff", http.MethodGet, p+"?speciality=neighbour", nil).json["items"].([]any); len(items) != 0 {
		t.Errorf("speciality filter: %v", items)
	}
}

func TestRegistryIsolation(t *testing.T) {
	e := newEnv(t)
	h := "/api/v1/tenants/370104/"
	hOrg := e.mustCreate("huaiyin-admin", h+"organisations", map[string]any{"kind": "brand_studio", "name": "老郭明理调解室", "mediator_name": "郭明理"})
	hMed := e.mustCreate("huaiyin-admin", h+"mediators", map[string]any{"name": "郭明理", "kind": "full_time", "organisation_id": hOrg, "chief": true})
	hExp := e.mustCreate("huaiyin-admin", h+"experts", map[string]any{"name": "赵律师", "field": "lawyer"})
	pOrg := e.mustCreate("putuo-admin", putuoOrgs, streetCommittee("长寿路街道人民调解委员会"))
	notFound := func(path string) string {
		switch {
		case strings.Contains(path, "/organisations"):
			return "organisation-not-found"
		case strings.Contains(path, "/mediators"):
			return "mediator-not-found"
		}
		return "expert-not-found"
	}
	var rows []row
	for _, c := range []struct {
		coll, id string
		body     map[string]any
	}{
		{"organisations", hOrg, streetCommittee("x")},
		{"mediators", hMed, map[string]any{"name": "x", "kind": "full_time", "organisation_id": pOrg}},
		{"experts", hExp, map[string]any{"name": "x", "field": "lawyer"}},
	} {
		// Every endpoint of another district: the tenant does not exist for the caller.
		rows = append(rows,
			row{name: "create in 370104 " + c.coll, as: "putuo-admin", method: "POST", path: h + c.coll, body: c.body, status: 404, problem: "tenant-not-found"},
			row{name: "list 370104 " + c.coll, as: "putuo-admin", method: "GET", path: h + c.coll, status: 404, problem: "tenant-not-found"},
			row{name: "get in 370104 " + c.coll, as: "putuo-admin", method: "GET", path: h + c.coll + "/" + c.id, status: 404, problem: "tenant-not-found"},
			row{name: "patch in 370104 " + c.coll, as: "putuo-admin", method: "PATCH", path: h + c.coll + "/" + c.id, body: map[string]any{"status": "inactive"}, status: 404, problem: "tenant-not-found"},
			row{name: "staff list 370104 " + c.coll, as: "putuo-staff", method: "GET", path: h + c.coll, status: 404, problem: "tenant-not-found"},
		)
		// Another district's ids through one's own path: no such record.
		own := "/api/v1/tenants/310107/" + c.coll + "/" + c.id
		rows = append(rows,
			row{name: "get other's " + c.coll + " through own path", as: "putuo-admin", method: "GET", path: own, status: 404, problem: notFound(own)},
			row{name: "patch other's " + c.coll + " through own path", as: "putuo-admin", method: "PATCH", path: own, body: map[string]any{"status": "inactive"}, status: 404, problem: notFound(own)},
		)
	}
	rows = append(rows,
		row{name: "mediator into another district's studio", as: "putuo-admin", method: "POST", path: putuoMediators, body: map[string]any{"name": "x", "kind": "full_time", "organisation_id": hOrg}, status: 400, problem: "invalid-field", field: "organisation_id"},
		row{name: "filter by another district's organisation", as: "putuo-admin", method: "GET", path: putuoMediators + "?organisation_id=" + hOrg, status: 200},
		// Upper levels read their districts' organisations and mediators (issue 14, item 5), nothing more.
		row{name: "upper levels read the registry", as: "sh-prov", method: "GET", path: putuoOrgs, status: 200},
		row{name: "upper levels do not change it", as: "sh-prov", method: "POST", path: putuoOrgs, body: streetCommittee("x"), status: 403, problem: "forbidden"},
		row{name: "upper levels do not read the expert pool", as: "sh-prov", method: "GET", path: putuoExperts, status: 403, problem: "forbidden"},
	)
	runRows(t, e, nil, rows)
	// Nothing of Huaiyin's changed, nor became visible.
	for _, path := range []string{h + "organisations/" + hOrg, h + "mediators/" + hMed, h + "experts/" + hExp} {
		if res := e.do("huaiyin-admin", http.MethodGet, path, nil); res.status != 200 || res.json["status"] != "active" {
			t.Errorf("%s: %d %s", path, res.status, res.body)
		}
	}
	for _, path := range []string{putuoOrgs, putuoMediators, putuoExperts} {
		for _, it := range e.listAll("putuo-admin", path, 100) {
			if it["tenant_code"] != "310107" {
				t.Errorf("%s lists %v", path, it)
			}
		}
	}
}

func TestRegistryPagingAndStatus(t *testing.T) {
	e := newEnv(t)
	committee := e.mustCreate("putuo-admin", putuoOrgs, streetCommittee("甲调委会"))
	orgNames := []string{"乙调委会", "丙调委会", "A|B 调委会", "丁调委会", "戊调委会", "a 调委会", "己调委会", "庚调委会"}
	for _, n := range orgNames {
		e.mustCreate("putuo-admin", putuoOrgs, map[string]any{"kind": "enterprise_committee", "name": n})
	}
	orgNames = append(orgNames, "甲调委会")
	// Mediators may share names: the id breaks the tie.
	medNames := []string{"王芳", "王芳", "王芳", "李娜", "张伟", "张伟", "刘洋", "王芳|1", "陈静", "杨帆", "赵磊"}
	var medIDs []string
	for _, n := range medNames {
		medIDs = append(medIDs, e.mustCreate("putuo-admin", putuoMediators, map[string]any{"name": n, "kind": "part_time", "organisation_id": committee}))
	}
	var expIDs []string
	for i := range 7 {
		expIDs = append(expIDs, e.mustCreate("putuo-admin", putuoExperts, map[string]any{"name": fmt.Sprintf("专家%d", 6-i), "field": "other"}))
	}
	for _, c := range []struct {
		path  string
		want  []string // names, any order
		limit []int
	}{
		{putuoOrgs, orgNames, []int{1, 2, 4, 100}},
		{putuoMediators, medNames, []int{1, 2, 3, 500}},
		{putuoExperts, []string{"专家0", "专家1", "专家2", "专家3", "专家4", "专家5", "专家6"}, []int{2, 7}},
	} {
		full := e.listAll("putuo-staff", c.path, 500)
		for _, limit := range c.limit {
			items := e.listAll("putuo-staff", c.path, limit)
			ids := map[string]bool{}
			for _, it := range items {
				ids[it["id"].(string)] = true
			}
			if len(items) != len(c.want) || len(ids) != len(c.want) {
				t.Errorf("%s limit %d: %d items, %d distinct, want %d", c.path, limit, len(items), len(ids), len(c.want))
			}
			// Every page size gives the same order: by name, then id.
			for i := range items {
				if i < len(full) && items[i]["id"] != full[i]["id"] {
					t.Errorf("%s limit %d: item %d is %v, want %v", c.path, limit, i, items[i]["name"], full[i]["name"])
					break
				}
			}
		}
		got := names(full)
		if !slices.IsSorted(got) {
			t.Errorf("%s not sorted by name: %v", c.path, got)
		}
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", c.path, got, want)
		}
		for i := 1; i < len(full); i++ {
			if full[i-1]["name"] == full[i]["name"] && full[i-1]["id"].(string) > full[i]["id"].(string) {
				t.Errorf("%s: equal names not ordered by id", c.path)
			}
		}
	}
	// Deactivation hides nothing; the status filter selects.
	for _, id := range medIDs[:3] {
		if res := e.do("putuo-admin", http.MethodPatch, putuoMediators+"/"+id, map[string]any{"status": "inactive"}); res.status != 200 || res.json["status"] != "inactive" {
			t.Fatalf("deactivate mediator: %d %s", res.status, res.body)
		}
	}
	if res := e.do("putuo-admin", http.MethodPatch, putuoExperts+"/"+expIDs[0], map[string]any{"status": "inactive"}); res.status != 200 {
		t.Fatalf("deactivate expert: %d %s", res.status, res.body)
	}
	if res := e.do("putuo-admin", http.MethodPatch, putuoOrgs+"/"+committee, map[string]any{"status": "inactive"}); res.status != 200 {
		t.Fatalf("deactivate organisation: %d %s", res.status, res.body)
	}
	for _, c := range []struct {
		path                  string
		all, active, inactive int
	}{
		{putuoMediators, len(medNames), len(medNames) - 3, 3},
		{putuoExperts, 7, 6, 1},
		{putuoOrgs, len(orgNames), len(orgNames) - 1, 1},
	} {
		if n := len(e.listAll("putuo-staff", c.path, 4)); n != c.all {
			t.Errorf("%s: %d listed, want %d", c.path, n, c.all)
		}
		if n := len(e.listAll("putuo-staff", c.path+"?status=active", 4)); n != c.active {
			t.Errorf("%s active: %d, want %d", c.path, n, c.active)
		}
		if n := len(e.listAll("putuo-staff", c.path+"?status=inactive", 4)); n != c.inactive {
			t.Errorf("%s inactive: %d, want %d", c.path, n, c.inactive)
		}
	}
	// A deactivated record can still be read; the mediators of a deactivated committee stay.
	if res := e.do("putuo-staff", http.MethodGet, putuoMediators+"/"+medIDs[0], nil); res.status != 200 || res.json["status"] != "inactive" {
		t.Errorf("read inactive mediator: %d %s", res.status, res.body)
	}
	if n := len(e.listAll("putuo-staff", putuoMediators+"?status=active&organisation_id="+committee, 3)); n != len(medNames)-3 {
		t.Errorf("active mediators of the deactivated committee: %d", n)
	}
	// A mediator of a deactivated committee cannot come back into service there.
	runRows(t, e, nil, []row{
		{name: "reactivate into an inactive committee", as: "putuo-admin", method: "PATCH", path: putuoMediators + "/" + medIDs[0], body: map[string]any{"status": "active"}, status: 400, problem: "invalid-field", field: "organisation_id"},
		{name: "new mediator of an inactive committee", as: "putuo-admin", method: "POST", path: putuoMediators, body: map[string]any{"name": "新人", "kind": "part_time", "organisation_id": committee}, status: 400, problem: "invalid-field", field: "organisation_id"},
	})
}

func TestRegistryAudit(t *testing.T) {
	e := newEnv(t)
	org := e.mustCreate("putuo-admin", putuoOrgs, streetCommittee("长寿路街道人民调解委员会"))
	med := e.mustCreate("putuo-admin", putuoMediators, map[string]any{"name": "杨伯寿", "kind": "full_time", "organisation_id": org})
	exp := e.mustCreate("putuo-admin", putuoExperts, map[string]any{"name": "刘律师", "field": "lawyer"})
	for _, c := range []struct{ path, id string }{{putuoOrgs, org}, {putuoMediators, med}, {putuoExperts, exp}} {
		body := map[string]any{"name": "改名后"}
		if res := e.do("putuo-admin", http.MethodPatch, c.path+"/"+c.id, body); res.status != 200 || res.json["name"] != "改名后" {
			t.Fatalf("PATCH %s: %d %s", c.path, res.status, res.body)
		}
		// The same change again changes nothing and records nothing.
		if res := e.do("putuo-admin", http.MethodPatch, c.path+"/"+c.id, body); res.status != 200 {
			t.Fatalf("PATCH %s again: %d %s", c.path, res.status, res.body)
		}
	}
	// A rejected change records nothing either.
	e.do("putuo-admin", http.MethodPatch, putuoMediators+"/"+med, map[string]any{"credit_score": 500})
	res := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/audit?limit=500", nil)
	if res.status != 200 {
		t.Fatalf("audit: %d %s", res.status, res.body)
	}
	seen := map[string]int{}
	actor := "user:" + e.ids["putuo-admin"]
	for _, it := range res.json["items"].([]any) {
		ev := it.(map[string]any)
		action, _ := ev["action"].(string)
		if !strings.HasPrefix(action, "organisation.") && !strings.HasPrefix(action, "mediator.") && !strings.HasPrefix(action, "expert.") {
			continue
		}
		seen[action]++
		if ev["actor"] != actor {
			t.Errorf("%s by %v, want %s", action, ev["actor"], actor)
		}
		obj := ev["object"].(string)
		after, _ := ev["after"].(map[string]any)
		if after == nil || after["name"] == nil {
			t.Errorf("%s %s: no after: %v", action, obj, ev)
		}
		switch {
		case strings.HasSuffix(action, ".create"):
			if ev["before"] != nil {
				t.Errorf("%s has a before: %v", action, ev["before"])
			}
		case strings.HasSuffix(action, ".update"):
			before, _ := ev["before"].(map[string]any)
			if before == nil || before["name"] == "改名后" || after["name"] != "改名后" {
				t.Errorf("%s before/after: %v", action, ev)
			}
		}
		want := map[string]string{"organisation": "organisation:" + org, "mediator": "mediator:" + med, "expert": "expert:" + exp}[strings.Split(action, ".")[0]]
		if obj != want {
			t.Errorf("%s object %q, want %q", action, obj, want)
		}
	}
	for _, a := range []string{"organisation.create", "organisation.update", "mediator.create", "mediator.update", "expert.create", "expert.update"} {
		if seen[a] != 1 {
			t.Errorf("%s audited %d times, want 1 (all: %v)", a, seen[a], seen)
		}
	}
}
