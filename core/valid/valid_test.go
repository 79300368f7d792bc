package valid

import (
	"errors"
	"testing"

	"github.com/fengqiao/fengqiao/core/kind"
)

func TestList(t *testing.T) {
	var v List
	if v.Err() != nil {
		t.Fatal("an empty list is an error")
	}
	v.Add("title", "须为 %d–%d 字 / must be %d–%d characters", 1, 200, 1, 200)
	v.Add("parties[0].phone", "bad")
	err := v.Err()
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) || len(e.Errors) != 2 {
		t.Fatalf("%v", err)
	}
	if e.Errors[0].Field != "title" || e.Errors[0].Message != "须为 1–200 字 / must be 1–200 characters" {
		t.Errorf("first: %+v", e.Errors[0])
	}
	if err.Error() != "title: 须为 1–200 字 / must be 1–200 characters; parties[0].phone: bad" {
		t.Errorf("text: %s", err)
	}
}

func TestNew(t *testing.T) {
	owned := errors.New("owner: invalid input")
	tests := []struct {
		name     string
		sentinel error
	}{
		{"with the owner's sentinel", owned},
		{"without", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := New(tt.sentinel, "name", "须为 1–64 字 / must be 1–64 characters")
			var e *Error
			if !errors.As(err, &e) || len(e.Errors) != 1 || e.Errors[0].Field != "name" {
				t.Fatalf("%#v", err)
			}
			if err.Error() != "name: 须为 1–64 字 / must be 1–64 characters" {
				t.Errorf("text: %s", err)
			}
			if !errors.Is(err, ErrInvalid) || errors.Is(err, owned) != (tt.sentinel != nil) {
				t.Errorf("errors.Is: %v", err)
			}
			if kind.Of(err) != kind.Invalid {
				t.Errorf("kind %v", kind.Of(err))
			}
		})
	}
}
