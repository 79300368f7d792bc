package api

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/codes"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/labstack/echo/v4"
)

// Administration: organisations, mediators, experts, users, tokens, onboarding, the policy,
// plugins and their settings, import and export. Every list and every change is the API's
// operation invoked as the user (console_invoke.go): a section the user may not use is not
// offered, and the operation refuses it anyway.
func consoleAdminPages() []page {
	return append([]page{
		{method: http.MethodGet, path: "/admin", handler: (*Server).adminHome},
		{method: http.MethodGet, path: "/admin/organisations", handler: (*Server).adminOrgs},
		{method: http.MethodPost, path: "/admin/organisations", handler: (*Server).adminOrgCreate},
		{method: http.MethodPost, path: "/admin/organisations/:id/status", handler: (*Server).adminOrgStatus},
		{method: http.MethodGet, path: "/admin/mediators", handler: (*Server).adminMediators},
		{method: http.MethodPost, path: "/admin/mediators", handler: (*Server).adminMediatorCreate},
		{method: http.MethodPost, path: "/admin/mediators/:id", handler: (*Server).adminMediatorChange},
		{method: http.MethodGet, path: "/admin/experts", handler: (*Server).adminExperts},
		{method: http.MethodPost, path: "/admin/experts/:id/status", handler: (*Server).adminExpertStatus},
		{method: http.MethodPost, path: "/admin/experts", handler: (*Server).adminExpertCreate},
		{method: http.MethodGet, path: "/admin/users", handler: (*Server).adminUsers},
		{method: http.MethodPost, path: "/admin/users", handler: (*Server).adminUserCreate},
		{method: http.MethodPost, path: "/admin/users/:id", handler: (*Server).adminUserChange},
		{method: http.MethodGet, path: "/admin/tokens", handler: (*Server).adminTokens},
		{method: http.MethodPost, path: "/admin/tokens", handler: (*Server).adminTokenCreate},
		{method: http.MethodPost, path: "/admin/tokens/:id/revoke", handler: (*Server).adminTokenRevoke},
	}, append(append(consoleAdminTenantPages(), consoleAdminFilePages()...), consoleAdminEditPages()...)...)
}

// adminTab is one section of the administration.
type adminTab struct {
	Key, Path, ZH, EN string
	Active            bool
}

// adminData is what every administration page receives: its sections, the tenant acted on,
// the submitted form (kept when the API refused it), the list and its next page.
type adminData struct {
	Tabs       []adminTab
	Tab        string
	Path       string
	Lang       string
	Tenant     string // the tenant acted on (the user's own unless ?tenant= names one below it)
	TenantName string
	Own        bool
	Form       url.Values
	Items      any
	Next       string // the cursor of the next page, "" on the last
	Filter     url.Values
	Choices    map[string]codes.Set
	Result     any // what an action produced: a created token, an onboarding report, an import report…
	Extra      map[string]any
}

// Query is the tenant's query string for links and forms ("" for the user's own tenant).
func (d *adminData) Query() string {
	if d.Own {
		return ""
	}
	return "?tenant=" + d.Tenant
}

// PageURL is the link to the page of the list after the cursor ("": the first), with its filters.
func (d *adminData) PageURL(after string) string {
	q := url.Values{}
	for k, vs := range d.Filter {
		if k != "after" && k != "limit" {
			q[k] = vs
		}
	}
	if after != "" {
		q.Set("after", after)
	}
	if !d.Own {
		q.Set("tenant", d.Tenant)
	}
	if len(q) == 0 {
		return d.Path
	}
	return d.Path + "?" + q.Encode()
}

// Word names a code of one of the page's choices in the user's language.
func (d *adminData) Word(set, code string) string {
	n, ok := d.Choices[set].Lookup(code)
	switch {
	case !ok:
		return code
	case d.Lang == "en" && n.EN != "":
		return n.EN
	}
	return n.ZH
}

var tenantCodePattern = regexp.MustCompile(`^[0-9]{6}$`)

// adminTenant is the tenant a page acts on: ?tenant= (an upper level looking at a tenant below
// it; the operation decides whether it may) or the user's own.
func adminTenant(c echo.Context, v *view) string {
	if t := c.FormValue("tenant"); tenantCodePattern.MatchString(t) {
		return t
	}
	return v.User.TenantCode
}

