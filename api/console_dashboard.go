package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// The dashboard: the user's tenant's figures, or the roll-up of a city or province.
func consoleDashboardPages() []page {
	return []page{
		{method: http.MethodGet, path: "/", handler: (*Server).dashboardPage},
	}
}

func (s *Server) dashboardPage(c echo.Context, v *view) error {
	v.Title = v.T("工作台", "Dashboard")
	return s.render(c, v, http.StatusOK, "dashboard")
}
