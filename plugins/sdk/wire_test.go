package sdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/fengqiao/fengqiao/plugins/sdk"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
	"github.com/fengqiao/fengqiao/plugins/sdk/sdktest"
)

// probe is a plugin with every capability, whose behaviour the request picks, so that the
// adapter's every path can be driven through the wire.
type probe struct {
	mu     sync.Mutex
	events []sdk.Event
	calls  []*sdk.Call
	errs   map[string]error // the Host error of each /host op
	stale  sdk.Host         // the Host of an earlier call
}

var probeManifest = sdk.Manifest{
	Name:        "probe",
	Version:     "0.1.0",
	Description: sdk.Text{ZH: "探针", EN: "probe"},
	Regions:     []string{"31", "3701"},
	Hooks: []sdk.HookSpec{
		{Name: "case.intake", Timeout: 150 * time.Millisecond},
		{Name: "case.assign", FailOpen: true},
	},
	Events:         []string{"case.received"},
	Routes:         []sdk.RouteSpec{{Method: "GET", Path: "/echo/{id}", Summary: sdk.Text{ZH: "回显", EN: "echo"}, Public: true, Timeout: 2 * time.Second}},
	Jobs:           []sdk.JobSpec{{Name: "sweep", Schedule: "@hourly", Description: sdk.Text{ZH: "清扫", EN: "sweep"}, Timeout: time.Minute}},
	Permissions:    []string{"cases.read"},
	SettingsSchema: json.RawMessage(`{"type":"object"}`),
	Console:        []sdk.ConsoleEntry{{Menu: sdk.Text{ZH: "探针", EN: "Probe"}, Path: "/echo/1", Kind: "page", RoleHint: "district-admin"}},
	OpenAPI:        json.RawMessage(`{"paths":{}}`),
}

func (p *probe) Manifest() sdk.Manifest { return probeManifest }

func (p *probe) record(c *sdk.Call) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, c)
}

func (p *probe) Before(_ context.Context, call *sdk.Call, hook string, c sdk.Case, _ json.RawMessage) error {
	p.record(call)
	switch c.Title {
	case "bad":
		return &sdk.Problem{Title: "标题不妥 / bad title", Detail: hook, Fields: []sdk.FieldProblem{{Field: "title", Message: "换一个 / change it"}}}
	case "wrapped":
		return errors.Join(errors.New("context"), sdk.Reject("title", "包装 / wrapped"))
	case "nil-problem":
		var none *sdk.Problem
		return none
	case "error":
		return errors.New("boom")
	case "slow":
		return context.DeadlineExceeded
	case "panic":
		panic("before went wrong")
	}
	return nil
}

func (p *probe) HandleEvent(_ context.Context, call *sdk.Call, ev sdk.Event) error {
	p.record(call)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, ev)
	if ev.Kind == "case.fail" {
		return errors.New("cannot handle")
	}
	return nil
}

func (p *probe) ServeRoute(ctx context.Context, call *sdk.Call, req *sdk.Request) (*sdk.Response, error) {
	p.record(call)
	switch req.Pattern {
	case "/echo/{id}":
		return sdk.JSON(201, map[string]any{
			"method": req.Method, "path": req.Path, "id": req.Param("id"), "query": req.Query,
			"accept": req.Headers["Accept"], "body": string(req.Body), "tenant": call.Tenant,
			"subject": call.Principal.Subject, "roles": call.Principal.Roles, "settings": call.Settings, "request_id": call.RequestID,
		})
	case "/problem":
		return nil, &sdk.Problem{Title: "不行 / no", Detail: "细节 / detail", Fields: []sdk.FieldProblem{{Field: "name", Message: "必填 / required"}}}
	case "/nothing":
		return nil, nil
	case "/fail":
		return nil, errors.New("route failed")
	case "/panic":
		panic("route went wrong")
	case "/host":
		op := strings.TrimPrefix(req.Query, "op=")
		err := p.hostOp(ctx, call, op)
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.errs == nil {
			p.errs = map[string]error{}
		}
		p.errs[op] = err
		if p.stale == nil {
			p.stale = call.Host
		}
		return &sdk.Response{Status: 200}, nil
	}
	return sdk.ProblemResponse(404, &sdk.Problem{Title: "无此路由 / no such route"}), nil
}

