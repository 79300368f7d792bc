package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/jackc/pgx/v5"
)

const caseColumns = `id::text, tenant_id, number, year, seq, title, description, dispute_type, source, referral, place_code,
	amount_fen, status, risk, received_at, due_at, created_by, created_at, updated_at, version,
	coalesce(committee_id::text, ''), outcome, agreement, confirmation, performance, concluded_at, first_contact_due_at, contacted_at, joint,
	due_extended_at, coalesce(transferred_to, '')`

func scanCase(row pgx.Row) (cases.Case, error) {
	var (
		c        cases.Case
		source   string
		status   string
		referral []byte
		risk     []byte
		outcome  []byte
		agreed   []byte
		confirm  []byte
		joint    []byte
	)
	err := row.Scan(&c.ID, &c.TenantCode, &c.Number, &c.Year, &c.Seq, &c.Title, &c.Description, &c.DisputeType, &source, &referral,
		&c.PlaceCode, &c.AmountFen, &status, &risk, &c.ReceivedAt, &c.DueAt, &c.CreatedBy, &c.CreatedAt, &c.UpdatedAt, &c.Version,
		&c.CommitteeID, &outcome, &agreed, &confirm, &c.Performance, &c.ConcludedAt, &c.FirstContactDueAt, &c.ContactedAt, &joint,
		&c.DueExtendedAt, &c.TransferredTo)
	if err != nil {
		return c, err
	}
	for _, j := range []struct {
		raw []byte
		dst any
	}{{outcome, &c.Outcome}, {agreed, &c.Agreement}, {confirm, &c.Confirmation}, {joint, &c.Joint}} {
		if len(j.raw) > 0 {
			if err := json.Unmarshal(j.raw, j.dst); err != nil {
				return c, err
			}
		}
	}
	c.Source, c.Status = cases.Source(source), cases.Status(status)
	if len(referral) > 0 {
		c.Referral = &cases.Referral{}
		if err := json.Unmarshal(referral, c.Referral); err != nil {
			return c, err
		}
	}
	return c, json.Unmarshal(risk, &c.Risk)
}

const partyColumns = `case_id::text, id::text, role, kind, name, id_number_enc, id_number_idx, phone_enc, phone_idx, address_enc,
	gender, birth_year, occupation, id_type`

func scanParty(row pgx.Row) (string, cases.Party, error) {
	var (
		caseID     string
		p          cases.Party
		role, kind string
		idType     string
	)
	err := row.Scan(&caseID, &p.ID, &role, &kind, &p.Name, &p.Sealed.IDNumber, &p.Sealed.IDNumberIndex, &p.Sealed.Phone,
		&p.Sealed.PhoneIndex, &p.Sealed.Address, &p.Gender, &p.BirthYear, &p.Occupation, &idType)
	p.Role, p.Kind, p.IDType = cases.PartyRole(role), cases.PartyKind(kind), pii.DocType(idType)
	return caseID, p, err
}

