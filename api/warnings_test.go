package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/delivery"
	"github.com/fengqiao/fengqiao/core/warnings"
)

// Early warning over the API: warnings raised on intake and on risk adjustments, their
// notification (inbox and signed webhooks, retried) and escalation through the job queue.

// riskyCase is an intake whose assessment is red (a threat and self-harm: 40 + 50) or orange
// (self-harm alone: 50). Its title, description and parties hold what must never leave the
// district in an escalation.
func riskyCase(t testing.TB, code, level string) map[string]any {
	body := sampleCase(t, "张三与李四赔偿纠纷")
	body["description"] = "张三称李四不赔偿就同归于尽，还说不想活了。"
	if level == "orange" {
		body["description"] = "张三说不想活了。"
	}
	if code != "310107" {
		body["place_code"] = ""
	}
	return body
}

// personalData are strings of riskyCase that an escalation or a webhook must not carry.
func personalData(t testing.TB) []string {
	return []string{"张三", "李四", idNumber(t, "310107", "19800101", 123), "13800138000", "13900139000", "长寿路", "同归于尽", "不想活", "赔偿纠纷"}
}

func (e *env) riskyCase(t *testing.T, as, code, level string) (id, number string) {
	t.Helper()
	res := e.do(as, http.MethodPost, "/api/v1/tenants/"+code+"/cases", riskyCase(t, code, level))
	if res.status != http.StatusCreated || res.json["risk_level"] != level {
		t.Fatalf("create a %s case: %d %s", level, res.status, res.body)
	}
	return res.json["id"].(string), res.json["number"].(string)
}

// work drains the job queue as if the clock read now+ahead.
func (e *env) work(t *testing.T, ahead time.Duration) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := e.queue.WorkQueue(ctx, time.Now().Add(ahead))
	if err != nil {
		t.Fatalf("work the queue: %v", err)
	}
	return n
}

func (e *env) items(t *testing.T, as, path string) []map[string]any {
	t.Helper()
	res := e.do(as, http.MethodGet, path, nil)
	if res.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.status, res.body)
	}
	var out []map[string]any
	for _, it := range res.json["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

// receiver is an agency's webhook endpoint: it checks every delivery's signature and answers
// 503 to the first fail deliveries.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	secret []byte
	fail   int
	got    []received
}

type received struct {
	header http.Header
	body   []byte
	err    error // of delivery.Verify
}

func newReceiver(t *testing.T, fail int) *receiver {
	r := &receiver{t: t, fail: fail}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		err := delivery.Verify(r.secret, req.Header.Get(delivery.HeaderTimestamp), req.Header.Get(delivery.HeaderSignature), body, time.Now(), 5*time.Minute)
		r.got = append(r.got, received{header: req.Header.Clone(), body: body, err: err})
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusUnauthorized)
		case len(r.got) <= r.fail:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) deliveries() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// agencies registers a police station and a government office with webhooks in Putuo,
// designates them, and gives each receiver its secret.
func (e *env) agencies(t *testing.T, police, gov *receiver) (policeID, govID string) {
	t.Helper()
	policeID = e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "长寿路派出所", "webhook_url": police.srv.URL + "/hook"})
	govID = e.org(t, "putuo-admin", "310107", map[string]any{"kind": "petition_office", "name": "普陀区信访办", "webhook_url": gov.srv.URL + "/hook"})
	res := e.do("putuo-admin", http.MethodPut, "/api/v1/tenants/310107/warning-settings", map[string]any{"police_org_id": policeID, "government_org_id": govID})
	if res.status != http.StatusOK || res.json["police_org_id"] != policeID || res.json["government_org_id"] != govID {
		t.Fatalf("designate agencies: %d %s", res.status, res.body)
	}
	for _, x := range []struct {
		id string
		r  *receiver
	}{{policeID, police}, {govID, gov}} {
		sec := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/organisations/"+x.id+"/webhook-secret", nil)
		if sec.status != http.StatusOK || !strings.HasPrefix(sec.json["secret"].(string), "whsec_") || sec.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("webhook secret: %d %s", sec.status, sec.body)
		}
		again := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/organisations/"+x.id+"/webhook-secret", nil)
		if again.json["secret"] != sec.json["secret"] {
			t.Fatalf("the secret changed between two reads")
		}
		x.r.mu.Lock()
		x.r.secret = []byte(sec.json["secret"].(string))
		x.r.mu.Unlock()
	}
	return policeID, govID
}

