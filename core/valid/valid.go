// Package valid owns the shape of input-validation errors shared by the domain packages: every
// invalid field of a request, each with a message a person can act on ("中文 / English"). The
// API edge turns an *Error into one problem listing them all.
package valid

import (
	"errors"
	"fmt"
	"strings"
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
type Error struct{ Errors []FieldError }

func (e *Error) Error() string {
	parts := make([]string, len(e.Errors))
	for i, f := range e.Errors {
		parts[i] = f.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *Error) Unwrap() error { return ErrInvalid }

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
