package api

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/labstack/echo/v4"
)

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, healthResponse{Status: "ok", Version: s.deps.Version})
}

func (s *Server) readyz(c echo.Context) error {
	if err := s.deps.DB.Ping(c.Request().Context()); err != nil {
		s.deps.Logger.Warn("readiness: database unreachable", "err", err)
		p := problem(http.StatusServiceUnavailable, "not-ready", "数据库不可用 / Database unavailable", "服务暂未就绪 / the service is not ready")
		p.RetryAfter = retryAfterSeconds
		return p
	}
	return c.JSON(http.StatusOK, healthResponse{Status: "ready", Version: s.deps.Version})
}

func (s *Server) login(c echo.Context) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Username) == "" {
		return invalid("username", "请填写用户名 / username is required")
	}
	if req.Password == "" {
		return invalid("password", "请填写密码 / password is required")
	}
	tok, exp, u, err := s.deps.Identity.Login(c.Request().Context(), req.Username, req.Password, clientIP(c))
	var te *identity.ThrottledError
	if errors.As(err, &te) {
		secs := int(math.Ceil(te.Wait.Seconds()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		return problem(http.StatusTooManyRequests, "too-many-login-attempts", "登录失败次数过多 / Too many failed logins",
			fmt.Sprintf("此用户名从您的地址登录失败过多，请 %d 秒后再试，或请管理员重置密码 / too many failed logins for this username from your address: retry in %d seconds or ask an administrator to reset the password", secs, secs))
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, loginResponse{Token: tok, TokenType: "Bearer", ExpiresAt: exp, User: toUserDTO(u)})
}

func (s *Server) me(c echo.Context) error {
	p := principal(c)
	t, err := s.deps.Tenants.Get(c.Request().Context(), p.TenantCode, p.TenantCode)
	if err != nil {
		return err
	}
	roles := s.deps.Roles.RolesOf(p.Subject)
	if roles == nil {
		roles = []string{}
	}
	return c.JSON(http.StatusOK, meResponse{Subject: p.Subject, Kind: p.Kind, Name: p.Username, Roles: roles, Tenant: toTenantDTO(t)})
}

// checkPathCode validates the {code} of a path.
func checkPathCode(code string) error {
	lvl, err := division.LevelOf(code)
	if err != nil {
		return codeProblem(code, division.ErrMalformedCode)
	}
	if lvl == division.LevelStreet || lvl == division.LevelVillage {
		return codeProblem(code, division.ErrBelowDistrict)
	}
	return nil
}

func (s *Server) onboard(c echo.Context) error {
	var req onboardRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Code == "" {
		return invalid("code", "请填写要开通的行政区划代码，如 310107 / code is required, e.g. 310107")
	}
	p := principal(c)
	plan, err := tenant.PlanOnboarding(p.TenantCode, []string{req.Code}, req.WithOffices)
	if err != nil {
		return err
	}
	if err := s.allow(p, req.Code, "tenants", "onboard"); err != nil {
		return err
	}
	ctx := c.Request().Context()
	res, err := s.deps.Tenants.Execute(ctx, p.TenantCode, plan)
	if err != nil {
		return err
	}
	t, err := s.deps.Tenants.Get(ctx, p.TenantCode, req.Code)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(res.Created) > 0 {
		status = http.StatusCreated
		c.Response().Header().Set(echo.HeaderLocation, "/api/v1/tenants/"+t.Code)
	}
	return c.JSON(status, toTenantDTO(t))
}

func (s *Server) bulkOnboard(c echo.Context) error {
	var req bulkOnboardRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := principal(c)
	var (
		plan tenant.Plan
		err  error
	)
	switch {
	case req.Within != "" && len(req.Codes) > 0:
		return invalid("within", "within 与 codes 只能给出一个 / give either within or codes, not both")
	case req.Within != "":
		if plan, err = tenant.PlanWithin(p.TenantCode, req.Within, req.WithOffices); err != nil {
			return err
		}
		if err := s.allow(p, req.Within, "tenants", "onboard"); err != nil {
			return err
		}
	case len(req.Codes) > 0:
		if len(req.Codes) > 5000 {
			return invalid("codes", "一次最多 5000 个代码；全国请用 within: \"000000\" / at most 5000 codes at once; for the whole country use within: \"000000\"")
		}
		if plan, err = tenant.PlanOnboarding(p.TenantCode, req.Codes, req.WithOffices); err != nil {
			return err
		}
		for _, code := range plan.Requested {
			if err := s.allow(p, code, "tenants", "onboard"); err != nil {
				return err
			}
		}
	default:
		return invalid("within", "请给出 within（省、市代码，或 000000 表示全国）或 codes 列表 / give within (a province or city code, or 000000 for the whole country) or a codes list")
	}
	res, err := s.deps.Tenants.Execute(c.Request().Context(), p.TenantCode, plan)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, onboardReport{Created: res.Created, Existing: res.Existing, CreatedAncestors: res.CreatedAncestors,
		OfficesCreated: res.OfficesCreated, CreatedCount: len(res.Created), ExistingCount: len(res.Existing)})
}

