package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// policyChannel is the NOTIFY channel of authorization rule changes (migration 00017).
const policyChannel = "fengqiao_policy"

func newOrigin() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Origin names this process in policy change notifications.
func (s *db) Origin() string { return s.origin }

// PolicyChange is one committed change of the authorization rules (casbin_rule) made by another
// process: a row added or removed, or Reload when the watcher cannot tell what changed (a
// TRUNCATE, a row too large for a notification, a payload it cannot read, or a (re)connection,
// before which changes may have been missed) and every rule must be read again.
type PolicyChange struct {
	Reload bool
	Add    bool     // the row was added (false: removed); meaningless with Reload
	Row    []string // ptype first, trailing empty values trimmed like PolicyRules returns them
}

// policyPayload is the JSON a notification carries (migration 00017).
type policyPayload struct {
	Origin string   `json:"origin"`
	Seq    int64    `json:"seq"` // distinct within a transaction, so PostgreSQL drops none as duplicates
	Op     string   `json:"op"`  // add, remove or reload
	Row    []string `json:"row"` // ptype, v0..v5
}

// parsePolicyPayload reads a notification; own tells the change was made by origin and must be
// skipped. Anything it cannot read is a Reload.
func parsePolicyPayload(payload, origin string) (ch PolicyChange, own bool) {
	if payload == origin { // the payload of migration 00002 (the origin alone), before 00017 ran
		return PolicyChange{}, true
	}
	var p policyPayload
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return PolicyChange{Reload: true}, false
	}
	if p.Origin == origin {
		return PolicyChange{}, true
	}
	if (p.Op != "add" && p.Op != "remove") || len(p.Row) == 0 || len(p.Row) > policyFields+1 || p.Row[0] == "" {
		return PolicyChange{Reload: true}, false
	}
	n := len(p.Row)
	for n > 1 && p.Row[n-1] == "" {
		n--
	}
	return PolicyChange{Add: p.Op == "add", Row: p.Row[:n:n]}, false
}

// WatchPolicies calls onChange, in commit order, with every committed change of the
// authorization rules made by another process (another server instance, or the command line),
// until ctx ends. It keeps one connection of its own, outside the pool, and reconnects with
// back-off. Each time it starts listening — the first time as after a reconnect — it first
// delivers a Reload change, since changes made before (or while disconnected) were not seen:
// so a caller that loaded the rules before calling WatchPolicies misses nothing, and knows the
// watch is in place when the first change arrives. onChange runs on the watching goroutine: a
// slow onChange delays the following changes (they wait in the connection), it loses none.
func (s *PolicyDB) WatchPolicies(ctx context.Context, onChange func(PolicyChange)) {
	const firstBackoff = time.Second
	backoff := firstBackoff
	for ctx.Err() == nil {
		listened, err := s.listen(ctx, onChange)
		if ctx.Err() != nil {
			return
		}
		if listened {
			backoff = firstBackoff
		}
		s.log.Warn("policy watch interrupted; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, time.Minute)
	}
}

// listen watches on one connection until it fails; listened tells whether LISTEN succeeded.
func (s *PolicyDB) listen(ctx context.Context, onChange func(PolicyChange)) (listened bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return false, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if s.afterConnect != nil {
		if err := s.afterConnect(ctx, conn); err != nil {
			return false, err
		}
	}
	if _, err := conn.Exec(ctx, "LISTEN "+policyChannel); err != nil {
		return false, err
	}
	onChange(PolicyChange{Reload: true})
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, err
		}
		if ch, own := parsePolicyPayload(n.Payload, s.origin); !own {
			onChange(ch)
		}
	}
}