// canOwn: the user may do act on obj for its own tenant's cases (exports).
func (v *view) canOwn(obj, act string) bool {
	if v.User == nil {
		return false
	}
	ok, err := v.s.deps.Authz.Decide(authz.Request{Sub: v.User.Principal.Subject, RoleTenant: v.User.TenantCode, Tenant: v.User.TenantCode, Obj: obj, Act: act, Rel: access.Owner})
	return err == nil && ok
}

func (s *Server) adminTabs(v *view, active string) []adminTab {
	all := []struct {
		adminTab
		ok bool
	}{
		{adminTab{Key: "organisations", Path: "/admin/organisations", ZH: "组织", EN: "Organisations"}, v.Can(authz.ObjOrganisations, authz.ActRead)},
		{adminTab{Key: "mediators", Path: "/admin/mediators", ZH: "调解员", EN: "Mediators"}, v.Can(authz.ObjMediators, authz.ActRead)},
		{adminTab{Key: "experts", Path: "/admin/experts", ZH: "专家库", EN: "Experts"}, v.Can(authz.ObjExperts, authz.ActRead)},
		{adminTab{Key: "users", Path: "/admin/users", ZH: "用户", EN: "Users"}, v.Can(authz.ObjUsers, authz.ActRead)},
		{adminTab{Key: "tokens", Path: "/admin/tokens", ZH: "接口令牌", EN: "API tokens"}, v.Can(authz.ObjTokens, authz.ActRead)},
		{adminTab{Key: "tenants", Path: "/admin/tenants", ZH: "开通与租户", EN: "Onboarding"}, v.Can(authz.ObjTenants, authz.ActOnboard)},
		{adminTab{Key: "policy", Path: "/admin/policy", ZH: "授权规则", EN: "Policy"}, v.Can(authz.ObjPolicies, authz.ActRead)},
		{adminTab{Key: "plugins", Path: "/admin/plugins", ZH: "地区插件", EN: "Plugins"}, v.Can(authz.ObjPlugins, authz.ActRead)},
		{adminTab{Key: "import", Path: "/admin/import", ZH: "案件导入", EN: "Case import"}, v.Can(authz.ObjCases, authz.ActImport)},
		{adminTab{Key: "export", Path: "/admin/export", ZH: "导出", EN: "Exports"}, v.canOwn(authz.ObjCases, authz.ActExport) || v.Can(authz.ObjStats, authz.ActRead)},
	}
	var out []adminTab
	for _, t := range all {
		if t.ok {
			t.Active = t.Key == active
			out = append(out, t.adminTab)
		}
	}
	return out
}

// adminView prepares the page data of a section.
func (s *Server) adminView(c echo.Context, v *view, tab string) *adminData {
	d := &adminData{Lang: v.Lang, Path: "/admin/" + tab, Tab: tab, Tabs: s.adminTabs(v, tab), Tenant: adminTenant(c, v), Form: url.Values{}, Filter: url.Values{},
		Choices: map[string]codes.Set{}, Extra: map[string]any{}}
	d.Own = d.Tenant == v.User.TenantCode
	d.TenantName = authz.TenantWord(d.Tenant)
	if d.Own && v.User.TenantName != "" {
		d.TenantName = v.User.TenantName
	}
	if f, err := c.FormParams(); err == nil && c.Request().Method == http.MethodPost {
		d.Form = f
	}
	v.Data = d
	switch c.QueryParam("done") {
	case "created":
		v.Flash = v.T("已新建。", "Created.")
	case "saved":
		v.Flash = v.T("已保存。", "Saved.")
	case "revoked":
		v.Flash = v.T("已吊销。", "Revoked.")
	case "removed":
		v.Flash = v.T("已删除。", "Removed.")
	}
	return d
}

// problemStatus shows err as the form's problem and returns the status to answer with; an
// internal failure is returned as is (an error page, never a trace).
func problemStatus(v *view, err error) (int, error) {
	p := toProblem(err)
	if p.Status >= 500 {
		return 0, err
	}
	v.Problem = p
	if p.Status == http.StatusBadRequest {
		// The API's "invalid field": a form answers 422, the page shown again with the message.
		return http.StatusUnprocessableEntity, nil
	}
	return p.Status, nil
}

