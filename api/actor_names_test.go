package api_test

import (
	"net/http"
	"testing"
)

// TestActorNames: history and audit name who acted for people, beside the principal: a user by
// display name (else username) — of the tenant or of a level above —, the system and
// anonymous callers in words.
func TestActorNames(t *testing.T) {
	e := newEnv(t)
	if res := e.do("putuo-admin", http.MethodPatch, "/api/v1/tenants/310107/users/"+e.ids["putuo-staff"], map[string]any{"display_name": "王小红"}); res.status != 200 {
		t.Fatalf("display name: %d %s", res.status, res.body)
	}
	created := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", sampleCase(t, "楼上漏水纠纷"))
	if created.status != http.StatusCreated {
		t.Fatalf("create: %d %s", created.status, created.body)
	}
	// A city-level administrator acts in the district.
	if res := e.do("sh-prov", http.MethodPost, "/api/v1/tenants/310107/users", map[string]any{"username": "putuo-new", "password": testPassword, "roles": []string{"district-staff"}}); res.status != http.StatusCreated {
		t.Fatalf("create a user: %d %s", res.status, res.body)
	}

	history := e.items(t, "putuo-admin", "/api/v1/tenants/310107/cases/"+created.json["id"].(string)+"/history")
	if len(history) == 0 || history[0]["actor"] != "user:"+e.ids["putuo-staff"] || history[0]["actor_name"] != "王小红" {
		t.Errorf("history names its actor: %v", history)
	}
	want := map[string]string{ // actor → actor_name, among the audit events
		"user:" + e.ids["putuo-admin"]: "putuo-admin",
		"user:" + e.ids["sh-prov"]:     "sh-prov",
		"anonymous":                    "匿名（未登录）",
		"system:test":                  "系统",
	}
	seen := map[string]bool{}
	for _, ev := range e.items(t, "putuo-admin", "/api/v1/tenants/310107/audit") {
		actor, _ := ev["actor"].(string)
		name, ok := want[actor]
		if !ok {
			continue
		}
		seen[actor] = true
		if ev["actor_name"] != name {
			t.Errorf("audit %v by %s: actor_name %v, want %q", ev["action"], actor, ev["actor_name"], name)
		}
	}
	for actor := range want {
		if !seen[actor] {
			t.Errorf("no audit event by %s", actor)
		}
	}
}
