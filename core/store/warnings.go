package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// Early warning (core/warnings): a warning is raised in the transaction of the case change
// that causes it, together with its jobs: warning_notify (inbox messages to the designated
// agencies, and webhook deliveries) and warning_escalate, scheduled at the deadline.

// Jobs of the queue (worked by core/jobs). Each carries its tenant and works inside it
// (s.inTenant).

// WarningNotifyArgs is the job telling the designated agencies about a new warning.
type WarningNotifyArgs struct {
	Tenant    string `json:"tenant"`
	WarningID string `json:"warning_id"`
}

func (WarningNotifyArgs) Kind() string { return "warning_notify" }

// WarningEscalateArgs is the job escalating a warning nobody acknowledged by its deadline.
type WarningEscalateArgs struct {
	Tenant    string `json:"tenant"`
	WarningID string `json:"warning_id"`
}

func (WarningEscalateArgs) Kind() string { return "warning_escalate" }

// WebhookDeliverArgs is the job POSTing a webhook delivery.
type WebhookDeliverArgs struct {
	Tenant     string `json:"tenant"`
	DeliveryID string `json:"delivery_id"`
}

func (WebhookDeliverArgs) Kind() string { return "webhook_deliver" }

// InsertOpts caps the attempts of a delivery; River retries with backoff in between.
func (WebhookDeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: warnings.DeliveryAttempts}
}

// raiseWarning records a warning on the case as it is after the change, and enqueues its
// notification and its escalation at the deadline, all in tx.
func raiseWarning(ctx context.Context, tx pgx.Tx, c *cases.Case) error {
	settings, err := loadWarningSettings(ctx, tx, c.TenantCode)
	if err != nil {
		return err
	}
	raised := c.UpdatedAt
	if raised.IsZero() {
		raised = time.Now()
	}
	w := warnings.Warning{ID: uuid.NewString(), TenantCode: c.TenantCode, CaseID: c.ID, CaseNumber: c.Number,
		Level: c.Risk.Level, Score: c.Risk.Score, Signals: c.Risk.Signals, RaisedAt: raised,
		DeadlineAt: raised.Add(settings.AckWindow(c.Risk.Level))}
	if w.Signals == nil {
		w.Signals = []cases.Signal{}
	}
	signals, err := json.Marshal(w.Signals)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO warnings (tenant_id, id, case_id, level, score, signals, raised_at, deadline_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, w.TenantCode, w.ID, w.CaseID, string(w.Level), w.Score, signals, w.RaisedAt, w.DeadlineAt); err != nil {
		return err
	}
	if err := appendAudit(ctx, tx, w.TenantCode, "warning.raise", "warning:"+w.ID, nil,
		map[string]any{"case_id": w.CaseID, "level": w.Level, "score": w.Score, "deadline_at": w.DeadlineAt}); err != nil {
		return err
	}
	if err := enqueue(ctx, tx, WarningNotifyArgs{Tenant: w.TenantCode, WarningID: w.ID}, nil); err != nil {
		return err
	}
	return enqueue(ctx, tx, WarningEscalateArgs{Tenant: w.TenantCode, WarningID: w.ID}, &river.InsertOpts{ScheduledAt: w.DeadlineAt})
}

const warningColumns = `w.id::text, w.tenant_id, w.case_id::text, c.number, w.level, w.score, w.signals, w.raised_at, w.deadline_at,
	w.notified_at, w.acknowledged_at, w.acknowledged_by, w.ack_note, w.escalated_at, w.escalated_to`

const warningFrom = ` FROM warnings w JOIN cases c ON c.tenant_id = w.tenant_id AND c.id = w.case_id`

func scanWarning(row pgx.Row) (warnings.Warning, error) {
	var (
		w       warnings.Warning
		level   string
		signals []byte
	)
	err := row.Scan(&w.ID, &w.TenantCode, &w.CaseID, &w.CaseNumber, &level, &w.Score, &signals, &w.RaisedAt, &w.DeadlineAt,
		&w.NotifiedAt, &w.AcknowledgedAt, &w.AcknowledgedBy, &w.AckNote, &w.EscalatedAt, &w.EscalatedTo)
	if err != nil {
		return w, err
	}
	w.Level = cases.RiskLevel(level)
	return w, json.Unmarshal(signals, &w.Signals)
}

