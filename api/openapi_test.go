package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/api"
	"github.com/getkin/kin-openapi/openapi3"
)

var echoParam = regexp.MustCompile(`:([a-z_]+)`)

// TestOpenAPIMatchesRoutes keeps the served document true: every registered route is
// documented and every documented operation is served, and the document is valid OpenAPI 3.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	srv := api.New(api.Deps{Logger: discardLogger()})
	doc, err := srv.Document()
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI document: %v", err)
	}
	registered := map[string]bool{}
	for _, r := range srv.Routes() {
		// Plugins' routes are documented by the plugins' own fragments, merged when served.
		if r.Method == "echo_route_not_found" || strings.HasPrefix(r.Method, "echo_") || strings.HasSuffix(r.Path, "/plugins/:name/*") {
			continue
		}
		// The web console's pages are HTML for people, not operations of the API.
		if api.IsConsolePath(r.Path) {
			continue
		}
		registered[r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	var missing, extra []string
	for k := range registered {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !registered[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("served but not documented: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("documented but not served: %v", extra)
	}
	if len(registered) < 20 {
		t.Errorf("only %d routes registered", len(registered))
	}
	// Every operation has an id, a summary and a problem response.
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" || op.Summary == "" {
				t.Errorf("%s %s lacks operationId or summary", method, path)
			}
			if path != "/metrics" && op.Responses.Default() == nil {
				t.Errorf("%s %s lacks the problem response", method, path)
			}
		}
	}
	// The contract's operation ids.
	for _, id := range []string{"login", "onboardTenant", "getTenant", "healthzV1", "getOpenAPI"} {
		found := false
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				found = found || op.OperationID == id
			}
		}
		if !found {
			t.Errorf("operation %s not documented", id)
		}
	}
}

// TestOpenAPIServed checks the document is served, parses, and names the contract routes.
func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t)
	res := e.do("", http.MethodGet, "/api/v1/openapi.json", nil)
	if res.status != 200 {
		t.Fatalf("openapi.json: %d", res.status)
	}
	doc, err := openapi3.NewLoader().LoadFromData(res.body)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/api/v1/auth/login", "/api/v1/tenants", "/api/v1/tenants/{code}", "/api/v1/healthz", "/healthz"} {
		if doc.Paths.Find(p) == nil {
			t.Errorf("%s not in the served document", p)
		}
	}
	var raw map[string]any
	if err := json.Unmarshal(res.body, &raw); err != nil || raw["openapi"] == nil {
		t.Errorf("served document: %v", err)
	}
}
