package api

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// unmatchedRoute labels every request no route of the table answered (404, 405): the raw
// path is the client's choice and would make a series per path.
const unmatchedRoute = "unmatched"

// httpMetrics are the request figures of /metrics. Their labels come from the server's own
// vocabulary only — the route template, a known method, the status — never from the Host
// header or the raw path, so that no client can grow the number of series.
type httpMetrics struct {
	requests                   *prometheus.CounterVec
	duration, reqSize, resSize *prometheus.HistogramVec
}

var httpLabels = []string{"code", "method", "route"}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	sizes := []float64{1 << 10, 2 << 10, 5 << 10, 10 << 10, 100 << 10, 500 << 10, 1 << 20, 2.5 * (1 << 20), 5 << 20, 10 << 20}
	hist := func(name, help string, buckets []float64) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "fengqiao", Name: name, Help: help, Buckets: buckets}, httpLabels)
	}
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "fengqiao", Name: "requests_total",
			Help: "HTTP requests by status code, method and route template."}, httpLabels),
		duration: hist("request_duration_seconds", "HTTP request latencies in seconds.", prometheus.DefBuckets),
		reqSize:  hist("request_size_bytes", "HTTP request body sizes in bytes (Content-Length).", sizes),
		resSize:  hist("response_size_bytes", "HTTP response body sizes in bytes.", sizes),
	}
	reg.MustRegister(m.requests, m.duration, m.reqSize, m.resSize)
	return m
}

// metricMethod keeps the methods of HTTP; any other token a client sends is "other".
func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// measure records every request once its status is final. It wraps the recoverer, so that a
// panic is counted as the 500 it becomes; it hands errors to the error handler itself to know
// the status it writes.
func (s *Server) measure(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Path() == "/metrics" {
			return next(c)
		}
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		req := c.Request()
		route := c.Path()
		// A path of the router with another method (405), or none (404): not a route.
		if !s.registered[req.Method+" "+route] {
			route = unmatchedRoute
		}
		labels := prometheus.Labels{"code": strconv.Itoa(c.Response().Status), "method": metricMethod(req.Method), "route": route}
		s.metrics.requests.With(labels).Inc()
		s.metrics.duration.With(labels).Observe(time.Since(start).Seconds())
		s.metrics.reqSize.With(labels).Observe(float64(max(req.ContentLength, 0)))
		s.metrics.resSize.With(labels).Observe(float64(c.Response().Size))
		return nil
	}
}

// bearerIs reports whether the request carries Authorization: Bearer token (compared in
// constant time).
func bearerIs(r *http.Request, token string) bool {
	scheme, cred, ok := strings.Cut(r.Header.Get(echo.HeaderAuthorization), " ")
	return ok && strings.EqualFold(scheme, "Bearer") && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(cred)), []byte(token)) == 1
}

func metricsUnauthenticated() *Problem {
	return problem(http.StatusUnauthorized, "unauthenticated", "未认证 / Not authenticated",
		"/metrics 需要 Authorization: Bearer <指标令牌 http.metrics_token> / /metrics needs Authorization: Bearer with the metrics token (http.metrics_token)")
}

// serveMetrics is /metrics on the API's listener: only with the metrics token, and not at all
// without one (a separate listener, MetricsHandler, serves it then).
func (s *Server) serveMetrics(c echo.Context) error {
	if s.deps.MetricsToken == "" {
		return problem(http.StatusNotFound, "metrics-not-served-here", "此地址不提供指标 / Metrics not served here",
			"指标只在 http.metrics_addr 的监听地址提供，或配置 http.metrics_token 后在此凭令牌读取 / metrics are served on http.metrics_addr, or here with the token of http.metrics_token once it is set")
	}
	if !bearerIs(c.Request(), s.deps.MetricsToken) {
		return metricsUnauthenticated()
	}
	s.metricsHTTP.ServeHTTP(c.Response(), c.Request())
	return nil
}

// MetricsHandler serves GET /metrics alone, for a listener of its own (http.metrics_addr, e.g.
// on the loopback or a private network the scraper reaches); with a token, it asks for it too.
func (s *Server) MetricsHandler(token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if token != "" && !bearerIs(r, token) {
			p := metricsUnauthenticated()
			p.Instance = r.URL.Path
			body, _ := json.Marshal(p)
			w.Header().Set("WWW-Authenticate", `Bearer realm="fengqiao-metrics"`)
			w.Header().Set(echo.HeaderContentType, "application/problem+json")
			w.WriteHeader(p.Status)
			_, _ = w.Write(body)
			return
		}
		s.metricsHTTP.ServeHTTP(w, r)
	})
	return mux
}

func newMetricsHandler(d Deps) http.Handler {
	h := promhttp.HandlerFor(d.Gatherer, promhttp.HandlerOpts{DisableCompression: true})
	return promhttp.InstrumentMetricHandler(d.Registerer, h)
}
