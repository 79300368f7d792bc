// Package sdk is what a Fengqiao plugin is written with. A plugin is a program that the
// Fengqiao server runs (hashicorp/go-plugin over gRPC, protocol in proto/): it implements
// Plugin and whichever optional capabilities it needs (BeforeHooker, EventHandler, RouteServer,
// JobRunner, HealthChecker), and its main calls Serve.
//
// Everything the plugin may do in the platform goes through the Host of the call it is
// handling: Call.Host is bound to that call's tenant and to the permissions the plugin was
// granted. The SDK holds no host types; plugins are tested against sdktest's in-memory host.
package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ProtocolVersion is the newest protocol version this SDK speaks.
const ProtocolVersion = 1

// Handshake values shared by the host and every plugin (go-plugin's HandshakeConfig). The
// cookie only tells a plugin binary that it was started by Fengqiao, not a security measure.
const (
	MagicCookieKey   = "FENGQIAO_PLUGIN"
	MagicCookieValue = "7b0c9e3a-fengqiao-mediation-plugins"
	// PluginKey is the name the plugin is dispensed under.
	PluginKey = "fengqiao"
)

// Plugin is what every plugin implements: its manifest.
type Plugin interface {
	Manifest() Manifest
}

// BeforeHooker handles the synchronous before-hooks it subscribes to in Manifest.Hooks. It
// returns nil to let the action proceed, a *Problem to refuse it (shown to the user), or
// another error (the host then applies the hook's FailOpen).
type BeforeHooker interface {
	Before(ctx context.Context, call *Call, hook string, c Case, input json.RawMessage) error
}

// EventHandler receives the after-events it subscribes to in Manifest.Events, at least once:
// a redelivery carries the same Event.ID. An error makes the host retry later, with backoff.
type EventHandler interface {
	HandleEvent(ctx context.Context, call *Call, ev Event) error
}

// RouteServer serves the HTTP routes declared in Manifest.Routes.
type RouteServer interface {
	ServeRoute(ctx context.Context, call *Call, req *Request) (*Response, error)
}

// JobRunner runs the scheduled jobs declared in Manifest.Jobs, once per enabled tenant.
type JobRunner interface {
	RunJob(ctx context.Context, call *Call, job Job) (summary string, err error)
}

// HealthChecker reports the plugin's own health; without it, answering is healthy.
type HealthChecker interface {
	Health(ctx context.Context) error
}

// Call is the context of one host call: the tenant, who acts, the tenant's settings of the
// plugin, and the Host bound to this call.
type Call struct {
	Tenant    string
	Principal Principal
	Settings  json.RawMessage // JSON object, the settings schema's defaults applied
	RequestID string
	Host      Host
}

// DecodeSettings reads the tenant's settings into v.
func (c *Call) DecodeSettings(v any) error {
	if len(c.Settings) == 0 {
		return json.Unmarshal([]byte("{}"), v)
	}
	return json.Unmarshal(c.Settings, v)
}

// Principal is who acts in a call: a user or an API token, or the public (unauthenticated
// public routes). Events and jobs act as nobody (Subject "").
type Principal struct {
	Subject        string   `json:"subject"`
	Kind           string   `json:"kind"` // user, token, public
	ID             string   `json:"id"`
	Tenant         string   `json:"tenant"`
	OrganisationID string   `json:"organisation_id,omitempty"`
	Roles          []string `json:"roles,omitempty"`
	Name           string   `json:"name,omitempty"`
}

// Case is a case as the host shows it to plugins (the REST API's fields). Raw holds the
// whole JSON, for fields not named here.
type Case struct {
	ID          string          `json:"id"`
	TenantCode  string          `json:"tenant_code"`
	Number      string          `json:"number"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	DisputeType string          `json:"dispute_type"`
	Source      string          `json:"source"`
	PlaceCode   string          `json:"place_code"`
	Amount      float64         `json:"amount"`
	Status      string          `json:"status"`
	RiskLevel   string          `json:"risk_level"`
	CommitteeID string          `json:"committee_id,omitempty"`
	ReceivedAt  time.Time       `json:"received_at"`
	DueAt       time.Time       `json:"due_at"`
	ConcludedAt *time.Time      `json:"concluded_at,omitempty"`
	Fields      map[string]any  `json:"fields,omitempty"` // this plugin's own fields (Host.UpdateCaseFields)
	Parties     []Party         `json:"parties"`
	Raw         json.RawMessage `json:"-"`
}

// Party is a party of a case; personal data is masked unless the plugin holds cases.parties
// and asked for it.
type Party struct {
	ID       string `json:"id"`
	Role     string `json:"role"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	Address  string `json:"address"`
	Masked   bool   `json:"masked"`
}

