// Package example is the Fengqiao plugin to copy: a small plugin that uses every capability
// of the SDK. Its behaviour is a contract — the platform's integration tests rely on it:
//
// Manifest: name "example", the version given to New, regions ["31"], permissions
// cases.read, cases.note and organisations.read (deliberately not cases.share), settings
// {"greeting": string, default "你好"; "forbidden_word": string, default "禁止", minLength 1};
// before-hook case.intake (200 ms, fail closed); events case.received and case.concluded;
// job "tally" @daily; console pages (declarative views, pages.go): 回访概况 (stats and a
// chart), 登记回访 (a form), 回访记录 (a table linking to a detail page, with a row action) and
// 回访时间线 (a timeline).
//
// Before case.intake: refuses with a Problem on field "title" when the case's title contains
// settings.forbidden_word ("标题不得包含“禁止” / the title must not contain “禁止”"); otherwise
// allows.
//
// Events: claimed with Documents.Create of kind "events", id = the event id, data
// {"kind","case_id","attempt"} — one delivery of an event succeeds, the others find it
// exists and do nothing — then counted in document kind "tally", id "events", data
// {"count": N} (created once, then optimistic with IfVersion). If counting fails the claim is
// released, so that the host's retry counts the event.
//
// Routes (problems are application/problem+json; ErrNotFound → 404, ErrPermission → 403,
// ErrInvalid and *sdk.Problem → 422):
//
//	GET  /hello            200 {"greeting": settings.greeting, "tenant": …, "principal": subject}
//	GET  /cases/{id}       200 the case as Host.GetCase(id, false) gives it (parties masked)
//	POST /cases/{id}/notes body {"text": …} → 201 {"event_id": …}; empty text → 422 on "text"
//	POST /cases/{id}/shares body {"tenant": …, "scope": "summary"} → Host.ShareCase: without
//	                       cases.share the host refuses, so 403; 201 {"share_id": …} if granted
//	GET  /public/greeting  public: 200 {"greeting": settings.greeting}
//
// Job "tally": writes document kind "runs", id = the run id, {"scheduled_at": RFC 3339} and
// returns the summary "counted N events", N from the tally document (0 without one).
package example

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/plugins/sdk"
)

// Plugin is the example plugin.
type Plugin struct {
	version string
}

// New is the plugin at version (the main's, set at build time; "" is 1.0.0).
func New(version string) *Plugin {
	if version == "" {
		version = "1.0.0"
	}
	return &Plugin{version: version}
}

// The capabilities it implements; a missing method is a compile error here, not a
// Unimplemented answer at run time.
var (
	_ sdk.BeforeHooker  = (*Plugin)(nil)
	_ sdk.EventHandler  = (*Plugin)(nil)
	_ sdk.RouteServer   = (*Plugin)(nil)
	_ sdk.JobRunner     = (*Plugin)(nil)
	_ sdk.HealthChecker = (*Plugin)(nil)
)

const settingsSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "greeting": {"type": "string", "default": "你好"},
    "forbidden_word": {"type": "string", "default": "禁止", "minLength": 1}
  },
  "additionalProperties": false
}`

const openAPI = `{
  "paths": {
    "/hello": {"get": {"summary": "问候 / greeting", "responses": {"200": {"description": "greeting, tenant and principal"}}}},
    "/cases/{id}": {"get": {"summary": "查看案件 / read a case",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "the case"}, "403": {"description": "not permitted"}, "404": {"description": "no such case"}}}},
    "/cases/{id}/notes": {"post": {"summary": "添加备注 / add a note",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}}}}},
      "responses": {"201": {"description": "the note's event id"}, "422": {"description": "empty text"}}}},
    "/cases/{id}/shares": {"post": {"summary": "共享案件 / share a case",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["tenant", "scope"], "properties": {"tenant": {"type": "string"}, "scope": {"type": "string", "enum": ["summary", "parties"]}}}}}},
      "responses": {"201": {"description": "the share id"}, "403": {"description": "the plugin may not share"}}}},
    "/public/greeting": {"get": {"summary": "公开问候 / public greeting", "security": [], "responses": {"200": {"description": "the greeting"}}}},
    "/pages/visit": {"get": {"summary": "登记回访表单（视图） / the visit form (a view)", "responses": {"200": {"description": "a fengqiao.view/v1 page"}}}},
    "/visits": {"post": {"summary": "登记回访 / record a visit",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["kind", "date", "note"], "properties": {"case_id": {"type": "string"}, "kind": {"type": "string", "enum": ["phone", "home", "other"]}, "date": {"type": "string", "format": "date"}, "minutes": {"type": "integer", "minimum": 1, "maximum": 600}, "note": {"type": "string", "minLength": 1, "maxLength": 500}}}}}},
      "responses": {"201": {"description": "the visit (a view)"}, "422": {"description": "a field at fault"}}}},
    "/pages/visits": {"get": {"summary": "回访记录（视图） / visits (a view)",
      "parameters": [{"name": "kind", "in": "query", "schema": {"type": "string"}}, {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
      "responses": {"200": {"description": "a fengqiao.view/v1 page"}}}},
    "/pages/visits/{id}": {"get": {"summary": "回访详情（视图） / a visit (a view)",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "a fengqiao.view/v1 page"}, "404": {"description": "no such visit"}}}},
    "/visits/{id}/done": {"post": {"summary": "标记回访完成 / mark a visit done",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "the visit's id"}, "404": {"description": "no such visit"}}}},
    "/pages/timeline": {"get": {"summary": "回访时间线（视图） / visit timeline (a view)", "responses": {"200": {"description": "a fengqiao.view/v1 page"}}}},
    "/pages/overview": {"get": {"summary": "回访概况（视图） / overview (a view)", "responses": {"200": {"description": "a fengqiao.view/v1 page"}}}}
  }
}`

// Manifest implements sdk.Plugin.
func (p *Plugin) Manifest() sdk.Manifest {
	return sdk.Manifest{
		Name:    "example",
		Version: p.version,
		Description: sdk.Text{
			ZH: "示例插件：演示前置钩子、事件、路由、定时任务和文档存储。",
			EN: "Example plugin: shows before-hooks, events, routes, jobs and the document store.",
		},
		Regions:     []string{"31"},
		Permissions: []string{"cases.read", "cases.note", "organisations.read"},
		Hooks:       []sdk.HookSpec{{Name: "case.intake", Timeout: 200 * time.Millisecond}},
		Events:      []string{"case.received", "case.concluded"},
		Routes: []sdk.RouteSpec{
			{Method: "GET", Path: "/hello", Summary: sdk.Text{ZH: "问候", EN: "greeting"}},
			{Method: "GET", Path: "/cases/{id}", Summary: sdk.Text{ZH: "查看案件", EN: "read a case"}},
			{Method: "POST", Path: "/cases/{id}/notes", Summary: sdk.Text{ZH: "添加备注", EN: "add a note"}},
			{Method: "POST", Path: "/cases/{id}/shares", Summary: sdk.Text{ZH: "共享案件", EN: "share a case"}},
			{Method: "GET", Path: "/public/greeting", Summary: sdk.Text{ZH: "公开问候", EN: "public greeting"}, Public: true},
			{Method: "GET", Path: "/pages/visit", Summary: sdk.Text{ZH: "登记回访（控制台表单）", EN: "record a visit (console form)"}},
			{Method: "POST", Path: "/visits", Summary: sdk.Text{ZH: "登记回访", EN: "record a visit"}},
			{Method: "GET", Path: "/pages/visits", Summary: sdk.Text{ZH: "回访记录（控制台表格）", EN: "visits (console table)"}},
			{Method: "GET", Path: "/pages/visits/{id}", Summary: sdk.Text{ZH: "回访详情（控制台详情）", EN: "a visit (console detail)"}},
			{Method: "POST", Path: "/visits/{id}/done", Summary: sdk.Text{ZH: "标记回访完成", EN: "mark a visit done"}},
			{Method: "GET", Path: "/pages/timeline", Summary: sdk.Text{ZH: "回访时间线（控制台时间线）", EN: "visit timeline (console timeline)"}},
			{Method: "GET", Path: "/pages/overview", Summary: sdk.Text{ZH: "回访概况（控制台统计与图表）", EN: "overview (console stats and chart)"}},
		},
		Jobs: []sdk.JobSpec{{Name: "tally", Schedule: "@daily", Description: sdk.Text{ZH: "统计已处理事件", EN: "count the events handled"}}},
		Console: []sdk.ConsoleEntry{
			{Menu: sdk.Text{ZH: "回访概况", EN: "Visit overview"}, Path: "/pages/overview", Kind: "page"},
			{Menu: sdk.Text{ZH: "登记回访", EN: "Record a visit"}, Path: "/pages/visit", Kind: "form"},
			{Menu: sdk.Text{ZH: "回访记录", EN: "Visits"}, Path: "/pages/visits", Kind: "page"},
			{Menu: sdk.Text{ZH: "回访时间线", EN: "Visit timeline"}, Path: "/pages/timeline", Kind: "page"},
		},
		SettingsSchema: json.RawMessage(settingsSchema),
		OpenAPI:        json.RawMessage(openAPI),
	}
}

// settings are the tenant's settings. The host applies the schema's defaults; applying them
// again here keeps the plugin right when a test (or an older host) sends {}.
type settings struct {
	Greeting      string `json:"greeting"`
	ForbiddenWord string `json:"forbidden_word"`
}

func settingsOf(call *sdk.Call) (settings, error) {
	var s settings
	if err := call.DecodeSettings(&s); err != nil {
		return s, fmt.Errorf("example: settings: %w", err)
	}
	if s.Greeting == "" {
		s.Greeting = "你好"
	}
	if s.ForbiddenWord == "" {
		s.ForbiddenWord = "禁止"
	}
	return s, nil
}

// Before implements sdk.BeforeHooker.
func (p *Plugin) Before(_ context.Context, call *sdk.Call, hook string, c sdk.Case, _ json.RawMessage) error {
	if hook != "case.intake" {
		return nil // not subscribed; nothing to say
	}
	s, err := settingsOf(call)
	if err != nil {
		return err
	}
	if strings.Contains(c.Title, s.ForbiddenWord) {
		return sdk.Reject("title", fmt.Sprintf("标题不得包含“%s” / the title must not contain “%s”", s.ForbiddenWord, s.ForbiddenWord))
	}
	return nil
}

// HandleEvent implements sdk.EventHandler.
func (p *Plugin) HandleEvent(ctx context.Context, call *sdk.Call, ev sdk.Event) error {
	docs := call.Host.Documents()
	data, err := json.Marshal(map[string]any{"kind": ev.Kind, "case_id": ev.CaseID, "attempt": ev.Attempt})
	if err != nil {
		return err
	}
	// Claim the event: Create succeeds for exactly one delivery of it, however many arrive.
	switch _, err := docs.Create(ctx, sdk.Document{Kind: "events", ID: ev.ID, Data: data}); {
	case errors.Is(err, sdk.ErrExists):
		return nil // a redelivery: handled already
	case err != nil:
		return err
	}
	if _, err := increment(ctx, docs); err != nil {
		// Release the claim, so that the redelivery counts the event.
		if _, derr := docs.Delete(ctx, "events", ev.ID); derr != nil {
			return errors.Join(err, derr)
		}
		return err
	}
	return nil
}

type tally struct {
	Count int `json:"count"`
}

// increment adds one to the tally document, retrying when another call wrote it in between
// (ErrConflict, or ErrExists for the first one): events of one tenant may be delivered
// concurrently.
func increment(ctx context.Context, docs sdk.Documents) (int, error) {
	for attempt := 0; attempt < 10; attempt++ {
		t, version, err := readTally(ctx, docs)
		if err != nil {
			return 0, err
		}
		t.Count++
		data, _ := json.Marshal(t) // an int: cannot fail
		if version == 0 {
			_, err = docs.Create(ctx, sdk.Document{Kind: "tally", ID: "events", Data: data})
		} else {
			_, err = docs.Put(ctx, sdk.Document{Kind: "tally", ID: "events", Data: data}, version)
		}
		switch {
		case err == nil:
			return t.Count, nil
		case !errors.Is(err, sdk.ErrConflict) && !errors.Is(err, sdk.ErrExists):
			return 0, err
		}
	}
	return 0, fmt.Errorf("example: tally: too many concurrent writers: %w", sdk.ErrConflict)
}

// readTally reads the counter and its version (0 when there is none yet).
func readTally(ctx context.Context, docs sdk.Documents) (tally, int64, error) {
	var t tally
	d, err := docs.Get(ctx, "tally", "events")
	switch {
	case errors.Is(err, sdk.ErrNotFound):
		return t, 0, nil
	case err != nil:
		return t, 0, err
	}
	if err := json.Unmarshal(d.Data, &t); err != nil {
		return t, 0, fmt.Errorf("example: tally document: %w", err)
	}
	return t, d.Version, nil
}

// RunJob implements sdk.JobRunner.
func (p *Plugin) RunJob(ctx context.Context, call *sdk.Call, job sdk.Job) (string, error) {
	if job.Name != "tally" {
		return "", fmt.Errorf("example: unknown job %q", job.Name)
	}
	docs := call.Host.Documents()
	data, _ := json.Marshal(map[string]string{"scheduled_at": job.ScheduledAt.UTC().Format(time.RFC3339)})
	if _, err := docs.Put(ctx, sdk.Document{Kind: "runs", ID: job.RunID, Data: data}, 0); err != nil {
		return "", err
	}
	t, _, err := readTally(ctx, docs)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("counted %d events", t.Count), nil
}

// Health implements sdk.HealthChecker: the plugin holds no connections of its own, so
// answering is being healthy.
func (p *Plugin) Health(context.Context) error { return nil }