// CreateCase stores a new case in one transaction; see cases.Repo.
func (s *CaseDB) CreateCase(ctx context.Context, c cases.Case, idem *cases.Idempotency, assess func(prior, failed int) cases.Assessment) (cases.Case, bool, error) {
	var (
		out      cases.Case
		replayed bool
	)
	err := s.inTenant(ctx, c.TenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, c.TenantCode); err != nil {
			return err
		}
		if idem != nil {
			// A concurrent request with the same key waits here until the first commits,
			// then finds its case.
			// The key is the caller's own: another caller's identical key is another request.
			tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (tenant_id, subject, key, fingerprint) VALUES ($1, $2, $3, $4)
				ON CONFLICT (tenant_id, subject, key) DO NOTHING`, c.TenantCode, idem.Subject, idem.Key, idem.Fingerprint)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				var fp []byte
				var caseID *string
				if err := tx.QueryRow(ctx, `SELECT fingerprint, case_id::text FROM idempotency_keys WHERE tenant_id = $1 AND subject = $2 AND key = $3`,
					c.TenantCode, idem.Subject, idem.Key).Scan(&fp, &caseID); err != nil {
					return err
				}
				if !bytes.Equal(fp, idem.Fingerprint) || caseID == nil {
					return cases.ErrIdempotencyMismatch
				}
				replayed = true
				out, err = loadCase(ctx, tx, c.TenantCode, *caseID)
				return err
			}
		}
		if r := c.Referral; r != nil && r.AgencyID != "" {
			if err := checkAgency(ctx, tx, c.TenantCode, r.AgencyID); err != nil {
				return err
			}
		}
		prior, failed, err := priorCases(ctx, tx, c.TenantCode, c.ID, c.Parties)
		if err != nil {
			return err
		}
		c.Risk = assess(prior, failed)
		risk, err := json.Marshal(c.Risk)
		if err != nil {
			return err
		}
		var referral []byte
		if c.Referral != nil {
			if referral, err = json.Marshal(c.Referral); err != nil {
				return err
			}
		}
		c.Year = c.ReceivedAt.In(chinaTime).Year()
		// The counter row is the one point where a tenant's intakes queue up: it is taken in the
		// last round trip before COMMIT, and the case is not read back, so the lock is short.
		a := audit.ActorFrom(ctx)
		summary, err := json.Marshal(map[string]any{"status": c.Status, "dispute_type": c.DisputeType,
			"source": c.Source, "parties": len(c.Parties), "risk_level": c.Risk.Level, "risk_score": c.Risk.Score})
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		var created cases.Case
		b.Queue(`WITH n AS (
				INSERT INTO case_counters (tenant_id, year, last_seq) VALUES ($1, $4, 1)
				ON CONFLICT (tenant_id, year) DO UPDATE SET last_seq = case_counters.last_seq + 1 RETURNING last_seq)
			INSERT INTO cases (tenant_id, id, number, year, seq, title, description, dispute_type, source, referral, place_code,
				amount_fen, status, risk_level, risk, received_at, due_at, created_by, first_contact_due_at)
			SELECT $1, $2, $3 || CASE WHEN n.last_seq < 100000 THEN lpad(n.last_seq::text, 5, '0') ELSE n.last_seq::text END || '号',
				$4, n.last_seq, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18 FROM n
			RETURNING seq, number, created_at, updated_at, version`,
			c.TenantCode, c.ID, cases.NumberPrefix(c.TenantCode, c.Year), c.Year, c.Title, c.Description, c.DisputeType, string(c.Source), referral, c.PlaceCode,
			c.AmountFen, string(c.Status), string(c.Risk.Level), risk, c.ReceivedAt, c.DueAt, c.CreatedBy, c.FirstContactDueAt).QueryRow(func(row pgx.Row) error {
			return row.Scan(&created.Seq, &created.Number, &created.CreatedAt, &created.UpdatedAt, &created.Version)
		})
		for i, p := range c.Parties {
			b.Queue(`INSERT INTO case_parties (tenant_id, case_id, id, position, role, kind, name, id_number_enc, id_number_idx,
					phone_enc, phone_idx, address_enc, gender, birth_year, occupation, id_type)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
				c.TenantCode, c.ID, p.ID, i, string(p.Role), string(p.Kind), p.Name, p.Sealed.IDNumber, p.Sealed.IDNumberIndex,
				p.Sealed.Phone, p.Sealed.PhoneIndex, p.Sealed.Address, p.Gender, p.BirthYear, p.Occupation, string(p.IDType))
		}
		b.Queue(`INSERT INTO case_events (tenant_id, case_id, actor, action, after, request_id)
			SELECT $1, $2, $3, 'create', $4::jsonb || jsonb_build_object('number', number), $5 FROM cases WHERE tenant_id = $1 AND id = $2`,
			c.TenantCode, c.ID, a.Subject, summary, a.RequestID)
		if c.Unchecked != nil {
			queueUnchecked(b, c.TenantCode, c.ID, a, c.Unchecked)
		}
		if idem != nil {
			b.Queue(`UPDATE idempotency_keys SET case_id = $4 WHERE tenant_id = $1 AND subject = $2 AND key = $3`, c.TenantCode, idem.Subject, idem.Key, c.ID)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		out = c
		out.Seq, out.Number, out.CreatedAt, out.UpdatedAt, out.Version = created.Seq, created.Number, created.CreatedAt, created.UpdatedAt, created.Version
		return s.afterCaseChange(ctx, tx, nil, &out)
	})
	return out, replayed, err
}

