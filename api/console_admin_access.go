package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/codes"
	"github.com/labstack/echo/v4"
)

// Administration, continued: onboarding and the tenants of the jurisdiction; the policy in
// plain words with the "why can / can't" explainer.

// ---- onboarding and the tenants of the jurisdiction ----

func consoleAdminTenantPages() []page {
	return []page{
		{method: http.MethodGet, path: "/admin/tenants", handler: (*Server).adminTenants},
		{method: http.MethodPost, path: "/admin/tenants/onboard", handler: (*Server).adminOnboard},
		{method: http.MethodPost, path: "/admin/tenants/:tenant/:action", handler: (*Server).adminTenantLifecycle},
		{method: http.MethodGet, path: "/admin/policy", handler: (*Server).adminPolicy},
		{method: http.MethodPost, path: "/admin/policy", handler: (*Server).adminPolicyAdd},
		{method: http.MethodPost, path: "/admin/policy/remove", handler: (*Server).adminPolicyRemove},
		{method: http.MethodGet, path: "/admin/policy/explain", handler: (*Server).adminExplain},
	}
}

// levelNames and tenantStatusNames name a tenant's level and status.
func levelNames() codes.Set {
	return codes.Set{{Code: "country", ZH: "全国", EN: "Country"}, {Code: "province", ZH: "省级", EN: "Province"},
		{Code: "city", ZH: "市级", EN: "City"}, {Code: "district", ZH: "区县", EN: "District"}}
}

func tenantStatusNames() codes.Set {
	return codes.Set{{Code: "active", ZH: "运行中", EN: "Active"}, {Code: "suspended", ZH: "已暂停", EN: "Suspended"}, {Code: "archived", ZH: "已归档", EN: "Archived"}}
}

// lifecycleNames name the tenant's lifecycle actions.
func lifecycleNames() codes.Set {
	return codes.Set{{Code: "suspend", ZH: "暂停", EN: "Suspend"}, {Code: "resume", ZH: "恢复", EN: "Resume"}, {Code: "archive", ZH: "归档", EN: "Archive"}}
}

// tenantRow is a tenant of the list with the lifecycle actions the user may take on it.
type tenantRow struct {
	tenantDTO
	Actions []string
}

func (s *Server) adminTenants(c echo.Context, v *view) error {
	return s.adminTenantsPage(c, v, s.adminView(c, v, "tenants"), http.StatusOK)
}

func (s *Server) adminTenantsPage(c echo.Context, v *view, d *adminData, status int) error {
	v.Title = v.T("开通与租户", "Onboarding")
	if _, ok := d.Extra["failedTenant"]; !ok {
		d.Extra["failedTenant"] = ""
	}
	d.Filter = listQuery(c, "q", "level", "status")
	res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants", query: d.Filter})
	if err != nil {
		return err
	}
	list, _ := res.Value.(tenantList)
	rows := make([]tenantRow, 0, len(list.Items))
	for _, t := range list.Items {
		r := tenantRow{tenantDTO: t}
		for _, a := range t.AllowedActions {
			if a != "suspend" && a != "resume" && a != "archive" {
				continue
			}
			if ok, err := s.deps.Authz.Allowed(v.User.Principal.Subject, t.Code, authz.ObjTenants, a); err == nil && ok && t.Code != v.User.TenantCode {
				r.Actions = append(r.Actions, a)
			}
		}
		rows = append(rows, r)
	}
	d.Items, d.Next = rows, list.NextAfter
	d.Choices["level"], d.Choices["status"], d.Choices["action"] = levelNames(), tenantStatusNames(), lifecycleNames()
	d.Extra["registry"] = v.Can(authz.ObjOrganisations, authz.ActRead)
	return s.render(c, v, status, "admin_tenants")
}

// onboardResult is the report of an onboarding with the tenants named.
type onboardResult struct {
	onboardReport
	Created, Existing, Ancestors []string // "上海市普陀区" — names, not codes
}

func (s *Server) adminOnboard(c echo.Context, v *view) error {
	d := s.adminView(c, v, "tenants")
	f := d.Form
	code := strings.TrimSpace(f.Get("code"))
	req := bulkOnboardRequest{WithOffices: f.Get("with_offices") == "true"}
	if f.Get("scope") == "within" {
		req.Within = code
	} else if code != "" {
		req.Codes = []string{code}
	}
	res, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/bulk", body: req})
	status := http.StatusOK
	if err != nil {
		if status, err = problemStatus(v, err); err != nil {
			return err
		}
		if v.Problem.Field == "within" || v.Problem.Field == "codes" {
			v.Problem.Field = "code"
		}
	} else if rep, ok := res.Value.(onboardReport); ok {
		out := onboardResult{onboardReport: rep}
		for _, c := range rep.Created {
			out.Created = append(out.Created, authz.TenantWord(c))
		}
		for _, c := range rep.Existing {
			out.Existing = append(out.Existing, authz.TenantWord(c))
		}
		for _, c := range rep.CreatedAncestors {
			out.Ancestors = append(out.Ancestors, authz.TenantWord(c))
		}
		d.Result = out
	}
	return s.adminTenantsPage(c, v, d, status)
}