// adminRedirect goes back to a section after a change (303, the form is not resubmitted).
func adminRedirect(c echo.Context, d *adminData, path, done string) error {
	q := url.Values{"done": {done}}
	if !d.Own {
		q.Set("tenant", d.Tenant)
	}
	return c.Redirect(http.StatusSeeOther, path+"?"+q.Encode())
}

// listQuery copies the listing parameters a page passes on to its operation.
func listQuery(c echo.Context, names ...string) url.Values {
	q := url.Values{"limit": {"50"}}
	for _, n := range append(names, "after") {
		if v := strings.TrimSpace(c.QueryParam(n)); v != "" {
			q.Set(n, v)
		}
	}
	return q
}

func (s *Server) adminHome(c echo.Context, v *view) error {
	tabs := s.adminTabs(v, "")
	for _, t := range tabs {
		if t.Key == "tenants" { // upper levels: onboarding first
			return c.Redirect(http.StatusSeeOther, t.Path)
		}
	}
	if len(tabs) == 0 {
		return problem(http.StatusForbidden, "forbidden", "无权访问 / Forbidden", "您没有可用的管理功能 / you may use no administration section")
	}
	return c.Redirect(http.StatusSeeOther, tabs[0].Path)
}

func tenantPath(d *adminData) map[string]string { return map[string]string{"code": d.Tenant} }

// ---- organisations ----

func (s *Server) adminOrgs(c echo.Context, v *view) error {
	return s.adminOrgsPage(c, v, s.adminView(c, v, "organisations"), http.StatusOK)
}

func (s *Server) adminOrgsPage(c echo.Context, v *view, d *adminData, status int) error {
	v.Title = v.T("组织", "Organisations")
	d.Filter = listQuery(c, "q", "kind", "status")
	res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/organisations", params: tenantPath(d), query: d.Filter})
	if err != nil {
		return err
	}
	list, _ := res.Value.(organisationList)
	d.Items, d.Next = list.Items, list.NextAfter
	d.Choices["kind"] = orgs.KindNames()
	d.Choices["industry"] = orgs.IndustryNames()
	d.Choices["station"] = orgs.StationNames()
	d.Choices["status"] = orgs.StatusNames()
	return s.render(c, v, status, "admin_orgs")
}

func (s *Server) adminOrgCreate(c echo.Context, v *view) error {
	d := s.adminView(c, v, "organisations")
	f := d.Form
	req := createOrganisationRequest{Kind: f.Get("kind"), Name: f.Get("name"), StreetCode: f.Get("street_code"), VillageCode: f.Get("village_code"),
		Industry: f.Get("industry"), StationedAt: f.Get("stationed_at"), MediatorName: f.Get("mediator_name"), WebhookURL: f.Get("webhook_url")}
	if f.Get("contact_name") != "" || f.Get("contact_phone") != "" || f.Get("contact_address") != "" {
		req.Contact = &orgContactDTO{Name: f.Get("contact_name"), Phone: f.Get("contact_phone"), Address: f.Get("contact_address")}
	}
	_, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/organisations", params: tenantPath(d), body: req})
	if err == nil {
		return adminRedirect(c, d, "/admin/organisations", "created")
	}
	status, err := problemStatus(v, err)
	if err != nil {
		return err
	}
	return s.adminOrgsPage(c, v, d, status)
}

func (s *Server) adminOrgStatus(c echo.Context, v *view) error {
	d := s.adminView(c, v, "organisations")
	st := d.Form.Get("status")
	_, err := v.op(opCall{method: http.MethodPatch, path: "/api/v1/tenants/:code/organisations/:id",
		params: map[string]string{"code": d.Tenant, "id": c.Param("id")}, body: updateOrganisationRequest{Status: &st}})
	if err != nil {
		return err
	}
	return adminRedirect(c, d, "/admin/organisations", "saved")
}

// ---- mediators ----

func (s *Server) adminMediators(c echo.Context, v *view) error {
	return s.adminMediatorsPage(c, v, s.adminView(c, v, "mediators"), http.StatusOK)
}

func (s *Server) adminMediatorsPage(c echo.Context, v *view, d *adminData, status int) error {
	v.Title = v.T("调解员", "Mediators")
	if _, ok := d.Extra["failedMediator"]; !ok {
		d.Extra["failedMediator"] = ""
	}
	d.Filter = listQuery(c, "q", "kind", "status", "chief", "organisation_id")
	res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/mediators", params: tenantPath(d), query: d.Filter})
	if err != nil {
		return err
	}
	list, _ := res.Value.(mediatorList)
	d.Items, d.Next = list.Items, list.NextAfter
	s.mediatorFormData(v, d)
	return s.render(c, v, status, "admin_mediators")
}

