package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/labstack/echo/v4"
)

// The console does not call its own JSON API over HTTP, and it does not re-implement what a
// route decides either: it invokes an API operation in-process — the route table's entry, its
// authorization (Casbin, the case relationships, tenant scope and status) and its handler, which
// calls the domain services — and receives the handler's typed result instead of JSON. So there
// is one decision per operation, and a page cannot show what the API would refuse.

// opCall is one API operation invoked by the console.
type opCall struct {
	method, path string            // the route table's key, e.g. GET /api/v1/tenants/:code/cases/:id
	params       map[string]string // path parameters
	query        url.Values
	body         any    // encoded as the JSON body the route decodes (its strict decoding applies)
	raw          []byte // a raw body (uploads), with contentType
	contentType  string
	header       http.Header // request headers the operation reads (Idempotency-Key)
	// authorizeOnly runs the route's authorization and not its handler: whether the user may
	// (nil error, status 204) — a page offers an action exactly when the API would take it.
	authorizeOnly bool
}

// opResult is what the handler answered: its status and the value it would have written.
type opResult struct {
	Status      int
	Value       any    // the response DTO (JSON routes)
	Blob        []byte // Blob and Stream responses (exports)
	ContentType string
	Header      http.Header
}

// captureContext records what a handler responds with instead of serializing it.
type captureContext struct {
	echo.Context
	res opResult
}

func (c *captureContext) JSON(code int, i any) error {
	c.res.Status, c.res.Value = code, i
	return nil
}

func (c *captureContext) NoContent(code int) error {
	c.res.Status = code
	return nil
}

func (c *captureContext) Blob(code int, contentType string, b []byte) error {
	c.res.Status, c.res.ContentType, c.res.Blob = code, contentType, b
	return nil
}

func (c *captureContext) Stream(code int, contentType string, r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return c.Blob(code, contentType, b)
}

// HTMLBlob and HTML: documents an operation renders (the printable agreement).
func (c *captureContext) HTMLBlob(code int, b []byte) error {
	return c.Blob(code, echo.MIMETextHTMLCharsetUTF8, b)
}

func (c *captureContext) HTML(code int, html string) error { return c.HTMLBlob(code, []byte(html)) }

func (c *captureContext) String(code int, s string) error {
	return c.Blob(code, "text/plain; charset=utf-8", []byte(s))
}

// headerWriter is the response writer of an invoked operation: handlers set headers
// (Cache-Control, Retry-After) that the console may read; nothing is written to the network.
type headerWriter struct {
	h    http.Header
	body bytes.Buffer
	code int
}

func (w *headerWriter) Header() http.Header         { return w.h }
func (w *headerWriter) Write(b []byte) (int, error) { return w.body.Write(b) }
func (w *headerWriter) WriteHeader(code int)        { w.code = code }

// invoke runs an API operation as p (the zero principal: a public route) within the console
// request c, whose context carries the deadline, the request ID and the audit actor.
func (s *Server) invoke(c echo.Context, p identity.Principal, call opCall) (opResult, error) {
	r, ok := s.byPath[call.method+" "+call.path]
	if !ok {
		return opResult{}, fmt.Errorf("console: no API operation %s %s", call.method, call.path)
	}
	var body io.Reader = http.NoBody
	ctype := ""
	switch {
	case call.raw != nil:
		body, ctype = bytes.NewReader(call.raw), call.contentType
	case call.body != nil:
		b, err := json.Marshal(call.body)
		if err != nil {
			return opResult{}, fmt.Errorf("console: encode the body of %s %s: %w", call.method, call.path, err)
		}
		body, ctype = bytes.NewReader(b), echo.MIMEApplicationJSON
	}
	target := call.path
	var names, values []string
	for _, seg := range strings.Split(call.path, "/") {
		if strings.HasPrefix(seg, ":") {
			name := seg[1:]
			v := call.params[name]
			names, values = append(names, name), append(values, v)
			target = strings.Replace(target, seg, url.PathEscape(v), 1)
		}
	}
	if len(call.query) > 0 {
		target += "?" + call.query.Encode()
	}
	req, err := http.NewRequestWithContext(c.Request().Context(), call.method, target, body)
	if err != nil {
		return opResult{}, err
	}
	for k, vs := range call.header {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	if ctype != "" {
		req.Header.Set(echo.HeaderContentType, ctype)
	}
	req.RemoteAddr = c.Request().RemoteAddr
	w := &headerWriter{h: http.Header{}}
	ec := s.echo.NewContext(req, w)
	ec.SetPath(r.path)
	ec.SetParamNames(names...)
	ec.SetParamValues(values...)
	cc := &captureContext{Context: ec}
	limit := s.deps.BodyLimit
	if r.bodyLimit > 0 {
		limit = r.bodyLimit
	}
	req.Body = http.MaxBytesReader(w, req.Body, limit)
	h := func(c echo.Context) error { return r.handler(s, c) }
	if call.authorizeOnly {
		h = func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }
	}
	h = declaredQuery(r)(h)
	if !r.public {
		if p.Subject == "" {
			return opResult{}, identity.ErrUnauthenticated
		}
		cc.Set("principal", p)
		h = s.authorize(r)(h)
	}
	if err := s.checkParams(h)(cc); err != nil {
		// The headers a refusal set (Retry-After of a throttled login) still reach the page.
		return opResult{Header: w.h}, err
	}
	cc.res.Header = w.h
	if cc.res.Status == 0 {
		cc.res.Status = w.code
	}
	return cc.res, nil
}

// opValue invokes an operation and returns its result as T (the route's response type).
func opValue[T any](s *Server, c echo.Context, p identity.Principal, call opCall) (T, error) {
	var zero T
	res, err := s.invoke(c, p, call)
	if err != nil {
		return zero, err
	}
	switch v := res.Value.(type) {
	case T:
		return v, nil
	case *T:
		return *v, nil
	}
	return zero, fmt.Errorf("console: %s %s answered %T, not %T", call.method, call.path, res.Value, zero)
}

// actingAs makes p the one who acts in request c, for the API's authenticate and the console's
// session alike: the principal the authorization reads, the audit actor, and the caller the
// plugins' before-hooks below the edge see.
func (s *Server) actingAs(c echo.Context, p identity.Principal) {
	ctx := c.Request().Context()
	a := audit.ActorFrom(ctx)
	a.Subject = p.Subject
	ctx = audit.WithActor(ctx, a)
	caller := access.Caller{Principal: accessPrincipal(p), Name: p.Username}
	if s.deps.Roles != nil {
		caller.Roles = s.deps.Roles.RolesOf(p.Subject)
	}
	c.SetRequest(c.Request().WithContext(access.WithCaller(ctx, caller)))
	c.Set("principal", p)
}
