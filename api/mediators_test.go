package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Mediators who are people in the system (issue 14, item 5): a registry mediator linked to a
// user account sees the cases assigned to them; assignments and sessions name registry
// mediators and experts by id; the figures count registry mediators; bureaus above a district
// read its registry.

// person creates a user of the tenant (as its administrator) and returns its id and credential.
func (e *env) person(t *testing.T, as, code, username, role, org string) (id, bearer string) {
	t.Helper()
	body := map[string]any{"username": username, "password": testPassword, "roles": []string{role}}
	if org != "" {
		body["organisation_id"] = org
	}
	res := e.do(as, http.MethodPost, "/api/v1/tenants/"+code+"/users", body)
	if res.status != http.StatusCreated {
		t.Fatalf("create %s: %d %s", username, res.status, res.body)
	}
	return res.json["id"].(string), "Bearer " + e.login(username, testPassword)
}

// mediatorWorld is Putuo with two committees, four registry mediators (王 is a chief mediator
// and logs in as wang; 李 has no account; 陈 belongs to the other committee; 孙 is inactive), an
// expert, and Huaiyin with a mediator of its own.
type mediatorWorld struct {
	e                        *env
	committee, other         string
	wang, li, chen, sun, guo string // registry mediators (guo: Huaiyin's)
	expert                   string
	wangUser, zhaoUser       string // user ids
	wangBearer, zhaoBearer   string
	clerk                    string // a court clerk of Putuo
	caseA, caseB, caseC      string
	pathA, pathB, pathC      string
}

func newMediatorWorld(t *testing.T) *mediatorWorld {
	e := newEnv(t)
	w := &mediatorWorld{e: e}
	w.committee = e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	w.other = e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "曹杨新村街道人民调解委员会", "street_code": "310107005"})
	court := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "普陀区人民法院"})
	_, w.clerk = e.person(t, "putuo-admin", "310107", "court-clerk", "agency-clerk", court)
	w.wangUser, w.wangBearer = e.person(t, "putuo-admin", "310107", "wang", "mediator", w.committee)
	w.zhaoUser, w.zhaoBearer = e.person(t, "putuo-admin", "310107", "zhao", "mediator", w.committee)
	med := func(body map[string]any) string { return e.mustCreate("putuo-admin", putuoMediators, body) }
	w.wang = med(map[string]any{"name": "王明", "kind": "full_time", "organisation_id": w.committee, "chief": true, "phone": "13800138000",
		"certificate_number": "沪普调证2026001", "user_id": w.wangUser})
	w.li = med(map[string]any{"name": "李红", "kind": "part_time", "organisation_id": w.committee})
	w.chen = med(map[string]any{"name": "陈刚", "kind": "full_time", "organisation_id": w.other})
	w.sun = med(map[string]any{"name": "孙立", "kind": "full_time", "organisation_id": w.committee})
	if res := e.do("putuo-admin", http.MethodPatch, putuoMediators+"/"+w.sun, map[string]any{"status": "inactive"}); res.status != 200 {
		t.Fatalf("deactivate: %d %s", res.status, res.body)
	}
	w.expert = e.mustCreate("putuo-admin", putuoExperts, map[string]any{"name": "张律师", "field": "lawyer"})
	hOrg := e.org(t, "huaiyin-admin", "370104", map[string]any{"kind": "street_committee", "name": "西市场街道人民调解委员会", "street_code": "370104001"})
	w.guo = e.mustCreate("huaiyin-admin", "/api/v1/tenants/370104/mediators", map[string]any{"name": "郭明理", "kind": "full_time", "organisation_id": hOrg, "chief": true})
	w.caseA = e.createCase("putuo-staff", "310107", sampleCase(t, "王明主办的纠纷"))
	w.caseB = e.createCase("putuo-staff", "310107", sampleCase(t, "李红主办的纠纷"))
	w.caseC = e.createCase("putuo-staff", "310107", sampleCase(t, "尚未指派的纠纷"))
	base := "/api/v1/tenants/310107/cases/"
	w.pathA, w.pathB, w.pathC = base+w.caseA, base+w.caseB, base+w.caseC
	return w
}

