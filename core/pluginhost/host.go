package pluginhost

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/plugins"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/fengqiao/fengqiao/core/valid"
	"github.com/fengqiao/fengqiao/core/warnings"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

// The host API: what plugins call back while they handle a host call. Every request presents
// the call token the host issued for that call, and the tenant: a token binds one plugin, one
// tenant and the permissions the plugin was granted (its manifest's, as installed); it is valid
// only while the call runs. So a plugin acts only in the tenant of the request it is handling,
// and reaches another tenant only through an explicit, audited share.
//
// A route's call acts for the user who called the route: its token also binds that user, and
// every host call is then decided twice — the plugin's grant, and the user's own permission on
// the object as the API decides it (authz.DecideCase, relationships included) — so that a
// plugin never shows or changes more than its user could through the API. Hooks, events and
// jobs act for no user: the plugin's grants alone decide. The plugin's own documents are its
// own storage, never the user's: they stay the plugin's whoever it acts for.

// HostDeps are the services the host API is made of.
type HostDeps struct {
	Cases CaseReader
	Orgs  OrgReader
	Store HostStore
	Stats StatsReader
	// Authz and Access decide for the user a route's call acts for (authz.Authorizer, and the
	// store's facts of a case); without them, such calls are refused.
	Authz  Rules
	Access CaseFacts
}

// Rules decides what a user may do (authz.Authorizer): the API's own decisions.
type Rules interface {
	authz.Decider
	Allowed(sub, dom, obj, act string) (bool, error)
}

// CaseFacts reads the facts a principal's relationships to a case are computed from
// (core/store).
type CaseFacts interface {
	CaseAccess(ctx context.Context, tenantCode, caseID string) (access.Case, error)
}

// CaseReader reads cases (cases.Service).
type CaseReader interface {
	Get(ctx context.Context, tenantCode, id string, reveal bool) (cases.Case, error)
	List(ctx context.Context, tenantCode string, f cases.Filter) ([]cases.Case, error)
	Now() time.Time
}

// OrgReader reads organisations and mediators (orgs.Service).
type OrgReader interface {
	Organisations(ctx context.Context, tenantCode string, f orgs.Filter) ([]orgs.Organisation, error)
	Mediators(ctx context.Context, tenantCode string, f orgs.Filter) ([]orgs.Mediator, error)
}

// StatsReader answers statistics queries (stats.Service).
type StatsReader interface {
	Report(ctx context.Context, tenantCode string, q stats.Query) (stats.Report, error)
	Now() time.Time
}

// HostStore is what the host API writes through (core/store).
type HostStore interface {
	PutPluginDocument(ctx context.Context, tenant, plugin string, d plugins.Document, ifVersion int64) (plugins.Document, error)
	CreatePluginDocument(ctx context.Context, tenant, plugin string, d plugins.Document) (plugins.Document, error)
	PluginDocument(ctx context.Context, tenant, plugin, kind, id string) (plugins.Document, error)
	PluginDocuments(ctx context.Context, tenant, plugin, kind, after string, limit int) ([]plugins.Document, error)
	DeletePluginDocument(ctx context.Context, tenant, plugin, kind, id string) (bool, error)
	AddCaseNote(ctx context.Context, tenant, caseID, text string, data json.RawMessage) (int64, error)
	LinkCase(ctx context.Context, tenantCode, caseID string, l access.Link) (access.Link, error)
	CreateShare(ctx context.Context, sh access.CaseShare) (access.CaseShare, error)
	RevokeShare(ctx context.Context, tenantCode, caseID, shareID, by string) (access.CaseShare, error)
	SendMessage(ctx context.Context, tenant string, m warnings.Message) (string, error)
	UpdatePluginFields(ctx context.Context, tenant, caseID, plugin string, fields json.RawMessage) (json.RawMessage, error)
	PluginFields(ctx context.Context, tenant, caseID, plugin string) (json.RawMessage, error)
	SetJoint(ctx context.Context, tenantCode, caseID string, j *cases.Joint) error
	ActiveTenantCodes(ctx context.Context, codes []string) ([]string, error)
}

// callInfo is what a call token stands for.
type callInfo struct {
	plugin string
	tenant string
	// grantTenant is the tenant whose enablement governs the call (the tenant itself, or the
	// ancestor that enabled its subtree): where the plugin's grants are looked up.
	grantTenant string
	readOnly    bool // a public route's call: no writes
	requestID   string
	// actor is the user (or API token) a route's call acts for; nil for hooks, events, jobs
	// and public routes.
	actor *access.Principal
}

// subject is who acts, for the audit trail: the plugin, and the user it acts for.
func (info *callInfo) subject() string {
	if info.actor != nil {
		return "plugin:" + info.plugin + " for " + info.actor.Subject
	}
	return "plugin:" + info.plugin
}

