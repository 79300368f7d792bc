package kind

import (
	"errors"
	"fmt"
	"testing"
)

type typed struct{}

func (typed) Error() string { return "typed" }
func (typed) Kind() Kind    { return Conflict }

func TestOf(t *testing.T) {
	notFound := New(NotFound, "thing not found")
	tests := []struct {
		name string
		err  error
		want Kind
	}{
		{"nil", nil, Unknown},
		{"plain error", errors.New("boom"), Unknown},
		{"sentinel", notFound, NotFound},
		{"wrapped sentinel", fmt.Errorf("loading: %w", notFound), NotFound},
		{"typed error", fmt.Errorf("x: %w", typed{}), Conflict},
		{"first in the chain wins", fmt.Errorf("%w: %w", New(Forbidden, "no"), notFound), Forbidden},
		{"joined", errors.Join(errors.New("a"), notFound), NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Of(tt.err); got != tt.want {
				t.Errorf("Of(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
	if notFound.Error() != "thing not found" || errors.Is(notFound, New(NotFound, "thing not found")) {
		t.Error("a sentinel keeps its text and is distinct from any other")
	}
}
