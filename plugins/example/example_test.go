package example_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/plugins/example"
	"github.com/fengqiao/fengqiao/plugins/sdk"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
	"github.com/fengqiao/fengqiao/plugins/sdk/sdktest"
)

const tenant = "310101"

// newHost is a host granting what the example asks for, with a case of the tenant and one of
// another tenant.
func newHost() *sdktest.Host {
	h := sdktest.NewHost(tenant, "cases.read", "cases.note", "organisations.read")
	h.AddCase(sdk.Case{ID: "c1", Title: "邻里噪音", Parties: []sdk.Party{{ID: "p1", Name: "张三", Phone: "13800138000"}}})
	h.AddCase(sdk.Case{ID: "c2", TenantCode: "370102", Title: "济南的案件"})
	return h
}

func TestManifest(t *testing.T) {
	m := example.New("1.2.3").Manifest()
	if m.Name != "example" || m.Version != "1.2.3" || len(m.Regions) != 1 || m.Regions[0] != "31" {
		t.Errorf("name/version/regions %q %q %v", m.Name, m.Version, m.Regions)
	}
	if got := fmt.Sprint(m.Permissions); got != "[cases.read cases.note organisations.read]" {
		t.Errorf("permissions %s", got)
	}
	if len(m.Hooks) != 1 || m.Hooks[0] != (sdk.HookSpec{Name: "case.intake", Timeout: 200 * time.Millisecond}) {
		t.Errorf("hooks %+v", m.Hooks)
	}
	if example.New("").Manifest().Version != "1.0.0" {
		t.Error("the default version is not 1.0.0")
	}
	var schema struct {
		Properties map[string]struct {
			Default   string `json:"default"`
			MinLength int    `json:"minLength"`
		} `json:"properties"`
		AdditionalProperties *bool `json:"additionalProperties"`
	}
	if err := json.Unmarshal(m.SettingsSchema, &schema); err != nil {
		t.Fatal(err)
	}
	if schema.Properties["greeting"].Default != "你好" || schema.Properties["forbidden_word"].Default != "禁止" ||
		schema.Properties["forbidden_word"].MinLength != 1 || schema.AdditionalProperties == nil || *schema.AdditionalProperties {
		t.Errorf("settings schema %s", m.SettingsSchema)
	}
	var api struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(m.OpenAPI, &api); err != nil {
		t.Fatal(err)
	}
	for _, r := range m.Routes {
		if _, ok := api.Paths[r.Path][lower(r.Method)]; !ok {
			t.Errorf("route %s %s is not in the OpenAPI fragment", r.Method, r.Path)
		}
	}
}

func lower(method string) string {
	b := []byte(method)
	for i := range b {
		b[i] |= 0x20
	}
	return string(b)
}

func TestBefore(t *testing.T) {
	tests := []struct {
		name     string
		settings string
		title    string
		message  string // the refusal's message on "title"; "" allows
	}{
		{name: "allowed", title: "邻里噪音"},
		{name: "default forbidden word", title: "禁止停车纠纷", message: "标题不得包含“禁止” / the title must not contain “禁止”"},
		{name: "tenant's forbidden word", settings: `{"forbidden_word":"测试"}`, title: "测试案件", message: "标题不得包含“测试” / the title must not contain “测试”"},
		{name: "default word allowed when the tenant chose another", settings: `{"forbidden_word":"测试"}`, title: "禁止停车"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call := sdktest.NewCall(tenant, tt.settings, newHost())
			err := example.New("").Before(context.Background(), call, "case.intake", sdk.Case{Title: tt.title}, nil)
			if tt.message == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var p *sdk.Problem
			if !errors.As(err, &p) || len(p.Fields) != 1 || p.Fields[0].Field != "title" || p.Fields[0].Message != tt.message {
				t.Fatalf("error %v, want a problem on title: %s", err, tt.message)
			}
		})
	}
}