// writes are the host API methods that change something.
var writes = map[string]bool{"AddCaseNote": true, "UpdateCaseFields": true, "LinkAgency": true, "ShareCase": true,
	"RevokeShare": true, "Notify": true, "PutDocument": true, "DeleteDocument": true, "SetJoint": true}

type hostServer struct {
	pluginv1.UnimplementedHostServiceServer
	m    *Manager
	deps HostDeps

	mu    sync.RWMutex
	calls map[string]*callInfo
}

func newHostServer(m *Manager, deps HostDeps) *hostServer {
	return &hostServer{m: m, deps: deps, calls: map[string]*callInfo{}}
}

// begin issues the token of a host call of rec in tenant; end revokes it.
func (h *hostServer) begin(rec plugins.Record, tenant, requestID string, readOnly bool, actor *access.Principal) string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	grantTenant := ""
	if e, ok := h.m.Enablement(rec.Name, tenant); ok && e.Enabled {
		grantTenant = e.TenantCode
	}
	h.mu.Lock()
	h.calls[tok] = &callInfo{plugin: rec.Name, tenant: tenant, grantTenant: grantTenant, readOnly: readOnly, requestID: requestID, actor: actor}
	h.mu.Unlock()
	return tok
}

// granted asks the plugin's grants (Casbin) whether it holds perm for the call.
func (h *hostServer) granted(info *callInfo, perm string) bool {
	if info.grantTenant == "" {
		return false
	}
	ok, err := h.m.grants.Allowed(info.plugin, info.grantTenant, perm)
	return err == nil && ok
}

func (h *hostServer) end(tok string) {
	h.mu.Lock()
	delete(h.calls, tok)
	h.mu.Unlock()
}

// hostRequest is any host API request: each presents its call.
type hostRequest interface {
	proto.Message
	GetCall() *pluginv1.HostCall
}

// authorize resolves a request's HostCall: the call must be in flight, the tenant its own, and
// perm ("" for the plugin's own documents) granted; then every text field of the request must
// be text the platform stores (checkText). The context it returns carries the plugin (and the
// user it acts for) as the actor of the audit trail.
func (h *hostServer) authorize(ctx context.Context, method string, r hostRequest, perm string) (context.Context, *callInfo, error) {
	hc := r.GetCall()
	h.mu.RLock()
	info := h.calls[hc.GetCallToken()]
	h.mu.RUnlock()
	if info == nil {
		h.m.metrics.hostAPI.WithLabelValues("unknown", method, codes.Unauthenticated.String()).Inc()
		return nil, nil, status.Error(codes.Unauthenticated, "调用凭证无效或该次调用已结束 / unknown call token, or its call has finished")
	}
	if hc.GetTenant() != info.tenant {
		h.m.metrics.hostAPI.WithLabelValues(info.plugin, method, codes.PermissionDenied.String()).Inc()
		h.m.log.Warn("plugin tried to act in another tenant", "plugin", info.plugin, "method", method,
			"call_tenant", info.tenant, "asked_tenant", hc.GetTenant(), "request_id", info.requestID)
		return nil, nil, status.Errorf(codes.PermissionDenied, "本次调用属于租户 %s，不能操作租户 %q；跨租户只能通过案件共享 / this call acts in tenant %s, not %q; other tenants only through case shares",
			info.tenant, hc.GetTenant(), info.tenant, hc.GetTenant())
	}
	if info.readOnly && writes[method] {
		h.m.metrics.hostAPI.WithLabelValues(info.plugin, method, codes.PermissionDenied.String()).Inc()
		return nil, nil, status.Errorf(codes.PermissionDenied, "公开路由只读，不能调用 %s / a public route is read-only: %s is refused", method, method)
	}
	if perm != "" && !h.granted(info, perm) {
		h.m.metrics.hostAPI.WithLabelValues(info.plugin, method, codes.PermissionDenied.String()).Inc()
		return nil, nil, status.Errorf(codes.PermissionDenied, "插件在本租户未获授权 %s（%s） / the plugin was not granted %s in this tenant", perm, plugins.Permissions[perm], perm)
	}
	if err := checkText(r.ProtoReflect(), ""); err != nil {
		return nil, nil, h.finish(info, method, err)
	}
	ctx = audit.WithActor(ctx, audit.Actor{Subject: info.subject(), RequestID: info.requestID})
	return ctx, info, nil
}

// Bounds of a host request's text, beyond which no field of the platform goes (fields have
// tighter bounds of their own): strings (ids, titles, notes, queries…) and JSON (notes' data,
// case fields, documents, at most 1 MiB).
const (
	maxHostString = 16 << 10
	maxHostJSON   = 1 << 20
)

