package store

import (
	"bytes"
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/fengqiao/fengqiao/core/cases"
)

// updateDocuments stores the corrected identity documents of an edit: the parties whose type
// or sealed number changed.
func updateDocuments(ctx context.Context, tx pgx.Tx, tenantCode, caseID string, was, now []cases.Party) error {
	for _, p := range now {
		i := slices.IndexFunc(was, func(o cases.Party) bool { return o.ID == p.ID })
		if i >= 0 && was[i].IDType == p.IDType && bytes.Equal(was[i].Sealed.IDNumber, p.Sealed.IDNumber) {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE case_parties SET id_type = $4, id_number_enc = $5, id_number_idx = $6, gender = $7, birth_year = $8
			WHERE tenant_id = $1 AND case_id = $2 AND id = $3`, tenantCode, caseID, p.ID, string(p.IDType), p.Sealed.IDNumber,
			p.Sealed.IDNumberIndex, p.Gender, p.BirthYear); err != nil {
			return err
		}
	}
	return nil
}