// TestRedIntakeNotifiesAgencies: a red intake raises one warning; once the queue is worked the
// designated police station and petition office have it in the inbox and at their webhooks,
// signed; a receiver that fails twice gets the same delivery a third time.
func TestRedIntakeNotifiesAgencies(t *testing.T) {
	e := newEnv(t)
	police, gov := newReceiver(t, 0), newReceiver(t, 2)
	policeID, govID := e.agencies(t, police, gov)
	caseID, number := e.riskyCase(t, "putuo-staff", "310107", "red")

	ws := e.items(t, "putuo-staff", "/api/v1/tenants/310107/warnings")
	if len(ws) != 1 {
		t.Fatalf("%d warnings after a red intake, want 1", len(ws))
	}
	w := ws[0]
	raised, _ := time.Parse(time.RFC3339Nano, w["raised_at"].(string))
	deadline, _ := time.Parse(time.RFC3339Nano, w["deadline_at"].(string))
	if w["case_id"] != caseID || w["case_number"] != number || w["level"] != "red" || w["state"] != "open" ||
		deadline.Sub(raised) != 2*time.Hour || len(w["signals"].([]any)) != 2 || w["notified_at"] != nil {
		t.Errorf("warning: %v", w)
	}
	if n := len(e.items(t, "putuo-staff", "/api/v1/tenants/310107/inbox")); n != 0 {
		t.Errorf("%d messages before the queue was worked", n)
	}

	if n := e.work(t, 10*time.Minute); n < 5 { // notify, police, gov ×3
		t.Errorf("%d job attempts worked, want at least 5", n)
	}
	msgs := e.items(t, "putuo-staff", "/api/v1/tenants/310107/inbox")
	recipients := map[string]bool{}
	for _, m := range msgs {
		recipients[m["recipient"].(string)] = true
		if m["kind"] != "warning.raised" || m["case_id"] != caseID || m["warning_id"] != w["id"] || !strings.Contains(m["title"].(string), number) {
			t.Errorf("message: %v", m)
		}
	}
	if len(msgs) != 2 || !recipients["org:"+policeID] || !recipients["org:"+govID] {
		t.Errorf("inbox after notification: %v", msgs)
	}
	if w := e.items(t, "putuo-staff", "/api/v1/tenants/310107/warnings")[0]; w["notified_at"] == nil || w["state"] != "open" {
		t.Errorf("warning after notification: %v", w)
	}

	pd, gd := police.deliveries(), gov.deliveries()
	if len(pd) != 1 || len(gd) != 3 {
		t.Fatalf("deliveries: police %d, government %d; want 1 and 3 (two failures, then success)", len(pd), len(gd))
	}
	for i, d := range append(pd, gd...) {
		if d.err != nil {
			t.Errorf("delivery %d: signature: %v", i, d.err)
		}
		if d.header.Get("Content-Type") != "application/json" || d.header.Get(delivery.HeaderEvent) != "warning.raised" || d.header.Get(delivery.HeaderDelivery) == "" {
			t.Errorf("delivery %d headers: %v", i, d.header)
		}
		var p warnings.Payload
		if err := json.Unmarshal(d.body, &p); err != nil || p.Tenant != "310107" || p.Case.Number != number || p.Warning.Level != "red" || p.Warning.ID != w["id"] {
			t.Errorf("delivery %d payload %s: %v", i, d.body, err)
		}
		for _, s := range personalData(t) {
			if strings.Contains(string(d.body), s) {
				t.Errorf("delivery %d carries %q: %s", i, s, d.body)
			}
		}
	}
	if id := gd[0].header.Get(delivery.HeaderDelivery); gd[1].header.Get(delivery.HeaderDelivery) != id || gd[2].header.Get(delivery.HeaderDelivery) != id {
		t.Errorf("retries of one delivery carry different ids")
	}
	if pd[0].header.Get(delivery.HeaderDelivery) == gd[0].header.Get(delivery.HeaderDelivery) {
		t.Errorf("two agencies share a delivery id")
	}
	// A forged signature does not verify.
	if err := delivery.Verify(police.secret, pd[0].header.Get(delivery.HeaderTimestamp), pd[0].header.Get(delivery.HeaderSignature),
		append(pd[0].body, ' '), time.Now(), time.Minute); !errors.Is(err, delivery.ErrBadSignature) {
		t.Errorf("tampered body verifies: %v", err)
	}
	// Nothing left: working again does nothing and sends nothing.
	e.work(t, 10*time.Minute)
	if len(police.deliveries()) != 1 || len(gov.deliveries()) != 3 || len(e.items(t, "putuo-staff", "/api/v1/tenants/310107/inbox")) != 2 {
		t.Errorf("working the queue again repeated work")
	}
}

// TestDeliveryGivesUp: a receiver that never answers 2xx gets the capped number of attempts.
func TestDeliveryGivesUp(t *testing.T) {
	e := newEnv(t)
	police, gov := newReceiver(t, 1000), newReceiver(t, 0)
	e.agencies(t, police, gov)
	e.riskyCase(t, "putuo-staff", "310107", "orange")
	// 24 hours ahead covers River's backoff of 7 retries (about 78 minutes), and escalates.
	e.work(t, 24*time.Hour)
	if n := len(police.deliveries()); n != warnings.DeliveryAttempts {
		t.Errorf("failing receiver got %d attempts, want %d", n, warnings.DeliveryAttempts)
	}
	if n := len(gov.deliveries()); n != 1 {
		t.Errorf("working receiver got %d deliveries, want 1", n)
	}
	e.work(t, 48*time.Hour)
	if n := len(police.deliveries()); n != warnings.DeliveryAttempts {
		t.Errorf("a failed delivery was tried again: %d attempts", n)
	}
}