func (p *probe) hostOp(ctx context.Context, call *sdk.Call, op string) error {
	switch op {
	case "own":
		c, err := call.Host.GetCase(ctx, "c1", false)
		if err == nil && c.Title != "邻里噪音" {
			return errors.New("wrong case: " + c.Title)
		}
		return err
	case "other-tenant":
		_, err := call.Host.GetCase(ctx, "c2", false)
		return err
	case "missing":
		_, err := call.Host.GetCase(ctx, "nope", false)
		return err
	case "not-granted":
		_, err := call.Host.AddCaseNote(ctx, "c1", "note", nil)
		return err
	case "invalid":
		_, err := call.Host.ShareCase(ctx, sdk.Share{CaseID: "c1", GranteeTenant: call.Tenant, Scope: "summary"})
		return err
	case "conflict":
		_, err := call.Host.Documents().Put(ctx, sdk.Document{Kind: "k", ID: "1", Data: json.RawMessage(`{}`)}, 7)
		return err
	case "finished":
		p.mu.Lock()
		stale := p.stale
		p.mu.Unlock()
		_, err := stale.GetCase(ctx, "c1", false)
		return err
	case "documents":
		d, err := call.Host.Documents().Put(ctx, sdk.Document{Kind: "k", ID: "2", Data: json.RawMessage(`{"n":1}`)}, 0)
		if err != nil {
			return err
		}
		if _, err := call.Host.Documents().Put(ctx, sdk.Document{Kind: "k", ID: "2", Data: json.RawMessage(`{"n":2}`)}, d.Version); err != nil {
			return err
		}
		got, err := call.Host.Documents().Get(ctx, "k", "2")
		if err != nil {
			return err
		}
		if got.Version != 2 || string(got.Data) != `{"n":2}` || got.UpdatedAt.IsZero() {
			return errors.New("document round trip lost something")
		}
		docs, _, err := call.Host.Documents().List(ctx, "k", "", 10)
		if err != nil || len(docs) != 1 {
			return errors.Join(errors.New("list"), err)
		}
		deleted, err := call.Host.Documents().Delete(ctx, "k", "2")
		if err != nil || !deleted {
			return errors.Join(errors.New("delete"), err)
		}
		return nil
	}
	return errors.New("unknown op " + op)
}

func (p *probe) RunJob(_ context.Context, call *sdk.Call, job sdk.Job) (string, error) {
	p.record(call)
	if job.Name == "broken" {
		return "", errors.New("job failed")
	}
	return job.Name + " " + job.RunID + " " + job.ScheduledAt.Format(time.RFC3339), nil
}

func (p *probe) Health(context.Context) error { return nil }

// bare implements nothing but Plugin.
type bare struct{}

func (bare) Manifest() sdk.Manifest { return sdk.Manifest{Name: "bare", Version: "1.0.0"} }