func TestHandleEvent(t *testing.T) {
	ctx := context.Background()
	host := newHost()
	p := example.New("")
	call := sdktest.NewCall(tenant, "", host)
	deliveries := []struct {
		name  string
		ev    sdk.Event
		tally int
	}{
		{"first event", sdk.Event{ID: "e1", Kind: "case.received", CaseID: "c1", Attempt: 1}, 1},
		{"redelivery is ignored", sdk.Event{ID: "e1", Kind: "case.received", CaseID: "c1", Attempt: 2}, 1},
		{"second event", sdk.Event{ID: "e2", Kind: "case.concluded", CaseID: "c1", Attempt: 1}, 2},
	}
	for _, d := range deliveries {
		t.Run(d.name, func(t *testing.T) {
			if err := p.HandleEvent(ctx, call, d.ev); err != nil {
				t.Fatal(err)
			}
			doc, err := host.Documents().Get(ctx, "tally", "events")
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf(`{"count":%d}`, d.tally); string(doc.Data) != want {
				t.Errorf("tally %s, want %s", doc.Data, want)
			}
		})
	}
	doc, err := host.Documents().Get(ctx, "events", "e1")
	if err != nil {
		t.Fatal(err)
	}
	if string(doc.Data) != `{"attempt":1,"case_id":"c1","kind":"case.received"}` {
		t.Errorf("event record %s, want the first delivery's", doc.Data)
	}
}

func TestHandleEventConcurrent(t *testing.T) {
	ctx := context.Background()
	host := newHost()
	p := example.New("")
	// One write first, so that every concurrent increment goes through IfVersion.
	if err := p.HandleEvent(ctx, sdktest.NewCall(tenant, "", host), sdk.Event{ID: "e0", Kind: "case.received"}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ev := sdk.Event{ID: fmt.Sprintf("e%d", i+1), Kind: "case.received", Attempt: 1}
			if err := p.HandleEvent(ctx, sdktest.NewCall(tenant, "", host), ev); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	doc, _ := host.Documents().Get(ctx, "tally", "events")
	if string(doc.Data) != `{"count":9}` {
		t.Errorf("tally %s after 9 events, want 9: an increment was lost", doc.Data)
	}
}

func TestRoutes(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		pattern  string
		id       string
		body     string
		settings string
		status   int
		want     string // the JSON body
	}{
		{name: "hello", method: "GET", pattern: "/hello", settings: `{"greeting":"侬好"}`, status: 200,
			want: `{"greeting":"侬好","tenant":"310101","principal":"user:sdktest"}`},
		{name: "public greeting, default", method: "GET", pattern: "/public/greeting", status: 200, want: `{"greeting":"你好"}`},
		{name: "own case", method: "GET", pattern: "/cases/{id}", id: "c1", status: 200},
		{name: "unknown case", method: "GET", pattern: "/cases/{id}", id: "zz", status: 404,
			want: `{"type":"about:blank","title":"未找到 / not found","status":404}`},
		{name: "another tenant's case", method: "GET", pattern: "/cases/{id}", id: "c2", status: 404,
			want: `{"type":"about:blank","title":"未找到 / not found","status":404}`},
		{name: "note", method: "POST", pattern: "/cases/{id}/notes", id: "c1", body: `{"text":"已联系双方"}`, status: 201},
		{name: "empty note", method: "POST", pattern: "/cases/{id}/notes", id: "c1", body: `{"text":" "}`, status: 422,
			want: `{"type":"about:blank","title":"备注内容不能为空 / the note's text is required","status":422,
				"errors":[{"field":"text","message":"备注内容不能为空 / the note's text is required"}]}`},
		{name: "note, not JSON", method: "POST", pattern: "/cases/{id}/notes", id: "c1", body: `{`, status: 400},
		{name: "share without cases.share", method: "POST", pattern: "/cases/{id}/shares", id: "c1", body: `{"tenant":"370102","scope":"summary"}`, status: 403},
		{name: "unknown route", method: "GET", pattern: "/nope", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := newHost()
			call := sdktest.NewCall(tenant, tt.settings, host)
			req := &sdk.Request{Method: tt.method, Pattern: tt.pattern, Params: map[string]string{"id": tt.id}, Body: []byte(tt.body)}
			resp, err := sdk.RouteResult(example.New("").ServeRoute(context.Background(), call, req))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.Status, tt.status, resp.Body)
			}
			if tt.want != "" {
				assertJSON(t, resp.Body, tt.want)
			}
		})
	}
}

