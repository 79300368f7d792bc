package api

import (
	"net/http"

	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/labstack/echo/v4"
)

// Transfers of a case between two districts of one city, with both districts' consent: the
// proposing district's staff propose (cases:share on the case, staff only), the receiving
// district's staff accept or decline (cases:share in their tenant). Each district sees its own
// record of the transfer; the receiving district sees the case only once it accepted it.

type transferRequest struct {
	ToTenant string `json:"to_tenant"`
	Reason   string `json:"reason"`
}

type transferDecision struct {
	Reason string `json:"reason,omitempty"`
}

type transferList struct {
	Items []cases.Transfer `json:"items"`
}

func transferRoutes() []route {
	return []route{
		{method: http.MethodPost, path: "/api/v1/tenants/:code/cases/:id/transfers", operationID: "proposeTransfer", summary: "提议将案件移交同一城市的其他区县（须对方接收；接收前案件仍归本区县） / Propose to transfer the case to another district of the same city (it stays here until that district accepts)", tag: "cases", tenantScoped: true, requireActive: true, obj: authz.ObjCases, act: authz.ActShare, caseScoped: caseParam, request: transferRequest{}, response: cases.Transfer{}, status: 201, handler: (*Server).proposeTransfer},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/transfers", operationID: "listTransfers", summary: "本区县提出的和收到的案件移交，最新在前 / Transfers proposed by or to this district, newest first", tag: "cases", tenantScoped: true, requireActive: true, obj: authz.ObjCases, act: authz.ActShare, tenantRel: true, response: transferList{}, status: 200, handler: (*Server).listTransfers},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/transfers/:id/accept", operationID: "acceptTransfer", summary: "接收移交的案件：案件以本区县的新编号转入，原区县保留只读记录 / Accept a transfer: the case comes in under a number of this district; the proposing district keeps a read-only record", tag: "cases", tenantScoped: true, requireActive: true, obj: authz.ObjCases, act: authz.ActShare, tenantRel: true, request: transferDecision{}, optionalBody: true, response: cases.Transfer{}, status: 200, handler: (*Server).acceptTransfer},
		{method: http.MethodPost, path: "/api/v1/tenants/:code/transfers/:id/decline", operationID: "declineTransfer", summary: "拒绝接收移交的案件（须说明原因），案件仍由原区县办理 / Decline a transfer, with a reason: the case stays with the proposing district", tag: "cases", tenantScoped: true, requireActive: true, obj: authz.ObjCases, act: authz.ActShare, tenantRel: true, request: transferDecision{}, response: cases.Transfer{}, status: 200, handler: (*Server).declineTransfer},
	}
}

func (s *Server) proposeTransfer(c echo.Context) error {
	var req transferRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.deps.Cases.ProposeTransfer(c.Request().Context(), c.Param("code"), c.Param("id"), req.ToTenant, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

func (s *Server) listTransfers(c echo.Context) error {
	ts, err := s.deps.Cases.Transfers(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []cases.Transfer{}
	}
	return c.JSON(http.StatusOK, transferList{Items: ts})
}

func (s *Server) acceptTransfer(c echo.Context) error  { return s.decideTransfer(c, true) }
func (s *Server) declineTransfer(c echo.Context) error { return s.decideTransfer(c, false) }

func (s *Server) decideTransfer(c echo.Context, accept bool) error {
	var req transferDecision
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	t, err := s.deps.Cases.DecideTransfer(c.Request().Context(), c.Param("code"), c.Param("id"), accept, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}
