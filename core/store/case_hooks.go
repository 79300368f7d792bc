package store

import (
	"context"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/jackc/pgx/v5"
)

// afterCaseChange runs inside the transaction of every case change (before is nil for a new
// case): the early-warning dispatch hooks in here, so a warning and its notifications are
// committed with the change that caused them, or not at all. A change that brings the case to
// orange or red, higher than it was, raises a warning with its notification and its
// escalation at the deadline (jobs of the queue, inserted in tx).
func (s *Store) afterCaseChange(ctx context.Context, tx pgx.Tx, before, after *cases.Case) error {
	if !warnings.Raises(before, after) {
		return nil
	}
	return raiseWarning(ctx, tx, after)
}
