package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// checkIntake runs the intake rules on a create request without saving it: the problems
// create would answer, or the draft's warning, proposed routing and time limit.
func (s *Server) checkIntake(c echo.Context) error {
	var req createCaseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	d, err := s.deps.Cases.Check(c.Request().Context(), c.Param("code"), s.newCase(req, principal(c)))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}
