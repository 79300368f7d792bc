package valid

import (
	"errors"
	"testing"
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
