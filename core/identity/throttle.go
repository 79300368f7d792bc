package identity

import (
	"errors"
	"time"
)

// Login throttling (issue 12, defect 13). Failures are counted per pair of username and client
// address, in the database so that every server counts the same ones. An attempt is counted
// before its password is checked and the pair's record is cleared when the password is right,
// so that guesses sent at once, to several servers, cannot slip between a check and its count.
const (
	// FreeLoginFailures from one address pass without delay; then the pair waits 1 s, 2 s,
	// 4 s… up to MaxLoginDelay before each next attempt.
	FreeLoginFailures = 5
	MaxLoginDelay     = 15 * time.Minute
	// UsernameFailureCap: failures of a username from every address together within
	// LoginFailureWindow beyond which no address gets free failures any more.
	UsernameFailureCap = 100
	// LoginFailureWindow: a pair's failures older than this are forgotten.
	LoginFailureWindow = time.Hour
)

// LoginDelay returns how long a pair waits before its next attempt, after attempts counted
// attempts (failures, the one in flight included) while the username has usernameFailures in
// the window from every address together.
//
// Past the username's cap an address with no failure still gets one attempt at once — a user
// with the right password is never locked out by failures from elsewhere — but every address
// waits after its first failure, so an attacker's guesses are bounded by the addresses it
// holds, not by the speed of the servers.
func LoginDelay(attempts, usernameFailures int) time.Duration {
	free := FreeLoginFailures
	if usernameFailures >= UsernameFailureCap {
		free = 1
	}
	if attempts < free {
		return 0
	}
	shift := attempts - free
	if shift >= 20 { // 2^20 s is well past the cap
		return MaxLoginDelay
	}
	return min(time.Second<<shift, MaxLoginDelay)
}

// ErrLoginThrottled: too many failed logins of this username from this address; see
// ThrottledError for how long to wait.
var ErrLoginThrottled = errors.New("too many failed logins")

// ThrottledError tells how long the pair must wait.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return ErrLoginThrottled.Error() + ": wait " + e.Wait.String()
}
func (e *ThrottledError) Unwrap() error { return ErrLoginThrottled }
