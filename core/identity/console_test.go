package identity

import (
	"testing"
	"time"
)

func TestConsoleSessionEnded(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	lim := SessionLimits{Idle: 30 * time.Minute, MaxAge: 12 * time.Hour}
	rows := []struct {
		name              string
		started, lastSeen time.Duration // before the store's now
		issued            time.Duration // before this server's now; -1: no issue time
		want              string
	}{
		{"just logged in", 0, 0, 0, ""},
		{"used a minute ago", time.Hour, time.Minute, time.Hour, ""},
		{"idle just under the timeout", time.Hour, lim.Idle - time.Second, time.Hour, ""},
		{"idle the timeout", time.Hour, lim.Idle, time.Hour, "idle"},
		{"in use, under the absolute age", lim.MaxAge - time.Second, 0, lim.MaxAge - time.Second, ""},
		{"in use, at the absolute age by the store", lim.MaxAge, 0, time.Hour, "max_age"},
		{"in use, at the absolute age by the token", time.Hour, 0, lim.MaxAge, "max_age"},
		{"idle and too old", lim.MaxAge, lim.Idle, lim.MaxAge, "max_age"},
		{"no issue time in the token", time.Hour, 0, -1, ""},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			seen := ConsoleSeen{Started: t0.Add(-r.started), LastSeen: t0.Add(-r.lastSeen), Now: t0}
			var p Principal
			if r.issued >= 0 {
				p.SessionIssued = t0.Add(-r.issued)
			}
			if got := consoleSessionEnded(seen, p, lim, t0); got != r.want {
				t.Errorf("ended = %q, want %q", got, r.want)
			}
		})
	}
}