// TestRiskAdjustmentRaisesWarnings: raising the level to orange or red by adjust_risk raises a
// warning; lowering it, or keeping it, does not.
func TestRiskAdjustmentRaisesWarnings(t *testing.T) {
	e := newEnv(t)
	id, _ := e.newCase(t, "putuo-staff", "310107")
	steps := []struct {
		level string
		want  int // warnings of the case after the step
		last  string
	}{
		{"yellow", 0, ""},       // raised, below orange
		{"orange", 1, "orange"}, // yellow → orange
		{"orange", 1, "orange"}, // unchanged
		{"red", 2, "red"},       // orange → red
		{"red", 2, "red"},       // unchanged
		{"orange", 2, "red"},    // lowered
		{"none", 2, "red"},      // lowered
		{"red", 3, "red"},       // none → red
		{"blue", 3, "red"},      // lowered
		{"orange", 4, "orange"}, // blue → orange
	}
	for i, s := range steps {
		res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases/"+id+"/actions/adjust_risk",
			map[string]any{"risk_level": s.level, "reason": "研判调整"})
		if res.status != http.StatusOK {
			t.Fatalf("step %d (%s): %d %s", i, s.level, res.status, res.body)
		}
		ws := e.items(t, "putuo-staff", "/api/v1/tenants/310107/warnings")
		if len(ws) != s.want {
			t.Fatalf("step %d (%s): %d warnings, want %d", i, s.level, len(ws), s.want)
		}
		if s.want > 0 && (ws[0]["level"] != s.last || ws[0]["case_id"] != id) {
			t.Fatalf("step %d (%s): newest warning %v, want level %s", i, s.level, ws[0], s.last)
		}
	}
	if n := len(e.items(t, "putuo-staff", "/api/v1/tenants/310107/warnings?level=red")); n != 2 {
		t.Errorf("red warnings: %d, want 2", n)
	}
	// The warning keeps the signals it was raised with, the staff's adjustment among them.
	ws := e.items(t, "putuo-staff", "/api/v1/tenants/310107/warnings?level=orange&limit=1")
	if sig := ws[0]["signals"].([]any); len(ws) != 1 || len(sig) == 0 || sig[len(sig)-1].(map[string]any)["code"] != "manual" {
		t.Errorf("orange warnings page: %v", ws)
	}
}

// TestAcknowledgementStopsEscalation: a warning acknowledged before its deadline does not
// reach the parent tenant; a second acknowledgement is a conflict.
func TestAcknowledgementStopsEscalation(t *testing.T) {
	e := newEnv(t)
	e.riskyCase(t, "huaiyin-staff", "370104", "red")
	e.work(t, 0)
	ws := e.items(t, "huaiyin-staff", "/api/v1/tenants/370104/warnings?state=open")
	if len(ws) != 1 {
		t.Fatalf("open warnings: %v", ws)
	}
	ack := "/api/v1/tenants/370104/warnings/" + ws[0]["id"].(string) + "/acknowledge"
	runRows(t, e, nil, []row{
		{name: "note too long", as: "huaiyin-staff", method: "POST", path: ack, body: map[string]any{"note": strings.Repeat("长", 501)}, status: 400, problem: "invalid-field", field: "note"},
		{name: "acknowledge", as: "huaiyin-staff", method: "POST", path: ack, body: map[string]any{"note": "已联系派出所民警上门"}, status: 200},
		{name: "acknowledge again", as: "huaiyin-admin", method: "POST", path: ack, status: 409, problem: "warning-already-acknowledged"},
	})
	e.work(t, 3*time.Hour) // past the deadline: the escalation job runs and finds it acknowledged
	w := e.items(t, "huaiyin-staff", "/api/v1/tenants/370104/warnings")[0]
	if w["state"] != "acknowledged" || w["escalated_at"] != nil || w["acknowledged_by"] != "user:"+e.ids["huaiyin-staff"] ||
		w["ack_note"] != "已联系派出所民警上门" || w["overdue"] != false {
		t.Errorf("acknowledged warning: %v", w)
	}
	if n := len(e.items(t, "jinan-city", "/api/v1/tenants/370100/inbox")); n != 0 {
		t.Errorf("the city got %d messages about an acknowledged warning", n)
	}
	for _, st := range []struct {
		state string
		want  int
	}{{"open", 0}, {"acknowledged", 1}, {"escalated", 0}} {
		if n := len(e.items(t, "huaiyin-staff", "/api/v1/tenants/370104/warnings?state="+st.state)); n != st.want {
			t.Errorf("state=%s: %d warnings, want %d", st.state, n, st.want)
		}
	}
}

