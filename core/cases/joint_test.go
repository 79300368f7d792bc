package cases

import (
	"errors"
	"fmt"
	"testing"
)

func TestCheckJoint(t *testing.T) {
	many := func(n int) []string {
		out := []string{"310107"}
		for i := 1; i < n; i++ {
			out = append(out, fmt.Sprintf("32%04d", i))
		}
		return out
	}
	long := string(make([]byte, MaxJointID+1))
	for _, c := range []struct {
		name  string
		j     Joint
		field string // "" valid
	}{
		{"two tenants", Joint{ID: "j1", Lead: "320509", Tenants: []string{"310107", "320509"}}, ""},
		{"twenty tenants", Joint{ID: "j1", Lead: "310107", Tenants: many(20)}, ""},
		{"id at the bound", Joint{ID: long[:MaxJointID], Lead: "310107", Tenants: many(2)}, ""},
		{"id too long", Joint{ID: long, Lead: "310107", Tenants: many(2)}, "joint_id"},
		{"one tenant", Joint{ID: "j1", Lead: "310107", Tenants: []string{"310107"}}, "tenants"},
		{"twenty-five tenants", Joint{ID: "j1", Lead: "310107", Tenants: many(25)}, "tenants"},
		{"without this tenant", Joint{ID: "j1", Lead: "320509", Tenants: []string{"320509", "330421"}}, "tenants"},
		{"lead outside", Joint{ID: "j1", Lead: "330421", Tenants: []string{"310107", "320509"}}, "lead"},
		{"a participant twice", Joint{ID: "j1", Lead: "310107", Tenants: []string{"310107", "310107"}}, "tenants"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckJoint("310107", c.j)
			var ve *ValidationError
			switch {
			case c.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.field == "":
			case !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) || ve.Errors[0].Field != c.field:
				t.Fatalf("got %v, want a problem with %s", err, c.field)
			}
		})
	}
}