// checkText holds every text field of a host request — every string, every JSON (bytes) field,
// in nested messages and lists too — to the public API's rules (valid.Text): UTF-8 without NUL,
// bounded; so that no driver error (a 5xx at the edge) comes of a plugin's bad text, whatever
// field a later protocol adds. The problem names the field ("document.data", "tenants[1]").
func checkText(m protoreflect.Message, prefix string) error {
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := prefix + string(fd.Name())
		switch {
		case fd.Name() == "call" && prefix == "":
		case fd.IsList() && fd.Kind() == protoreflect.StringKind:
			for i := range v.List().Len() {
				if err = checkString(fmt.Sprintf("%s[%d]", name, i), v.List().Get(i).String()); err != nil {
					return false
				}
			}
		case fd.IsList() || fd.IsMap():
		case fd.Kind() == protoreflect.StringKind:
			err = checkString(name, v.String())
		case fd.Kind() == protoreflect.BytesKind:
			err = checkJSONText(name, v.Bytes())
		case fd.Kind() == protoreflect.MessageKind:
			err = checkText(v.Message(), name+".")
		}
		return err == nil
	})
	return err
}

func checkString(field, s string) error {
	switch {
	case !valid.Text(s):
		return badArg(field, "须为不含空字符的 UTF-8 文本 / must be UTF-8 text without NUL characters")
	case len(s) > maxHostString:
		return badArg(field, fmt.Sprintf("过长：至多 %d 字节 / too long: at most %d bytes", maxHostString, maxHostString))
	}
	return nil
}

// checkJSONText checks the JSON of a bytes field as text: PostgreSQL's jsonb refuses invalid
// UTF-8 and \u0000 in strings.
func checkJSONText(field string, b []byte) error {
	switch {
	case len(b) > maxHostJSON:
		return badArg(field, fmt.Sprintf("过长：至多 %d 字节 / too long: at most %d bytes", maxHostJSON, maxHostJSON))
	case !utf8.Valid(b):
		return badArg(field, "须为 UTF-8 编码的 JSON / must be JSON in UTF-8")
	}
	if bytes.Contains(b, []byte(`\u0000`)) {
		if at, ok := valid.JSONWithNUL(b); ok {
			return badArg(field, "含有空字符（\\u0000）："+at+" / holds a NUL character (\\u0000): "+at)
		}
	}
	return nil
}

// userDenied refuses what the user a call acts for may not do.
func userDenied(obj, act string) error {
	return status.Errorf(codes.PermissionDenied, "插件所代表的用户无权执行 %s:%s / the user the plugin acts for may not %s:%s", obj, act, obj, act)
}

var errNoDecider = status.Error(codes.PermissionDenied, "宿主无法为插件所代表的用户作出授权决定 / the host cannot decide for the user the plugin acts for")

// onCase decides obj:act on a case for the user the call acts for, as the API would: a case
// it has no relationship to, or may not read, does not exist (cases.ErrNotFound); one it may
// read but not act on is refused. A call for no user passes.
func (h *hostServer) onCase(ctx context.Context, info *callInfo, caseID, obj, act string) (authz.CaseDecision, error) {
	if info.actor == nil {
		return authz.CaseDecision{}, nil
	}
	if h.deps.Authz == nil || h.deps.Access == nil {
		return authz.CaseDecision{}, errNoDecider
	}
	facts, err := h.deps.Access.CaseAccess(ctx, info.tenant, caseID)
	if err != nil {
		return authz.CaseDecision{}, err
	}
	d, err := authz.DecideCase(h.deps.Authz, *info.actor, info.tenant, facts, obj, act, h.deps.Cases.Now())
	switch {
	case err != nil:
		return d, err
	case d.Verdict == authz.CaseHidden:
		return d, cases.ErrNotFound
	case d.Verdict == authz.CaseForbidden:
		return d, userDenied(obj, act)
	}
	return d, nil
}

// onTenant decides obj:act in the call's tenant, about no particular case, for the user the
// call acts for (as the API's tenant routes are decided). A call for no user passes.
func (h *hostServer) onTenant(info *callInfo, obj, act string) error {
	if info.actor == nil {
		return nil
	}
	if h.deps.Authz == nil {
		return errNoDecider
	}
	ok, err := h.deps.Authz.Allowed(info.actor.Subject, info.tenant, obj, act)
	if err != nil {
		return err
	}
	if !ok {
		return userDenied(obj, act)
	}
	return nil
}

