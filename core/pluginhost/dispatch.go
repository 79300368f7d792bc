package pluginhost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/jobs"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/fengqiao/fengqiao/core/plugins"
	"github.com/fengqiao/fengqiao/core/store"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

// caseView is a case as plugins see it: the REST API's field names, parties masked unless
// revealed.
type caseView struct {
	ID          string          `json:"id"`
	TenantCode  string          `json:"tenant_code"`
	Number      string          `json:"number"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	DisputeType string          `json:"dispute_type"`
	Source      string          `json:"source"`
	Referral    *cases.Referral `json:"referral,omitempty"`
	PlaceCode   string          `json:"place_code"`
	Amount      float64         `json:"amount"`
	Status      string          `json:"status"`
	RiskLevel   string          `json:"risk_level"`
	CommitteeID string          `json:"committee_id,omitempty"`
	ReceivedAt  time.Time       `json:"received_at"`
	DueAt       time.Time       `json:"due_at"`
	Overdue     bool            `json:"overdue"`
	ConcludedAt *time.Time      `json:"concluded_at,omitempty"`
	Outcome     map[string]any  `json:"outcome,omitempty"`
	Fields      json.RawMessage `json:"fields,omitempty"` // the plugin's own fields
	Version     int             `json:"version"`
	Parties     []partyView     `json:"parties"`
}

type partyView struct {
	ID       string `json:"id,omitempty"`
	Role     string `json:"role"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	Address  string `json:"address"`
	Masked   bool   `json:"masked"`
}

func caseJSON(c cases.Case, now time.Time, reveal bool) ([]byte, error) {
	return caseJSONWith(c, now, reveal, nil)
}

func caseJSONWith(c cases.Case, now time.Time, reveal bool, fields json.RawMessage) ([]byte, error) {
	v := caseView{ID: c.ID, TenantCode: c.TenantCode, Number: c.Number, Title: c.Title, Description: c.Description,
		DisputeType: c.DisputeType, Source: string(c.Source), Referral: c.Referral, PlaceCode: c.PlaceCode,
		Amount: float64(c.AmountFen) / 100, Status: string(c.Status), RiskLevel: string(c.Risk.Level), CommitteeID: c.CommitteeID,
		ReceivedAt: c.ReceivedAt, DueAt: c.DueAt, ConcludedAt: c.ConcludedAt, Outcome: c.Outcome, Version: c.Version,
		Parties: []partyView{}, Fields: fields}
	if !c.DueAt.IsZero() {
		v.Overdue = c.Overdue(now)
	}
	for _, p := range c.Parties {
		pv := partyView{ID: p.ID, Role: string(p.Role), Kind: string(p.Kind), Name: p.Name, IDNumber: p.IDNumber, Phone: p.Phone, Address: p.Address}
		if !reveal {
			pv.Masked = true
			pv.IDNumber, pv.Phone, pv.Address = pii.MaskIDNumber(p.IDNumber), pii.MaskPhone(p.Phone), pii.MaskAddress(p.Address)
		}
		v.Parties = append(v.Parties, pv)
	}
	return json.Marshal(v)
}

// callOf builds the Call of a host→plugin request and issues its token; done revokes it.
// forUser binds the token to the caller in ctx (a route's call): the host API then decides
// every host call for that user too.
func (m *Manager) callOf(ctx context.Context, rec plugins.Record, tenant string, settings []byte, readOnly, forUser bool) (*pluginv1.Call, func()) {
	c := &pluginv1.Call{Tenant: tenant, Settings: settings}
	var actor *access.Principal
	caller, ok := access.CallerFrom(ctx)
	if ok {
		c.Principal = &pluginv1.Principal{Subject: caller.Subject, Kind: caller.Kind, Id: caller.ID, Tenant: caller.Tenant,
			OrganisationId: caller.Org, Roles: caller.Roles, Name: caller.Name}
	}
	if forUser {
		// No caller where one is expected: a principal that no rule allows anything.
		actor = &access.Principal{}
		if ok {
			actor = &caller.Principal
		}
	}
	c.RequestId = requestID(ctx)
	c.CallToken = m.host.begin(rec, tenant, c.RequestId, readOnly, actor)
	return c, func() { m.host.end(c.CallToken) }
}

// --- before-hooks --------------------------------------------------------------------------

// Hooked reports whether a plugin enabled in tenant subscribes to hook.
func (m *Manager) Hooked(tenant, hook string) bool {
	return len(m.enabledIn(tenant, func(r plugins.Record) bool { _, ok := plugins.Subscribes(r.Manifest, hook); return ok })) > 0
}

