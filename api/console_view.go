package api

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/labstack/echo/v4"
)

// view is what every console template receives: the language, the user, the menu, the CSRF
// token, and the page's own data.
type view struct {
	s       *Server
	c       echo.Context
	Lang    string // "zh" or "en"
	Title   string
	User    *consoleUser
	Nav     []navItem
	CSRF    string
	Path    string
	Version string // of the assets, for their URLs
	Data    any
	// Problem is the error a form shows: its message, and per field beside the field.
	Problem *Problem
	// Flash is a one-line confirmation of what was just done.
	Flash string
}

// consoleUser is the signed-in user as the layout shows it.
type consoleUser struct {
	Principal  identity.Principal
	Name       string
	Roles      []string
	TenantCode string
	TenantName string
}

// navItem is one entry of the menu.
type navItem struct {
	Path, ZH, EN string
	Active       bool
	// Group: entries of the same group are listed together (plugins' under their plugin).
	Group string
}

// T picks the user's language of a zh/en pair.
func (v *view) T(zh, en string) string {
	if v.Lang == "en" && en != "" {
		return en
	}
	return zh
}

// FieldError is the message of the current problem for one field ("" when none).
func (v *view) FieldError(field string) string {
	if v.Problem == nil {
		return ""
	}
	var msgs []string
	if v.Problem.Field == field {
		msgs = append(msgs, v.Problem.Detail)
	}
	for _, e := range v.Problem.Errors {
		if e.Field == field {
			msgs = append(msgs, e.Detail)
		}
	}
	return strings.Join(msgs, "；")
}

// Can tells whether the user may do act on obj in its own tenant (menus, buttons; the
// operation itself is authorized again when it runs).
func (v *view) Can(obj, act string) bool {
	if v.User == nil {
		return false
	}
	ok, err := v.s.deps.Authz.Allowed(v.User.Principal.Subject, v.User.TenantCode, obj, act)
	return err == nil && ok
}

// HasRole tells whether the user holds a role in its own tenant.
func (v *view) HasRole(role string) bool {
	if v.User == nil {
		return false
	}
	for _, r := range v.User.Roles {
		if r == role {
			return true
		}
	}
	return false
}

func (s *Server) newView(c echo.Context) *view {
	v := &view{s: s, c: c, Lang: "zh", Path: c.Request().URL.Path, Version: s.console.assetVersion}
	if ck, err := c.Cookie(langCookie); err == nil && ck.Value == "en" {
		v.Lang = "en"
	}
	if p, ok := c.Get("principal").(identity.Principal); ok && p.Subject != "" {
		u := &consoleUser{Principal: p, Name: p.Username, TenantCode: p.TenantCode, TenantName: p.TenantCode}
		if s.deps.Roles != nil {
			u.Roles = s.deps.Roles.RolesOf(p.Subject)
		}
		if t, err := s.deps.Tenants.Get(c.Request().Context(), p.TenantCode, p.TenantCode); err == nil {
			u.TenantName = t.Name
		}
		if names := s.deps.Identity.ActorNames(c.Request().Context(), p.TenantCode, []string{p.Subject}); names[p.Subject] != "" {
			u.Name = names[p.Subject]
		}
		v.User = u
		v.Nav = s.consoleNav(c, v)
	}
	v.CSRF = s.csrfToken(c)
	if c.Request().Method == http.MethodGet && c.Request().Header.Get("HX-Request") != "true" {
		v.Flash = s.takeFlash(c) // set by the form that redirected here
	}
	return v
}

// principal of the view's user (the zero principal before login).
func (v *view) principal() identity.Principal {
	if v.User == nil {
		return identity.Principal{}
	}
	return v.User.Principal
}

// op invokes an API operation as the view's user.
func (v *view) op(call opCall) (opResult, error) { return v.s.invoke(v.c, v.principal(), call) }

// render writes a page: the whole document, or for an htmx request that targets a part of the
// page, only the named block ("content" by default).
func (s *Server) render(c echo.Context, v *view, status int, name string) error {
	t, ok := s.console.pages[name]
	if !ok {
		return errors.New("console: no template " + name)
	}
	block := "layout"
	if c.Request().Header.Get("HX-Request") == "true" && c.Request().Header.Get("HX-Boosted") != "true" {
		block = "content"
		if b := c.Get("block"); b != nil {
			block = b.(string)
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, v); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// renderBlock writes one named block of a page's template (an htmx fragment).
func (s *Server) renderBlock(c echo.Context, v *view, status int, name, block string) error {
	c.Set("block", block)
	t, ok := s.console.pages[name]
	if !ok {
		return errors.New("console: no template " + name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, v); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// consoleError shows an error as a page (or, for htmx, as the message area's fragment): the
// problem's title and detail, never a trace.
func (s *Server) consoleError(err error, c echo.Context) {
	p := toProblem(err)
	if p.Status >= 500 {
		s.deps.Logger.ErrorContext(c.Request().Context(), "console request failed", "err", err, "path", c.Request().URL.Path,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	if s.console == nil {
		_ = writeProblem(c, p)
		return
	}
	setConsoleHeaders(c)
	p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if p.Status == http.StatusNotFound && p.Type == "" {
		p.Title = "页面不存在 / Not found"
	}
	v := s.newView(c)
	v.Problem = p
	v.Title = v.T("出错了", "Error")
	if c.Request().Header.Get("HX-Request") == "true" {
		c.Response().Header().Set("HX-Retarget", "#messages")
		c.Response().Header().Set("HX-Reswap", "innerHTML")
		_ = s.renderBlock(c, v, p.Status, "error", "problem")
		return
	}
	_ = s.render(c, v, p.Status, "error")
}

// consoleNav is the menu of the user: the console's sections it may use, then the pages of the
// plugins enabled for its tenant.
func (s *Server) consoleNav(c echo.Context, v *view) []navItem {
	var items []navItem
	add := func(path, zh, en string, ok bool) {
		if ok {
			items = append(items, navItem{Path: path, ZH: zh, EN: en, Active: v.Path == path || (path != "/" && strings.HasPrefix(v.Path, path+"/"))})
		}
	}
	agency := v.HasRole("agency-clerk") // an agency's clerk: its own desk, nothing else
	add("/", "工作台", "Dashboard", !agency)
	add("/agency", "协作单位工作台", "Agency desk", agency)
	add("/intake", "受理登记", "Intake", v.Can("cases", "create"))
	add("/cases", "案件", "Cases", !agency)
	add("/queues", "待办", "Queues", !agency && len(s.usableQueueTabs(c, v)) > 0)
	add("/admin", "管理", "Administration", v.Can("users", "read") || v.Can("organisations", "read") || v.Can("tenants", "update"))
	items = append(items, s.pluginNav(c, v)...)
	return items
}