func (s *Server) adminTenantLifecycle(c echo.Context, v *view) error {
	d := s.adminView(c, v, "tenants")
	action := c.Param("action")
	if action != "suspend" && action != "resume" && action != "archive" {
		return echo.ErrNotFound
	}
	_, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/" + action, params: map[string]string{"code": c.Param("tenant")},
		body: lifecycleRequest{Reason: d.Form.Get("reason")}})
	if err != nil {
		status, err := problemStatus(v, err)
		if err != nil {
			return err
		}
		d.Extra["failedTenant"] = c.Param("tenant")
		return s.adminTenantsPage(c, v, d, status)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/tenants?done=saved")
}

// ---- the policy in plain words, and why can / can't ----

// policyChoices: the roles, resources, actions and relationships a rule is written with.
func policyChoices(d *adminData) {
	d.Choices["role"] = roleNames()
	var res codes.Set
	for _, o := range []string{authz.ObjCases, authz.ObjCasePII, authz.ObjCaseAgreement, authz.ObjWarnings, authz.ObjOrganisations, authz.ObjMediators,
		authz.ObjExperts, authz.ObjUsers, authz.ObjTokens, authz.ObjTenants, authz.ObjOffices, authz.ObjAudit, authz.ObjStats, authz.ObjLibrary,
		authz.ObjInbox, authz.ObjDisputeTypes, authz.ObjCaseSettings, authz.ObjPolicies, authz.ObjPlugins, authz.ObjPluginRoutes} {
		res = append(res, codes.Name{Code: o, ZH: authz.ActionWords(o, ""), EN: o})
	}
	d.Choices["resource"] = res
	var acts codes.Set
	for _, a := range []string{authz.ActRead, authz.ActCreate, authz.ActUpdate, authz.ActAssign, authz.ActAcknowledge, authz.ActConfirm, authz.ActExport,
		authz.ActImport, authz.ActShare, authz.ActLink, authz.ActReview, authz.ActConfigure, authz.ActRevoke, authz.ActOnboard, authz.ActSuspend,
		authz.ActResume, authz.ActArchive, authz.ActRestart, authz.ActWrite} {
		acts = append(acts, codes.Name{Code: a, ZH: authz.ActionWords("", a), EN: a})
	}
	d.Choices["action"] = acts
	rels := codes.Set{{Code: access.Any, ZH: authz.RelationshipWord(access.Any), EN: "Any relationship"}}
	for _, r := range []access.Relationship{access.Owner, access.Committee, access.Mediator, access.Referrer, access.ConfirmingCourt, access.Linked,
		access.Grantee, access.GranteeParties, access.Partner, access.Escalated, access.Member} {
		rels = append(rels, codes.Name{Code: string(r), ZH: authz.RelationshipWord(string(r)), EN: strings.ReplaceAll(string(r), "_", " ")})
	}
	d.Choices["relationship"] = rels
	d.Choices["effect"] = codes.Set{{Code: authz.Allow, ZH: "允许", EN: "Allow"}, {Code: authz.Deny, ZH: "拒绝", EN: "Deny"}}
}

func (s *Server) adminPolicy(c echo.Context, v *view) error {
	return s.adminPolicyPage(c, v, s.adminView(c, v, "policy"), http.StatusOK)
}

func (s *Server) adminPolicyPage(c echo.Context, v *view, d *adminData, status int) error {
	v.Title = v.T("授权规则", "Policy")
	d.Filter = url.Values{}
	if d.Extra["ownProblem"] == nil { // the explainer's resource is not the list's filter
		for _, n := range []string{"role", "resource", "relationship"} {
			if x := c.QueryParam(n); x != "" {
				d.Filter.Set(n, x)
			}
		}
	}
	res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/policies", params: tenantPath(d), query: d.Filter})
	if err != nil {
		return err
	}
	list, _ := res.Value.(ruleList)
	d.Items = list.Items
	policyChoices(d)
	if _, ok := d.Extra["explain"]; !ok {
		d.Extra["explain"] = url.Values{}
	}
	if _, ok := d.Extra["usernames"]; !ok {
		s.explainUsers(v, d)
	}
	return s.render(c, v, status, "admin_policy")
}

