package api_test

import (
	"net/http"
	"slices"
	"testing"
)

// TestCaseCallerActions: a case read alone says what its caller may do with it now — the
// actions its roles allow on its relationship to the case that the lifecycle admits, and the
// other operations — as the routes themselves decide.
func TestCaseCallerActions(t *testing.T) {
	e := newEnv(t)
	court := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "普陀区人民法院"})
	committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	clerk := e.agencyUser(t, "310107", "court-clerk", "agency-clerk", court)
	head := e.agencyUser(t, "310107", "committee-head", "committee-head", committee)
	referred := sampleCase(t, "法院委派的邻里纠纷")
	referred["source"] = "court"
	referred["referral"] = map[string]any{"agency": "普陀区人民法院", "agency_id": court, "reference": "(2026)沪0107民诉前调1号", "kind": "pre_filing"}
	id := e.createCase("putuo-staff", "310107", referred)
	path := "/api/v1/tenants/310107/cases/" + id

	caller := func(as string) (actions []string, flags map[string]any) {
		t.Helper()
		res := e.do(as, http.MethodGet, path, nil)
		if res.status != http.StatusOK {
			t.Fatalf("%s reads the case: %d %s", as, res.status, res.body)
		}
		c := res.json["caller"].(map[string]any)
		for _, a := range c["actions"].([]any) {
			actions = append(actions, a.(string))
		}
		return actions, c
	}
	want := func(who string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s may %v, want %v", who, got, want)
		}
	}
	acts, flags := caller("putuo-staff")
	want("staff on a received court case", acts, []string{"adjust_risk", "assign", "edit", "extend_time_limit", "guide", "record_contact"})
	if flags["reveal_pii"] != true || flags["share"] != true || flags["link"] != true || flags["agreement"] != false {
		t.Errorf("staff's other operations: %v", flags)
	}
	acts, flags = caller(clerk)
	want("the referring court's clerk before an agreement", acts, nil)
	if flags["reveal_pii"] != false || flags["share"] != false || flags["link"] != false {
		t.Errorf("clerk's other operations: %v", flags)
	}
	if res := e.do(head, http.MethodGet, path, nil); res.status != http.StatusNotFound {
		t.Errorf("a committee head reads a case not routed to it: %d", res.status)
	}

	// Routed, mediated to a written agreement: the committee head acts on it, the clerk confirms.
	for _, step := range []struct {
		action string
		body   map[string]any
	}{
		{"assign", map[string]any{"committee_id": committee}},
		{"start_mediation", map[string]any{}},
		{"succeed", map[string]any{"agreement": map[string]any{"form": "written", "terms": []map[string]any{{"text": "赔偿三千元", "amount": 3000}}}}},
	} {
		if res := e.do("putuo-staff", http.MethodPost, path+"/actions/"+step.action, step.body); res.status != http.StatusOK {
			t.Fatalf("%s: %d %s", step.action, res.status, res.body)
		}
	}
	acts, flags = caller(head)
	want("the committee head on its succeeded case", acts, []string{"adjust_risk", "close", "follow_up", "record_performed", "record_recant", "reopen"})
	if flags["reveal_pii"] != true || flags["link"] != true || flags["share"] != false || flags["agreement"] != true {
		t.Errorf("committee head's other operations: %v", flags)
	}
	acts, _ = caller(clerk)
	want("the referring court's clerk on a written agreement", acts, []string{"confirm"})
	acts, _ = caller("putuo-staff")
	want("staff on a written agreement", acts, []string{"adjust_risk", "close", "confirm", "follow_up", "record_performed", "record_recant", "reopen"})
	if res := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases", nil); res.status != 200 || res.json["items"].([]any)[0].(map[string]any)["caller"] != nil {
		t.Errorf("a list names no caller's actions: %d %s", res.status, res.body)
	}
}
