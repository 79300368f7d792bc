package identity

import (
	"testing"
	"time"
)

func TestLoginDelay(t *testing.T) {
	tests := []struct {
		name             string
		attempts, others int
		want             time.Duration
	}{
		{"first attempt", 1, 1, 0},
		{"fourth", 4, 4, 0},
		{"fifth failure: 1 s", 5, 5, time.Second},
		{"sixth: 2 s", 6, 6, 2 * time.Second},
		{"seventh: 4 s", 7, 7, 4 * time.Second},
		{"capped at 15 min", 20, 20, MaxLoginDelay},
		{"far past the cap", 1000, 1000, MaxLoginDelay},
		{"username over its cap: the first attempt of an address still passes at once", 0, UsernameFailureCap, 0},
		{"username over its cap: an address waits after its first failure", 1, UsernameFailureCap, time.Second},
		{"username over its cap: then doubles", 3, UsernameFailureCap + 2, 4 * time.Second},
		{"username just under its cap", 1, UsernameFailureCap - 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LoginDelay(tt.attempts, tt.others); got != tt.want {
				t.Errorf("LoginDelay(%d, %d) = %v, want %v", tt.attempts, tt.others, got, tt.want)
			}
		})
	}
}
