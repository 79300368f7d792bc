// Package audit owns the vocabulary of the audit trail: who acted (carried in the request's
// context) and the events the store appends in the same transaction as the change.
package audit

import (
	"context"
	"encoding/json"
	"time"
)

// Actor is who performs a change.
type Actor struct {
	Subject   string // user:<id>, token:<id>, or system:<command> for the command line
	RequestID string
}

type actorKey struct{}

// WithActor returns a context carrying the actor of the request.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx; changes made without one are attributed to "system:unknown".
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Subject: "system:unknown"}
}

// Event is one recorded change.
type Event struct {
	ID         int64           `json:"id"`
	TenantCode string          `json:"tenant_code"`
	At         time.Time       `json:"at"`
	Actor      string          `json:"actor"`
	Action     string          `json:"action"`
	Object     string          `json:"object"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	RequestID  string          `json:"request_id,omitempty"`
}
