package api_test

import (
	"net/http"
	"testing"
	"time"
)

// TestTenantStatusForParents: a suspended or archived district is read-only for the levels
// above it — they read its cases (what their relationship shows), registry, figures, users
// and audit; every write is refused with the district's status — and closed to its own users.
func TestTenantStatusForParents(t *testing.T) {
	e := newEnv(t)
	// An orange warning in Huaiyin escalated to Jinan, so the city has a case to read.
	if res := e.do("huaiyin-admin", http.MethodPut, "/api/v1/tenants/370104/warning-settings", map[string]any{"orange_ack_hours": 6}); res.status != 200 {
		t.Fatalf("settings: %d %s", res.status, res.body)
	}
	caseID, _ := e.riskyCase(t, "huaiyin-staff", "370104", "orange")
	e.work(t, 0)
	e.work(t, 7*time.Hour)
	if w := e.items(t, "jinan-city", "/api/v1/tenants/370104/warnings"); len(w) != 1 {
		t.Fatalf("escalated warnings seen by the city: %v", w)
	}
	caseURL := "/api/v1/tenants/370104/cases/" + caseID
	newUser := map[string]any{"username": "huaiyin-new", "password": testPassword, "roles": []string{"district-staff"}}

	// reads are the parent's rows that must answer 200 whatever the district's status.
	reads := func(status string) []row {
		return []row{
			{name: status + ": the city reads the escalated case", as: "jinan-city", method: http.MethodGet, path: caseURL, status: 200},
			{name: status + ": the city lists the cases it may see", as: "jinan-city", method: http.MethodGet, path: "/api/v1/tenants/370104/cases", status: 200, items: count(1)},
			{name: status + ": the city reads the warnings escalated to it", as: "jinan-city", method: http.MethodGet, path: "/api/v1/tenants/370104/warnings", status: 200, items: count(1)},
			{name: status + ": the city reads the figures", as: "jinan-city", method: http.MethodGet, path: "/api/v1/tenants/370104/stats", status: 200},
			{name: status + ": the province reads the figures", as: "sd-prov", method: http.MethodGet, path: "/api/v1/tenants/370104/stats", status: 200},
			{name: status + ": the province reads the users", as: "sd-prov", method: http.MethodGet, path: "/api/v1/tenants/370104/users", status: 200},
			{name: status + ": the province reads the judicial offices", as: "sd-prov", method: http.MethodGet, path: "/api/v1/tenants/370104/offices", status: 200},
			{name: status + ": the province reads the audit trail", as: "sd-prov", method: http.MethodGet, path: "/api/v1/tenants/370104/audit", status: 200},
			{name: status + ": the tenant itself", as: "sd-prov", method: http.MethodGet, path: "/api/v1/tenants/370104", status: 200},
		}
	}
	var rows []row
	rows = append(rows, row{name: "the city suspends Huaiyin", as: "jinan-city", method: http.MethodPost, path: "/api/v1/tenants/370104/suspend", body: map[string]any{"reason": "整改"}, status: 200})
	rows = append(rows, reads("suspended")...)
	rows = append(rows, []row{
		{name: "suspended: the district's staff are refused", as: "huaiyin-staff", method: http.MethodGet, path: caseURL, status: 403, problem: "tenant-suspended"},
		{name: "suspended: the district's admin are refused", as: "huaiyin-admin", method: http.MethodGet, path: "/api/v1/tenants/370104/cases", status: 403, problem: "tenant-suspended"},
		{name: "suspended: the province creates no user", as: "sd-prov", method: http.MethodPost, path: "/api/v1/tenants/370104/users", body: newUser, status: 403, problem: "tenant-suspended"},
		{name: "suspended: the province changes no settings", as: "sd-prov", method: http.MethodPatch, path: "/api/v1/tenants/370104", body: map[string]any{"display_name": "x"}, status: 403, problem: "tenant-suspended"},
		{name: "suspended: the province creates no API token", as: "sd-prov", method: http.MethodPost, path: "/api/v1/tenants/370104/tokens", body: map[string]any{"name": "法院系统", "role": "agency-system"}, status: 403, problem: "tenant-suspended"},
		{name: "the province archives Huaiyin", as: "sd-prov", method: http.MethodPost, path: "/api/v1/tenants/370104/archive", body: map[string]any{"reason": "区划调整"}, status: 200},
	}...)
	rows = append(rows, reads("archived")...)
	rows = append(rows, []row{
		{name: "archived: the district's staff are refused", as: "huaiyin-staff", method: http.MethodGet, path: caseURL, status: 403, problem: "tenant-archived"},
		{name: "archived: the province creates no user", as: "sd-prov", method: http.MethodPost, path: "/api/v1/tenants/370104/users", body: newUser, status: 403, problem: "tenant-archived"},
		{name: "archived: the province changes no settings", as: "sd-prov", method: http.MethodPatch, path: "/api/v1/tenants/370104", body: map[string]any{"display_name": "x"}, status: 403, problem: "tenant-archived"},
		{name: "archived: the city creates no API token", as: "jinan-city", method: http.MethodPost, path: "/api/v1/tenants/370104/tokens", body: map[string]any{"name": "法院系统", "role": "agency-system"}, status: 403, problem: "tenant-archived"},
		// Scoping still comes first: a sibling district's admin learns nothing.
		{name: "archived: another district does not see it", as: "putuo-admin", method: http.MethodGet, path: caseURL, status: 404, problem: "tenant-not-found"},
	}...)
	runRows(t, e, nil, rows)
}