// finish translates the domain's errors into gRPC statuses and counts the call.
func (h *hostServer) finish(info *callInfo, method string, err error) error {
	var st *status.Status
	var fe *valid.Error
	switch {
	case err == nil:
		st = status.New(codes.OK, "")
	case errors.Is(err, cases.ErrNotFound), errors.Is(err, plugins.ErrDocNotFound), errors.Is(err, access.ErrShareNotFound):
		st = status.New(codes.NotFound, err.Error())
	case errors.Is(err, plugins.ErrDocExists):
		st = status.New(codes.AlreadyExists, "文档已存在 / the document exists")
	case errors.Is(err, plugins.ErrConflict):
		st = status.New(codes.Aborted, "文档已被修改，请重新读取 / the document changed: read it again")
	case errors.As(err, &fe) && (errors.Is(err, plugins.ErrInvalid) || errors.Is(err, access.ErrInvalid)):
		st = invalidStatus(fe.Errors[0].Field, fe.Errors[0].Message)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		st = status.New(codes.DeadlineExceeded, err.Error())
	default:
		if s, ok := status.FromError(err); ok && s.Code() != codes.Unknown {
			st = s
		} else {
			h.m.log.Error("host API call failed", "plugin", info.plugin, "method", method, "err", err)
			st = status.New(codes.Internal, "内部错误 / internal error")
		}
	}
	h.m.metrics.hostAPI.WithLabelValues(info.plugin, method, st.Code().String()).Inc()
	return st.Err()
}

func invalidStatus(field, msg string) *status.Status {
	st := status.New(codes.InvalidArgument, field+": "+msg)
	if d, err := st.WithDetails(&pluginv1.Problem{Title: msg, Fields: []*pluginv1.FieldProblem{{Field: field, Message: msg}}}); err == nil {
		return d
	}
	return st
}

func badArg(field, msg string) error { return invalidStatus(field, msg).Err() }

// --- cases -------------------------------------------------------------------------------------

func (h *hostServer) GetCase(ctx context.Context, r *pluginv1.GetCaseRequest) (*pluginv1.GetCaseResponse, error) {
	perm := "cases.read"
	ctx, info, err := h.authorize(ctx, "GetCase", r, perm)
	if err != nil {
		return nil, err
	}
	d, err := h.onCase(ctx, info, r.GetCaseId(), authz.ObjCases, authz.ActRead)
	if err != nil {
		return nil, h.finish(info, "GetCase", err)
	}
	reveal := r.GetParties()
	if reveal && !h.granted(info, "cases.parties") {
		return nil, h.finish(info, "GetCase", status.Error(codes.PermissionDenied, "插件未获授权 cases.parties / the plugin was not granted cases.parties"))
	}
	if reveal && info.actor != nil {
		// The parties' personal data only to a user who may see them through the API.
		ok, err := authz.AllowedOnCase(h.deps.Authz, *info.actor, info.tenant, d, authz.ObjCasePII, authz.ActRead)
		if err == nil && !ok {
			err = userDenied(authz.ObjCasePII, authz.ActRead)
		}
		if err != nil {
			return nil, h.finish(info, "GetCase", err)
		}
	}
	b, err := h.caseJSON(ctx, info, r.GetCaseId(), reveal)
	return &pluginv1.GetCaseResponse{Case: b}, h.finish(info, "GetCase", err)
}

func (h *hostServer) ListCases(ctx context.Context, r *pluginv1.ListCasesRequest) (*pluginv1.ListCasesResponse, error) {
	ctx, info, err := h.authorize(ctx, "ListCases", r, "cases.read")
	if err != nil {
		return nil, err
	}
	limit := int(r.GetLimit())
	if limit <= 0 || limit > 200 {
		limit = min(max(limit, 50), 200)
	}
	f := cases.Filter{Status: cases.Status(r.GetStatus()), CommitteeID: r.GetCommitteeId(), Limit: limit + 1, Now: h.deps.Cases.Now()}
	if info.actor != nil {
		// Only what the user's own list holds.
		if h.deps.Authz == nil {
			return nil, h.finish(info, "ListCases", errNoDecider)
		}
		sc, err := authz.ListScope(h.deps.Authz, *info.actor, info.tenant, authz.ObjCases, authz.ActRead, f.Now)
		if err == nil && sc == nil {
			err = userDenied(authz.ObjCases, authz.ActRead)
		}
		if err != nil {
			return nil, h.finish(info, "ListCases", err)
		}
		f.Access = sc
	}
	if a := r.GetAfter(); a != "" {
		t, id, ok := parseCursor(a)
		if !ok {
			return nil, h.finish(info, "ListCases", badArg("after", "游标无效 / invalid cursor"))
		}
		f.AfterTime, f.AfterID = t, id
	}
	list, err := h.deps.Cases.List(ctx, info.tenant, f)
	if err != nil {
		return nil, h.finish(info, "ListCases", err)
	}
	out := &pluginv1.ListCasesResponse{}
	if len(list) > limit {
		last := list[limit-1]
		out.Next = last.ReceivedAt.UTC().Format(time.RFC3339Nano) + "," + last.ID
		list = list[:limit]
	}
	for _, c := range list {
		b, err := caseJSON(c, f.Now, false)
		if err != nil {
			return nil, h.finish(info, "ListCases", err)
		}
		out.Cases = append(out.Cases, b)
	}
	return out, h.finish(info, "ListCases", nil)
}