// loadWarning reads one warning of the tenant (lock: "" or " FOR UPDATE OF w").
func loadWarning(ctx context.Context, tx pgx.Tx, tenantCode, id, lock string) (warnings.Warning, error) {
	w, err := scanWarning(tx.QueryRow(ctx, "SELECT "+warningColumns+warningFrom+" WHERE w.tenant_id = $1 AND w.id = $2"+lock, tenantCode, id))
	if isNoRows(err) || pgCode(err) == codeInvalidText {
		return w, warnings.ErrNotFound
	}
	return w, err
}

// Warnings lists a tenant's warnings newest first; see warnings.Repo.
func (s *WarningDB) Warnings(ctx context.Context, tenantCode string, f warnings.Filter) ([]warnings.Warning, error) {
	var out []warnings.Warning
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		q := "SELECT " + warningColumns + warningFrom + " WHERE w.tenant_id = $1"
		args := []any{tenantCode}
		if f.Level != "" {
			args = append(args, string(f.Level))
			q += " AND w.level = " + replaceArg("$?", len(args))
		}
		switch f.State {
		case warnings.StateOpen:
			q += " AND w.acknowledged_at IS NULL AND w.escalated_at IS NULL"
		case warnings.StateAcknowledged:
			q += " AND w.acknowledged_at IS NOT NULL"
		case warnings.StateEscalated:
			q += " AND w.acknowledged_at IS NULL AND w.escalated_at IS NOT NULL"
		}
		if f.Access != nil {
			cond := caseAccessCondition(*f.Access, tenantCode, "c", func(v any) string {
				args = append(args, v)
				return "$" + strconv.Itoa(len(args))
			})
			if cond != "TRUE" {
				q += " AND " + cond
			}
		}
		q, args = newestFirst(q, args, "w.raised_at", "w.id", f.AfterTime, f.AfterID, f.Limit)
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (warnings.Warning, error) { return scanWarning(r) })
		return err
	})
	if pgCode(err) == codeInvalidText {
		return nil, badCursor()
	}
	return out, err
}

// CountWarnings counts a tenant's open and escalated warnings by level; see warnings.Repo.
func (s *WarningDB) CountWarnings(ctx context.Context, tenantCode string, scope *access.Scope) (warnings.Counts, error) {
	out := warnings.Counts{Open: map[cases.RiskLevel]int64{}, Escalated: map[cases.RiskLevel]int64{}}
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		q := `SELECT w.level, count(*) FILTER (WHERE w.escalated_at IS NULL), count(*) FILTER (WHERE w.escalated_at IS NOT NULL)` +
			warningFrom + " WHERE w.tenant_id = $1 AND w.acknowledged_at IS NULL"
		args := []any{tenantCode}
		if scope != nil {
			cond := caseAccessCondition(*scope, tenantCode, "c", func(v any) string {
				args = append(args, v)
				return "$" + strconv.Itoa(len(args))
			})
			if cond != "TRUE" {
				q += " AND " + cond
			}
		}
		rows, err := tx.Query(ctx, q+" GROUP BY w.level", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var level string
			var open, escalated int64
			if err := rows.Scan(&level, &open, &escalated); err != nil {
				return err
			}
			out.Open[cases.RiskLevel(level)], out.Escalated[cases.RiskLevel(level)] = open, escalated
		}
		return rows.Err()
	})
	return out, err
}

// AcknowledgeWarning records who took charge of a warning; see warnings.Repo.
func (s *WarningDB) AcknowledgeWarning(ctx context.Context, tenantCode, id, by, note string, now time.Time) (warnings.Warning, error) {
	var out warnings.Warning
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, tenantCode); err != nil {
			return err
		}
		before, err := loadWarning(ctx, tx, tenantCode, id, " FOR UPDATE OF w")
		if err != nil {
			return err
		}
		if before.AcknowledgedAt != nil {
			return warnings.ErrAlreadyAcknowledged
		}
		if _, err := tx.Exec(ctx, `UPDATE warnings SET acknowledged_at = $3, acknowledged_by = $4, ack_note = $5
			WHERE tenant_id = $1 AND id = $2`, tenantCode, id, now, by, note); err != nil {
			return err
		}
		if out, err = loadWarning(ctx, tx, tenantCode, id, ""); err != nil {
			return err
		}
		return appendAudit(ctx, tx, tenantCode, "warning.acknowledge", "warning:"+id,
			map[string]any{"state": before.State()}, map[string]any{"state": out.State(), "note": note, "case_id": out.CaseID})
	})
	return out, err
}