// IntakeDraft reads what CreateCase would for c, writing nothing; see cases.Repo.
func (s *CaseDB) IntakeDraft(ctx context.Context, c cases.Case) (prior, failed int, committees []cases.Committee, err error) {
	err = s.inTenant(ctx, c.TenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, c.TenantCode); err != nil {
			return err
		}
		if r := c.Referral; r != nil && r.AgencyID != "" {
			if err := checkAgency(ctx, tx, c.TenantCode, r.AgencyID); err != nil {
				return err
			}
		}
		var err error
		if prior, failed, err = priorCases(ctx, tx, c.TenantCode, c.ID, c.Parties); err != nil {
			return err
		}
		committees, err = activeCommittees(ctx, tx, c.TenantCode)
		return err
	})
	return prior, failed, committees, err
}

// queueUnchecked records, in the change's own transaction, the before-hooks it passed
// unchecked (their plugins deactivated): an "unchecked" event of the case's history.
func queueUnchecked(b *pgx.Batch, tenantCode, caseID string, a audit.Actor, u *cases.Unchecked) {
	after, _ := json.Marshal(u) // strings only: cannot fail
	b.Queue(`INSERT INTO case_events (tenant_id, case_id, actor, action, after, request_id) VALUES ($1, $2, $3, 'unchecked', $4, $5)`,
		tenantCode, caseID, a.Subject, after, a.RequestID)
}

func loadCase(ctx context.Context, tx pgx.Tx, tenantCode, id string) (cases.Case, error) {
	c, err := scanCase(tx.QueryRow(ctx, "SELECT "+caseColumns+" FROM cases WHERE tenant_id = $1 AND id = $2", tenantCode, id))
	if isNoRows(err) || pgCode(err) == codeInvalidText {
		return c, cases.ErrNotFound
	}
	if err != nil {
		return c, err
	}
	rows, err := tx.Query(ctx, "SELECT "+partyColumns+" FROM case_parties WHERE tenant_id = $1 AND case_id = $2 ORDER BY position", tenantCode, id)
	if err != nil {
		return c, err
	}
	c.Parties, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (cases.Party, error) {
		_, p, err := scanParty(r)
		return p, err
	})
	return c, err
}

// Cases lists a tenant's cases newest first, with their parties, after the filter's cursor.
func (s *CaseDB) Cases(ctx context.Context, tenantCode string, f cases.Filter) ([]cases.Case, error) {
	var out []cases.Case
	where := "cases.tenant_id = $1"
	args := []any{tenantCode}
	bind := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	add := func(cond string, v any) {
		where += " AND " + strings.ReplaceAll(cond, "$?", bind(v))
	}
	if f.Status != "" {
		add("cases.status = $?", string(f.Status))
	}
	if f.Source != "" {
		add("cases.source = $?", string(f.Source))
	}
	if f.CommitteeID != "" {
		add("cases.committee_id::text = $?", f.CommitteeID)
	}
	if f.MediatorID != "" {
		add("cases.id IN (SELECT cm.case_id FROM case_mediators cm WHERE cm.tenant_id = $1 AND cm.mediator_id = $?::uuid)", f.MediatorID)
	}
	if f.DisputeType != "" {
		add("cases.dispute_type = $?", f.DisputeType)
	}
	if f.RiskLevel != "" {
		add("cases.risk_level = $?", string(f.RiskLevel))
	}
	if !f.ReceivedFrom.IsZero() {
		add("cases.received_at >= $?", f.ReceivedFrom)
	}
	if !f.ReceivedTo.IsZero() {
		add("cases.received_at < $?", f.ReceivedTo)
	}
	if f.Overdue {
		add("(cases.due_at < $? OR (cases.contacted_at IS NULL AND cases.first_contact_due_at < $?)) AND cases.status NOT IN ('succeeded', 'failed', 'guided', 'closed') AND cases.transferred_to IS NULL", f.Now)
	}
	filtered := where != "cases.tenant_id = $1"
	var page listPage
	if f.AfterID != "" {
		page.afterTime, page.afterID = bind(f.AfterTime), bind(f.AfterID)+"::uuid"
		where += " AND (cases.received_at, cases.id) < (" + page.afterTime + ", " + page.afterID + ")"
	}
	var branches []accessBranch
	if f.Access != nil {
		var all bool
		all, branches = caseAccessBranches(*f.Access, tenantCode, bind)
		if !all && len(branches) == 0 {
			return nil, nil // the principal may see none of the tenant's cases
		}
	}
	lim := bind(f.Limit)
	q := "SELECT " + caseColumns + " FROM cases WHERE " + where + " ORDER BY cases.received_at DESC, cases.id DESC LIMIT " + lim
	if len(branches) > 0 {
		page.where, page.filtered, page.limit = where, filtered, lim
		q = caseAccessList(branches, page)
	}
	run := s.inTenant
	if len(branches) > 0 {
		// The same plan serves every principal (each branch walks an index and stops at the
		// page size): planning it anew for each request would cost more than running it.
		run = s.inTenantGenericPlans
	}
	err := run(ctx, tenantCode, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (cases.Case, error) { return scanCase(r) })
		if err != nil || len(out) == 0 {
			return err
		}
		ids := make([]string, len(out))
		pos := map[string]int{}
		for i, c := range out {
			ids[i], pos[c.ID] = c.ID, i
		}
		prow, err := tx.Query(ctx, "SELECT "+partyColumns+" FROM case_parties WHERE tenant_id = $1 AND case_id = ANY($2::uuid[]) ORDER BY case_id, position", tenantCode, ids)
		if err != nil {
			return err
		}
		defer prow.Close()
		for prow.Next() {
			caseID, p, err := scanParty(prow)
			if err != nil {
				return err
			}
			out[pos[caseID]].Parties = append(out[pos[caseID]].Parties, p)
		}
		return prow.Err()
	})
	if pgCode(err) == codeInvalidText {
		return nil, errors.Join(cases.ErrInvalid, err)
	}
	return out, err
}

