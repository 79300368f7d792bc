package api_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// rowsIn counts the rows of a page's table (each row's header cell).
func rowsIn(body string) int { return strings.Count(body, `<th scope="row">`) }

// queueWorld is Putuo with a police station designated for warnings, a committee, an orange and
// a red warning, a case with an agreement (two follow-ups due), and Huaiyin with a red warning.
func queueWorld(t *testing.T) (e *env, police, committee string) {
	t.Helper()
	e = newEnv(t)
	police = e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "长寿路派出所"})
	committee = e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	if res := e.do("putuo-admin", http.MethodPut, "/api/v1/tenants/310107/warning-settings", map[string]any{"police_org_id": police}); res.status != 200 {
		t.Fatalf("settings: %d %s", res.status, res.body)
	}
	e.riskyCase(t, "putuo-staff", "310107", "orange")
	e.riskyCase(t, "putuo-staff", "310107", "red")
	e.riskyCase(t, "huaiyin-staff", "370104", "red")
	id, _ := e.newCase(t, "putuo-staff", "310107")
	e.succeedCase(t, "/api/v1/tenants/310107/cases/"+id, committee, "written")
	e.work(t, 0)
	return e, police, committee
}

// TestConsoleQueues: each tab lists exactly what the API lists for the user; acknowledging
// through the console changes the warning and is audited as the user; another district sees
// nothing of it and cannot act on it.
func TestConsoleQueues(t *testing.T) {
	e, _, committee := queueWorld(t)
	e.person(t, "putuo-admin", "310107", "queue-med", "mediator", committee)

	tabs := []struct{ tab, api, key string }{
		{"warnings", "/warnings?state=open&limit=20", "case_number"},
		{"follow-ups", "/follow-ups?state=due&limit=20", "number"},
		{"overdue", "/cases?overdue=true&limit=20", "number"},
		{"inbox", "/inbox?limit=20", "id"},
	}
	for _, as := range []string{"putuo-staff", "putuo-admin", "queue-med", "huaiyin-admin", "sh-prov"} {
		c := e.consoleAs(t, as)
		var usable []string
		defer func() { checkQueueTabs(t, c, as, usable) }()
		bearer := as
		if as == "queue-med" {
			bearer = "Bearer " + e.login("queue-med", testPassword)
		}
		code := map[string]string{"putuo-staff": "310107", "putuo-admin": "310107", "queue-med": "310107", "huaiyin-admin": "370104", "sh-prov": "310000"}[as]
		for _, tb := range tabs {
			p := c.get("/queues?tab=" + tb.tab)
			api := e.do(bearer, http.MethodGet, "/api/v1/tenants/"+code+tb.api, nil)
			if api.status == http.StatusOK {
				usable = append(usable, tb.tab)
			}
			if api.status != http.StatusOK {
				if p.status != api.status {
					t.Errorf("%s %s: page %d, API %d", as, tb.tab, p.status, api.status)
				}
				continue
			}
			if p.status != http.StatusOK {
				t.Errorf("%s %s: %d %s", as, tb.tab, p.status, p.body)
				continue
			}
			items := api.json["items"].([]any)
			if rowsIn(p.body) != len(items) {
				t.Errorf("%s %s: %d rows, the API lists %d", as, tb.tab, rowsIn(p.body), len(items))
			}
			for _, it := range items {
				if k := it.(map[string]any)[tb.key].(string); !strings.Contains(p.body, k) {
					t.Errorf("%s %s: %s not shown", as, tb.tab, k)
				}
			}
			if code != "310107" && strings.Contains(p.body, "沪0107") {
				t.Errorf("%s %s shows Putuo's cases", as, tb.tab)
			}
		}
	}
	staff := e.consoleAs(t, "putuo-staff")
	if p := staff.get("/queues"); rowsIn(p.body) != 2 || !strings.Contains(p.body, "橙色") || !strings.Contains(p.body, "红色") {
		t.Errorf("Putuo's warnings: %s", p.body)
	}
	if p := staff.get("/queues?tab=warnings&state=escalated"); p.status != http.StatusOK || rowsIn(p.body) != 0 || !strings.Contains(p.body, "已报送上级") {
		t.Errorf("Putuo's escalated warnings: %d, %d rows", p.status, rowsIn(p.body))
	}
	if p := staff.get("/queues?tab=follow-ups"); rowsIn(p.body) != 2 {
		t.Errorf("Putuo's follow-ups: %d rows", rowsIn(p.body))
	}
	if p := e.consoleAs(t, "queue-med").get("/queues"); rowsIn(p.body) != 0 {
		t.Errorf("a mediator with no case sees %d warnings", rowsIn(p.body))
	}
	// Overdue: seen from 40 days on, every open case is past its time limit.
	now := time.Now()
	e.cases.SetClock(func() time.Time { return now.Add(40 * 24 * time.Hour) })
	if p := staff.get("/queues?tab=overdue"); rowsIn(p.body) != 2 || !strings.Contains(p.body, "沪0107") {
		t.Errorf("Putuo's overdue cases: %d rows", rowsIn(p.body))
	}
	if p := e.consoleAs(t, "huaiyin-admin").get("/queues?tab=overdue"); rowsIn(p.body) != 1 || strings.Contains(p.body, "沪0107") {
		t.Errorf("Huaiyin's overdue cases: %d rows", rowsIn(p.body))
	}
	e.cases.SetClock(time.Now)

	// Acknowledge through the console (htmx): the warning changes, audited as the user.
	ws := e.items(t, "putuo-staff", "/api/v1/tenants/310107/warnings?state=open&level=red")
	red := ws[0]["id"].(string)
	huaiyinW := e.items(t, "huaiyin-staff", "/api/v1/tenants/370104/warnings")[0]["id"].(string)
	if p := e.consoleAs(t, "huaiyin-admin").htmx(http.MethodPost, "/queues/warnings/"+red+"/acknowledge", url.Values{"note": {"x"}}); p.status != http.StatusNotFound || strings.Contains(p.body, "沪0107") {
		t.Errorf("Huaiyin acknowledging Putuo's warning: %d %s", p.status, p.body)
	}
	if p := staff.postRaw("/queues/warnings/"+red+"/acknowledge", url.Values{"note": {"x"}}); p.status != http.StatusForbidden {
		t.Errorf("acknowledging without the CSRF token: %d", p.status)
	}
	if p := staff.htmx(http.MethodPost, "/queues/warnings/"+red+"/acknowledge", url.Values{"note": {strings.Repeat("长", 600)}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, `class="field-error"`) || !strings.Contains(p.body, `aria-invalid="true"`) {
		t.Errorf("a note too long: %d %s", p.status, p.body)
	}
	p := staff.htmx(http.MethodPost, "/queues/warnings/"+red+"/acknowledge", url.Values{"note": {"已联系社区民警上门"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "已签收") || !strings.Contains(p.body, `id="ack-`+red+`"`) {
		t.Fatalf("acknowledge: %d %s", p.status, p.body)
	}
	if again := staff.htmx(http.MethodPost, "/queues/warnings/"+red+"/acknowledge", nil); again.status != http.StatusConflict || !strings.Contains(again.body, "problem") {
		t.Errorf("acknowledging twice: %d %s", again.status, again.body)
	}
	got := e.items(t, "putuo-staff", "/api/v1/tenants/310107/warnings?level=red")[0]
	if got["state"] != "acknowledged" || got["acknowledged_by"] != "user:"+e.ids["putuo-staff"] || got["ack_note"] != "已联系社区民警上门" {
		t.Errorf("the warning after the console's acknowledgement: %v", got)
	}
	audited := false
	for _, ev := range e.items(t, "putuo-admin", "/api/v1/tenants/310107/audit?limit=500") {
		if ev["action"] == "warning.acknowledge" && ev["object"] == "warning:"+red {
			audited = ev["actor"] == "user:"+e.ids["putuo-staff"]
		}
	}
	if !audited {
		t.Errorf("the acknowledgement is not audited as putuo-staff")
	}
	if p := staff.get("/queues"); rowsIn(p.body) != 1 {
		t.Errorf("after the acknowledgement %d warnings to acknowledge, want 1", rowsIn(p.body))
	}
	// A plain form (no script) goes back where it came from.
	orange := e.items(t, "putuo-staff", "/api/v1/tenants/310107/warnings?state=open")[0]["id"].(string)
	staff.get("/queues")
	if p := staff.post("/queues/warnings/"+orange+"/acknowledge", url.Values{"back": {"/queues?tab=warnings"}}); p.status != http.StatusSeeOther || p.header.Get("Location") != "/queues?tab=warnings" {
		t.Errorf("a plain acknowledgement: %d %q", p.status, p.header.Get("Location"))
	}
	if st := e.items(t, "huaiyin-staff", "/api/v1/tenants/370104/warnings")[0]; st["id"] != huaiyinW || st["state"] != "open" {
		t.Errorf("Huaiyin's warning changed: %v", st)
	}
	// The inbox: mark a message read.
	msgs := e.items(t, "putuo-staff", "/api/v1/tenants/310107/inbox")
	if len(msgs) == 0 {
		t.Fatal("no message in Putuo's inbox")
	}
	staff.get("/queues?tab=inbox")
	msg := msgs[0]["id"].(string)
	if p := staff.htmx(http.MethodPost, "/queues/inbox/"+msg+"/read", nil); p.status != http.StatusOK || !strings.Contains(p.body, "已读") {
		t.Errorf("mark read: %d %s", p.status, p.body)
	}
	if p := e.consoleAs(t, "huaiyin-admin").htmx(http.MethodPost, "/queues/inbox/"+msg+"/read", nil); p.status != http.StatusNotFound {
		t.Errorf("Huaiyin marking Putuo's message: %d", p.status)
	}
}

// TestConsoleQueuePages: a tab shows a page of the API's list and a link to the next, by the
// API's cursor.
func TestConsoleQueuePages(t *testing.T) {
	e := newEnv(t)
	committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	for range 11 { // two follow-ups each
		id, _ := e.newCase(t, "putuo-staff", "310107")
		e.succeedCase(t, "/api/v1/tenants/310107/cases/"+id, committee, "oral")
	}
	c := e.consoleAs(t, "putuo-staff")
	first := c.get("/queues?tab=follow-ups")
	if first.status != http.StatusOK || rowsIn(first.body) != 20 || !strings.Contains(first.body, `rel="next"`) {
		t.Fatalf("first page: %d, %d rows", first.status, rowsIn(first.body))
	}
	m := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(first.body)
	next := c.get(html.UnescapeString(m[1]))
	if next.status != http.StatusOK || rowsIn(next.body) != 2 || strings.Contains(next.body, `rel="next"`) || !strings.Contains(next.body, "第一页") {
		t.Errorf("second page: %d, %d rows", next.status, rowsIn(next.body))
	}
	if bad := c.get("/queues?tab=follow-ups&after=nonsense"); bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "problem") {
		t.Errorf("a bad cursor: %d", bad.status)
	}
	if unknown := c.get("/queues?tab=elsewhere"); unknown.status != http.StatusNotFound {
		t.Errorf("an unknown tab: %d", unknown.status)
	}
}

// checkQueueTabs: the queues page (no tab asked) and the menu offer exactly the tabs whose list
// the API answers the user (a mediator reads no warning list and has no inbox: its queues open
// on its follow-ups, not on a refusal).
func checkQueueTabs(t *testing.T, c *consoleClient, as string, usable []string) {
	t.Helper()
	p := c.get("/queues")
	if len(usable) == 0 {
		if p.status != http.StatusForbidden {
			t.Errorf("%s: queues without a usable tab: %d, want 403", as, p.status)
		}
		return
	}
	if p.status != http.StatusOK {
		t.Errorf("%s: /queues %d, want 200 on its first usable tab %s", as, p.status, usable[0])
		return
	}
	for _, tab := range []string{"warnings", "follow-ups", "overdue", "inbox"} {
		if offered, want := strings.Contains(p.body, `href="/queues?tab=`+tab+`"`), slices.Contains(usable, tab); offered != want {
			t.Errorf("%s: tab %s offered %v, the API answers it %v", as, tab, offered, want)
		}
	}
	if !strings.Contains(p.body, `href="/queues"`) {
		t.Errorf("%s: the menu lacks the queues", as)
	}
}
