package store

import (
	"context"
	"strconv"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/library"
	"github.com/fengqiao/fengqiao/core/search"
	"github.com/jackc/pgx/v5"
)

// tokenMemo remembers the segmentation of texts seen in one bulk load (imported histories
// repeat titles and standard phrases); it stops growing at memoLimit texts.
type tokenMemo map[string][]string

const memoLimit = 200000

func (m tokenMemo) tokens(text string) []string {
	if m == nil {
		return search.Tokens(text)
	}
	if t, ok := m[text]; ok {
		return t
	}
	t := search.Tokens(text)
	if len(m) < memoLimit {
		m[text] = t
	}
	return t
}

// caseDocumentMemo returns a case's search documents (search.CaseDocuments), segmenting
// through memo (nil: no memo).
func caseDocumentMemo(c cases.Case, memo tokenMemo) (doc, names string) {
	ns := make([]string, len(c.Parties))
	for i, p := range c.Parties {
		ns[i] = p.Name
	}
	return search.CaseDocuments(c.Title, c.Description, ns, memo.tokens)
}

// searchDocuments writes (or replaces) the search documents of cases, in one statement
// whatever their number: the bulk import calls it inside its own transaction with every case
// it inserted (their parties' names set). The cases must belong to the transaction's tenant.
func searchDocuments(ctx context.Context, tx pgx.Tx, cs []cases.Case) error {
	return searchDocumentsMemo(ctx, tx, cs, nil)
}

func searchDocumentsMemo(ctx context.Context, tx pgx.Tx, cs []cases.Case, memo tokenMemo) error {
	if len(cs) == 0 {
		return nil
	}
	tenants, ids, docs, names := make([]string, len(cs)), make([]string, len(cs)), make([]string, len(cs)), make([]string, len(cs))
	for i, c := range cs {
		tenants[i], ids[i] = c.TenantCode, c.ID
		docs[i], names[i] = caseDocumentMemo(c, memo)
	}
	_, err := tx.Exec(ctx, `INSERT INTO case_search (tenant_id, case_id, doc, names)
		SELECT t, id, d::tsvector, n::tsvector FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[]) AS u(t, id, d, n)
		ON CONFLICT (tenant_id, case_id) DO UPDATE SET doc = excluded.doc, names = excluded.names, updated_at = now()`,
		tenants, ids, docs, names)
	return err
}

// indexCase keeps a case's search documents current; afterCaseChange calls it in the
// transaction of every change. Only a new case, or a change of its title or description,
// rewrites them (parties do not change after intake).
func indexCase(ctx context.Context, tx pgx.Tx, before, after *cases.Case) error {
	if before != nil && before.Title == after.Title && before.Description == after.Description {
		return nil
	}
	return searchDocuments(ctx, tx, []cases.Case{*after})
}