func (s *Server) adminMediatorCreate(c echo.Context, v *view) error {
	d := s.adminView(c, v, "mediators")
	f := d.Form
	req := createMediatorRequest{Name: f.Get("name"), Kind: f.Get("kind"), CertificateNumber: f.Get("certificate_number"), Grade: f.Get("grade"),
		Chief: f.Get("chief") == "true", Specialities: formList(f, "specialities"), OrganisationID: f.Get("organisation_id"),
		Phone: f.Get("phone"), UserID: f.Get("user_id")}
	_, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/mediators", params: tenantPath(d), body: req})
	if err == nil {
		return adminRedirect(c, d, "/admin/mediators", "created")
	}
	status, err := problemStatus(v, err)
	if err != nil {
		return err
	}
	return s.adminMediatorsPage(c, v, d, status)
}

// mediatorFormData: the organisations a mediator may belong to (and every organisation's name,
// for the list) and the users it may be linked to.
func (s *Server) mediatorFormData(v *view, d *adminData) {
	d.Choices["kind"] = orgs.MediatorKindNames()
	d.Choices["grade"] = orgs.GradeNames()
	d.Choices["status"] = orgs.StatusNames()
	disputeChoices(v, d)
	names := map[string]string{}
	var hosts []organisationDTO
	if v.Can(authz.ObjOrganisations, authz.ActRead) {
		if r, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/organisations", params: tenantPath(d), query: url.Values{"limit": {"500"}, "status": {"active"}}}); err == nil {
			ol, _ := r.Value.(organisationList)
			for _, o := range ol.Items {
				names[o.ID] = o.Name
				if orgs.HostsMediators(orgs.Kind(o.Kind)) {
					hosts = append(hosts, o)
				}
			}
		}
	}
	d.Extra["orgNames"], d.Extra["hosts"] = names, hosts
	if (v.Can(authz.ObjMediators, authz.ActCreate) || v.Can(authz.ObjMediators, authz.ActUpdate)) && d.Own && v.Can(authz.ObjUsers, authz.ActRead) {
		if r, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/users", params: tenantPath(d), query: url.Values{"limit": {"500"}}}); err == nil {
			ul, _ := r.Value.(userList)
			d.Extra["users"] = ul.Items
		}
	}
}

// adminMediatorChange: make a mediator chief or not, link it to a user account or unlink it,
// deactivate or reactivate it.
func (s *Server) adminMediatorChange(c echo.Context, v *view) error {
	d := s.adminView(c, v, "mediators")
	f := d.Form
	var req updateMediatorRequest
	switch f.Get("action") {
	case "chief":
		chief := f.Get("chief") == "true"
		req.Chief = &chief
	case "user":
		user := f.Get("user_id")
		req.UserID = &user
	case "status":
		st := f.Get("status")
		req.Status = &st
	default:
		return invalid("action", "未知操作 / unknown action")
	}
	_, err := v.op(opCall{method: http.MethodPatch, path: "/api/v1/tenants/:code/mediators/:id",
		params: map[string]string{"code": d.Tenant, "id": c.Param("id")}, body: req})
	if err == nil {
		return adminRedirect(c, d, "/admin/mediators", "saved")
	}
	d.Extra["failedMediator"] = c.Param("id")
	status, err := problemStatus(v, err)
	if err != nil {
		return err
	}
	return s.adminMediatorsPage(c, v, d, status)
}

// disputeChoices: the tenant's dispute-type catalogue, for the specialities of mediators and
// experts.
func disputeChoices(v *view, d *adminData) {
	if !v.Can(authz.ObjDisputeTypes, authz.ActRead) {
		return
	}
	r, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/dispute-types", params: tenantPath(d)})
	if err != nil {
		return
	}
	list, _ := r.Value.(disputeTypeList)
	var set codes.Set
	for _, t := range list.Items {
		set = append(set, codes.Name{Code: t.Code, ZH: t.NameZH, EN: t.NameEN})
	}
	d.Choices["dispute"] = set
}

