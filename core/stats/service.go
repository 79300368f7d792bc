package stats

import (
	"context"
	"time"
)

// Sums is what the cells of a subtree sum to for a question.
type Sums struct {
	Totals      Vector
	OpenOverdue int64         // open cases past their time limit, due within the period
	CloseDays   map[int]int64 // days to close → cases concluded in the period
	Groups      map[string][]Group
}

// Repo sums the cells of a tenant's subtree.
type Repo interface {
	Stats(ctx context.Context, tenantCode string, q Query, today time.Time) (Sums, error)
}

// Service answers questions to the figures.
type Service struct {
	repo Repo
	now  func() time.Time
}

// NewService returns a service over repo; now is the clock (nil: time.Now).
func NewService(repo Repo, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{repo: repo, now: now}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Report is the answer to a question for one tenant and its subtree.
type Report struct {
	Tenant string
	Query  Query
	Figures
	OpenOverdue    int64 // open cases whose time limit fell within the period and passed
	Overdue        int64 // ConcludedLate + OpenOverdue
	P90DaysToClose *int
	// Groups are the breakdowns, each exact to the day like the headline.
	Groups map[string][]GroupFigures
}

// GroupFigures are the figures of one value of a breakdown.
type GroupFigures struct {
	Key, Label string
	Figures
}

// Report answers q for the tenant.
func (s *Service) Report(ctx context.Context, tenantCode string, q Query) (Report, error) {
	sums, err := s.repo.Stats(ctx, tenantCode, q, s.now())
	if err != nil {
		return Report{}, err
	}
	r := Report{Tenant: tenantCode, Query: q, Figures: FiguresOf(sums.Totals), OpenOverdue: sums.OpenOverdue,
		P90DaysToClose: Percentile(sums.CloseDays, 90), Groups: map[string][]GroupFigures{}}
	r.Overdue = r.ConcludedLate + r.OpenOverdue
	for by, groups := range sums.Groups {
		out := make([]GroupFigures, 0, len(groups))
		for _, g := range groups {
			out = append(out, GroupFigures{Key: g.Key, Label: g.Label, Figures: FiguresOf(g.Vector)})
		}
		r.Groups[by] = out
	}
	return r, nil
}

// Rebuild reports a recomputation of a tenant's cells from its cases.
type Rebuild struct {
	Tenant      string
	Checked     bool // only compared, nothing changed
	Cases       int
	Cells       int
	Differences int // cells whose maintained figures differ from the recomputed ones
}
