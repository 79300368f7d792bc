package tenant

import (
	"errors"
	"slices"
	"strings"

	"github.com/fengqiao/fengqiao/core/division"
)

// Plan is what onboarding must make exist: tenants ordered parents first, and judicial offices.
type Plan struct {
	Requested []string // the codes asked for, deduplicated, in request order
	Tenants   []Tenant
	Offices   []Office
}

// PlanError lists every requested code that cannot be onboarded, each with its reason.
type PlanError struct{ Codes []*CodeError }

func (e *PlanError) Error() string {
	parts := make([]string, len(e.Codes))
	for i, c := range e.Codes {
		parts[i] = c.Error()
	}
	return "cannot onboard: " + strings.Join(parts, "; ")
}

// Unwrap exposes the individual errors to errors.Is.
func (e *PlanError) Unwrap() []error {
	out := make([]error, len(e.Codes))
	for i, c := range e.Codes {
		out[i] = c
	}
	return out
}

// PlanOnboarding validates codes (province, city or district, inside scope) and returns the
// tenants to ensure: each code and its missing ancestors below scope. With offices, every
// onboarded district gets one judicial office per street.
func PlanOnboarding(scope string, codes []string, withOffices bool) (Plan, error) {
	if len(codes) == 0 {
		return Plan{}, ErrNothingToOnboard
	}
	var (
		plan    Plan
		bad     []*CodeError
		seen    = map[string]bool{}
		planned = map[string]bool{}
	)
	for _, code := range codes {
		if seen[code] {
			continue
		}
		seen[code] = true
		d, err := lookupOnboardable(code)
		if err == nil && !division.Contains(scope, code) {
			err = ErrOutsideScope
		}
		if err != nil {
			bad = append(bad, &CodeError{Code: code, Err: err})
			continue
		}
		plan.Requested = append(plan.Requested, code)
		chain, err := division.Ancestors(code)
		if err != nil {
			bad = append(bad, &CodeError{Code: code, Err: err})
			continue
		}
		chain = append(chain, d)
		for i, node := range chain {
			// The country always exists, and so does every tenant at or above the caller's scope.
			if node.Level == division.LevelCountry || planned[node.Code] || !division.Contains(scope, node.Code) || node.Code == scope {
				continue
			}
			planned[node.Code] = true
			anc := make([]string, 0, i+1)
			for _, a := range chain[:i+1] {
				anc = append(anc, a.Code)
			}
			plan.Tenants = append(plan.Tenants, Tenant{
				Code: node.Code, Name: node.Name, FullName: node.FullName(), Level: node.Level,
				ParentCode: node.ParentCode, Ancestors: anc, Status: StatusActive, Placement: DefaultPlacement,
			})
		}
		// Districts have streets; so do the three cities without districts (东莞, 中山, 儋州).
		if withOffices && (d.Level == division.LevelDistrict || d.Level == division.LevelCity) {
			children, err := division.Children(code)
			if err != nil {
				bad = append(bad, &CodeError{Code: code, Err: err})
				continue
			}
			for _, s := range children {
				if s.Level != division.LevelStreet {
					continue
				}
				plan.Offices = append(plan.Offices, Office{TenantCode: code, StreetCode: s.Code, StreetName: s.Name, Name: OfficeName(s.Name)})
			}
		}
	}
	if len(bad) > 0 {
		return Plan{}, &PlanError{Codes: bad}
	}
	slices.SortStableFunc(plan.Tenants, func(a, b Tenant) int { return len(a.Ancestors) - len(b.Ancestors) })
	return plan, nil
}

// PlanWithin plans the onboarding of every district under within (a province, a city, or the
// country for all 2,978 districts).
func PlanWithin(scope, within string, withOffices bool) (Plan, error) {
	if _, err := lookupAbove(within); err != nil {
		return Plan{}, &PlanError{Codes: []*CodeError{{Code: within, Err: err}}}
	}
	if !division.Contains(scope, within) {
		return Plan{}, &PlanError{Codes: []*CodeError{{Code: within, Err: ErrOutsideScope}}}
	}
	ds, err := division.Districts(within)
	if err != nil {
		return Plan{}, &PlanError{Codes: []*CodeError{{Code: within, Err: err}}}
	}
	codes := make([]string, len(ds))
	for i, d := range ds {
		codes[i] = d.Code
	}
	return PlanOnboarding(scope, codes, withOffices)
}

// OfficeName names the judicial office of a street: 长寿路街道 → 长寿路街道司法所, 朱家角镇 → 朱家角镇司法所.
func OfficeName(street string) string { return street + "司法所" }

func lookupOnboardable(code string) (division.Division, error) {
	d, err := lookupAbove(code)
	if err != nil {
		return d, err
	}
	if d.Level == division.LevelCountry {
		return d, &division.CodeError{Code: code, Err: division.ErrUnknownCode}
	}
	return d, nil
}

// lookupAbove finds a division at district level or above.
func lookupAbove(code string) (division.Division, error) {
	lvl, err := division.LevelOf(code)
	if err != nil {
		return division.Division{}, err
	}
	if lvl == division.LevelStreet || lvl == division.LevelVillage {
		return division.Division{}, division.ErrBelowDistrict
	}
	return division.Lookup(code)
}

// IsCodeProblem reports whether err is about the codes given rather than the system.
func IsCodeProblem(err error) bool {
	var pe *PlanError
	return errors.As(err, &pe) || errors.Is(err, ErrNothingToOnboard)
}
