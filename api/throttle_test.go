package api

import (
	"testing"
	"time"
)

func TestLoginThrottleWindow(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	l := newLoginThrottle(3, 15*time.Minute)
	l.now = func() time.Time { return now }
	steps := []struct {
		name        string
		advance     time.Duration
		fail        int
		succeed     bool
		wantBlocked bool
	}{
		{name: "fresh", wantBlocked: false},
		{name: "two failures", fail: 2, wantBlocked: false},
		{name: "third failure blocks", fail: 1, wantBlocked: true},
		{name: "still blocked later in the window", advance: 14 * time.Minute, wantBlocked: true},
		{name: "window over", advance: 2 * time.Minute, wantBlocked: false},
		{name: "three again", fail: 3, wantBlocked: true},
		{name: "a success clears", succeed: true, wantBlocked: false},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		for range s.fail {
			l.failed("Qingpu-Admin")
		}
		if s.succeed {
			l.succeeded("qingpu-admin")
		}
		if _, blocked := l.blocked(" QINGPU-ADMIN "); blocked != s.wantBlocked {
			t.Errorf("%s: blocked = %v, want %v", s.name, blocked, s.wantBlocked)
		}
	}
	if _, blocked := l.blocked("someone-else"); blocked {
		t.Error("an untouched username is blocked")
	}
}