// pageLimit reads ?limit= (1–500, default 100).
func pageLimit(c echo.Context) (int, error) {
	raw := c.QueryParam("limit")
	if raw == "" {
		return 100, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > 500 {
		return 0, invalid("limit", "limit 须为 1–500 的整数 / limit must be an integer from 1 to 500")
	}
	return n, nil
}

func (s *Server) listTenants(c echo.Context) error {
	p := principal(c)
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	f := tenant.Filter{Limit: limit + 1, After: c.QueryParam("after"), Query: c.QueryParam("q")}
	if v := c.QueryParam("level"); v != "" {
		switch division.Level(v) {
		case division.LevelCountry, division.LevelProvince, division.LevelCity, division.LevelDistrict:
			f.Level = division.Level(v)
		default:
			return invalid("level", "level 只能是 \"country\"（全国）、\"province\"（省级）、\"city\"（市级）或 \"district\"（区县） / level must be country, province, city or district")
		}
	}
	if v := c.QueryParam("status"); v != "" {
		switch tenant.Status(v) {
		case tenant.StatusActive, tenant.StatusSuspended, tenant.StatusArchived:
			f.Status = tenant.Status(v)
		default:
			return invalid("status", "status 只能是 \"active\"（正常）、\"suspended\"（已暂停）或 \"archived\"（已归档） / status must be active, suspended or archived")
		}
	}
	for name, dst := range map[string]*string{"parent": &f.Parent, "within": &f.Within} {
		if v := c.QueryParam(name); v != "" {
			if _, err := division.LevelOf(v); err != nil || len(v) != 6 {
				return invalid(name, name+" 须为 6 位行政区划代码 / "+name+" must be a 6-digit division code")
			}
			*dst = v
		}
	}
	if len([]rune(f.Query)) > 64 {
		return invalid("q", "q 最多 64 个字符 / q must be at most 64 characters")
	}
	ts, err := s.deps.Tenants.List(c.Request().Context(), p.TenantCode, f)
	if err != nil {
		return err
	}
	out := tenantList{Items: []tenantDTO{}}
	for i, t := range ts {
		if i == limit {
			out.NextAfter = ts[i-1].Code
			break
		}
		out.Items = append(out.Items, toTenantDTO(t))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getTenant(c echo.Context) error {
	p := principal(c)
	t, err := s.deps.Tenants.Get(c.Request().Context(), p.TenantCode, c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTenantDTO(t))
}

func (s *Server) updateTenant(c echo.Context) error {
	var req settingsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	st := tenant.Settings{DisplayName: req.DisplayName, EnabledPlugins: req.EnabledPlugins, Placement: req.Placement}
	if req.Contact != nil {
		ct := tenant.Contact(*req.Contact)
		st.Contact = &ct
	}
	p := principal(c)
	t, err := s.deps.Tenants.UpdateSettings(c.Request().Context(), p.TenantCode, c.Param("code"), st)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTenantDTO(t))
}

func (s *Server) lifecycle(c echo.Context) error {
	var req lifecycleRequest
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	action := tenant.Action(c.Path()[strings.LastIndexByte(c.Path(), '/')+1:])
	p := principal(c)
	t, err := s.deps.Tenants.Transition(c.Request().Context(), p.TenantCode, c.Param("code"), action, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTenantDTO(t))
}

func (s *Server) listOffices(c echo.Context) error {
	p := principal(c)
	os, err := s.deps.Tenants.Offices(c.Request().Context(), p.TenantCode, c.Param("code"))
	if err != nil {
		return err
	}
	out := officeList{Items: []officeDTO{}}
	for _, o := range os {
		out.Items = append(out.Items, officeDTO{StreetCode: o.StreetCode, StreetName: o.StreetName, Name: o.Name, CreatedAt: o.CreatedAt})
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) listAudit(c echo.Context) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	var before int64
	if v := c.QueryParam("before"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before < 1 {
			return invalid("before", "before 须为正整数（上一页最后一条的 id） / before must be a positive integer, the id of the last event seen")
		}
	}
	evs, err := s.deps.Audit.AuditEvents(c.Request().Context(), c.Param("code"), before, limit)
	if err != nil {
		return err
	}
	subjects := make([]string, len(evs))
	for i, e := range evs {
		subjects[i] = e.Actor
	}
	names := s.deps.Identity.ActorNames(c.Request().Context(), c.Param("code"), subjects)
	out := auditList{Items: make([]auditEventDTO, 0, len(evs))}
	for _, e := range evs {
		out.Items = append(out.Items, auditEventDTO{Event: e, ActorName: names[e.Actor]})
	}
	if len(evs) == limit {
		out.NextBefore = evs[len(evs)-1].ID
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) listUsers(c echo.Context) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	us, err := s.deps.Identity.Users(c.Request().Context(), c.Param("code"), c.QueryParam("after"), limit+1)
	if err != nil {
		return err
	}
	out := userList{Items: []userDTO{}}
	for i, u := range us {
		if i == limit {
			out.NextAfter = us[i-1].Username
			break
		}
		out.Items = append(out.Items, toUserDTO(u))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) createUser(c echo.Context) error {
	var req createUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := principal(c)
	u, err := s.deps.Identity.CreateUser(c.Request().Context(), &p, c.Param("code"), identity.NewUser{
		Username: req.Username, DisplayName: req.DisplayName, Password: req.Password, Roles: req.Roles, OrganisationID: req.OrganisationID})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/tenants/"+u.TenantCode+"/users/"+u.ID)
	return c.JSON(http.StatusCreated, toUserDTO(u))
}

func (s *Server) getUser(c echo.Context) error {
	u, err := s.deps.Identity.User(c.Request().Context(), c.Param("code"), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toUserDTO(u))
}

func (s *Server) updateUser(c echo.Context) error {
	var req updateUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := identity.UserUpdate{DisplayName: req.DisplayName, Password: req.Password, Roles: req.Roles}
	if req.Status != nil {
		st := identity.Status(*req.Status)
		in.Status = &st
	}
	u, err := s.deps.Identity.UpdateUser(c.Request().Context(), principal(c), c.Param("code"), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toUserDTO(u))
}

func (s *Server) listTokens(c echo.Context) error {
	ts, err := s.deps.Identity.Tokens(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	out := tokenList{Items: []tokenDTO{}}
	for _, t := range ts {
		out.Items = append(out.Items, toTokenDTO(t))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) createToken(c echo.Context) error {
	var req createTokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Role == "" {
		return invalid("role", "请填写令牌的角色，如 \"agency-system\"（协作单位系统） / role is required, e.g. agency-system")
	}
	t, text, err := s.deps.Identity.CreateToken(c.Request().Context(), principal(c), c.Param("code"), identity.NewToken{Name: req.Name, Role: req.Role, ExpiresAt: req.ExpiresAt, OrganisationID: req.OrganisationID})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, createdToken{tokenDTO: toTokenDTO(t), Token: text})
}

func (s *Server) revokeToken(c echo.Context) error {
	t, err := s.deps.Identity.RevokeToken(c.Request().Context(), c.Param("code"), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTokenDTO(t))
}

func (s *Server) changeOwnPassword(c echo.Context) error {
	var req changePasswordRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.CurrentPassword == "" {
		return invalid("current_password", "请填写当前密码 / current_password is required")
	}
	if err := s.deps.Identity.ChangeOwnPassword(c.Request().Context(), principal(c), req.CurrentPassword, req.NewPassword); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// logout ends the session of the caller's login token.
func (s *Server) logout(c echo.Context) error {
	if err := s.deps.Identity.Logout(c.Request().Context(), principal(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// logoutEverywhere ends every login session of the caller.
func (s *Server) logoutEverywhere(c echo.Context) error {
	if err := s.deps.Identity.LogoutEverywhere(c.Request().Context(), principal(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// endUserSessions ends every login session of a user the caller may manage.
func (s *Server) endUserSessions(c echo.Context) error {
	if err := s.deps.Identity.EndSessions(c.Request().Context(), principal(c), c.Param("code"), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
