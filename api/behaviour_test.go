package api_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestContract(t *testing.T) {
	e := newEnv(t)
	// POST /api/v1/tenants → 201 with the tenant; again → 200 with the same tenant.
	first := e.do("nation", http.MethodPost, "/api/v1/tenants", map[string]any{"code": "310104"})
	if first.status != http.StatusCreated {
		t.Fatalf("onboard: %d %s", first.status, first.body)
	}
	for k, want := range map[string]any{"code": "310104", "name": "徐汇区", "level": "district", "parent_code": "310100", "status": "active"} {
		if first.json[k] != want {
			t.Errorf("%s = %v, want %v", k, first.json[k], want)
		}
	}
	second := e.do("nation", http.MethodPost, "/api/v1/tenants", map[string]any{"code": "310104"})
	if second.status != http.StatusOK {
		t.Fatalf("onboard again: %d %s", second.status, second.body)
	}
	for _, k := range []string{"code", "name", "level", "parent_code", "status", "created_at"} {
		if first.json[k] != second.json[k] {
			t.Errorf("second onboarding changed %s: %v → %v", k, first.json[k], second.json[k])
		}
	}
	got := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107", nil)
	if got.status != 200 || got.json["name"] != "普陀区" || got.json["parent_code"] != "310100" {
		t.Errorf("get tenant: %d %s", got.status, got.body)
	}
	country := e.do("nation", http.MethodGet, "/api/v1/tenants/000000", nil)
	if country.status != 200 || country.json["parent_code"] != nil || country.json["level"] != "country" {
		t.Errorf("country: %d %s", country.status, country.body)
	}
	for _, p := range []string{"/healthz", "/api/v1/healthz", "/readyz", "/api/v1/readyz"} {
		if res := e.do("", http.MethodGet, p, nil); res.status != 200 {
			t.Errorf("%s: %d", p, res.status)
		}
	}
	me := e.do("putuo-admin", http.MethodGet, "/api/v1/me", nil)
	if me.status != 200 || me.json["tenant"].(map[string]any)["code"] != "310107" || len(me.json["roles"].([]any)) != 1 {
		t.Errorf("me: %s", me.body)
	}
	if body := e.scrape(t); !strings.Contains(body, "fengqiao_requests_total") {
		t.Errorf("metrics: %s", body)
	}
}

