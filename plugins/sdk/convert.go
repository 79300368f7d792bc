package sdk

import (
	"encoding/json"
	"time"

	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

// Conversions between the SDK's types and the protocol's messages. They live in one place so
// that a field added to the protocol has one obvious spot to be carried over.

func manifestToProto(m Manifest, protocolVersion int) *pluginv1.Manifest {
	pm := &pluginv1.Manifest{
		Name:            m.Name,
		Version:         m.Version,
		ProtocolVersion: uint32(protocolVersion),
		Description:     textToProto(m.Description),
		Regions:         m.Regions,
		Permissions:     m.Permissions,
		SettingsSchema:  m.SettingsSchema,
		Events:          m.Events,
		Openapi:         m.OpenAPI,
	}
	for _, h := range m.Hooks {
		pm.Hooks = append(pm.Hooks, &pluginv1.HookSpec{Name: h.Name, TimeoutMs: millis(h.Timeout), FailOpen: h.FailOpen})
	}
	for _, r := range m.Routes {
		pm.Routes = append(pm.Routes, &pluginv1.RouteSpec{
			Method: r.Method, Path: r.Path, Summary: textToProto(r.Summary), Public: r.Public, TimeoutMs: millis(r.Timeout),
		})
	}
	for _, j := range m.Jobs {
		pm.Jobs = append(pm.Jobs, &pluginv1.JobSpec{
			Name: j.Name, Schedule: j.Schedule, Description: textToProto(j.Description), TimeoutMs: millis(j.Timeout),
		})
	}
	for _, c := range m.Console {
		pm.Console = append(pm.Console, &pluginv1.ConsoleEntry{Menu: textToProto(c.Menu), Path: c.Path, Kind: c.Kind, RoleHint: c.RoleHint})
	}
	return pm
}

// ManifestFromProto reads a manifest as the host received it; the protocol version it was
// served under is returned beside it (the SDK's Manifest has no field for it: the SDK decides
// it when serving). Hosts and tests use it; plugins do not need it.
func ManifestFromProto(pm *pluginv1.Manifest) (Manifest, int) {
	if pm == nil {
		return Manifest{}, 0
	}
	m := Manifest{
		Name:           pm.GetName(),
		Version:        pm.GetVersion(),
		Description:    textFromProto(pm.GetDescription()),
		Regions:        pm.GetRegions(),
		Permissions:    pm.GetPermissions(),
		SettingsSchema: json.RawMessage(pm.GetSettingsSchema()),
		Events:         pm.GetEvents(),
		OpenAPI:        json.RawMessage(pm.GetOpenapi()),
	}
	for _, h := range pm.GetHooks() {
		m.Hooks = append(m.Hooks, HookSpec{Name: h.GetName(), Timeout: fromMillis(h.GetTimeoutMs()), FailOpen: h.GetFailOpen()})
	}
	for _, r := range pm.GetRoutes() {
		m.Routes = append(m.Routes, RouteSpec{
			Method: r.GetMethod(), Path: r.GetPath(), Summary: textFromProto(r.GetSummary()), Public: r.GetPublic(), Timeout: fromMillis(r.GetTimeoutMs()),
		})
	}
	for _, j := range pm.GetJobs() {
		m.Jobs = append(m.Jobs, JobSpec{
			Name: j.GetName(), Schedule: j.GetSchedule(), Description: textFromProto(j.GetDescription()), Timeout: fromMillis(j.GetTimeoutMs()),
		})
	}
	for _, c := range pm.GetConsole() {
		m.Console = append(m.Console, ConsoleEntry{Menu: textFromProto(c.GetMenu()), Path: c.GetPath(), Kind: c.GetKind(), RoleHint: c.GetRoleHint()})
	}
	return m, int(pm.GetProtocolVersion())
}

func textToProto(t Text) *pluginv1.Text { return &pluginv1.Text{Zh: t.ZH, En: t.EN} }

func textFromProto(t *pluginv1.Text) Text { return Text{ZH: t.GetZh(), EN: t.GetEn()} }

// millis rounds a positive duration below one millisecond up, so that a tiny timeout does not
// become 0, which means "the default".
func millis(d time.Duration) uint32 {
	if d <= 0 {
		return 0
	}
	ms := (d + time.Millisecond - 1) / time.Millisecond
	if ms > time.Duration(^uint32(0)) {
		return ^uint32(0)
	}
	return uint32(ms)
}

func fromMillis(ms uint32) time.Duration { return time.Duration(ms) * time.Millisecond }

func fromUnixMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func toUnixMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func principalFromProto(p *pluginv1.Principal) Principal {
	return Principal{
		Subject:        p.GetSubject(),
		Kind:           p.GetKind(),
		ID:             p.GetId(),
		Tenant:         p.GetTenant(),
		OrganisationID: p.GetOrganisationId(),
		Roles:          p.GetRoles(),
		Name:           p.GetName(),
	}
}

// PrincipalToProto is the host's (and sdktest's) side of principalFromProto.
func PrincipalToProto(p Principal) *pluginv1.Principal {
	return &pluginv1.Principal{
		Subject: p.Subject, Kind: p.Kind, Id: p.ID, Tenant: p.Tenant,
		OrganisationId: p.OrganisationID, Roles: p.Roles, Name: p.Name,
	}
}

// ProblemToProto converts a Problem for the wire; nil stays nil.
func ProblemToProto(p *Problem) *pluginv1.Problem {
	if p == nil {
		return nil
	}
	pp := &pluginv1.Problem{Title: p.Title, Detail: p.Detail}
	for _, f := range p.Fields {
		pp.Fields = append(pp.Fields, &pluginv1.FieldProblem{Field: f.Field, Message: f.Message})
	}
	return pp
}

// ProblemFromProto converts a Problem from the wire; nil stays nil.
func ProblemFromProto(pp *pluginv1.Problem) *Problem {
	if pp == nil {
		return nil
	}
	p := &Problem{Title: pp.GetTitle(), Detail: pp.GetDetail()}
	for _, f := range pp.GetFields() {
		p.Fields = append(p.Fields, FieldProblem{Field: f.GetField(), Message: f.GetMessage()})
	}
	return p
}

func documentToProto(d Document) *pluginv1.Document {
	return &pluginv1.Document{Kind: d.Kind, Id: d.ID, Data: d.Data, Version: d.Version, UpdatedAtUnixMs: toUnixMillis(d.UpdatedAt)}
}

func documentFromProto(d *pluginv1.Document) Document {
	return Document{
		Kind: d.GetKind(), ID: d.GetId(), Data: json.RawMessage(d.GetData()),
		Version: d.GetVersion(), UpdatedAt: fromUnixMillis(d.GetUpdatedAtUnixMs()),
	}
}

// problemJSON is the body of a problem response (RFC 9457, application/problem+json), the
// same shape as the platform's own API problems.
type problemJSON struct {
	Type   string             `json:"type"`
	Title  string             `json:"title"`
	Status int                `json:"status"`
	Detail string             `json:"detail,omitempty"`
	Errors []fieldProblemJSON `json:"errors,omitempty"`
}

type fieldProblemJSON struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ProblemResponse answers a route with a problem+json body:
// {"type":"about:blank","title":…,"status":…,"detail":…,"errors":[{"field":…,"message":…}]}.
// A route handler that returns a *Problem as its error gets ProblemResponse(422, p).
func ProblemResponse(status int, p *Problem) *Response {
	if p == nil {
		p = &Problem{}
	}
	body := problemJSON{Type: "about:blank", Title: p.Title, Status: status, Detail: p.Detail}
	for _, f := range p.Fields {
		body.Errors = append(body.Errors, fieldProblemJSON(f))
	}
	b, _ := json.Marshal(body) // strings and ints only: cannot fail
	return &Response{Status: status, Headers: map[string]string{"Content-Type": "application/problem+json"}, Body: b}
}
