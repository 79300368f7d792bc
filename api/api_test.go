package api_test

import (
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
