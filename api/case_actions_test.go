package api_test

import (
	"net/http"
	"testing"
)

func (e *env) newCase(t *testing.T, as, code string) (string, int) {
	t.Helper()
	body := sampleCase(t, "测试案件")
	if code != "310107" {
		body["place_code"] = ""
	}
	res := e.do(as, http.MethodPost, "/api/v1/tenants/"+code+"/cases", body)
	if res.status != 201 {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	return res.json["id"].(string), int(res.json["version"].(float64))
}

func TestCaseActionsWithoutCommittee(t *testing.T) {
	e := newEnv(t)
	id, v := e.newCase(t, "putuo-staff", "310107")
	act := func(a string) string { return "/api/v1/tenants/310107/cases/" + id + "/actions/" + a }
	runRows(t, e, nil, []row{
		{name: "succeed before mediation", as: "putuo-staff", method: "POST", path: act("succeed"), body: map[string]any{}, status: 409, problem: "action-not-allowed"},
		{name: "unknown action", as: "putuo-staff", method: "POST", path: act("teleport"), body: map[string]any{}, status: 400, problem: "invalid-field", field: "action"},
		{name: "edit is not an action", as: "putuo-staff", method: "POST", path: act("edit"), body: map[string]any{}, status: 400, problem: "invalid-field", field: "action"},
		{name: "assign without committee", as: "putuo-staff", method: "POST", path: act("assign"), body: map[string]any{}, status: 400, problem: "invalid-field", field: "committee_id"},
		{name: "assign to a non-committee", as: "putuo-staff", method: "POST", path: act("assign"), body: map[string]any{"committee_id": "00000000-0000-0000-0000-000000000000"}, status: 400, problem: "invalid-field", field: "committee_id"},
		{name: "risk without reason", as: "putuo-staff", method: "POST", path: act("adjust_risk"), body: map[string]any{"risk_level": "orange"}, status: 400, problem: "invalid-field", field: "reason"},
		{name: "risk bad level", as: "putuo-staff", method: "POST", path: act("adjust_risk"), body: map[string]any{"risk_level": "purple", "reason": "x"}, status: 400, problem: "invalid-field", field: "risk_level"},
		{name: "stale version", as: "putuo-staff", method: "POST", path: act("adjust_risk"), body: map[string]any{"risk_level": "orange", "reason": "当事人情绪激动", "version": v + 5}, status: 409, problem: "version-conflict"},
		{name: "raise risk", as: "putuo-staff", method: "POST", path: act("adjust_risk"), body: map[string]any{"risk_level": "orange", "reason": "当事人情绪激动", "version": v}, status: 200},
		{name: "guide without channel", as: "putuo-staff", method: "POST", path: act("guide"), body: map[string]any{"reason": "涉及行政行为"}, status: 400, problem: "invalid-field", field: "channel"},
		{name: "guide to reconsideration", as: "putuo-staff", method: "POST", path: act("guide"), body: map[string]any{"channel": "administrative_reconsideration", "reason": "涉及行政行为"}, status: 200},
		{name: "start mediation when guided", as: "putuo-staff", method: "POST", path: act("start_mediation"), status: 409, problem: "action-not-allowed"},
		{name: "close", as: "putuo-staff", method: "POST", path: act("close"), status: 200},
		{name: "upper level cannot act", as: "nation", method: "POST", path: act("reopen"), body: map[string]any{"reason": "x"}, status: 403, problem: "forbidden"},
		{name: "other district cannot act", as: "huaiyin-admin", method: "POST", path: "/api/v1/tenants/310107/cases/" + id + "/actions/reopen", body: map[string]any{"reason": "x"}, status: 404, problem: "tenant-not-found"},
		{name: "other's case through own path", as: "huaiyin-admin", method: "POST", path: "/api/v1/tenants/370104/cases/" + id + "/actions/reopen", body: map[string]any{"reason": "x"}, status: 404, problem: "case-not-found"},
	})
	res := e.do("putuo-staff", http.MethodPost, act("succeed"), map[string]any{})
	allowed := res.json["allowed_actions"].([]any)
	if len(allowed) != 1 || allowed[0] != "reopen" {
		t.Errorf("a closed case allows %v, want [reopen]", allowed)
	}
	c := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id, nil)
	if c.json["status"] != "closed" || c.json["risk_level"] != "orange" || c.json["outcome"].(map[string]any)["channel"] != "administrative_reconsideration" || c.json["concluded_at"] == nil {
		t.Errorf("case after actions: %s", c.body)
	}
	h := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id+"/history", nil)
	var actions []string
	for _, it := range h.json["items"].([]any) {
		actions = append(actions, it.(map[string]any)["action"].(string))
	}
	if want := []string{"create", "adjust_risk", "guide", "close"}; len(actions) != len(want) {
		t.Errorf("history %v, want %v", actions, want)
	} else {
		for i := range want {
			if actions[i] != want[i] {
				t.Errorf("history %v, want %v", actions, want)
				break
			}
		}
	}
}
