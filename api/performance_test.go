package api_test

import (
	"net/http"
	"testing"
	"time"
)

// agreedCase takes a new Putuo case to a written agreement of 8,000 yuan; it returns the case's
// id and the id of its second party.
func agreedCase(t *testing.T, e *env, committee string) (id, party string) {
	t.Helper()
	id, _ = e.newCase(t, "putuo-staff", "310107")
	for _, a := range []struct {
		action string
		body   any
	}{
		{"assign", map[string]any{"committee_id": committee}},
		{"start_mediation", nil},
		{"succeed", map[string]any{"agreement": map[string]any{"form": "written", "terms": []map[string]any{{"text": "李四赔偿张三维修费", "amount": 8000, "payer": "李四"}}}}},
	} {
		if res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases/"+id+"/actions/"+a.action, a.body); res.status != 200 {
			t.Fatalf("%s: %d %s", a.action, res.status, res.body)
		}
	}
	c := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id, nil)
	parties := c.json["parties"].([]any)
	return id, parties[len(parties)-1].(map[string]any)["id"].(string)
}

// TestPerformanceRecords is the contract of performance (履行): results validated and named,
// partial performance with what is left and by when, a recant with who and when, a follow-up
// feeding the same records, every report kept, the statistics following the latest.
func TestPerformanceRecords(t *testing.T) {
	e := newEnv(t)
	street := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	id, party := agreedCase(t, e, street)
	act := func(a string) string { return "/api/v1/tenants/310107/cases/" + id + "/actions/" + a }
	today := time.Now().In(time.FixedZone("CST", 8*3600))
	due := today.AddDate(0, 1, 0).Format("2006-01-02")
	partly := map[string]any{"result": "partly_performed", "performance": map[string]any{"remaining_amount": 3000, "remaining": "余款三千元", "remaining_due": due}}
	runRows(t, e, nil, []row{
		{name: "unknown result", as: "putuo-staff", method: "POST", path: act("record_performed"), body: map[string]any{"result": "maybe"}, status: 400, problem: "invalid-field", field: "result"},
		{name: "partly without what is left", as: "putuo-staff", method: "POST", path: act("record_performed"), body: map[string]any{"result": "partly_performed", "performance": map[string]any{"remaining_due": due}}, status: 400, problem: "invalid-field", field: "performance.remaining"},
		{name: "partly without by when", as: "putuo-staff", method: "POST", path: act("record_performed"), body: map[string]any{"result": "partly_performed", "performance": map[string]any{"remaining_amount": 3000}}, status: 400, problem: "invalid-field", field: "performance.remaining_due"},
		{name: "more left than agreed", as: "putuo-staff", method: "POST", path: act("record_performed"), body: map[string]any{"result": "partly_performed", "performance": map[string]any{"remaining_amount": 9000, "remaining_due": due}}, status: 400, problem: "invalid-field", field: "performance.remaining_amount"},
		{name: "a date in the future", as: "putuo-staff", method: "POST", path: act("record_performed"), body: map[string]any{"performance": map[string]any{"date": today.AddDate(0, 0, 2).Format("2006-01-02")}}, status: 400, problem: "invalid-field", field: "performance.date"},
		{name: "an unknown detail", as: "putuo-staff", method: "POST", path: act("record_performed"), body: map[string]any{"performance": map[string]any{"left": 1}}, status: 400, problem: "invalid-field"},
		{name: "other district cannot record", as: "huaiyin-admin", method: "POST", path: act("record_performed"), body: partly, status: 404, problem: "tenant-not-found"},
		{name: "upper level cannot record", as: "sh-prov", method: "POST", path: act("record_performed"), body: partly, status: 404, problem: "case-not-found"},
		{name: "partly performed", as: "putuo-staff", method: "POST", path: act("record_performed"), body: partly, status: 200},
		{name: "recant without who", as: "putuo-staff", method: "POST", path: act("record_recant"), body: map[string]any{"reason": "李四不认可协议"}, status: 400, problem: "invalid-field", field: "performance.party_id"},
		{name: "recant by a stranger", as: "putuo-staff", method: "POST", path: act("record_recant"), body: map[string]any{"reason": "不认可", "performance": map[string]any{"party_id": "00000000-0000-0000-0000-000000000000"}}, status: 400, problem: "invalid-field", field: "performance.party_id"},
		{name: "recant", as: "putuo-staff", method: "POST", path: act("record_recant"), body: map[string]any{"reason": "李四不认可协议", "performance": map[string]any{"party_id": party}}, status: 200},
	})
	c := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id, nil)
	recs, _ := c.json["performance_records"].([]any)
	if c.json["performance"] != "recanted" || len(recs) != 2 {
		t.Fatalf("after the reports: performance %v, %d records: %s", c.json["performance"], len(recs), c.body)
	}
	first, second := recs[0].(map[string]any), recs[1].(map[string]any)
	if first["result"] != "partly_performed" || first["remaining_amount"] != 3000.0 || first["remaining"] != "余款三千元" ||
		first["remaining_due"] != due || first["date"] != today.Format("2006-01-02") {
		t.Errorf("partial performance record: %v", first)
	}
	if first["recorded_by"] != "user:"+e.ids["putuo-staff"] || first["recorded_by_name"] != "putuo-staff" {
		t.Errorf("who recorded the partial performance: %v / %v, want the user and the name people read", first["recorded_by"], first["recorded_by_name"])
	}
	if second["result"] != "recanted" || second["party_id"] != party || second["reason"] != "李四不认可协议" || second["date"] != today.Format("2006-01-02") {
		t.Errorf("recant record: %v", second)
	}

	// A follow-up that finds the agreement partly performed records what is left.
	id2, _ := agreedCase(t, e, street)
	c = e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id2, nil)
	fu := c.json["follow_ups"].([]any)[0].(map[string]any)["id"].(string)
	act2 := func(a string) string { return "/api/v1/tenants/310107/cases/" + id2 + "/actions/" + a }
	runRows(t, e, nil, []row{
		{name: "follow-up partly, the rest unsaid", as: "putuo-staff", method: "POST", path: act2("follow_up"), body: map[string]any{"follow_up_id": fu, "result": "partly_performed"}, status: 400, problem: "invalid-field", field: "performance.remaining"},
		{name: "follow-up partly performed", as: "putuo-staff", method: "POST", path: act2("follow_up"), body: map[string]any{"follow_up_id": fu, "result": "partly_performed", "performance": map[string]any{"remaining_amount": 2000, "remaining_due": due}}, status: 200},
	})
	c = e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/cases/"+id2, nil)
	recs, _ = c.json["performance_records"].([]any)
	if c.json["performance"] != "partly_performed" || len(recs) != 1 || recs[0].(map[string]any)["follow_up_id"] != fu {
		t.Fatalf("after the follow-up: %s", c.body)
	}

	// A third agreement performed: known 3, performed 1, partly 1, recanted 1 of 3 agreements.
	id3, _ := agreedCase(t, e, street)
	if res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases/"+id3+"/actions/record_performed", map[string]any{"result": "performed"}); res.status != 200 {
		t.Fatalf("performed: %d %s", res.status, res.body)
	}
	day := today.Format("2006-01-02")
	for _, as := range []string{"putuo-staff", "sh-prov"} {
		s := e.do(as, http.MethodGet, "/api/v1/tenants/310107/stats?from="+day+"&to="+day, nil)
		want := map[string]float64{"succeeded": 3, "performed": 1, "partly_performed": 1, "not_performed": 0, "recanted": 1,
			"performance_known": 3, "performance_rate": 0.3333, "recant_rate": 0.3333}
		for k, v := range want {
			if num(s.json[k]) != v {
				t.Errorf("%s: stats %s = %v, want %v", as, k, s.json[k], v)
			}
		}
	}
}