// formList reads a list field: checkboxes, or text separated by commas.
func formList(f url.Values, name string) []string {
	out := []string{}
	for _, v := range f[name] {
		out = append(out, splitList(v)...)
	}
	return out
}

// splitList reads a list typed as "a, b；c" (commas, Chinese commas, semicolons, spaces).
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
	if len(parts) == 0 {
		return nil
	}
	return parts
}

// ---- experts ----

func (s *Server) adminExperts(c echo.Context, v *view) error {
	return s.adminExpertsPage(c, v, s.adminView(c, v, "experts"), http.StatusOK)
}

func (s *Server) adminExpertsPage(c echo.Context, v *view, d *adminData, status int) error {
	v.Title = v.T("专家库", "Experts")
	d.Filter = listQuery(c, "q", "field", "status")
	res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/experts", params: tenantPath(d), query: d.Filter})
	if err != nil {
		return err
	}
	list, _ := res.Value.(expertList)
	d.Items, d.Next = list.Items, list.NextAfter
	d.Choices["field"] = orgs.FieldNames()
	d.Choices["status"] = orgs.StatusNames()
	disputeChoices(v, d)
	return s.render(c, v, status, "admin_experts")
}

func (s *Server) adminExpertStatus(c echo.Context, v *view) error {
	d := s.adminView(c, v, "experts")
	st := d.Form.Get("status")
	if _, err := v.op(opCall{method: http.MethodPatch, path: "/api/v1/tenants/:code/experts/:id",
		params: map[string]string{"code": d.Tenant, "id": c.Param("id")}, body: updateExpertRequest{Status: &st}}); err != nil {
		return err
	}
	return adminRedirect(c, d, "/admin/experts", "saved")
}

func (s *Server) adminExpertCreate(c echo.Context, v *view) error {
	d := s.adminView(c, v, "experts")
	f := d.Form
	req := createExpertRequest{Name: f.Get("name"), Field: f.Get("field"), Specialities: formList(f, "specialities"),
		Organisation: f.Get("organisation"), Phone: f.Get("phone"), Note: f.Get("note")}
	_, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/experts", params: tenantPath(d), body: req})
	if err == nil {
		return adminRedirect(c, d, "/admin/experts", "created")
	}
	status, err := problemStatus(v, err)
	if err != nil {
		return err
	}
	return s.adminExpertsPage(c, v, d, status)
}

// ---- users ----

// roleNames names the roles (Chinese from the authz package's words).
func roleNames() codes.Set {
	en := map[string]string{
		identity.RoleNationalAdmin: "National administrator", identity.RoleProvinceAdmin: "Provincial administrator",
		identity.RoleCityAdmin: "City administrator", identity.RoleDistrictAdmin: "District administrator",
		identity.RoleDistrictStaff: "District staff", identity.RoleIntakeOfficer: "Intake officer", identity.RoleAnalyst: "Analyst",
		identity.RoleCommitteeHead: "Committee head", identity.RoleMediator: "Mediator", identity.RoleAgencyClerk: "Agency clerk",
		identity.RoleAgencySystem: "Agency system",
	}
	var out codes.Set
	for _, r := range identity.Roles() {
		out = append(out, codes.Name{Code: r, ZH: authz.RoleWord(r), EN: en[r]})
	}
	return out
}

// grantableRoles are the roles the user may grant in a tenant: those of its level that the
// rules let it assign (the offer; creating or updating the user decides again).
func grantableRoles(v *view, tenantCode string) codes.Set {
	d, err := division.Lookup(tenantCode)
	if err != nil {
		return nil
	}
	var out codes.Set
	for _, n := range roleNames() {
		if identity.CheckRole(n.Code, d.Level) != nil {
			continue
		}
		if ok, err := v.s.deps.Authz.Allowed(v.User.Principal.Subject, tenantCode, "role:"+n.Code, authz.ActAssign); err == nil && ok {
			out = append(out, n)
		}
	}
	return out
}

func (s *Server) adminUsers(c echo.Context, v *view) error {
	return s.adminUsersPage(c, v, s.adminView(c, v, "users"), http.StatusOK)
}

