package api_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/api"
)

// row is one API test: who calls what, and what must come back.
type row struct {
	name    string
	as      string
	method  string
	path    string // {user:NAME} and {token:NAME} are replaced by ids
	body    any
	status  int
	problem string // problem type slug when the status is an error
	field   string // the field a problem must name
	// items, when set, is how many items a successful list must hold.
	items *int
}

func count(n int) *int { return &n }

func (e *env) expand(path string, tokens map[string]string) string {
	for name, id := range e.ids {
		path = strings.ReplaceAll(path, "{user:"+name+"}", id)
	}
	for name, id := range tokens {
		path = strings.ReplaceAll(path, "{token:"+name+"}", id)
	}
	return path
}

func runRows(t *testing.T, e *env, tokens map[string]string, rows []row) {
	t.Helper()
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			res := e.do(r.as, r.method, e.expand(r.path, tokens), r.body)
			if res.status >= 500 {
				t.Fatalf("server error %d: %s", res.status, res.body)
			}
			if res.status != r.status {
				t.Fatalf("status %d, want %d: %s", res.status, r.status, res.body)
			}
			if r.status < 400 {
				if r.items != nil {
					if list, _ := res.json["items"].([]any); len(list) != *r.items {
						t.Fatalf("%d items, want %d: %s", len(list), *r.items, res.body)
					}
				}
				return
			}
			if ct := res.header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("content type %q, want application/problem+json", ct)
			}
			if got := fmt.Sprint(res.json["type"]); got != api.ProblemBase+r.problem {
				t.Errorf("problem type %q, want %q", got, api.ProblemBase+r.problem)
			}
			if int(res.json["status"].(float64)) != res.status {
				t.Errorf("problem status %v != HTTP status %d", res.json["status"], res.status)
			}
			if r.field != "" && res.json["field"] != r.field {
				t.Errorf("problem field %v, want %q: %s", res.json["field"], r.field, res.body)
			}
			if res.json["title"] == "" || res.json["detail"] == "" {
				t.Errorf("problem without title or detail: %s", res.body)
			}
			title, _ := res.json["title"].(string)
			detail, _ := res.json["detail"].(string)
			checkProblemLanguage(t, title, detail)
		})
	}
}

// agencyToken creates an API token in a tenant through the API and returns its id and text.
func (e *env) agencyToken(as, code string) (id, text string) {
	e.t.Helper()
	res := e.do(as, http.MethodPost, "/api/v1/tenants/"+code+"/tokens", map[string]any{"name": "法院系统 " + code, "role": "agency-system"})
	if res.status != http.StatusCreated {
		e.t.Fatalf("create token: %d %s", res.status, res.body)
	}
	return res.json["id"].(string), res.json["token"].(string)
}