func TestOnboarding(t *testing.T) {
	e := newEnv(t)
	// A province onboards its whole province in one idempotent request.
	bulk := e.do("sd-prov", http.MethodPost, "/api/v1/tenants/bulk", map[string]any{"within": "370000", "with_offices": true})
	if bulk.status != 200 {
		t.Fatalf("bulk: %d %s", bulk.status, bulk.body)
	}
	created, existing := int(bulk.json["created_count"].(float64)), int(bulk.json["existing_count"].(float64))
	if created+existing != 151 || existing != 2 { // 370104 and 370105 exist from the env
		t.Errorf("bulk Shandong: created %d existing %d, want 149 + 2", created, existing)
	}
	again := e.do("sd-prov", http.MethodPost, "/api/v1/tenants/bulk", map[string]any{"within": "370000", "with_offices": true})
	if again.json["created_count"].(float64) != 0 || again.json["existing_count"].(float64) != 151 || again.json["offices_created"].(float64) != 0 {
		t.Errorf("bulk again changed something: %s", again.body)
	}
	list := e.do("sd-prov", http.MethodGet, "/api/v1/tenants?level=district&limit=500", nil)
	if n := len(list.json["items"].([]any)); n != 151 {
		t.Errorf("Shandong lists %d districts, want 151", n)
	}
	// Paging walks every item once.
	seen, after := map[string]bool{}, ""
	for range 10 {
		page := e.do("sd-prov", http.MethodGet, "/api/v1/tenants?level=district&limit=40&after="+after, nil)
		for _, it := range page.json["items"].([]any) {
			code := it.(map[string]any)["code"].(string)
			if seen[code] {
				t.Fatalf("page repeats %s", code)
			}
			seen[code] = true
		}
		next, _ := page.json["next_after"].(string)
		if next == "" {
			break
		}
		after = next
	}
	if len(seen) != 151 {
		t.Errorf("paging saw %d districts, want 151", len(seen))
	}
	// A list of codes with one bad code changes nothing.
	res := e.do("nation", http.MethodPost, "/api/v1/tenants/bulk", map[string]any{"codes": []string{"320505", "320506", "329999"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), "329999") {
		t.Fatalf("bad code in list: %d %s", res.status, res.body)
	}
	if g := e.do("nation", http.MethodGet, "/api/v1/tenants/320505", nil); g.status != 404 {
		t.Errorf("partial write: 320505 exists after a rejected bulk request (%d)", g.status)
	}
	// Offices were created per street.
	offices := e.do("huaiyin-admin", http.MethodGet, "/api/v1/tenants/370104/offices", nil)
	if n := len(offices.json["items"].([]any)); n == 0 {
		t.Error("no judicial offices for 370104")
	} else if name := offices.json["items"].([]any)[0].(map[string]any)["name"].(string); !strings.HasSuffix(name, "司法所") {
		t.Errorf("office name %q", name)
	}
}

func TestLifecycle(t *testing.T) {
	e := newEnv(t)
	runRows(t, e, nil, []row{
		{name: "district cannot suspend itself", as: "huaiyin-admin", method: "POST", path: "/api/v1/tenants/370104/suspend", body: map[string]any{}, status: 403, problem: "forbidden"},
		{name: "city suspends district", as: "jinan-city", method: "POST", path: "/api/v1/tenants/370104/suspend", body: map[string]any{"reason": "整改"}, status: 200},
		{name: "suspended admin refused", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/370104", status: 403, problem: "tenant-suspended"},
		{name: "suspended login refused", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "huaiyin-staff", "password": testPassword}, status: 403, problem: "tenant-suspended"},
		{name: "parent still reads it", as: "sd-prov", method: "GET", path: "/api/v1/tenants/370104", status: 200},
		{name: "parent still reads its users", as: "sd-prov", method: "GET", path: "/api/v1/tenants/370104/users", status: 200},
		{name: "parent creates no user in it", as: "sd-prov", method: "POST", path: "/api/v1/tenants/370104/users", body: map[string]any{"username": "huaiyin-x", "password": testPassword, "roles": []string{"district-staff"}}, status: 403, problem: "tenant-suspended"},
		{name: "parent cannot edit settings", as: "sd-prov", method: "PATCH", path: "/api/v1/tenants/370104", body: map[string]any{"display_name": "x"}, status: 403, problem: "tenant-suspended"},
		{name: "suspend twice", as: "sd-prov", method: "POST", path: "/api/v1/tenants/370104/suspend", status: 409, problem: "invalid-transition"},
		{name: "resume", as: "sd-prov", method: "POST", path: "/api/v1/tenants/370104/resume", status: 200},
		{name: "works again", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/370104/users", status: 200},
		{name: "resume twice", as: "sd-prov", method: "POST", path: "/api/v1/tenants/370104/resume", status: 409, problem: "invalid-transition"},
		{name: "archive", as: "nation", method: "POST", path: "/api/v1/tenants/370105/archive", body: map[string]any{"reason": "区划调整"}, status: 200},
		{name: "archived is final", as: "nation", method: "POST", path: "/api/v1/tenants/370105/resume", status: 409, problem: "invalid-transition"},
		{name: "lifecycle reason wrong type", as: "nation", method: "POST", path: "/api/v1/tenants/370104/suspend", body: map[string]any{"reason": 5}, status: 400, problem: "invalid-field", field: "reason"},
	})
	res := e.do("sd-prov", http.MethodPost, "/api/v1/tenants/370105/suspend", nil)
	allowed, _ := res.json["allowed_actions"].([]any)
	if res.status != 409 || len(allowed) != 0 {
		t.Errorf("archived tenant: %d, allowed %v", res.status, allowed)
	}
	t1 := e.do("sd-prov", http.MethodGet, "/api/v1/tenants/370105", nil)
	if t1.json["status"] != "archived" || t1.json["status_reason"] != "区划调整" {
		t.Errorf("archived tenant: %s", t1.body)
	}
}

func TestIdentity(t *testing.T) {
	e := newEnv(t)
	tokID, tokText := e.agencyToken("putuo-admin", "310107")
	agency := "Bearer " + tokText
	runRows(t, e, map[string]string{"putuo": tokID}, []row{
		{name: "login wrong password", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "putuo-admin", "password": "wrong-password"}, status: 401, problem: "bad-credentials"},
		{name: "login unknown user", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "nobody", "password": "wrong-password"}, status: 401, problem: "bad-credentials"},
		{name: "login missing username", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"password": "x"}, status: 400, problem: "invalid-field", field: "username"},
		{name: "login missing password", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "x"}, status: 400, problem: "invalid-field", field: "password"},
		{name: "login case-insensitive", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "PUTUO-Admin", "password": testPassword}, status: 200},
		{name: "no credentials", method: "GET", path: "/api/v1/tenants/310107", status: 401, problem: "unauthenticated"},
		{name: "garbage bearer", as: "Bearer abc.def.ghi", method: "GET", path: "/api/v1/tenants/310107", status: 401, problem: "unauthenticated"},
		{name: "basic auth", as: "Basic YWRtaW46YWRtaW4=", method: "GET", path: "/api/v1/tenants/310107", status: 401, problem: "unauthenticated"},
		{name: "forged api token", as: "Bearer fq_310107_0000000000000000000000000000000000000000", method: "GET", path: "/api/v1/tenants/310107", status: 401, problem: "unauthenticated"},
		{name: "agency token reads its tenant", as: agency, method: "GET", path: "/api/v1/tenants/310107", status: 200},
		{name: "agency token cannot list users", as: agency, method: "GET", path: "/api/v1/tenants/310107/users", status: 403, problem: "forbidden"},
		{name: "staff cannot create users", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/users", body: map[string]any{"username": "new-staff", "password": testPassword, "roles": []string{"district-staff"}}, status: 403, problem: "forbidden"},
		{name: "admin creates staff", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/users", body: map[string]any{"username": "new-staff", "display_name": "新调解员", "password": testPassword, "roles": []string{"district-staff"}}, status: 201},
		{name: "username taken", as: "qingpu-admin", method: "POST", path: "/api/v1/tenants/310118/users", body: map[string]any{"username": "NEW-STAFF", "password": testPassword, "roles": []string{"district-staff"}}, status: 409, problem: "username-taken", field: "username"},
		{name: "role above district", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/users", body: map[string]any{"username": "boss", "password": testPassword, "roles": []string{"province-admin"}}, status: 400, problem: "invalid-field", field: "roles[0]"},
		{name: "unknown role", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/users", body: map[string]any{"username": "boss", "password": testPassword, "roles": []string{"emperor"}}, status: 400, problem: "invalid-field", field: "roles[0]"},
		{name: "no roles", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/users", body: map[string]any{"username": "boss", "password": testPassword, "roles": []string{}}, status: 400, problem: "invalid-field", field: "roles"},
		{name: "short password", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/users", body: map[string]any{"username": "boss", "password": "short", "roles": []string{"district-staff"}}, status: 400, problem: "invalid-field", field: "password"},
		{name: "bad username", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/users", body: map[string]any{"username": "a b", "password": testPassword, "roles": []string{"district-staff"}}, status: 400, problem: "invalid-field", field: "username"},
		{name: "province creates district admin below", as: "sh-prov", method: "POST", path: "/api/v1/tenants/310118/users", body: map[string]any{"username": "qingpu-2", "password": testPassword, "roles": []string{"district-admin"}}, status: 201},
		{name: "user not a uuid", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/users/not-a-uuid", status: 404, problem: "user-not-found"},
		{name: "cannot disable oneself", as: "putuo-admin", method: "PATCH", path: "/api/v1/tenants/310107/users/{user:putuo-admin}", body: map[string]any{"status": "disabled"}, status: 400, problem: "invalid-field", field: "status"},
		{name: "bad status", as: "putuo-admin", method: "PATCH", path: "/api/v1/tenants/310107/users/{user:putuo-staff}", body: map[string]any{"status": "gone"}, status: 400, problem: "invalid-field", field: "status"},
		{name: "disable staff", as: "putuo-admin", method: "PATCH", path: "/api/v1/tenants/310107/users/{user:putuo-staff}", body: map[string]any{"status": "disabled"}, status: 200},
		{name: "disabled token refused", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107", status: 403, problem: "account-disabled"},
		{name: "disabled login refused", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "putuo-staff", "password": testPassword}, status: 403, problem: "account-disabled"},
		{name: "token without name", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/tokens", body: map[string]any{"role": "agency-system"}, status: 400, problem: "invalid-field", field: "name"},
		{name: "token expired at creation", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/tokens", body: map[string]any{"name": "x", "role": "agency-system", "expires_at": "2001-01-01T00:00:00Z"}, status: 400, problem: "invalid-field", field: "expires_at"},
		{name: "token bad time", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/tokens", body: map[string]any{"name": "x", "role": "agency-system", "expires_at": "tomorrow"}, status: 400, problem: "malformed-json"},
		{name: "token with admin role", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/tokens", body: map[string]any{"name": "x", "role": "province-admin"}, status: 400, problem: "invalid-field", field: "role"},
		{name: "revoke token", as: "putuo-admin", method: "DELETE", path: "/api/v1/tenants/310107/tokens/{token:putuo}", status: 200},
		{name: "revoked token refused", as: agency, method: "GET", path: "/api/v1/tenants/310107", status: 401, problem: "unauthenticated"},
		{name: "revoke unknown token", as: "putuo-admin", method: "DELETE", path: "/api/v1/tenants/310107/tokens/00000000-0000-0000-0000-000000000000", status: 404, problem: "token-not-found"},
	})
	// The token text is shown once: listings carry only the prefix.
	list := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/tokens", nil)
	if strings.Contains(string(list.body), tokText) || !strings.Contains(string(list.body), tokText[:10]) {
		t.Errorf("token listing leaks the secret or lacks the prefix: %s", list.body)
	}
	audit := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/audit?limit=500", nil)
	actions := map[string]int{}
	for _, it := range audit.json["items"].([]any) {
		actions[it.(map[string]any)["action"].(string)]++
	}
	for _, a := range []string{"user.create", "user.update", "token.create", "token.revoke", "auth.login"} {
		if actions[a] == 0 {
			t.Errorf("audit trail lacks %s: %v", a, actions)
		}
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	big := `{"code":"` + strings.Repeat("1", testBodyLimit) + `"}`
	runRows(t, e, nil, []row{
		{name: "malformed json", as: "nation", method: "POST", path: "/api/v1/tenants", body: `{"code":`, status: 400, problem: "malformed-json"},
		{name: "not an object", as: "nation", method: "POST", path: "/api/v1/tenants", body: `["310107"]`, status: 400, problem: "malformed-json"},
		{name: "two objects", as: "nation", method: "POST", path: "/api/v1/tenants", body: `{"code":"310107"}{"code":"310118"}`, status: 400, problem: "malformed-json"},
		{name: "empty body", as: "nation", method: "POST", path: "/api/v1/tenants", body: ``, status: 400, problem: "empty-body"},
		{name: "unknown field", as: "nation", method: "POST", path: "/api/v1/tenants", body: map[string]any{"code": "310107", "colour": "red"}, status: 400, problem: "invalid-field", field: "colour"},
		{name: "wrong type", as: "nation", method: "POST", path: "/api/v1/tenants", body: map[string]any{"code": 310107}, status: 400, problem: "invalid-field", field: "code"},
		{name: "wrong type bool", as: "nation", method: "POST", path: "/api/v1/tenants", body: map[string]any{"code": "310107", "with_offices": "yes"}, status: 400, problem: "invalid-field", field: "with_offices"},
		{name: "missing code", as: "nation", method: "POST", path: "/api/v1/tenants", body: map[string]any{}, status: 400, problem: "invalid-field", field: "code"},
		{name: "oversized body", as: "nation", method: "POST", path: "/api/v1/tenants", body: big, status: 413, problem: "body-too-large"},
		{name: "short code", as: "nation", method: "POST", path: "/api/v1/tenants", body: map[string]any{"code": "31010"}, status: 400, problem: "invalid-code", field: "code"},
		{name: "letters", as: "nation", method: "POST", path: "/api/v1/tenants", body: map[string]any{"code": "31O107"}, status: 400, problem: "invalid-code", field: "code"},
		{name: "full-width digits", as: "nation", method: "POST", path: "/api/v1/tenants", body: map[string]any{"code": "３１０１０７"}, status: 400, problem: "invalid-code", field: "code"},
		{name: "street code", as: "nation", method: "POST", path: "/api/v1/tenants", body: map[string]any{"code": "310107002"}, status: 400, problem: "invalid-code", field: "code"},
		{name: "village code", as: "nation", method: "POST", path: "/api/v1/tenants", body: map[string]any{"code": "310107002001"}, status: 400, problem: "invalid-code", field: "code"},
		{name: "unknown code", as: "nation", method: "POST", path: "/api/v1/tenants", body: map[string]any{"code": "310199"}, status: 422, problem: "unknown-code", field: "code"},
		{name: "country code", as: "nation", method: "POST", path: "/api/v1/tenants", body: map[string]any{"code": "000000"}, status: 422, problem: "unknown-code", field: "code"},
		{name: "bulk both", as: "nation", method: "POST", path: "/api/v1/tenants/bulk", body: map[string]any{"within": "310000", "codes": []string{"310107"}}, status: 400, problem: "invalid-field", field: "within"},
		{name: "bulk neither", as: "nation", method: "POST", path: "/api/v1/tenants/bulk", body: map[string]any{}, status: 400, problem: "invalid-field", field: "within"},
		{name: "bulk street", as: "nation", method: "POST", path: "/api/v1/tenants/bulk", body: map[string]any{"within": "310107002"}, status: 400, problem: "invalid-code", field: "code"},
		{name: "bulk codes wrong type", as: "nation", method: "POST", path: "/api/v1/tenants/bulk", body: map[string]any{"codes": "310107"}, status: 400, problem: "invalid-field", field: "codes"},
		{name: "bulk several bad", as: "nation", method: "POST", path: "/api/v1/tenants/bulk", body: map[string]any{"codes": []string{"1", "310199"}}, status: 400, problem: "invalid-code", field: "codes"},
		{name: "path code malformed", as: "nation", method: "GET", path: "/api/v1/tenants/abc", status: 400, problem: "invalid-code", field: "code"},
		{name: "path code street", as: "nation", method: "GET", path: "/api/v1/tenants/310107002", status: 400, problem: "invalid-code", field: "code"},
		{name: "path code unknown", as: "nation", method: "GET", path: "/api/v1/tenants/310199", status: 404, problem: "tenant-not-found"},
		{name: "list bad limit", as: "nation", method: "GET", path: "/api/v1/tenants?limit=0", status: 400, problem: "invalid-field", field: "limit"},
		{name: "list huge limit", as: "nation", method: "GET", path: "/api/v1/tenants?limit=100000", status: 400, problem: "invalid-field", field: "limit"},
		{name: "list bad level", as: "nation", method: "GET", path: "/api/v1/tenants?level=street", status: 400, problem: "invalid-field", field: "level"},
		{name: "list bad status", as: "nation", method: "GET", path: "/api/v1/tenants?status=gone", status: 400, problem: "invalid-field", field: "status"},
		{name: "list bad within", as: "nation", method: "GET", path: "/api/v1/tenants?within=31", status: 400, problem: "invalid-field", field: "within"},
		{name: "list sql-ish q", as: "nation", method: "GET", path: "/api/v1/tenants?q=%25'%3B--", status: 200},
		{name: "settings unknown plugin", as: "putuo-admin", method: "PATCH", path: "/api/v1/tenants/310107", body: map[string]any{"enabled_plugins": []string{"shanghai-brand"}}, status: 400, problem: "invalid-field", field: "enabled_plugins[0]"},
		{name: "settings bad placement", as: "putuo-admin", method: "PATCH", path: "/api/v1/tenants/310107", body: map[string]any{"placement": "mars"}, status: 400, problem: "invalid-field", field: "placement"},
		{name: "settings bad email", as: "putuo-admin", method: "PATCH", path: "/api/v1/tenants/310107", body: map[string]any{"contact": map[string]any{"email": "not-an-email"}}, status: 400, problem: "invalid-field", field: "contact.email"},
		{name: "settings bad phone", as: "putuo-admin", method: "PATCH", path: "/api/v1/tenants/310107", body: map[string]any{"contact": map[string]any{"phone": "call me"}}, status: 400, problem: "invalid-field", field: "contact.phone"},
		{name: "settings contact wrong type", as: "putuo-admin", method: "PATCH", path: "/api/v1/tenants/310107", body: map[string]any{"contact": "x"}, status: 400, problem: "invalid-field", field: "contact"},
		{name: "settings nested unknown", as: "putuo-admin", method: "PATCH", path: "/api/v1/tenants/310107", body: map[string]any{"contact": map[string]any{"fax": "1"}}, status: 400, problem: "invalid-field", field: "fax"},
		{name: "settings ok", as: "putuo-admin", method: "PATCH", path: "/api/v1/tenants/310107", body: map[string]any{"display_name": "普陀区司法局", "contact": map[string]any{"name": "张三", "phone": "021-52564588", "email": "tj@putuo.example.cn"}, "placement": "east"}, status: 200},
		{name: "wrong media type", as: "nation", method: "POST", path: "/api/v1/tenants", body: nil, status: 400, problem: "empty-body"},
		{name: "unknown route", as: "nation", method: "GET", path: "/api/v1/nothing", status: 404, problem: "no-route"},
		{name: "wrong method", as: "nation", method: "PUT", path: "/api/v1/tenants/310107", body: map[string]any{}, status: 405, problem: "method-not-allowed"},
	})
	// A rejected request changed nothing.
	t1 := e.do("nation", http.MethodGet, "/api/v1/tenants/310107", nil)
	if t1.json["display_name"] != "普陀区司法局" || t1.json["placement"] != "east" || len(t1.json["enabled_plugins"].([]any)) != 0 {
		t.Errorf("settings after bad and good updates: %s", t1.body)
	}
	for _, c := range []string{"310199"} {
		if r := e.do("nation", http.MethodGet, "/api/v1/tenants/"+c, nil); r.status != 404 {
			t.Errorf("%s exists after rejected requests", c)
		}
	}
	// A non-JSON media type is refused.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/tenants", strings.NewReader(`<code>310107</code>`))
	req.Header.Set("Content-Type", "application/xml")
	req.Header.Set("Authorization", "Bearer "+e.tokens["nation"])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("xml body: %d, want 415", res.StatusCode)
	}
}

func TestRolesAndOwnPassword(t *testing.T) {
	e := newEnv(t)
	runRows(t, e, nil, []row{
		{name: "staff cannot read users yet", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/users", status: 403, problem: "forbidden"},
		{name: "admin promotes staff", as: "putuo-admin", method: "PATCH", path: "/api/v1/tenants/310107/users/{user:putuo-staff}", body: map[string]any{"roles": []string{"district-admin"}}, status: 200},
		{name: "a role change ends the staff's session", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/users", status: 401, problem: "unauthenticated"},
	})
	e.tokens["putuo-staff"] = e.login("putuo-staff", testPassword)
	runRows(t, e, nil, []row{
		{name: "promoted staff reads users after logging in again", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/users", status: 200},
		{name: "nobody changes own roles", as: "putuo-admin", method: "PATCH", path: "/api/v1/tenants/310107/users/{user:putuo-admin}", body: map[string]any{"roles": []string{"district-staff"}}, status: 400, problem: "invalid-field", field: "roles"},
		{name: "role above the tenant level", as: "sh-prov", method: "PATCH", path: "/api/v1/tenants/310107/users/{user:putuo-staff}", body: map[string]any{"roles": []string{"city-admin"}}, status: 400, problem: "invalid-field", field: "roles[0]"},
		{name: "empty roles", as: "sh-prov", method: "PATCH", path: "/api/v1/tenants/310107/users/{user:putuo-staff}", body: map[string]any{"roles": []string{}}, status: 400, problem: "invalid-field", field: "roles"},
		{name: "province demotes back", as: "sh-prov", method: "PATCH", path: "/api/v1/tenants/310107/users/{user:putuo-staff}", body: map[string]any{"roles": []string{"district-staff"}}, status: 200},
		{name: "demoted staff loses access at once", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/users", status: 401, problem: "unauthenticated"},
	})
	e.tokens["putuo-staff"] = e.login("putuo-staff", testPassword)
	runRows(t, e, nil, []row{
		{name: "demoted staff logged in again cannot read users", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/users", status: 403, problem: "forbidden"},
		{name: "own password: wrong current", as: "putuo-staff", method: "POST", path: "/api/v1/me/password", body: map[string]any{"current_password": "nope-nope-nope", "new_password": "brand-new-pass-1"}, status: 400, problem: "invalid-field", field: "current_password"},
		{name: "own password: too short", as: "putuo-staff", method: "POST", path: "/api/v1/me/password", body: map[string]any{"current_password": testPassword, "new_password": "short"}, status: 400, problem: "invalid-field", field: "new_password"},
		{name: "own password: missing current", as: "putuo-staff", method: "POST", path: "/api/v1/me/password", body: map[string]any{"new_password": "brand-new-pass-1"}, status: 400, problem: "invalid-field", field: "current_password"},
		{name: "own password: changed", as: "putuo-staff", method: "POST", path: "/api/v1/me/password", body: map[string]any{"current_password": testPassword, "new_password": "brand-new-pass-1"}, status: 204},
		{name: "old password refused", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "putuo-staff", "password": testPassword}, status: 401, problem: "bad-credentials"},
		{name: "new password works", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "putuo-staff", "password": "brand-new-pass-1"}, status: 200},
	})
	u := e.do("putuo-admin", "GET", "/api/v1/tenants/310107/users/"+e.ids["putuo-staff"], nil)
	if roles := u.json["roles"].([]any); len(roles) != 1 || roles[0] != "district-staff" {
		t.Errorf("roles after promotion and demotion: %v", roles)
	}
}
