package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/stats"
	tenantpkg "github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Transfers of a case between two districts (cases.Transfer). A transfer concerns two tenants,
// so its transactions act for each in turn (set_config of fengqiao.tenant, transaction-local):
// every statement runs under the row-level security of the district it writes or reads, and
// each district keeps its own row of the transfer. The service has checked the two districts
// are of one city; the store checks the receiving district is an active tenant.

// actFor switches the transaction to act for tenant.
func actFor(ctx context.Context, tx pgx.Tx, tenant string) error {
	if !isTenantCode(tenant) {
		return tenantpkg.ErrNotFound
	}
	_, err := tx.Exec(ctx, "SELECT set_config('fengqiao.tenant', $1, true)", tenant)
	return err
}

const transferColumns = `id::text, direction, case_id::text, from_tenant, to_tenant, number, title, status, reason, decision_reason,
	new_number, proposed_by, proposed_at, decided_by, decided_at`

func scanTransfer(r pgx.Row) (cases.Transfer, error) {
	var t cases.Transfer
	err := r.Scan(&t.ID, &t.Direction, &t.CaseID, &t.From, &t.To, &t.Number, &t.Title, &t.Status, &t.Reason, &t.DecisionReason,
		&t.NewNumber, &t.ProposedBy, &t.ProposedAt, &t.DecidedBy, &t.DecidedAt)
	return t, err
}

