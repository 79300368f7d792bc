package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/stats"
	tenantpkg "github.com/fengqiao/fengqiao/core/tenant"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// ImportRules reads what an import checks a tenant's rows against: the tenant must be usable;
// its own dispute types, lifecycle settings and active committees.
func (s *CaseDB) ImportRules(ctx context.Context, tenantCode string) (cases.ImportRules, error) {
	var out cases.ImportRules
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		_, err := activeTenant(ctx, tx, tenantCode)
		return err
	})
	if err != nil {
		return out, err
	}
	if out.Types, out.Settings, err = s.IntakeRules(ctx, tenantCode); err != nil {
		return out, err
	}
	out.Committees, err = s.Committees(ctx, tenantCode)
	return out, err
}

// ExistingNumbers returns which of the numbers the tenant's cases already have.
func (s *CaseDB) ExistingNumbers(ctx context.Context, tenantCode string, numbers []string) ([]string, error) {
	var out []string
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT number FROM cases WHERE tenant_id = $1 AND number = ANY($2)`, tenantCode, numbers)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return out, err
}

// importCaseColumns are the columns of the staging table of cases, in COPY order.
var importCaseColumns = []string{"tenant_id", "id", "number", "year", "seq", "title", "description", "dispute_type", "source",
	"place_code", "amount_fen", "status", "risk_level", "risk", "received_at", "due_at", "created_by", "committee_id",
	"outcome", "performance", "concluded_at", "agreement", "joint"}

var importPartyColumns = []string{"tenant_id", "case_id", "id", "position", "role", "kind", "name", "id_number_enc",
	"id_number_idx", "phone_enc", "phone_idx", "address_enc", "gender", "birth_year", "occupation", "id_type"}

// ImportCases stores imported cases in ONE transaction: every batch next returns until it
// returns none, then one audit entry per tenant. PostgreSQL refuses COPY into tables with
// row-level security to a role like fengqiao_app, so each batch is copied into temporary
// staging tables (dropped at commit) and moved with one INSERT … SELECT per tenant and table,
// the transaction acting for that tenant (row-level security checks every row). Cases without
// a legacy number are numbered from a block of their (tenant, year) counter taken in one
// statement. A legacy number used twice is cases.ErrNumberTaken (validation checks them
// first; this catches a concurrent intake). It returns the cases stored per tenant.
func (s *CaseDB) ImportCases(ctx context.Context, meta cases.ImportMeta, next func() ([]cases.Case, error)) (map[string]int, error) {
	counts := map[string]int{}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			CREATE TEMP TABLE import_cases (
				tenant_id text, id uuid, number text, year int, seq int, title text, description text, dispute_type text,
				source text, place_code text, amount_fen bigint, status text, risk_level text, risk jsonb,
				received_at timestamptz, due_at timestamptz, created_by text, committee_id uuid, outcome jsonb,
				performance text, concluded_at timestamptz, agreement jsonb, joint jsonb) ON COMMIT DROP;
			CREATE TEMP TABLE import_parties (
				tenant_id text, case_id uuid, id uuid, position int, role text, kind text, name text, id_number_enc bytea,
				id_number_idx bytea, phone_enc bytea, phone_idx bytea, address_enc bytea, gender text, birth_year int,
				occupation text, id_type text) ON COMMIT DROP`); err != nil {
			return err
		}
		checked := map[string]bool{}
		acc := importAccumulator{cells: map[string]stats.Cells{}, kinds: map[string]map[string]string{}, memo: tokenMemo{}}
		for {
			batch, err := next()
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				break
			}
			if err := s.importBatch(ctx, tx, meta.File, batch, checked, &acc); err != nil {
				return err
			}
			for _, c := range batch {
				counts[c.TenantCode]++
			}
		}
		codes := make([]string, 0, len(counts))
		for code := range counts {
			codes = append(codes, code)
		}
		slices.Sort(codes)
		if err := acc.flush(ctx, tx, codes); err != nil {
			return err
		}
		for _, code := range codes {
			entry := map[string]any{"file": meta.File, "skip_invalid": meta.SkipInvalid, "imported": counts[code]}
			if t := meta.PerTenant[code]; t != nil {
				entry["validated"], entry["rejected"] = t.Validated, t.Rejected
			}
			if err := appendAudit(ctx, tx, code, "case.import", "cases", nil, entry); err != nil {
				return err
			}
		}
		return nil
	})
	if pgCode(err) == codeUniqueViolation {
		return nil, fmt.Errorf("%w: %v", cases.ErrNumberTaken, err)
	}
	if err != nil {
		return nil, unavailable(err)
	}
	return counts, nil
}

