// Command faulty is a plugin that misbehaves on purpose, for the host's fault tests; it is
// never installed anywhere real. Build it with
//
//	go build -o PATH ./plugins/internal/faulty
//	go build -ldflags "-X main.protocol=2" -o PATH ./plugins/internal/faulty  # speaks only protocol 2
//	go build -ldflags "-X main.name=faulty-b" -o PATH ./plugins/internal/faulty  # another manifest name
//
// Manifest: name "faulty" (or main.name), version 0.0.1, regions ["*"], permissions: every
// one a plugin may request (so that a test narrows them per tenant), settings {"mode":
// ok|hang|crash|panic|malformed, default ok}; hooks case.intake (200 ms, fail closed) and
// case.assign (200 ms, fail open); routes GET /mode, GET /cross, GET /replay, POST /host (none
// public).
//
// The tenant's mode drives Before (both hooks) and GET /mode:
//
//	ok         allow / 200 {"mode":"ok"}
//	hang       sleep 10 s, ignoring the deadline, then answer as ok
//	crash      os.Exit(3) at once: the process dies mid-call
//	panic      panic in the handler (the SDK turns it into an Internal error and keeps serving)
//	malformed  Before: allow=false with no problem; GET /mode: status 999
//
// GET /cross?tenant=X&case=Y sends a raw HostService.GetCase with this call's token but
// tenant X, bypassing the SDK's binding, and answers 200 {"code": "<gRPC code name>"}
// ("PermissionDenied" expected when X is not the call's tenant).
//
// GET /replay?case=Y sends a raw GetCase with the token of the previous call this process
// handled (any tenant's; this call's token is then remembered for the next one) and answers
// 200 {"code": …} ("Unauthenticated" expected: that call has finished), or {"code":"none"}
// when there was no previous call.
//
// POST /host with {"method": "<HostService method>", "request": <its request in protojson,
// without call>} makes that host call, bound to this call, and answers 200 {"code": "<gRPC
// code name>", "message": …, "response": <the response in protojson>}: the isolation matrix
// drives every host call through it. /cross, /replay and /host ignore the mode.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/fengqiao/fengqiao/plugins/sdk"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

// Set at build time with -ldflags "-X main.protocol=2 -X main.name=… -X main.console=/view".
var (
	protocol = "1"
	name     = "faulty"
	console  = "" // a console entry at this GET route
)

func main() {
	v, err := strconv.Atoi(protocol)
	if err != nil {
		sdk.Logger().Error("main.protocol is not a number", "protocol", protocol)
		os.Exit(1)
	}
	sdk.ServeVersions(&faulty{}, v)
}

type faulty struct {
	mu        sync.Mutex
	lastToken string // the call token of the previous call, for /replay
	lastCall  string // its tenant
}

func (f *faulty) Manifest() sdk.Manifest {
	route := func(path string) sdk.RouteSpec {
		return sdk.RouteSpec{Method: "GET", Path: path, Summary: sdk.Text{ZH: "故障测试", EN: "fault test"}}
	}
	return sdk.Manifest{
		Name:        name,
		Version:     "0.0.1",
		Description: sdk.Text{ZH: "故障测试插件（仅供测试）", EN: "fault-test plugin (tests only)"},
		Regions:     []string{"*"},
		Permissions: []string{"cases.read", "cases.parties", "cases.note", "cases.fields", "cases.link", "cases.share",
			"cases.joint", "organisations.read", "notifications.send", "stats.read"},
		Hooks: []sdk.HookSpec{
			{Name: "case.intake", Timeout: 200 * time.Millisecond},
			{Name: "case.assign", Timeout: 200 * time.Millisecond, FailOpen: true},
		},
		Routes: []sdk.RouteSpec{route("/mode"), route("/cross"), route("/replay"), route("/view"),
			{Method: "POST", Path: "/host", Summary: sdk.Text{ZH: "调用宿主接口", EN: "make a host call"}}},
		Console: consoleEntries(),
		SettingsSchema: json.RawMessage(`{"type":"object","properties":{"mode":{"type":"string",` +
			`"enum":["ok","hang","crash","panic","malformed"],"default":"ok"}},"additionalProperties":false}`),
	}
}

func consoleEntries() []sdk.ConsoleEntry {
	if console == "" {
		return nil
	}
	return []sdk.ConsoleEntry{{Menu: sdk.Text{ZH: "故障页面", EN: "Faulty page"}, Path: console, Kind: "page"}}
}

func mode(call *sdk.Call) string {
	var s struct {
		Mode string `json:"mode"`
	}
	if err := call.DecodeSettings(&s); err != nil || s.Mode == "" {
		return "ok"
	}
	return s.Mode
}

// misbehave acts out the modes shared by Before and /mode; it returns the mode when the
// caller should answer (ok, malformed, or after a hang).
func misbehave(call *sdk.Call) string {
	m := mode(call)
	switch m {
	case "hang":
		time.Sleep(10 * time.Second)
	case "crash":
		os.Exit(3)
	case "panic":
		panic("faulty: panic mode")
	}
	return m
}

func (f *faulty) Before(_ context.Context, call *sdk.Call, _ string, _ sdk.Case, _ json.RawMessage) error {
	f.remember(call)
	if misbehave(call) == "malformed" {
		var none *sdk.Problem
		return none // allow=false without a problem
	}
	return nil
}

