package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestUnknownQueryParameters: a query parameter a route does not declare is refused like an
// unknown body field — 400 naming it and listing the accepted ones — on every kind of route
// (lists, single resources, public routes, writes), after authentication and tenant scoping.
func TestUnknownQueryParameters(t *testing.T) {
	e := newEnv(t)
	rows := []row{
		{name: "tenants list: a misspelt filter", as: "nation", method: http.MethodGet, path: "/api/v1/tenants?levle=district", status: 400, problem: "invalid-field", field: "levle"},
		{name: "tenants list: declared filters", as: "nation", method: http.MethodGet, path: "/api/v1/tenants?level=district&limit=2", status: 200},
		{name: "cases list: a filter of another route", as: "putuo-admin", method: http.MethodGet, path: "/api/v1/tenants/310107/cases?chief=true", status: 400, problem: "invalid-field", field: "chief"},
		{name: "cases list: the parameter's case matters", as: "putuo-admin", method: http.MethodGet, path: "/api/v1/tenants/310107/cases?Status=received", status: 400, problem: "invalid-field", field: "Status"},
		{name: "cases list: an empty unknown parameter", as: "putuo-admin", method: http.MethodGet, path: "/api/v1/tenants/310107/cases?foo=", status: 400, problem: "invalid-field", field: "foo"},
		{name: "cases list: declared filters", as: "putuo-admin", method: http.MethodGet, path: "/api/v1/tenants/310107/cases?status=received&limit=1", status: 200},
		{name: "organisations: kind of another list", as: "putuo-admin", method: http.MethodGet, path: "/api/v1/tenants/310107/organisations?field=lawyer", status: 400, problem: "invalid-field", field: "field"},
		{name: "organisations: declared", as: "putuo-admin", method: http.MethodGet, path: "/api/v1/tenants/310107/organisations?kind=court", status: 200},
		{name: "stats: group instead of group_by", as: "putuo-admin", method: http.MethodGet, path: "/api/v1/tenants/310107/stats?group=committee", status: 400, problem: "invalid-field", field: "group"},
		{name: "audit: after instead of before", as: "putuo-admin", method: http.MethodGet, path: "/api/v1/tenants/310107/audit?after=5", status: 400, problem: "invalid-field", field: "after"},
		{name: "a route without parameters", as: "putuo-staff", method: http.MethodGet, path: "/api/v1/me?verbose=1", status: 400, problem: "invalid-field", field: "verbose"},
		{name: "a write", as: "putuo-admin", method: http.MethodPost, path: "/api/v1/tenants/310107/cases?dry_run=true", body: map[string]any{}, status: 400, problem: "invalid-field", field: "dry_run"},
		{name: "a public route", method: http.MethodGet, path: "/api/v1/healthz?full=1", status: 400, problem: "invalid-field", field: "full"},
		{name: "login", method: http.MethodPost, path: "/api/v1/auth/login?next=/", body: map[string]any{"username": "putuo-admin", "password": testPassword}, status: 400, problem: "invalid-field", field: "next"},
		// The check comes after authentication and scoping: nothing is told to a stranger.
		{name: "anonymous: unauthenticated first", method: http.MethodGet, path: "/api/v1/tenants/310107/cases?foo=1", status: 401, problem: "unauthenticated"},
		{name: "another district: not found first", as: "huaiyin-admin", method: http.MethodGet, path: "/api/v1/tenants/310107/cases?foo=1", status: 404, problem: "tenant-not-found"},
	}
	runRows(t, e, nil, rows)

	t.Run("the problem lists the accepted parameters", func(t *testing.T) {
		res := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/follow-ups?status=due", nil)
		detail, _ := res.json["detail"].(string)
		for _, want := range []string{`"status"`, `"state"`, `"after"`, `"limit"`, "未知查询参数"} {
			if !strings.Contains(detail, want) {
				t.Errorf("detail %q lacks %s", detail, want)
			}
		}
	})
}