func TestAssignRegistryMediators(t *testing.T) {
	w := newMediatorWorld(t)
	e := w.e
	assign := func(body map[string]any) map[string]any {
		body["committee_id"] = w.committee
		return body
	}
	runRows(t, e, nil, []row{
		{name: "a mediator named by name", as: "putuo-staff", method: "POST", path: w.pathA + "/actions/assign", body: assign(map[string]any{"mediators": []string{w.wang, "李红"}}), status: 400, problem: "invalid-field", field: "mediators[1]"},
		{name: "an unknown mediator", as: "putuo-staff", method: "POST", path: w.pathA + "/actions/assign", body: assign(map[string]any{"mediators": []string{"00000000-0000-4000-8000-000000000000"}}), status: 400, problem: "invalid-field", field: "mediators[0]"},
		{name: "an inactive mediator", as: "putuo-staff", method: "POST", path: w.pathA + "/actions/assign", body: assign(map[string]any{"mediators": []string{w.wang, w.sun}}), status: 400, problem: "invalid-field", field: "mediators[1]"},
		{name: "another district's mediator", as: "putuo-staff", method: "POST", path: w.pathA + "/actions/assign", body: assign(map[string]any{"mediators": []string{w.guo}}), status: 400, problem: "invalid-field", field: "mediators[0]"},
		{name: "a mediator named twice", as: "putuo-staff", method: "POST", path: w.pathA + "/actions/assign", body: assign(map[string]any{"mediators": []string{w.wang, w.wang}}), status: 400, problem: "invalid-field", field: "mediators[1]"},
		{name: "a mediator given as an expert", as: "putuo-staff", method: "POST", path: w.pathA + "/actions/assign", body: assign(map[string]any{"experts": []string{w.wang}}), status: 400, problem: "invalid-field", field: "experts[0]"},
	})
	// Bad input changed nothing.
	if c := e.do("putuo-staff", http.MethodGet, w.pathA, nil); c.json["status"] != "received" || c.json["mediators"] != nil || c.json["version"].(float64) != 1 {
		t.Fatalf("case after refused assignments: %s", c.body)
	}
	runRows(t, e, nil, []row{
		{name: "assign with a lead, a co-mediator and an expert", as: "putuo-staff", method: "POST", path: w.pathA + "/actions/assign", body: assign(map[string]any{"mediators": []string{w.wang, w.li}, "experts": []string{w.expert}}), status: 200},
		{name: "assign B to 李红", as: "putuo-staff", method: "POST", path: w.pathB + "/actions/assign", body: assign(map[string]any{"mediators": []string{w.li}}), status: 200},
		{name: "assign C with none", as: "putuo-staff", method: "POST", path: w.pathC + "/actions/assign", body: assign(map[string]any{}), status: 200},
	})
	c := e.do("putuo-staff", http.MethodGet, w.pathA, nil)
	ms, _ := c.json["mediators"].([]any)
	xs, _ := c.json["experts"].([]any)
	if len(ms) != 2 || ms[0].(map[string]any)["name"] != "王明" || ms[0].(map[string]any)["chief"] != true || ms[1].(map[string]any)["id"] != w.li ||
		len(xs) != 1 || xs[0].(map[string]any)["name"] != "张律师" || xs[0].(map[string]any)["field"] != "lawyer" {
		t.Fatalf("case shows mediators %v, experts %v", ms, xs)
	}
	h := e.do("putuo-staff", http.MethodGet, w.pathA+"/history", nil)
	if !strings.Contains(string(h.body), w.wang) || !strings.Contains(string(h.body), w.expert) {
		t.Errorf("history does not record the assignment's people: %s", h.body)
	}

	// Sessions name who was present by registry id; the session shows the names.
	at := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	session := func(s map[string]any) map[string]any {
		s["at"], s["mode"] = at, "in_person"
		return map[string]any{"session": s}
	}
	runRows(t, e, nil, []row{
		{name: "start mediation", as: w.wangBearer, method: "POST", path: w.pathA + "/actions/start_mediation", status: 200},
		{name: "a session naming mediators by name", as: w.wangBearer, method: "POST", path: w.pathA + "/actions/record_session", body: session(map[string]any{"mediators": []string{"王明"}}), status: 400, problem: "invalid-field", field: "session.mediators"},
		{name: "a session with an unknown mediator", as: w.wangBearer, method: "POST", path: w.pathA + "/actions/record_session", body: session(map[string]any{"mediator_ids": []string{w.wang, w.guo}}), status: 400, problem: "invalid-field", field: "session.mediator_ids[1]"},
		{name: "a session with an unknown expert", as: w.wangBearer, method: "POST", path: w.pathA + "/actions/record_session", body: session(map[string]any{"expert_ids": []string{w.li}}), status: 400, problem: "invalid-field", field: "session.expert_ids[0]"},
		{name: "a session by registry ids", as: w.wangBearer, method: "POST", path: w.pathA + "/actions/record_session", body: session(map[string]any{"mediator_ids": []string{w.wang, w.li}, "expert_ids": []string{w.expert}, "participants": []string{"申请人的代理律师"}, "summary": "双方到场"}), status: 200},
	})
	c = e.do("putuo-staff", http.MethodGet, w.pathA, nil)
	ss, _ := c.json["sessions"].([]any)
	if len(ss) != 1 {
		t.Fatalf("sessions: %s", c.body)
	}
	s := ss[0].(map[string]any)
	if strings.Join(strs(s["mediators"]), ",") != "王明,李红" || strings.Join(strs(s["participants"]), ",") != "张律师,申请人的代理律师" ||
		strings.Join(strs(s["mediator_ids"]), ",") != w.wang+","+w.li || strings.Join(strs(s["expert_ids"]), ",") != w.expert {
		t.Errorf("session shows %v", s)
	}

	// A transfer to another committee clears the mediators, unless it names the new ones.
	runRows(t, e, nil, []row{
		{name: "transfer B naming the new committee's mediator", as: "putuo-staff", method: "POST", path: w.pathB + "/actions/transfer", body: map[string]any{"committee_id": w.other, "reason": "当事人居住地在曹杨", "mediators": []string{w.chen}}, status: 200},
	})
	if c := e.do("putuo-staff", http.MethodGet, w.pathB, nil); len(c.json["mediators"].([]any)) != 1 || c.json["mediators"].([]any)[0].(map[string]any)["name"] != "陈刚" {
		t.Errorf("B after transfer: %v", c.json["mediators"])
	}
}

