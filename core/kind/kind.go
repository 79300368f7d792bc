// Package kind owns the kinds of failure the platform tells apart — invalid input, not found,
// conflict, forbidden… — so that a domain error says what it is where it is defined, and only
// the edge (the API) turns a kind into a status.
package kind

import "errors"

// Kind is what went wrong, as far as a caller must know to react.
type Kind uint8

// The kinds. Unknown, the zero value, is an error that declares none: a fault of the server.
const (
	Unknown Kind = iota
	// Invalid: the request's input is wrong; the caller fixes it.
	Invalid
	// Unprocessable: the input is well-formed but cannot be acted on as given (an idempotency
	// key reused with another body, a code that does not exist).
	Unprocessable
	// NotFound: the thing named does not exist (or is not the caller's to see).
	NotFound
	// Conflict: the thing's current state does not allow the request.
	Conflict
	// Forbidden: the caller may not do this.
	Forbidden
	// Unauthenticated: the caller is not known (no, wrong or expired credentials).
	Unauthenticated
	// Unavailable: a dependency cannot serve right now; retrying later may succeed.
	Unavailable
)

var names = [...]string{"unknown", "invalid", "unprocessable", "not-found", "conflict", "forbidden", "unauthenticated", "unavailable"}

func (k Kind) String() string {
	if int(k) < len(names) {
		return names[k]
	}
	return "unknown"
}

// Kinded is an error that declares its kind.
type Kinded interface{ Kind() Kind }

// Of is the kind declared by the first error of err's chain that declares one, else Unknown.
func Of(err error) Kind {
	var k Kinded
	if errors.As(err, &k) {
		return k.Kind()
	}
	return Unknown
}

// New returns a sentinel error of kind k with text msg, for a domain package to declare where
// it owns the error (like errors.New: each call is a distinct error for errors.Is).
func New(k Kind, msg string) error { return &sentinel{msg: msg, kind: k} }

type sentinel struct {
	msg  string
	kind Kind
}

func (e *sentinel) Error() string { return e.msg }
func (e *sentinel) Kind() Kind    { return e.kind }

var _ Kinded = (*sentinel)(nil)