// replaceArg numbers the placeholder "$?" of a condition.
func replaceArg(cond string, n int) string {
	return strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(n))
}

// newestFirst ends a listing query with its keyset page, newest first: the rows after the
// cursor (afterTime, afterID) in (timeCol DESC, idCol DESC) order, at most limit of them.
func newestFirst(q string, args []any, timeCol, idCol string, afterTime time.Time, afterID string, limit int) (string, []any) {
	if afterID != "" {
		args = append(args, afterTime, afterID)
		q += " AND (" + timeCol + ", " + idCol + ") < (" + replaceArg("$?", len(args)-1) + ", " + replaceArg("$?::uuid", len(args)) + ")"
	}
	args = append(args, limit)
	return q + " ORDER BY " + timeCol + " DESC, " + idCol + " DESC LIMIT " + replaceArg("$?", len(args)), args
}

// History returns a case's events in order.
func (s *CaseDB) History(ctx context.Context, tenantCode, id string) ([]cases.Event, error) {
	var out []cases.Event
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM cases WHERE tenant_id = $1 AND id = $2)", tenantCode, id).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return cases.ErrNotFound
		}
		rows, err := tx.Query(ctx, `SELECT seq, at, actor, action, before, after FROM case_events
			WHERE tenant_id = $1 AND case_id = $2 ORDER BY seq`, tenantCode, id)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (cases.Event, error) {
			var e cases.Event
			return e, r.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.Before, &e.After)
		})
		return err
	})
	if pgCode(err) == codeInvalidText {
		return nil, cases.ErrNotFound
	}
	return out, err
}

// TenantTypes lists a tenant's own dispute types.
func (s *DisputeTypeDB) TenantTypes(ctx context.Context, tenantCode string) ([]cases.DisputeType, error) {
	var out []cases.DisputeType
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT code, name_zh, name_en, industry FROM dispute_types WHERE tenant_id = $1 ORDER BY code`, tenantCode)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (cases.DisputeType, error) {
			var t cases.DisputeType
			return t, r.Scan(&t.Code, &t.NameZH, &t.NameEN, &t.Industry)
		})
		return err
	})
	return out, err
}

// RecordPIIRead audits a full read of parties' personal data.
func (s *CaseDB) RecordPIIRead(ctx context.Context, tenantCode, caseID string, partyIDs []string) error {
	return s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		return appendAudit(ctx, tx, tenantCode, "case.pii.read", "case:"+caseID, nil, map[string]any{"parties": partyIDs})
	})
}

// CreateDisputeType adds a tenant's own dispute type.
func (s *CaseDB) CreateDisputeType(ctx context.Context, tenantCode string, t cases.DisputeType) error {
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, tenantCode); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO dispute_types (tenant_id, code, name_zh, name_en, industry) VALUES ($1, $2, $3, $4, $5)`,
			tenantCode, t.Code, t.NameZH, t.NameEN, t.Industry); err != nil {
			return err
		}
		return appendAudit(ctx, tx, tenantCode, "dispute_type.create", "dispute_type:"+t.Code, nil, t)
	})
	if pgCode(err) == codeUniqueViolation {
		return cases.ErrTypeExists
	}
	return err
}