// ParseCase reads a case from the host's JSON.
func ParseCase(raw []byte) (Case, error) {
	var c Case
	if len(raw) == 0 {
		return c, nil
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("sdk: case: %w", err)
	}
	c.Raw = append(json.RawMessage(nil), raw...)
	return c, nil
}

// Event is one after-event ("case.received", "case.concluded", …).
type Event struct {
	ID         string // unique per event and plugin; deduplicate on it
	Kind       string
	CaseID     string
	OccurredAt time.Time
	Payload    json.RawMessage
	Attempt    int // 1 for the first delivery
}

// Request is an HTTP request to one of the plugin's routes.
type Request struct {
	Method  string
	Path    string            // below the plugin's root, e.g. "/applications/42"
	Pattern string            // the manifest route it matched, e.g. "/applications/{id}"
	Params  map[string]string // path parameters, e.g. {"id": "42"}
	Query   string            // raw query string
	Headers map[string]string
	Body    []byte
}

// Param returns a path parameter.
func (r *Request) Param(name string) string { return r.Params[name] }

// Response is the plugin's answer to a Request.
type Response struct {
	Status  int // 0: 200
	Headers map[string]string
	Body    []byte
}

// JSON builds a JSON response.
func JSON(status int, v any) (*Response, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &Response{Status: status, Headers: map[string]string{"Content-Type": "application/json; charset=utf-8"}, Body: b}, nil
}

// Job is one run of a scheduled job for one tenant.
type Job struct {
	Name        string
	RunID       string // unique per run and tenant
	ScheduledAt time.Time
}

// Manifest is what the plugin is and asks for; see docs/plugins.md for every field.
type Manifest struct {
	Name           string          `json:"name"`
	Version        string          `json:"version"`
	Description    Text            `json:"description"`
	Regions        []string        `json:"regions"`
	Hooks          []HookSpec      `json:"hooks,omitempty"`
	Events         []string        `json:"events,omitempty"`
	Routes         []RouteSpec     `json:"routes,omitempty"`
	Jobs           []JobSpec       `json:"jobs,omitempty"`
	Permissions    []string        `json:"permissions,omitempty"`
	SettingsSchema json.RawMessage `json:"settings_schema,omitempty"`
	Console        []ConsoleEntry  `json:"console,omitempty"`
	OpenAPI        json.RawMessage `json:"openapi,omitempty"`
}

// Text is user-facing text, Chinese first.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// HookSpec subscribes to a before-hook.
type HookSpec struct {
	Name     string        `json:"name"`
	Timeout  time.Duration `json:"timeout,omitempty"` // 0: 200 ms
	FailOpen bool          `json:"fail_open,omitempty"`
}

// RouteSpec declares an HTTP route below /api/v1/tenants/{code}/plugins/{name}.
type RouteSpec struct {
	Method  string        `json:"method"`
	Path    string        `json:"path"`
	Summary Text          `json:"summary"`
	Public  bool          `json:"public,omitempty"`
	Timeout time.Duration `json:"timeout,omitempty"` // 0: 5 s
}

// JobSpec declares a scheduled job.
type JobSpec struct {
	Name        string        `json:"name"`
	Schedule    string        `json:"schedule"` // "@hourly", "@daily", "@weekly", "@monthly", "@every 1h" (plugins/README.md)
	Description Text          `json:"description"`
	Timeout     time.Duration `json:"timeout,omitempty"` // 0: 60 s
}

// ConsoleEntry is a menu entry of the web console served by one of the plugin's GET routes.
type ConsoleEntry struct {
	Menu     Text   `json:"menu"`
	Path     string `json:"path"`
	Kind     string `json:"kind"` // page or form
	RoleHint string `json:"role_hint,omitempty"`
}

// Problem refuses an action from a before-hook, or answers a route with a 4xx; its texts are
// shown to the user (Chinese first, then English).
type Problem struct {
	Title  string
	Detail string
	Fields []FieldProblem
}

// FieldProblem names a field and what to do about it.
type FieldProblem struct {
	Field   string
	Message string
}

func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.Title)
	for _, f := range p.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	return b.String()
}

// Reject is a Problem about one field.
func Reject(field, message string) *Problem {
	return &Problem{Title: message, Fields: []FieldProblem{{Field: field, Message: message}}}
}

// Errors of the host API.
var (
	ErrNotFound     = errors.New("sdk: not found")
	ErrPermission   = errors.New("sdk: permission denied") // not granted, or a request in another tenant
	ErrConflict     = errors.New("sdk: version conflict")  // Documents.Put with a stale IfVersion
	ErrExists       = errors.New("sdk: already exists")    // Documents.Create of an existing document
	ErrInvalid      = errors.New("sdk: invalid argument")  // wrapped by *HostError with its Problem
	ErrCallFinished = errors.New("sdk: the call this host belongs to has finished")
)
