package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/jackc/pgx/v5"
)

// policyChannel is the NOTIFY channel of authorization rule changes (migration 00002).
const policyChannel = "fengqiao_policy"

func newOrigin() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Origin names this process in policy change notifications.
func (s *Store) Origin() string { return s.origin }

// WatchPolicies calls onChange after every committed change of the authorization rules made
// by another process (another server instance, or the command line), until ctx ends. It keeps
// one connection of its own, outside the pool, and reconnects with back-off; after a reconnect
// it calls onChange once, since changes may have been missed meanwhile.
func (s *Store) WatchPolicies(ctx context.Context, onChange func()) {
	backoff := time.Second
	first := true
	for ctx.Err() == nil {
		err := s.listen(ctx, !first, onChange)
		first = false
		if ctx.Err() != nil {
			return
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

func (s *Store) listen(ctx context.Context, missed bool, onChange func()) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if s.afterConnect != nil {
		if err := s.afterConnect(ctx, conn); err != nil {
			return err
		}
	}
	if _, err := conn.Exec(ctx, "LISTEN "+policyChannel); err != nil {
		return err
	}
	if missed {
		onChange()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Payload != s.origin {
			onChange()
		}
	}
}
