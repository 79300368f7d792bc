package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// agencyUser creates a user of an organisation and returns its "Bearer …" credential.
func (e *env) agencyUser(t *testing.T, code, username, role, org string) string {
	t.Helper()
	res := e.do("putuo-admin", http.MethodPost, "/api/v1/tenants/"+code+"/users",
		map[string]any{"username": username, "password": testPassword, "roles": []string{role}, "organisation_id": org})
	if res.status != http.StatusCreated {
		t.Fatalf("create %s: %d %s", username, res.status, res.body)
	}
	return "Bearer " + e.login(username, testPassword)
}

// TestCrossAgencyAccess walks the stories over HTTP: a court clerk and a court system
// see exactly the cases the court referred and record judicial confirmation; a police station
// sees the cases linked to it with the parties' contacts; a district administrator edits the
// district's rules within what it holds, every change audited, and asks why; staff share a
// case with another district until a date, revocably.
func TestCrossAgencyAccess(t *testing.T) {
	e := newEnv(t)
	court := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "普陀区人民法院"})
	police := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "长寿路派出所"})
	committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	clerk := e.agencyUser(t, "310107", "court-clerk", "agency-clerk", court)
	officer := e.agencyUser(t, "310107", "police-officer", "agency-clerk", police)
	head := e.agencyUser(t, "310107", "committee-head", "committee-head", committee)

	referred := sampleCase(t, "法院委派的邻里纠纷")
	referred["source"] = "court"
	referred["referral"] = map[string]any{"agency": "普陀区人民法院", "agency_id": court, "reference": "(2026)沪0107民诉前调1号", "kind": "pre_filing"}
	caseA := e.createCase("putuo-staff", "310107", referred)
	caseB := e.createCase("putuo-staff", "310107", sampleCase(t, "未移送的纠纷"))
	qingpu := sampleCase(t, "青浦的纠纷")
	qingpu["place_code"] = "310118001"
	caseQ := e.createCase("qingpu-admin", "310118", qingpu)
	a, b := "/api/v1/tenants/310107/cases/"+caseA, "/api/v1/tenants/310107/cases/"+caseB

	res := e.do("putuo-admin", http.MethodPost, "/api/v1/tenants/310107/organisations/"+court+"/tokens", map[string]any{"name": "法院诉调对接系统"})
	if res.status != http.StatusCreated || res.json["role"] != "agency-system" || res.json["organisation_id"] != court {
		t.Fatalf("createAgencyToken: %d %s", res.status, res.body)
	}
	system := "Bearer " + res.json["token"].(string)

	runRows(t, e, nil, []row{
		{name: "court clerk lists the referred case only", as: clerk, method: "GET", path: "/api/v1/tenants/310107/cases", status: 200, items: count(1)},
		{name: "court system lists the referred case only", as: system, method: "GET", path: "/api/v1/tenants/310107/cases", status: 200, items: count(1)},
		{name: "court clerk reads the referred case", as: clerk, method: "GET", path: a, status: 200},
		{name: "court clerk does not see the parties", as: clerk, method: "GET", path: a + "?reveal=pii", status: 403, problem: "forbidden"},
		{name: "court clerk does not see another case", as: clerk, method: "GET", path: b, status: 404, problem: "case-not-found"},
		{name: "court clerk cannot route it", as: clerk, method: "POST", path: a + "/actions/assign", body: map[string]any{"committee_id": committee}, status: 403, problem: "forbidden"},
		// Authorized to confirm: the lifecycle answers (no agreement yet), not the rules.
		{name: "court clerk may record confirmation", as: clerk, method: "POST", path: a + "/actions/confirm", body: map[string]any{"confirmation": map[string]any{"court": "普陀区人民法院", "reference": "(2026)沪0107民特1号", "date": "2026-11-20"}}, status: 409, problem: "action-not-allowed"},
		{name: "court clerk sees no other tenant", as: clerk, method: "GET", path: "/api/v1/tenants/310118/cases/" + caseQ, status: 404, problem: "tenant-not-found"},
		{name: "court clerk cannot export", as: clerk, method: "GET", path: "/api/v1/tenants/310107/cases/export", status: 403, problem: "forbidden"},
		{name: "staff find both cases", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/cases/search?q=" + url.QueryEscape("纠纷"), status: 200, items: count(2)},
		{name: "court clerk finds only the referred case", as: clerk, method: "GET", path: "/api/v1/tenants/310107/cases/search?q=" + url.QueryEscape("纠纷"), status: 200, items: count(1)},
		{name: "police finds nothing before a link", as: officer, method: "GET", path: "/api/v1/tenants/310107/cases/search?q=" + url.QueryEscape("纠纷"), status: 200, items: count(0)},
		{name: "police sees nothing before a link", as: officer, method: "GET", path: "/api/v1/tenants/310107/cases", status: 200, items: count(0)},
		{name: "committee head sees nothing unassigned", as: head, method: "GET", path: "/api/v1/tenants/310107/cases", status: 200, items: count(0)},
		{name: "staff link the police to case B", as: "putuo-staff", method: "POST", path: b + "/links", body: map[string]any{"kind": "organisation", "party_id": police}, status: 201},
		{name: "police lists the linked case", as: officer, method: "GET", path: "/api/v1/tenants/310107/cases", status: 200, items: count(1)},
		{name: "police reads its parties' contacts", as: officer, method: "GET", path: b + "?reveal=pii", status: 200},
		{name: "police does not see the court's case", as: officer, method: "GET", path: a, status: 404, problem: "case-not-found"},
		{name: "police cannot link others", as: officer, method: "POST", path: b + "/links", body: map[string]any{"kind": "organisation", "party_id": court}, status: 403, problem: "forbidden"},
		{name: "link of another tenant's organisation", as: "putuo-staff", method: "POST", path: b + "/links", body: map[string]any{"kind": "organisation", "party_id": "00000000-0000-0000-0000-000000000001"}, status: 400, problem: "invalid-field", field: "party_id"},
		{name: "link of a bad kind", as: "putuo-staff", method: "POST", path: b + "/links", body: map[string]any{"kind": "friend", "party_id": police}, status: 400, problem: "invalid-field", field: "kind"},
		{name: "staff list the links", as: "putuo-staff", method: "GET", path: b + "/links", status: 200, items: count(1)},
		{name: "staff unlink the police", as: "putuo-staff", method: "DELETE", path: b + "/links/organisation/" + police, status: 204},
		{name: "police lost the case", as: officer, method: "GET", path: b, status: 404, problem: "case-not-found"},
		{name: "unlink twice", as: "putuo-staff", method: "DELETE", path: b + "/links/organisation/" + police, status: 404, problem: "link-not-found"},
		{name: "clerk of a court needs its organisation", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/users", body: map[string]any{"username": "no-org", "password": testPassword, "roles": []string{"agency-clerk"}}, status: 400, problem: "invalid-field", field: "organisation_id"},
		{name: "committee role needs a committee", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/users", body: map[string]any{"username": "wrong-org", "password": testPassword, "roles": []string{"committee-head"}, "organisation_id": court}, status: 400, problem: "invalid-field", field: "organisation_id"},
		{name: "bureau role refuses an organisation", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/users", body: map[string]any{"username": "staff-org", "password": testPassword, "roles": []string{"district-staff"}, "organisation_id": court}, status: 400, problem: "invalid-field", field: "organisation_id"},
		{name: "agency token of another tenant's organisation", as: "qingpu-admin", method: "POST", path: "/api/v1/tenants/310107/organisations/" + court + "/tokens", body: map[string]any{"name": "x"}, status: 404, problem: "tenant-not-found"},
		{name: "agency token of a committee", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/organisations/" + committee + "/tokens", body: map[string]any{"name": "x"}, status: 404, problem: "organisation-not-found"},
	})

	// Both cases reach an agreement through the committee; the court confirms the one it
	// referred, and each sees the follow-ups of its own cases.
	for _, path := range []string{a, b} {
		for _, step := range []struct {
			action string
			body   map[string]any
		}{
			{"assign", map[string]any{"committee_id": committee}},
			{"start_mediation", map[string]any{}},
			{"succeed", map[string]any{"agreement": map[string]any{"form": "written", "terms": []map[string]any{{"text": "赔偿维修费", "amount": 3000, "due_date": "2026-12-31", "payer": "李四"}}}}},
		} {
			if res := e.do("putuo-staff", http.MethodPost, path+"/actions/"+step.action, step.body); res.status != http.StatusOK {
				t.Fatalf("%s %s: %d %s", path, step.action, res.status, res.body)
			}
		}
	}
	runRows(t, e, nil, []row{
		{name: "the committee head reads the assigned case", as: head, method: "GET", path: b, status: 200},
		{name: "the committee head lists its cases", as: head, method: "GET", path: "/api/v1/tenants/310107/cases", status: 200, items: count(2)},
		{name: "the court records judicial confirmation", as: clerk, method: "POST", path: a + "/actions/confirm", body: map[string]any{"confirmation": map[string]any{"court": "上海市普陀区人民法院", "reference": "(2026)沪0107民特1号", "date": "2026-11-20"}}, status: 200},
		{name: "but not on a case it did not refer", as: clerk, method: "POST", path: b + "/actions/confirm", body: map[string]any{"confirmation": map[string]any{"court": "上海市普陀区人民法院", "reference": "(2026)沪0107民特2号", "date": "2026-11-20"}}, status: 404, problem: "case-not-found"},
		{name: "staff see every follow-up", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/follow-ups", status: 200, items: count(4)},
		{name: "the committee head sees its cases' follow-ups", as: head, method: "GET", path: "/api/v1/tenants/310107/follow-ups", status: 200, items: count(4)},
		{name: "the court sees the follow-ups of the case it referred", as: clerk, method: "GET", path: "/api/v1/tenants/310107/follow-ups", status: 200, items: count(2)},
		{name: "the police sees none", as: officer, method: "GET", path: "/api/v1/tenants/310107/follow-ups", status: 200, items: count(0)},
	})

	// Rules: the district lets the court see the parties of the cases it referred.
	res = e.do("putuo-admin", http.MethodPost, "/api/v1/tenants/310107/policies", map[string]any{"role": "agency-clerk", "resource": "cases.pii", "action": "read", "relationship": "referrer"})
	if res.status != http.StatusCreated {
		t.Fatalf("addPolicy: %d %s", res.status, res.body)
	}
	ruleID := res.json["id"].(string)
	explain := func(as, q string) map[string]any {
		t.Helper()
		r := e.do(as, http.MethodGet, "/api/v1/tenants/310107/policies/explain?"+q, nil)
		if r.status != http.StatusOK {
			t.Fatalf("explain %s: %d %s", q, r.status, r.body)
		}
		return r.json
	}
	ex := explain("putuo-admin", "username=court-clerk&resource=cases.pii&action=read&case_id="+caseA)
	if ex["allowed"] != true || ex["relationship"] != "referrer" || ex["rule"].(map[string]any)["tenant"] != "310107" {
		t.Errorf("explain after the rule: %v", ex)
	}
	ex = explain("putuo-admin", "username=court-clerk&resource=cases&action=read&case_id="+caseB)
	if ex["allowed"] != false || ex["rule"] != nil || ex["relationship"] != "member" {
		t.Errorf("explain of an unrelated case: %v", ex)
	}
	ex = explain("putuo-admin", "username=putuo-staff&resource=cases&action=update&case_id="+caseA)
	if ex["allowed"] != true || ex["relationship"] != "owner" || ex["rule"].(map[string]any)["default"] != true {
		t.Errorf("explain of staff: %v", ex)
	}
	runRows(t, e, nil, []row{
		{name: "court clerk now sees the parties", as: clerk, method: "GET", path: a + "?reveal=pii", status: 200},
		{name: "the rule is listed", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/policies?role=agency-clerk&relationship=referrer&resource=cases.pii", status: 200, items: count(1)},
		{name: "again is a conflict", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/policies", body: map[string]any{"role": "agency-clerk", "resource": "cases.pii", "action": "read", "relationship": "referrer"}, status: 409, problem: "rule-exists"},
		{name: "staff cannot edit rules", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/policies", body: map[string]any{"role": "agency-clerk", "resource": "cases", "action": "read", "relationship": "member"}, status: 403, problem: "forbidden"},
		{name: "no rules for roles above", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/policies", body: map[string]any{"role": "city-admin", "resource": "cases.pii", "action": "read", "relationship": "ancestor"}, status: 403, problem: "policy-escalation"},
		{name: "nothing more than the admin holds", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/policies", body: map[string]any{"role": "district-staff", "resource": "tenants", "action": "archive"}, status: 403, problem: "policy-escalation"},
		{name: "unknown resource", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/policies", body: map[string]any{"role": "district-staff", "resource": "moon", "action": "read"}, status: 400, problem: "invalid-field", field: "resource"},
		{name: "unknown relationship", as: "putuo-admin", method: "POST", path: "/api/v1/tenants/310107/policies", body: map[string]any{"role": "district-staff", "resource": "cases", "action": "read", "relationship": "cousin"}, status: 400, problem: "invalid-field", field: "relationship"},
		{name: "defaults stay", as: "putuo-admin", method: "DELETE", path: "/api/v1/tenants/310107/policies/" + defaultRuleID(t, e), status: 409, problem: "default-rule"},
		{name: "bad rule id", as: "putuo-admin", method: "DELETE", path: "/api/v1/tenants/310107/policies/not-a-rule", status: 404, problem: "rule-not-found"},
		{name: "another district cannot read the rules", as: "qingpu-admin", method: "GET", path: "/api/v1/tenants/310107/policies", status: 404, problem: "tenant-not-found"},
		{name: "another district cannot explain here", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/310107/policies/explain?username=court-clerk&resource=cases&action=read", status: 404, problem: "tenant-not-found"},
		{name: "another district cannot remove the rule", as: "qingpu-admin", method: "DELETE", path: "/api/v1/tenants/310107/policies/" + ruleID, status: 404, problem: "tenant-not-found"},
		{name: "explain someone outside the jurisdiction", as: "qingpu-admin", method: "GET", path: "/api/v1/tenants/310118/policies/explain?username=court-clerk&resource=cases&action=read", status: 404, problem: "user-not-found"},
		{name: "explain without a subject", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/policies/explain?resource=cases&action=read", status: 400, problem: "invalid-field", field: "username"},
		{name: "the district removes it", as: "putuo-admin", method: "DELETE", path: "/api/v1/tenants/310107/policies/" + ruleID, status: 204},
		{name: "court clerk no longer sees the parties", as: clerk, method: "GET", path: a + "?reveal=pii", status: 403, problem: "forbidden"},
		{name: "removing twice", as: "putuo-admin", method: "DELETE", path: "/api/v1/tenants/310107/policies/" + ruleID, status: 404, problem: "rule-not-found"},
	})
	audit := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/audit?limit=500", nil)
	for _, action := range []string{"policy.add", "policy.remove", "case.link", "case.unlink"} {
		if !strings.Contains(string(audit.body), `"action":"`+action+`"`) {
			t.Errorf("no %s in the audit trail", action)
		}
	}

	// Shares: case B with Qingpu, summary only, until tomorrow.
	share := map[string]any{"grantee_tenant": "310118", "scope": "summary", "purpose": "跨区协查当事人住所", "expires_at": time.Now().Add(24 * time.Hour).Format(time.RFC3339)}
	res = e.do("putuo-staff", http.MethodPost, b+"/shares", share)
	if res.status != http.StatusCreated {
		t.Fatalf("createCaseShare: %d %s", res.status, res.body)
	}
	shareID := res.json["id"].(string)
	runRows(t, e, nil, []row{
		{name: "the grantee reads the shared case", as: "qingpu-admin", method: "GET", path: b, status: 200},
		{name: "a summary share shows no parties", as: "qingpu-admin", method: "GET", path: b + "?reveal=pii", status: 403, problem: "forbidden"},
		{name: "the grantee cannot act on it", as: "qingpu-admin", method: "POST", path: b + "/actions/assign", body: map[string]any{"committee_id": committee}, status: 403, problem: "forbidden"},
		{name: "the grantee cannot reshare it", as: "qingpu-admin", method: "POST", path: b + "/shares", body: share, status: 403, problem: "forbidden"},
		{name: "the grantee lists what is shared with it", as: "qingpu-admin", method: "GET", path: "/api/v1/tenants/310118/shared-cases", status: 200, items: count(1)},
		{name: "but not the sharer's list", as: "qingpu-admin", method: "GET", path: "/api/v1/tenants/310107/cases", status: 404, problem: "tenant-not-found"},
		{name: "nor another case", as: "qingpu-admin", method: "GET", path: a, status: 404, problem: "tenant-not-found"},
		{name: "a third district sees nothing", as: "huaiyin-admin", method: "GET", path: b, status: 404, problem: "tenant-not-found"},
		{name: "nor the grantee's shares", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/310118/shared-cases", status: 404, problem: "tenant-not-found"},
		{name: "the sharer lists the shares", as: "putuo-staff", method: "GET", path: b + "/shares", status: 200, items: count(1)},
		{name: "share without purpose", as: "putuo-staff", method: "POST", path: b + "/shares", body: map[string]any{"grantee_tenant": "310118", "expires_at": time.Now().Add(time.Hour).Format(time.RFC3339)}, status: 400, problem: "invalid-field", field: "purpose"},
		{name: "share in the past", as: "putuo-staff", method: "POST", path: b + "/shares", body: map[string]any{"grantee_tenant": "310118", "purpose": "x", "expires_at": "2001-01-01T00:00:00Z"}, status: 400, problem: "invalid-field", field: "expires_at"},
		{name: "share with an unknown tenant", as: "putuo-staff", method: "POST", path: b + "/shares", body: map[string]any{"grantee_tenant": "999999", "purpose": "x", "expires_at": time.Now().Add(time.Hour).Format(time.RFC3339)}, status: 400, problem: "invalid-field", field: "grantee_tenant"},
		{name: "share with a bad scope", as: "putuo-staff", method: "POST", path: b + "/shares", body: map[string]any{"grantee_tenant": "310118", "scope": "all", "purpose": "x", "expires_at": time.Now().Add(time.Hour).Format(time.RFC3339)}, status: 400, problem: "invalid-field", field: "scope"},
		{name: "another district cannot revoke", as: "qingpu-admin", method: "DELETE", path: b + "/shares/" + shareID, status: 403, problem: "forbidden"},
	})
	// Expiry: the day after, the share no longer counts.
	e.cases.SetClock(func() time.Time { return time.Now().Add(48 * time.Hour) })
	runRows(t, e, nil, []row{
		{name: "an expired share shows nothing", as: "qingpu-admin", method: "GET", path: b, status: 404, problem: "tenant-not-found"},
	})
	e.cases.SetClock(time.Now)
	runRows(t, e, nil, []row{
		{name: "the sharer revokes it", as: "putuo-staff", method: "DELETE", path: b + "/shares/" + shareID, status: 200},
		{name: "a revoked share shows nothing", as: "qingpu-admin", method: "GET", path: b, status: 404, problem: "tenant-not-found"},
		{name: "revoking twice", as: "putuo-staff", method: "DELETE", path: b + "/shares/" + shareID, status: 409, problem: "share-revoked"},
		{name: "revoking an unknown share", as: "putuo-staff", method: "DELETE", path: b + "/shares/00000000-0000-0000-0000-000000000001", status: 404, problem: "share-not-found"},
		{name: "nothing shared any more", as: "qingpu-admin", method: "GET", path: "/api/v1/tenants/310118/shared-cases", status: 200, items: count(0)},
	})
	// A share to the court of another district with the parties.
	res = e.do("putuo-staff", http.MethodPost, b+"/shares", map[string]any{"grantee_tenant": "310107", "grantee_organisation_id": court, "scope": "parties", "purpose": "诉前调解材料", "expires_at": time.Now().Add(time.Hour).Format(time.RFC3339)})
	if res.status != http.StatusCreated {
		t.Fatalf("share with the court: %d %s", res.status, res.body)
	}
	runRows(t, e, nil, []row{
		{name: "the court reads the shared case with its parties", as: clerk, method: "GET", path: b + "?reveal=pii", status: 200},
		{name: "the court lists both its cases", as: clerk, method: "GET", path: "/api/v1/tenants/310107/cases", status: 200, items: count(2)},
		{name: "the police does not get the court's share", as: officer, method: "GET", path: b, status: 404, problem: "case-not-found"},
		{name: "the court lists the share addressed to it", as: clerk, method: "GET", path: "/api/v1/tenants/310107/shared-cases", status: 200, items: count(1)},
		{name: "the district's staff do not list a share to the court", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/shared-cases", status: 200, items: count(0)},
		{name: "nor does the police", as: officer, method: "GET", path: "/api/v1/tenants/310107/shared-cases", status: 200, items: count(0)},
	})
}

// defaultRuleID returns the id of some default rule of Putuo.
func defaultRuleID(t *testing.T, e *env) string {
	t.Helper()
	res := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/policies?role=district-staff", nil)
	for _, it := range res.json["items"].([]any) {
		if m := it.(map[string]any); m["default"] == true {
			return m["id"].(string)
		}
	}
	t.Fatal("no default rule listed")
	return ""
}
