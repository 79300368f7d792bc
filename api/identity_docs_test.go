package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// docCase is a case whose applicant holds a document of a type.
func docCase(title, idType, number string) map[string]any {
	return map[string]any{
		"title": title, "description": "租客与房东就押金退还发生争执。", "dispute_type": "contract", "source": "walk_in",
		"parties": []map[string]any{
			{"name": "陈大文", "role": "applicant", "id_type": idType, "id_number": number, "phone": "13800138000"},
			{"name": "李四", "role": "respondent"},
		},
	}
}

// TestCaseIdentityDocuments: a party's identity document type is recorded with the number,
// validated by its own rule, masked like an ID number (revealed only on request, to those who
// may), and matched against earlier cases by its blind index; refused inputs store nothing.
func TestCaseIdentityDocuments(t *testing.T) {
	e := newEnv(t)
	path := "/api/v1/tenants/310107/cases"
	for _, c := range []struct {
		name, idType, number string
		masked, revealed     string
		birthYear            float64
	}{
		{"Hong Kong permit", "hk_macao_permit", "h1234 5678", "H******78", "H12345678", 0},
		{"Taiwan permit, old form", "taiwan_permit", "12345678(01)", "1*******01", "1234567801", 0},
		{"residence permit of a Macao resident", "hmt_residence_permit", "820000198512314564", "820***********4564", "820000198512314564", 1985},
		{"passport", "passport", "E12345678", "E******78", "E12345678", 0},
		{"foreign permanent resident ID", "foreign_permanent_id", "931840198501010013", "931***********0013", "931840198501010013", 0},
		{"resident ID by default", "", idNumber(t, "310107", "19800101", 123), "310***********" + idNumber(t, "310107", "19800101", 123)[14:], idNumber(t, "310107", "19800101", 123), 1980},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := e.do("putuo-staff", http.MethodPost, path, docCase(c.name, c.idType, c.number))
			if res.status != http.StatusCreated {
				t.Fatalf("intake: %d %s", res.status, res.body)
			}
			want := c.idType
			if want == "" {
				want = "resident_id"
			}
			p0 := res.json["parties"].([]any)[0].(map[string]any)
			if p0["id_type"] != want || p0["id_number"] != c.masked || p0["masked"] != true {
				t.Errorf("created party: %v", p0)
			}
			if p1 := res.json["parties"].([]any)[1].(map[string]any); p1["id_type"] != "resident_id" {
				t.Errorf("a person without a number has the default type: %v", p1)
			}
			id := res.json["id"].(string)
			full := e.do("putuo-admin", http.MethodGet, path+"/"+id+"?reveal=pii", nil)
			p0 = full.json["parties"].([]any)[0].(map[string]any)
			if full.status != 200 || p0["id_number"] != c.revealed || p0["id_type"] != want {
				t.Errorf("revealed: %d %v", full.status, p0)
			}
			if by, _ := p0["birth_year"].(float64); by != c.birthYear {
				t.Errorf("birth year %v, want %v", p0["birth_year"], c.birthYear)
			}
			runRows(t, e, nil, []row{
				{name: "another district's staff", as: "huaiyin-staff", method: "GET", path: "/api/v1/tenants/310107/cases/" + id, status: 404, problem: "tenant-not-found"},
				{name: "upper levels cannot reveal", as: "sh-prov", method: "GET", path: path + "/" + id + "?reveal=pii", status: 404, problem: "case-not-found"},
			})
		})
	}

	// The same permit, typed differently, is the same person: the earlier case counts.
	again := e.do("putuo-staff", http.MethodPost, path, docCase("又一次押金纠纷", "hk_macao_permit", "H12345678"))
	found := false
	for _, s := range again.json["risk"].(map[string]any)["signals"].([]any) {
		found = found || s.(map[string]any)["code"] == "repeat_dispute"
	}
	if again.status != http.StatusCreated || !found {
		t.Errorf("a party with the same permit is not matched with the earlier case: %d %s", again.status, again.body)
	}

	org := docCase("单位", "passport", "E12345678")
	org["parties"].([]map[string]any)[1]["kind"] = "organisation"
	org["parties"].([]map[string]any)[1]["id_type"] = "passport"
	before := len(e.do("putuo-staff", http.MethodGet, path, nil).json["items"].([]any))
	runRows(t, e, nil, []row{
		{name: "a resident ID is no Hong Kong permit", as: "putuo-staff", method: "POST", path: path, body: docCase("x", "hk_macao_permit", "11010519491231002X"), status: 400, problem: "invalid-field", field: "parties[0].id_number"},
		{name: "a permit is no resident ID", as: "putuo-staff", method: "POST", path: path, body: docCase("x", "", "H12345678"), status: 400, problem: "invalid-field", field: "parties[0].id_number"},
		{name: "Taiwan permit of 9 digits", as: "putuo-staff", method: "POST", path: path, body: docCase("x", "taiwan_permit", "123456789"), status: 400, problem: "invalid-field", field: "parties[0].id_number"},
		{name: "residence permit with a wrong check digit", as: "putuo-staff", method: "POST", path: path, body: docCase("x", "hmt_residence_permit", "810000199001011231"), status: 400, problem: "invalid-field", field: "parties[0].id_number"},
		{name: "unknown document type", as: "putuo-staff", method: "POST", path: path, body: docCase("x", "driving_licence", "123456"), status: 400, problem: "invalid-field", field: "parties[0].id_type"},
		{name: "an organisation has no document type", as: "putuo-staff", method: "POST", path: path, body: org, status: 400, problem: "invalid-field", field: "parties[1].id_type"},
	})
	if after := len(e.do("putuo-staff", http.MethodGet, path, nil).json["items"].([]any)); after != before {
		t.Errorf("refused intakes stored %d cases", after-before)
	}
}

