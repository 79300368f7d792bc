package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// statsEnv creates a small hand-counted dataset through the API:
//
//	Putuo 310107: P1 walk_in, street committee, mediator 王调解员, succeeded, performed
//	              P2 hotline, industry committee, failed (litigation)
//	              P3 walk_in, open
//	Qingpu 310118: Q1 walk_in, guided
//	Huaiyin 370104: H1 walk_in, open
func statsEnv(t *testing.T) (*env, string) {
	e := newEnv(t)
	street := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	industry := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "industry_committee", "name": "普陀区物业纠纷调委会", "industry": "property"})
	act := func(code, id, a string, body any) {
		t.Helper()
		res := e.do(map[string]string{"310107": "putuo-staff", "310118": "qingpu-admin"}[code], http.MethodPost,
			"/api/v1/tenants/"+code+"/cases/"+id+"/actions/"+a, body)
		if res.status != 200 {
			t.Fatalf("%s: %d %s", a, res.status, res.body)
		}
	}
	create := func(as, code, source string) string {
		t.Helper()
		body := sampleCase(t, "统计测试案件")
		body["source"] = source
		if code != "310107" {
			body["place_code"] = ""
		}
		res := e.do(as, http.MethodPost, "/api/v1/tenants/"+code+"/cases", body)
		if res.status != 201 {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		return res.json["id"].(string)
	}
	wang := e.mustCreate("putuo-admin", putuoMediators, map[string]any{"name": "王调解员", "kind": "full_time", "organisation_id": street})
	p1 := create("putuo-staff", "310107", "walk_in")
	act("310107", p1, "assign", map[string]any{"committee_id": street, "mediators": []string{wang}})
	act("310107", p1, "start_mediation", nil)
	act("310107", p1, "record_session", map[string]any{"session": map[string]any{"at": time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), "mode": "in_person", "mediator_ids": []string{wang}}})
	act("310107", p1, "succeed", map[string]any{"agreement": map[string]any{"form": "written", "terms": []map[string]any{{"text": "赔偿维修费", "amount": 3000}}}})
	act("310107", p1, "record_performed", nil)
	p2 := create("putuo-staff", "310107", "hotline")
	act("310107", p2, "assign", map[string]any{"committee_id": industry})
	act("310107", p2, "start_mediation", nil)
	act("310107", p2, "fail", map[string]any{"channel": "litigation"})
	create("putuo-staff", "310107", "walk_in")
	q1 := create("qingpu-admin", "310118", "walk_in")
	act("310118", q1, "guide", map[string]any{"channel": "arbitration", "reason": "属劳动仲裁范围"})
	create("huaiyin-staff", "370104", "walk_in")
	return e, street
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

