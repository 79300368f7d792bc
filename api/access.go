package api

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/core/valid"
	"github.com/fengqiao/fengqiao/core/warnings"
)

// AccessStore is what cross-agency access needs of storage.
type AccessStore interface {
	CaseAccess(ctx context.Context, tenantCode, caseID string) (access.Case, error)
	CreateShare(ctx context.Context, sh access.CaseShare) (access.CaseShare, error)
	RevokeShare(ctx context.Context, tenantCode, caseID, shareID, by string) (access.CaseShare, error)
	CaseShares(ctx context.Context, tenantCode, caseID string) ([]access.CaseShare, error)
	SharedWith(ctx context.Context, granteeTenant, org string, now time.Time, limit int) ([]access.CaseShare, error)
	LinkCase(ctx context.Context, tenantCode, caseID string, l access.Link) (access.Link, error)
	UnlinkCase(ctx context.Context, tenantCode, caseID, kind, partyID string) (bool, error)
	CaseLinks(ctx context.Context, tenantCode, caseID string) ([]access.Link, error)
	ChangeTenantRule(ctx context.Context, tenantCode string, row []string, add bool, view any) (bool, error)
	WarningCase(ctx context.Context, tenantCode, warningID string) (string, error)
}

// Context keys set by authorize for the handlers.
const (
	ctxCaseRels = "case-decision" // authz.CaseDecision: the caller's relationships to the case
	ctxScope    = "access-scope"  // *access.Scope: what a list may show
)

func accessPrincipal(p identity.Principal) access.Principal {
	return access.Principal{Subject: p.Subject, Kind: p.Kind, ID: p.ID, Tenant: p.TenantCode, Org: p.OrganisationID}
}

// tenantRel is the caller's relationship to a tenant as a whole, access.None when it has none.
func tenantRel(p identity.Principal, code string) string {
	if r := access.TenantRelationship(accessPrincipal(p), code); r != "" {
		return r
	}
	return access.None
}

func forbidden(dom, obj, act string) *Problem {
	return problem(http.StatusForbidden, "forbidden", "无权操作 / Forbidden",
		"您的角色不允许在"+authz.TenantWord(dom)+authz.ActionWords(obj, act)+" / your roles do not allow "+obj+":"+act+" in tenant "+dom)
}

// allowRel decides a request about no particular case with the given relationship.
func (s *Server) allowRel(p identity.Principal, dom, obj, act, rel string) error {
	ok, err := s.deps.Authz.Decide(authz.Request{Sub: p.Subject, RoleTenant: dom, Tenant: dom, Obj: obj, Act: act, Rel: rel})
	if err != nil {
		return err
	}
	if !ok {
		return forbidden(dom, obj, act)
	}
	return nil
}

// caseParam is the caseScoped of routes whose :id is the case.
func caseParam(_ *Server, c echo.Context) (string, error) { return c.Param("id"), nil }

// warningCase is the caseScoped of routes whose :id is a warning: the warning's case.
func warningCase(s *Server, c echo.Context) (string, error) {
	return s.deps.Access.WarningCase(c.Request().Context(), c.Param("code"), c.Param("id"))
}

// authorizeCase decides a request on one case from the caller's relationships to it
// (authz.DecideCase, which also decides for the users plugins act for).
func (s *Server) authorizeCase(c echo.Context, r route, dom string, inScope bool, act string) error {
	ctx := c.Request().Context()
	p := principal(c)
	caseID, err := r.caseScoped(s, c)
	var facts access.Case
	if err == nil {
		facts, err = s.deps.Access.CaseAccess(ctx, dom, caseID)
	}
	if err != nil {
		if !inScope && (errors.Is(err, cases.ErrNotFound) || errors.Is(err, warnings.ErrNotFound)) {
			return tenant.ErrNotFound // nothing about a tenant outside the caller's reach
		}
		return err
	}
	notFound := cases.ErrNotFound
	if r.obj == authz.ObjWarnings {
		notFound = warnings.ErrNotFound
	}
	d, err := authz.DecideCase(s.deps.Authz, accessPrincipal(p), dom, facts, r.obj, act, s.deps.Cases.Now())
	if err != nil {
		return err
	}
	switch {
	case len(d.Rels) == 0 && !inScope:
		return tenant.ErrNotFound
	case d.Verdict == authz.CaseHidden:
		return notFound
	case d.Verdict == authz.CaseForbidden:
		return forbidden(dom, r.obj, act)
	}
	c.Set(ctxCaseRels, d)
	return nil
}