// TestTenantIsolation proves from the outside that one district's credentials can neither read,
// list, count, update nor delete another tenant's rows through any endpoint, and that nothing of
// the other tenant changed afterwards.
func TestTenantIsolation(t *testing.T) {
	e := newEnvWith(t, envOptions{plugins: true})
	// A plugin enabled in Huaiyin, for the plugin routes (faulty: every region).
	e.install(t, buildPlugin(t, "plugins/internal/faulty", ""))
	e.enablePlugin(t, "huaiyin-admin", "370104", "faulty", map[string]any{"mode": "ok"})
	huaiyinTok, _ := e.agencyToken("huaiyin-admin", "370104")
	putuoTok, putuoText := e.agencyToken("putuo-admin", "310107")
	tokens := map[string]string{"huaiyin": huaiyinTok, "putuo": putuoTok}
	// Huaiyin's case, organisation and share, for the cross-agency routes.
	hOrg := e.org(t, "huaiyin-admin", "370104", map[string]any{"kind": "police_station", "name": "槐荫派出所"})
	hBody := sampleCase(t, "槐荫的纠纷")
	hBody["place_code"] = "370104001"
	hCase := e.createCase("huaiyin-staff", "370104", hBody)
	hc := "/api/v1/tenants/370104/cases/" + hCase
	res := e.do("huaiyin-staff", http.MethodPost, hc+"/shares", map[string]any{"grantee_tenant": "370104", "grantee_organisation_id": hOrg, "purpose": "协查", "expires_at": time.Now().Add(time.Hour).Format(time.RFC3339)})
	if res.status != http.StatusCreated {
		t.Fatalf("share: %d %s", res.status, res.body)
	}
	hShare := res.json["id"].(string)
	res = e.do("huaiyin-admin", http.MethodGet, "/api/v1/tenants/370104/policies?role=district-staff", nil)
	hRule := res.json["items"].([]any)[0].(map[string]any)["id"].(string)
	before := e.do("huaiyin-admin", http.MethodGet, "/api/v1/tenants/370104/audit", nil)

	var rows []row
	for _, as := range []string{"putuo-admin", "putuo-staff", "Bearer " + putuoText, "qingpu-admin"} {
		for _, r := range []row{
			{name: "read tenant", method: "GET", path: "/api/v1/tenants/370104"},
			{name: "update tenant", method: "PATCH", path: "/api/v1/tenants/370104", body: map[string]any{"display_name": "x"}},
			{name: "suspend tenant", method: "POST", path: "/api/v1/tenants/370104/suspend", body: map[string]any{}},
			{name: "archive tenant", method: "POST", path: "/api/v1/tenants/370104/archive", body: map[string]any{}},
			{name: "list users", method: "GET", path: "/api/v1/tenants/370104/users"},
			{name: "read user", method: "GET", path: "/api/v1/tenants/370104/users/{user:huaiyin-admin}"},
			{name: "create user", method: "POST", path: "/api/v1/tenants/370104/users", body: map[string]any{"username": "intruder", "password": testPassword, "roles": []string{"district-staff"}}},
			{name: "update user", method: "PATCH", path: "/api/v1/tenants/370104/users/{user:huaiyin-staff}", body: map[string]any{"status": "disabled"}},
			{name: "end a user's sessions", method: "DELETE", path: "/api/v1/tenants/370104/users/{user:huaiyin-staff}/sessions"},
			{name: "list tokens", method: "GET", path: "/api/v1/tenants/370104/tokens"},
			{name: "create token", method: "POST", path: "/api/v1/tenants/370104/tokens", body: map[string]any{"name": "x", "role": "agency-system"}},
			{name: "revoke token", method: "DELETE", path: "/api/v1/tenants/370104/tokens/{token:huaiyin}"},
			{name: "list offices", method: "GET", path: "/api/v1/tenants/370104/offices"},
			{name: "read audit", method: "GET", path: "/api/v1/tenants/370104/audit"},
			{name: "read parent province", method: "GET", path: "/api/v1/tenants/370000"},
			{name: "read other city", method: "GET", path: "/api/v1/tenants/370100"},
			{name: "list policies", method: "GET", path: "/api/v1/tenants/370104/policies"},
			{name: "add policy", method: "POST", path: "/api/v1/tenants/370104/policies", body: map[string]any{"role": "agency-clerk", "resource": "cases", "action": "read", "relationship": "member"}},
			{name: "remove policy", method: "DELETE", path: "/api/v1/tenants/370104/policies/" + hRule},
			{name: "explain", method: "GET", path: "/api/v1/tenants/370104/policies/explain?username=huaiyin-staff&resource=cases&action=read"},
			{name: "read case", method: "GET", path: hc},
			{name: "share case", method: "POST", path: hc + "/shares", body: map[string]any{"grantee_tenant": "310107", "purpose": "x", "expires_at": time.Now().Add(time.Hour).Format(time.RFC3339)}},
			{name: "list shares", method: "GET", path: hc + "/shares"},
			{name: "revoke share", method: "DELETE", path: hc + "/shares/" + hShare},
			{name: "shared with huaiyin", method: "GET", path: "/api/v1/tenants/370104/shared-cases"},
			{name: "link case", method: "POST", path: hc + "/links", body: map[string]any{"kind": "organisation", "party_id": hOrg}},
			{name: "list links", method: "GET", path: hc + "/links"},
			{name: "unlink", method: "DELETE", path: hc + "/links/organisation/" + hOrg},
			{name: "agency token", method: "POST", path: "/api/v1/tenants/370104/organisations/" + hOrg + "/tokens", body: map[string]any{"name": "x"}},
			{name: "tenant's plugins", method: "GET", path: "/api/v1/tenants/370104/plugins"},
			{name: "tenant's plugin", method: "GET", path: "/api/v1/tenants/370104/plugins/faulty"},
			{name: "enable plugin", method: "PUT", path: "/api/v1/tenants/370104/plugins/faulty", body: map[string]any{"settings": map[string]any{"mode": "hang"}}},
			{name: "disable plugin", method: "DELETE", path: "/api/v1/tenants/370104/plugins/faulty"},
			{name: "plugin route", method: "GET", path: "/api/v1/tenants/370104/plugins/faulty/mode"},
			{name: "plugin route, host call", method: "GET", path: "/api/v1/tenants/370104/plugins/faulty/cross?tenant=370104&case=" + hCase},
		} {
			r.name = strings.TrimPrefix(as, "Bearer ")[:min(len(as), 12)] + "/" + r.name
			r.as, r.status, r.problem = as, http.StatusNotFound, "tenant-not-found"
			rows = append(rows, r)
		}
	}
	// Another tenant's ids through one's own tenant path: not found either.
	rows = append(rows,
		row{name: "own path, other's user", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/users/{user:huaiyin-admin}", status: 404, problem: "user-not-found"},
		row{name: "own path, update other's user", as: "putuo-admin", method: "PATCH", path: "/api/v1/tenants/310107/users/{user:huaiyin-staff}", body: map[string]any{"status": "disabled"}, status: 404, problem: "user-not-found"},
		row{name: "own path, end other's user's sessions", as: "putuo-admin", method: "DELETE", path: "/api/v1/tenants/310107/users/{user:huaiyin-staff}/sessions", status: 404, problem: "user-not-found"},
		row{name: "own path, revoke other's token", as: "putuo-admin", method: "DELETE", path: "/api/v1/tenants/310107/tokens/{token:huaiyin}", status: 404, problem: "token-not-found"},
		row{name: "province of another province", as: "sh-prov", method: "GET", path: "/api/v1/tenants/370104/users", status: 404, problem: "tenant-not-found"},
		row{name: "city of another city", as: "jinan-city", method: "GET", path: "/api/v1/tenants/310107", status: 404, problem: "tenant-not-found"},
		row{name: "onboard outside province", as: "sh-prov", method: "POST", path: "/api/v1/tenants", body: map[string]any{"code": "370102"}, status: 403, problem: "outside-jurisdiction", field: "code"},
		row{name: "bulk outside province", as: "sh-prov", method: "POST", path: "/api/v1/tenants/bulk", body: map[string]any{"within": "370000"}, status: 403, problem: "outside-jurisdiction", field: "code"},
		row{name: "district onboards a neighbour", as: "putuo-admin", method: "POST", path: "/api/v1/tenants", body: map[string]any{"code": "310118"}, status: 403, problem: "outside-jurisdiction", field: "code"},
		row{name: "own path, other's case", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/cases/" + hCase, status: 404, problem: "case-not-found"},
		row{name: "own path, other's case shares", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/cases/" + hCase + "/shares", status: 404, problem: "case-not-found"},
		row{name: "own path, revoke other's share", as: "putuo-admin", method: "DELETE", path: "/api/v1/tenants/310107/cases/" + hCase + "/shares/" + hShare, status: 404, problem: "case-not-found"},
		row{name: "own path, other's organisation token", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/organisations/" + hOrg + "/tokens", body: map[string]any{"name": "x"}, status: 404, problem: "organisation-not-found"},
		row{name: "own path, a default rule", as: "putuo-admin", method: "DELETE", path: "/api/v1/tenants/310107/policies/" + hRule, status: 409, problem: "default-rule"},
		row{name: "own path, explain other's user", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/policies/explain?username=huaiyin-staff&resource=cases&action=read", status: 404, problem: "user-not-found"},
	)
	runRows(t, e, tokens, rows)

	// A plugin acting for Putuo cannot reach Huaiyin's case through the host API.
	e.enablePlugin(t, "putuo-admin", "310107", "faulty", map[string]any{"mode": "ok"})
	res = e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/plugins/faulty/cross?tenant=370104&case="+hCase, nil)
	if res.status != 200 || res.json["code"] != "PermissionDenied" {
		t.Errorf("a plugin called for Putuo read in Huaiyin: %d %s", res.status, res.body)
	}
	res = e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/plugins/faulty/cross?tenant=310107&case="+hCase, nil)
	if res.status != 200 || res.json["code"] != "NotFound" {
		t.Errorf("a plugin called for Putuo found Huaiyin's case in Putuo: %d %s", res.status, res.body)
	}

	// Listing and counting from a district shows only itself.
	res = e.do("putuo-admin", "GET", "/api/v1/tenants?limit=500", nil)
	items := res.json["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["code"] != "310107" {
		t.Errorf("putuo lists %d tenants, want only itself: %s", len(items), res.body)
	}
	for _, q := range []string{"?within=370000", "?parent=370100", "?q=槐荫", "?level=district"} {
		res := e.do("putuo-admin", "GET", "/api/v1/tenants"+q, nil)
		for _, it := range res.json["items"].([]any) {
			if code := it.(map[string]any)["code"]; code != "310107" {
				t.Errorf("list%s from putuo shows %v", q, code)
			}
		}
	}
	res = e.do("putuo-admin", "GET", "/api/v1/tenants/310107/users", nil)
	for _, it := range res.json["items"].([]any) {
		if tc := it.(map[string]any)["tenant_code"]; tc != "310107" {
			t.Errorf("putuo user list shows a user of %v", tc)
		}
	}
	// Nothing of Huaiyin changed.
	after := e.do("huaiyin-admin", http.MethodGet, "/api/v1/tenants/370104/audit", nil)
	if len(after.json["items"].([]any)) != len(before.json["items"].([]any)) {
		t.Errorf("huaiyin audit trail changed: %d → %d events", len(before.json["items"].([]any)), len(after.json["items"].([]any)))
	}
	ht := e.do("huaiyin-admin", "GET", "/api/v1/tenants/370104", nil)
	if ht.json["status"] != "active" || ht.json["display_name"] != "" {
		t.Errorf("huaiyin tenant changed: %s", ht.body)
	}
	hs := e.do("huaiyin-admin", "GET", "/api/v1/tenants/370104/users/"+e.ids["huaiyin-staff"], nil)
	if hs.json["status"] != "active" {
		t.Errorf("huaiyin staff changed: %s", hs.body)
	}
	tl := e.do("huaiyin-admin", "GET", "/api/v1/tenants/370104/tokens", nil)
	for _, it := range tl.json["items"].([]any) {
		if it.(map[string]any)["revoked_at"] != nil {
			t.Errorf("huaiyin token revoked: %v", it)
		}
	}
	ul := e.do("huaiyin-admin", "GET", "/api/v1/tenants/370104/users", nil)
	for _, it := range ul.json["items"].([]any) {
		if it.(map[string]any)["username"] == "intruder" {
			t.Error("intruder was created in huaiyin")
		}
	}
}

// TestPluginHostCallIsolation is the isolation matrix of the plugin host API: every host call,
// made by a plugin for a route's caller, for every role of a district and above, on a case the
// caller has relationships to and on one it has none to. A plugin acting for a user can do no
// more than the user could through the API (and no more than the plugin was granted): a case the
// user cannot see does not exist (NotFound), one it may read but not act on is PermissionDenied,
// lists hold what the user's own list holds. The plugin (faulty, every permission granted) makes
// the calls through its route POST /host; the reads are checked against the API's own answers.
func TestPluginHostCallIsolation(t *testing.T) {
	e := newEnvWith(t, envOptions{plugins: true})
	e.install(t, buildPlugin(t, "plugins/internal/faulty", ""))
	e.install(t, buildPlugin(t, "plugins/example/cmd", "-X main.version=1.0.0"))
	e.enablePlugin(t, "putuo-admin", "310107", "faulty", map[string]any{"mode": "ok"})
	e.enablePlugin(t, "putuo-admin", "310107", "example", map[string]any{})
	const code = "310107"
	court := e.org(t, "putuo-admin", code, map[string]any{"kind": "court", "name": "普陀区人民法院"})
	police := e.org(t, "putuo-admin", code, map[string]any{"kind": "police_station", "name": "长寿路派出所"})
	other := e.org(t, "putuo-admin", code, map[string]any{"kind": "police_station", "name": "真如派出所"})
	committee := e.org(t, "putuo-admin", code, map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	committee2 := e.org(t, "putuo-admin", code, map[string]any{"kind": "street_committee", "name": "真如镇街道人民调解委员会", "street_code": "310107016"})
	res := e.do("nation", http.MethodPost, "/api/v1/tenants/310100/users", map[string]any{"username": "sh-city", "password": testPassword, "roles": []string{"city-admin"}})
	if res.status != http.StatusCreated {
		t.Fatalf("city admin: %d %s", res.status, res.body)
	}
	who := map[string]string{ // role → credential
		"national admin": "nation",
		"province admin": "sh-prov",
		"city admin":     "Bearer " + e.login("sh-city", testPassword),
		"district admin": "putuo-admin",
		"district staff": "putuo-staff",
		"court clerk":    e.agencyUser(t, code, "court-clerk", "agency-clerk", court),
		"police officer": e.agencyUser(t, code, "police-officer", "agency-clerk", police),
		"committee head": e.agencyUser(t, code, "committee-head", "committee-head", committee),
		"mediator":       e.agencyUser(t, code, "mediator-wang", "mediator", committee2),
	}
	res = e.do("putuo-admin", http.MethodPost, "/api/v1/tenants/"+code+"/organisations/"+court+"/tokens", map[string]any{"name": "法院诉调对接系统"})
	if res.status != http.StatusCreated {
		t.Fatalf("agency token: %d %s", res.status, res.body)
	}
	who["court token"] = "Bearer " + res.json["token"].(string)
	me := e.do(who["mediator"], http.MethodGet, "/api/v1/me", nil)
	mediatorID := strings.TrimPrefix(fmt.Sprint(me.json["subject"]), "user:")
	if len(mediatorID) != 36 {
		t.Fatalf("me: %s", me.body)
	}

	// related: referred by the court, linked to the police, assigned to the committee, with the
	// mediator; unrelated: a case of the district nobody outside the bureau stands to.
	referred := sampleCase(t, "法院委派的邻里纠纷")
	referred["source"] = "court"
	referred["referral"] = map[string]any{"agency": "普陀区人民法院", "agency_id": court, "reference": "(2026)沪0107民诉前调9号", "kind": "pre_filing"}
	related := e.createCase("putuo-staff", code, referred)
	unrelated := e.createCase("putuo-staff", code, sampleCase(t, "无关的纠纷"))
	rc := "/api/v1/tenants/" + code + "/cases/" + related
	for _, step := range []struct {
		path string
		body map[string]any
	}{
		{rc + "/links", map[string]any{"kind": "organisation", "party_id": police}},
		{rc + "/actions/assign", map[string]any{"committee_id": committee}},
		{rc + "/links", map[string]any{"kind": "user", "party_id": mediatorID}},
	} {
		if res := e.do("putuo-staff", http.MethodPost, step.path, step.body); res.status >= 300 {
			t.Fatalf("%s: %d %s", step.path, res.status, res.body)
		}
	}
	caseOf := map[string]string{"related": related, "unrelated": unrelated}

	// What each role may do on the related case under the default rules (docs/access.md); on
	// the unrelated case only the bureau's own staff may do anything.
	type may struct{ read, update, link, share, pii bool }
	owner := may{true, true, true, true, true}
	onRelated := map[string]may{
		"national admin": {}, "province admin": {}, "city admin": {}, // figures, not cases
		"district admin": owner, "district staff": owner,
		"court clerk":    {read: true}, // referrer
		"court token":    {read: true},
		"police officer": {read: true, pii: true},                           // linked
		"committee head": {read: true, update: true, link: true, pii: true}, // committee
		"mediator":       {read: true, update: true, pii: true},             // mediator
	}
	mayOn := func(role, which string) may {
		if which == "unrelated" {
			if onRelated[role] == owner {
				return owner
			}
			return may{}
		}
		return onRelated[role]
	}
	// expect is the gRPC code the API's decision implies: NotFound for a case the role cannot
	// read, PermissionDenied for an action it may not take.
	expect := func(m may, need func(may) bool) string {
		switch {
		case !m.read:
			return "NotFound"
		case !need(m):
			return "PermissionDenied"
		}
		return "OK"
	}
	// share makes a fresh share of a case (as staff), for RevokeShare.
	share := func(t *testing.T, caseID string) string {
		res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/"+code+"/cases/"+caseID+"/shares",
			map[string]any{"grantee_tenant": "310118", "purpose": "协查", "expires_at": time.Now().Add(time.Hour).Format(time.RFC3339)})
		if res.status != http.StatusCreated {
			t.Fatalf("share: %d %s", res.status, res.body)
		}
		return res.json["id"].(string)
	}
	expires := time.Now().Add(time.Hour).UnixMilli()
	caseCalls := []struct {
		method string
		req    func(t *testing.T, caseID string) map[string]any
		need   func(may) bool
	}{
		{"GetCase", func(_ *testing.T, id string) map[string]any { return map[string]any{"caseId": id} }, func(m may) bool { return m.read }},
		{"GetCase", func(_ *testing.T, id string) map[string]any { return map[string]any{"caseId": id, "parties": true} }, func(m may) bool { return m.pii }},
		{"AddCaseNote", func(_ *testing.T, id string) map[string]any {
			return map[string]any{"caseId": id, "text": "已电话联系双方"}
		}, func(m may) bool { return m.update }},
		{"UpdateCaseFields", func(_ *testing.T, id string) map[string]any {
			return map[string]any{"caseId": id, "fields": base64.StdEncoding.EncodeToString([]byte(`{"stage":"visit"}`))}
		}, func(m may) bool { return m.update }},
		{"LinkAgency", func(_ *testing.T, id string) map[string]any {
			return map[string]any{"caseId": id, "organisationId": other}
		}, func(m may) bool { return m.link }},
		{"ShareCase", func(_ *testing.T, id string) map[string]any {
			return map[string]any{"caseId": id, "granteeTenant": "310118", "scope": "summary", "expiresAtUnixMs": expires, "reason": "协查"}
		}, func(m may) bool { return m.share }},
		{"RevokeShare", func(t *testing.T, id string) map[string]any {
			return map[string]any{"caseId": id, "shareId": share(t, id)}
		}, func(m may) bool { return m.share }},
		{"SetJoint", func(_ *testing.T, id string) map[string]any {
			return map[string]any{"caseId": id, "jointId": "border-" + id[:8], "lead": code, "tenants": []string{code, "310118"}}
		}, func(m may) bool { return m.share }},
		{"Notify", func(_ *testing.T, id string) map[string]any {
			return map[string]any{"recipient": "tenant", "title": "案件提醒", "caseId": id}
		}, func(m may) bool { return m.read }},
	}
	host := func(t *testing.T, as, method string, req map[string]any) map[string]any {
		t.Helper()
		res := e.do(as, http.MethodPost, "/api/v1/tenants/"+code+"/plugins/faulty/host", map[string]any{"method": method, "request": req})
		if res.status != 200 {
			t.Fatalf("%s through the plugin: %d %s", method, res.status, res.body)
		}
		return res.json
	}
	roles := []string{"national admin", "province admin", "city admin", "district admin", "district staff",
		"court clerk", "court token", "police officer", "committee head", "mediator"}
	notesOn := map[string]int{}
	for _, role := range roles {
		as := who[role]
		for _, which := range []string{"related", "unrelated"} {
			caseID := caseOf[which]
			for _, cc := range caseCalls {
				name := role + "/" + which + "/" + cc.method
				if cc.method == "GetCase" && !cc.need(may{read: true}) {
					name += "+parties"
				}
				t.Run(name, func(t *testing.T) {
					want := expect(mayOn(role, which), cc.need)
					got := host(t, as, cc.method, cc.req(t, caseID))
					if got["code"] != want {
						t.Errorf("%s: %v, want %s (%v)", name, got["code"], want, got["message"])
					}
					if cc.method == "AddCaseNote" && got["code"] == "OK" {
						notesOn[which]++
					}
				})
			}
			// The API's own answers agree: the case is readable (200) or does not exist (404),
			// its parties shown (200), refused (403) or not found (404).
			t.Run(role+"/"+which+"/API agrees", func(t *testing.T) {
				m := mayOn(role, which)
				path := "/api/v1/tenants/" + code + "/cases/" + caseID
				if st, want := e.do(as, http.MethodGet, path, nil).status, map[bool]int{true: 200, false: 404}[m.read]; st != want {
					t.Errorf("API GET case: %d, want %d", st, want)
				}
				want := map[string]int{"OK": 200, "PermissionDenied": 403, "NotFound": 404}[expect(m, func(m may) bool { return m.pii })]
				if st := e.do(as, http.MethodGet, path+"?reveal=pii", nil).status; st != want {
					t.Errorf("API GET case ?reveal=pii: %d, want %d", st, want)
				}
			})
		}
		// Lists and tenant-wide reads: what the API answers the same caller.
		t.Run(role+"/ListCases", func(t *testing.T) {
			api := e.do(as, http.MethodGet, "/api/v1/tenants/"+code+"/cases?limit=500", nil)
			got := host(t, as, "ListCases", map[string]any{"limit": 200})
			if api.status != 200 {
				if got["code"] != "PermissionDenied" {
					t.Errorf("ListCases: %v, want PermissionDenied (the API answers %d)", got["code"], api.status)
				}
				return
			}
			resp, _ := got["response"].(map[string]any)
			listed, _ := resp["cases"].([]any)
			if got["code"] != "OK" || len(listed) != len(items(api)) {
				t.Errorf("ListCases: %v with %d cases, the API lists %d", got["code"], len(listed), len(items(api)))
			}
		})
		for _, tc := range []struct{ method, path string }{
			{"GetStats", "/stats"},
			{"ListOrganisations", "/organisations"},
			{"ListMediators", "/mediators"},
		} {
			t.Run(role+"/"+tc.method, func(t *testing.T) {
				api := e.do(as, http.MethodGet, "/api/v1/tenants/"+code+tc.path, nil)
				want := map[int]string{200: "OK", 403: "PermissionDenied"}[api.status]
				if got := host(t, as, tc.method, map[string]any{}); got["code"] != want {
					t.Errorf("%s: %v, want %s (the API answers %d)", tc.method, got["code"], want, api.status)
				}
			})
		}
		// The plugin's own documents stay the plugin's, whoever it acts for.
		t.Run(role+"/documents", func(t *testing.T) {
			doc := map[string]any{"document": map[string]any{"kind": "visits", "id": "v1", "data": base64.StdEncoding.EncodeToString([]byte(`{"n":1}`))}}
			if got := host(t, as, "PutDocument", doc); got["code"] != "OK" {
				t.Errorf("PutDocument: %v %v", got["code"], got["message"])
			}
			for _, call := range []struct {
				method string
				req    map[string]any
			}{
				{"GetDocument", map[string]any{"kind": "visits", "id": "v1"}},
				{"ListDocuments", map[string]any{"kind": "visits"}},
				{"DeleteDocument", map[string]any{"kind": "visits", "id": "v1"}},
			} {
				if got := host(t, as, call.method, call.req); got["code"] != "OK" {
					t.Errorf("%s: %v %v", call.method, got["code"], got["message"])
				}
			}
		})
	}

	// The story with the example plugin: the court's clerk reads and annotates only
	// what the API shows it.
	ex := "/api/v1/tenants/" + code + "/plugins/example/cases/"
	for _, r := range []row{
		{name: "example: clerk reads the referred case", as: who["court clerk"], method: "GET", path: ex + related, status: 200},
		{name: "example: clerk cannot read another case", as: who["court clerk"], method: "GET", path: ex + unrelated, status: 404},
		{name: "example: clerk cannot annotate another case", as: who["court clerk"], method: "POST", path: ex + unrelated + "/notes", body: map[string]any{"text": "x"}, status: 404},
		{name: "example: clerk cannot annotate the referred case", as: who["court clerk"], method: "POST", path: ex + related + "/notes", body: map[string]any{"text": "x"}, status: 403},
		{name: "example: police cannot read another case", as: who["police officer"], method: "GET", path: ex + unrelated, status: 404},
		{name: "example: committee head cannot read another case", as: who["committee head"], method: "GET", path: ex + unrelated, status: 404},
		{name: "example: agency token cannot read another case", as: who["court token"], method: "GET", path: ex + unrelated, status: 404},
		{name: "example: staff annotate", as: "putuo-staff", method: "POST", path: ex + unrelated + "/notes", body: map[string]any{"text": "已电话联系双方"}, status: 201},
	} {
		// The plugin's own answers (its problems are its own, about:blank).
		t.Run(r.name, func(t *testing.T) {
			if res := e.do(r.as, r.method, r.path, r.body); res.status != r.status {
				t.Errorf("%d, want %d: %s", res.status, r.status, res.body)
			}
		})
	}
	notesOn["unrelated"]++

	// Nothing was written by a refused call; what was written names the plugin and the user.
	hist := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/"+code+"/cases/"+unrelated+"/history", nil)
	notes := 0
	for _, ev := range items(hist) {
		if ev["action"] == "note" {
			notes++
			if actor, _ := ev["actor"].(string); !strings.HasPrefix(actor, "plugin:") || !strings.Contains(actor, "user:") {
				t.Errorf("a note by %q: want the plugin on behalf of the user", actor)
			}
		}
	}
	if notes != notesOn["unrelated"] {
		t.Errorf("the unrelated case holds %d notes, want %d (those of the calls allowed)", notes, notesOn["unrelated"])
	}
}