// TestUnacknowledgedWarningEscalates: without an acknowledgement, a warning escalates to the
// parent tenant at its deadline, not before; the city admin sees it, with no personal data.
func TestUnacknowledgedWarningEscalates(t *testing.T) {
	e := newEnv(t)
	// Orange acknowledgements within 6 hours in Huaiyin.
	if res := e.do("huaiyin-admin", http.MethodPut, "/api/v1/tenants/370104/warning-settings", map[string]any{"orange_ack_hours": 6}); res.status != 200 ||
		res.json["orange_ack_hours"] != 6.0 || res.json["red_ack_hours"] != 2.0 || res.json["police_org_id"] != nil {
		t.Fatalf("settings: %d %s", res.status, res.body)
	}
	caseID, number := e.riskyCase(t, "huaiyin-staff", "370104", "orange")
	e.work(t, 0)
	// No agency designated: the district itself is told.
	msgs := e.items(t, "huaiyin-staff", "/api/v1/tenants/370104/inbox")
	if len(msgs) != 1 || msgs[0]["recipient"] != "tenant:370104" || msgs[0]["read_at"] != nil {
		t.Fatalf("district inbox: %v", msgs)
	}
	e.work(t, 5*time.Hour)
	if n := len(e.items(t, "jinan-city", "/api/v1/tenants/370100/inbox")); n != 0 {
		t.Fatalf("escalated %d before the deadline", n)
	}
	if w := e.items(t, "huaiyin-staff", "/api/v1/tenants/370104/warnings")[0]; w["state"] != "open" {
		t.Fatalf("warning before its deadline: %v", w)
	}
	e.work(t, 7*time.Hour)
	w := e.items(t, "huaiyin-staff", "/api/v1/tenants/370104/warnings?state=escalated")
	if len(w) != 1 || w[0]["escalated_to"] != "370100" || w[0]["escalated_at"] == nil {
		t.Fatalf("escalated warnings: %v", w)
	}
	city := e.items(t, "jinan-city", "/api/v1/tenants/370100/inbox?unread=true")
	if len(city) != 1 {
		t.Fatalf("city inbox: %v", city)
	}
	m := city[0]
	text := m["title"].(string) + m["body"].(string)
	if m["kind"] != "warning.escalated" || m["recipient"] != "tenant:370100" || m["source_tenant"] != "370104" ||
		m["case_id"] != caseID || m["warning_id"] != w[0]["id"] || !strings.Contains(text, number) ||
		!strings.Contains(text, "自伤自杀倾向 / self-harm") || !strings.Contains(text, "370104") {
		t.Errorf("escalation message: %v", m)
	}
	for _, s := range personalData(t) {
		if strings.Contains(text, s) {
			t.Errorf("the escalation carries %q: %s", s, text)
		}
	}
	// The province above the city, and the district's siblings, see nothing.
	if n := len(e.items(t, "sd-prov", "/api/v1/tenants/370000/inbox")); n != 0 {
		t.Errorf("province inbox: %d messages", n)
	}
	runRows(t, e, nil, []row{
		{name: "city reads it", as: "jinan-city", method: "POST", path: "/api/v1/tenants/370100/inbox/" + m["id"].(string) + "/read", status: 200},
		{name: "reading twice is fine", as: "jinan-city", method: "POST", path: "/api/v1/tenants/370100/inbox/" + m["id"].(string) + "/read", status: 200},
		{name: "the district cannot read the city's inbox", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/370100/inbox", status: 404, problem: "tenant-not-found"},
		{name: "the city cannot read the district's inbox", as: "jinan-city", method: "GET", path: "/api/v1/tenants/370104/inbox", status: 403, problem: "inbox-of-another-tenant"},
		{name: "the city cannot mark the district's messages", as: "jinan-city", method: "POST", path: "/api/v1/tenants/370104/inbox/" + msgs[0]["id"].(string) + "/read", status: 403, problem: "inbox-of-another-tenant"},
		{name: "the city sees the warning escalated to it", as: "jinan-city", method: "GET", path: "/api/v1/tenants/370104/warnings", status: 200, items: count(1)},
		{name: "the city reads the escalated case's summary", as: "jinan-city", method: "GET", path: "/api/v1/tenants/370104/cases/" + w[0]["case_id"].(string), status: 200},
		{name: "but not its parties", as: "jinan-city", method: "GET", path: "/api/v1/tenants/370104/cases/" + w[0]["case_id"].(string) + "?reveal=pii", status: 403, problem: "forbidden"},
		{name: "the city does not acknowledge for the district", as: "jinan-city", method: "POST", path: "/api/v1/tenants/370104/warnings/" + w[0]["id"].(string) + "/acknowledge", status: 403, problem: "forbidden"},
		{name: "the province above sees no escalation", as: "sd-prov", method: "GET", path: "/api/v1/tenants/370104/cases/" + w[0]["case_id"].(string), status: 404, problem: "case-not-found"},
		{name: "late acknowledgement", as: "huaiyin-staff", method: "POST", path: "/api/v1/tenants/370104/warnings/" + w[0]["id"].(string) + "/acknowledge", status: 200},
	})
	if n := len(e.items(t, "jinan-city", "/api/v1/tenants/370100/inbox?unread=true")); n != 0 {
		t.Errorf("%d unread after reading", n)
	}
	if all := e.items(t, "jinan-city", "/api/v1/tenants/370100/inbox"); len(all) != 1 || all[0]["read_at"] == nil {
		t.Errorf("city inbox after reading: %v", all)
	}
	if w := e.items(t, "huaiyin-staff", "/api/v1/tenants/370104/warnings")[0]; w["state"] != "acknowledged" || w["escalated_at"] == nil {
		t.Errorf("late acknowledgement keeps the escalation on record: %v", w)
	}
}

// TestQueueSurvivesRestart: a job committed while no worker runs is worked by the next one.
func TestQueueSurvivesRestart(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stop, err := e.queue.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(ctx); err != nil { // the server goes down
		t.Fatal(err)
	}
	e.riskyCase(t, "putuo-staff", "310107", "red") // the warning and its jobs are committed
	time.Sleep(300 * time.Millisecond)
	if n := len(e.items(t, "putuo-staff", "/api/v1/tenants/310107/inbox")); n != 0 {
		t.Fatalf("%d messages while no worker ran", n)
	}
	stop, err = e.queue.Start(ctx) // the server comes back
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := stop(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	for {
		if msgs := e.items(t, "putuo-staff", "/api/v1/tenants/310107/inbox"); len(msgs) == 1 {
			if msgs[0]["kind"] != "warning.raised" || msgs[0]["recipient"] != "tenant:310107" {
				t.Errorf("message: %v", msgs[0])
			}
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the job committed before the restart was not worked after it")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestWarningEndpoints: validation, permissions and isolation of every warning endpoint.
func TestWarningEndpoints(t *testing.T) {
	e := newEnv(t)
	police := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "曹杨新村派出所"})
	dept := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "department", "name": "普陀区人社局"})
	committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	closed := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "已撤销派出所"})
	if res := e.do("putuo-admin", http.MethodPatch, "/api/v1/tenants/310107/organisations/"+closed, map[string]any{"status": "inactive"}); res.status != 200 {
		t.Fatalf("deactivate: %d %s", res.status, res.body)
	}
	huaiyinPolice := e.org(t, "huaiyin-admin", "370104", map[string]any{"kind": "police_station", "name": "槐荫派出所"})
	e.riskyCase(t, "putuo-staff", "310107", "red")
	e.work(t, 0)
	w := e.items(t, "putuo-staff", "/api/v1/tenants/310107/warnings")[0]["id"].(string)
	msg := e.items(t, "putuo-staff", "/api/v1/tenants/310107/inbox")[0]["id"].(string)
	_, agency := e.agencyToken("putuo-admin", "310107")
	settings := "/api/v1/tenants/310107/warning-settings"
	const zero = "00000000-0000-0000-0000-000000000000"
	runRows(t, e, nil, []row{
		// Validation.
		{name: "level unknown", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/warnings?level=yellow", status: 400, problem: "invalid-field", field: "level"},
		{name: "state unknown", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/warnings?state=closed", status: 400, problem: "invalid-field", field: "state"},
		{name: "bad cursor", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/warnings?after=xyz", status: 400, problem: "invalid-field", field: "after"},
		{name: "unread not a boolean", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/inbox?unread=maybe", status: 400, problem: "invalid-field", field: "unread"},
		{name: "inbox bad limit", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/inbox?limit=0", status: 400, problem: "invalid-field", field: "limit"},
		{name: "malformed warning id", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/warnings/nope/acknowledge", status: 404, problem: "warning-not-found"},
		{name: "unknown warning", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/warnings/" + zero + "/acknowledge", status: 404, problem: "warning-not-found"},
		{name: "unknown message", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/inbox/" + zero + "/read", status: 404, problem: "message-not-found"},
		{name: "malformed message id", as: "putuo-staff", method: "POST", path: "/api/v1/tenants/310107/inbox/nope/read", status: 404, problem: "message-not-found"},
		{name: "secret of unknown organisation", as: "putuo-admin", method: "GET", path: "/api/v1/tenants/310107/organisations/" + zero + "/webhook-secret", status: 404, problem: "organisation-not-found"},
		{name: "police is a department", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"police_org_id": dept}, status: 400, problem: "invalid-field", field: "police_org_id"},
		{name: "police is a committee", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"police_org_id": committee}, status: 400, problem: "invalid-field", field: "police_org_id"},
		{name: "police inactive", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"police_org_id": closed}, status: 400, problem: "invalid-field", field: "police_org_id"},
		{name: "police malformed", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"police_org_id": "x"}, status: 400, problem: "invalid-field", field: "police_org_id"},
		{name: "government is a police station", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"government_org_id": police}, status: 400, problem: "invalid-field", field: "government_org_id"},
		{name: "red slower than orange", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"orange_ack_hours": 12, "red_ack_hours": 24}, status: 400, problem: "invalid-field", field: "red_ack_hours"},
		{name: "hours out of range", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"orange_ack_hours": 1000}, status: 400, problem: "invalid-field", field: "orange_ack_hours"},
		// Invalid hours are refused, never replaced by the defaults (issue 14, item 6).
		{name: "red zero", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"red_ack_hours": 0}, status: 400, problem: "invalid-field", field: "red_ack_hours"},
		{name: "orange zero", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"orange_ack_hours": 0}, status: 400, problem: "invalid-field", field: "orange_ack_hours"},
		{name: "red negative", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"red_ack_hours": -2}, status: 400, problem: "invalid-field", field: "red_ack_hours"},
		{name: "orange negative", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"orange_ack_hours": -24}, status: 400, problem: "invalid-field", field: "orange_ack_hours"},
		{name: "red absurd", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"red_ack_hours": 100000}, status: 400, problem: "invalid-field", field: "red_ack_hours"},
		{name: "orange absurd", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"orange_ack_hours": 2147483648}, status: 400, problem: "invalid-field", field: "orange_ack_hours"},
		{name: "red fractional", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"red_ack_hours": 1.5}, status: 400, problem: "invalid-field", field: "red_ack_hours"},
		{name: "red as text", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"red_ack_hours": "2"}, status: 400, problem: "invalid-field", field: "red_ack_hours"},
		{name: "unknown field", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"police": police}, status: 400, problem: "invalid-field", field: "police"},
		{name: "designate", as: "putuo-admin", method: "PUT", path: settings, body: map[string]any{"police_org_id": police, "government_org_id": dept, "orange_ack_hours": 12, "red_ack_hours": 1}, status: 200},
		// Roles.
		{name: "staff reads settings", as: "putuo-staff", method: "GET", path: settings, status: 200},
		{name: "staff cannot configure", as: "putuo-staff", method: "PUT", path: settings, body: map[string]any{}, status: 403, problem: "forbidden"},
		{name: "staff cannot read secrets", as: "putuo-staff", method: "GET", path: "/api/v1/tenants/310107/organisations/" + police + "/webhook-secret", status: 403, problem: "forbidden"},
		{name: "agency system reads warnings", as: "Bearer " + agency, method: "GET", path: "/api/v1/tenants/310107/warnings", status: 200},
		{name: "agency system reads the inbox", as: "Bearer " + agency, method: "GET", path: "/api/v1/tenants/310107/inbox", status: 200},
		{name: "agency system cannot configure", as: "Bearer " + agency, method: "PUT", path: settings, body: map[string]any{}, status: 403, problem: "forbidden"},
		{name: "upper level cannot acknowledge", as: "sh-prov", method: "POST", path: "/api/v1/tenants/310107/warnings/" + w + "/acknowledge", status: 404, problem: "warning-not-found"},
		{name: "no token", as: "", method: "GET", path: "/api/v1/tenants/310107/warnings", status: 401, problem: "unauthenticated"},
		// Another district: the tenant does not exist for the caller.
		{name: "other district's warnings", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/310107/warnings", status: 404, problem: "tenant-not-found"},
		{name: "other district's acknowledgement", as: "huaiyin-admin", method: "POST", path: "/api/v1/tenants/310107/warnings/" + w + "/acknowledge", status: 404, problem: "tenant-not-found"},
		{name: "other district's settings", as: "huaiyin-admin", method: "GET", path: settings, status: 404, problem: "tenant-not-found"},
		{name: "other district's settings change", as: "huaiyin-admin", method: "PUT", path: settings, body: map[string]any{}, status: 404, problem: "tenant-not-found"},
		{name: "other district's inbox", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/310107/inbox", status: 404, problem: "tenant-not-found"},
		{name: "other district's message", as: "huaiyin-admin", method: "POST", path: "/api/v1/tenants/310107/inbox/" + msg + "/read", status: 404, problem: "tenant-not-found"},
		{name: "other district's secret", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/310107/organisations/" + police + "/webhook-secret", status: 404, problem: "tenant-not-found"},
		// Another tenant's ids through one's own path.
		{name: "other's warning through own path", as: "huaiyin-admin", method: "POST", path: "/api/v1/tenants/370104/warnings/" + w + "/acknowledge", status: 404, problem: "warning-not-found"},
		{name: "other's message through own path", as: "huaiyin-admin", method: "POST", path: "/api/v1/tenants/370104/inbox/" + msg + "/read", status: 404, problem: "message-not-found"},
		{name: "other's organisation's secret through own path", as: "huaiyin-admin", method: "GET", path: "/api/v1/tenants/370104/organisations/" + police + "/webhook-secret", status: 404, problem: "organisation-not-found"},
		{name: "other's police station designated", as: "huaiyin-admin", method: "PUT", path: "/api/v1/tenants/370104/warning-settings", body: map[string]any{"police_org_id": police}, status: 400, problem: "invalid-field", field: "police_org_id"},
		{name: "own police station designated", as: "huaiyin-admin", method: "PUT", path: "/api/v1/tenants/370104/warning-settings", body: map[string]any{"police_org_id": huaiyinPolice}, status: 200},
	})
	// Nothing of Putuo shows in Huaiyin.
	if n := len(e.items(t, "huaiyin-admin", "/api/v1/tenants/370104/warnings")); n != 0 {
		t.Errorf("Huaiyin sees %d warnings", n)
	}
	if n := len(e.items(t, "huaiyin-admin", "/api/v1/tenants/370104/inbox")); n != 0 {
		t.Errorf("Huaiyin sees %d messages", n)
	}
	got := e.do("putuo-staff", http.MethodGet, settings, nil)
	if got.json["police_org_id"] != police || got.json["government_org_id"] != dept || got.json["orange_ack_hours"] != 12.0 ||
		got.json["red_ack_hours"] != 1.0 || got.json["updated_by"] != "user:"+e.ids["putuo-admin"] || got.json["updated_at"] == nil {
		t.Errorf("settings: %s", got.body)
	}
	// Every reader of the district sees the message to the district.
	if n := len(e.items(t, "putuo-admin", "/api/v1/tenants/310107/inbox")); n != 1 {
		t.Errorf("district admin sees %d messages, want 1", n)
	}
}

