// Package valid owns the one shape of input-validation errors shared by the domain packages:
// every invalid field of a request, each with a message a person can act on ("中文 / English").
// The API edge turns an *Error into one problem listing them all; the plugin host into an
// InvalidArgument status.
package valid

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/kind"
)

// ErrInvalid is wrapped by every *Error.
var ErrInvalid = errors.New("invalid input")

// FieldError names one invalid input and what to do about it.
type FieldError struct {
	Field   string
	Message string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// Error lists every invalid input of a request.
type Error struct {
	Errors []FieldError
	// Err is the owning package's own sentinel (identity.ErrInvalid, authz.ErrBadRule…), wrapped
	// beside ErrInvalid so that errors.Is finds either; nil for none.
	Err error
}

// New is the *Error of one invalid field, wrapping sentinel (nil for none) too: the
// constructor the domain packages use for their single-field errors.
func New(sentinel error, field, message string) error {
	return &Error{Errors: []FieldError{{Field: field, Message: message}}, Err: sentinel}
}

func (e *Error) Error() string {
	parts := make([]string, len(e.Errors))
	for i, f := range e.Errors {
		parts[i] = f.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInvalid) hold, and errors.Is(err, e.Err).
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalid}
	}
	return []error{ErrInvalid, e.Err}
}

// Kind: input errors are the caller's to fix.
func (e *Error) Kind() kind.Kind { return kind.Invalid }

var _ kind.Kinded = (*Error)(nil)

// First is the first invalid field of the *Error in err's chain; false when there is none.
func First(err error) (FieldError, bool) {
	var e *Error
	if !errors.As(err, &e) || len(e.Errors) == 0 {
		return FieldError{}, false
	}
	return e.Errors[0], true
}

// List collects field errors while a request is checked.
type List struct{ list []FieldError }

// Add records an invalid field with a formatted message.
func (v *List) Add(field, format string, args ...any) {
	v.list = append(v.list, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err is nil when nothing was added, else an *Error with every field.
func (v *List) Err() error {
	if len(v.list) == 0 {
		return nil
	}
	return &Error{Errors: v.list}
}

// Len is how many fields were found invalid so far.
func (v *List) Len() int { return len(v.list) }

// Merge adds the fields of an earlier *Error (nil or another error: nothing).
func (v *List) Merge(err error) {
	if e, ok := err.(*Error); ok {
		v.list = append(v.list, e.Errors...)
	}
}

// Text tells whether s is text the platform stores: valid UTF-8 without NUL (U+0000, which
// PostgreSQL text cannot hold). Every text field of the API and of the plugins' host API is held
// to it.
func Text(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// JSONWithNUL finds, in a JSON document, a string (key or value) holding U+0000 — which
// PostgreSQL cannot store in text or jsonb — and names its path (e.g. "contact.name",
// "roles[1]"); false when there is none or body is not JSON.
func JSONWithNUL(body []byte) (string, bool) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return "", false
	}
	return walkNUL("", v)
}

func walkNUL(path string, v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return path, strings.ContainsRune(x, 0)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if strings.ContainsRune(k, 0) {
				return p, true
			}
			if f, ok := walkNUL(p, x[k]); ok {
				return f, true
			}
		}
	case []any:
		for i, e := range x {
			if f, ok := walkNUL(fmt.Sprintf("%s[%d]", path, i), e); ok {
				return f, true
			}
		}
	}
	return "", false
}