// importBatch numbers, stages and inserts one batch (cases and their parties).
func (s *CaseDB) importBatch(ctx context.Context, tx pgx.Tx, file string, batch []cases.Case, checked map[string]bool, acc *importAccumulator) error {
	// Tenants in order of first appearance, and how many new numbers each (tenant, year) needs.
	type key struct {
		tenant string
		year   int
	}
	var tenants []string
	need := map[key]int{}
	byTenant := map[string][]int{}
	for i := range batch {
		c := &batch[i]
		c.Year = c.ReceivedAt.In(chinaTime).Year()
		if _, ok := byTenant[c.TenantCode]; !ok {
			tenants = append(tenants, c.TenantCode)
		}
		byTenant[c.TenantCode] = append(byTenant[c.TenantCode], i)
		need[key{c.TenantCode, c.Year}]++
	}
	// One round trip: each tenant checked once per import, its counters advanced by a block.
	b := &pgx.Batch{}
	last := map[key]int{}
	for _, code := range tenants {
		if !isTenantCode(code) {
			return fmt.Errorf("store: import: bad tenant code %q", code)
		}
		b.Queue("SELECT set_config('fengqiao.tenant', $1, true)", code)
		if !checked[code] {
			checked[code] = true
			b.Queue("SELECT "+tenantColumns+" FROM tenants WHERE code = $1", code).QueryRow(func(row pgx.Row) error {
				t, err := scanTenant(row)
				if isNoRows(err) {
					return fmt.Errorf("tenant %s: %w", code, tenantpkg.ErrNotFound)
				}
				if err != nil {
					return err
				}
				return tenantpkg.Usable(t.Status)
			})
		}
		var years, ns []int32
		for k, n := range need {
			if k.tenant == code {
				years, ns = append(years, int32(k.year)), append(ns, int32(n))
			}
		}
		b.Queue(`INSERT INTO case_counters (tenant_id, year, last_seq) SELECT $1, y, n FROM unnest($2::int[], $3::int[]) AS t(y, n)
			ON CONFLICT (tenant_id, year) DO UPDATE SET last_seq = case_counters.last_seq + excluded.last_seq
			RETURNING year, last_seq`, code, years, ns).Query(func(rows pgx.Rows) error {
			defer rows.Close()
			for rows.Next() {
				var y, l int
				if err := rows.Scan(&y, &l); err != nil {
					return err
				}
				last[key{code, y}] = l
			}
			return rows.Err()
		})
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	// Each (tenant, year) block runs from last-need+1 to last, given out in file order.
	nextSeq := map[key]int{}
	for k, l := range last {
		nextSeq[k] = l - need[k] + 1
	}
	caseRows := make([][]any, 0, len(batch))
	var partyRows [][]any
	for i := range batch {
		c := &batch[i]
		k := key{c.TenantCode, c.Year}
		c.Seq = nextSeq[k]
		nextSeq[k]++
		if c.Number == "" {
			c.Number = cases.Number(c.TenantCode, c.Year, c.Seq)
		}
		risk, err := json.Marshal(c.Risk)
		if err != nil {
			return err
		}
		var outcome, agreement, joint []byte
		if c.Outcome != nil {
			if outcome, err = json.Marshal(c.Outcome); err != nil {
				return err
			}
		}
		if c.Agreement != nil {
			if agreement, err = json.Marshal(c.Agreement); err != nil {
				return err
			}
		}
		if c.Joint != nil {
			if joint, err = json.Marshal(c.Joint); err != nil {
				return err
			}
		}
		id, err := uuid.Parse(c.ID)
		if err != nil {
			return err
		}
		var committee any
		if c.CommitteeID != "" {
			u, err := uuid.Parse(c.CommitteeID)
			if err != nil {
				return err
			}
			committee = [16]byte(u)
		}
		caseRows = append(caseRows, []any{c.TenantCode, [16]byte(id), c.Number, c.Year, c.Seq, c.Title, c.Description, c.DisputeType,
			string(c.Source), c.PlaceCode, c.AmountFen, string(c.Status), string(c.Risk.Level), risk, c.ReceivedAt, c.DueAt,
			c.CreatedBy, committee, outcome, c.Performance, c.ConcludedAt, agreement, joint})
		for pos, p := range c.Parties {
			pid, err := uuid.Parse(p.ID)
			if err != nil {
				return err
			}
			partyRows = append(partyRows, []any{c.TenantCode, [16]byte(id), [16]byte(pid), pos, string(p.Role), string(p.Kind), p.Name,
				p.Sealed.IDNumber, p.Sealed.IDNumberIndex, p.Sealed.Phone, p.Sealed.PhoneIndex, p.Sealed.Address, p.Gender, p.BirthYear, p.Occupation, string(p.IDType)})
		}
	}
	if _, err := tx.Exec(ctx, "TRUNCATE import_cases, import_parties"); err != nil {
		return err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_cases"}, importCaseColumns, pgx.CopyFromRows(caseRows)); err != nil {
		return err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_parties"}, importPartyColumns, pgx.CopyFromRows(partyRows)); err != nil {
		return err
	}
	a := audit.ActorFrom(ctx)
	b = &pgx.Batch{}
	for _, code := range tenants {
		b.Queue("SELECT set_config('fengqiao.tenant', $1, true)", code)
		b.Queue(`INSERT INTO cases (tenant_id, id, number, year, seq, title, description, dispute_type, source, place_code, amount_fen,
				status, risk_level, risk, received_at, due_at, created_by, committee_id, outcome, performance, concluded_at, agreement, joint)
			SELECT tenant_id, id, number, year, seq, title, description, dispute_type, source, place_code, amount_fen,
				status, risk_level, risk, received_at, due_at, created_by, committee_id, outcome, performance, concluded_at, agreement, joint
			FROM import_cases WHERE tenant_id = $1`, code)
		b.Queue(`INSERT INTO case_parties (tenant_id, case_id, id, position, role, kind, name, id_number_enc, id_number_idx,
				phone_enc, phone_idx, address_enc, gender, birth_year, occupation, id_type)
			SELECT tenant_id, case_id, id, position, role, kind, name, id_number_enc, id_number_idx,
				phone_enc, phone_idx, address_enc, gender, birth_year, occupation, id_type
			FROM import_parties WHERE tenant_id = $1`, code)
		if importEvents {
			b.Queue(`INSERT INTO case_events (tenant_id, case_id, actor, action, after, request_id)
				SELECT tenant_id, id, $2, 'import', jsonb_build_object('number', number, 'status', status, 'file', $4::text), $3
				FROM import_cases WHERE tenant_id = $1`, code, a.Subject, a.RequestID, file)
		}
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	for _, code := range tenants {
		if err := setTenant(ctx, tx, code); err != nil {
			return err
		}
		idx := byTenant[code]
		imported := make([]cases.Case, len(idx))
		for j, i := range idx {
			imported[j] = batch[i]
		}
		if err := s.afterImport(ctx, tx, code, imported, acc); err != nil {
			return err
		}
	}
	return nil
}

// importEvents: every imported case gets an 'import' event (number, status, file) as the
// first entry of its history, like the 'create' event of an intake. Measured on 50,000 rows:
// ~11% of the import's time (3,500 → 3,200 cases/s on the shared 2-core machine); kept, so
// that no case has an empty history and each one names the file it came from.
const importEvents = true