func parseCursor(s string) (time.Time, string, bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ',' {
			t, err := time.Parse(time.RFC3339Nano, s[:i])
			return t, s[i+1:], err == nil && s[i+1:] != ""
		}
	}
	return time.Time{}, "", false
}

func (h *hostServer) AddCaseNote(ctx context.Context, r *pluginv1.AddCaseNoteRequest) (*pluginv1.AddCaseNoteResponse, error) {
	ctx, info, err := h.authorize(ctx, "AddCaseNote", r, "cases.note")
	if err != nil {
		return nil, err
	}
	if _, err := h.onCase(ctx, info, r.GetCaseId(), authz.ObjCases, authz.ActUpdate); err != nil {
		return nil, h.finish(info, "AddCaseNote", err)
	}
	text := r.GetText()
	if text == "" || len([]rune(text)) > 2000 {
		return nil, h.finish(info, "AddCaseNote", badArg("text", "记录须为 1–2000 字 / a note is 1–2000 characters"))
	}
	data := json.RawMessage(r.GetData())
	if len(data) == 0 {
		data = json.RawMessage("null")
	} else if !json.Valid(data) {
		return nil, h.finish(info, "AddCaseNote", badArg("data", "须为 JSON / must be JSON"))
	} else if len(data) > 64<<10 {
		return nil, h.finish(info, "AddCaseNote", badArg("data", "至多 64 KiB / at most 64 KiB"))
	}
	seq, err := h.deps.Store.AddCaseNote(ctx, info.tenant, r.GetCaseId(), text, data)
	return &pluginv1.AddCaseNoteResponse{EventId: strconv.FormatInt(seq, 10)}, h.finish(info, "AddCaseNote", err)
}

func (h *hostServer) LinkAgency(ctx context.Context, r *pluginv1.LinkAgencyRequest) (*pluginv1.LinkAgencyResponse, error) {
	ctx, info, err := h.authorize(ctx, "LinkAgency", r, "cases.link")
	if err != nil {
		return nil, err
	}
	if _, err := h.onCase(ctx, info, r.GetCaseId(), authz.ObjCases, authz.ActLink); err != nil {
		return nil, h.finish(info, "LinkAgency", err)
	}
	reason := r.GetReason()
	if reason == "" {
		reason = access.ReasonLinkage
	}
	l, err := h.deps.Store.LinkCase(ctx, info.tenant, r.GetCaseId(), access.Link{Kind: access.LinkOrganisation,
		PartyID: r.GetOrganisationId(), Reason: reason, Note: "plugin " + info.plugin, CreatedBy: info.subject()})
	if err != nil {
		return nil, h.finish(info, "LinkAgency", err)
	}
	return &pluginv1.LinkAgencyResponse{LinkId: r.GetCaseId() + "/organisation/" + l.PartyID}, h.finish(info, "LinkAgency", nil)
}

func (h *hostServer) ShareCase(ctx context.Context, r *pluginv1.ShareCaseRequest) (*pluginv1.ShareCaseResponse, error) {
	ctx, info, err := h.authorize(ctx, "ShareCase", r, "cases.share")
	if err != nil {
		return nil, err
	}
	if _, err := h.onCase(ctx, info, r.GetCaseId(), authz.ObjCases, authz.ActShare); err != nil {
		return nil, h.finish(info, "ShareCase", err)
	}
	sh := access.CaseShare{Tenant: info.tenant, CaseID: r.GetCaseId(), GranteeTenant: r.GetGranteeTenant(),
		GranteeOrg: r.GetGranteeOrganisationId(), Scope: r.GetScope(), Purpose: r.GetReason(),
		ExpiresAt: time.UnixMilli(r.GetExpiresAtUnixMs()), CreatedBy: info.subject()}
	if err := access.CheckShare(&sh, h.deps.Cases.Now()); err != nil {
		return nil, h.finish(info, "ShareCase", err)
	}
	out, err := h.deps.Store.CreateShare(ctx, sh)
	return &pluginv1.ShareCaseResponse{ShareId: out.ID}, h.finish(info, "ShareCase", err)
}

