package cases

import (
	"context"
	"time"
)

// Draft is what taking in a case would give, computed without saving anything: the warning
// the early-warning rules would raise, the routing the platform would propose, and the time
// limit the case would run under.
type Draft struct {
	Risk    Assessment `json:"risk"`
	Routing Routing    `json:"routing"`
	DueAt   time.Time  `json:"due_at"`
}

// Check runs an intake's own validation and the referral rule of Create, without storing the
// case: it answers the errors Create would answer (ErrInvalid with the fields at fault, a
// referral refused), or the draft's warning and proposed routing. The plugins' before-intake
// hooks are not asked (they are asked when the case is taken in).
func (s *Service) Check(ctx context.Context, tenantCode string, in NewCase) (Draft, error) {
	own, settings, err := s.repo.IntakeRules(ctx, tenantCode)
	if err != nil {
		return Draft{}, err
	}
	types, settings := append(BuiltInTypes(), own...), settings.Merged()
	now := s.now()
	c, err := s.validate(tenantCode, in, types, settings, now)
	if err != nil {
		return Draft{}, err
	}
	if err := s.bindReferral(ctx, tenantCode, in.EnteredBy, &c); err != nil {
		return Draft{}, err
	}
	for i := range c.Parties {
		if err := s.seal(&c, &c.Parties[i]); err != nil {
			return Draft{}, err
		}
	}
	prior, failed, committees, err := s.repo.IntakeDraft(ctx, c)
	if err != nil {
		return Draft{}, err
	}
	c.Risk = Assess(RiskInput{Title: c.Title, Description: c.Description, Parties: len(c.Parties), AmountYuan: float64(c.AmountFen) / 100,
		Source: c.Source, PriorCases: prior, PriorFailed: failed})
	return Draft{Risk: c.Risk, Routing: Route(c, committees, types, settings.Routing), DueAt: c.DueAt}, nil
}
