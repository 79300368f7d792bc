package api_test

import (
	"net/http"
	"testing"
)

// TestQueueCounts: the counts of warnings and follow-ups are what the lists hold, for every
// caller (each sees the count of what it may list), and another district is refused as by
// the lists.
func TestQueueCounts(t *testing.T) {
	e := newEnv(t)
	police := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "长寿路派出所"})
	committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	if res := e.do("putuo-admin", http.MethodPut, "/api/v1/tenants/310107/warning-settings", map[string]any{"police_org_id": police}); res.status != 200 {
		t.Fatalf("settings: %d %s", res.status, res.body)
	}
	officer := e.agencyUser(t, "310107", "police-officer", "agency-clerk", police)
	e.riskyCase(t, "putuo-staff", "310107", "orange") // first: the parties' later cases are repeats
	e.riskyCase(t, "putuo-staff", "310107", "red")
	e.riskyCase(t, "putuo-staff", "310107", "red")
	e.riskyCase(t, "huaiyin-staff", "370104", "red")
	e.work(t, 0)
	first := e.items(t, "putuo-staff", "/api/v1/tenants/310107/warnings?level=red")[0]["id"].(string)
	if res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/warnings/"+first+"/acknowledge", nil); res.status != 200 {
		t.Fatalf("acknowledge: %d %s", res.status, res.body)
	}
	id, _ := e.newCase(t, "putuo-staff", "310107")
	e.succeedCase(t, "/api/v1/tenants/310107/cases/"+id, committee, "written")

	for _, as := range []string{"putuo-staff", "putuo-admin", officer, "sh-prov", "huaiyin-admin"} {
		for _, code := range []string{"310107", "370104"} {
			base := "/api/v1/tenants/" + code
			counts := e.do(as, http.MethodGet, base+"/warnings/counts", nil)
			list := e.do(as, http.MethodGet, base+"/warnings?state=open&limit=500", nil)
			if counts.status != list.status {
				t.Errorf("%s %s: counts %d, list %d", as, code, counts.status, list.status)
				continue
			}
			if counts.status == 200 {
				for _, level := range []string{"orange", "red"} {
					n := len(e.items(t, as, base+"/warnings?state=open&limit=500&level="+level))
					if got := counts.json["open"].(map[string]any)[level]; got != float64(n) {
						t.Errorf("%s %s: %s open %v, list %d", as, code, level, got, n)
					}
					n = len(e.items(t, as, base+"/warnings?state=escalated&limit=500&level="+level))
					if got := counts.json["escalated"].(map[string]any)[level]; got != float64(n) {
						t.Errorf("%s %s: %s escalated %v, list %d", as, code, level, got, n)
					}
				}
			} else if counts.json["type"] != list.json["type"] {
				t.Errorf("%s %s: counts %v, list %v", as, code, counts.json["type"], list.json["type"])
			}
			fc := e.do(as, http.MethodGet, base+"/follow-ups/counts", nil)
			fl := e.do(as, http.MethodGet, base+"/follow-ups?state=due&limit=500", nil)
			if fc.status != fl.status {
				t.Errorf("%s %s: follow-up counts %d, list %d", as, code, fc.status, fl.status)
				continue
			}
			if fc.status == 200 {
				due := len(e.items(t, as, base+"/follow-ups?state=due&limit=500"))
				overdue := len(e.items(t, as, base+"/follow-ups?state=overdue&limit=500"))
				if fc.json["due"] != float64(due) || fc.json["overdue"] != float64(overdue) {
					t.Errorf("%s %s: follow-up counts %s, lists %d due %d overdue", as, code, fc.body, due, overdue)
				}
			}
		}
	}
	runRows(t, e, nil, []row{
		{name: "staff count", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/warnings/counts", status: 200},
		{name: "other district's warning counts", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/310107/warnings/counts", status: 404, problem: "tenant-not-found"},
		{name: "other district's follow-up counts", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/310107/follow-ups/counts", status: 404, problem: "tenant-not-found"},
		{name: "no token", as: "", method: "GET", path: "/api/v1/tenants/310107/warnings/counts", status: 401, problem: "unauthenticated"},
	})
	c := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/warnings/counts", nil)
	if o := c.json["open"].(map[string]any); o["red"] != 1.0 || o["orange"] != 1.0 {
		t.Errorf("putuo counts: %s", c.body)
	}
	if f := e.do("putuo-staff", http.MethodGet, "/api/v1/tenants/310107/follow-ups/counts", nil); f.json["due"] != 2.0 || f.json["overdue"] != 0.0 {
		t.Errorf("putuo follow-ups: %s", f.body)
	}
	if o := e.do(officer, http.MethodGet, "/api/v1/tenants/310107/warnings/counts", nil).json["open"].(map[string]any); o["red"] != 1.0 {
		t.Errorf("the police station's counts: %v", o)
	}
}