// loadWarningSettings returns a tenant's settings, the defaults when never set.
func loadWarningSettings(ctx context.Context, tx pgx.Tx, tenantCode string) (warnings.Settings, error) {
	s := warnings.DefaultSettings(tenantCode)
	var at time.Time
	err := tx.QueryRow(ctx, `SELECT coalesce(police_org_id::text, ''), coalesce(government_org_id::text, ''), orange_ack_hours, red_ack_hours,
			updated_at, updated_by
		FROM warning_settings WHERE tenant_id = $1`, tenantCode).
		Scan(&s.PoliceOrgID, &s.GovernmentOrgID, &s.OrangeAckHours, &s.RedAckHours, &at, &s.UpdatedBy)
	if isNoRows(err) {
		return s, nil
	}
	s.UpdatedAt = &at
	return s, err
}

// WarningSettings returns a tenant's warning settings; see warnings.Repo.
func (s *WarningDB) WarningSettings(ctx context.Context, tenantCode string) (warnings.Settings, error) {
	var out warnings.Settings
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var err error
		out, err = loadWarningSettings(ctx, tx, tenantCode)
		return err
	})
	return out, err
}

func settingsAudit(s warnings.Settings) map[string]any {
	return map[string]any{"police_org_id": s.PoliceOrgID, "government_org_id": s.GovernmentOrgID,
		"orange_ack_hours": s.OrangeAckHours, "red_ack_hours": s.RedAckHours}
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// UpdateWarningSettings stores a tenant's warning settings; see warnings.Repo.
func (s *WarningDB) UpdateWarningSettings(ctx context.Context, in warnings.Settings, check func(orgs.OrgLookup) error) (warnings.Settings, error) {
	var out warnings.Settings
	err := s.inTenant(ctx, in.TenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, in.TenantCode); err != nil {
			return err
		}
		before, err := loadWarningSettings(ctx, tx, in.TenantCode)
		if err != nil {
			return err
		}
		if err := check(orgLookup(ctx, tx, in.TenantCode)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO warning_settings (tenant_id, police_org_id, government_org_id, orange_ack_hours, red_ack_hours, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (tenant_id) DO UPDATE SET police_org_id = excluded.police_org_id, government_org_id = excluded.government_org_id,
				orange_ack_hours = excluded.orange_ack_hours, red_ack_hours = excluded.red_ack_hours,
				updated_by = excluded.updated_by, updated_at = now()`,
			in.TenantCode, nullIfEmpty(in.PoliceOrgID), nullIfEmpty(in.GovernmentOrgID), in.OrangeAckHours, in.RedAckHours, in.UpdatedBy); err != nil {
			return err
		}
		if out, err = loadWarningSettings(ctx, tx, in.TenantCode); err != nil {
			return err
		}
		return appendAudit(ctx, tx, in.TenantCode, "warning_settings.update", "warning_settings", settingsAudit(before), settingsAudit(out))
	})
	return out, err
}

func scanMessage(row pgx.Row) (warnings.Message, error) {
	var m warnings.Message
	err := row.Scan(&m.ID, &m.TenantCode, &m.Recipient, &m.Kind, &m.Title, &m.Body, &m.CaseID, &m.WarningID, &m.SourceTenant,
		&m.CreatedAt, &m.ReadAt)
	return m, err
}

// insertMessage puts a message in the inbox of tx's current tenant, tenantCode.
func insertMessage(ctx context.Context, tx pgx.Tx, tenantCode string, m warnings.Message) error {
	_, err := tx.Exec(ctx, `INSERT INTO inbox_messages (tenant_id, recipient, kind, title, body, case_id, warning_id, source_tenant)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, tenantCode, string(m.Recipient), m.Kind, m.Title, m.Body,
		nullIfEmpty(m.CaseID), nullIfEmpty(m.WarningID), m.SourceTenant)
	return err
}

// visibleTo is the condition of the messages m a reader sees: to its recipients ($2), and, for
// the tenant's staff (whose recipients include the tenant), to the tenant's organisations.
const visibleTo = ` AND (m.recipient = ANY($2) OR (m.recipient LIKE 'org:%' AND 'tenant:' || m.tenant_id = ANY($2)))`

// readerMessages are the inbox messages m with the read state of the reader $3 (a message read
// before read state became each reader's, migration 00026, stays read for all).
const readerMessages = `SELECT m.id::text, m.tenant_id, m.recipient, m.kind, m.title, m.body, coalesce(m.case_id::text, ''),
	coalesce(m.warning_id::text, ''), m.source_tenant, m.created_at, coalesce(r.read_at, m.read_at) AS read_at
	FROM inbox_messages m LEFT JOIN inbox_reads r ON r.tenant_id = m.tenant_id AND r.message_id = m.id AND r.reader = $3
	WHERE m.tenant_id = $1`

// Inbox lists a reader's messages newest first; see warnings.Repo.
func (s *WarningDB) Inbox(ctx context.Context, tenantCode, reader string, recipients []string, f warnings.InboxFilter) ([]warnings.Message, error) {
	var out []warnings.Message
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		q := readerMessages + visibleTo
		args := []any{tenantCode, recipients, reader}
		if f.Unread {
			q += " AND coalesce(r.read_at, m.read_at) IS NULL"
		}
		q, args = newestFirst(q, args, "m.created_at", "m.id", f.AfterTime, f.AfterID, f.Limit)
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (warnings.Message, error) { return scanMessage(r) })
		return err
	})
	if pgCode(err) == codeInvalidText {
		return nil, badCursor()
	}
	return out, err
}