func (h *hostServer) RevokeShare(ctx context.Context, r *pluginv1.RevokeShareRequest) (*pluginv1.RevokeShareResponse, error) {
	ctx, info, err := h.authorize(ctx, "RevokeShare", r, "cases.share")
	if err != nil {
		return nil, err
	}
	if _, err := h.onCase(ctx, info, r.GetCaseId(), authz.ObjCases, authz.ActShare); err != nil {
		return nil, h.finish(info, "RevokeShare", err)
	}
	_, err = h.deps.Store.RevokeShare(ctx, info.tenant, r.GetCaseId(), r.GetShareId(), info.subject())
	return &pluginv1.RevokeShareResponse{}, h.finish(info, "RevokeShare", err)
}

func (h *hostServer) SetJoint(ctx context.Context, r *pluginv1.SetJointRequest) (*pluginv1.SetJointResponse, error) {
	ctx, info, err := h.authorize(ctx, "SetJoint", r, "cases.joint")
	if err != nil {
		return nil, err
	}
	if _, err := h.onCase(ctx, info, r.GetCaseId(), authz.ObjCases, authz.ActShare); err != nil {
		return nil, h.finish(info, "SetJoint", err)
	}
	var j *cases.Joint
	if r.GetJointId() != "" {
		ts := r.GetTenants()
		// The domain's rules (core/cases), then the store's word on which tenants are active.
		var ve *cases.ValidationError
		if err := cases.CheckJoint(info.tenant, cases.Joint{ID: r.GetJointId(), Lead: r.GetLead(), Tenants: ts}); errors.As(err, &ve) {
			return nil, h.finish(info, "SetJoint", badArg(ve.Errors[0].Field, ve.Errors[0].Message))
		}
		active, err := h.deps.Store.ActiveTenantCodes(ctx, ts)
		if err != nil {
			return nil, h.finish(info, "SetJoint", err)
		}
		for _, t := range ts {
			if !slices.Contains(active, t) {
				return nil, h.finish(info, "SetJoint", badArg("tenants", "不是在用的租户："+t+" / not an active tenant: "+t))
			}
		}
		j = &cases.Joint{ID: r.GetJointId(), Lead: r.GetLead(), Tenants: ts}
	}
	return &pluginv1.SetJointResponse{}, h.finish(info, "SetJoint", h.deps.Store.SetJoint(ctx, info.tenant, r.GetCaseId(), j))
}

func (h *hostServer) UpdateCaseFields(ctx context.Context, r *pluginv1.UpdateCaseFieldsRequest) (*pluginv1.UpdateCaseFieldsResponse, error) {
	ctx, info, err := h.authorize(ctx, "UpdateCaseFields", r, "cases.fields")
	if err != nil {
		return nil, err
	}
	if _, err := h.onCase(ctx, info, r.GetCaseId(), authz.ObjCases, authz.ActUpdate); err != nil {
		return nil, h.finish(info, "UpdateCaseFields", err)
	}
	var obj map[string]json.RawMessage
	if len(r.GetFields()) > 64<<10 || json.Unmarshal(r.GetFields(), &obj) != nil || obj == nil || len(obj) > 100 {
		return nil, h.finish(info, "UpdateCaseFields", badArg("fields", "须为 JSON 对象，至多 100 个字段、64 KiB / must be a JSON object of at most 100 fields and 64 KiB"))
	}
	if _, err := h.deps.Store.UpdatePluginFields(ctx, info.tenant, r.GetCaseId(), info.plugin, r.GetFields()); err != nil {
		return nil, h.finish(info, "UpdateCaseFields", err)
	}
	b, err := h.caseJSON(ctx, info, r.GetCaseId(), false)
	return &pluginv1.UpdateCaseFieldsResponse{Case: b}, h.finish(info, "UpdateCaseFields", err)
}

// caseJSON reads a case as the plugin sees it: with its own fields.
func (h *hostServer) caseJSON(ctx context.Context, info *callInfo, id string, reveal bool) ([]byte, error) {
	c, err := h.deps.Cases.Get(ctx, info.tenant, id, reveal)
	if err != nil {
		return nil, err
	}
	fields, err := h.deps.Store.PluginFields(ctx, info.tenant, id, info.plugin)
	if err != nil {
		return nil, err
	}
	return caseJSONWith(c, h.deps.Cases.Now(), reveal, fields)
}

// --- organisations, notifications, statistics ---------------------------------------------