// BeforeCase asks every plugin enabled in tenant that subscribes to hook, in name order; the
// first refusal wins. A plugin that times out, crashes or answers nonsense lets the action
// through if its hook is fail-open, and refuses it otherwise (HookUnavailableError) — except a
// deactivated plugin whose hooks the tenant does not mark mandatory: it is skipped, and named
// in the Unchecked returned, for the change to record.
func (m *Manager) BeforeCase(ctx context.Context, tenant, hook string, c cases.Case, input any) (*cases.Unchecked, error) {
	subs := m.enabledIn(tenant, func(r plugins.Record) bool { _, ok := plugins.Subscribes(r.Manifest, hook); return ok })
	if len(subs) == 0 {
		return nil, nil
	}
	in, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	// Every subscriber sees the same case, marshalled once.
	body, err := caseJSON(c, time.Now(), false)
	if err != nil {
		return nil, err
	}
	var unchecked *cases.Unchecked
	for _, e := range subs {
		spec, _ := plugins.Subscribes(e.rec.Manifest, hook)
		call, done := m.callOf(ctx, e.rec, tenant, e.settings, false, false)
		var resp *pluginv1.BeforeResponse
		err = m.invoke(ctx, e.rec.Name, "hook", plugins.HookTimeout(spec), func(ctx context.Context, svc pluginv1.PluginServiceClient) error {
			var err error
			resp, err = svc.Before(ctx, &pluginv1.BeforeRequest{Call: call, Hook: hook, Case: body, Input: in})
			if err == nil && !resp.GetAllow() && resp.GetProblem().GetTitle() == "" {
				err = fmt.Errorf("%w: refused without a problem to show", plugins.ErrMalformedReply)
			}
			return err
		})
		done()
		if err != nil {
			if spec.FailOpen {
				m.log.Warn("fail-open hook did not answer: the action proceeds", "plugin", e.rec.Name, "hook", hook, "tenant", tenant, "err", err)
				continue
			}
			if errors.Is(err, plugins.ErrDeactivated) && !m.mandatory(e.rec.Name, tenant) {
				// Intake must not stop for a deactivated plugin: the action proceeds, marked.
				m.metrics.skipped.WithLabelValues(e.rec.Name, hook).Inc()
				m.log.Error("deactivated plugin's hook skipped: the action proceeds unchecked", "plugin", e.rec.Name, "hook", hook,
					"tenant", tenant, "request_id", call.GetRequestId())
				if unchecked == nil {
					unchecked = &cases.Unchecked{Hook: hook}
				}
				unchecked.Plugins = append(unchecked.Plugins, e.rec.Name)
				continue
			}
			return nil, &cases.HookUnavailableError{Plugin: e.rec.Name, Reason: describeFailure(ctx, err)}
		}
		if !resp.GetAllow() {
			p := resp.GetProblem()
			rej := &cases.HookRejectedError{Plugin: e.rec.Name, Title: p.GetTitle(), Detail: p.GetDetail()}
			for _, f := range p.GetFields() {
				rej.Fields = append(rej.Fields, cases.HookField{Field: f.GetField(), Message: f.GetMessage()})
			}
			return nil, rej
		}
	}
	return unchecked, nil
}

// describeFailure says, for the user, why a plugin did not answer.
func describeFailure(ctx context.Context, err error) string {
	switch errKind(ctx, err) {
	case "timeout":
		return "未在时限内答复 / did not answer in time"
	case "unavailable":
		return "暂不可用 / unavailable: " + err.Error()
	case "malformed":
		return "答复无效 / answered nonsense: " + err.Error()
	}
	if s, ok := status.FromError(err); ok && s.Code() != codes.Unknown {
		return "出错 / failed: " + s.Code().String() + ": " + s.Message()
	}
	return "出错 / failed: " + err.Error()
}

// --- routes ------------------------------------------------------------------------------------

// RouteRequest is an HTTP request for a plugin's route, as the API edge forwards it.
type RouteRequest struct {
	Method  string
	Path    string // below the plugin's root
	Query   string
	Headers map[string]string
	Body    []byte
}

// RouteResponse is the plugin's answer.
type RouteResponse struct {
	Status  int
	Headers map[string]string
	Body    []byte
}

// Route finds the plugin's route for a request in tenant: its spec, or ErrNotInstalled /
// ErrNotEnabled / ErrRouteNotFound (a path known under another method: ErrMethod).
func (m *Manager) Route(plugin, tenant, method, path string) (plugins.Route, error) {
	rec, _, ok := m.Enabled(plugin, tenant)
	if !ok {
		return plugins.Route{}, plugins.ErrNotEnabled
	}
	spec, _, ok := plugins.MatchRoute(rec.Manifest, method, path)
	if !ok {
		if plugins.PathKnown(rec.Manifest, path) {
			return plugins.Route{}, ErrMethod
		}
		return plugins.Route{}, plugins.ErrRouteNotFound
	}
	return spec, nil
}

// ErrMethod: the route exists under another method.
var ErrMethod = errors.New("pluginhost: method not allowed for this route")

