package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestShareScopeFields: a share's scope is what its grantee sees of the case. A "summary"
// share shows the case without any party identity — no name, gender, birth year, ID number,
// phone, address or occupation, none of them in the free text either, and no agreement payer —
// in the case, the lists, search and the history; a "parties" share shows the parties as staff see them (masked
// contacts, in full with reveal=pii).
func TestShareScopeFields(t *testing.T) {
	e := newEnv(t)
	committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	police := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "长寿路派出所"})
	officer := e.agencyUser(t, "310107", "police-officer", "agency-clerk", police)
	body := sampleCase(t, "张三与李四漏水纠纷")
	body["description"] = "张三（电话13800138000，住长寿路100弄3号501室）称楼上李四家漏水，天花板受损。"
	body["parties"].([]map[string]any)[0]["occupation"] = "教师"
	id := e.createCase("putuo-staff", "310107", body)
	path := "/api/v1/tenants/310107/cases/" + id
	if res := e.do("putuo-staff", http.MethodPatch, path, map[string]any{"title": "张三与李四楼上漏水纠纷"}); res.status != http.StatusOK {
		t.Fatalf("updateCase: %d %s", res.status, res.body)
	}
	for _, step := range []struct {
		action string
		body   map[string]any
	}{
		{"assign", map[string]any{"committee_id": committee}},
		{"start_mediation", map[string]any{}},
		{"succeed", map[string]any{"agreement": map[string]any{"form": "written", "terms": []map[string]any{{"text": "李四赔偿张三维修费", "amount": 3000, "due_date": "2026-12-31", "payer": "李四"}}}}},
	} {
		if res := e.do("putuo-staff", http.MethodPost, path+"/actions/"+step.action, step.body); res.status != http.StatusOK {
			t.Fatalf("%s: %d %s", step.action, res.status, res.body)
		}
	}
	until := time.Now().Add(24 * time.Hour).Format(time.RFC3339)
	for _, sh := range []map[string]any{
		{"grantee_tenant": "310118", "scope": "summary", "purpose": "跨区协查", "expires_at": until},
		{"grantee_tenant": "370104", "scope": "parties", "purpose": "联合调解材料", "expires_at": until},
		{"grantee_tenant": "310107", "grantee_organisation_id": police, "scope": "summary", "purpose": "治安研判", "expires_at": until},
	} {
		if res := e.do("putuo-staff", http.MethodPost, path+"/shares", sh); res.status != http.StatusCreated {
			t.Fatalf("createCaseShare: %d %s", res.status, res.body)
		}
	}
	identity := []string{"name", "gender", "birth_year", "id_number", "phone", "address", "occupation"}
	secrets := []string{"张三", "李四", "13800138000", "138****8000", "长寿路100弄"}

	for _, tc := range []struct {
		name, as, path string
		list           bool
		summary        bool // no party identity anywhere
	}{
		{name: "summary share to a tenant: the case", as: "qingpu-admin", path: path, summary: true},
		{name: "summary share to an agency: the case", as: officer, path: path, summary: true},
		{name: "summary share to an agency: its list", as: officer, path: "/api/v1/tenants/310107/cases", list: true, summary: true},
		{name: "summary share to an agency: search", as: officer, path: "/api/v1/tenants/310107/cases/search?q=" + url.QueryEscape("漏水"), list: true, summary: true},
		{name: "summary share: the history", as: "qingpu-admin", path: path + "/history", list: true, summary: true},
		{name: "parties share: the case", as: "huaiyin-admin", path: path},
		{name: "parties share: in full", as: "huaiyin-admin", path: path + "?reveal=pii"},
		{name: "staff of the case's tenant", as: "putuo-staff", path: path},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(tc.as, http.MethodGet, tc.path, nil)
			if res.status != http.StatusOK {
				t.Fatalf("GET: %d %s", res.status, res.body)
			}
			c := res.json
			if strings.HasSuffix(tc.path, "/history") {
				if len(items(res)) < 2 {
					t.Errorf("the history lost its events: %s", res.body)
				}
				for _, s := range secrets {
					if strings.Contains(string(res.body), s) {
						t.Errorf("the summary's history shows %q: %s", s, res.body)
					}
				}
				return
			}
			if tc.list {
				list := items(res)
				if len(list) != 1 {
					t.Fatalf("%d items, want 1: %s", len(list), res.body)
				}
				c = list[0]
			}
			parties, _ := c["parties"].([]any)
			if len(parties) != 2 {
				t.Fatalf("%d parties, want 2 (their roles): %s", len(parties), res.body)
			}
			for i, p := range parties {
				party := p.(map[string]any)
				if party["role"] == nil || party["role"] == "" {
					t.Errorf("party %d without its role", i)
				}
				for _, f := range identity {
					v, shown := party[f]
					shown = shown && v != "" && v != float64(0)
					if shown == tc.summary && (tc.summary || i == 0) { // the respondent has no ID number, hence no gender
						t.Errorf("party %d %s = %v (summary %v)", i, f, v, tc.summary)
					}
				}
			}
			if tc.summary {
				for _, s := range secrets {
					if strings.Contains(string(res.body), s) {
						t.Errorf("the summary shows %q: %s", s, res.body)
					}
				}
				if c["title"] == "" || c["status"] != "succeeded" || c["dispute_type"] != "neighbour" {
					t.Errorf("the summary lost the case itself: %s", res.body)
				}
			} else if !strings.Contains(string(res.body), "张三") {
				t.Errorf("the parties are not shown: %s", res.body)
			}
		})
	}
}