func TestStatsFigures(t *testing.T) {
	e, street := statsEnv(t)
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	period := "from=" + today + "&to=" + today
	tests := []struct {
		name  string
		as    string
		path  string
		want  map[string]float64
		rate  any // success_rate: a number or nil
		check func(t *testing.T, body map[string]any)
	}{
		{name: "district", as: "putuo-staff", path: "310107/stats?" + period,
			want: map[string]float64{"received": 3, "concluded": 2, "succeeded": 1, "failed": 1, "guided": 0, "resolved_locally": 1,
				"resolved_locally_rate": 0.5, "performed": 1, "performance_rate": 1, "recanted": 0, "open_overdue": 0}, rate: 0.5},
		{name: "district, one source", as: "putuo-admin", path: "310107/stats?" + period + "&source=hotline",
			want: map[string]float64{"received": 1, "concluded": 1, "succeeded": 0, "failed": 1}, rate: 0.0},
		{name: "district, a source without cases", as: "putuo-admin", path: "310107/stats?" + period + "&source=court",
			want: map[string]float64{"received": 0, "concluded": 0}, rate: nil},
		{name: "district, one type", as: "putuo-admin", path: "310107/stats?" + period + "&dispute_type=neighbour",
			want: map[string]float64{"received": 3, "concluded": 2}, rate: 0.5},
		{name: "province rolls up its districts", as: "sh-prov", path: "310000/stats?" + period,
			want: map[string]float64{"received": 4, "concluded": 3, "succeeded": 1, "failed": 1, "guided": 1}, rate: 0.3333},
		{name: "country rolls up everything", as: "nation", path: "000000/stats?" + period,
			want: map[string]float64{"received": 5, "concluded": 3, "succeeded": 1}, rate: 0.3333},
		{name: "another year is empty", as: "nation", path: "000000/stats?from=2020-01-01&to=2020-12-31",
			want: map[string]float64{"received": 0, "concluded": 0, "succeeded": 0}, rate: nil},
		{name: "breakdowns", as: "putuo-admin", path: "310107/stats?" + period + "&group_by=source,committee,mediator,gender",
			want: map[string]float64{"received": 3}, rate: 0.5,
			check: func(t *testing.T, body map[string]any) {
				got := map[string]string{}
				for _, b := range body["breakdowns"].([]any) {
					bm := b.(map[string]any)
					var parts []string
					for _, r := range bm["rows"].([]any) {
						rm := r.(map[string]any)
						key := rm["key"]
						if bm["by"] == "mediator" { // registry ids sort anywhere: show the labels
							key = rm["label"]
						}
						parts = append(parts, fmt.Sprintf("%v=%v/%v", key, rm["received"], rm["succeeded"]))
					}
					got[bm["by"].(string)] = strings.Join(parts, " ") + " " + bm["grain"].(string)
				}
				want := map[string]string{
					"source":    "hotline=1/0 walk_in=2/1 day",
					"committee": street + "=1/1 unknown=1/0 ",
					"mediator":  "王调解员=1/1 未指派=2/0 month",
					"gender":    "male=3/1 unknown=3/1 month", // 张三 has an ID number (male), 李四 none
				}
				for k, w := range want {
					if k == "committee" {
						// the industry committee's id sorts anywhere; check the street's row
						if !strings.Contains(got[k], street+"=1/1") {
							t.Errorf("committee breakdown %q", got[k])
						}
						continue
					}
					if got[k] != w {
						t.Errorf("%s breakdown %q, want %q", k, got[k], w)
					}
				}
			}},
		{name: "province by child tenant", as: "sh-prov", path: "310000/stats?" + period + "&group_by=tenant",
			want: map[string]float64{"received": 4}, rate: 0.3333,
			check: func(t *testing.T, body map[string]any) {
				rows := body["breakdowns"].([]any)[0].(map[string]any)["rows"].([]any)
				if len(rows) != 1 || rows[0].(map[string]any)["key"] != "310100" || num(rows[0].(map[string]any)["received"]) != 4 {
					t.Errorf("by tenant: %v", rows)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(tc.as, http.MethodGet, "/api/v1/tenants/"+tc.path, nil)
			if res.status != 200 {
				t.Fatalf("%d %s", res.status, res.body)
			}
			for k, v := range tc.want {
				if num(res.json[k]) != v {
					t.Errorf("%s = %v, want %v", k, res.json[k], v)
				}
			}
			if tc.rate == nil && res.json["success_rate"] != nil || tc.rate != nil && res.json["success_rate"] != tc.rate {
				t.Errorf("success_rate = %v, want %v", res.json["success_rate"], tc.rate)
			}
			// Aggregates only: no party's name or ID number leaves in the figures.
			for _, secret := range []string{"张三", "李四", "310107198001011"} {
				if strings.Contains(string(res.body), secret) {
					t.Errorf("the figures carry personal data %q", secret)
				}
			}
			if tc.check != nil {
				tc.check(t, res.json)
			}
		})
	}
}

func TestStatsAccessAndErrors(t *testing.T) {
	e, _ := statsEnv(t)
	_, agency := e.agencyToken("putuo-admin", "310107")
	runRows(t, e, nil, []row{
		{name: "neighbour district", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/310107/stats", status: 404, problem: "tenant-not-found"},
		{name: "district cannot read its province", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310000/stats", status: 404, problem: "tenant-not-found"},
		{name: "district cannot read a sibling", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310118/stats", status: 404, problem: "tenant-not-found"},
		{name: "other province", as: "sd-prov", method: "GET", path: "/api/v1/tenants/310000/stats", status: 404, problem: "tenant-not-found"},
		{name: "agency system", as: "Bearer " + agency, method: "GET", path: "/api/v1/tenants/310107/stats", status: 403, problem: "forbidden"},
		{name: "anonymous", method: "GET", path: "/api/v1/tenants/310107/stats", status: 401, problem: "unauthenticated"},
		{name: "bad date", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/stats?from=2020-1-1", status: 400, problem: "invalid-field", field: "from"},
		{name: "reversed period", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/stats?from=2021-01-01&to=2020-01-01", status: 400, problem: "invalid-field", field: "from"},
		{name: "unknown source", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/stats?source=tv", status: 400, problem: "invalid-field", field: "source"},
		{name: "unknown grouping", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/stats?group_by=colour", status: 400, problem: "invalid-field", field: "group_by"},
		{name: "upper level sees its subtree", as: "jinan-city", method: "GET", path: "/api/v1/tenants/370104/stats", status: 200},
	})
	// The neighbour's figures stay out of Jinan's roll-up and the other way round.
	j := e.do("jinan-city", http.MethodGet, "/api/v1/tenants/370100/stats", nil)
	if num(j.json["received"]) != 1 {
		t.Errorf("Jinan received %v, want 1 (Huaiyin's case only)", j.json["received"])
	}
}