func (h *hostServer) ListOrganisations(ctx context.Context, r *pluginv1.ListOrganisationsRequest) (*pluginv1.ListOrganisationsResponse, error) {
	ctx, info, err := h.authorize(ctx, "ListOrganisations", r, "organisations.read")
	if err != nil {
		return nil, err
	}
	if err := h.onTenant(info, authz.ObjOrganisations, authz.ActRead); err != nil {
		return nil, h.finish(info, "ListOrganisations", err)
	}
	list, err := h.deps.Orgs.Organisations(ctx, info.tenant, orgs.Filter{Kind: r.GetKind(), Limit: 1000})
	if err != nil {
		return nil, h.finish(info, "ListOrganisations", err)
	}
	type org struct {
		ID     string `json:"id"`
		Kind   string `json:"kind"`
		Name   string `json:"name"`
		Status string `json:"status"`
		Street string `json:"street_code,omitempty"`
	}
	out := make([]org, 0, len(list))
	for _, o := range list {
		out = append(out, org{ID: o.ID, Kind: string(o.Kind), Name: o.Name, Status: string(o.Status), Street: o.StreetCode})
	}
	b, err := json.Marshal(out)
	return &pluginv1.ListOrganisationsResponse{Organisations: b}, h.finish(info, "ListOrganisations", err)
}

func (h *hostServer) ListMediators(ctx context.Context, r *pluginv1.ListMediatorsRequest) (*pluginv1.ListMediatorsResponse, error) {
	ctx, info, err := h.authorize(ctx, "ListMediators", r, "organisations.read")
	if err != nil {
		return nil, err
	}
	if err := h.onTenant(info, authz.ObjMediators, authz.ActRead); err != nil {
		return nil, h.finish(info, "ListMediators", err)
	}
	list, err := h.deps.Orgs.Mediators(ctx, info.tenant, orgs.Filter{OrganisationID: r.GetOrganisationId(), Limit: 1000})
	if err != nil {
		return nil, h.finish(info, "ListMediators", err)
	}
	type med struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Org    string `json:"organisation_id"`
		Status string `json:"status"`
		Grade  string `json:"grade,omitempty"`
		Chief  bool   `json:"chief,omitempty"`
	}
	out := make([]med, 0, len(list))
	for _, m := range list {
		out = append(out, med{ID: m.ID, Name: m.Name, Org: m.OrganisationID, Status: string(m.Status), Grade: m.Grade, Chief: m.Chief})
	}
	b, err := json.Marshal(out)
	return &pluginv1.ListMediatorsResponse{Mediators: b}, h.finish(info, "ListMediators", err)
}

func (h *hostServer) Notify(ctx context.Context, r *pluginv1.NotifyRequest) (*pluginv1.NotifyResponse, error) {
	ctx, info, err := h.authorize(ctx, "Notify", r, "notifications.send")
	if err != nil {
		return nil, err
	}
	if r.GetCaseId() != "" {
		// A message about a case only from a user who can see it.
		if _, err := h.onCase(ctx, info, r.GetCaseId(), authz.ObjCases, authz.ActRead); err != nil {
			return nil, h.finish(info, "Notify", err)
		}
	}
	if r.GetTitle() == "" || len([]rune(r.GetTitle())) > 200 {
		return nil, h.finish(info, "Notify", badArg("title", "标题须为 1–200 字 / a title is 1–200 characters"))
	}
	rcpt := r.GetRecipient()
	if rcpt == "tenant" {
		rcpt = "tenant:" + info.tenant
	}
	kind := r.GetKind()
	if kind == "" {
		kind = "notice"
	}
	id, err := h.deps.Store.SendMessage(ctx, info.tenant, warnings.Message{Recipient: warnings.Recipient(rcpt),
		Kind: "plugin." + info.plugin + "." + kind, Title: r.GetTitle(), Body: r.GetBody(), CaseID: r.GetCaseId()})
	return &pluginv1.NotifyResponse{MessageId: id}, h.finish(info, "Notify", err)
}

func (h *hostServer) GetStats(ctx context.Context, r *pluginv1.GetStatsRequest) (*pluginv1.GetStatsResponse, error) {
	ctx, info, err := h.authorize(ctx, "GetStats", r, "stats.read")
	if err != nil {
		return nil, err
	}
	if err := h.onTenant(info, authz.ObjStats, authz.ActRead); err != nil {
		return nil, h.finish(info, "GetStats", err)
	}
	v, err := url.ParseQuery(r.GetQuery())
	if err != nil {
		return nil, h.finish(info, "GetStats", badArg("query", "查询串无效 / invalid query string"))
	}
	q, err := stats.ParseQuery(v.Get("from"), v.Get("to"), v.Get("source"), v.Get("dispute_type"), v.Get("group_by"), h.deps.Stats.Now())
	if err != nil {
		return nil, h.finish(info, "GetStats", badArg("query", err.Error()))
	}
	rep, err := h.deps.Stats.Report(ctx, info.tenant, q)
	if err != nil {
		return nil, h.finish(info, "GetStats", err)
	}
	b, err := json.Marshal(statsView(rep))
	return &pluginv1.GetStatsResponse{Stats: b}, h.finish(info, "GetStats", err)
}

