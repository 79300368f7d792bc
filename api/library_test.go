package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/api"
	"github.com/fengqiao/fengqiao/core/authz"
)

func searchCase(t testing.TB, title, description, disputeType string, names ...string) map[string]any {
	c := map[string]any{"title": title, "description": description, "dispute_type": disputeType, "source": "walk_in"}
	var parties []map[string]any
	for i, n := range names {
		role := "applicant"
		if i > 0 {
			role = "respondent"
		}
		parties = append(parties, map[string]any{"name": n, "role": role})
	}
	c["parties"] = parties
	return c
}

func (e *env) createCase(as, code string, body map[string]any) string {
	e.t.Helper()
	res := e.do(as, http.MethodPost, "/api/v1/tenants/"+code+"/cases", body)
	if res.status != http.StatusCreated {
		e.t.Fatalf("create case: %d %s", res.status, res.body)
	}
	return res.json["id"].(string)
}

func items(res response) []map[string]any {
	var out []map[string]any
	list, _ := res.json["items"].([]any)
	for _, it := range list {
		out = append(out, it.(map[string]any))
	}
	return out
}

func TestSearchAndLibraryAPI(t *testing.T) {
	e := newEnv(t)
	noise := e.createCase("putuo-staff", "310107", searchCase(t, "邻里噪音纠纷",
		"张三（电话13800138000，住长寿路100弄3号501室）称楼上邻居深夜噪音不断，噪音影响休息，多次协商无果。", "neighbour", "张三", "李四"))
	fee := e.createCase("putuo-staff", "310107", searchCase(t, "物业费纠纷", "业主拒交物业费，楼道噪音也未处理。", "property_management", "王五", "上海某物业公司"))
	open := e.createCase("putuo-staff", "310107", searchCase(t, "夜间噪音扰民", "楼上邻居夜间噪音，影响休息。", "neighbour", "沈七", "韩八"))
	other := e.createCase("huaiyin-admin", "370104", searchCase(t, "邻里噪音纠纷", "噪音扰民，张三到场。", "neighbour", "张三", "刘六"))

	// Search: ranked, highlighted, only the tenant's own cases.
	res := e.do("putuo-staff", "GET", "/api/v1/tenants/310107/cases/search?q="+url.QueryEscape("噪音"), nil)
	got := items(res)
	if res.status != 200 || len(got) != 3 || got[0]["id"] != noise {
		t.Fatalf("search: %d %s", res.status, res.body)
	}
	if got[0]["title_highlight"] != "邻里【噪音】纠纷" || !strings.Contains(got[0]["snippet"].(string), "【噪音】") {
		t.Errorf("highlight: %v / %v", got[0]["title_highlight"], got[0]["snippet"])
	}
	if got[2]["id"] != fee {
		t.Errorf("a match in the description only ranks last: %s", res.body)
	}
	for _, it := range got {
		if it["id"] == other {
			t.Error("search returned another district's case")
		}
	}
	// Paging.
	page1 := e.do("putuo-staff", "GET", "/api/v1/tenants/310107/cases/search?limit=2&q="+url.QueryEscape("噪音"), nil)
	if len(items(page1)) != 2 || page1.json["next_after"] == nil {
		t.Fatalf("page 1: %s", page1.body)
	}
	page2 := e.do("putuo-staff", "GET", "/api/v1/tenants/310107/cases/search?limit=2&after="+page1.json["next_after"].(string)+"&q="+url.QueryEscape("噪音"), nil)
	if p2 := items(page2); len(p2) != 1 || p2[0]["id"] != fee || page2.json["next_after"] != nil {
		t.Errorf("page 2: %s", page2.body)
	}
	// By a party's name (staff may see personal data): found, named, and audited.
	byName := e.do("putuo-staff", "GET", "/api/v1/tenants/310107/cases/search?q="+url.QueryEscape("李四"), nil)
	if it := items(byName); len(it) != 1 || it[0]["id"] != noise || it[0]["matched_by_name"] != true {
		t.Fatalf("name search: %s", byName.body)
	}
	if byName.header.Get("Cache-Control") != "no-store" {
		t.Error("a search showing names may be cached")
	}
	auditRes := e.do("putuo-admin", "GET", "/api/v1/tenants/310107/audit", nil)
	if !strings.Contains(string(auditRes.body), "case.pii.search") {
		t.Errorf("name search not audited: %s", auditRes.body)
	}

	// Library: submit a concluded case, anonymised.
	guide := map[string]any{"channel": "litigation", "reason": "需诉讼解决"}
	for _, id := range []string{noise, fee} {
		if r := e.do("putuo-staff", "POST", "/api/v1/tenants/310107/cases/"+id+"/actions/guide", guide); r.status != 200 {
			t.Fatalf("guide: %d %s", r.status, r.body)
		}
	}
	sub := e.do("putuo-staff", "POST", "/api/v1/tenants/310107/library", map[string]any{"case_id": noise, "tags": []string{"噪音", "邻里"}})
	if sub.status != http.StatusCreated || sub.json["status"] != "submitted" {
		t.Fatalf("submit: %d %s", sub.status, sub.body)
	}
	entry := sub.json["id"].(string)
	for _, secret := range []string{"张三", "李四", "13800138000", "长寿路"} {
		if strings.Contains(sub.json["title"].(string)+sub.json["summary"].(string), secret) {
			t.Errorf("entry holds %q: %s", secret, sub.body)
		}
	}
	if !strings.HasPrefix(sub.json["summary"].(string), "甲（电话[电话]，住[地址]）称楼上邻居深夜噪音不断") {
		t.Errorf("summary: %v", sub.json["summary"])
	}
	feeEntry := e.do("putuo-staff", "POST", "/api/v1/tenants/310107/library", map[string]any{"case_id": fee}).json["id"].(string)

	runRows(t, e, nil, []row{
		{name: "search needs q", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/cases/search", status: 400, problem: "invalid-field", field: "q"},
		{name: "search of function words", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/cases/search?q=" + url.QueryEscape("的 了！"), status: 400, problem: "invalid-field", field: "q"},
		{name: "search too long", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/cases/search?q=" + url.QueryEscape(strings.Repeat("噪", 101)), status: 400, problem: "invalid-field", field: "q"},
		{name: "search of a tsquery", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/cases/search?q=" + url.QueryEscape(`噪音' | '物业费`), status: 200},
		{name: "search bad limit", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/cases/search?q=x&limit=101", status: 400, problem: "invalid-field", field: "limit"},
		{name: "search bad cursor", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/cases/search?q=x&after=zzz", status: 400, problem: "invalid-field", field: "after"},
		{name: "submit an open case", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/library", body: map[string]any{"case_id": open}, status: 409, problem: "case-not-concluded", field: "case_id"},
		{name: "submit twice", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/library", body: map[string]any{"case_id": noise}, status: 409, problem: "case-in-library", field: "case_id"},
		{name: "submit without case", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/library", body: map[string]any{}, status: 400, problem: "invalid-field", field: "case_id"},
		{name: "submit a bad id", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/library", body: map[string]any{"case_id": "x"}, status: 400, problem: "invalid-field", field: "case_id"},
		{name: "submit bad tags", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/library", body: map[string]any{"case_id": noise, "tags": []string{""}}, status: 400, problem: "invalid-field", field: "tags[0]"},
		{name: "submit an unknown case", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/library", body: map[string]any{"case_id": "00000000-0000-0000-0000-000000000000"}, status: 404, problem: "case-not-found"},
		{name: "staff cannot review", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/library/" + entry + "/review", body: map[string]any{"decision": "publish"}, status: 403, problem: "forbidden"},
		{name: "bad decision", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/library/" + entry + "/review", body: map[string]any{"decision": "maybe"}, status: 400, problem: "invalid-field", field: "decision"},
		{name: "reject without reason", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/library/" + feeEntry + "/review", body: map[string]any{"decision": "reject"}, status: 400, problem: "invalid-field", field: "reason"},
		{name: "publish", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/library/" + entry + "/review", body: map[string]any{"decision": "publish"}, status: 200},
		{name: "publish again", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/library/" + entry + "/review", body: map[string]any{"decision": "publish"}, status: 409, problem: "library-entry-reviewed"},
		{name: "reject", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/library/" + feeEntry + "/review", body: map[string]any{"decision": "reject", "reason": "案情不典型"}, status: 200},
		{name: "unknown entry", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/library/00000000-0000-0000-0000-000000000000", status: 404, problem: "library-entry-not-found"},
		{name: "bad status", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/library?status=all", status: 400, problem: "invalid-field", field: "status"},
		{name: "similar of an unknown case", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/cases/00000000-0000-0000-0000-000000000000/similar", status: 404, problem: "case-not-found"},
	})

	lib := e.do("putuo-staff", "GET", "/api/v1/tenants/310107/library?q="+url.QueryEscape("噪音"), nil)
	if it := items(lib); len(it) != 1 || it[0]["id"] != entry || !strings.Contains(it[0]["title_highlight"].(string), "【噪音】") {
		t.Errorf("library search: %s", lib.body)
	}
	if it := items(e.do("putuo-staff", "GET", "/api/v1/tenants/310107/library?status=rejected", nil)); len(it) != 1 || it[0]["review_reason"] != "案情不典型" {
		t.Errorf("rejected entries: %v", it)
	}

	// Push: the open noise case is offered the published noise entry, with why.
	sim := e.do("putuo-staff", "GET", "/api/v1/tenants/310107/cases/"+open+"/similar", nil)
	si := items(sim)
	if sim.status != 200 || len(si) != 1 {
		t.Fatalf("similar: %d %s", sim.status, sim.body)
	}
	reasons := si[0]["reasons"].(map[string]any)
	if si[0]["entry"].(map[string]any)["id"] != entry || reasons["same_dispute_type"] != true || !strings.Contains(mustJSON(t, reasons["shared_terms"]), "噪音") {
		t.Errorf("similar: %s", sim.body)
	}

	// Another district sees nothing of all this: 404 on every new route, its own paths with
	// these ids find nothing either; upper levels have no access to cases.
	var rows []row
	for _, as := range []string{"huaiyin-admin", "huaiyin-staff", "qingpu-admin"} {
		for _, r := range []row{
			{name: "search", method: "GET", path: "/api/v1/tenants/310107/cases/search?q=" + url.QueryEscape("噪音")},
			{name: "similar", method: "GET", path: "/api/v1/tenants/310107/cases/" + open + "/similar"},
			{name: "submit", method: "POST", path: "/api/v1/tenants/310107/library", body: map[string]any{"case_id": noise}},
			{name: "list library", method: "GET", path: "/api/v1/tenants/310107/library"},
			{name: "get entry", method: "GET", path: "/api/v1/tenants/310107/library/" + entry},
			{name: "review", method: "POST", path: "/api/v1/tenants/310107/library/" + feeEntry + "/review", body: map[string]any{"decision": "publish"}},
		} {
			r.name, r.as, r.status, r.problem = as+"/"+r.name, as, 404, "tenant-not-found"
			rows = append(rows, r)
		}
	}
	rows = append(rows,
		row{name: "own path, other's entry", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/370104/library/" + entry, status: 404, problem: "library-entry-not-found"},
		row{name: "own path, review other's entry", as: "huaiyin-admin", method: "POST", path: "/api/v1/tenants/370104/library/" + entry + "/review", body: map[string]any{"decision": "reject", "reason": "x"}, status: 404, problem: "library-entry-not-found"},
		row{name: "own path, other's case similar", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/370104/cases/" + open + "/similar", status: 404, problem: "case-not-found"},
		row{name: "own path, submit other's case", as: "huaiyin-admin", method: "POST", path: "/api/v1/tenants/370104/library", body: map[string]any{"case_id": noise}, status: 404, problem: "case-not-found"},
		row{name: "province finds only escalated cases (none here)", as: "sh-prov", method: "GET", path: "/api/v1/tenants/310107/cases/search?q=" + url.QueryEscape("噪音"), status: 200, items: count(0)},
		row{name: "province cannot read the library", as: "sh-prov", method: "GET", path: "/api/v1/tenants/310107/library", status: 403, problem: "forbidden"},
		row{name: "nation cannot review", as: "nation", method: "POST", path: "/api/v1/tenants/310107/library/" + feeEntry + "/review", body: map[string]any{"decision": "publish"}, status: 403, problem: "forbidden"},
	)
	runRows(t, e, nil, rows)
	// Huaiyin's own search and library never show Putuo's.
	hs := e.do("huaiyin-admin", "GET", "/api/v1/tenants/370104/cases/search?q="+url.QueryEscape("噪音 张三"), nil)
	if it := items(hs); len(it) != 1 || it[0]["id"] != other {
		t.Errorf("huaiyin search: %s", hs.body)
	}
	if it := items(e.do("huaiyin-admin", "GET", "/api/v1/tenants/370104/library", nil)); len(it) != 0 {
		t.Errorf("huaiyin library shows %d entries", len(it))
	}
	if it := items(e.do("huaiyin-admin", "GET", "/api/v1/tenants/370104/cases/"+other+"/similar", nil)); len(it) != 0 {
		t.Errorf("huaiyin push offers %v", it)
	}
	// Nothing changed: the rejected entry is still rejected, the published one published.
	if g := e.do("putuo-staff", "GET", "/api/v1/tenants/310107/library/"+feeEntry, nil); g.json["status"] != "rejected" {
		t.Errorf("fee entry: %s", g.body)
	}
}

// withoutPII denies the parties' personal data to every caller, so that a district's staff
// read cases as a role without personal data would (like an analyst).
type withoutPII struct{ api.Authorizer }

func (w withoutPII) Allowed(sub, dom, obj, act string) (bool, error) {
	if obj == authz.ObjCasePII {
		return false, nil
	}
	return w.Authorizer.Allowed(sub, dom, obj, act)
}

func (w withoutPII) Decide(r authz.Request) (bool, error) {
	if r.Obj == authz.ObjCasePII {
		return false, nil
	}
	return w.Authorizer.Decide(r)
}

func (w withoutPII) AllowedRelationships(r authz.Request, rels []string) ([]string, error) {
	if r.Obj == authz.ObjCasePII {
		return nil, nil
	}
	return w.Authorizer.AllowedRelationships(r, rels)
}

// TestSearchMasksNamesWithoutPII: a caller who may read cases but not personal data finds
// nothing by a party's name and sees the names masked; nothing is audited.
func TestSearchMasksNamesWithoutPII(t *testing.T) {
	e := newEnv(t)
	id := e.createCase("putuo-staff", "310107", searchCase(t, "邻里噪音纠纷", "楼上深夜噪音不断。", "neighbour", "张三丰", "李四"))
	deps := e.deps // the same product, but its authorizer never grants personal data
	deps.Authz = withoutPII{e.authz}
	srv := api.New(deps)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	get := func(q string) response {
		req, _ := http.NewRequest(http.MethodGet, hs.URL+"/api/v1/tenants/310107/cases/search?q="+url.QueryEscape(q), nil)
		req.Header.Set("Authorization", "Bearer "+e.tokens["putuo-staff"])
		return e.send(req)
	}
	if res := get("张三丰"); res.status != 200 || len(items(res)) != 0 {
		t.Errorf("found by a name without the permission: %d %s", res.status, res.body)
	}
	res := get("噪音")
	it := items(res)
	if len(it) != 1 || it[0]["id"] != id {
		t.Fatalf("search: %s", res.body)
	}
	for _, p := range it[0]["parties"].([]any) {
		pm := p.(map[string]any)
		if pm["masked"] != true || strings.Contains(pm["name"].(string), "三丰") || strings.Contains(pm["name"].(string), "四") {
			t.Errorf("name not masked: %v", pm)
		}
	}
	if !strings.Contains(string(res.body), `"name":"张**"`) {
		t.Errorf("masked name: %s", res.body)
	}
	audit := e.do("putuo-admin", "GET", "/api/v1/tenants/310107/audit", nil)
	if strings.Contains(string(audit.body), "case.pii.search") {
		t.Errorf("a search without names was audited as a read of personal data")
	}
}
