package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestLoggerHclogJSON checks the lines against what go-plugin's client requires to log them as
// structured entries (plugin.parseJSON and hclog.LevelFromString): @message, a known @level,
// and @timestamp in exactly hclog's layout.
func TestLoggerHclogJSON(t *testing.T) {
	tests := []struct {
		name  string
		log   func(*slog.Logger)
		level string
		attrs map[string]any
	}{
		{"info with attributes", func(l *slog.Logger) { l.Info("案件已受理", "case_id", "c1", "n", 3) }, "info", map[string]any{"case_id": "c1", "n": 3.0}},
		{"debug", func(l *slog.Logger) { l.Debug("detail") }, "debug", nil},
		{"warn", func(l *slog.Logger) { l.Warn("careful") }, "warn", nil},
		{"error", func(l *slog.Logger) { l.Error("failed", "error", "boom") }, "error", map[string]any{"error": "boom"}},
		{"below debug is trace", func(l *slog.Logger) { l.Log(context.Background(), slog.LevelDebug-4, "fine") }, "trace", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(newLogger(&buf))
			line := strings.TrimSuffix(buf.String(), "\n")
			if strings.Contains(line, "\n") {
				t.Fatalf("more than one line: %q", line)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("not JSON: %s", line)
			}
			if m["@level"] != tt.level {
				t.Errorf("@level %v, want %s", m["@level"], tt.level)
			}
			if _, ok := m["@message"].(string); !ok {
				t.Errorf("no @message in %s", line)
			}
			ts, _ := m["@timestamp"].(string)
			if at, err := time.Parse(hclogTimeFormat, ts); err != nil || time.Since(at) > time.Minute {
				t.Errorf("@timestamp %q does not parse as hclog's: %v", ts, err)
			}
			for _, k := range []string{"time", "level", "msg"} {
				if _, ok := m[k]; ok {
					t.Errorf("slog's own key %q left in %s", k, line)
				}
			}
			for k, v := range tt.attrs {
				if m[k] != v {
					t.Errorf("attribute %s = %v, want %v", k, m[k], v)
				}
			}
		})
	}
}

func TestInflightDrain(t *testing.T) {
	tests := []struct {
		name     string
		running  int
		finishIn time.Duration // when the running calls end; 0: never within the test
		timeout  time.Duration
		finished bool
	}{
		{name: "idle drains at once", running: 0, timeout: time.Second, finished: true},
		{name: "waits for the calls in flight", running: 2, finishIn: 50 * time.Millisecond, timeout: 5 * time.Second, finished: true},
		{name: "gives up at the timeout", running: 1, timeout: 50 * time.Millisecond, finished: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f inflight
			var releases []func()
			for range tt.running {
				r, err := f.enter()
				if err != nil {
					t.Fatal(err)
				}
				releases = append(releases, r)
			}
			if tt.finishIn > 0 {
				time.AfterFunc(tt.finishIn, func() {
					for _, r := range releases {
						r()
						r() // releasing twice must not count twice
					}
				})
			}
			ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
			defer cancel()
			if got := f.drain(ctx); got != tt.finished {
				t.Errorf("drain %v, want %v", got, tt.finished)
			}
			if _, err := f.enter(); status.Code(err) != codes.Unavailable {
				t.Errorf("a call while draining: %v, want Unavailable", err)
			}
		})
	}
}

func TestWatchParent(t *testing.T) {
	tests := []struct {
		name   string
		ppids  []int // what getppid answers, in turn (the last one repeats)
		exited bool
	}{
		{name: "parent alive", ppids: []int{100}, exited: false},
		{name: "re-parented to init", ppids: []int{100, 100, 1}, exited: true},
		{name: "re-parented to a subreaper", ppids: []int{100, 4242}, exited: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var i atomic.Int32
			getppid := func() int {
				n := int(i.Add(1)) - 1
				return tt.ppids[min(n, len(tt.ppids)-1)]
			}
			exited := make(chan struct{})
			go watchParent(100, getppid, time.Millisecond, func() { close(exited) })
			select {
			case <-exited:
				if !tt.exited {
					t.Error("exited with the parent alive")
				}
			case <-time.After(100 * time.Millisecond):
				if tt.exited {
					t.Error("did not exit after the parent died")
				}
			}
		})
	}
}

func TestMillis(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		want uint32
	}{
		{"zero is the default", 0, 0},
		{"negative is the default", -time.Second, 0},
		{"sub-millisecond rounds up, not to the default", time.Microsecond, 1},
		{"exact", 200 * time.Millisecond, 200},
		{"huge saturates", time.Duration(1 << 62), ^uint32(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := millis(tt.d); got != tt.want {
				t.Errorf("millis(%v) = %d, want %d", tt.d, got, tt.want)
			}
		})
	}
}
