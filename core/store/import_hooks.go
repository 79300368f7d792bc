package store

import (
	"context"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/jackc/pgx/v5"
)

// importAccumulator carries what an import sums over its batches: the statistics cells of each
// tenant (written once at the end: their number grows with the distinct days, types and
// dimensions, not with the cases), the committee kinds of each tenant, and the segmentation of
// texts already seen.
type importAccumulator struct {
	cells map[string]stats.Cells
	kinds map[string]map[string]string
	memo  tokenMemo
}

// afterImport runs inside the transaction of a case import, once for every batch of cases
// stored for a tenant (the transaction then acts for tenantCode): the search documents of the
// batch are written, its statistics added to the import's sums. Imported cases raise no early
// warning and report nothing to referring agencies: they are history, not new intakes.
func (s *CaseDB) afterImport(ctx context.Context, tx pgx.Tx, tenantCode string, imported []cases.Case, acc *importAccumulator) error {
	kinds, ok := acc.kinds[tenantCode]
	if !ok {
		var err error
		if kinds, err = committeeKindsOf(ctx, tx, tenantCode); err != nil {
			return err
		}
		acc.kinds[tenantCode] = kinds
	}
	cells := acc.cells[tenantCode]
	if cells == nil {
		cells = stats.Cells{}
		acc.cells[tenantCode] = cells
	}
	for i := range imported {
		c := &imported[i]
		cells.Merge(stats.Contribution(stats.FactsOf(*c, kinds[c.CommitteeID], stats.TopOf(tenantCode, c.Joint))))
	}
	return searchDocumentsMemo(ctx, tx, imported, acc.memo)
}

// flush writes the summed statistics of each tenant, acting for it.
func (acc *importAccumulator) flush(ctx context.Context, tx pgx.Tx, tenants []string) error {
	for _, code := range tenants {
		if err := setTenant(ctx, tx, code); err != nil {
			return err
		}
		if err := applyCells(ctx, tx, code, acc.cells[code]); err != nil {
			return err
		}
	}
	return nil
}

func committeeKindsOf(ctx context.Context, tx pgx.Tx, tenantCode string) (map[string]string, error) {
	kinds := map[string]string{}
	rows, err := tx.Query(ctx, `SELECT id::text, kind FROM organisations WHERE tenant_id = $1`, tenantCode)
	if err != nil {
		return nil, err
	}
	var id, kind string
	_, err = pgx.ForEachRow(rows, []any{&id, &kind}, func() error { kinds[id] = kind; return nil })
	return kinds, err
}