func (s *Server) adminUsersPage(c echo.Context, v *view, d *adminData, status int) error {
	v.Title = v.T("用户", "Users")
	if _, ok := d.Extra["failedUser"]; !ok {
		d.Extra["failedUser"] = ""
	}
	d.Filter = listQuery(c)
	res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/users", params: tenantPath(d), query: d.Filter})
	if err != nil {
		return err
	}
	list, _ := res.Value.(userList)
	d.Items, d.Next = list.Items, list.NextAfter
	d.Choices["role"], d.Choices["grantable"] = roleNames(), grantableRoles(v, d.Tenant)
	if v.Can(authz.ObjOrganisations, authz.ActRead) {
		if r, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/organisations", params: tenantPath(d), query: url.Values{"limit": {"500"}, "status": {"active"}}}); err == nil {
			ol, _ := r.Value.(organisationList)
			names := map[string]string{}
			for _, o := range ol.Items {
				names[o.ID] = o.Name
			}
			d.Extra["orgs"], d.Extra["orgNames"] = ol.Items, names
		}
	}
	return s.render(c, v, status, "admin_users")
}

func (s *Server) adminUserCreate(c echo.Context, v *view) error {
	d := s.adminView(c, v, "users")
	f := d.Form
	req := createUserRequest{Username: f.Get("username"), DisplayName: f.Get("display_name"), Password: f.Get("password"),
		Roles: f["roles"], OrganisationID: f.Get("organisation_id")}
	if req.Roles == nil {
		req.Roles = []string{}
	}
	_, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/users", params: tenantPath(d), body: req})
	if err == nil {
		return adminRedirect(c, d, "/admin/users", "created")
	}
	d.Form.Del("password")
	status, err := problemStatus(v, err)
	if err != nil {
		return err
	}
	return s.adminUsersPage(c, v, d, status)
}

// adminUserChange: disable or enable a user, reset its password, change its roles, or end its
// sessions — each the API's operation.
func (s *Server) adminUserChange(c echo.Context, v *view) error {
	d := s.adminView(c, v, "users")
	f := d.Form
	params := map[string]string{"code": d.Tenant, "id": c.Param("id")}
	var err error
	done := "saved"
	switch f.Get("action") {
	case "disable", "enable":
		st := string(identity.StatusDisabled)
		if f.Get("action") == "enable" {
			st = string(identity.StatusActive)
		}
		_, err = v.op(opCall{method: http.MethodPatch, path: "/api/v1/tenants/:code/users/:id", params: params, body: updateUserRequest{Status: &st}})
	case "password":
		pw := f.Get("new_password")
		_, err = v.op(opCall{method: http.MethodPatch, path: "/api/v1/tenants/:code/users/:id", params: params, body: updateUserRequest{Password: &pw}})
	case "roles":
		roles := f["roles"]
		if roles == nil {
			roles = []string{}
		}
		_, err = v.op(opCall{method: http.MethodPatch, path: "/api/v1/tenants/:code/users/:id", params: params, body: updateUserRequest{Roles: &roles}})
	case "sessions":
		_, err = v.op(opCall{method: http.MethodDelete, path: "/api/v1/tenants/:code/users/:id/sessions", params: params})
	default:
		err = invalid("action", "未知操作 / unknown action")
	}
	if err == nil {
		return adminRedirect(c, d, "/admin/users", done)
	}
	d.Form.Del("new_password")
	d.Extra["failedUser"] = c.Param("id")
	status, err := problemStatus(v, err)
	if err != nil {
		return err
	}
	return s.adminUsersPage(c, v, d, status)
}

// ---- API tokens ----

func (s *Server) adminTokens(c echo.Context, v *view) error {
	return s.adminTokensPage(c, v, s.adminView(c, v, "tokens"), http.StatusOK)
}

func (s *Server) adminTokensPage(c echo.Context, v *view, d *adminData, status int) error {
	v.Title = v.T("接口令牌", "API tokens")
	res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/tokens", params: tenantPath(d)})
	if err != nil {
		return err
	}
	list, _ := res.Value.(tokenList)
	d.Items = list.Items
	d.Choices["role"], d.Choices["grantable"] = roleNames(), grantableRoles(v, d.Tenant)
	if v.Can(authz.ObjOrganisations, authz.ActRead) {
		if r, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/organisations", params: tenantPath(d), query: url.Values{"limit": {"500"}, "status": {"active"}}}); err == nil {
			ol, _ := r.Value.(organisationList)
			var agencies []organisationDTO
			names := map[string]string{}
			for _, o := range ol.Items {
				names[o.ID] = o.Name
				if orgs.IsAgency(orgs.Kind(o.Kind)) {
					agencies = append(agencies, o)
				}
			}
			d.Extra["agencies"], d.Extra["orgNames"] = agencies, names
		}
	}
	return s.render(c, v, status, "admin_tokens")
}