// caseEvent appends an event to a case's history in the tenant the transaction acts for.
func caseEvent(ctx context.Context, tx pgx.Tx, tenant, caseID, action string, after map[string]any) error {
	a := audit.ActorFrom(ctx)
	raw, err := json.Marshal(after)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO case_events (tenant_id, case_id, actor, action, after, request_id) VALUES ($1, $2, $3, $4, $5, $6)`,
		tenant, caseID, a.Subject, action, raw, a.RequestID)
	return err
}

// ProposeTransfer records district from's proposal to transfer its case caseID to district to:
// the case, locked, must pass check (cases.CanTransfer) and have no pending transfer; the
// receiving district must be an active tenant; each district gets its row; the receiving
// district's staff are told in their inbox; the case's history records the proposal.
func (s *CaseDB) ProposeTransfer(ctx context.Context, from, caseID, to, reason string, check func(cases.Case) error, now time.Time) (cases.Transfer, error) {
	t := cases.Transfer{ID: uuid.NewString(), Direction: "out", CaseID: caseID, From: from, To: to, Status: cases.TransferProposed,
		Reason: strings.TrimSpace(reason), ProposedBy: audit.ActorFrom(ctx).Subject, ProposedAt: now}
	err := s.inTenant(ctx, from, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, from); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SELECT 1 FROM cases WHERE tenant_id = $1 AND id = $2 FOR UPDATE", from, caseID); err != nil {
			if pgCode(err) == codeInvalidText {
				return cases.ErrNotFound
			}
			return err
		}
		c, err := loadCase(ctx, tx, from, caseID)
		if err != nil {
			return err
		}
		if err := check(c); err != nil {
			return err
		}
		t.Number, t.Title = c.Number, c.Title
		insert := func(tenant, direction string) error {
			_, err := tx.Exec(ctx, `INSERT INTO case_transfers (tenant_id, id, direction, case_id, from_tenant, to_tenant, number, title, status,
					reason, proposed_by, proposed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'proposed', $9, $10, $11)`,
				tenant, t.ID, direction, caseID, from, to, t.Number, t.Title, t.Reason, t.ProposedBy, now)
			if pgCode(err) == codeUniqueViolation {
				return cases.ErrTransferPending
			}
			return err
		}
		if err := insert(from, "out"); err != nil {
			return err
		}
		if err := caseEvent(ctx, tx, from, caseID, "transfer_proposed", map[string]any{"transfer_id": t.ID, "to_tenant": to, "reason": t.Reason}); err != nil {
			return err
		}
		if err := actFor(ctx, tx, to); err != nil {
			return err
		}
		var status string
		switch err := tx.QueryRow(ctx, "SELECT status FROM tenants WHERE code = $1", to).Scan(&status); {
		case isNoRows(err) || err == nil && status != "active":
			return cases.ErrTransferTarget
		case err != nil:
			return err
		}
		if err := insert(to, "in"); err != nil {
			return err
		}
		title, body := warnings.TransferProposed(t)
		return insertMessage(ctx, tx, to, warnings.Message{Recipient: warnings.TenantRecipient(to), Kind: warnings.KindTransferProposed,
			Title: title, Body: body, SourceTenant: from})
	})
	return t, err
}

// Transfers lists a district's transfers, proposed by it or to it, newest first.
func (s *CaseDB) Transfers(ctx context.Context, tenant string) ([]cases.Transfer, error) {
	var out []cases.Transfer
	err := s.inTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+transferColumns+` FROM case_transfers WHERE tenant_id = $1 ORDER BY proposed_at DESC, id DESC LIMIT 500`, tenant)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (cases.Transfer, error) { return scanTransfer(r) })
		return err
	})
	return out, err
}

// DecideTransfer records the receiving district to's decision on a transfer proposed to it. A
// declined transfer leaves the case where it is. An accepted one copies the case, as
// cases.Case.Received says and reseal re-protects its parties' data for the receiving district,
// under a new number of to, with its parties and sessions; its history there begins with where
// it came from; the proposing district's case becomes a read-only record naming where it went,
// its figures move with it. Both rows of the transfer, both histories and the proposing
// district's inbox say so.
func (s *CaseDB) DecideTransfer(ctx context.Context, to, id string, accept bool, reason string, reseal func(from string, c cases.Case) (cases.Case, error), now time.Time) (cases.Transfer, error) {
	var t cases.Transfer
	actor := audit.ActorFrom(ctx).Subject
	reason = strings.TrimSpace(reason)
	err := s.inTenant(ctx, to, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, to); err != nil {
			return err
		}
		var err error
		t, err = scanTransfer(tx.QueryRow(ctx, `SELECT `+transferColumns+` FROM case_transfers WHERE tenant_id = $1 AND id::text = $2 FOR UPDATE`, to, id))
		switch {
		case isNoRows(err):
			return cases.ErrTransferNotFound
		case err != nil:
			return err
		case t.Direction != "in" || t.Status != cases.TransferProposed:
			return cases.ErrTransferDecided
		}
		from := t.From
		t.Status, t.DecisionReason, t.DecidedBy, t.DecidedAt = cases.TransferDeclined, reason, actor, &now
		if accept {
			t.Status = cases.TransferAccepted
			if err := actFor(ctx, tx, from); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "SELECT 1 FROM cases WHERE tenant_id = $1 AND id = $2 FOR UPDATE", from, t.CaseID); err != nil {
				return err
			}
			c, err := loadCaseWithSessions(ctx, tx, from, t.CaseID)
			if err != nil {
				return err
			}
			if err := cases.CanTransfer(c); err != nil {
				return err
			}
			// The figures leave the proposing district with the case.
			facts, err := caseFacts(ctx, tx, from, &c)
			if err != nil {
				return err
			}
			if err := applyCells(ctx, tx, from, stats.Delta(stats.Contribution(facts[0]), stats.Cells{})); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE cases SET transferred_to = $3, version = version + 1, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
				from, t.CaseID, to); err != nil {
				return err
			}
			moved, err := reseal(from, c.Received(to))
			if err != nil {
				return err
			}
			if err := actFor(ctx, tx, to); err != nil {
				return err
			}
			if t.NewNumber, err = s.insertTransferred(ctx, tx, moved, t, c); err != nil {
				return err
			}
			if err := actFor(ctx, tx, from); err != nil {
				return err
			}
		} else if err := actFor(ctx, tx, from); err != nil {
			return err
		}
		// The proposing district's row, history and inbox.
		if _, err := tx.Exec(ctx, `UPDATE case_transfers SET status = $3, decision_reason = $4, new_number = $5, decided_by = $6, decided_at = $7
			WHERE tenant_id = $1 AND id::text = $2`, from, t.ID, t.Status, reason, t.NewNumber, actor, now); err != nil {
			return err
		}
		if err := caseEvent(ctx, tx, from, t.CaseID, "transfer_"+t.Status, map[string]any{"transfer_id": t.ID, "to_tenant": to,
			"new_number": t.NewNumber, "reason": reason}); err != nil {
			return err
		}
		title, body := warnings.TransferDecided(t)
		if err := insertMessage(ctx, tx, from, warnings.Message{Recipient: warnings.TenantRecipient(from), Kind: warnings.KindTransferDecided,
			Title: title, Body: body, CaseID: t.CaseID, SourceTenant: to}); err != nil {
			return err
		}
		if err := actFor(ctx, tx, to); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE case_transfers SET status = $3, decision_reason = $4, new_number = $5, decided_by = $6, decided_at = $7
			WHERE tenant_id = $1 AND id::text = $2`, to, t.ID, t.Status, reason, t.NewNumber, actor, now)
		return err
	})
	return t, err
}