// authorizeList derives what a list may show: the relationships for which the rules allow
// obj:act; none at all is 403.
func (s *Server) authorizeList(c echo.Context, dom, obj, act string) error {
	p := principal(c)
	sc, err := authz.ListScope(s.deps.Authz, accessPrincipal(p), dom, obj, act, s.deps.Cases.Now())
	if err != nil {
		return err
	}
	if sc == nil {
		return forbidden(dom, obj, act)
	}
	c.Set(ctxScope, sc)
	return nil
}

// listScope is the filter authorizeList set.
func listScope(c echo.Context) *access.Scope {
	sc, _ := c.Get(ctxScope).(*access.Scope)
	return sc
}

// allowedHere tells whether the caller may also do obj:act where the route was authorized: on
// the case (its relationships) or in the tenant.
func (s *Server) allowedHere(c echo.Context, obj, act string) (bool, error) {
	p := principal(c)
	dom := c.Param("code")
	if d, ok := c.Get(ctxCaseRels).(authz.CaseDecision); ok {
		return authz.AllowedOnCase(s.deps.Authz, accessPrincipal(p), dom, d, obj, act)
	}
	return s.deps.Authz.Decide(authz.Request{Sub: p.Subject, RoleTenant: dom, Tenant: dom, Obj: obj, Act: act, Rel: tenantRel(p, dom)})
}

// summaryOnly tells whether the caller reads the case of the request through a summary share
// alone (access.SummaryOnly): it then gets the case's summary (cases.Case.Summary).
func (s *Server) summaryOnly(c echo.Context) (bool, error) {
	d, ok := c.Get(ctxCaseRels).(authz.CaseDecision)
	if !ok {
		return false, nil
	}
	read, err := s.deps.Authz.AllowedRelationships(authz.Request{Sub: principal(c).Subject, RoleTenant: d.RoleTenant, Tenant: c.Param("code"),
		Obj: authz.ObjCases, Act: authz.ActRead}, d.Rels)
	return access.SummaryOnly(d.Rels, read), err
}

// summariesIn tells, case by case, whether the caller sees only the summary of a case of a
// list: only a caller whose list takes in shares, and who does not read the whole tenant by its
// standing in it, needs each case's relationships.
func (s *Server) summariesIn(c echo.Context, cs []cases.Case) ([]bool, error) {
	out := make([]bool, len(cs))
	sc := listScope(c)
	dom := c.Param("code")
	if sc == nil || !slices.Contains(sc.Rels, access.Grantee) {
		return out, nil
	}
	if tr := access.TenantRelationship(sc.Principal, dom); tr != "" && slices.Contains(sc.Rels, tr) {
		return out, nil
	}
	for i, cs1 := range cs {
		facts, err := s.deps.Access.CaseAccess(c.Request().Context(), dom, cs1.ID)
		if err != nil {
			return nil, err
		}
		rels := access.Relationships(sc.Principal, facts, sc.Now)
		var read []string
		for _, r := range rels {
			if slices.Contains(sc.Rels, r) {
				read = append(read, r)
			}
		}
		out[i] = access.SummaryOnly(rels, read)
	}
	return out, nil
}

// requireHere is allowedHere answering 403.
func (s *Server) requireHere(c echo.Context, obj, act string) error {
	ok, err := s.allowedHere(c, obj, act)
	if err != nil {
		return err
	}
	if !ok {
		return forbidden(c.Param("code"), obj, act)
	}
	return nil
}

// ---- policies ----

type ruleDTO struct {
	ID           string `json:"id"`
	Role         string `json:"role"`
	Tenant       string `json:"tenant"`
	Resource     string `json:"resource"`
	Action       string `json:"action"`
	Relationship string `json:"relationship"`
	Effect       string `json:"effect"`
	Default      bool   `json:"default"`
	// Text says the rule in plain words.
	Text string `json:"text"`
}