// MarkInboxRead marks a message read for the reader; see warnings.Repo.
func (s *WarningDB) MarkInboxRead(ctx context.Context, tenantCode, reader string, recipients []string, id string, now time.Time) (warnings.Message, error) {
	var out warnings.Message
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var err error
		read := func() error {
			out, err = scanMessage(tx.QueryRow(ctx, readerMessages+` AND m.id = $4`+visibleTo, tenantCode, recipients, reader, id))
			return err
		}
		if err := read(); err != nil || out.ReadAt != nil {
			return err
		}
		// Two marks at once: the second waits for the first and keeps its time.
		if _, err := tx.Exec(ctx, `INSERT INTO inbox_reads (tenant_id, message_id, reader, read_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id, message_id, reader) DO NOTHING`, tenantCode, id, reader, now); err != nil {
			return err
		}
		return read()
	})
	if isNoRows(err) || pgCode(err) == codeInvalidText {
		return out, warnings.ErrMessageNotFound
	}
	return out, err
}

// webhookSecret returns an organisation's signing secret, creating it with generate on first use.
func webhookSecret(ctx context.Context, tx pgx.Tx, tenantCode, orgID string, generate func() ([]byte, error)) (warnings.Secret, error) {
	sec := warnings.Secret{OrgID: orgID}
	err := tx.QueryRow(ctx, `SELECT secret, created_at FROM webhook_secrets WHERE tenant_id = $1 AND org_id = $2`, tenantCode, orgID).
		Scan(&sec.Value, &sec.CreatedAt)
	if !isNoRows(err) {
		return sec, err
	}
	fresh, err := generate()
	if err != nil {
		return sec, err
	}
	// Two first uses at once: one secret wins, both return it.
	if _, err := tx.Exec(ctx, `INSERT INTO webhook_secrets (tenant_id, org_id, secret) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		tenantCode, orgID, fresh); err != nil {
		return sec, err
	}
	err = tx.QueryRow(ctx, `SELECT secret, created_at FROM webhook_secrets WHERE tenant_id = $1 AND org_id = $2`, tenantCode, orgID).
		Scan(&sec.Value, &sec.CreatedAt)
	return sec, err
}

// WebhookSecret returns an organisation's webhook secret and audits the read; see warnings.Repo.
func (s *WarningDB) WebhookSecret(ctx context.Context, tenantCode, orgID string, generate func() ([]byte, error)) (warnings.Secret, error) {
	var out warnings.Secret
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if _, err := loadOrganisation(ctx, tx, tenantCode, orgID, ""); err != nil {
			return err
		}
		var err error
		if out, err = webhookSecret(ctx, tx, tenantCode, orgID, generate); err != nil {
			return err
		}
		return appendAudit(ctx, tx, tenantCode, "webhook_secret.read", "organisation:"+orgID, nil, nil)
	})
	return out, err
}

// The work of the warning jobs. Each runs in one transaction of the job's tenant; done, the
// queue's completion of the job, runs last in the same transaction, so the job's effects and
// its completion commit together and a crash between them cannot repeat the work.

// NotifyWarning tells the designated agencies (or the tenant) about a new warning: inbox
// messages, and a webhook delivery to each agency with a webhook_url (queued in the same
// transaction).
func (s *WarningDB) NotifyWarning(ctx context.Context, tenantCode, warningID string, done func(pgx.Tx) error) error {
	return s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		wr, err := loadWarning(ctx, tx, tenantCode, warningID, " FOR UPDATE OF w")
		if errors.Is(err, warnings.ErrNotFound) {
			return done(tx) // nothing to tell
		}
		if err != nil {
			return err
		}
		if wr.NotifiedAt != nil {
			return done(tx)
		}
		settings, err := loadWarningSettings(ctx, tx, tenantCode)
		if err != nil {
			return err
		}
		// A designated agency that left service is skipped; with none left, the tenant is told.
		agencies := map[string]orgs.Organisation{}
		for _, id := range []*string{&settings.PoliceOrgID, &settings.GovernmentOrgID} {
			if *id == "" {
				continue
			}
			o, err := loadOrganisation(ctx, tx, tenantCode, *id, "")
			var nf *orgs.NotFoundError
			switch {
			case errors.As(err, &nf):
				*id = ""
			case err != nil:
				return err
			case o.Status != orgs.StatusActive:
				*id = ""
			default:
				agencies[o.ID] = o
			}
		}
		title, body := warnings.RaisedMessage(wr)
		payload, err := json.Marshal(warnings.RaisedPayload(wr))
		if err != nil {
			return err
		}
		for _, r := range settings.Recipients() {
			if err := insertMessage(ctx, tx, tenantCode, warnings.Message{Recipient: r, Kind: warnings.KindWarningRaised,
				Title: title, Body: body, CaseID: wr.CaseID, WarningID: wr.ID, SourceTenant: tenantCode}); err != nil {
				return err
			}
			if r.OrgID() != "" { // the agency may now see the case (access.Linked)
				if err := linkWarnedAgencyTx(ctx, tx, tenantCode, wr.CaseID, r.OrgID()); err != nil {
					return err
				}
			}
			o, ok := agencies[r.OrgID()]
			if !ok || o.WebhookURL == "" {
				continue
			}
			id := uuid.NewString()
			if _, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (tenant_id, id, org_id, url, event, payload) VALUES ($1, $2, $3, $4, $5, $6)`,
				tenantCode, id, o.ID, o.WebhookURL, warnings.KindWarningRaised, payload); err != nil {
				return err
			}
			if err := enqueue(ctx, tx, WebhookDeliverArgs{Tenant: tenantCode, DeliveryID: id}, nil); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE warnings SET notified_at = now() WHERE tenant_id = $1 AND id = $2`, tenantCode, wr.ID); err != nil {
			return err
		}
		return done(tx)
	})
}

// EscalateWarning reports a warning nobody acknowledged by its deadline to the parent tenant:
// one message in the parent's inbox, carrying what the warning needs and nothing about the
// parties. It is the one deliberate flow of data upwards. Before the deadline (by now) it
// changes nothing and returns how long is left.
func (s *WarningDB) EscalateWarning(ctx context.Context, tenantCode, warningID string, now time.Time, done func(pgx.Tx) error) (wait time.Duration, err error) {
	err = s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		wr, err := loadWarning(ctx, tx, tenantCode, warningID, " FOR UPDATE OF w")
		if errors.Is(err, warnings.ErrNotFound) {
			return done(tx)
		}
		if err != nil {
			return err
		}
		if wr.State() != warnings.StateOpen {
			return done(tx) // acknowledged in time (or escalated already)
		}
		if now.Before(wr.DeadlineAt) {
			wait = wr.DeadlineAt.Sub(now)
			return errNotYet
		}
		var parent string
		if err := tx.QueryRow(ctx, `SELECT coalesce(parent_code, '') FROM tenants WHERE code = $1`, tenantCode).Scan(&parent); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE warnings SET escalated_at = $3, escalated_to = $4 WHERE tenant_id = $1 AND id = $2`,
			tenantCode, wr.ID, now, parent); err != nil {
			return err
		}
		wr.EscalatedAt, wr.EscalatedTo = &now, parent
		if err := appendAudit(ctx, tx, tenantCode, "warning.escalate", "warning:"+wr.ID, nil,
			map[string]any{"case_id": wr.CaseID, "level": wr.Level, "deadline_at": wr.DeadlineAt, "escalated_to": parent}); err != nil {
			return err
		}
		if parent != "" {
			title, body := warnings.EscalatedMessage(wr)
			if err := setTenant(ctx, tx, parent); err != nil {
				return err
			}
			if err := insertMessage(ctx, tx, parent, warnings.Message{Recipient: warnings.TenantRecipient(parent),
				Kind: warnings.KindWarningEscalated, Title: title, Body: body, CaseID: wr.CaseID, WarningID: wr.ID,
				SourceTenant: tenantCode}); err != nil {
				return err
			}
			if err := setTenant(ctx, tx, tenantCode); err != nil {
				return err
			}
		}
		return done(tx)
	})
	if errors.Is(err, errNotYet) {
		return wait, nil
	}
	return 0, err
}

