package store

import (
	"context"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/jackc/pgx/v5"
)

// afterCaseChange runs inside the transaction of every case change (before is nil for a new
// case): the early-warning dispatch hooks in here, so a warning and its notifications are
// committed with the change that caused them, or not at all.
func (s *Store) afterCaseChange(ctx context.Context, tx pgx.Tx, before, after *cases.Case) error {
	return nil
}
