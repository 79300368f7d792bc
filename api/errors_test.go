package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/kind"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/core/valid"
)

// TestSentinelProblemsHaveKinds: every row's status comes from a kind the sentinel declares
// where it is defined; a sentinel that lost its kind would turn its problem into a 500 with the
// row's text.
func TestSentinelProblemsHaveKinds(t *testing.T) {
	for _, r := range sentinelProblems {
		t.Run(r.slug+"/"+r.err.Error(), func(t *testing.T) {
			k := r.kind
			if k == kind.Unknown {
				k = kind.Of(r.err)
			}
			if _, ok := kindProblems[k]; !ok {
				t.Errorf("%v has no kind with a status (%v)", r.err, k)
			}
			if p := toProblem(fmt.Errorf("wrapped: %w", r.err)); p.Type != ProblemBase+r.slug || p.Status == http.StatusInternalServerError {
				t.Errorf("toProblem = %s %d", p.Type, p.Status)
			}
		})
	}
}

// TestToProblemByKind: the table's statuses and the order of the lookups — the errors that carry
// data before the sentinels they wrap, a kind without a row of its own, and no kind at all.
func TestToProblemByKind(t *testing.T) {
	tests := []struct {
		name         string
		err          error
		status       int
		slug, detail string
		field        string
	}{
		{"a field error of a domain", valid.New(identity.ErrInvalid, "username", "bad"), 400, "invalid-field", "bad", "username"},
		{"a code outside the scope before the sentinel", &tenant.CodeError{Code: "370104", Err: tenant.ErrOutsideScope}, 403, "outside-jurisdiction",
			"370104 不在您的管辖范围内 / 370104 is outside your jurisdiction", "code"},
		{"an unknown code is unprocessable", &division.CodeError{Code: "310199", Err: division.ErrUnknownCode}, 422, "unknown-code",
			`行政区划代码 "310199" 不存在（GB/T 2260） / division code "310199" does not exist (GB/T 2260)`, "code"},
		{"the sentinel alone", tenant.ErrOutsideScope, 403, "outside-jurisdiction", tenant.ErrOutsideScope.Error(), ""},
		{"a kind without a row", kind.New(kind.Conflict, "thing busy"), 409, "conflict", "thing busy", ""},
		{"no kind", errors.New("boom"), 500, "internal", "已记录，请凭 request_id 联系运维 / logged; report the request_id to the operators", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := toProblem(tt.err)
			if p.Status != tt.status || p.Type != ProblemBase+tt.slug || p.Detail != tt.detail || p.Field != tt.field {
				t.Errorf("got %d %s %q field %q", p.Status, p.Type, p.Detail, p.Field)
			}
			if strings.Contains(p.Detail, "%!") {
				t.Errorf("detail badly formatted: %s", p.Detail)
			}
		})
	}
}
