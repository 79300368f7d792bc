package api

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/labstack/echo/v4"
)

// bindTarget is a small request body as handlers declare them.
type bindTarget struct {
	Code string `json:"code"`
	N    int    `json:"n"`
}

// bindDecode runs decodeJSON on a request with the given Content-Type ("" for none) and body.
func bindDecode(t testing.TB, contentType string, body io.Reader) (bindTarget, error) {
	t.Helper()
	e := echo.New()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/test", body)
	if contentType != "" {
		req.Header.Set(echo.HeaderContentType, contentType)
	}
	rec := httptest.NewRecorder()
	c := e.NewContext(req, rec)
	var dst bindTarget
	err := decodeJSON(c, &dst)
	return dst, err
}

func TestDecodeJSON(t *testing.T) {
	const (
		jsonCT = "application/json"
		formCT = "application/x-www-form-urlencoded"
	)
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name   string
		ct     string
		body   string
		status int    // 0: decoded without error
		slug   string // problem type after ProblemBase
		field  string
		want   bindTarget // on success
	}{
		// Accepted.
		{name: "valid", ct: jsonCT, body: `{"code":"310107","n":3}`, want: bindTarget{"310107", 3}},
		{name: "valid with charset", ct: "application/json; charset=utf-8", body: `{"code":"310107","n":3}`, want: bindTarget{"310107", 3}},
		{name: "media type is case-insensitive", ct: "Application/JSON", body: `{"n":1}`, want: bindTarget{N: 1}},
		{name: "merge patch", ct: "application/merge-patch+json", body: `{"code":"370104"}`, want: bindTarget{Code: "370104"}},
		{name: "vendor +json type", ct: "application/vnd.fengqiao+json", body: `{"n":7}`, want: bindTarget{N: 7}},
		{name: "no content type is taken as JSON", ct: "", body: `{"code":"310107"}`, want: bindTarget{Code: "310107"}},
		{name: "curl default form type with a JSON object", ct: formCT, body: `{"code":"310107","n":3}`, want: bindTarget{"310107", 3}},
		{name: "curl default form type with padded JSON", ct: formCT, body: "\n  {\"n\":2}  \n", want: bindTarget{N: 2}},
		{name: "empty object", ct: jsonCT, body: `{}`},
		{name: "surrounding whitespace", ct: jsonCT, body: " \r\n\t{\"n\":5}\n\n ", want: bindTarget{N: 5}},
		{name: "explicit null field", ct: jsonCT, body: `{"code":null,"n":null}`},
		{name: "negative zero", ct: jsonCT, body: `{"n":-0}`},
		{name: "unicode escapes", ct: jsonCT, body: `{"code":"\u666e\u9640"}`, want: bindTarget{Code: "普陀"}},
		{name: "invalid UTF-8 in a string is replaced", ct: jsonCT, body: "{\"code\":\"a\xffb\"}", want: bindTarget{Code: "a\uFFFDb"}},
		{name: "top-level null is not an object", ct: jsonCT, body: `null`, status: 400, slug: "malformed-json"},
		// Documented current behaviour of encoding/json: keys match field names case-insensitively
		// and a repeated key keeps its last value.
		{name: "key case folded", ct: jsonCT, body: `{"CODE":"310107","N":4}`, want: bindTarget{"310107", 4}},
		{name: "repeated key keeps the last value", ct: jsonCT, body: `{"n":1,"n":2}`, want: bindTarget{N: 2}},

		// Media type.
		{name: "text/plain", ct: "text/plain", body: `{"code":"310107"}`, status: 415, slug: "unsupported-media-type"},
		{name: "text/plain with empty body", ct: "text/plain", body: ``, status: 415, slug: "unsupported-media-type"},
		{name: "xml", ct: "application/xml", body: `<code>310107</code>`, status: 415, slug: "unsupported-media-type"},
		{name: "multipart", ct: "multipart/form-data; boundary=x", body: `{"code":"310107"}`, status: 415, slug: "unsupported-media-type"},
		{name: "unparsable content type", ct: "application/json; charset", body: `{}`, status: 415, slug: "unsupported-media-type"},
		{name: "garbage content type", ct: "json", body: `{}`, status: 415, slug: "unsupported-media-type"},
		{name: "form body under form type", ct: formCT, body: `code=310107&n=3`, status: 415, slug: "unsupported-media-type"},
		{name: "JSON string under form type", ct: formCT, body: `"310107"`, status: 415, slug: "unsupported-media-type"},
		{name: "JSON array under form type is JSON, not an object", ct: formCT, body: `[1]`, status: 400, slug: "malformed-json"},

		// Empty.
		{name: "empty body", ct: jsonCT, body: ``, status: 400, slug: "empty-body"},
		{name: "whitespace only", ct: jsonCT, body: " \n\t\r ", status: 400, slug: "empty-body"},
		{name: "empty body without content type", ct: "", body: ``, status: 400, slug: "empty-body"},
		{name: "empty body under form type", ct: formCT, body: ``, status: 400, slug: "empty-body"},

		// Malformed or not an object.
		{name: "unterminated object", ct: jsonCT, body: `{`, status: 400, slug: "malformed-json"},
		{name: "unterminated value", ct: jsonCT, body: `{"code":`, status: 400, slug: "malformed-json"},
		{name: "unterminated string", ct: jsonCT, body: `{"code":"3101`, status: 400, slug: "malformed-json"},
		{name: "trailing comma", ct: jsonCT, body: `{"code":"x",}`, status: 400, slug: "malformed-json"},
		{name: "single quotes", ct: jsonCT, body: `{'code':'x'}`, status: 400, slug: "malformed-json"},
		{name: "bare word", ct: jsonCT, body: `code`, status: 400, slug: "malformed-json"},
		{name: "byte order mark", ct: jsonCT, body: "\uFEFF{}", status: 400, slug: "malformed-json"},
		{name: "array body", ct: jsonCT, body: `[1]`, status: 400, slug: "malformed-json"},
		{name: "empty array body", ct: jsonCT, body: `[]`, status: 400, slug: "malformed-json"},
		{name: "array of objects", ct: jsonCT, body: `[{"code":"310107"}]`, status: 400, slug: "malformed-json"},
		{name: "string body", ct: jsonCT, body: `"310107"`, status: 400, slug: "malformed-json"},
		{name: "number body", ct: jsonCT, body: `42`, status: 400, slug: "malformed-json"},
		{name: "boolean body", ct: jsonCT, body: `true`, status: 400, slug: "malformed-json"},
		{name: "two objects", ct: jsonCT, body: `{}{}`, status: 400, slug: "malformed-json"},
		{name: "two objects with space", ct: jsonCT, body: `{"n":1} {"n":2}`, status: 400, slug: "malformed-json"},
		{name: "object then null", ct: jsonCT, body: `{}null`, status: 400, slug: "malformed-json"},
		{name: "trailing garbage", ct: jsonCT, body: `{} x`, status: 400, slug: "malformed-json"},
		{name: "trailing bracket", ct: jsonCT, body: `{}]`, status: 400, slug: "malformed-json"},
		{name: "trailing brace", ct: jsonCT, body: `{}}`, status: 400, slug: "malformed-json"},
		{name: "trailing comma after object", ct: jsonCT, body: `{},`, status: 400, slug: "malformed-json"},
		{name: "deep nesting at top level", ct: jsonCT, body: deep(20000), status: 400, slug: "malformed-json"},
		{name: "deep nesting in a field", ct: jsonCT, body: `{"code":` + deep(20000) + `}`, status: 400, slug: "malformed-json"},
		{name: "deep nesting in an unknown field", ct: jsonCT, body: `{"x":` + deep(20000) + `}`, status: 400, slug: "malformed-json"},

		// Field problems.
		{name: "unknown field", ct: jsonCT, body: `{"code":"310107","extra":1}`, status: 400, slug: "invalid-field", field: "extra"},
		{name: "unknown field first", ct: jsonCT, body: `{"zzz":true,"n":"x"}`, status: 400, slug: "invalid-field", field: "zzz"},
		{name: "unknown field in Chinese", ct: jsonCT, body: `{"名称":"普陀"}`, status: 400, slug: "invalid-field", field: "名称"},
		{name: "unknown field with escaped name", ct: jsonCT, body: `{"\u00e9t\u00e9":1}`, status: 400, slug: "invalid-field", field: "été"},
		{name: "unknown field holding deep nesting", ct: jsonCT, body: `{"x":` + deep(100) + `}`, status: 400, slug: "invalid-field", field: "x"},
		{name: "string for int", ct: jsonCT, body: `{"n":"x"}`, status: 400, slug: "invalid-field", field: "n"},
		{name: "numeric string for int", ct: jsonCT, body: `{"n":"3"}`, status: 400, slug: "invalid-field", field: "n"},
		{name: "fraction for int", ct: jsonCT, body: `{"n":1.5}`, status: 400, slug: "invalid-field", field: "n"},
		{name: "huge number for int", ct: jsonCT, body: `{"n":1e400}`, status: 400, slug: "invalid-field", field: "n"},
		{name: "int overflow", ct: jsonCT, body: `{"n":99999999999999999999}`, status: 400, slug: "invalid-field", field: "n"},
		{name: "bool for int", ct: jsonCT, body: `{"n":true}`, status: 400, slug: "invalid-field", field: "n"},
		{name: "number for string", ct: jsonCT, body: `{"code":310107}`, status: 400, slug: "invalid-field", field: "code"},
		{name: "object for string", ct: jsonCT, body: `{"code":{}}`, status: 400, slug: "invalid-field", field: "code"},
		{name: "nested arrays for string", ct: jsonCT, body: `{"code":` + deep(100) + `}`, status: 400, slug: "invalid-field", field: "code"},
		{name: "later wrong type after repeated key", ct: jsonCT, body: `{"n":1,"n":"x"}`, status: 400, slug: "invalid-field", field: "n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bindDecode(t, tt.ct, strings.NewReader(tt.body))
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("decodeJSON(%.60q): %v", tt.body, err)
				}
				if got != tt.want {
					t.Errorf("decoded %+v, want %+v", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("decodeJSON(%.60q) = %+v, nil; want a %d problem", tt.body, got, tt.status)
			}
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("error %T %v, want *Problem", err, err)
			}
			if p.Status != tt.status {
				t.Errorf("status %d, want %d (%v)", p.Status, tt.status, p)
			}
			if p.Type != ProblemBase+tt.slug {
				t.Errorf("type %q, want %q", p.Type, ProblemBase+tt.slug)
			}
			if p.Field != tt.field {
				t.Errorf("field %q, want %q", p.Field, tt.field)
			}
			if p.Title == "" || p.Detail == "" {
				t.Errorf("problem without title or detail: %+v", p)
			}
			if tp := toProblem(err); tp != p {
				t.Errorf("toProblem does not pass the problem through: %+v", tp)
			}
		})
	}
}