// insertTransferred stores c, the case taken over from the proposing district (orig there), in
// the receiving district the transaction acts for: numbered by its counter, with its parties and
// sessions, its history beginning with where it came from; the statistics, search and warnings
// take it in as any intake.
func (s *CaseDB) insertTransferred(ctx context.Context, tx pgx.Tx, c cases.Case, t cases.Transfer, orig cases.Case) (string, error) {
	risk, err := json.Marshal(c.Risk)
	if err != nil {
		return "", err
	}
	var referral []byte
	if r := c.Referral; r != nil {
		// The referring agency is an organisation of the proposing district: the name and
		// reference stay, the link does not.
		moved := *r
		moved.AgencyID = ""
		if referral, err = json.Marshal(moved); err != nil {
			return "", err
		}
		c.Referral = &moved
	}
	c.PlaceCode = "" // a street of the proposing district; kept in the history below
	c.Year = c.ReceivedAt.In(chinaTime).Year()
	err = tx.QueryRow(ctx, `WITH n AS (
			INSERT INTO case_counters (tenant_id, year, last_seq) VALUES ($1, $4, 1)
			ON CONFLICT (tenant_id, year) DO UPDATE SET last_seq = case_counters.last_seq + 1 RETURNING last_seq)
		INSERT INTO cases (tenant_id, id, number, year, seq, title, description, dispute_type, source, referral, place_code,
			amount_fen, status, risk_level, risk, received_at, due_at, created_by, first_contact_due_at, contacted_at, due_extended_at)
		SELECT $1, $2, $3 || CASE WHEN n.last_seq < 100000 THEN lpad(n.last_seq::text, 5, '0') ELSE n.last_seq::text END || '号',
			$4, n.last_seq, $5, $6, $7, $8, $9, '', $10, 'received', $11, $12, $13, $14, $15, $16, $17, $18 FROM n
		RETURNING seq, number, created_at, updated_at, version`,
		c.TenantCode, c.ID, cases.NumberPrefix(c.TenantCode, c.Year), c.Year, c.Title, c.Description, c.DisputeType, string(c.Source), referral,
		c.AmountFen, string(c.Risk.Level), risk, c.ReceivedAt, c.DueAt, c.CreatedBy, c.FirstContactDueAt, c.ContactedAt, c.DueExtendedAt).
		Scan(&c.Seq, &c.Number, &c.CreatedAt, &c.UpdatedAt, &c.Version)
	if err != nil {
		return "", err
	}
	b := &pgx.Batch{}
	for i, p := range c.Parties {
		b.Queue(`INSERT INTO case_parties (tenant_id, case_id, id, position, role, kind, name, id_number_enc, id_number_idx,
				phone_enc, phone_idx, address_enc, gender, birth_year, occupation)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			c.TenantCode, c.ID, p.ID, i, string(p.Role), string(p.Kind), p.Name, p.Sealed.IDNumber, p.Sealed.IDNumberIndex,
			p.Sealed.Phone, p.Sealed.PhoneIndex, p.Sealed.Address, p.Gender, p.BirthYear, p.Occupation)
	}
	for _, sess := range c.Sessions {
		b.Queue(`INSERT INTO case_sessions (tenant_id, case_id, at, mode, summary, mediators, participants, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, c.TenantCode, c.ID, sess.At, sess.Mode, sess.Summary,
			stringsOrEmpty(sess.Mediators), stringsOrEmpty(sess.Participants), "transfer:"+t.ID)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return "", err
	}
	if err := caseEvent(ctx, tx, c.TenantCode, c.ID, "transfer_in", map[string]any{"transfer_id": t.ID, "from_tenant": t.From,
		"from_number": orig.Number, "from_status": orig.Status, "place_code": orig.PlaceCode, "reason": t.Reason, "number": c.Number,
		"status": c.Status}); err != nil {
		return "", err
	}
	return c.Number, s.afterCaseChange(ctx, tx, nil, &c)
}