// ServeRoute forwards a request to the plugin (the API edge authenticated and authorized it,
// or the route is public).
func (m *Manager) ServeRoute(ctx context.Context, plugin, tenant string, req RouteRequest) (RouteResponse, error) {
	rec, settings, ok := m.Enabled(plugin, tenant)
	if !ok {
		return RouteResponse{}, plugins.ErrNotEnabled
	}
	spec, params, ok := plugins.MatchRoute(rec.Manifest, req.Method, req.Path)
	if !ok {
		return RouteResponse{}, plugins.ErrRouteNotFound
	}
	call, done := m.callOf(ctx, rec, tenant, settings, spec.Public, !spec.Public)
	defer done()
	if spec.Public {
		call.Principal = &pluginv1.Principal{Kind: "public"}
	}
	var resp *pluginv1.RouteResponse
	err := m.invoke(ctx, plugin, "route", plugins.RouteTimeout(spec), func(ctx context.Context, svc pluginv1.PluginServiceClient) error {
		var err error
		resp, err = svc.Route(ctx, &pluginv1.RouteRequest{Call: call, Method: req.Method, Path: req.Path, Pattern: spec.Path,
			Params: params, Query: req.Query, Headers: req.Headers, Body: req.Body})
		if err == nil && resp.GetStatus() != 0 && (resp.GetStatus() < 200 || resp.GetStatus() > 599) {
			err = fmt.Errorf("%w: HTTP status %d", plugins.ErrMalformedReply, resp.GetStatus())
		}
		return err
	})
	if err != nil {
		return RouteResponse{}, &RouteError{Plugin: plugin, Reason: describeFailure(ctx, err), Kind: errKind(ctx, err)}
	}
	st := int(resp.GetStatus())
	if st == 0 {
		st = 200
	}
	return RouteResponse{Status: st, Headers: resp.GetHeaders(), Body: resp.GetBody()}, nil
}

// RouteError: the plugin did not answer a route properly (timeout, crash, nonsense).
type RouteError struct {
	Plugin, Reason string
	Kind           string // timeout, unavailable, malformed, error
}

func (e *RouteError) Error() string { return "plugin " + e.Plugin + ": " + e.Reason }
func (e *RouteError) Unwrap() error { return plugins.ErrUnavailable }

// --- after-events and jobs -----------------------------------------------------------------

// DeliverEvent delivers a queued after-event (jobs.PluginRuntime). A plugin no longer
// enabled in the tenant, or uninstalled, drops it; an error makes the queue retry.
func (m *Manager) DeliverEvent(ctx context.Context, ev store.PluginEvent) error {
	rec, settings, ok := m.Enabled(ev.Plugin, ev.Tenant)
	if !ok {
		m.log.Info("event dropped: plugin not enabled in the tenant", "plugin", ev.Plugin, "tenant", ev.Tenant, "event_id", ev.EventID)
		return nil
	}
	call, done := m.callOf(ctx, rec, ev.Tenant, settings, false, false)
	defer done()
	return m.invoke(ctx, ev.Plugin, "event", time.Minute, func(ctx context.Context, svc pluginv1.PluginServiceClient) error {
		_, err := svc.Event(ctx, &pluginv1.EventRequest{Call: call, EventId: ev.EventID, Kind: ev.Kind, CaseId: ev.CaseID,
			OccurredAtUnixMs: ev.OccurredAt.UnixMilli(), Payload: ev.Payload, Attempt: uint32(max(ev.Attempt, 1))})
		return err
	})
}

// RunJob runs a scheduled job for one tenant (jobs.PluginRuntime).
func (m *Manager) RunJob(ctx context.Context, run store.PluginJobRun) (string, error) {
	rec, settings, ok := m.Enabled(run.Plugin, run.Tenant)
	if !ok {
		return "插件已停用，跳过 / skipped: the plugin is not enabled", nil
	}
	var spec *plugins.Job
	for i, j := range rec.Manifest.Jobs {
		if j.Name == run.Job {
			spec = &rec.Manifest.Jobs[i]
		}
	}
	if spec == nil {
		return "任务已不在清单中，跳过 / skipped: the job is no longer in the manifest", nil
	}
	call, done := m.callOf(ctx, rec, run.Tenant, settings, false, false)
	defer done()
	var resp *pluginv1.JobResponse
	err := m.invoke(ctx, run.Plugin, "job", plugins.JobTimeout(*spec), func(ctx context.Context, svc pluginv1.PluginServiceClient) error {
		var err error
		resp, err = svc.Job(ctx, &pluginv1.JobRequest{Call: call, Job: run.Job, ScheduledAtUnixMs: run.ScheduledAt.UnixMilli(), RunId: run.RunID})
		return err
	})
	return resp.GetSummary(), err
}

var _ jobs.PluginRuntime = (*Manager)(nil)
var _ cases.Hooks = (*Manager)(nil)

// requestID is the request's id, as the audit trail has it.
func requestID(ctx context.Context) string { return audit.ActorFrom(ctx).RequestID }