// errNotYet rolls back the transaction of a job that came too early.
var errNotYet = errors.New("store: not yet due")

// PendingDelivery reads a webhook delivery still to send and its organisation's signing secret
// (created on first use); pending is false when the delivery is gone or no longer pending.
func (s *WarningDB) PendingDelivery(ctx context.Context, tenantCode, id string) (del warnings.Delivery, secret []byte, pending bool, err error) {
	err = s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT id::text, org_id::text, url, event, payload, attempts, status FROM webhook_deliveries
			WHERE tenant_id = $1 AND id = $2`, tenantCode, id).Scan(&del.ID, &del.OrgID, &del.URL, &del.Event, &del.Payload, &del.Attempts, &status)
		if err != nil {
			return err
		}
		del.TenantCode, del.Status = tenantCode, warnings.DeliveryStatus(status)
		if del.Status != warnings.DeliveryPending {
			return nil
		}
		sec, err := webhookSecret(ctx, tx, tenantCode, del.OrgID, warnings.NewSecret)
		secret = sec.Value
		return err
	})
	if isNoRows(err) {
		return del, nil, false, nil // the delivery is gone: nothing to send
	}
	return del, secret, err == nil && del.Status == warnings.DeliveryPending, err
}

// RecordDeliveryAttempt records the outcome of attempt number attempt of a delivery: delivered
// (sendErr nil; done then runs in the same transaction), or still pending with the error, or
// failed when the attempt was the final one.
func (s *WarningDB) RecordDeliveryAttempt(ctx context.Context, tenantCode, id string, attempt int, final bool, sendErr error, done func(pgx.Tx) error) error {
	return s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if sendErr == nil {
			if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = 'delivered', attempts = $3, last_error = '', delivered_at = now()
				WHERE tenant_id = $1 AND id = $2`, tenantCode, id, attempt); err != nil {
				return err
			}
			return done(tx)
		}
		status := warnings.DeliveryPending
		if final {
			status = warnings.DeliveryFailed
		}
		msg := sendErr.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
		_, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = $3, attempts = $4, last_error = $5 WHERE tenant_id = $1 AND id = $2`,
			tenantCode, id, string(status), attempt, msg)
		return err
	})
}

// badCursor is the error of a listing cursor PostgreSQL cannot read (the API checks its shape).
func badCursor() error {
	return &warnings.ValidationError{Errors: []warnings.FieldError{{Field: "after",
		Message: "after 须为上一页返回的 next_after / after must be the next_after of the previous page"}}}
}
