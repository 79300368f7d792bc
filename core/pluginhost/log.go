package pluginhost

import (
	"context"
	"io"
	"log"
	"log/slog"

	"github.com/hashicorp/go-hclog"
	dto "github.com/prometheus/client_model/go"
)

type dtoMetric struct{ dto.Metric }

// hcLog adapts slog to go-plugin's hclog: the plugin's own log lines (its stderr, parsed by
// go-plugin) arrive in the server's log tagged with plugin=<name>.
type hcLog struct {
	l    *slog.Logger
	name string
	args []any
	// host marks go-plugin's own logger (not a plugin's stderr, which go-plugin logs through
	// Named): its progress messages ("configuring client automatic mTLS"…) are debug.
	host bool
}

func newHCLog(l *slog.Logger, plugin string) hclog.Logger {
	return &hcLog{l: l.With("plugin", plugin), name: "plugin." + plugin, host: true}
}

func (h *hcLog) log(level slog.Level, msg string, args ...any) {
	if h.host && level == slog.LevelInfo {
		level = slog.LevelDebug
	}
	h.l.Log(context.Background(), level, msg, append(h.args, args...)...)
}

func (h *hcLog) Log(level hclog.Level, msg string, args ...any) {
	switch level {
	case hclog.Trace, hclog.Debug:
		h.log(slog.LevelDebug, msg, args...)
	case hclog.Warn:
		h.log(slog.LevelWarn, msg, args...)
	case hclog.Error:
		h.log(slog.LevelError, msg, args...)
	default:
		h.log(slog.LevelInfo, msg, args...)
	}
}
func (h *hcLog) Trace(msg string, args ...any) { h.log(slog.LevelDebug-4, msg, args...) }
func (h *hcLog) Debug(msg string, args ...any) { h.log(slog.LevelDebug, msg, args...) }
func (h *hcLog) Info(msg string, args ...any)  { h.log(slog.LevelInfo, msg, args...) }
func (h *hcLog) Warn(msg string, args ...any)  { h.log(slog.LevelWarn, msg, args...) }
func (h *hcLog) Error(msg string, args ...any) { h.log(slog.LevelError, msg, args...) }
func (h *hcLog) IsTrace() bool                 { return false }
func (h *hcLog) IsDebug() bool                 { return h.l.Enabled(context.Background(), slog.LevelDebug) }
func (h *hcLog) IsInfo() bool                  { return h.l.Enabled(context.Background(), slog.LevelInfo) }
func (h *hcLog) IsWarn() bool                  { return true }
func (h *hcLog) IsError() bool                 { return true }
func (h *hcLog) ImpliedArgs() []any            { return h.args }
func (h *hcLog) With(args ...any) hclog.Logger {
	return &hcLog{l: h.l, name: h.name, args: append(append([]any(nil), h.args...), args...), host: h.host}
}
func (h *hcLog) Name() string { return h.name }
func (h *hcLog) Named(name string) hclog.Logger {
	return &hcLog{l: h.l, name: h.name + "." + name, args: h.args}
}
func (h *hcLog) ResetNamed(name string) hclog.Logger { return &hcLog{l: h.l, name: name, args: h.args} }
func (h *hcLog) SetLevel(hclog.Level)                {}
func (h *hcLog) GetLevel() hclog.Level               { return hclog.Info }
func (h *hcLog) StandardLogger(*hclog.StandardLoggerOptions) *log.Logger {
	return slog.NewLogLogger(h.l.Handler(), slog.LevelInfo)
}
func (h *hcLog) StandardWriter(*hclog.StandardLoggerOptions) io.Writer {
	return h.StandardLogger(nil).Writer()
}
