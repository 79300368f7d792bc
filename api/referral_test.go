package api_test

import (
	"net/http"
	"testing"
)

// TestReferralBoundToAgency: a referral made by an agency principal (its system's token or one
// of its users) is bound to the agency's own organisation, so the agency reads the case it
// sent; naming another agency is refused (403 referral.agency_id) and creates nothing. Staff
// entering a paper referral name any agency of their district and are recorded as its creator.
func TestReferralBoundToAgency(t *testing.T) {
	e := newEnv(t)
	court := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "普陀区人民法院"})
	police := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "长寿路派出所"})
	huaiyinPolice := e.org(t, "huaiyin-admin", "370104", map[string]any{"kind": "police_station", "name": "槐荫派出所"})
	res := e.do("putuo-admin", http.MethodPost, "/api/v1/tenants/310107/organisations/"+court+"/tokens", map[string]any{"name": "法院诉调对接系统"})
	if res.status != http.StatusCreated {
		t.Fatalf("createAgencyToken: %d %s", res.status, res.body)
	}
	courtSystem := "Bearer " + res.json["token"].(string)
	_, unbound := e.agencyToken("putuo-admin", "310107") // agency-system without an organisation
	unboundSystem := "Bearer " + unbound
	// The district lets agency clerks take in cases, so the court's user may refer one.
	if res := e.do("putuo-admin", http.MethodPost, "/api/v1/tenants/310107/policies",
		map[string]any{"role": "agency-clerk", "resource": "cases", "action": "create", "relationship": "*"}); res.status != http.StatusCreated {
		t.Fatalf("addPolicy: %d %s", res.status, res.body)
	}
	courtClerk := e.agencyUser(t, "310107", "court-clerk", "agency-clerk", court)
	policeOfficer := e.agencyUser(t, "310107", "police-officer", "agency-clerk", police)

	referral := func(agencyID string) map[string]any {
		body := sampleCase(t, "法院委派的邻里纠纷")
		body["source"] = "court"
		r := map[string]any{"agency": "普陀区人民法院", "reference": "(2026)沪0107民诉前调1号", "kind": "pre_filing"}
		if agencyID != "" {
			r["agency_id"] = agencyID
		}
		body["referral"] = r
		return body
	}
	noReferral := sampleCase(t, "法院系统报送的纠纷")
	noReferral["source"] = "court"
	casesOf := func() int {
		t.Helper()
		res := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases?limit=500", nil)
		if res.status != http.StatusOK {
			t.Fatalf("listCases: %d %s", res.status, res.body)
		}
		return len(items(res))
	}

	for _, tc := range []struct {
		name   string
		as     string
		body   map[string]any
		status int
		field  string
		// For a created case: the agency it is bound to ("" none), who reads it (200) and who
		// does not find it (404).
		agency    string
		creator   string
		readers   []string
		strangers []string
	}{
		{name: "court token without agency_id is bound to the court", as: courtSystem, body: referral(""), status: 201,
			agency: court, readers: []string{courtSystem, courtClerk, "putuo-staff"}, strangers: []string{policeOfficer}},
		{name: "court token naming the court itself", as: courtSystem, body: referral(court), status: 201,
			agency: court, readers: []string{courtSystem}, strangers: []string{policeOfficer}},
		{name: "court token without a referral refers for the court", as: courtSystem, body: noReferral, status: 201,
			agency: court, readers: []string{courtSystem, courtClerk}, strangers: []string{policeOfficer}},
		{name: "court token naming the police is refused", as: courtSystem, body: referral(police), status: 403, field: "referral.agency_id"},
		{name: "court token naming another tenant's agency is refused", as: courtSystem, body: referral(huaiyinPolice), status: 403, field: "referral.agency_id"},
		{name: "court user without agency_id is bound to the court", as: courtClerk, body: referral(""), status: 201,
			agency: court, readers: []string{courtClerk, courtSystem}, strangers: []string{policeOfficer}},
		{name: "court user naming the police is refused", as: courtClerk, body: referral(police), status: 403, field: "referral.agency_id"},
		{name: "token without an organisation naming the court is refused", as: unboundSystem, body: referral(court), status: 403, field: "referral.agency_id"},
		{name: "token without an organisation refers in no agency's name", as: unboundSystem, body: referral(""), status: 201,
			agency: "", readers: []string{"putuo-staff"}, strangers: []string{courtSystem, policeOfficer}},
		{name: "staff enter a paper referral of the police", as: "putuo-staff", body: referral(police), status: 201,
			agency: police, creator: "user:" + e.ids["putuo-staff"], readers: []string{policeOfficer, "putuo-staff"}, strangers: []string{courtSystem, courtClerk}},
		{name: "staff naming another tenant's agency", as: "putuo-staff", body: referral(huaiyinPolice), status: 400, field: "referral.agency_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := casesOf()
			res := e.do(tc.as, http.MethodPost, "/api/v1/tenants/310107/cases", tc.body)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			if tc.status >= 400 {
				if res.json["field"] != tc.field || res.header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("problem field %v, want %q: %s", res.json["field"], tc.field, res.body)
				}
				if after := casesOf(); after != before {
					t.Errorf("a refused referral created %d case(s)", after-before)
				}
				return
			}
			got := ""
			if r, ok := res.json["referral"].(map[string]any); ok {
				got, _ = r["agency_id"].(string)
			}
			if got != tc.agency {
				t.Errorf("referral.agency_id = %q, want %q: %s", got, tc.agency, res.body)
			}
			if tc.creator != "" && res.json["created_by"] != tc.creator {
				t.Errorf("created_by = %v, want %s", res.json["created_by"], tc.creator)
			}
			path := "/api/v1/tenants/310107/cases/" + res.json["id"].(string)
			for i, as := range tc.readers {
				if r := e.do(as, http.MethodGet, path, nil); r.status != http.StatusOK {
					t.Errorf("reader %d: %d %s", i, r.status, r.body)
				}
			}
			for i, as := range tc.strangers {
				if r := e.do(as, http.MethodGet, path, nil); r.status != http.StatusNotFound {
					t.Errorf("stranger %d: %d, want 404", i, r.status)
				}
			}
		})
	}

	// Corrections follow the same rule: only staff move a case into another agency's name.
	committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	head := e.agencyUser(t, "310107", "committee-head", "committee-head", committee)
	id := e.createCase("putuo-staff", "310107", referral(police))
	path := "/api/v1/tenants/310107/cases/" + id
	if res := e.do("putuo-staff", http.MethodPost, path+"/actions/assign", map[string]any{"committee_id": committee}); res.status != http.StatusOK {
		t.Fatalf("assign: %d %s", res.status, res.body)
	}
	naming := func(agencyID string) map[string]any {
		return map[string]any{"referral": map[string]any{"agency": "普陀区人民法院", "agency_id": agencyID, "reference": "(2026)沪0107民诉前调1号", "kind": "pre_filing"}}
	}
	agencyOf := func() string {
		t.Helper()
		res := e.do("putuo-staff", http.MethodGet, path, nil)
		r, _ := res.json["referral"].(map[string]any)
		got, _ := r["agency_id"].(string)
		return got
	}
	for _, tc := range []struct {
		name   string
		as     string
		body   map[string]any
		status int
		field  string
		agency string // the case's agency afterwards
	}{
		{name: "the committee head cannot move it to the court", as: head, body: naming(court), status: 403, field: "referral.agency_id", agency: police},
		{name: "the committee head may keep the police", as: head, body: naming(police), status: 200, agency: police},
		{name: "staff cannot name another tenant's agency", as: "putuo-staff", body: naming(huaiyinPolice), status: 400, field: "referral.agency_id", agency: police},
		{name: "staff correct it to the court", as: "putuo-staff", body: naming(court), status: 200, agency: court},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(tc.as, http.MethodPatch, path, tc.body)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			if tc.field != "" && res.json["field"] != tc.field {
				t.Errorf("problem field %v, want %q", res.json["field"], tc.field)
			}
			if got := agencyOf(); got != tc.agency {
				t.Errorf("referral.agency_id = %q, want %q", got, tc.agency)
			}
		})
	}
	if res := e.do(courtClerk, http.MethodGet, path, nil); res.status != http.StatusOK {
		t.Errorf("the court reads the case corrected into its name: %d", res.status)
	}
}
