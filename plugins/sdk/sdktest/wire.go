package sdktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/fengqiao/fengqiao/plugins/sdk"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

// Wire is a plugin connected through the SDK's real gRPC adapter and go-plugin's broker, the
// way the platform runs it, but in this process. Each call gets a fresh call token that the
// Host service accepts only while that call runs, and only with the call's tenant — as the
// platform does. Requests are sent as given; a nil Call is filled in from Settings and
// Principal (and a Call's empty tenant or token too).
type Wire struct {
	// Plugin is the raw PluginService client, for what the helpers do not cover.
	Plugin pluginv1.PluginServiceClient
	// Host is the fake behind the Host service.
	Host *Host
	// Settings are the tenant's settings sent with every call (JSON; nil is {}).
	Settings json.RawMessage
	// Principal is who acts in hooks and routes (events and jobs act as nobody).
	Principal sdk.Principal

	tokens *tokens
}

// Connect serves p through the SDK's adapter on protocol version sdk.ProtocolVersion, serves
// host as the Host service through the broker, and sends Init; everything is stopped when
// the test ends.
func Connect(t testing.TB, p sdk.Plugin, host *Host) *Wire {
	t.Helper()
	client, server := plugin.TestPluginGRPCConn(t, false, map[string]plugin.Plugin{
		sdk.PluginKey: &sdk.GRPCPlugin{Impl: p},
	})
	t.Cleanup(func() {
		// Close asks the server to shut down (go-plugin's Controller.Shutdown); stopping it
		// here as well would race with that, so only a server that did not stop is stopped.
		_ = client.Close()
		select {
		case <-server.DoneCh:
		case <-time.After(2 * time.Second):
			server.Stop()
		}
	})
	raw, err := client.Dispense(sdk.PluginKey)
	if err != nil {
		t.Fatalf("sdktest: dispense: %v", err)
	}
	return Attach(t, raw.(*sdk.PluginClient), host)
}

// Attach is Connect's second half, for a plugin already running — e.g. a built binary
// started with go-plugin's client (plugin.NewClient with sdk.GRPCPlugin{} in its plugin set):
// it serves host as the Host service through pc's broker and sends Init.
func Attach(t testing.TB, pc *sdk.PluginClient, host *Host) *Wire {
	t.Helper()
	w := &Wire{
		Plugin:    pc.PluginServiceClient,
		Host:      host,
		Principal: sdk.Principal{Subject: "user:sdktest", Kind: "user", ID: "sdktest", Tenant: host.Tenant(), Name: "sdktest"},
		tokens:    &tokens{live: map[string]string{}},
	}
	id := pc.Broker.NextId()
	go pc.Broker.AcceptAndServe(id, func(opts []grpc.ServerOption) *grpc.Server {
		s := grpc.NewServer(opts...)
		pluginv1.RegisterHostServiceServer(s, &hostServer{host: host, tokens: w.tokens})
		return s
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := w.Plugin.Init(ctx, &pluginv1.InitRequest{HostBrokerId: id, HostVersion: "sdktest"}); err != nil {
		t.Fatalf("sdktest: init: %v", err)
	}
	return w
}

// Manifest asks for the manifest and converts it; version is the protocol version it was
// served under.
func (w *Wire) Manifest(ctx context.Context) (m sdk.Manifest, version int, err error) {
	r, err := w.Plugin.GetManifest(ctx, &pluginv1.GetManifestRequest{})
	if err != nil {
		return sdk.Manifest{}, 0, err
	}
	m, version = sdk.ManifestFromProto(r.GetManifest())
	return m, version, nil
}

// Before sends a before-hook.
func (w *Wire) Before(ctx context.Context, req *pluginv1.BeforeRequest) (*pluginv1.BeforeResponse, error) {
	finish := w.begin(&req.Call, true)
	defer finish()
	return w.Plugin.Before(ctx, req)
}

// Event delivers an event.
func (w *Wire) Event(ctx context.Context, req *pluginv1.EventRequest) (*pluginv1.EventResponse, error) {
	finish := w.begin(&req.Call, false)
	defer finish()
	return w.Plugin.Event(ctx, req)
}

// Route sends an HTTP request to a route.
func (w *Wire) Route(ctx context.Context, req *pluginv1.RouteRequest) (*pluginv1.RouteResponse, error) {
	finish := w.begin(&req.Call, true)
	defer finish()
	return w.Plugin.Route(ctx, req)
}

// Job runs a job.
func (w *Wire) Job(ctx context.Context, req *pluginv1.JobRequest) (*pluginv1.JobResponse, error) {
	finish := w.begin(&req.Call, false)
	defer finish()
	return w.Plugin.Job(ctx, req)
}

// Health asks for the plugin's health.
func (w *Wire) Health(ctx context.Context) (*pluginv1.HealthResponse, error) {
	return w.Plugin.Health(ctx, &pluginv1.HealthRequest{})
}

// begin fills the call in and makes its token live until finish.
func (w *Wire) begin(pc **pluginv1.Call, acting bool) (finish func()) {
	if *pc == nil {
		*pc = &pluginv1.Call{}
	}
	c := *pc
	if c.Tenant == "" {
		c.Tenant = w.Host.Tenant()
	}
	if c.Settings == nil {
		c.Settings = w.Settings
		if c.Settings == nil {
			c.Settings = json.RawMessage(`{}`)
		}
	}
	if c.Principal == nil && acting {
		c.Principal = sdk.PrincipalToProto(w.Principal)
	}
	if c.CallToken == "" {
		c.CallToken = w.tokens.issue()
	}
	if c.RequestId == "" {
		c.RequestId = "sdktest-" + c.CallToken
	}
	w.tokens.open(c.CallToken, c.Tenant)
	return func() { w.tokens.close(c.CallToken) }
}

// tokens are the call tokens of the calls in flight and the tenant each acts in.
type tokens struct {
	mu   sync.Mutex
	seq  int
	live map[string]string
}

func (t *tokens) issue() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	return "sdktest-call-" + strconv.Itoa(t.seq)
}

func (t *tokens) open(token, tenant string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.live[token] = tenant
}

func (t *tokens) close(token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.live, token)
}