// TestWarningPagination pages warnings and messages with cursors.
func TestWarningPagination(t *testing.T) {
	e := newEnv(t)
	for range 5 {
		e.riskyCase(t, "putuo-staff", "310107", "red")
	}
	e.work(t, 0)
	for _, path := range []string{"/api/v1/tenants/310107/warnings", "/api/v1/tenants/310107/inbox"} {
		seen := map[string]bool{}
		next := path + "?limit=2"
		pages := 0
		for next != "" {
			res := e.do("putuo-staff", http.MethodGet, next, nil)
			if res.status != 200 {
				t.Fatalf("%s: %d %s", next, res.status, res.body)
			}
			for _, it := range res.json["items"].([]any) {
				id := it.(map[string]any)["id"].(string)
				if seen[id] {
					t.Fatalf("%s: %s twice", path, id)
				}
				seen[id] = true
			}
			pages++
			next = ""
			if a, ok := res.json["next_after"].(string); ok {
				next = path + "?limit=2&after=" + a
			}
		}
		if len(seen) != 5 || pages != 3 {
			t.Errorf("%s: %d items in %d pages, want 5 in 3", path, len(seen), pages)
		}
	}
}

// TestReferralFeedback: a court's referral reaching its outcome is reported back to the court
// (诉调对接 feedback): a message in its inbox and a signed webhook with the outcome and the
// court's reference — and nothing of the parties.
func TestReferralFeedback(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, 0)
	court := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "court", "name": "上海市普陀区人民法院", "webhook_url": rcv.srv.URL + "/hook"})
	sec := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/organisations/"+court+"/webhook-secret", nil)
	rcv.mu.Lock()
	rcv.secret = []byte(sec.json["secret"].(string))
	rcv.mu.Unlock()
	street := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	body := sampleCase(t, "法院委派：合同纠纷")
	body["source"] = "court"
	body["referral"] = map[string]any{"agency": "上海市普陀区人民法院", "agency_id": street, "reference": "(2026)沪0107民诉前调9号", "kind": "pre_filing"}
	if res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", body); res.status != 400 || res.json["field"] != "referral.agency_id" {
		t.Fatalf("a committee as the referring agency: %d %s", res.status, res.body)
	}
	body["referral"].(map[string]any)["agency_id"] = court
	res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", body)
	if res.status != 201 {
		t.Fatalf("referral: %d %s", res.status, res.body)
	}
	id, number := res.json["id"].(string), res.json["number"].(string)
	for _, a := range []struct {
		action string
		body   map[string]any
	}{{"assign", map[string]any{"committee_id": street}}, {"start_mediation", map[string]any{}},
		{"succeed", map[string]any{"agreement": map[string]any{"form": "written", "terms": []map[string]any{{"text": "分期付款"}}}}}} {
		if r := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases/"+id+"/actions/"+a.action, a.body); r.status != 200 {
			t.Fatalf("%s: %d %s", a.action, r.status, r.body)
		}
	}
	if len(rcv.deliveries()) != 0 {
		t.Fatal("delivered before the queue ran")
	}
	e.work(t, 0)
	got := rcv.deliveries()
	if len(got) != 1 || got[0].err != nil {
		t.Fatalf("deliveries to the court: %d (%v)", len(got), got)
	}
	payload := string(got[0].body)
	for _, want := range []string{number, "(2026)沪0107民诉前调9号", "succeeded", "referral.feedback"} {
		if !strings.Contains(payload, want) {
			t.Errorf("feedback lacks %s: %s", want, payload)
		}
	}
	for _, secret := range []string{"张三", "13800138000", "长寿路100弄"} {
		if strings.Contains(payload, secret) {
			t.Errorf("feedback carries personal data %q", secret)
		}
	}
	found := false
	for _, m := range e.items(t, "putuo-staff", "/api/v1/tenants/310107/inbox") {
		found = found || (m["kind"] == "referral.feedback" && strings.Contains(fmt.Sprint(m["body"]), number))
	}
	if !found {
		t.Error("the court's inbox has no feedback")
	}
	// Later actions that are not an outcome report nothing more.
	e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases/"+id+"/actions/record_performed", map[string]any{})
	e.work(t, 0)
	if n := len(rcv.deliveries()); n != 1 {
		t.Errorf("%d deliveries after a non-outcome action, want 1", n)
	}
}