func (s *Server) adminPolicyAdd(c echo.Context, v *view) error {
	d := s.adminView(c, v, "policy")
	f := d.Form
	_, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/policies", params: tenantPath(d),
		body: ruleRequest{Role: f.Get("role"), Resource: f.Get("resource"), Action: f.Get("action"), Relationship: f.Get("relationship"), Effect: f.Get("effect")}})
	if err == nil {
		return adminRedirect(c, d, "/admin/policy", "created")
	}
	status, err := problemStatus(v, err)
	if err != nil {
		return err
	}
	return s.adminPolicyPage(c, v, d, status)
}

func (s *Server) adminPolicyRemove(c echo.Context, v *view) error {
	d := s.adminView(c, v, "policy")
	if _, err := v.op(opCall{method: http.MethodDelete, path: "/api/v1/tenants/:code/policies/:rule",
		params: map[string]string{"code": d.Tenant, "rule": d.Form.Get("rule")}}); err != nil {
		return err
	}
	return adminRedirect(c, d, "/admin/policy", "removed")
}

// explainUsers offers the tenant's usernames to the explainer (a datalist: any user of the
// jurisdiction may still be typed).
func (s *Server) explainUsers(v *view, d *adminData) {
	var names []string
	if v.Can(authz.ObjUsers, authz.ActRead) {
		if r, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/users", params: tenantPath(d), query: url.Values{"limit": {"500"}}}); err == nil {
			ul, _ := r.Value.(userList)
			for _, u := range ul.Items {
				names = append(names, u.Username)
			}
		}
	}
	d.Extra["usernames"] = names
	var tokens []tokenDTO
	if v.Can(authz.ObjTokens, authz.ActRead) {
		if r, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/tokens", params: tenantPath(d)}); err == nil {
			tl, _ := r.Value.(tokenList)
			for _, t := range tl.Items {
				if t.Active {
					tokens = append(tokens, t)
				}
			}
		}
	}
	d.Extra["tokens"] = tokens
}

// explanation is the explainer's answer in words.
type explanation struct {
	explainResponse
	Who           string
	RoleWords     []string
	RelWords      []string
	ActionWords   string
	Rule          string
	RuleDefault   bool
	ReasonZH      string
	ReasonEN      string
	SubjectTenant string
}

// adminExplain answers "why can / can't": the user (or token), the resource and action,
// optionally a case. For htmx only the answer is sent.
func (s *Server) adminExplain(c echo.Context, v *view) error {
	d := s.adminView(c, v, "policy")
	q := url.Values{}
	for _, n := range []string{"username", "token_id", "resource", "action", "case_id"} {
		if x := strings.TrimSpace(c.QueryParam(n)); x != "" {
			q.Set(n, x)
		}
	}
	d.Extra["explain"], d.Extra["ownProblem"] = q, true
	s.explainUsers(v, d)
	res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/policies/explain", params: tenantPath(d), query: q})
	status := http.StatusOK
	if err != nil {
		if status, err = problemStatus(v, err); err != nil {
			return err
		}
		if status == http.StatusNotFound && v.Problem.Type != "" && strings.HasSuffix(v.Problem.Type, "user-not-found") {
			v.Problem.Field = "username"
		}
	} else if ex, ok := res.Value.(explainResponse); ok {
		out := explanation{explainResponse: ex, Who: q.Get("username"), ActionWords: authz.ActionWords(ex.Resource, ex.Action),
			SubjectTenant: authz.TenantWord(ex.SubjectTenant)}
		if out.Who == "" {
			out.Who = v.T("接口令牌", "API token ") + q.Get("token_id")
			if ts, ok := d.Extra["tokens"].([]tokenDTO); ok {
				for _, t := range ts {
					if t.ID == q.Get("token_id") {
						out.Who = v.T("接口令牌「", "API token “") + t.Name + v.T("」", "”")
					}
				}
			}
		}
		for _, r := range ex.Roles {
			out.RoleWords = append(out.RoleWords, authz.RoleWord(r))
		}
		for _, r := range ex.Relationships {
			out.RelWords = append(out.RelWords, authz.RelationshipWord(r))
		}
		if ex.Rule != nil {
			out.Rule, out.RuleDefault = ex.Rule.Text, ex.Rule.Default
		}
		out.ReasonZH, out.ReasonEN, _ = strings.Cut(ex.Reason, " / ")
		d.Result = out
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		policyChoices(d)
		return s.renderBlock(c, v, status, "admin_policy", "admin_explain")
	}
	return s.adminPolicyPage(c, v, d, status)
}