// check admits a HostCall as the platform does: a live token (else Unauthenticated), acting in
// that call's tenant (else PermissionDenied).
func (t *tokens) check(hc *pluginv1.HostCall) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	tenant, ok := t.live[hc.GetCallToken()]
	if !ok {
		return status.Error(codes.Unauthenticated, "unknown or finished call token")
	}
	if hc.GetTenant() != tenant {
		return status.Errorf(codes.PermissionDenied, "the call acts in tenant %s, not %s", tenant, hc.GetTenant())
	}
	return nil
}

// hostServer serves HostService over the fake Host.
type hostServer struct {
	pluginv1.UnimplementedHostServiceServer
	host   *Host
	tokens *tokens
}

// toStatus is the platform's mapping of Host errors to gRPC statuses.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	var he *sdk.HostError
	if errors.As(err, &he) {
		st := status.New(codeOf(he.Code), he.Message)
		if he.Problem != nil {
			if withProblem, derr := st.WithDetails(sdk.ProblemToProto(he.Problem)); derr == nil {
				st = withProblem
			}
		}
		return st.Err()
	}
	switch {
	case errors.Is(err, sdk.ErrNotFound):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, sdk.ErrPermission):
		return status.Error(codes.PermissionDenied, err.Error())
	case errors.Is(err, sdk.ErrConflict):
		return status.Error(codes.Aborted, err.Error())
	case errors.Is(err, sdk.ErrInvalid):
		return status.Error(codes.InvalidArgument, err.Error())
	}
	return status.Error(codes.Internal, err.Error())
}

var codeNames = map[string]codes.Code{}

func init() {
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		codeNames[c.String()] = c
	}
}

func codeOf(name string) codes.Code {
	if c, ok := codeNames[name]; ok {
		return c
	}
	return codes.Unknown
}

func marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, status.Error(codes.Internal, fmt.Sprintf("sdktest: %v", err))
	}
	return b, nil
}

func caseJSON(c sdk.Case) []byte {
	if c.Raw != nil {
		return c.Raw
	}
	b, _ := json.Marshal(c)
	return b
}