// TestCorrectPartyDocument: a person's identity document is corrected through updateCase —
// validated by its type's rule, sealed, masked, its history entry naming the type and never the
// number, matched with later cases; a refused correction changes nothing; outsiders cannot.
func TestCorrectPartyDocument(t *testing.T) {
	e := newEnv(t)
	court := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "普陀区人民法院"})
	clerk := e.agencyUser(t, "310107", "court-clerk", "agency-clerk", court)
	body := docCase("押金纠纷", "", idNumber(t, "310107", "19800101", 123))
	body["parties"].([]map[string]any)[1]["kind"] = "organisation"
	created := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", body)
	if created.status != http.StatusCreated {
		t.Fatalf("intake: %d %s", created.status, created.body)
	}
	path := "/api/v1/tenants/310107/cases/" + created.json["id"].(string)
	parties := created.json["parties"].([]any)
	person, org := parties[0].(map[string]any)["id"].(string), parties[1].(map[string]any)["id"].(string)
	fix := func(id, idType, number string) map[string]any {
		return map[string]any{"parties": []map[string]any{{"id": id, "id_type": idType, "id_number": number}}}
	}

	res := e.do("putuo-staff", http.MethodPatch, path, fix(person, "hk_macao_permit", "h8765 4321"))
	if res.status != http.StatusOK {
		t.Fatalf("correction: %d %s", res.status, res.body)
	}
	if p0 := res.json["parties"].([]any)[0].(map[string]any); p0["id_type"] != "hk_macao_permit" || p0["id_number"] != "H******21" || p0["birth_year"] != float64(1980) {
		t.Errorf("corrected party %v", p0)
	}
	runRows(t, e, nil, []row{
		{name: "unknown party", as: "putuo-staff", method: "PATCH", path: path, body: fix("00000000-0000-0000-0000-000000000000", "passport", "E12345678"), status: 400, problem: "invalid-field", field: "parties[0].id"},
		{name: "a number not of its type", as: "putuo-staff", method: "PATCH", path: path, body: fix(person, "taiwan_permit", "H12345678"), status: 400, problem: "invalid-field", field: "parties[0].id_number"},
		{name: "an unknown type", as: "putuo-staff", method: "PATCH", path: path, body: fix(person, "driving_licence", "12345678"), status: 400, problem: "invalid-field", field: "parties[0].id_type"},
		{name: "no number", as: "putuo-staff", method: "PATCH", path: path, body: fix(person, "passport", " "), status: 400, problem: "invalid-field", field: "parties[0].id_number"},
		{name: "an organisation has no document", as: "putuo-staff", method: "PATCH", path: path, body: fix(org, "passport", "E12345678"), status: 400, problem: "invalid-field", field: "parties[0].id_type"},
		{name: "another district's staff", as: "huaiyin-staff", method: "PATCH", path: path, body: fix(person, "passport", "E12345678"), status: 404, problem: "tenant-not-found"},
		{name: "a court's clerk", as: clerk, method: "PATCH", path: path, body: fix(person, "passport", "E12345678"), status: 404, problem: "case-not-found"},
	})
	full := e.do("putuo-admin", http.MethodGet, path+"?reveal=pii", nil)
	if p0 := full.json["parties"].([]any)[0].(map[string]any); p0["id_number"] != "H87654321" || p0["id_type"] != "hk_macao_permit" {
		t.Errorf("after refused corrections: %v", p0)
	}
	hist := e.do("putuo-staff", http.MethodGet, path+"/history", nil)
	if !strings.Contains(string(hist.body), `"id_type":"hk_macao_permit"`) || strings.Contains(string(hist.body), "87654321") {
		t.Errorf("history of the correction: %s", hist.body)
	}
	again := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", docCase("再次纠纷", "hk_macao_permit", "H87654321"))
	found := false
	for _, s := range again.json["risk"].(map[string]any)["signals"].([]any) {
		found = found || s.(map[string]any)["code"] == "repeat_dispute"
	}
	if !found {
		t.Errorf("the corrected document does not match later cases: %s", again.body)
	}
}
