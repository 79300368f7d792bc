package api

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/labstack/echo/v4"
)

// The console's own pages: login, logout and the language switch.
func consoleBasePages() []page {
	return []page{
		{method: http.MethodGet, path: "/login", public: true, handler: (*Server).loginPage},
		{method: http.MethodPost, path: "/login", public: true, handler: (*Server).loginSubmit},
		{method: http.MethodPost, path: "/logout", handler: (*Server).logoutSubmit},
		{method: http.MethodGet, path: "/lang/:lang", public: true, handler: (*Server).switchLanguage},
	}
}

type loginData struct {
	Username string
	Next     string
	Ended    bool // the previous session ended (expired, logged out elsewhere, revoked)
}

// safeNext keeps a redirect after login on this site: a local path, never //host or a scheme.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	// Browsers drop tabs and newlines from a URL ("/\t/evil" is "//evil") and some read a
	// backslash as a slash: no control character or backslash at all.
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	return next
}

func (s *Server) loginPage(c echo.Context, v *view) error {
	if v.User != nil {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	v.Title = v.T("登录", "Sign in")
	v.Data = loginData{Next: safeNext(c.QueryParam("next")), Ended: c.QueryParam("ended") == "1"}
	return s.render(c, v, http.StatusOK, "login")
}

func (s *Server) loginSubmit(c echo.Context, v *view) error {
	d := loginData{Username: c.FormValue("username"), Next: safeNext(c.FormValue("next"))}
	v.Title = v.T("登录", "Sign in")
	v.Data = d
	res, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/auth/login",
		body: loginRequest{Username: d.Username, Password: c.FormValue("password")}})
	if err == nil {
		lr, ok := res.Value.(loginResponse)
		if !ok {
			return errors.New("console: login answered no token")
		}
		// The token becomes a console session, subject to the idle and absolute timeouts.
		p, err := s.deps.Identity.Authenticate(c.Request().Context(), lr.Token)
		if err != nil {
			return err
		}
		if err := s.deps.Identity.StartConsoleSession(c.Request().Context(), p); err != nil {
			return err
		}
		// The cookie lasts until the session's absolute end or the token's expiry, the earlier.
		maxAge := s.sessionMaxAge()
		if left := time.Until(lr.ExpiresAt); left < maxAge {
			maxAge = left
		}
		s.setCookie(c, sessionCookie, lr.Token, int(maxAge.Seconds()))
		s.setCookie(c, loginCSRF, "", -1)
		return c.Redirect(http.StatusSeeOther, d.Next)
	}
	p := toProblem(err)
	if p.Status >= 500 {
		return err
	}
	if ra := res.Header.Get("Retry-After"); ra != "" {
		c.Response().Header().Set("Retry-After", ra)
	}
	v.Problem = p
	return s.render(c, v, p.Status, "login")
}

func (s *Server) logoutSubmit(c echo.Context, v *view) error {
	if _, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/auth/logout"}); err != nil && !errors.Is(err, identity.ErrUnauthenticated) {
		return err
	}
	s.setCookie(c, sessionCookie, "", -1)
	// The browser forgets the pages of the session, the back/forward cache included.
	c.Response().Header().Set("Clear-Site-Data", `"cache"`)
	return c.Redirect(http.StatusSeeOther, "/login")
}

func (s *Server) switchLanguage(c echo.Context, _ *view) error {
	lang := "zh"
	if c.Param("lang") == "en" {
		lang = "en"
	}
	c.SetCookie(&http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(c)})
	back := "/"
	if ref, err := url.Parse(c.Request().Referer()); err == nil && ref.Host == c.Request().Host {
		back = safeNext(ref.RequestURI())
	}
	return c.Redirect(http.StatusSeeOther, back)
}