// ReindexSearch rewrites the search documents of every case of a tenant (cases taken in
// before search existed, or after a change of the dictionary), a page of 500 cases per
// transaction; it returns how many cases it indexed.
func (s *SearchDB) ReindexSearch(ctx context.Context, tenantCode string) (int, error) {
	total, after := 0, "00000000-0000-0000-0000-000000000000"
	for {
		n := 0
		err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT c.id::text, c.title, c.description,
					coalesce((SELECT array_agg(p.name ORDER BY p.position) FROM case_parties p WHERE p.tenant_id = c.tenant_id AND p.case_id = c.id), '{}')
				FROM cases c WHERE c.tenant_id = $1 AND c.id > $2::uuid ORDER BY c.id LIMIT 500`, tenantCode, after)
			if err != nil {
				return err
			}
			cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (cases.Case, error) {
				c := cases.Case{TenantCode: tenantCode}
				var names []string
				err := r.Scan(&c.ID, &c.Title, &c.Description, &names)
				for _, n := range names {
					c.Parties = append(c.Parties, cases.Party{Name: n})
				}
				return c, err
			})
			if err != nil || len(cs) == 0 {
				return err
			}
			n, after = len(cs), cs[len(cs)-1].ID
			return searchDocuments(ctx, tx, cs)
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < 500 {
			return total, nil
		}
	}
}

// SearchCases finds a tenant's cases matching every term of the query in their title or
// description — and in the parties' names when q.Names — ranked by ts_rank_cd (cover
// density: terms close together in the title rank highest), then newest first.
func (s *SearchDB) SearchCases(ctx context.Context, tenantCode string, q library.CaseSearch) ([]library.CaseHit, error) {
	var out []library.CaseHit
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		vector := "cs.doc"
		if q.Names {
			vector = "(cs.doc || cs.names)"
		}
		// Rank every match, but join only the page's cases: among thousands of matches the join
		// with cases, not the ranking, was most of the time. Equal ranks: the newer case id
		// first (imported and generated ids are time-ordered).
		args := []any{tenantCode, q.Query.All(), q.Offset, q.Limit}
		// Only the cases the caller may see (the same SQL as the case list's).
		visible := ""
		if q.Access != nil {
			cond := caseAccessCondition(*q.Access, tenantCode, "ac", func(v any) string {
				args = append(args, v)
				return "$" + strconv.Itoa(len(args))
			})
			if cond != "TRUE" {
				visible = " JOIN cases ac ON ac.tenant_id = cs.tenant_id AND ac.id = cs.case_id AND " + cond
			}
		}
		rows, err := tx.Query(ctx, `WITH m AS (
				SELECT cs.case_id, ts_rank_cd(`+vector+`, q) AS rank, NOT (cs.doc @@ q) AS by_name
				FROM case_search cs`+visible+`, (SELECT $2::tsquery AS q) query WHERE cs.tenant_id = $1 AND `+vector+` @@ q
				ORDER BY rank DESC, cs.case_id DESC OFFSET $3 LIMIT $4)
			SELECT `+caseColumns+`, m.rank, m.by_name FROM cases JOIN m ON cases.id = m.case_id WHERE cases.tenant_id = $1
			ORDER BY m.rank DESC, received_at DESC, id DESC`, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (library.CaseHit, error) {
			var h library.CaseHit
			c, err := scanCase(rowWithExtra{r, []any{&h.Rank, &h.ByName}})
			h.Case = c
			return h, err
		})
		if err != nil || len(out) == 0 {
			return err
		}
		ids := make([]string, len(out))
		pos := map[string]int{}
		for i, h := range out {
			ids[i], pos[h.Case.ID] = h.Case.ID, i
		}
		prow, err := tx.Query(ctx, `SELECT case_id::text, id::text, role, kind, name FROM case_parties
			WHERE tenant_id = $1 AND case_id = ANY($2::uuid[]) ORDER BY case_id, position`, tenantCode, ids)
		if err != nil {
			return err
		}
		defer prow.Close()
		for prow.Next() {
			var caseID, role, kind string
			var p cases.Party
			if err := prow.Scan(&caseID, &p.ID, &role, &kind, &p.Name); err != nil {
				return err
			}
			p.Role, p.Kind = cases.PartyRole(role), cases.PartyKind(kind)
			out[pos[caseID]].Case.Parties = append(out[pos[caseID]].Case.Parties, p)
		}
		return prow.Err()
	})
	return out, err
}

// rowWithExtra scans a case row followed by extra columns.
type rowWithExtra struct {
	row   pgx.Row
	extra []any
}

func (r rowWithExtra) Scan(dest ...any) error { return r.row.Scan(append(dest, r.extra...)...) }

// RecordPIISearch audits a search that found cases through their parties' names: the terms
// searched and the cases found that way.
func (s *SearchDB) RecordPIISearch(ctx context.Context, tenantCode string, terms, caseIDs []string) error {
	return s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		return appendAudit(ctx, tx, tenantCode, "case.pii.search", "cases", nil, map[string]any{"terms": terms, "cases": caseIDs})
	})
}
