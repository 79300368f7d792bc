package sdk

import (
	"io"
	"log/slog"
	"os"
	"sync"
	"time"
)

// stderr is the process's real standard error, captured before go-plugin's Serve points
// os.Stderr at its gRPC stdio pipe: only what reaches file descriptor 2 is read by the host's
// go-plugin client, which parses each JSON line as an hclog entry and logs it under the
// plugin's name.
var stderr io.Writer = os.Stderr

// hclogTimeFormat is the only @timestamp layout go-plugin's client accepts; a line whose
// timestamp does not parse is logged as raw debug text instead of a structured entry.
const hclogTimeFormat = "2006-01-02T15:04:05.000000Z07:00"

var (
	loggerOnce sync.Once
	logger     *slog.Logger
)

// Logger is the plugin's logger. It writes hclog's JSON lines (@level, @message, @timestamp,
// then the attributes as keys) to standard error, which the host reads and logs tagged with
// the plugin, at the level given here; the host drops what is below its own level, so every
// level from trace (below slog.LevelDebug) up is written. Do not log parties' personal data.
func Logger() *slog.Logger {
	loggerOnce.Do(func() { logger = newLogger(stderr) })
	return logger
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level:       slog.LevelDebug - 4, // hclog's trace: the host filters by its own level
		ReplaceAttr: hclogAttr,
	}))
}

// hclogAttr renames slog's built-in keys to hclog's and formats them as go-plugin parses them.
func hclogAttr(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		t, _ := a.Value.Any().(time.Time)
		return slog.String("@timestamp", t.Format(hclogTimeFormat))
	case slog.LevelKey:
		l, _ := a.Value.Any().(slog.Level)
		return slog.String("@level", hclogLevel(l))
	case slog.MessageKey:
		return slog.String("@message", a.Value.String())
	}
	return a
}

// hclogLevel maps slog levels, including the ones between the named ones, to hclog's names.
func hclogLevel(l slog.Level) string {
	switch {
	case l < slog.LevelDebug:
		return "trace"
	case l < slog.LevelInfo:
		return "debug"
	case l < slog.LevelWarn:
		return "info"
	case l < slog.LevelError:
		return "warn"
	default:
		return "error"
	}
}