func (s *Server) adminTokenCreate(c echo.Context, v *view) error {
	d := s.adminView(c, v, "tokens")
	f := d.Form
	var res opResult
	var err error
	var expires *time.Time
	if x := strings.TrimSpace(f.Get("expires_on")); x != "" {
		// The end of the day chosen, China time.
		day, perr := time.ParseInLocation("2006-01-02", x, chinaTime)
		if perr != nil {
			err = invalid("expires_on", "到期日须为日期，如 2027-06-30 / the expiry must be a date, e.g. 2027-06-30")
		}
		end := day.AddDate(0, 0, 1).Add(-time.Second)
		expires = &end
	}
	switch org := f.Get("organisation_id"); {
	case err != nil:
	case org != "":
		res, err = v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/organisations/:id/tokens",
			params: map[string]string{"code": d.Tenant, "id": org}, body: createAgencyTokenRequest{Name: f.Get("name"), ExpiresAt: expires}})
	default:
		res, err = v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/tokens", params: tenantPath(d),
			body: createTokenRequest{Name: f.Get("name"), Role: f.Get("role"), ExpiresAt: expires}})
	}
	status := http.StatusCreated
	if err == nil {
		d.Result = res.Value // shown once, on this answer only
		d.Form = url.Values{}
		v.Flash = v.T("令牌已生成：请立即复制，它不会再次显示。", "Token created: copy it now, it is not shown again.")
	} else if status, err = problemStatus(v, err); err != nil {
		return err
	} else if v.Problem.Field == "expires_at" {
		v.Problem.Field = "expires_on"
	}
	return s.adminTokensPage(c, v, d, status)
}

func (s *Server) adminTokenRevoke(c echo.Context, v *view) error {
	d := s.adminView(c, v, "tokens")
	if _, err := v.op(opCall{method: http.MethodDelete, path: "/api/v1/tenants/:code/tokens/:id",
		params: map[string]string{"code": d.Tenant, "id": c.Param("id")}}); err != nil {
		return err
	}
	return adminRedirect(c, d, "/admin/tokens", "revoked")
}

// ---- editing a record of the registry ----

func consoleAdminEditPages() []page {
	return []page{
		{method: http.MethodGet, path: "/admin/organisations/:id/edit", handler: (*Server).adminOrgEdit},
		{method: http.MethodPost, path: "/admin/organisations/:id/edit", handler: (*Server).adminOrgEdit},
		{method: http.MethodGet, path: "/admin/mediators/:id/edit", handler: (*Server).adminMediatorEdit},
		{method: http.MethodPost, path: "/admin/mediators/:id/edit", handler: (*Server).adminMediatorEdit},
		{method: http.MethodGet, path: "/admin/experts/:id/edit", handler: (*Server).adminExpertEdit},
		{method: http.MethodPost, path: "/admin/experts/:id/edit", handler: (*Server).adminExpertEdit},
	}
}

// formPtr is a form field as the pointer of a PATCH body (the field sent as typed).
func formPtr(f url.Values, name string) *string {
	v := f.Get(name)
	return &v
}

// adminEdit loads a record (GET, the form filled from it) or saves the form (POST, the API's
// PATCH), showing the API's problems beside the fields.
func (s *Server) adminEdit(c echo.Context, v *view, tab, recordPath string, fill func(any) url.Values, patch func(url.Values) any, prepare func(*adminData)) error {
	d := s.adminView(c, v, tab)
	if c.Request().Method == http.MethodGet && !v.Can(tab, authz.ActUpdate) { // not offered (and the PATCH refuses it)
		return problem(http.StatusForbidden, "forbidden", "无权修改 / Forbidden", "您不能修改此记录 / you may not edit this record")
	}
	params := map[string]string{"code": d.Tenant, "id": c.Param("id")}
	status := http.StatusOK
	if c.Request().Method == http.MethodPost {
		_, err := v.op(opCall{method: http.MethodPatch, path: recordPath, params: params, body: patch(d.Form)})
		if err == nil {
			return adminRedirect(c, d, "/admin/"+tab, "saved")
		}
		if status, err = problemStatus(v, err); err != nil {
			return err
		}
	}
	res, err := v.op(opCall{method: http.MethodGet, path: recordPath, params: params})
	if err != nil {
		return err
	}
	d.Result = res.Value
	if c.Request().Method == http.MethodGet {
		d.Form = fill(res.Value)
	}
	prepare(d)
	v.Title = v.T("修改", "Edit")
	return s.render(c, v, status, "admin_edit")
}