func (s *hostServer) GetCase(ctx context.Context, r *pluginv1.GetCaseRequest) (*pluginv1.GetCaseResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	c, err := s.host.GetCase(ctx, r.GetCaseId(), r.GetParties())
	if err != nil {
		return nil, toStatus(err)
	}
	return &pluginv1.GetCaseResponse{Case: caseJSON(c)}, nil
}

func (s *hostServer) ListCases(ctx context.Context, r *pluginv1.ListCasesRequest) (*pluginv1.ListCasesResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	page, err := s.host.ListCases(ctx, sdk.CaseQuery{Status: r.GetStatus(), CommitteeID: r.GetCommitteeId(), After: r.GetAfter(), Limit: int(r.GetLimit())})
	if err != nil {
		return nil, toStatus(err)
	}
	resp := &pluginv1.ListCasesResponse{Next: page.Next}
	for _, c := range page.Cases {
		resp.Cases = append(resp.Cases, caseJSON(c))
	}
	return resp, nil
}

func (s *hostServer) ListOrganisations(ctx context.Context, r *pluginv1.ListOrganisationsRequest) (*pluginv1.ListOrganisationsResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	orgs, err := s.host.ListOrganisations(ctx, r.GetKind())
	if err != nil {
		return nil, toStatus(err)
	}
	if orgs == nil {
		orgs = []sdk.Organisation{}
	}
	b, err := marshal(orgs)
	return &pluginv1.ListOrganisationsResponse{Organisations: b}, err
}

func (s *hostServer) ListMediators(ctx context.Context, r *pluginv1.ListMediatorsRequest) (*pluginv1.ListMediatorsResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	ms, err := s.host.ListMediators(ctx, r.GetOrganisationId())
	if err != nil {
		return nil, toStatus(err)
	}
	if ms == nil {
		ms = []sdk.Mediator{}
	}
	b, err := marshal(ms)
	return &pluginv1.ListMediatorsResponse{Mediators: b}, err
}

func (s *hostServer) AddCaseNote(ctx context.Context, r *pluginv1.AddCaseNoteRequest) (*pluginv1.AddCaseNoteResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	var data any
	if len(r.GetData()) > 0 {
		data = json.RawMessage(r.GetData())
	}
	id, err := s.host.AddCaseNote(ctx, r.GetCaseId(), r.GetText(), data)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pluginv1.AddCaseNoteResponse{EventId: id}, nil
}

func (s *hostServer) UpdateCaseFields(ctx context.Context, r *pluginv1.UpdateCaseFieldsRequest) (*pluginv1.UpdateCaseFieldsResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	var fields map[string]any
	if err := json.Unmarshal(r.GetFields(), &fields); err != nil {
		return nil, toStatus(invalid("fields", "字段须为 JSON 对象 / the fields must be a JSON object"))
	}
	c, err := s.host.UpdateCaseFields(ctx, r.GetCaseId(), fields)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pluginv1.UpdateCaseFieldsResponse{Case: caseJSON(c)}, nil
}

func (s *hostServer) LinkAgency(ctx context.Context, r *pluginv1.LinkAgencyRequest) (*pluginv1.LinkAgencyResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	id, err := s.host.LinkAgency(ctx, r.GetCaseId(), r.GetOrganisationId(), r.GetReason())
	if err != nil {
		return nil, toStatus(err)
	}
	return &pluginv1.LinkAgencyResponse{LinkId: id}, nil
}

func (s *hostServer) ShareCase(ctx context.Context, r *pluginv1.ShareCaseRequest) (*pluginv1.ShareCaseResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	var expires time.Time
	if ms := r.GetExpiresAtUnixMs(); ms != 0 {
		expires = time.UnixMilli(ms).UTC()
	}
	id, err := s.host.ShareCase(ctx, sdk.Share{
		CaseID: r.GetCaseId(), GranteeTenant: r.GetGranteeTenant(), GranteeOrganisationID: r.GetGranteeOrganisationId(),
		Scope: r.GetScope(), ExpiresAt: expires, Reason: r.GetReason(),
	})
	if err != nil {
		return nil, toStatus(err)
	}
	return &pluginv1.ShareCaseResponse{ShareId: id}, nil
}

