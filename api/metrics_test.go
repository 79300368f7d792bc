package api_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/api"
)

// testMetricsToken is the bearer token /metrics requires in the test env.
const testMetricsToken = "metrics-token-of-the-tests-0123456789"

// scrape reads /metrics with the metrics token.
func (e *env) scrape(t *testing.T) string {
	t.Helper()
	res := e.do("Bearer "+testMetricsToken, http.MethodGet, "/metrics", nil)
	if res.status != http.StatusOK {
		t.Fatalf("/metrics: %d %s", res.status, res.body)
	}
	return string(res.body)
}

// series are the samples of /metrics: every line that is not a comment.
func series(body string) []string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// TestMetricsBounded: anonymous requests with random Host headers, unknown paths and made-up
// methods add no series to /metrics; requests are labelled by route template, method and
// status, never by Host or raw path.
func TestMetricsBounded(t *testing.T) {
	e := newEnv(t)
	rng := rand.New(rand.NewPCG(12, 5))
	hex := func() string { return fmt.Sprintf("%016x", rng.Uint64()) }
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, "BREW", "PROPFIND"}
	paths := []func() string{
		func() string { return "/" + hex() },
		func() string { return "/api/v1/" + hex() + "/" + hex() },
		func() string { return "/api/v1/tenants/310107/" + hex() },
		func() string { return "/metrics/" + hex() },
	}
	anonymous := func(method, host, path string) {
		req, err := http.NewRequest(method, e.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s: %d", method, path, res.StatusCode)
		}
	}
	// Every kind of request once, so that the series they make exist before counting.
	for _, m := range methods {
		for _, p := range paths {
			anonymous(m, "warm.example", p())
		}
	}
	anonymous(http.MethodPut, "warm.example", "/healthz") // a route's path, not its method: 405
	e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107", nil)
	before := series(e.scrape(t))

	hosts := map[string]bool{}
	for range 1000 {
		host := hex() + ".example"
		hosts[host] = true
		anonymous(methods[rng.IntN(len(methods))], host, paths[rng.IntN(len(paths))]())
	}
	e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107", nil)
	body := e.scrape(t)
	after := series(body)
	if len(after) != len(before) {
		t.Errorf("1,000 anonymous requests grew /metrics from %d to %d series (%d bytes)", len(before), len(after), len(body))
	}
	for _, l := range after {
		if strings.Contains(l, "host=") || strings.Contains(l, ".example") {
			t.Fatalf("a series labelled by the Host header: %s", l)
		}
	}

	labels := []struct {
		name, want string
	}{
		{"a route by its template", `fengqiao_requests_total{code="200",method="GET",route="/api/v1/tenants/:code"}`},
		{"an unknown path as unmatched", `fengqiao_requests_total{code="404",method="GET",route="unmatched"}`},
		{"a made-up method as other", `method="other",route="unmatched"}`},
		{"a route's path with another method as unmatched", `fengqiao_requests_total{code="405",method="PUT",route="unmatched"}`},
	}
	for _, l := range labels {
		t.Run(l.name, func(t *testing.T) {
			if !strings.Contains(body, l.want) {
				t.Errorf("/metrics lacks %s", l.want)
			}
		})
	}
}

// TestMetricsAccess: /metrics on the API's listener needs the metrics token.
func TestMetricsAccess(t *testing.T) {
	e := newEnv(t)
	runRows(t, e, nil, []row{
		{name: "anonymous", method: "GET", path: "/metrics", status: 401, problem: "unauthenticated"},
		{name: "a user's login token", as: "nation", method: "GET", path: "/metrics", status: 401, problem: "unauthenticated"},
		{name: "a wrong token", as: "Bearer " + strings.Repeat("x", len(testMetricsToken)), method: "GET", path: "/metrics", status: 401, problem: "unauthenticated"},
		{name: "the metrics token", as: "Bearer " + testMetricsToken, method: "GET", path: "/metrics", status: 200},
	})
}

// TestMetricsListener: without a metrics token the API's listener does not serve /metrics;
// MetricsHandler serves it on a listener of its own, asking for the token when there is one.
func TestMetricsListener(t *testing.T) {
	srv := api.New(api.Deps{Logger: discardLogger()})
	public := httptest.NewServer(srv.Handler())
	defer public.Close()
	open := httptest.NewServer(srv.MetricsHandler(""))
	defer open.Close()
	guarded := httptest.NewServer(srv.MetricsHandler(testMetricsToken))
	defer guarded.Close()
	cases := []struct {
		name, base, path, token string
		status                  int
		problem                 string
	}{
		{"API listener without a metrics token", public.URL, "/metrics", testMetricsToken, 404, "metrics-not-served-here"},
		{"metrics listener", open.URL, "/metrics", "", 200, ""},
		{"metrics listener serves nothing else", open.URL, "/api/v1/healthz", "", 404, ""},
		{"metrics listener with a token, anonymous", guarded.URL, "/metrics", "", 401, "unauthenticated"},
		{"metrics listener with a token, a wrong one", guarded.URL, "/metrics", "wrong", 401, "unauthenticated"},
		{"metrics listener with a token, the token", guarded.URL, "/metrics", testMetricsToken, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, c.base+c.path, nil)
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != c.status {
				t.Fatalf("%d %s, want %d", res.StatusCode, body, c.status)
			}
			if c.problem != "" && !strings.Contains(string(body), `"type":"`+api.ProblemBase+c.problem+`"`) {
				t.Errorf("problem %s, want %s", body, c.problem)
			}
			if c.status == 200 && !strings.Contains(string(body), "promhttp_metric_handler_requests_total") {
				t.Errorf("not the metrics: %.200s", body)
			}
		})
	}
}