func strs(v any) []string {
	var out []string
	xs, _ := v.([]any)
	for _, x := range xs {
		out = append(out, x.(string))
	}
	return out
}

// TestMediatorSeesAssignedCases: the mediator relationship. A user linked to a registry
// mediator lists, reads and works on exactly the cases assigned to that mediator — not the
// other cases of their committee — and nothing else.
func TestMediatorSeesAssignedCases(t *testing.T) {
	w := newMediatorWorld(t)
	e := w.e
	for _, step := range []struct{ path, body string }{{w.pathA, w.wang}, {w.pathB, w.li}} {
		res := e.do("putuo-staff", http.MethodPost, step.path+"/actions/assign", map[string]any{"committee_id": w.committee, "mediators": []string{step.body}})
		if res.status != 200 {
			t.Fatalf("assign: %d %s", res.status, res.body)
		}
	}
	res := e.do("putuo-staff", http.MethodPost, w.pathC+"/actions/assign", map[string]any{"committee_id": w.committee})
	if res.status != 200 {
		t.Fatalf("assign: %d %s", res.status, res.body)
	}
	cases := "/api/v1/tenants/310107/cases"
	runRows(t, e, nil, []row{
		{name: "the mediator lists their case only", as: w.wangBearer, method: "GET", path: cases, status: 200, items: count(1)},
		{name: "the mediator reads their case", as: w.wangBearer, method: "GET", path: w.pathA, status: 200},
		{name: "with the parties", as: w.wangBearer, method: "GET", path: w.pathA + "?reveal=pii", status: 200},
		{name: "the mediator works on their case", as: w.wangBearer, method: "POST", path: w.pathA + "/actions/start_mediation", status: 200},
		{name: "not a case of their committee assigned to another", as: w.wangBearer, method: "GET", path: w.pathB, status: 404, problem: "case-not-found"},
		{name: "nor one assigned to nobody", as: w.wangBearer, method: "POST", path: w.pathC + "/actions/start_mediation", status: 404, problem: "case-not-found"},
		{name: "the mediator sees their follow-ups only", as: w.wangBearer, method: "GET", path: "/api/v1/tenants/310107/follow-ups", status: 200, items: count(0)},
	})
	runRows(t, e, nil, []row{
		{name: "the mediator does not read the registry", as: w.wangBearer, method: "GET", path: putuoMediators, status: 403, problem: "forbidden"},
		{name: "the mediator does not create cases", as: w.wangBearer, method: "POST", path: cases, body: sampleCase(t, "x"), status: 403, problem: "forbidden"},
		{name: "the mediator does not read the statistics", as: w.wangBearer, method: "GET", path: "/api/v1/tenants/310107/stats", status: 403, problem: "forbidden"},
		{name: "a mediator without a registry record sees nothing", as: w.zhaoBearer, method: "GET", path: cases, status: 200, items: count(0)},
		{name: "nor reads a case", as: w.zhaoBearer, method: "GET", path: w.pathB, status: 404, problem: "case-not-found"},
		// Linking a user account: checked, one mediator per user.
		{name: "link a user already linked", as: "putuo-admin", method: "PATCH", path: putuoMediators + "/" + w.li, body: map[string]any{"user_id": w.wangUser}, status: 409, problem: "mediator-user-linked", field: "user_id"},
		{name: "link another district's user", as: "putuo-admin", method: "PATCH", path: putuoMediators + "/" + w.li, body: map[string]any{"user_id": "{user:huaiyin-staff}"}, status: 400, problem: "invalid-field", field: "user_id"},
		{name: "link a user name", as: "putuo-admin", method: "PATCH", path: putuoMediators + "/" + w.li, body: map[string]any{"user_id": "zhao"}, status: 400, problem: "invalid-field", field: "user_id"},
		{name: "staff cannot link", as: "putuo-staff", method: "PATCH", path: putuoMediators + "/" + w.li, body: map[string]any{"user_id": w.zhaoUser}, status: 403, problem: "forbidden"},
		{name: "link 李红 to zhao", as: "putuo-admin", method: "PATCH", path: putuoMediators + "/" + w.li, body: map[string]any{"user_id": w.zhaoUser}, status: 200},
		{name: "zhao now lists 李红's case", as: w.zhaoBearer, method: "GET", path: cases, status: 200, items: count(1)},
		{name: "and reads it", as: w.zhaoBearer, method: "GET", path: w.pathB, status: 200},
		{name: "unlink", as: "putuo-admin", method: "PATCH", path: putuoMediators + "/" + w.li, body: map[string]any{"user_id": ""}, status: 200},
		{name: "zhao lost it", as: w.zhaoBearer, method: "GET", path: w.pathB, status: 404, problem: "case-not-found"},
	})
	// The link is shown to the district and audited.
	if m := e.do("putuo-admin", http.MethodGet, putuoMediators+"/"+w.wang, nil); m.json["user_id"] != w.wangUser || m.json["masked"] != false {
		t.Errorf("mediator as the district sees it: %s", m.body)
	}
}