type ruleList struct {
	Items []ruleDTO `json:"items"`
}

type ruleRequest struct {
	Role         string `json:"role"`
	Resource     string `json:"resource"`
	Action       string `json:"action"`
	Relationship string `json:"relationship"`
	Effect       string `json:"effect"`
}

// ruleID names a rule in URLs: its fields, base64url-encoded.
func ruleID(r authz.Rule) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(r.Row()[1:], "|")))
}

func parseRuleID(id string) (authz.Rule, bool) {
	b, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return authz.Rule{}, false
	}
	f := strings.Split(string(b), "|")
	if len(f) != 6 {
		return authz.Rule{}, false
	}
	return authz.Rule{Role: f[0], Tenant: f[1], Obj: f[2], Act: f[3], Rel: f[4], Effect: f[5]}, true
}

func toRuleDTO(r authz.Rule) ruleDTO {
	return ruleDTO{ID: ruleID(r), Role: r.Role, Tenant: r.Tenant, Resource: r.Obj, Action: r.Act, Relationship: r.Rel,
		Effect: r.Effect, Default: r.Default(), Text: authz.Describe(r)}
}

func (s *Server) listPolicies(c echo.Context) error {
	out := ruleList{Items: []ruleDTO{}}
	role, rel := c.QueryParam("role"), c.QueryParam("relationship")
	for _, r := range s.deps.Authz.Rules(c.Param("code")) {
		if (role == "" || r.Role == role) && (rel == "" || r.Rel == rel) && (c.QueryParam("resource") == "" || r.Obj == c.QueryParam("resource")) {
			out.Items = append(out.Items, toRuleDTO(r))
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) ruleFromRequest(c echo.Context) (authz.Rule, error) {
	var req ruleRequest
	if err := decodeJSON(c, &req); err != nil {
		return authz.Rule{}, err
	}
	r := authz.Rule{Role: req.Role, Tenant: c.Param("code"), Obj: req.Resource, Act: req.Action, Rel: req.Relationship, Effect: req.Effect}
	if r.Rel == "" {
		r.Rel = access.Any
	}
	if r.Effect == "" {
		r.Effect = authz.Allow
	}
	return r, nil
}

func (s *Server) addPolicy(c echo.Context) error {
	r, err := s.ruleFromRequest(c)
	if err != nil {
		return err
	}
	return s.changeRule(c, r, true)
}

func (s *Server) removePolicy(c echo.Context) error {
	r, ok := parseRuleID(c.Param("rule"))
	if !ok {
		return problem(http.StatusNotFound, "rule-not-found", "规则不存在 / Rule not found", "规则编号无效；请使用规则列表（GET …/policies）返回的 id / not a rule id: use an id listPolicies returned")
	}
	if r.Tenant != c.Param("code") && r.Tenant != authz.AnyTenant {
		return authz.ErrRuleNotFound
	}
	return s.changeRule(c, r, false)
}

// changeRule adds or removes a rule of the path's tenant: checked against escalation, stored
// and audited in one transaction, then applied in memory (other servers follow through the
// database's notifications).
func (s *Server) changeRule(c echo.Context, r authz.Rule, add bool) error {
	p := principal(c)
	if err := s.deps.Authz.CheckChange(p.Subject, r, add); err != nil {
		return err
	}
	dto := toRuleDTO(r)
	changed, err := s.deps.Access.ChangeTenantRule(c.Request().Context(), r.Tenant, r.Row(), add, dto)
	if err != nil {
		return err
	}
	switch {
	case !changed && add:
		return authz.ErrRuleExists
	case !changed:
		return authz.ErrRuleNotFound
	case add:
		if err := s.deps.Authz.Granted([][]string{r.Row()}); err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, dto)
	}
	if err := s.deps.Authz.Revoked([][]string{r.Row()}); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// ---- explain ----

type explainResponse struct {
	Allowed bool `json:"allowed"`
	// Relationship is the one decided on (see authz.Explanation), or "none".
	Relationship string `json:"relationship"`
	// Relationships: every relationship the platform computed between the subject and the
	// case (or the tenant).
	Relationships []string `json:"relationships"`
	Rule          *ruleDTO `json:"rule"`
	Subject       string   `json:"subject"`
	SubjectTenant string   `json:"subject_tenant"`
	Roles         []string `json:"roles"`
	Tenant        string   `json:"tenant"`
	CaseID        string   `json:"case_id,omitempty"`
	Resource      string   `json:"resource"`
	Action        string   `json:"action"`
	Reason        string   `json:"reason"`
}

// explainDecision answers "why can / can't this principal do this here": the decision, the
// relationships computed, and the rule that decided.
func (s *Server) explainDecision(c echo.Context) error {
	ctx := c.Request().Context()
	dom := c.Param("code")
	obj, act := c.QueryParam("resource"), c.QueryParam("action")
	if obj == "" {
		return invalid("resource", "请填写资源，如 \"cases\"（案件） / resource is required, e.g. cases")
	}
	if act == "" {
		return invalid("action", "请填写操作，如 \"read\"（查看） / action is required, e.g. read")
	}
	who, err := s.explainSubject(ctx, principal(c), dom, c.QueryParam("username"), c.QueryParam("token_id"))
	if err != nil {
		return err
	}
	out := explainResponse{Subject: who.Subject, SubjectTenant: who.TenantCode, Roles: s.deps.Roles.RolesOf(who.Subject), Tenant: dom,
		Resource: obj, Action: act, Relationships: []string{}}
	roleTenant := dom
	var rels []string
	if caseID := c.QueryParam("case_id"); caseID != "" {
		facts, err := s.deps.Access.CaseAccess(ctx, dom, caseID)
		if err != nil {
			return err
		}
		out.CaseID = caseID
		rels = access.Relationships(accessPrincipal(who), facts, s.deps.Cases.Now())
		if !division.Contains(who.TenantCode, dom) {
			roleTenant = who.TenantCode
		}
	} else if r := access.TenantRelationship(accessPrincipal(who), dom); r != "" {
		rels = []string{r}
	}
	out.Relationships = append(out.Relationships, rels...)
	if len(rels) == 0 {
		rels = []string{access.None}
	}
	ex, err := s.deps.Authz.Explain(authz.Request{Sub: who.Subject, RoleTenant: roleTenant, Tenant: dom, Obj: obj, Act: act}, rels)
	if err != nil {
		return err
	}
	out.Allowed, out.Relationship = ex.Allowed, ex.Rel
	if out.Relationship == "" {
		out.Relationship = rels[0]
	}
	if r, ok := authz.RuleOf(ex.Rule); ok {
		d := toRuleDTO(r)
		out.Rule = &d
	}
	switch {
	case out.Allowed:
		out.Reason = "允许：" + out.Rule.Text + " / allowed by the rule shown"
	case out.Rule != nil:
		out.Reason = "拒绝：" + out.Rule.Text + " / denied by the rule shown"
	case len(out.Relationships) == 0:
		out.Reason = "拒绝：与该案件或租户没有任何关系 / denied: no relationship to the case or tenant"
	default:
		out.Reason = "拒绝：没有规则允许其角色在这些关系下执行此操作 / denied: no rule allows its roles this action in these relationships"
	}
	return c.JSON(http.StatusOK, out)
}

// explainSubject finds the principal an explanation is about: a user by username or an API
// token of the tenant, within the caller's jurisdiction.
func (s *Server) explainSubject(ctx context.Context, caller identity.Principal, dom, username, tokenID string) (identity.Principal, error) {
	switch {
	case username != "" && tokenID != "":
		return identity.Principal{}, invalid("username", "username 与 token_id 只能给一个 / give username or token_id, not both")
	case username != "":
		u, err := s.deps.Identity.UserByName(ctx, username)
		if errors.Is(err, identity.ErrUserNotFound) || (err == nil && !division.Contains(caller.TenantCode, u.TenantCode)) {
			return identity.Principal{}, identity.ErrUserNotFound
		}
		if err != nil {
			return identity.Principal{}, err
		}
		return identity.Principal{Subject: u.Subject(), ID: u.ID, Kind: "user", TenantCode: u.TenantCode, Username: u.Username, OrganisationID: u.OrganisationID}, nil
	case tokenID != "":
		ts, err := s.deps.Identity.Tokens(ctx, dom)
		if err != nil {
			return identity.Principal{}, err
		}
		for _, t := range ts {
			if t.ID == tokenID {
				return identity.Principal{Subject: t.Subject(), ID: t.ID, Kind: "token", TenantCode: t.TenantCode, Username: t.Name, OrganisationID: t.OrganisationID}, nil
			}
		}
		return identity.Principal{}, identity.ErrTokenNotFound
	}
	return identity.Principal{}, invalid("username", "请给出要解释的用户（username）或令牌（token_id） / give the username or token_id to explain")
}

// ---- shares ----

type createShareRequest struct {
	GranteeTenant string    `json:"grantee_tenant"`
	GranteeOrg    string    `json:"grantee_organisation_id,omitempty"`
	Scope         string    `json:"scope"`
	Purpose       string    `json:"purpose"`
	ExpiresAt     time.Time `json:"expires_at"`
}

type shareList struct {
	Items []access.CaseShare `json:"items"`
}

func (s *Server) createCaseShare(c echo.Context) error {
	var req createShareRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sh := access.CaseShare{Tenant: c.Param("code"), CaseID: c.Param("id"), GranteeTenant: req.GranteeTenant, GranteeOrg: strings.TrimSpace(req.GranteeOrg),
		Scope: req.Scope, Purpose: req.Purpose, ExpiresAt: req.ExpiresAt, CreatedBy: principal(c).Subject}
	if sh.Scope == "" {
		sh.Scope = access.ScopeSummary
	}
	if err := access.CheckShare(&sh, s.deps.Cases.Now()); err != nil {
		return err
	}
	out, err := s.deps.Access.CreateShare(c.Request().Context(), sh)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) revokeCaseShare(c echo.Context) error {
	out, err := s.deps.Access.RevokeShare(c.Request().Context(), c.Param("code"), c.Param("id"), c.Param("share"), principal(c).Subject)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) listCaseShares(c echo.Context) error {
	items, err := s.deps.Access.CaseShares(c.Request().Context(), c.Param("code"), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, shareList{Items: append([]access.CaseShare{}, items...)})
}

// listSharedWithMe lists the active shares addressed to the caller (its tenant, or its
// organisation): the cases of other tenants it may open.
func (s *Server) listSharedWithMe(c echo.Context) error {
	p := principal(c)
	if c.Param("code") != p.TenantCode {
		return sharesOfAnotherTenant()
	}
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	items, err := s.deps.Access.SharedWith(c.Request().Context(), p.TenantCode, p.OrganisationID, s.deps.Cases.Now(), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, shareList{Items: append([]access.CaseShare{}, items...)})
}

func sharesOfAnotherTenant() *Problem {
	return problem(http.StatusForbidden, "shares-of-another-tenant", "只能查看共享给本租户的案件 / Shares of another tenant",
		"请使用您自己租户的代码 / use your own tenant's code")
}

// ---- links ----

type linkRequest struct {
	Kind    string `json:"kind"`
	PartyID string `json:"party_id"`
	Reason  string `json:"reason"`
	Note    string `json:"note,omitempty"`
}

type linkList struct {
	Items []access.Link `json:"items"`
}

func (s *Server) linkCase(c echo.Context) error {
	var req linkRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	switch req.Kind {
	case access.LinkOrganisation, access.LinkUser:
	default:
		return invalid("kind", `kind 须为 "organisation"（协作单位）或 "user"（调解员） / kind must be "organisation" or "user"`)
	}
	if req.Reason == "" {
		req.Reason = access.ReasonManual
		if req.Kind == access.LinkUser {
			req.Reason = access.ReasonMediator
		}
	}
	switch req.Reason {
	case access.ReasonManual, access.ReasonJoint, access.ReasonMediator:
	default:
		return invalid("reason", `reason 可选 "manual"（手工关联）、"joint"（联合调解）、"mediator"（指派调解员） / reason must be manual, joint or mediator`)
	}
	if req.PartyID == "" {
		return invalid("party_id", "请填写组织或用户的 id / party_id is required")
	}
	if len(req.Note) > 500 {
		return invalid("note", "备注最多 500 字节 / note must be at most 500 bytes")
	}
	l, err := s.deps.Access.LinkCase(c.Request().Context(), c.Param("code"), c.Param("id"),
		access.Link{Kind: req.Kind, PartyID: req.PartyID, Reason: req.Reason, Note: req.Note, CreatedBy: principal(c).Subject})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, l)
}

func (s *Server) unlinkCase(c echo.Context) error {
	found, err := s.deps.Access.UnlinkCase(c.Request().Context(), c.Param("code"), c.Param("id"), c.Param("kind"), c.Param("party"))
	if err != nil {
		return err
	}
	if !found {
		return problem(http.StatusNotFound, "link-not-found", "关联不存在 / Link not found", "该案件没有这个关联 / the case has no such link")
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listCaseLinks(c echo.Context) error {
	items, err := s.deps.Access.CaseLinks(c.Request().Context(), c.Param("code"), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, linkList{Items: append([]access.Link{}, items...)})
}

// ---- agency tokens ----

type createAgencyTokenRequest struct {
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// createAgencyToken issues an API token for an agency's system (role agency-system, bound to
// the agency): it sees the cases the agency referred or is linked to.
func (s *Server) createAgencyToken(c echo.Context) error {
	var req createAgencyTokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, text, err := s.deps.Identity.CreateToken(c.Request().Context(), principal(c), c.Param("code"),
		identity.NewToken{Name: req.Name, Role: identity.RoleAgencySystem, ExpiresAt: req.ExpiresAt, OrganisationID: c.Param("id")})
	if err != nil {
		if fe, ok := valid.First(err); ok && errors.Is(err, identity.ErrInvalid) && fe.Field == "organisation_id" {
			return identity.ErrOrganisationNotFound
		}
		return err
	}
	return c.JSON(http.StatusCreated, createdToken{tokenDTO: toTokenDTO(t), Token: text})
}

func accessRoutes() []route {
	caseQ := []queryParam{{"case_id", "案件 id（不填则为租户层面的操作） / case id; omitted: a request about no case", "string"}}
	return []route{
		{method: http.MethodGet, path: "/api/v1/tenants/:code/policies", operationID: "listPolicies", summary: "本租户生效的授权规则（平台默认 + 本租户覆盖），逐条以中文说明：角色 × 资源 × 操作 × 关系 / The rules in force: defaults and the tenant's own, each in plain words", tag: "access", tenantScoped: true, requireActive: true, obj: authz.ObjPolicies, act: authz.ActRead, response: ruleList{}, status: 200, handler: (*Server).listPolicies,
			query: []queryParam{{"role", "按角色筛选 / by role", "string"}, {"resource", "按资源筛选 / by resource", "string"}, {"relationship", "按关系筛选 / by relationship", "string"}}},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/policies", operationID: "addPolicy", summary: "增加本租户的规则（允许或拒绝）；不能授予超出自身的权限，审计 / Add a rule of the tenant (allow or deny); never more than you hold; audited", tag: "access", tenantScoped: true, requireActive: true, obj: authz.ObjPolicies, act: authz.ActUpdate, request: ruleRequest{}, response: ruleDTO{}, status: 201, handler: (*Server).addPolicy},
		{method: http.MethodDelete, path: "/api/v1/tenants/:code/policies/:rule", operationID: "removePolicy", summary: "删除本租户的规则（默认规则不可删，请加拒绝规则）；审计 / Remove a rule of the tenant (defaults stay: add a deny rule); audited", tag: "access", tenantScoped: true, requireActive: true, obj: authz.ObjPolicies, act: authz.ActUpdate, status: 204, handler: (*Server).removePolicy},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/policies/explain", operationID: "explainDecision", summary: "解释一个决定：某用户或令牌能否在本租户（或某案件上）执行某操作、计算出的关系、命中的规则 / Why can or can't this principal do this: decision, relationships, matching rule", tag: "access", tenantScoped: true, requireActive: true, obj: authz.ObjPolicies, act: authz.ActRead, response: explainResponse{}, status: 200, handler: (*Server).explainDecision,
			query: append([]queryParam{{"username", "要解释的用户名 / the user to explain", "string"}, {"token_id", "或本租户的 API 令牌 id / or an API token of the tenant", "string"},
				{"resource", "资源，如 \"cases\"（案件）、\"cases.pii\"（当事人个人信息） / resource, e.g. cases, cases.pii", "string"}, {"action", "操作，如 \"read\"（查看）、\"confirm\"（记录司法确认） / action, e.g. read, confirm", "string"}}, caseQ...)},

		{method: http.MethodPost, path: "/api/v1/tenants/:code/cases/:id/shares", operationID: "createCaseShare", summary: "将案件共享给其他协作单位或租户：说明目的、范围（摘要/含当事人）和到期时间；可撤销，审计 / Share a case with an agency or tenant for a purpose, a scope and until a date; revocable; audited", tag: "access", tenantScoped: true, requireActive: true, obj: authz.ObjCases, act: authz.ActShare, caseScoped: caseParam, request: createShareRequest{}, response: access.CaseShare{}, status: 201, handler: (*Server).createCaseShare},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/:id/shares", operationID: "listCaseShares", summary: "案件的共享记录（含已撤销、已到期） / The shares of a case, revoked and expired included", tag: "access", tenantScoped: true, requireActive: true, obj: authz.ObjCases, act: authz.ActShare, caseScoped: caseParam, response: shareList{}, status: 200, handler: (*Server).listCaseShares},
		{method: http.MethodDelete, path: "/api/v1/tenants/:code/cases/:id/shares/:share", operationID: "revokeCaseShare", summary: "撤销共享（立即生效），审计 / Revoke a share at once; audited", tag: "access", tenantScoped: true, requireActive: true, obj: authz.ObjCases, act: authz.ActShare, caseScoped: caseParam, response: access.CaseShare{}, status: 200, handler: (*Server).revokeCaseShare},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/shared-cases", operationID: "listSharedWithMe", summary: "共享给我（本租户或本单位）的在效案件；用 tenant_code 与 case_id 打开案件 / Active shares addressed to you; open each case at its tenant_code and case_id", tag: "access", tenantScoped: true, requireActive: true, obj: authz.ObjTenants, act: authz.ActRead, response: shareList{}, status: 200, handler: (*Server).listSharedWithMe,
			query: []queryParam{{"limit", "1–500，默认 100 / 1–500, default 100", "integer"}}},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/cases/:id/links", operationID: "linkCase", summary: "关联协作单位（其可查看本案）或指派调解员；审计 / Link an agency to the case (it may then see it) or assign a mediator; audited", tag: "access", tenantScoped: true, requireActive: true, obj: authz.ObjCases, act: authz.ActLink, caseScoped: caseParam, request: linkRequest{}, response: access.Link{}, status: 201, handler: (*Server).linkCase},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/:id/links", operationID: "listCaseLinks", summary: "案件关联的协作单位与调解员 / Agencies and mediators linked to a case", tag: "access", tenantScoped: true, requireActive: true, obj: authz.ObjCases, act: authz.ActRead, caseScoped: caseParam, response: linkList{}, status: 200, handler: (*Server).listCaseLinks},
		{method: http.MethodDelete, path: "/api/v1/tenants/:code/cases/:id/links/:kind/:party", operationID: "unlinkCase", summary: "取消关联；审计 / Remove a link; audited", tag: "access", tenantScoped: true, requireActive: true, obj: authz.ObjCases, act: authz.ActLink, caseScoped: caseParam, status: 204, handler: (*Server).unlinkCase},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/organisations/:id/tokens", operationID: "createAgencyToken", summary: "为协作单位的系统签发 API 令牌（角色为协作单位系统，仅显示一次）：可查看该单位移送或关联的案件 / Issue an API token for an agency's system (shown once): it sees the cases the agency referred or is linked to", tag: "access", tenantScoped: true, requireActive: true, obj: authz.ObjTokens, act: authz.ActCreate, request: createAgencyTokenRequest{}, response: createdToken{}, status: 201, handler: (*Server).createAgencyToken},
	}
}