// TestFollowUpReminders: an agreement schedules its follow-ups and a reminder for each at its
// due time; a follow-up done before then gets no reminder.
func TestFollowUpReminders(t *testing.T) {
	e := newEnv(t)
	street := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	id, _ := e.newCase(t, "putuo-staff", "310107")
	var c response
	for _, a := range []struct {
		action string
		body   map[string]any
	}{{"assign", map[string]any{"committee_id": street}}, {"start_mediation", map[string]any{}},
		{"succeed", map[string]any{"agreement": map[string]any{"form": "oral", "terms": []map[string]any{{"text": "互相谅解"}}}}}} {
		if c = e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases/"+id+"/actions/"+a.action, a.body); c.status != 200 {
			t.Fatalf("%s: %d %s", a.action, c.status, c.body)
		}
	}
	first := c.json["follow_ups"].([]any)[0].(map[string]any)["id"].(string)
	reminders := func() int {
		n := 0
		for _, m := range e.items(t, "putuo-staff", "/api/v1/tenants/310107/inbox") {
			if m["kind"] == "follow_up.due" {
				n++
			}
		}
		return n
	}
	e.work(t, 0)
	if n := reminders(); n != 0 {
		t.Fatalf("%d reminders before any is due", n)
	}
	e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases/"+id+"/actions/follow_up", map[string]any{"follow_up_id": first, "result": "performed"})
	e.work(t, 8*24*time.Hour) // the 7-day one was done: no reminder
	if n := reminders(); n != 0 {
		t.Fatalf("%d reminders for a follow-up already done", n)
	}
	e.work(t, 31*24*time.Hour)
	if n := reminders(); n != 1 {
		t.Fatalf("%d reminders after the 30-day follow-up came due, want 1", n)
	}
}