func TestDecodeJSONUnreadableBody(t *testing.T) {
	_, err := bindDecode(t, "application/json", iotest.ErrReader(errors.New("connection reset")))
	var p *Problem
	if !errors.As(err, &p) {
		t.Fatalf("error %T %v, want *Problem", err, err)
	}
	if p.Status != http.StatusBadRequest || p.Type != ProblemBase+"unreadable-body" {
		t.Errorf("problem %d %s, want 400 unreadable-body", p.Status, p.Type)
	}
}

func TestDecodeJSONBodyLimit(t *testing.T) {
	const limit = 32
	tests := []struct {
		name string
		body string
		ok   bool
	}{
		{"within the limit", `{"code":"310107","n":1}`, true},
		{"exactly the limit", `{"code":"` + strings.Repeat("a", limit-11) + `"}`, true},
		{"one byte over", `{"code":"` + strings.Repeat("a", limit-10) + `"}`, false},
		{"far over", `{"code":"` + strings.Repeat("a", 10*limit) + `"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := echo.New()
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			req.Header.Set(echo.HeaderContentType, "application/json")
			rec := httptest.NewRecorder()
			req.Body = http.MaxBytesReader(rec, req.Body, limit)
			var dst bindTarget
			err := decodeJSON(e.NewContext(req, rec), &dst)
			if tt.ok {
				if err != nil {
					t.Fatalf("decodeJSON(%d bytes, limit %d): %v", len(tt.body), limit, err)
				}
				return
			}
			var mbe *http.MaxBytesError
			if !errors.As(err, &mbe) {
				t.Fatalf("decodeJSON(%d bytes, limit %d) = %v, want *http.MaxBytesError", len(tt.body), limit, err)
			}
			p := toProblem(err)
			if p.Status != http.StatusRequestEntityTooLarge || p.Type != ProblemBase+"body-too-large" {
				t.Errorf("toProblem = %d %s, want 413 body-too-large", p.Status, p.Type)
			}
		})
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []struct{ ct, body string }{
		{"application/json", `{"code":"310107","n":3}`},
		{"application/json; charset=utf-8", `{"n":1}`},
		{"application/merge-patch+json", `{}`},
		{"application/x-www-form-urlencoded", `{"code":"x"}`},
		{"application/x-www-form-urlencoded", `code=x`},
		{"text/plain", `{}`},
		{"", ``},
		{"", `null`},
		{"application/json", `{`},
		{"application/json", `[1]`},
		{"application/json", `{}{}`},
		{"application/json", `{} x`},
		{"application/json", `{"x":1}`},
		{"application/json", `{"n":"x"}`},
		{"application/json", `{"a\"b":1}`},
		{"application/json", `{"code":[[[[1]]]]}`},
		{"application/json; charset", `{}`},
		{"application/json", "\xff\xfe{}"},
	} {
		f.Add(s.ct, []byte(s.body))
	}
	e := echo.New()
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		if ct != "" {
			req.Header.Set(echo.HeaderContentType, ct)
		}
		rec := httptest.NewRecorder()
		var dst bindTarget
		err := decodeJSON(e.NewContext(req, rec), &dst)
		if err == nil {
			return
		}
		var p *Problem
		if !errors.As(err, &p) {
			t.Fatalf("decodeJSON(%q, %q) returned %T %v, want *Problem", ct, body, err, err)
		}
		tp := toProblem(err)
		if tp.Status < 400 || tp.Status > 499 {
			t.Fatalf("decodeJSON(%q, %q) maps to status %d: %+v", ct, body, tp.Status, tp)
		}
		if !strings.HasPrefix(tp.Type, ProblemBase) || tp.Title == "" {
			t.Fatalf("problem without type or title: %+v", tp)
		}
	})
}
