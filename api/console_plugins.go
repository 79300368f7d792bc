package api

import "github.com/labstack/echo/v4"

// Plugin pages: the console entries of the plugins enabled for the user's tenant, rendered from
// the declarative views the plugins answer.
func consolePluginPages() []page { return nil }

// pluginNav lists the console entries of the plugins the user may use.
func (s *Server) pluginNav(_ echo.Context, _ *view) []navItem { return nil }