// TestWarningSettingsNotice: a tenant that designates no police station or government office
// is told so where warnings are configured (issue 14, item 6): orange and red warnings would
// reach neither.
func TestWarningSettingsNotice(t *testing.T) {
	e := newEnv(t)
	police := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "长寿路派出所"})
	gov := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "petition_office", "name": "普陀区信访办"})
	settings := "/api/v1/tenants/310107/warning-settings"
	codes := func(res response) []string {
		var out []string
		list, _ := res.json["notices"].([]any)
		for _, n := range list {
			m := n.(map[string]any)
			msg, _ := m["message"].(string)
			if !strings.Contains(msg, " / ") || !strings.ContainsAny(msg[:strings.Index(msg, " / ")], "派政") {
				t.Errorf("notice not bilingual, Chinese first: %q", msg)
			}
			out = append(out, m["code"].(string))
		}
		return out
	}
	for _, r := range []struct {
		name   string
		method string
		body   map[string]any
		want   []string
	}{
		{"never configured", http.MethodGet, nil, []string{"no_police_station", "no_government_office"}},
		{"police only", http.MethodPut, map[string]any{"police_org_id": police}, []string{"no_government_office"}},
		{"police only, read back", http.MethodGet, nil, []string{"no_government_office"}},
		{"government only", http.MethodPut, map[string]any{"government_org_id": gov}, []string{"no_police_station"}},
		{"both", http.MethodPut, map[string]any{"police_org_id": police, "government_org_id": gov}, nil},
		{"both, read back", http.MethodGet, nil, nil},
	} {
		t.Run(r.name, func(t *testing.T) {
			res := e.do("putuo-admin", r.method, settings, r.body)
			if res.status != http.StatusOK {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if got := codes(res); !slices.Equal(got, r.want) {
				t.Errorf("notices %v, want %v: %s", got, r.want, res.body)
			}
		})
	}
}

