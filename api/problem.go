package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/labstack/echo/v4"
)

// ProblemBase prefixes every problem type; the types are stable identifiers documented in the
// OpenAPI document.
const ProblemBase = "https://fengqiao.cn/problems/"

// Problem is an RFC 9457 problem detail.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	Instance  string         `json:"instance,omitempty"`
	Field     string         `json:"field,omitempty"`
	Errors    []FieldProblem `json:"errors,omitempty"`
	Allowed   []string       `json:"allowed_actions,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
	// RetryAfter, in seconds, is sent as the Retry-After header when set.
	RetryAfter int `json:"-"`
}

// FieldProblem is one invalid input among several.
type FieldProblem struct {
	Line   int    `json:"line,omitempty"` // of an uploaded file (imports)
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

func problem(status int, slug, title, detail string) *Problem {
	return &Problem{Type: ProblemBase + slug, Title: title, Status: status, Detail: detail}
}

func invalid(field, detail string) *Problem {
	p := problem(http.StatusBadRequest, "invalid-field", "字段无效 / Invalid field", detail)
	p.Field = field
	return p
}

// unavailable is how a dependency marks an error as its own outage (the store's
// ErrUnavailable: the database cannot be reached), not a fault of the request.
type unavailable interface{ Unavailable() bool }

// retryAfterSeconds is the Retry-After of an outage: the pool reconnects on the next request
// once the database is back, so a few seconds are enough.
const retryAfterSeconds = 5

// databaseUnavailable is the problem of a request that needed the database while it could not
// be reached.
func databaseUnavailable() *Problem {
	p := problem(http.StatusServiceUnavailable, "database-unavailable", "数据库暂不可用 / Database unavailable",
		"数据库暂时无法连接，请稍后重试 / the database cannot be reached right now: retry later")
	p.RetryAfter = retryAfterSeconds
	return p
}

func fromHTTPError(he *echo.HTTPError) *Problem {
	msg := fmt.Sprint(he.Message)
	switch he.Code {
	case http.StatusNotFound:
		return problem(http.StatusNotFound, "no-route", "无此接口 / No such route", "请查看 /api/v1/openapi.json / see /api/v1/openapi.json")
	case http.StatusMethodNotAllowed:
		return problem(http.StatusMethodNotAllowed, "method-not-allowed", "不支持的方法 / Method not allowed", "此路径不支持该 HTTP 方法，见 /api/v1/openapi.json / this path does not accept the method; see /api/v1/openapi.json")
	case http.StatusRequestEntityTooLarge:
		return problem(http.StatusRequestEntityTooLarge, "body-too-large", "请求体过大 / Request body too large", "请减小请求体 / send a smaller body")
	case http.StatusUnauthorized:
		p, _ := sentinelProblemOf(identity.ErrUnauthenticated)
		return p
	case http.StatusTooManyRequests:
		return problem(he.Code, "too-many-requests", "请求过于频繁 / Too many requests", "请稍后重试 / slow down and retry later")
	case http.StatusServiceUnavailable:
		return problem(he.Code, "unavailable", "暂不可用 / Service unavailable", msg)
	}
	if he.Code >= 400 && he.Code < 500 {
		return problem(he.Code, "bad-request", http.StatusText(he.Code), msg)
	}
	return problem(http.StatusInternalServerError, "internal", "服务器内部错误 / Internal error", "已记录，请凭 request_id 联系运维 / logged; report the request_id to the operators")
}

// writeProblem sends p as application/problem+json.
func writeProblem(c echo.Context, p *Problem) error {
	p.Instance = c.Request().URL.Path
	p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if p.Status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="fengqiao"`)
	}
	if p.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(p.RetryAfter))
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	_, err = c.Response().Write(body)
	return err
}
