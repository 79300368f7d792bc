package sdk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

// pluginServer serves PluginService for one Plugin: it converts the protocol's messages to the
// SDK's types, dispatches to the optional capabilities the plugin implements, and turns the
// plugin's answers, errors and panics into the protocol's. A panic is an Internal error of
// that call only: the process keeps serving.
type pluginServer struct {
	pluginv1.UnimplementedPluginServiceServer

	impl    Plugin
	version int
	broker  *plugin.GRPCBroker
	calls   *inflight

	mu       sync.Mutex
	hostID   uint32
	hostConn *grpc.ClientConn
	host     pluginv1.HostServiceClient
}

func newPluginServer(impl Plugin, version int, broker *plugin.GRPCBroker, calls *inflight) *pluginServer {
	if calls == nil {
		calls = &inflight{}
	}
	return &pluginServer{impl: impl, version: version, broker: broker, calls: calls}
}

// Init connects the Host service the host serves through the broker. It dials once; an Init
// with another broker id (a host that re-initialises) replaces the connection.
func (s *pluginServer) Init(_ context.Context, req *pluginv1.InitRequest) (*pluginv1.InitResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.host != nil && s.hostID == req.GetHostBrokerId() {
		return &pluginv1.InitResponse{}, nil
	}
	if s.broker == nil {
		return nil, status.Error(codes.FailedPrecondition, "sdk: no go-plugin broker to reach the host with")
	}
	conn, err := s.broker.Dial(req.GetHostBrokerId())
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "sdk: dialling the Host service (broker id %d): %v", req.GetHostBrokerId(), err)
	}
	if s.hostConn != nil {
		_ = s.hostConn.Close()
	}
	s.hostID, s.hostConn, s.host = req.GetHostBrokerId(), conn, pluginv1.NewHostServiceClient(conn)
	return &pluginv1.InitResponse{}, nil
}

func (s *pluginServer) hostService() pluginv1.HostServiceClient {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.host
}

// call builds the Call a handler sees, its Host bound to the host call's token and tenant.
func (s *pluginServer) call(pc *pluginv1.Call) *Call {
	return &Call{
		Tenant:    pc.GetTenant(),
		Principal: principalFromProto(pc.GetPrincipal()),
		Settings:  pc.GetSettings(),
		RequestID: pc.GetRequestId(),
		Host: &hostClient{
			c:  s.hostService(),
			hc: &pluginv1.HostCall{CallToken: pc.GetCallToken(), Tenant: pc.GetTenant()},
		},
	}
}

