package example

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/fengqiao/fengqiao/plugins/sdk"
)

// ServeRoute implements sdk.RouteServer. The host matched the request against the manifest's
// routes already, so Pattern says which one it is.
func (p *Plugin) ServeRoute(ctx context.Context, call *sdk.Call, req *sdk.Request) (*sdk.Response, error) {
	s, err := settingsOf(call)
	if err != nil {
		return nil, err
	}
	if resp, ok, err := p.servePage(ctx, call, req); ok {
		return resp, err
	}
	switch req.Method + " " + req.Pattern {
	case "GET /hello":
		return sdk.JSON(http.StatusOK, map[string]string{
			"greeting": s.Greeting, "tenant": call.Tenant, "principal": call.Principal.Subject,
		})
	case "GET /public/greeting":
		return sdk.JSON(http.StatusOK, map[string]string{"greeting": s.Greeting})
	case "GET /cases/{id}":
		c, err := call.Host.GetCase(ctx, req.Param("id"), false)
		if err != nil {
			return hostProblem(err)
		}
		body := []byte(c.Raw)
		if len(body) == 0 {
			if body, err = json.Marshal(c); err != nil {
				return nil, err
			}
		}
		return &sdk.Response{Status: http.StatusOK, Headers: map[string]string{"Content-Type": "application/json; charset=utf-8"}, Body: body}, nil
	case "POST /cases/{id}/notes":
		var in struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(req.Body, &in); err != nil {
			return badJSON(), nil
		}
		if strings.TrimSpace(in.Text) == "" {
			return nil, sdk.Reject("text", "备注内容不能为空 / the note's text is required")
		}
		id, err := call.Host.AddCaseNote(ctx, req.Param("id"), in.Text, map[string]string{"by": call.Principal.Subject})
		if err != nil {
			return hostProblem(err)
		}
		return sdk.JSON(http.StatusCreated, map[string]string{"event_id": id})
	case "POST /cases/{id}/shares":
		var in struct {
			Tenant string `json:"tenant"`
			Scope  string `json:"scope"`
		}
		if err := json.Unmarshal(req.Body, &in); err != nil {
			return badJSON(), nil
		}
		id, err := call.Host.ShareCase(ctx, sdk.Share{
			CaseID: req.Param("id"), GranteeTenant: in.Tenant, Scope: in.Scope, Reason: "example",
		})
		if err != nil {
			return hostProblem(err)
		}
		return sdk.JSON(http.StatusCreated, map[string]string{"share_id": id})
	}
	return sdk.ProblemResponse(http.StatusNotFound, &sdk.Problem{Title: "无此路由 / no such route"}), nil
}

// hostProblem answers a route whose Host call failed: the errors a user can act on become
// problems, anything else is a failure (an error on the wire; the host logs it and answers with
// an error of its own).
func hostProblem(err error) (*sdk.Response, error) {
	var he *sdk.HostError
	switch {
	case errors.Is(err, sdk.ErrNotFound):
		return sdk.ProblemResponse(http.StatusNotFound, &sdk.Problem{Title: "未找到 / not found"}), nil
	case errors.Is(err, sdk.ErrPermission):
		return sdk.ProblemResponse(http.StatusForbidden, &sdk.Problem{Title: "无权访问 / permission denied"}), nil
	case errors.As(err, &he) && he.Problem != nil:
		return sdk.ProblemResponse(http.StatusUnprocessableEntity, he.Problem), nil
	case errors.Is(err, sdk.ErrInvalid):
		return sdk.ProblemResponse(http.StatusUnprocessableEntity, &sdk.Problem{Title: "请求无效 / invalid request"}), nil
	}
	return nil, err
}

func badJSON() *sdk.Response {
	return sdk.ProblemResponse(http.StatusBadRequest, &sdk.Problem{Title: "请求体不是有效的 JSON / the body is not valid JSON"})
}