func figuresView(f stats.Figures) map[string]any {
	return map[string]any{"received": f.Received, "concluded": f.Concluded, "succeeded": f.Succeeded, "failed": f.Failed,
		"guided": f.Guided, "success_rate": f.SuccessRate, "resolved_locally": f.ResolvedLocally}
}

func statsView(r stats.Report) map[string]any {
	out := figuresView(r.Figures)
	out["tenant"], out["overdue"] = r.Tenant, r.Overdue
	groups := map[string]any{}
	for dim, gs := range r.Groups {
		var rows []map[string]any
		for _, g := range gs {
			row := figuresView(g.Figures)
			row["key"], row["label"] = g.Key, g.Label
			rows = append(rows, row)
		}
		groups[dim] = rows
	}
	if len(groups) > 0 {
		out["groups"] = groups
	}
	return out
}

// --- documents ---------------------------------------------------------------------------------

func docOut(d plugins.Document) *pluginv1.Document {
	return &pluginv1.Document{Kind: d.Kind, Id: d.ID, Data: d.Data, Version: d.Version, UpdatedAtUnixMs: d.UpdatedAt.UnixMilli()}
}

func (h *hostServer) PutDocument(ctx context.Context, r *pluginv1.PutDocumentRequest) (*pluginv1.PutDocumentResponse, error) {
	ctx, info, err := h.authorize(ctx, "PutDocument", r, "")
	if err != nil {
		return nil, err
	}
	d := r.GetDocument()
	if !json.Valid(d.GetData()) {
		return nil, h.finish(info, "PutDocument", badArg("document.data", "须为 JSON / must be JSON"))
	}
	if len(d.GetData()) > 1<<20 {
		return nil, h.finish(info, "PutDocument", badArg("document.data", "文档最大 1 MiB / a document is at most 1 MiB"))
	}
	doc := plugins.Document{Kind: d.GetKind(), ID: d.GetId(), Data: d.GetData()}
	var out plugins.Document

	if r.GetIfAbsent() {
		out, err = h.deps.Store.CreatePluginDocument(ctx, info.tenant, info.plugin, doc)
	} else {
		out, err = h.deps.Store.PutPluginDocument(ctx, info.tenant, info.plugin, doc, r.GetIfVersion())
	}
	if err != nil {
		return nil, h.finish(info, "PutDocument", err)
	}
	return &pluginv1.PutDocumentResponse{Document: docOut(out)}, h.finish(info, "PutDocument", nil)
}

func (h *hostServer) GetDocument(ctx context.Context, r *pluginv1.GetDocumentRequest) (*pluginv1.GetDocumentResponse, error) {
	ctx, info, err := h.authorize(ctx, "GetDocument", r, "")
	if err != nil {
		return nil, err
	}
	d, err := h.deps.Store.PluginDocument(ctx, info.tenant, info.plugin, r.GetKind(), r.GetId())
	if err != nil {
		return nil, h.finish(info, "GetDocument", err)
	}
	return &pluginv1.GetDocumentResponse{Document: docOut(d)}, h.finish(info, "GetDocument", nil)
}

func (h *hostServer) ListDocuments(ctx context.Context, r *pluginv1.ListDocumentsRequest) (*pluginv1.ListDocumentsResponse, error) {
	ctx, info, err := h.authorize(ctx, "ListDocuments", r, "")
	if err != nil {
		return nil, err
	}
	limit := int(r.GetLimit())
	if limit <= 0 || limit > 1000 {
		limit = min(max(limit, 100), 1000)
	}
	ds, err := h.deps.Store.PluginDocuments(ctx, info.tenant, info.plugin, r.GetKind(), r.GetAfter(), limit+1)
	if err != nil {
		return nil, h.finish(info, "ListDocuments", err)
	}
	out := &pluginv1.ListDocumentsResponse{}
	if len(ds) > limit {
		ds = ds[:limit]
		out.Next = ds[limit-1].ID
	}
	for _, d := range ds {
		out.Documents = append(out.Documents, docOut(d))
	}
	return out, h.finish(info, "ListDocuments", nil)
}

func (h *hostServer) DeleteDocument(ctx context.Context, r *pluginv1.DeleteDocumentRequest) (*pluginv1.DeleteDocumentResponse, error) {
	ctx, info, err := h.authorize(ctx, "DeleteDocument", r, "")
	if err != nil {
		return nil, err
	}
	ok, err := h.deps.Store.DeletePluginDocument(ctx, info.tenant, info.plugin, r.GetKind(), r.GetId())
	return &pluginv1.DeleteDocumentResponse{Deleted: ok}, h.finish(info, "DeleteDocument", err)
}

var _ pluginv1.HostServiceServer = (*hostServer)(nil)