// handle runs one handler: counted as in flight (so a shutdown waits for it), its panic
// recovered into an Internal error, its other errors converted to gRPC statuses.
func handle[R any](s *pluginServer, method string, pc *pluginv1.Call, fn func() (*R, error)) (resp *R, err error) {
	release, err := s.calls.enter()
	if err != nil {
		return nil, err
	}
	defer release()
	defer func() {
		if r := recover(); r != nil {
			Logger().Error("plugin panic", "method", method, "tenant", pc.GetTenant(), "request_id", pc.GetRequestId(),
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			resp, err = nil, status.Errorf(codes.Internal, "plugin panic in %s: %v", method, r)
		}
	}()
	resp, err = fn()
	if err != nil {
		return nil, statusError(err)
	}
	return resp, nil
}

// statusError converts a handler's error: gRPC statuses pass, the context's errors keep their
// meaning, anything else is Unknown with the error's text (the host logs it and, for hooks,
// applies the hook's fail_open).
func statusError(err error) error {
	if _, ok := status.FromError(err); ok {
		return err
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	}
	return status.Error(codes.Unknown, err.Error())
}

func unimplemented(capability string) error {
	return status.Errorf(codes.Unimplemented, "sdk: the plugin does not implement %s", capability)
}

func (s *pluginServer) GetManifest(context.Context, *pluginv1.GetManifestRequest) (*pluginv1.GetManifestResponse, error) {
	return handle(s, "GetManifest", nil, func() (*pluginv1.GetManifestResponse, error) {
		return &pluginv1.GetManifestResponse{Manifest: manifestToProto(s.impl.Manifest(), s.version)}, nil
	})
}

func (s *pluginServer) Before(ctx context.Context, req *pluginv1.BeforeRequest) (*pluginv1.BeforeResponse, error) {
	return handle(s, "Before", req.GetCall(), func() (*pluginv1.BeforeResponse, error) {
		h, ok := s.impl.(BeforeHooker)
		if !ok {
			return nil, unimplemented("BeforeHooker")
		}
		c, err := ParseCase(req.GetCase())
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		err = h.Before(ctx, s.call(req.GetCall()), req.GetHook(), c, req.GetInput())
		var p *Problem
		switch {
		case err == nil:
			return &pluginv1.BeforeResponse{Allow: true}, nil
		case errors.As(err, &p):
			// A nil *Problem (the typed-nil mistake) becomes a refusal without a problem;
			// the host must cope with that malformed answer anyway.
			return &pluginv1.BeforeResponse{Allow: false, Problem: ProblemToProto(p)}, nil
		default:
			return nil, err
		}
	})
}

func (s *pluginServer) Event(ctx context.Context, req *pluginv1.EventRequest) (*pluginv1.EventResponse, error) {
	return handle(s, "Event", req.GetCall(), func() (*pluginv1.EventResponse, error) {
		h, ok := s.impl.(EventHandler)
		if !ok {
			return nil, unimplemented("EventHandler")
		}
		ev := Event{
			ID: req.GetEventId(), Kind: req.GetKind(), CaseID: req.GetCaseId(),
			OccurredAt: fromUnixMillis(req.GetOccurredAtUnixMs()), Payload: req.GetPayload(), Attempt: int(req.GetAttempt()),
		}
		if err := h.HandleEvent(ctx, s.call(req.GetCall()), ev); err != nil {
			return nil, err
		}
		return &pluginv1.EventResponse{}, nil
	})
}

func (s *pluginServer) Route(ctx context.Context, req *pluginv1.RouteRequest) (*pluginv1.RouteResponse, error) {
	return handle(s, "Route", req.GetCall(), func() (*pluginv1.RouteResponse, error) {
		h, ok := s.impl.(RouteServer)
		if !ok {
			return nil, unimplemented("RouteServer")
		}
		r := &Request{
			Method: req.GetMethod(), Path: req.GetPath(), Pattern: req.GetPattern(), Params: req.GetParams(),
			Query: req.GetQuery(), Headers: req.GetHeaders(), Body: req.GetBody(),
		}
		if r.Params == nil {
			r.Params = map[string]string{}
		}
		if r.Headers == nil {
			r.Headers = map[string]string{}
		}
		resp, err := RouteResult(h.ServeRoute(ctx, s.call(req.GetCall()), r))
		if err != nil {
			return nil, err
		}
		return &pluginv1.RouteResponse{Status: uint32(max(resp.Status, 0)), Headers: resp.Headers, Body: resp.Body}, nil
	})
}

func (s *pluginServer) Job(ctx context.Context, req *pluginv1.JobRequest) (*pluginv1.JobResponse, error) {
	return handle(s, "Job", req.GetCall(), func() (*pluginv1.JobResponse, error) {
		h, ok := s.impl.(JobRunner)
		if !ok {
			return nil, unimplemented("JobRunner")
		}
		job := Job{Name: req.GetJob(), RunID: req.GetRunId(), ScheduledAt: fromUnixMillis(req.GetScheduledAtUnixMs())}
		summary, err := h.RunJob(ctx, s.call(req.GetCall()), job)
		if err != nil {
			return nil, err
		}
		return &pluginv1.JobResponse{Summary: summary}, nil
	})
}

func (s *pluginServer) Health(ctx context.Context, _ *pluginv1.HealthRequest) (*pluginv1.HealthResponse, error) {
	return handle(s, "Health", nil, func() (*pluginv1.HealthResponse, error) {
		h, ok := s.impl.(HealthChecker)
		if !ok {
			return &pluginv1.HealthResponse{Ok: true}, nil
		}
		if err := h.Health(ctx); err != nil {
			return &pluginv1.HealthResponse{Ok: false, Detail: err.Error()}, nil
		}
		return &pluginv1.HealthResponse{Ok: true}, nil
	})
}

// inflight counts the calls being handled so that a shutdown can wait for them, and refuses
// new calls once draining has begun.
type inflight struct {
	mu       sync.Mutex
	n        int
	draining bool
	idle     chan struct{} // closed when n reaches 0 while draining
}

func (f *inflight) enter() (release func(), err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.draining {
		return nil, status.Error(codes.Unavailable, "sdk: the plugin is shutting down")
	}
	f.n++
	var once sync.Once
	return func() { once.Do(f.leave) }, nil
}

func (f *inflight) leave() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.n == 0 && f.idle != nil {
		close(f.idle)
		f.idle = nil
	}
}

// drain refuses new calls and waits until the calls in flight have finished or ctx is done;
// it reports whether they finished.
func (f *inflight) drain(ctx context.Context) bool {
	f.mu.Lock()
	f.draining = true
	if f.n == 0 {
		f.mu.Unlock()
		return true
	}
	if f.idle == nil {
		f.idle = make(chan struct{})
	}
	idle := f.idle
	f.mu.Unlock()
	select {
	case <-idle:
		return true
	case <-ctx.Done():
		return false
	}
}

// RouteResult is what the host receives for a route handler's answer: a *Problem error becomes
// ProblemResponse(422, problem), a nil response a 204, other errors stay errors (gRPC
// errors on the wire, which the host answers as its own failure). Unit tests that call
// ServeRoute directly use it to see what a user would.
func RouteResult(resp *Response, err error) (*Response, error) {
	var p *Problem
	switch {
	case err == nil:
	case errors.As(err, &p):
		return ProblemResponse(http.StatusUnprocessableEntity, p), nil
	default:
		return nil, err
	}
	if resp == nil {
		resp = &Response{Status: http.StatusNoContent}
	}
	return resp, nil
}