func newWire(t *testing.T, p sdk.Plugin) (*sdktest.Wire, *sdktest.Host) {
	t.Helper()
	host := sdktest.NewHost("310101", sdktest.PermCasesRead, sdktest.PermCasesShare)
	host.AddCase(sdk.Case{ID: "c1", Title: "邻里噪音"})
	host.AddCase(sdk.Case{ID: "c2", TenantCode: "370102", Title: "别处的案件"})
	return sdktest.Connect(t, p, host), host
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestWireManifest(t *testing.T) {
	w, _ := newWire(t, &probe{})
	m, version, err := w.Manifest(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if version != sdk.ProtocolVersion {
		t.Errorf("protocol version %d, want %d", version, sdk.ProtocolVersion)
	}
	got, _ := json.Marshal(m)
	want, _ := json.Marshal(probeManifest)
	if string(got) != string(want) {
		t.Errorf("manifest did not survive the wire:\n got %s\nwant %s", got, want)
	}
	raw, err := w.Plugin.GetManifest(ctx(t), &pluginv1.GetManifestRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if ms := raw.GetManifest().GetHooks()[0].GetTimeoutMs(); ms != 150 {
		t.Errorf("hook timeout_ms %d, want 150", ms)
	}
	if ms := raw.GetManifest().GetJobs()[0].GetTimeoutMs(); ms != 60000 {
		t.Errorf("job timeout_ms %d, want 60000", ms)
	}
}

func TestWireBefore(t *testing.T) {
	w, _ := newWire(t, &probe{})
	tests := []struct {
		name    string
		title   string
		allow   bool
		problem *pluginv1.Problem
		code    codes.Code
	}{
		{name: "allowed", title: "邻里噪音", allow: true},
		{name: "refused with a problem", title: "bad", problem: &pluginv1.Problem{
			Title: "标题不妥 / bad title", Detail: "case.intake", Fields: []*pluginv1.FieldProblem{{Field: "title", Message: "换一个 / change it"}},
		}},
		{name: "a wrapped problem still refuses", title: "wrapped", problem: &pluginv1.Problem{
			Title: "包装 / wrapped", Fields: []*pluginv1.FieldProblem{{Field: "title", Message: "包装 / wrapped"}},
		}},
		{name: "a nil problem refuses without one", title: "nil-problem"},
		{name: "an error is Unknown", title: "error", code: codes.Unknown},
		{name: "a deadline keeps its meaning", title: "slow", code: codes.DeadlineExceeded},
		{name: "a panic is Internal", title: "panic", code: codes.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := json.Marshal(map[string]string{"id": "new", "title": tt.title})
			resp, err := w.Before(ctx(t), &pluginv1.BeforeRequest{Hook: "case.intake", Case: c, Input: []byte(`{}`)})
			if tt.code != codes.OK {
				if status.Code(err) != tt.code {
					t.Fatalf("error %v, want code %v", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.GetAllow() != tt.allow {
				t.Errorf("allow %v, want %v", resp.GetAllow(), tt.allow)
			}
			if got, want := resp.GetProblem().String(), tt.problem.String(); got != want {
				t.Errorf("problem %q, want %q", got, want)
			}
			if (resp.GetProblem() == nil) != (tt.problem == nil) {
				t.Errorf("problem presence %v, want %v", resp.GetProblem() != nil, tt.problem != nil)
			}
		})
	}
	// The plugin keeps serving after the panic.
	if _, err := w.Health(ctx(t)); err != nil {
		t.Fatalf("after a panic: %v", err)
	}
}

func TestWireEvent(t *testing.T) {
	p := &probe{}
	w, _ := newWire(t, p)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	_, err := w.Event(ctx(t), &pluginv1.EventRequest{
		EventId: "ev-1", Kind: "case.received", CaseId: "c1", OccurredAtUnixMs: at.UnixMilli(), Payload: []byte(`{"a":1}`), Attempt: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Event(ctx(t), &pluginv1.EventRequest{EventId: "ev-2", Kind: "case.fail", Attempt: 1})
	if status.Code(err) != codes.Unknown || !strings.Contains(err.Error(), "cannot handle") {
		t.Errorf("failing handler: %v, want Unknown with its message", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	want := sdk.Event{ID: "ev-1", Kind: "case.received", CaseID: "c1", OccurredAt: at, Payload: json.RawMessage(`{"a":1}`), Attempt: 2}
	if len(p.events) != 2 {
		t.Fatalf("%d events, want 2", len(p.events))
	}
	got := p.events[0]
	if got.ID != want.ID || got.Kind != want.Kind || got.CaseID != want.CaseID || !got.OccurredAt.Equal(want.OccurredAt) ||
		string(got.Payload) != string(want.Payload) || got.Attempt != want.Attempt {
		t.Errorf("event %+v, want %+v", got, want)
	}
	if call := p.calls[0]; call.Tenant != "310101" || call.Principal.Subject != "" {
		t.Errorf("event call tenant %q principal %q, want 310101 and nobody", call.Tenant, call.Principal.Subject)
	}
}

func TestWireRoute(t *testing.T) {
	w, _ := newWire(t, &probe{})
	w.Settings = json.RawMessage(`{"greeting":"你好"}`)
	tests := []struct {
		name    string
		pattern string
		status  uint32
		ctype   string
		body    string // a JSON body compared as JSON, or "" for none
		code    codes.Code
	}{
		{name: "JSON answer", pattern: "/echo/{id}", status: 201, ctype: "application/json; charset=utf-8",
			body: `{"method":"GET","path":"/echo/7","id":"7","query":"x=1","accept":"application/json","body":"hi","tenant":"310101",
				"subject":"user:sdktest","roles":null,"settings":{"greeting":"你好"},"request_id":"req-1"}`},
		{name: "problem is 422 problem+json", pattern: "/problem", status: 422, ctype: "application/problem+json",
			body: `{"type":"about:blank","title":"不行 / no","status":422,"detail":"细节 / detail","errors":[{"field":"name","message":"必填 / required"}]}`},
		{name: "no response is 204", pattern: "/nothing", status: 204},
		{name: "an error is Unknown", pattern: "/fail", code: codes.Unknown},
		{name: "a panic is Internal", pattern: "/panic", code: codes.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := w.Route(ctx(t), &pluginv1.RouteRequest{
				Call:   &pluginv1.Call{RequestId: "req-1"},
				Method: "GET", Path: "/echo/7", Pattern: tt.pattern, Params: map[string]string{"id": "7"},
				Query: "x=1", Headers: map[string]string{"Accept": "application/json"}, Body: []byte("hi"),
			})
			if tt.code != codes.OK {
				if status.Code(err) != tt.code {
					t.Fatalf("error %v, want code %v", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.GetStatus() != tt.status {
				t.Errorf("status %d, want %d", resp.GetStatus(), tt.status)
			}
			if ct := resp.GetHeaders()["Content-Type"]; ct != tt.ctype {
				t.Errorf("content type %q, want %q", ct, tt.ctype)
			}
			if tt.body != "" {
				assertJSON(t, resp.GetBody(), tt.body)
			} else if len(resp.GetBody()) != 0 {
				t.Errorf("body %s, want none", resp.GetBody())
			}
		})
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

func TestWireJob(t *testing.T) {
	w, _ := newWire(t, &probe{})
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	resp, err := w.Job(ctx(t), &pluginv1.JobRequest{Job: "sweep", RunId: "run-1", ScheduledAtUnixMs: at.UnixMilli()})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := resp.GetSummary(), "sweep run-1 2026-03-01T00:00:00Z"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if _, err := w.Job(ctx(t), &pluginv1.JobRequest{Job: "broken"}); status.Code(err) != codes.Unknown {
		t.Errorf("failing job: %v, want Unknown", err)
	}
}

func TestWireHostErrors(t *testing.T) {
	p := &probe{}
	w, _ := newWire(t, p)
	tests := []struct {
		op      string
		want    error // nil: success
		code    string
		problem string // the field of the Problem carried, if any
	}{
		{op: "own"},
		{op: "documents"},
		{op: "other-tenant", want: sdk.ErrNotFound, code: "NotFound"}, // as the platform: another tenant's case does not exist here
		{op: "missing", want: sdk.ErrNotFound, code: "NotFound"},
		{op: "not-granted", want: sdk.ErrPermission, code: "PermissionDenied"},
		{op: "invalid", want: sdk.ErrInvalid, code: "InvalidArgument", problem: "grantee_organisation_id"},
		{op: "conflict", want: sdk.ErrConflict, code: "Aborted"},
		{op: "finished", want: sdk.ErrCallFinished, code: "Unauthenticated"},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			if _, err := w.Route(ctx(t), &pluginv1.RouteRequest{Method: "GET", Path: "/host", Pattern: "/host", Query: "op=" + tt.op}); err != nil {
				t.Fatal(err)
			}
			p.mu.Lock()
			err := p.errs[tt.op]
			p.mu.Unlock()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			var he *sdk.HostError
			if !errors.As(err, &he) || he.Code != tt.code || he.Message == "" || !strings.Contains(err.Error(), he.Message) {
				t.Fatalf("error %#v, want a HostError %s with the host's message in its text", err, tt.code)
			}
			if tt.problem != "" && (he.Problem == nil || len(he.Problem.Fields) != 1 || he.Problem.Fields[0].Field != tt.problem) {
				t.Errorf("problem %+v, want one on %s", he.Problem, tt.problem)
			}
		})
	}
}

func TestWireUnimplemented(t *testing.T) {
	w, _ := newWire(t, bare{})
	tests := []struct {
		name string
		call func() error
	}{
		{"before", func() error { _, err := w.Before(ctx(t), &pluginv1.BeforeRequest{Hook: "case.intake"}); return err }},
		{"event", func() error { _, err := w.Event(ctx(t), &pluginv1.EventRequest{EventId: "e"}); return err }},
		{"route", func() error { _, err := w.Route(ctx(t), &pluginv1.RouteRequest{Method: "GET", Path: "/"}); return err }},
		{"job", func() error { _, err := w.Job(ctx(t), &pluginv1.JobRequest{Job: "j"}); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); status.Code(err) != codes.Unimplemented {
				t.Errorf("error %v, want Unimplemented", err)
			}
		})
	}
	h, err := w.Health(ctx(t))
	if err != nil || !h.GetOk() {
		t.Errorf("health of a plugin without HealthChecker: %v %v, want ok", h, err)
	}
}