func (s *Server) adminOrgEdit(c echo.Context, v *view) error {
	return s.adminEdit(c, v, "organisations", "/api/v1/tenants/:code/organisations/:id",
		func(x any) url.Values {
			o, _ := x.(organisationDTO)
			return url.Values{"kind": {o.Kind}, "name": {o.Name}, "street_code": {o.StreetCode}, "village_code": {o.VillageCode}, "industry": {o.Industry},
				"stationed_at": {o.StationedAt}, "mediator_name": {o.MediatorName}, "contact_name": {o.Contact.Name}, "contact_phone": {o.Contact.Phone},
				"contact_address": {o.Contact.Address}, "webhook_url": {o.WebhookURL}}
		},
		func(f url.Values) any {
			return updateOrganisationRequest{Kind: formPtr(f, "kind"), Name: formPtr(f, "name"), StreetCode: formPtr(f, "street_code"),
				VillageCode: formPtr(f, "village_code"), Industry: formPtr(f, "industry"), StationedAt: formPtr(f, "stationed_at"),
				MediatorName: formPtr(f, "mediator_name"), WebhookURL: formPtr(f, "webhook_url"),
				Contact: &orgContactDTO{Name: f.Get("contact_name"), Phone: f.Get("contact_phone"), Address: f.Get("contact_address")}}
		},
		func(d *adminData) {
			d.Choices["kind"], d.Choices["industry"], d.Choices["station"] = orgs.KindNames(), orgs.IndustryNames(), orgs.StationNames()
		})
}

func (s *Server) adminMediatorEdit(c echo.Context, v *view) error {
	return s.adminEdit(c, v, "mediators", "/api/v1/tenants/:code/mediators/:id",
		func(x any) url.Values {
			m, _ := x.(mediatorDTO)
			chief := ""
			if m.Chief {
				chief = "true"
			}
			return url.Values{"name": {m.Name}, "kind": {m.Kind}, "organisation_id": {m.OrganisationID}, "grade": {m.Grade},
				"certificate_number": {m.CertificateNumber}, "phone": {m.Phone}, "specialities": m.Specialities,
				"user_id": {m.UserID}, "chief": {chief}}
		},
		func(f url.Values) any {
			chief := f.Get("chief") == "true"
			specs := formList(f, "specialities")
			req := updateMediatorRequest{Name: formPtr(f, "name"), Kind: formPtr(f, "kind"), OrganisationID: formPtr(f, "organisation_id"),
				Grade: formPtr(f, "grade"), CertificateNumber: formPtr(f, "certificate_number"), Phone: formPtr(f, "phone"),
				Specialities: &specs, Chief: &chief}
			if _, ok := f["user_id"]; ok {
				req.UserID = formPtr(f, "user_id")
			}
			return req
		},
		func(d *adminData) { s.mediatorFormData(v, d) })
}

func (s *Server) adminExpertEdit(c echo.Context, v *view) error {
	return s.adminEdit(c, v, "experts", "/api/v1/tenants/:code/experts/:id",
		func(x any) url.Values {
			e, _ := x.(expertDTO)
			return url.Values{"name": {e.Name}, "field": {e.Field}, "organisation": {e.Organisation}, "phone": {e.Phone},
				"specialities": e.Specialities, "note": {e.Note}}
		},
		func(f url.Values) any {
			specs := formList(f, "specialities")
			return updateExpertRequest{Name: formPtr(f, "name"), Field: formPtr(f, "field"), Organisation: formPtr(f, "organisation"),
				Phone: formPtr(f, "phone"), Note: formPtr(f, "note"), Specialities: &specs}
		},
		func(d *adminData) { d.Choices["field"] = orgs.FieldNames(); disputeChoices(v, d) })
}