func TestRouteEffects(t *testing.T) {
	ctx := context.Background()
	host := newHost()
	call := sdktest.NewCall(tenant, "", host)
	p := example.New("")
	resp, err := p.ServeRoute(ctx, call, &sdk.Request{Method: "GET", Pattern: "/cases/{id}", Params: map[string]string{"id": "c1"}})
	if err != nil {
		t.Fatal(err)
	}
	var c sdk.Case
	if err := json.Unmarshal(resp.Body, &c); err != nil || c.ID != "c1" || !c.Parties[0].Masked || c.Parties[0].Phone == "13800138000" {
		t.Errorf("case %s: want c1 with its parties masked (%v)", resp.Body, err)
	}
	resp, err = p.ServeRoute(ctx, call, &sdk.Request{Method: "POST", Pattern: "/cases/{id}/notes", Params: map[string]string{"id": "c1"}, Body: []byte(`{"text":"已联系双方"}`)})
	if err != nil {
		t.Fatal(err)
	}
	notes := host.Notes()
	if len(notes) != 1 || notes[0].CaseID != "c1" || notes[0].Text != "已联系双方" {
		t.Fatalf("notes %+v", notes)
	}
	assertJSON(t, resp.Body, `{"event_id":"`+notes[0].EventID+`"}`)
	if s := host.Shares(); len(s) != 0 {
		t.Errorf("shares %+v, want none", s)
	}
}

func TestRunJob(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		events  int
		summary string
	}{
		{"no events yet", 0, "counted 0 events"},
		{"after three events", 3, "counted 3 events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := newHost()
			p := example.New("")
			call := sdktest.NewCall(tenant, "", host)
			for i := range tt.events {
				if err := p.HandleEvent(ctx, call, sdk.Event{ID: fmt.Sprint(i), Kind: "case.received"}); err != nil {
					t.Fatal(err)
				}
			}
			at := time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC)
			summary, err := p.RunJob(ctx, call, sdk.Job{Name: "tally", RunID: "run-1", ScheduledAt: at})
			if err != nil {
				t.Fatal(err)
			}
			if summary != tt.summary {
				t.Errorf("summary %q, want %q", summary, tt.summary)
			}
			doc, err := host.Documents().Get(ctx, "runs", "run-1")
			if err != nil || string(doc.Data) != `{"scheduled_at":"2026-03-01T16:00:00Z"}` {
				t.Errorf("run document %s %v", doc.Data, err)
			}
		})
	}
}

// TestWire runs the example through the SDK's real gRPC adapter and the broker.
func TestWire(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	host := newHost()
	w := sdktest.Connect(t, example.New("2.0.0"), host)
	m, version, err := w.Manifest(ctx)
	if err != nil || m.Name != "example" || m.Version != "2.0.0" || version != 1 {
		t.Fatalf("manifest %s %s v%d %v", m.Name, m.Version, version, err)
	}
	caseJSON, _ := json.Marshal(map[string]string{"title": "禁止喧哗"})
	before, err := w.Before(ctx, &pluginv1.BeforeRequest{Hook: "case.intake", Case: caseJSON})
	if err != nil || before.GetAllow() || before.GetProblem().GetFields()[0].GetField() != "title" {
		t.Errorf("before %v %v, want a refusal on title", before, err)
	}
	for range 2 {
		if _, err := w.Event(ctx, &pluginv1.EventRequest{EventId: "e1", Kind: "case.received", CaseId: "c1", Attempt: 1}); err != nil {
			t.Fatal(err)
		}
	}
	route, err := w.Route(ctx, &pluginv1.RouteRequest{Method: "POST", Path: "/cases/c1/shares", Pattern: "/cases/{id}/shares",
		Params: map[string]string{"id": "c1"}, Body: []byte(`{"tenant":"370102","scope":"summary"}`)})
	if err != nil || route.GetStatus() != 403 || route.GetHeaders()["Content-Type"] != "application/problem+json" {
		t.Errorf("share %v %v, want 403 problem+json", route, err)
	}
	job, err := w.Job(ctx, &pluginv1.JobRequest{Job: "tally", RunId: "r1", ScheduledAtUnixMs: time.Now().UnixMilli()})
	if err != nil || job.GetSummary() != "counted 1 events" {
		t.Errorf("job %v %v, want counted 1 events (the redelivery deduplicated)", job, err)
	}
}

func assertJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("body\n got %s\nwant %s", gb, wb)
	}
}
