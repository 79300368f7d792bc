package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// LoadCases inserts prepared cases of one tenant in bulk, in one transaction: numbers from the
// tenant's counters (a block per year), the cases and their parties through COPY into
// temporary tables (COPY cannot write into a table under row-level security; the INSERT …
// SELECT that follows is checked by it), and the statistics of the whole batch. Cases keep a
// number given to them (a legacy number); IDs are assigned when empty. The cases are filled in
// place (ID, number, year, seq). Parties' personal data must be sealed already.
func (s *Store) LoadCases(ctx context.Context, tenantCode string, cs []cases.Case) error {
	_, err := s.LoadTenantCases(ctx, tenantCode, func(load func([]cases.Case) error) error { return load(cs) })
	return err
}

// LoadTenantCases is LoadCases over many batches in one transaction: fill calls load once per
// batch (a batch may be reused after load returns). The statistics of all batches are summed
// in memory and written once at the end, so their cost does not grow with the cases.
func (s *Store) LoadTenantCases(ctx context.Context, tenantCode string, fill func(load func([]cases.Case) error) error) (int, error) {
	n := 0
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, tenantCode); err != nil {
			return err
		}
		kinds, err := committeeKindsOf(ctx, tx, tenantCode)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE load_cases (LIKE cases INCLUDING DEFAULTS) ON COMMIT DROP;
			CREATE TEMP TABLE load_parties (LIKE case_parties INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
			return err
		}
		cells := stats.Cells{}
		memo := tokenMemo{}
		if err := fill(func(cs []cases.Case) error {
			if err := loadCasesTx(ctx, tx, tenantCode, cs); err != nil {
				return err
			}
			if err := searchDocumentsMemo(ctx, tx, cs, memo); err != nil {
				return err
			}
			for i := range cs {
				cells.Merge(stats.Contribution(stats.FactsOf(cs[i], kinds[cs[i].CommitteeID], stats.TopOf(tenantCode, cs[i].Joint))))
			}
			n += len(cs)
			return nil
		}); err != nil {
			return err
		}
		return applyCells(ctx, tx, tenantCode, cells)
	})
	return n, err
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

func loadCasesTx(ctx context.Context, tx pgx.Tx, tenantCode string, cs []cases.Case) error {
	perYear := map[int]int{}
	for i := range cs {
		cs[i].TenantCode = tenantCode
		cs[i].Year = cs[i].ReceivedAt.In(chinaTime).Year()
		perYear[cs[i].Year]++
	}
	next := map[int]int{}
	for year, n := range perYear {
		var last int
		if err := tx.QueryRow(ctx, `INSERT INTO case_counters (tenant_id, year, last_seq) VALUES ($1, $2, $3)
			ON CONFLICT (tenant_id, year) DO UPDATE SET last_seq = case_counters.last_seq + $3 RETURNING last_seq`,
			tenantCode, year, n).Scan(&last); err != nil {
			return err
		}
		next[year] = last - n + 1
	}
	if _, err := tx.Exec(ctx, `TRUNCATE load_cases, load_parties`); err != nil {
		return err
	}
	now := time.Now()
	caseCols := []string{"tenant_id", "id", "number", "year", "seq", "title", "description", "dispute_type", "source", "referral",
		"place_code", "amount_fen", "status", "risk_level", "risk", "received_at", "due_at", "created_by", "created_at", "updated_at",
		"version", "committee_id", "outcome", "agreement", "confirmation", "performance", "concluded_at", "joint"}
	partyCols := []string{"tenant_id", "case_id", "id", "position", "role", "kind", "name", "id_number_enc", "id_number_idx",
		"phone_enc", "phone_idx", "address_enc", "gender", "birth_year", "occupation"}
	var caseRows, partyRows [][]any
	for i := range cs {
		c := &cs[i]
		if c.ID == "" {
			c.ID = uuid.NewString()
		}
		c.Seq = next[c.Year]
		next[c.Year]++
		if c.Number == "" {
			c.Number = cases.Number(tenantCode, c.Year, c.Seq)
		}
		id, err := uuid.Parse(c.ID)
		if err != nil {
			return fmt.Errorf("store: case id %q: %w", c.ID, err)
		}
		var committee any
		if c.CommitteeID != "" {
			u, err := uuid.Parse(c.CommitteeID)
			if err != nil {
				return &cases.CommitteeError{ID: c.CommitteeID}
			}
			committee = [16]byte(u)
		}
		if c.Risk.Signals == nil {
			c.Risk.Signals = []cases.Signal{}
		}
		js := make([][]byte, 6)
		for j, v := range []any{c.Referral, c.Risk, c.Outcome, c.Agreement, c.Confirmation, c.Joint} {
			if isNil(v) {
				continue
			}
			if js[j], err = json.Marshal(v); err != nil {
				return err
			}
		}
		caseRows = append(caseRows, []any{tenantCode, [16]byte(id), c.Number, c.Year, c.Seq, c.Title, c.Description, c.DisputeType,
			string(c.Source), js[0], c.PlaceCode, c.AmountFen, string(c.Status), string(c.Risk.Level), js[1], c.ReceivedAt, c.DueAt,
			c.CreatedBy, now, now, 1, committee, js[2], js[3], js[4], c.Performance, c.ConcludedAt, js[5]})
		c.CreatedAt, c.UpdatedAt, c.Version = now, now, 1
		for pos := range c.Parties {
			p := &c.Parties[pos]
			if p.ID == "" {
				p.ID = uuid.NewString()
			}
			pid, err := uuid.Parse(p.ID)
			if err != nil {
				return fmt.Errorf("store: party id %q: %w", p.ID, err)
			}
			partyRows = append(partyRows, []any{tenantCode, [16]byte(id), [16]byte(pid), pos, string(p.Role), string(p.Kind), p.Name,
				p.Sealed.IDNumber, p.Sealed.IDNumberIndex, p.Sealed.Phone, p.Sealed.PhoneIndex, p.Sealed.Address, p.Gender, p.BirthYear, p.Occupation})
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"load_cases"}, caseCols, pgx.CopyFromRows(caseRows)); err != nil {
		return err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"load_parties"}, partyCols, pgx.CopyFromRows(partyRows)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO cases SELECT * FROM load_cases`); err != nil {
		if pgCode(err) == "23505" {
			return cases.ErrNumberTaken
		}
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO case_parties SELECT * FROM load_parties`)
	return err
}

func isNil(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case *cases.Referral:
		return x == nil
	case map[string]any:
		return x == nil
	case *cases.Agreement:
		return x == nil
	case *cases.Confirmation:
		return x == nil
	case *cases.Joint:
		return x == nil
	}
	return false
}
