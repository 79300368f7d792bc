package api

import (
	"strings"
	"sync"
	"time"
)

// loginThrottle refuses logins for a username after too many failures in a window, so a
// password cannot be guessed at the speed of the server. It is per process: with several
// instances an attacker gets the budget once per instance, which still bounds guessing.
type loginThrottle struct {
	mu       sync.Mutex
	failures map[string]*failureWindow
	max      int
	window   time.Duration
	now      func() time.Time
}

type failureWindow struct {
	count int
	start time.Time
}

const maxTrackedUsernames = 100_000

func newLoginThrottle(max int, window time.Duration) *loginThrottle {
	return &loginThrottle{failures: map[string]*failureWindow{}, max: max, window: window, now: time.Now}
}

// blocked reports whether username must wait, and for how long.
func (l *loginThrottle) blocked(username string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.failures[key(username)]
	if f == nil {
		return 0, false
	}
	left := l.window - l.now().Sub(f.start)
	if left <= 0 {
		delete(l.failures, key(username))
		return 0, false
	}
	return left, f.count >= l.max
}

func (l *loginThrottle) failed(username string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) >= maxTrackedUsernames {
		l.failures = map[string]*failureWindow{} // bounded memory under a spray of names
	}
	k := key(username)
	f := l.failures[k]
	if f == nil || l.now().Sub(f.start) >= l.window {
		f = &failureWindow{start: l.now()}
		l.failures[k] = f
	}
	f.count++
}

func (l *loginThrottle) succeeded(username string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key(username))
}

func key(username string) string { return strings.ToLower(strings.TrimSpace(username)) }