// priorCases counts the tenant's other cases sharing a party with these (by the blind index of
// ID number or phone), and how many of them failed. Bounded: the warning weighs at most a few
// earlier cases, so a party with hundreds of cases (a company's hotline) costs no more than one
// with two.
func priorCases(ctx context.Context, tx pgx.Tx, tenantCode, caseID string, parties []cases.Party) (prior, failed int, err error) {
	var idx, phones [][]byte
	for _, p := range parties {
		if p.Sealed.IDNumberIndex != nil {
			idx = append(idx, p.Sealed.IDNumberIndex)
		}
		if p.Sealed.PhoneIndex != nil {
			phones = append(phones, p.Sealed.PhoneIndex)
		}
	}
	if len(idx)+len(phones) == 0 {
		return 0, 0, nil
	}
	// The parties' cases are looked up by primary key (id = ANY of the ids found): joined, the
	// planner may walk the tenant's whole primary key in order to stop at ten (a merge join),
	// which read every case of a district of 100,000 for a party with many cases (issue 15).
	err = tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'failed') FROM (
			SELECT c.status FROM cases c
			WHERE c.tenant_id = $1 AND c.id <> $4::uuid AND c.id = ANY(ARRAY(
				SELECT case_id FROM case_parties WHERE tenant_id = $1 AND id_number_idx = ANY($2)
				UNION SELECT case_id FROM case_parties WHERE tenant_id = $1 AND phone_idx = ANY($3)))
			LIMIT 10) earlier`, tenantCode, idx, phones, caseID).Scan(&prior, &failed)
	return prior, failed, err
}

// IntakeRules reads, in one round trip, what an intake is checked against: the tenant's own
// dispute types and its lifecycle settings.
func (s *CaseDB) IntakeRules(ctx context.Context, tenantCode string) ([]cases.DisputeType, cases.Settings, error) {
	var (
		types []cases.DisputeType
		st    cases.Settings
	)
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(`SELECT code, name_zh, name_en, industry FROM dispute_types WHERE tenant_id = $1 ORDER BY code`, tenantCode).Query(func(rows pgx.Rows) error {
			var err error
			types, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (cases.DisputeType, error) {
				var t cases.DisputeType
				return t, r.Scan(&t.Code, &t.NameZH, &t.NameEN, &t.Industry)
			})
			return err
		})
		b.Queue(`SELECT `+caseSettingsColumns+` FROM case_settings WHERE tenant_id = $1`, tenantCode).Query(func(rows pgx.Rows) error {
			defer rows.Close()
			if !rows.Next() {
				return rows.Err()
			}
			return scanCaseSettings(rows, &st)
		})
		return tx.SendBatch(ctx, b).Close()
	})
	return types, st, err
}

// SealedParties pages through a tenant's parties (sealed personal data only), by party id.
func (s *CaseDB) SealedParties(ctx context.Context, tenantCode, afterID string, limit int) ([]cases.SealedParty, error) {
	var out []cases.SealedParty
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT case_id::text, id::text, id_number_enc, phone_enc, address_enc FROM case_parties
			WHERE tenant_id = $1 AND ($2 = '' OR id > $2::uuid) ORDER BY id LIMIT $3`, tenantCode, afterID, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (cases.SealedParty, error) {
			var p cases.SealedParty
			return p, r.Scan(&p.CaseID, &p.PartyID, &p.Sealed.IDNumber, &p.Sealed.Phone, &p.Sealed.Address)
		})
		return err
	})
	return out, err
}

// ResealParties stores re-encrypted personal data of parties (key rotation), in one transaction.
func (s *CaseDB) ResealParties(ctx context.Context, tenantCode string, parties []cases.SealedParty) error {
	if len(parties) == 0 {
		return nil
	}
	return s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, p := range parties {
			b.Queue(`UPDATE case_parties SET id_number_enc = $4, phone_enc = $5, address_enc = $6
				WHERE tenant_id = $1 AND case_id = $2 AND id = $3`, tenantCode, p.CaseID, p.PartyID, p.Sealed.IDNumber, p.Sealed.Phone, p.Sealed.Address)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		return appendAudit(ctx, tx, tenantCode, "pii.reseal", "case_parties", nil, map[string]any{"parties": len(parties)})
	})
}
