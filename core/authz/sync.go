package authz

import (
	"context"
	"fmt"
)

// This file keeps the in-memory rules of one server in step with the rules other processes
// store (another server instance, the command line): the store announces each committed change
// of casbin_rule (store.WatchPolicies) and ApplyRemote applies it, incrementally, through the
// same path as Granted/Revoked.

// RemoteChange is a change of the stored rules made by another process: a row added or removed,
// or a request to read every rule again. It has the shape of store.PolicyChange, so a
// conversion RemoteChange(ch) bridges the two packages without authz importing store.
type RemoteChange struct {
	Reload bool
	Add    bool     // the row was added (false: removed); ignored with Reload
	Row    []string // ptype first; trailing empty values may be trimmed (they are padded back)
}

// ApplyRemote applies a change another process committed to storage: it pads the row with ""
// to the model's width for its rule type (storage trims trailing empty values) and adds or
// removes it in memory like Granted/Revoked — safely under concurrent decisions, and journaled
// for a Reload in progress — or, for a Reload change, reloads every rule. Adding a row held, or
// removing one not held, changes nothing. A row the model cannot hold is an error (ErrBadRule)
// and changes nothing; the caller should then reload.
func (a *Authorizer) ApplyRemote(ctx context.Context, ch RemoteChange) error {
	if ch.Reload {
		return a.Reload(ctx)
	}
	a.mu.RLock()
	row, err := fitRow(a.e.GetModel(), ch.Row)
	a.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadRule, err)
	}
	return a.change(change{add: ch.Add, rows: [][]string{row}})
}