func (s *hostServer) RevokeShare(ctx context.Context, r *pluginv1.RevokeShareRequest) (*pluginv1.RevokeShareResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	if err := s.host.RevokeShare(ctx, r.GetCaseId(), r.GetShareId()); err != nil {
		return nil, toStatus(err)
	}
	return &pluginv1.RevokeShareResponse{}, nil
}

func (s *hostServer) SetJoint(ctx context.Context, r *pluginv1.SetJointRequest) (*pluginv1.SetJointResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	if err := s.host.SetJoint(ctx, r.GetCaseId(), sdk.Joint{ID: r.GetJointId(), Lead: r.GetLead(), Tenants: r.GetTenants()}); err != nil {
		return nil, toStatus(err)
	}
	return &pluginv1.SetJointResponse{}, nil
}

func (s *hostServer) Notify(ctx context.Context, r *pluginv1.NotifyRequest) (*pluginv1.NotifyResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	id, err := s.host.Notify(ctx, sdk.Notification{
		Recipient: r.GetRecipient(), Title: r.GetTitle(), Body: r.GetBody(), CaseID: r.GetCaseId(), Kind: r.GetKind(),
	})
	if err != nil {
		return nil, toStatus(err)
	}
	return &pluginv1.NotifyResponse{MessageId: id}, nil
}

func (s *hostServer) GetStats(ctx context.Context, r *pluginv1.GetStatsRequest) (*pluginv1.GetStatsResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	stats, err := s.host.Stats(ctx, r.GetQuery())
	if err != nil {
		return nil, toStatus(err)
	}
	return &pluginv1.GetStatsResponse{Stats: stats}, nil
}

func docToProto(d sdk.Document) *pluginv1.Document {
	var ms int64
	if !d.UpdatedAt.IsZero() {
		ms = d.UpdatedAt.UnixMilli()
	}
	return &pluginv1.Document{Kind: d.Kind, Id: d.ID, Data: d.Data, Version: d.Version, UpdatedAtUnixMs: ms}
}

func (s *hostServer) PutDocument(ctx context.Context, r *pluginv1.PutDocumentRequest) (*pluginv1.PutDocumentResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	d := r.GetDocument()
	var stored sdk.Document
	var err error
	if r.GetIfAbsent() {
		stored, err = s.host.Documents().Create(ctx, sdk.Document{Kind: d.GetKind(), ID: d.GetId(), Data: d.GetData()})
	} else {
		stored, err = s.host.Documents().Put(ctx, sdk.Document{Kind: d.GetKind(), ID: d.GetId(), Data: d.GetData()}, r.GetIfVersion())
	}
	if err != nil {
		return nil, toStatus(err)
	}
	return &pluginv1.PutDocumentResponse{Document: docToProto(stored)}, nil
}

func (s *hostServer) GetDocument(ctx context.Context, r *pluginv1.GetDocumentRequest) (*pluginv1.GetDocumentResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	d, err := s.host.Documents().Get(ctx, r.GetKind(), r.GetId())
	if err != nil {
		return nil, toStatus(err)
	}
	return &pluginv1.GetDocumentResponse{Document: docToProto(d)}, nil
}

func (s *hostServer) ListDocuments(ctx context.Context, r *pluginv1.ListDocumentsRequest) (*pluginv1.ListDocumentsResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	docs, next, err := s.host.Documents().List(ctx, r.GetKind(), r.GetAfter(), int(r.GetLimit()))
	if err != nil {
		return nil, toStatus(err)
	}
	resp := &pluginv1.ListDocumentsResponse{Next: next}
	for _, d := range docs {
		resp.Documents = append(resp.Documents, docToProto(d))
	}
	return resp, nil
}

func (s *hostServer) DeleteDocument(ctx context.Context, r *pluginv1.DeleteDocumentRequest) (*pluginv1.DeleteDocumentResponse, error) {
	if err := s.tokens.check(r.GetCall()); err != nil {
		return nil, err
	}
	ok, err := s.host.Documents().Delete(ctx, r.GetKind(), r.GetId())
	if err != nil {
		return nil, toStatus(err)
	}
	return &pluginv1.DeleteDocumentResponse{Deleted: ok}, nil
}
