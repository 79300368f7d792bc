package identity

import (
	"context"
	"errors"
	"time"

	"github.com/fengqiao/fengqiao/core/kind"
)

// A console session is a login token the web console keeps in a cookie. Besides everything that
// ends a login token (expiry, logout, a new session generation), it ends when unused for the
// idle timeout and at the absolute age limit, both decided here from the times the store keeps
// (the database's clock): an ended session is revoked like a logout, so a replayed cookie — or
// the same token sent to the API — no longer works.

// SessionLimits are the lifetimes of console sessions (console.idle_timeout, console.max_age).
type SessionLimits struct {
	Idle   time.Duration // unused this long: ended
	MaxAge time.Duration // this long after login: ended, whatever its use
}

// ConsoleTouchEvery bounds the writes of session activity: the last use is moved at most once
// per this period and session, so the idle timeout is exact to within it.
const ConsoleTouchEvery = time.Minute

// ConsoleSeen is what the store knows of a console session at a request.
type ConsoleSeen struct {
	Started  time.Time // the login
	LastSeen time.Time // the last recorded use, before this request
	Now      time.Time // the store's clock
}

// ErrSessionEnded: the console session went unused too long or is older than its limit.
var ErrSessionEnded = kind.New(kind.Unauthenticated, "console session ended (idle or too old)")

// ErrSessionNotFound: the token was never started as a console session.
var ErrSessionNotFound = kind.New(kind.Unauthenticated, "not a console session")

// StartConsoleSession records the login session of p (just authenticated) as a console session.
func (s *Service) StartConsoleSession(ctx context.Context, p Principal) error {
	if p.Kind != "user" || p.SessionID == "" {
		return ErrNotASession
	}
	started := p.SessionIssued
	if started.IsZero() {
		started = s.now()
	}
	return s.repo.StartConsoleSession(ctx, p.TenantCode, p.ID, p.SessionID, started, p.SessionExpires)
}

// ContinueConsoleSession decides whether p's console session (p authenticated) may go on, and
// records its use. A session idle for lim.Idle or started lim.MaxAge ago is revoked and
// ErrSessionEnded returned; a token never started as a console session gets ErrSessionNotFound.
func (s *Service) ContinueConsoleSession(ctx context.Context, p Principal, lim SessionLimits) error {
	if p.Kind != "user" || p.SessionID == "" {
		return ErrSessionNotFound
	}
	seen, err := s.repo.ConsoleSessionSeen(ctx, p.TenantCode, p.ID, p.SessionID, ConsoleTouchEvery, lim)
	if err != nil {
		return err
	}
	if reason := consoleSessionEnded(seen, p, lim, s.now()); reason != "" {
		if err := s.repo.ExpireConsoleSession(ctx, p.TenantCode, p.ID, p.SessionID, p.SessionExpires, reason); err != nil && !errors.Is(err, ErrUnauthenticated) {
			return err
		}
		return ErrSessionEnded
	}
	return nil
}

// consoleSessionEnded is the rule: older than the limit by the store's record of the login or by
// the token's own issue time on this server's clock ("max_age"), or idle too long by the store's
// clock ("idle"); "" while the session may go on.
func consoleSessionEnded(seen ConsoleSeen, p Principal, lim SessionLimits, now time.Time) string {
	if seen.Now.Sub(seen.Started) >= lim.MaxAge || (!p.SessionIssued.IsZero() && now.Sub(p.SessionIssued) >= lim.MaxAge) {
		return "max_age"
	}
	if seen.Now.Sub(seen.LastSeen) >= lim.Idle {
		return "idle"
	}
	return ""
}
