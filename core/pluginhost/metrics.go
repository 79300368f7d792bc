package pluginhost

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the plugins' figures in /metrics.
type metrics struct {
	calls    *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	restarts *prometheus.CounterVec
	crashes  *prometheus.CounterVec
	up       *prometheus.GaugeVec
	hostAPI  *prometheus.CounterVec
	// skipped: before-hooks of deactivated plugins not asked (the action proceeded unchecked);
	// deactivations: every deactivation, the first and those after a failed trial.
	skipped       *prometheus.CounterVec
	deactivations *prometheus.CounterVec
}

func newMetrics() *metrics {
	return &metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fengqiao_plugin_calls_total",
			Help: "Calls from the host to plugins, by plugin, kind (hook, event, route, job) and outcome."}, []string{"plugin", "kind", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "fengqiao_plugin_call_seconds",
			Help:    "Duration of calls from the host to plugins.",
			Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 5, 30}}, []string{"plugin", "kind"}),
		restarts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fengqiao_plugin_restarts_total",
			Help: "Plugin processes restarted after an exit."}, []string{"plugin"}),
		crashes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fengqiao_plugin_crashes_total",
			Help: "Plugin processes that exited unexpectedly or failed to start."}, []string{"plugin"}),
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fengqiao_plugin_up",
			Help: "1 when the plugin's process is running."}, []string{"plugin"}),
		hostAPI: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fengqiao_plugin_host_calls_total",
			Help: "Host API calls made by plugins, by plugin, method and gRPC code."}, []string{"plugin", "method", "code"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fengqiao_plugin_hooks_skipped_total",
			Help: "Before-hooks of deactivated plugins skipped (not mandatory in the tenant): the action proceeded unchecked, the case marked."}, []string{"plugin", "hook"}),
		deactivations: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fengqiao_plugin_deactivations_total",
			Help: "Plugins deactivated after repeated crashes or a failed trial after their cool-off."}, []string{"plugin"}),
	}
}

func (m *metrics) observe(plugin, kind, outcome string, d time.Duration) {
	m.calls.WithLabelValues(plugin, kind, outcome).Inc()
	m.latency.WithLabelValues(plugin, kind).Observe(d.Seconds())
}

// Register adds the plugins' metrics to reg.
func (m *Manager) Register(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.metrics.calls, m.metrics.latency, m.metrics.restarts, m.metrics.crashes, m.metrics.up, m.metrics.hostAPI,
		m.metrics.skipped, m.metrics.deactivations} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// CallCounts returns the calls made to a plugin by outcome (for the API).
func (m *Manager) CallCounts(plugin string) map[string]float64 {
	out := map[string]float64{}
	ch := make(chan prometheus.Metric, 64)
	go func() { m.metrics.calls.Collect(ch); close(ch) }()
	for mt := range ch {
		var d dtoMetric
		if err := mt.Write(&d.Metric); err != nil {
			continue
		}
		labels := map[string]string{}
		for _, l := range d.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["plugin"] == plugin {
			out[labels["kind"]+"."+labels["outcome"]] += d.GetCounter().GetValue()
		}
	}
	return out
}