// TestRegistryUpward: city and provincial bureaus read their subtree's registry (phones and
// certificate numbers masked, no user accounts), filter chief mediators and count them by
// district; another city's bureau, another district and agency clerks cannot.
func TestRegistryUpward(t *testing.T) {
	w := newMediatorWorld(t)
	e := w.e
	_, shCityBearer := e.person(t, "sh-prov", "310100", "sh-city", "city-admin", "")
	_, head := e.person(t, "putuo-admin", "310107", "changshou-head", "committee-head", w.committee)
	_, analyst := e.person(t, "putuo-admin", "310107", "putuo-analyst", "analyst", "")
	runRows(t, e, nil, []row{
		{name: "the province lists Shanghai's chief mediators", as: "sh-prov", method: "GET", path: "/api/v1/tenants/310000/mediators?subtree=true&chief=true", status: 200, items: count(1)},
		{name: "the city lists its districts' mediators", as: shCityBearer, method: "GET", path: "/api/v1/tenants/310100/mediators?subtree=true", status: 200, items: count(4)},
		{name: "active ones", as: shCityBearer, method: "GET", path: "/api/v1/tenants/310100/mediators?subtree=true&status=active", status: 200, items: count(3)},
		{name: "all but the chief mediators", as: shCityBearer, method: "GET", path: "/api/v1/tenants/310100/mediators?subtree=true&chief=false", status: 200, items: count(3)},
		{name: "without subtree, the city's own registry", as: shCityBearer, method: "GET", path: "/api/v1/tenants/310100/mediators", status: 200, items: count(0)},
		{name: "the city reads a district's registry", as: shCityBearer, method: "GET", path: putuoMediators + "?chief=true", status: 200, items: count(1)},
		{name: "and its organisations", as: shCityBearer, method: "GET", path: "/api/v1/tenants/310100/organisations?subtree=true", status: 200, items: count(3)},
		{name: "but changes nothing", as: shCityBearer, method: "PATCH", path: putuoMediators + "/" + w.wang, body: map[string]any{"chief": false}, status: 403, problem: "forbidden"},
		{name: "nor registers mediators", as: shCityBearer, method: "POST", path: putuoMediators, body: map[string]any{"name": "x", "kind": "full_time", "organisation_id": w.committee}, status: 403, problem: "forbidden"},
		{name: "Jinan reads Huaiyin's", as: "jinan-city", method: "GET", path: "/api/v1/tenants/370100/mediators?subtree=true&chief=true", status: 200, items: count(1)},
		{name: "Jinan does not read Putuo's", as: "jinan-city", method: "GET", path: putuoMediators, status: 404, problem: "tenant-not-found"},
		{name: "another district does not read Putuo's", as: "huaiyin-admin", method: "GET", path: putuoMediators, status: 404, problem: "tenant-not-found"},
		{name: "a district does not read its city's subtree", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310100/mediators?subtree=true", status: 404, problem: "tenant-not-found"},
		{name: "a committee head reads the district's mediators", as: head, method: "GET", path: putuoMediators + "?chief=true", status: 200, items: count(1)},
		{name: "but not the city's subtree", as: head, method: "GET", path: "/api/v1/tenants/310100/mediators?subtree=true", status: 404, problem: "tenant-not-found"},
		{name: "an analyst does not read the mediators", as: analyst, method: "GET", path: putuoMediators, status: 403, problem: "forbidden"},
		{name: "an agency clerk does not read the registry", as: w.clerk, method: "GET", path: putuoMediators, status: 403, problem: "forbidden"},
		{name: "an agency clerk does not count it", as: w.clerk, method: "GET", path: "/api/v1/tenants/310107/mediator-counts", status: 403, problem: "forbidden"},
		{name: "chief must be true or false", as: "putuo-staff", method: "GET", path: putuoMediators + "?chief=yes", status: 400, problem: "invalid-field", field: "chief"},
		{name: "subtree must be true or false", as: shCityBearer, method: "GET", path: "/api/v1/tenants/310100/mediators?subtree=1", status: 400, problem: "invalid-field", field: "subtree"},
	})
	// Masked upward, in full for the district.
	up := e.do(shCityBearer, http.MethodGet, putuoMediators+"/"+w.wang, nil)
	if up.status != 200 || up.json["masked"] != true || up.json["phone"] != "138****8000" || up.json["user_id"] != nil ||
		up.json["certificate_number"] != "****6001" || up.json["name"] != "王明" {
		t.Errorf("the city sees %d %s", up.status, up.body)
	}
	own := e.do("putuo-staff", http.MethodGet, putuoMediators+"/"+w.wang, nil)
	if own.json["phone"] != "13800138000" || own.json["masked"] != false {
		t.Errorf("the district sees %s", own.body)
	}
	// Counts by district: Shanghai counts its chief mediators.
	res := e.do("sh-prov", http.MethodGet, "/api/v1/tenants/310000/mediator-counts?status=active", nil)
	items, _ := res.json["items"].([]any)
	if res.status != 200 || len(items) != 1 {
		t.Fatalf("counts: %d %s", res.status, res.body)
	}
	putuo := items[0].(map[string]any)
	total := res.json["total"].(map[string]any)
	if putuo["tenant_code"] != "310107" || putuo["tenant_name"] == "" || num(putuo["total"]) != 3 || num(putuo["chief"]) != 1 ||
		num(putuo["full_time"]) != 2 || num(putuo["part_time"]) != 1 || num(putuo["linked"]) != 1 || num(total["chief"]) != 1 {
		t.Errorf("counts: %s", res.body)
	}
	if res := e.do("nation", http.MethodGet, "/api/v1/tenants/000000/mediator-counts?chief=true", nil); num(res.json["total"].(map[string]any)["total"]) != 2 {
		t.Errorf("the country's chief mediators: %s", res.body)
	}
}