func (f *faulty) ServeRoute(ctx context.Context, call *sdk.Call, req *sdk.Request) (*sdk.Response, error) {
	previous, previousTenant := f.remember(call)
	q, _ := url.ParseQuery(req.Query)
	switch req.Pattern {
	case "/cross":
		client, hc, ok := sdk.RawHost(call)
		if !ok {
			return nil, errors.New("faulty: no wire host")
		}
		hc.Tenant = q.Get("tenant")
		return codeOf(client.GetCase(ctx, &pluginv1.GetCaseRequest{Call: hc, CaseId: q.Get("case")}))
	case "/host":
		return hostCall(ctx, call, req.Body)
	case "/view":
		// Whatever view the test asks for (?v=), or one larger than the host accepts (?big=1).
		body := []byte(q.Get("v"))
		if q.Get("big") != "" {
			body = []byte(`{"view":"fengqiao.view/v1","title":{"zh":"大"},"blocks":[{"type":"stats","stats":[{"label":{"zh":"大"},"value":"` +
				strings.Repeat("x", 2<<20) + `"}]}]}`)
		}
		return &sdk.Response{Status: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: body}, nil
	case "/replay":
		client, _, ok := sdk.RawHost(call)
		if !ok {
			return nil, errors.New("faulty: no wire host")
		}
		if previous == "" {
			return sdk.JSON(200, map[string]string{"code": "none"})
		}
		hc := &pluginv1.HostCall{CallToken: previous, Tenant: previousTenant}
		return codeOf(client.GetCase(ctx, &pluginv1.GetCaseRequest{Call: hc, CaseId: q.Get("case")}))
	}
	m := misbehave(call)
	if m == "malformed" {
		return &sdk.Response{Status: 999}, nil
	}
	return sdk.JSON(200, map[string]string{"mode": m})
}

// remember records this call's token and returns the previous call's.
func (f *faulty) remember(call *sdk.Call) (token, tenant string) {
	_, hc, ok := sdk.RawHost(call)
	f.mu.Lock()
	defer f.mu.Unlock()
	token, tenant = f.lastToken, f.lastCall
	if ok {
		f.lastToken, f.lastCall = hc.GetCallToken(), hc.GetTenant()
	}
	return token, tenant
}

func codeOf(_ *pluginv1.GetCaseResponse, err error) (*sdk.Response, error) {
	return sdk.JSON(200, map[string]string{"code": status.Code(err).String()})
}

// hostCall makes the host call a POST /host names.
func hostCall(ctx context.Context, call *sdk.Call, body []byte) (*sdk.Response, error) {
	client, hc, ok := sdk.RawHost(call)
	if !ok {
		return nil, errors.New("faulty: no wire host")
	}
	var in struct {
		Method  string          `json:"method"`
		Request json.RawMessage `json:"request"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return sdk.JSON(400, map[string]string{"error": err.Error()})
	}
	if len(in.Request) == 0 {
		in.Request = json.RawMessage("{}")
	}
	var (
		resp proto.Message
		err  error
	)
	parse := func(m proto.Message) error { return protojson.Unmarshal(in.Request, m) }
	switch in.Method {
	case "GetCase":
		r := &pluginv1.GetCaseRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.GetCase(ctx, r)
		}
	case "ListCases":
		r := &pluginv1.ListCasesRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.ListCases(ctx, r)
		}
	case "AddCaseNote":
		r := &pluginv1.AddCaseNoteRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.AddCaseNote(ctx, r)
		}
	case "UpdateCaseFields":
		r := &pluginv1.UpdateCaseFieldsRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.UpdateCaseFields(ctx, r)
		}
	case "LinkAgency":
		r := &pluginv1.LinkAgencyRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.LinkAgency(ctx, r)
		}
	case "ShareCase":
		r := &pluginv1.ShareCaseRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.ShareCase(ctx, r)
		}
	case "RevokeShare":
		r := &pluginv1.RevokeShareRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.RevokeShare(ctx, r)
		}
	case "SetJoint":
		r := &pluginv1.SetJointRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.SetJoint(ctx, r)
		}
	case "Notify":
		r := &pluginv1.NotifyRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.Notify(ctx, r)
		}
	case "GetStats":
		r := &pluginv1.GetStatsRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.GetStats(ctx, r)
		}
	case "ListOrganisations":
		r := &pluginv1.ListOrganisationsRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.ListOrganisations(ctx, r)
		}
	case "ListMediators":
		r := &pluginv1.ListMediatorsRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.ListMediators(ctx, r)
		}
	case "PutDocument":
		r := &pluginv1.PutDocumentRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.PutDocument(ctx, r)
		}
	case "GetDocument":
		r := &pluginv1.GetDocumentRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.GetDocument(ctx, r)
		}
	case "ListDocuments":
		r := &pluginv1.ListDocumentsRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.ListDocuments(ctx, r)
		}
	case "DeleteDocument":
		r := &pluginv1.DeleteDocumentRequest{}
		if err = parse(r); err == nil {
			r.Call = hc
			resp, err = client.DeleteDocument(ctx, r)
		}
	default:
		return sdk.JSON(400, map[string]string{"error": "unknown method " + in.Method})
	}
	out := map[string]any{"code": status.Code(err).String()}
	if s, ok := status.FromError(err); ok && err != nil {
		out["message"] = s.Message()
	}
	if err == nil && resp != nil {
		b, merr := protojson.Marshal(resp)
		if merr != nil {
			return nil, merr
		}
		out["response"] = json.RawMessage(b)
	}
	return sdk.JSON(200, out)
}
