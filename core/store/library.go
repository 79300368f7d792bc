package store

import (
	"context"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/library"
	"github.com/jackc/pgx/v5"
)

const entryColumns = `id::text, tenant_id, case_id::text, case_number, title, summary, dispute_type, outcome, tags, status,
	submitted_by, submitted_at, reviewed_by, reviewed_at, review_reason`

func scanEntry(row pgx.Row, extra ...any) (library.Entry, error) {
	var (
		e               library.Entry
		outcome, status string
	)
	err := row.Scan(append([]any{&e.ID, &e.TenantCode, &e.CaseID, &e.CaseNumber, &e.Title, &e.Summary, &e.DisputeType, &outcome, &e.Tags,
		&status, &e.SubmittedBy, &e.SubmittedAt, &e.ReviewedBy, &e.ReviewedAt, &e.ReviewReason}, extra...)...)
	e.Outcome, e.Status = cases.Status(outcome), library.Status(status)
	return e, err
}

// CreateLibraryEntry stores a submitted entry with its search document and audits it.
func (s *LibraryDB) CreateLibraryEntry(ctx context.Context, e library.Entry, doc string) (library.Entry, error) {
	var out library.Entry
	err := s.inTenant(ctx, e.TenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, e.TenantCode); err != nil {
			return err
		}
		var err error
		out, err = scanEntry(tx.QueryRow(ctx, `INSERT INTO library_entries (tenant_id, id, case_id, case_number, title, summary, dispute_type,
				outcome, tags, submitted_by, doc)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::tsvector) RETURNING `+entryColumns,
			e.TenantCode, e.ID, e.CaseID, e.CaseNumber, e.Title, e.Summary, e.DisputeType, string(e.Outcome), e.Tags, e.SubmittedBy, doc))
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, e.TenantCode, "library.submit", "library:"+e.ID, nil, map[string]any{"case_id": e.CaseID, "title": e.Title})
	})
	if pgCode(err) == codeUniqueViolation {
		return out, library.ErrAlreadyInLibrary
	}
	return out, err
}

// LibraryEntry returns one entry of a tenant's library.
func (s *LibraryDB) LibraryEntry(ctx context.Context, tenantCode, id string) (library.Entry, error) {
	var e library.Entry
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var err error
		e, err = scanEntry(tx.QueryRow(ctx, "SELECT "+entryColumns+" FROM library_entries WHERE tenant_id = $1 AND id::text = $2", tenantCode, id))
		return err
	})
	if isNoRows(err) {
		return e, library.ErrNotFound
	}
	return e, err
}

// LibraryEntries lists a tenant's entries of a status: by relevance (ts_rank_cd) when the
// filter has a query, else newest first.
func (s *LibraryDB) LibraryEntries(ctx context.Context, tenantCode string, f library.Filter) ([]library.Entry, error) {
	var out []library.Entry
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var (
			rows pgx.Rows
			err  error
		)
		if f.Query != nil {
			rows, err = tx.Query(ctx, "SELECT "+entryColumns+`, ts_rank_cd(doc, q) AS rank FROM library_entries, (SELECT $3::tsquery AS q) query
				WHERE tenant_id = $1 AND status = $2 AND doc @@ q ORDER BY rank DESC, submitted_at DESC, id DESC OFFSET $4 LIMIT $5`,
				tenantCode, string(f.Status), f.Query.All(), f.Offset, f.Limit)
		} else {
			rows, err = tx.Query(ctx, "SELECT "+entryColumns+`, 0::float4 FROM library_entries WHERE tenant_id = $1 AND status = $2
				ORDER BY submitted_at DESC, id DESC OFFSET $3 LIMIT $4`, tenantCode, string(f.Status), f.Offset, f.Limit)
		}
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (library.Entry, error) {
			var rank float32
			e, err := scanEntry(r, &rank)
			e.Rank = float64(rank)
			return e, err
		})
		return err
	})
	return out, err
}

// ReviewLibraryEntry publishes or rejects a submitted entry and audits the decision.
func (s *LibraryDB) ReviewLibraryEntry(ctx context.Context, tenantCode, id string, to library.Status, reviewer, reason string, at time.Time) (library.Entry, error) {
	var out library.Entry
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, tenantCode); err != nil {
			return err
		}
		var err error
		out, err = scanEntry(tx.QueryRow(ctx, `UPDATE library_entries SET status = $3, reviewed_by = $4, reviewed_at = $5, review_reason = $6
			WHERE tenant_id = $1 AND id::text = $2 AND status = 'submitted' RETURNING `+entryColumns, tenantCode, id, string(to), reviewer, at, reason))
		if isNoRows(err) {
			var exists bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM library_entries WHERE tenant_id = $1 AND id::text = $2)", tenantCode, id).Scan(&exists); err != nil {
				return err
			}
			if exists {
				return library.ErrAlreadyReviewed
			}
			return library.ErrNotFound
		}
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, tenantCode, "library.review", "library:"+id, map[string]any{"status": library.StatusSubmitted},
			map[string]any{"status": to, "reason": reason})
	})
	return out, err
}

// SimilarEntries returns a tenant's published entries most similar to a case: those matching
// any of the case's terms or of its dispute type, by ts_rank of the terms plus a boost for the
// same dispute type; never an entry of the case itself.
func (s *LibraryDB) SimilarEntries(ctx context.Context, tenantCode, caseID, anyTerms, disputeType string, limit int) ([]library.Entry, error) {
	var out []library.Entry
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+entryColumns+`, score FROM (
				SELECT *, coalesce(ts_rank(doc, q), 0)::float8 + CASE WHEN dispute_type = $4 THEN 0.1 ELSE 0 END AS score
				FROM library_entries, (SELECT CASE WHEN $3 = '' THEN NULL ELSE $3::tsquery END AS q) terms
				WHERE tenant_id = $1 AND status = 'published' AND case_id <> $2::uuid AND (doc @@ q OR dispute_type = $4)) ranked
			ORDER BY score DESC, submitted_at DESC, id DESC LIMIT $5`, tenantCode, caseID, anyTerms, disputeType, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (library.Entry, error) {
			var score float64
			e, err := scanEntry(r, &score)
			e.Rank = score
			return e, err
		})
		return err
	})
	return out, err
}
