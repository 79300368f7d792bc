package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fengqiao/fengqiao/core/valid"
)

// decodeJSON reads the request body strictly into dst: JSON media type, one object, no unknown
// fields, right types. Every failure is a problem naming the field and what to send instead.
func decodeJSON(c echo.Context, dst any) error {
	_, err := decodeJSONBody(c, dst)
	return err
}

// decodeJSONBody is decodeJSON that also returns the raw body (e.g. to fingerprint a request).
func decodeJSONBody(c echo.Context, dst any) ([]byte, error) {
	req := c.Request()
	body, err := io.ReadAll(req.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, problem(http.StatusBadRequest, "unreadable-body", "无法读取请求体 / Unreadable body", err.Error())
	}
	if ct := req.Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		// curl -d sends JSON labelled as a form; a body that is plainly a JSON object is taken as JSON.
		trimmed := bytes.TrimSpace(body)
		curlDefault := mt == "application/x-www-form-urlencoded" && (len(trimmed) == 0 || trimmed[0] == '{' || trimmed[0] == '[')
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json") && !curlDefault) {
			return nil, problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "不支持的内容类型 / Unsupported media type",
				fmt.Sprintf("请求体须为 JSON，Content-Type: application/json（收到 %q） / send JSON with Content-Type: application/json (got %q)", ct, ct))
		}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, problem(http.StatusBadRequest, "empty-body", "缺少请求体 / Missing body", "请发送 JSON 对象 / send a JSON object")
	}
	if trimmed := bytes.TrimSpace(body); trimmed[0] != '{' {
		return nil, problem(http.StatusBadRequest, "malformed-json", "JSON 格式错误 / Malformed JSON", "请求体须为 JSON 对象 {…} / the body must be a JSON object {…}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return nil, jsonProblem(err)
	}
	if dec.More() {
		return nil, problem(http.StatusBadRequest, "malformed-json", "JSON 格式错误 / Malformed JSON", "请求体只能包含一个 JSON 对象 / the body must hold exactly one JSON object")
	}
	var tail json.RawMessage
	if err := dec.Decode(&tail); err != io.EOF {
		return nil, problem(http.StatusBadRequest, "malformed-json", "JSON 格式错误 / Malformed JSON", "请求体只能包含一个 JSON 对象 / the body must hold exactly one JSON object")
	}
	if bytes.Contains(body, []byte(`\u0000`)) {
		if field, ok := valid.JSONWithNUL(body); ok {
			return nil, invalid(field, fmt.Sprintf("字段 %s 含有空字符（\\u0000），请删除 / %s contains a NUL character (\\u0000): remove it", field, field))
		}
	}
	return body, nil
}

func jsonProblem(err error) *Problem {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		return problem(http.StatusBadRequest, "malformed-json", "JSON 格式错误 / Malformed JSON",
			fmt.Sprintf("第 %d 字节处：%v / at byte %d: %v", syn.Offset, syn, syn.Offset, syn))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			p := problem(http.StatusBadRequest, "malformed-json", "JSON 格式错误 / Malformed JSON", "请求体须为 JSON 对象 / the body must be a JSON object")
			return p
		}
		want := jsonType(typ.Type.String())
		return invalid(field, fmt.Sprintf("字段 %s 应为%s，收到的是%s / %s must be of type %s, got %s", field, jsonTypeZH(want), jsonTypeZH(typ.Value), field, want, typ.Value))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return problem(http.StatusBadRequest, "malformed-json", "JSON 格式错误 / Malformed JSON", "JSON 不完整 / the JSON ends too early")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if unq, err := strconv.Unquote(name); err == nil {
			name = unq
		}
		return invalid(name, fmt.Sprintf("未知字段 %q，请查看接口文档 /api/v1/openapi.json / unknown field %q; see /api/v1/openapi.json", name, name))
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return toProblem(err)
	}
	return problem(http.StatusBadRequest, "malformed-json", "JSON 格式错误 / Malformed JSON", err.Error())
}

// jsonTypeZH names a JSON type in Chinese, for the Chinese half of a message.
func jsonTypeZH(t string) string {
	switch {
	case t == "string":
		return "文本（字符串）"
	case t == "integer":
		return "整数"
	case t == "number":
		return "数字"
	case t == "boolean" || t == "bool":
		return `布尔值（"true" 或 "false"）`
	case t == "array":
		return "数组"
	case t == "object":
		return "对象"
	case t == "null":
		return "空值（null）"
	case strings.HasPrefix(t, "string ("):
		return "RFC 3339 时间文本"
	}
	return "其他类型"
}

func jsonType(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "array"
	case goType == "string" || goType == "*string":
		return "string"
	case goType == "bool" || goType == "*bool":
		return "boolean"
	case strings.Contains(goType, "int"):
		return "integer"
	case strings.Contains(goType, "float"):
		return "number"
	case strings.Contains(goType, "time.Time"):
		return "string (RFC 3339 time)"
	}
	return "object"
}

// declaredQuery refuses query parameters the route does not declare (the declaration the
// OpenAPI document shows), as unknown body fields are: a misspelt filter must not silently
// widen a list. Routes outside the table (plugins', /metrics) check their own.
func declaredQuery(r route) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := unknownQuery(r, c.QueryParams()); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// unknownQuery refuses the first (by name) query parameter the route does not declare,
// naming it and the ones it accepts.
func unknownQuery(r route, q url.Values) error {
	var unknown []string
	for name := range q {
		if !slices.ContainsFunc(r.query, func(p queryParam) bool { return p.name == name }) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	name := unknown[0]
	if len(r.query) == 0 {
		return invalid(name, fmt.Sprintf("未知查询参数 %q：本接口不接受查询参数 / unknown query parameter %q: this route takes none", name, name))
	}
	quoted := make([]string, len(r.query))
	for i, p := range r.query {
		quoted[i] = strconv.Quote(p.name)
	}
	return invalid(name, fmt.Sprintf("未知查询参数 %q，可用参数：%s；请查看接口文档 /api/v1/openapi.json / unknown query parameter %q; accepted: %s; see /api/v1/openapi.json",
		name, strings.Join(quoted, "、"), name, strings.Join(quoted, ", ")))
}