// TestWarningFromPhrasing (issue 14, item 6): a threat phrased as intake notes phrase it raises
// an orange warning whose signals name the words and the clause that fired them, read by the
// district and by the designated police station; a calm description with negations raises none
// and shows the negated words uncounted. Another district sees neither.
func TestWarningFromPhrasing(t *testing.T) {
	e := newEnv(t)
	police := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "police_station", "name": "长寿路派出所"})
	gov := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "petition_office", "name": "普陀区信访办"})
	committee := e.org(t, "putuo-admin", "310107", map[string]any{"kind": "street_committee", "name": "长寿路街道人民调解委员会", "street_code": "310107015"})
	officer := e.agencyUser(t, "310107", "police-officer", "agency-clerk", police)
	head := e.agencyUser(t, "310107", "committee-head", "committee-head", committee)
	if res := e.do("putuo-admin", http.MethodPut, "/api/v1/tenants/310107/warning-settings", map[string]any{"police_org_id": police, "government_org_id": gov}); res.status != http.StatusOK {
		t.Fatalf("designate: %d %s", res.status, res.body)
	}
	create := func(title, description string, parties []map[string]any) response {
		body := sampleCase(t, title)
		body["description"] = description
		if parties != nil {
			body["parties"] = parties
		}
		res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", body)
		if res.status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		return res
	}
	threat := create("补偿纠纷", "被征收户王某因补偿款迟迟未到位，扬言要去北京上访。", nil)
	calm := create("停车位归属争议", "双方并未动手，也没有威胁对方，只是对停车位归属有争议。",
		[]map[string]any{{"name": "赵小红", "role": "applicant"}, {"name": "钱志明", "role": "respondent"}})
	e.work(t, 0)
	signal := func(risk any, list, code string) map[string]any {
		for _, s := range risk.(map[string]any)[list].([]any) {
			if m := s.(map[string]any); m["code"] == code {
				return m
			}
		}
		return nil
	}
	words := func(sig map[string]any) string {
		var out []string
		for _, w := range sig["words"].([]any) {
			out = append(out, w.(string))
		}
		return strings.Join(out, " ")
	}
	if threat.json["risk_level"] != "orange" {
		t.Fatalf("threat: %s", threat.body)
	}
	if sig := signal(threat.json["risk"], "signals", "skip_level_petition"); sig == nil || words(sig) != "扬言 去 北京 上访" || sig["clause"] != "扬言要去北京上访" {
		t.Errorf("skip-level signal: %v", sig)
	}
	if calm.json["risk_level"] != "none" || len(calm.json["risk"].(map[string]any)["signals"].([]any)) != 0 {
		t.Errorf("calm: %s", calm.body)
	}
	for _, code := range []string{"violence", "threat"} {
		if sig := signal(calm.json["risk"], "negated", code); sig == nil || sig["weight"] != 0.0 {
			t.Errorf("calm: negated %s missing: %s", code, calm.body)
		}
	}
	// Who reads the warning, with its words.
	for _, r := range []struct {
		as   string
		path string
		want int // warnings listed; -1: refused
	}{
		{"putuo-staff", "/api/v1/tenants/310107/warnings", 1},
		{officer, "/api/v1/tenants/310107/warnings", 1},
		{head, "/api/v1/tenants/310107/warnings", 0}, // the case is not the committee's
		{"huaiyin-admin", "/api/v1/tenants/310107/warnings", -1},
		{"huaiyin-admin", "/api/v1/tenants/370104/warnings", 0},
	} {
		res := e.do(r.as, http.MethodGet, r.path, nil)
		if r.want < 0 {
			if res.status != http.StatusNotFound {
				t.Errorf("%s %s: %d, want 404", r.as, r.path, res.status)
			}
			continue
		}
		items, _ := res.json["items"].([]any)
		if res.status != http.StatusOK || len(items) != r.want {
			t.Errorf("%s %s: %d with %d warnings, want %d: %s", r.as, r.path, res.status, len(items), r.want, res.body)
			continue
		}
		for _, it := range items {
			w := it.(map[string]any)
			if w["case_id"] != threat.json["id"] || w["level"] != "orange" {
				t.Errorf("%s: warning %v", r.as, w)
			}
			if sig := signal(w, "signals", "skip_level_petition"); sig == nil || !strings.Contains(words(sig), "北京") {
				t.Errorf("%s: the warning's signal lacks its words: %v", r.as, w["signals"])
			}
		}
	}
}
