package store

import (
	"context"
	"encoding/json"
	"github.com/fengqiao/fengqiao/core/access"
	"strconv"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/jackc/pgx/v5"
)

// loadCaseWithSessions is loadCase with the mediation sessions.
func loadCaseWithSessions(ctx context.Context, tx pgx.Tx, tenantCode, id string) (cases.Case, error) {
	c, err := loadCase(ctx, tx, tenantCode, id)
	if err != nil {
		return c, err
	}
	rows, err := tx.Query(ctx, `SELECT id::text, at, mode, summary, mediators, participants, mediator_ids::text[], expert_ids::text[]
		FROM case_sessions WHERE tenant_id = $1 AND case_id = $2 ORDER BY at, id`, tenantCode, id)
	if err != nil {
		return c, err
	}
	c.Sessions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (cases.Session, error) {
		var s cases.Session
		err := r.Scan(&s.ID, &s.At, &s.Mode, &s.Summary, &s.Mediators, &s.Participants, &s.MediatorIDs, &s.ExpertIDs)
		if len(s.MediatorIDs) == 0 {
			s.MediatorIDs = nil
		}
		if len(s.ExpertIDs) == 0 {
			s.ExpertIDs = nil
		}
		return s, err
	})
	if err != nil {
		return c, err
	}
	return c, loadCasePeople(ctx, tx, tenantCode, &c)
}

// loadCasePeople loads the registry mediators (lead first) and experts of a case.
func loadCasePeople(ctx context.Context, tx pgx.Tx, tenantCode string, c *cases.Case) error {
	rows, err := tx.Query(ctx, `SELECT m.id::text, m.name, m.chief FROM case_mediators cm
		JOIN mediators m ON m.tenant_id = cm.tenant_id AND m.id = cm.mediator_id
		WHERE cm.tenant_id = $1 AND cm.case_id = $2 ORDER BY cm.position`, tenantCode, c.ID)
	if err != nil {
		return err
	}
	if c.Mediators, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (cases.CaseMediator, error) {
		var m cases.CaseMediator
		return m, r.Scan(&m.ID, &m.Name, &m.Chief)
	}); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT e.id::text, e.name, e.field FROM case_experts ce
		JOIN experts e ON e.tenant_id = ce.tenant_id AND e.id = ce.expert_id
		WHERE ce.tenant_id = $1 AND ce.case_id = $2 ORDER BY ce.position`, tenantCode, c.ID)
	if err != nil {
		return err
	}
	c.Experts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (cases.CaseExpert, error) {
		var e cases.CaseExpert
		return e, r.Scan(&e.ID, &e.Name, &e.Field)
	})
	return err
}

// registryNames returns the names of active mediators (or experts) of the tenant by id, in the
// order of ids; an id that names none is a cases.RegistryError naming field[i].
func registryNames(ctx context.Context, tx pgx.Tx, tenantCode, field string, ids []string, expert bool) ([]string, error) {
	table := "mediators"
	if expert {
		table = "experts"
	}
	rows, err := tx.Query(ctx, `SELECT id::text, name FROM `+table+` WHERE tenant_id = $1 AND id::text = ANY($2) AND status = 'active'`,
		tenantCode, ids)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	var id, name string
	if _, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error { names[id] = name; return nil }); err != nil {
		return nil, err
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		n, ok := names[strings.ToLower(id)]
		if !ok {
			return nil, cases.RegistryError(field+"["+strconv.Itoa(i)+"]", id, expert)
		}
		out[i] = n
	}
	return out, nil
}

// replaceCasePeople replaces the registry mediators (lead first) or experts of a case,
// each checked to be an active record of the tenant.
func replaceCasePeople(ctx context.Context, tx pgx.Tx, tenantCode, caseID, by string, ids []string, expert bool) error {
	field, table := "mediators", "case_mediators"
	if expert {
		field, table = "experts", "case_experts"
	}
	if _, err := registryNames(ctx, tx, tenantCode, field, ids, expert); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1 AND case_id = $2`, tenantCode, caseID); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	q := `INSERT INTO case_mediators (tenant_id, case_id, mediator_id, position, assigned_by, received_at)
		SELECT $1, $2, x.id::uuid, x.n - 1, $4, c.received_at FROM unnest($3::text[]) WITH ORDINALITY AS x(id, n)
		JOIN cases c ON c.tenant_id = $1 AND c.id = $2`
	if expert {
		q = `INSERT INTO case_experts (tenant_id, case_id, expert_id, position, attached_by)
			SELECT $1, $2, x.id::uuid, x.n - 1, $4 FROM unnest($3::text[]) WITH ORDINALITY AS x(id, n)`
	}
	_, err := tx.Exec(ctx, q, tenantCode, caseID, ids, by)
	return err
}

// loadCaseDetail is loadCase with the sessions and follow-ups.
func loadCaseDetail(ctx context.Context, tx pgx.Tx, tenantCode, id string, now time.Time) (cases.Case, error) {
	c, err := loadCaseWithSessions(ctx, tx, tenantCode, id)
	if err != nil {
		return c, err
	}
	rows, err := tx.Query(ctx, `SELECT f.id::text, f.case_id::text, c.number, f.due_at, f.done_at, f.result, f.note FROM case_follow_ups f
		JOIN cases c ON c.tenant_id = f.tenant_id AND c.id = f.case_id
		WHERE f.tenant_id = $1 AND f.case_id = $2 ORDER BY f.due_at, f.id`, tenantCode, id)
	if err != nil {
		return c, err
	}
	if c.FollowUps, err = pgx.CollectRows(rows, scanFollowUp(now)); err != nil {
		return c, err
	}
	c.Performances, err = loadPerformances(ctx, tx, tenantCode, id)
	return c, err
}

// loadPerformances reads a case's performance records, oldest first.
func loadPerformances(ctx context.Context, tx pgx.Tx, tenantCode, id string) ([]cases.PerformanceRecord, error) {
	rows, err := tx.Query(ctx, `SELECT id::text, result, to_char(on_date, 'YYYY-MM-DD'), remaining_amount::float8, remaining,
		coalesce(to_char(remaining_due, 'YYYY-MM-DD'), ''), party_id, reason, coalesce(follow_up_id::text, ''), recorded_at, recorded_by
		FROM case_performance WHERE tenant_id = $1 AND case_id = $2 ORDER BY recorded_at, id`, tenantCode, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (cases.PerformanceRecord, error) {
		var p cases.PerformanceRecord
		err := r.Scan(&p.ID, &p.Result, &p.Date, &p.RemainingAmount, &p.Remaining, &p.RemainingDue, &p.PartyID, &p.Reason,
			&p.FollowUpID, &p.RecordedAt, &p.RecordedBy)
		return p, err
	})
}

func scanFollowUp(now time.Time) pgx.RowToFunc[cases.FollowUp] {
	return func(r pgx.CollectableRow) (cases.FollowUp, error) {
		var f cases.FollowUp
		err := r.Scan(&f.ID, &f.CaseID, &f.Number, &f.DueAt, &f.DoneAt, &f.Result, &f.Note)
		f.Overdue = f.DoneAt == nil && now.After(f.DueAt)
		return f, err
	}
}

// CaseDetail returns a case with its parties, sessions and follow-ups.
func (s *CaseDB) CaseDetail(ctx context.Context, tenantCode, id string, now time.Time) (cases.Case, error) {
	var c cases.Case
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var err error
		c, err = loadCaseDetail(ctx, tx, tenantCode, id, now)
		return err
	})
	return c, err
}

// ApplyAction performs an action on a case in one transaction: it locks the case, checks the
// version the caller saw, lets plan decide the effect (state machine and validation), checks
// the committee and follow-up it names, applies the effect and appends the history event.
func (s *CaseDB) ApplyAction(ctx context.Context, tenantCode, id string, in cases.ActionInput, now time.Time,
	plan func(cases.Case) (cases.Effect, error)) (cases.Case, error) {
	var out cases.Case
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, tenantCode); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SELECT 1 FROM cases WHERE tenant_id = $1 AND id = $2 FOR UPDATE", tenantCode, id); err != nil {
			if pgCode(err) == codeInvalidText {
				return cases.ErrNotFound
			}
			return err
		}
		// With its sessions: the statistics take the mediators of the state before the change.
		c, err := loadCaseWithSessions(ctx, tx, tenantCode, id)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != c.Version {
			return &cases.VersionConflictError{Current: c.Version}
		}
		eff, err := plan(c)
		if err != nil {
			return err
		}
		if eff.CommitteeID != nil {
			var ok bool
			err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organisations WHERE tenant_id = $1 AND id::text = $2
				AND status = 'active' AND kind = ANY($3))`, tenantCode, *eff.CommitteeID, committeeKinds).Scan(&ok)
			if err != nil {
				return err
			}
			if !ok {
				return &cases.CommitteeError{ID: *eff.CommitteeID}
			}
		}
		actor := audit.ActorFrom(ctx)
		if eff.Mediators != nil {
			if err := replaceCasePeople(ctx, tx, tenantCode, id, actor.Subject, *eff.Mediators, false); err != nil {
				return err
			}
		}
		if eff.Experts != nil {
			if err := replaceCasePeople(ctx, tx, tenantCode, id, actor.Subject, *eff.Experts, true); err != nil {
				return err
			}
		}
		if sess := eff.Session; sess != nil {
			// The session shows the names of the registry as they were when it took place.
			names, err := registryNames(ctx, tx, tenantCode, "session.mediator_ids", sess.MediatorIDs, false)
			if err != nil {
				return err
			}
			experts, err := registryNames(ctx, tx, tenantCode, "session.expert_ids", sess.ExpertIDs, true)
			if err != nil {
				return err
			}
			sess.Mediators, sess.Participants = names, append(experts, sess.Participants...)
		}
		if cf := eff.Confirmation; cf != nil {
			// The confirming court is a court of the district's registry (cases/confirmation.go).
			err := tx.QueryRow(ctx, `SELECT name FROM organisations WHERE tenant_id = $1 AND id::text = $2
				AND status = 'active' AND kind = 'court'`, tenantCode, cf.CourtID).Scan(&cf.Court)
			if isNoRows(err) {
				return &cases.ConfirmingCourtError{ID: cf.CourtID}
			}
			if err != nil {
				return err
			}
		}
		if due := eff.ExtendDue; due != nil {
			if _, err := tx.Exec(ctx, `UPDATE cases SET due_at = $3, due_extended_at = $4 WHERE tenant_id = $1 AND id = $2`,
				tenantCode, id, *due, now); err != nil {
				return err
			}
		}
		if f := eff.CompleteFollow; f != nil {
			tag, err := tx.Exec(ctx, `UPDATE case_follow_ups SET done_at = $4, result = $5, note = $6, done_by = $7
				WHERE tenant_id = $1 AND case_id = $2 AND id::text = $3 AND done_at IS NULL`,
				tenantCode, id, f.ID, f.DoneAt, f.Result, f.Note, audit.ActorFrom(ctx).Subject)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return cases.ErrFollowUpNotFound
			}
		}
		risk := c.Risk
		if ed := eff.Edited; ed != nil {
			// A corrected referral names an active agency of the tenant, as at intake.
			if r := ed.Referral; r != nil && r.AgencyID != "" && (c.Referral == nil || c.Referral.AgencyID != r.AgencyID) {
				if err := checkAgency(ctx, tx, tenantCode, r.AgencyID); err != nil {
					return err
				}
			}
			if err := updateDocuments(ctx, tx, tenantCode, id, c.Parties, ed.Parties); err != nil {
				return err
			}
			prior, failed, err := priorCases(ctx, tx, tenantCode, id, ed.Parties)
			if err != nil {
				return err
			}
			risk = cases.Reassess(*ed, cases.Prior{Cases: prior, Failed: failed})
			referral, err := json.Marshal(ed.Referral)
			if err != nil {
				return err
			}
			if ed.Referral == nil {
				referral = nil
			}
			if _, err := tx.Exec(ctx, `UPDATE cases SET title = $3, description = $4, dispute_type = $5, place_code = $6, amount_fen = $7,
				referral = $8, due_at = $9 WHERE tenant_id = $1 AND id = $2`, tenantCode, id, ed.Title, ed.Description, ed.DisputeType, ed.PlaceCode,
				ed.AmountFen, referral, ed.DueAt); err != nil {
				return err
			}
			eff.Event["risk_level"] = risk.Level
		}
		if eff.RiskLevel != nil {
			risk.Level = *eff.RiskLevel
			risk.Signals = append(risk.Signals, *eff.RiskAdjustment)
		}
		riskJSON, err := json.Marshal(risk)
		if err != nil {
			return err
		}
		var concluded *time.Time
		if cases.Concluded(eff.To) && !cases.Concluded(c.Status) {
			concluded = &now
		}
		reopened := !cases.Concluded(eff.To) && cases.Concluded(c.Status)
		b := &pgx.Batch{}
		// A new agreement (after a reopening) has no performance reported yet: the current
		// performance restarts, the records of the earlier one stay.
		b.Queue(`UPDATE cases SET status = $3, committee_id = coalesce($4::uuid, committee_id),
				outcome = CASE WHEN $13 THEN NULL WHEN $5::jsonb IS NULL THEN outcome ELSE $5::jsonb END,
				agreement = CASE WHEN $6::jsonb IS NULL THEN agreement ELSE $6::jsonb END,
				confirmation = CASE WHEN $7::jsonb IS NULL THEN confirmation ELSE $7::jsonb END,
				performance = CASE WHEN $8 <> '' THEN $8 WHEN $6::jsonb IS NOT NULL THEN '' ELSE performance END,
				risk_level = $9, risk = $10,
				concluded_at = CASE WHEN $12 THEN NULL ELSE coalesce($11, concluded_at) END,
				contacted_at = CASE WHEN $14 THEN coalesce(contacted_at, now()) ELSE contacted_at END,
				version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND id = $2`,
			tenantCode, id, string(eff.To), eff.CommitteeID, jsonOrNil(eff.Outcome), jsonOrNil(eff.Agreement), jsonOrNil(eff.Confirmation),
			eff.Performance, string(risk.Level), riskJSON, concluded, reopened, eff.ClearOutcome, eff.Contacted)
		if sess := eff.Session; sess != nil {
			b.Queue(`INSERT INTO case_sessions (tenant_id, case_id, at, mode, summary, mediators, participants, recorded_by, mediator_ids, expert_ids)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text[]::uuid[], $10::text[]::uuid[])`, tenantCode, id, sess.At, sess.Mode, sess.Summary,
				stringsOrEmpty(sess.Mediators), stringsOrEmpty(sess.Participants), actor.Subject,
				stringsOrEmpty(sess.MediatorIDs), stringsOrEmpty(sess.ExpertIDs))
		}
		if p := eff.PerformanceRecord; p != nil {
			b.Queue(`INSERT INTO case_performance (tenant_id, case_id, result, on_date, remaining_amount, remaining, remaining_due,
				party_id, reason, follow_up_id, recorded_at, recorded_by)
				VALUES ($1, $2, $3, $4::date, $5, $6, nullif($7, '')::date, $8, $9, nullif($10, '')::uuid, $11, $12)`,
				tenantCode, id, string(p.Result), p.Date, p.RemainingAmount, p.Remaining, p.RemainingDue, p.PartyID, p.Reason,
				p.FollowUpID, p.RecordedAt, actor.Subject)
		}
		scheduled := make([]scheduledFollowUp, len(eff.ScheduleFollow))
		for i, due := range eff.ScheduleFollow {
			b.Queue(`INSERT INTO case_follow_ups (tenant_id, case_id, due_at) VALUES ($1, $2, $3) RETURNING id::text, due_at`,
				tenantCode, id, due).QueryRow(func(row pgx.Row) error { return row.Scan(&scheduled[i].id, &scheduled[i].due) })
		}
		before, err := json.Marshal(map[string]any{"status": c.Status, "version": c.Version})
		if err != nil {
			return err
		}
		after, err := json.Marshal(eff.Event)
		if err != nil {
			return err
		}
		b.Queue(`INSERT INTO case_events (tenant_id, case_id, actor, action, before, after, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			tenantCode, id, actor.Subject, string(in.Action), before, after, actor.RequestID)
		if in.Unchecked != nil {
			queueUnchecked(b, tenantCode, id, actor, in.Unchecked)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if err := scheduleReminders(ctx, tx, tenantCode, id, scheduled); err != nil {
			return err
		}
		if out, err = loadCaseDetail(ctx, tx, tenantCode, id, now); err != nil {
			return err
		}
		if eff.NotifyCourt {
			reason, _ := eff.Event["reason"].(string)
			if err := notifyConfirmingCourt(ctx, tx, &out, c.Confirmation, reason); err != nil {
				return err
			}
		}
		return s.afterCaseChange(ctx, tx, &c, &out)
	})
	return out, err
}

// committeeKinds are the organisation kinds a case can be assigned to.
var committeeKinds = func() []string {
	var out []string
	for _, k := range orgs.MediationKinds() {
		out = append(out, string(k))
	}
	return out
}()

func jsonOrNil(v any) []byte {
	switch x := v.(type) {
	case map[string]any:
		if x == nil {
			return nil
		}
	case *cases.Agreement:
		if x == nil {
			return nil
		}
	case *cases.Confirmation:
		if x == nil {
			return nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

func stringsOrEmpty(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// FollowUps lists a tenant's follow-ups by due date: state "due" (pending), "overdue" (pending
// and past due), "done", or "" for all; after is the last id of the previous page.
func (s *CaseDB) FollowUps(ctx context.Context, tenantCode, state string, now time.Time, afterDue time.Time, afterID string, limit int, scope *access.Scope) ([]cases.FollowUp, error) {
	var out []cases.FollowUp
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		q := `SELECT f.id::text, f.case_id::text, c.number, f.due_at, f.done_at, f.result, f.note FROM case_follow_ups f
			JOIN cases c ON c.tenant_id = f.tenant_id AND c.id = f.case_id WHERE f.tenant_id = $1`
		switch state {
		case "due":
			q += " AND f.done_at IS NULL"
		case "overdue":
			q += " AND f.done_at IS NULL AND f.due_at < $2"
		case "done":
			q += " AND f.done_at IS NOT NULL"
		}
		var after *string
		if afterID != "" {
			after = &afterID
		}
		args := []any{tenantCode, now, after, afterDue, limit}
		if scope != nil { // only the cases the caller may see
			if cond := caseAccessCondition(*scope, tenantCode, "c", func(v any) string {
				args = append(args, v)
				return "$" + strconv.Itoa(len(args))
			}); cond != "TRUE" {
				q += " AND " + cond
			}
		}
		q += " AND $2::timestamptz IS NOT NULL AND ($3::uuid IS NULL OR (f.due_at, f.id) > ($4, $3::uuid)) ORDER BY f.due_at, f.id LIMIT $5"
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, scanFollowUp(now))
		return err
	})
	if pgCode(err) == codeInvalidText {
		return nil, cases.ErrInvalid
	}
	return out, err
}

// CountFollowUps counts a tenant's pending follow-ups, and of them those past due, of the cases
// scope allows when it is set.
func (s *CaseDB) CountFollowUps(ctx context.Context, tenantCode string, now time.Time, scope *access.Scope) (cases.FollowUpCounts, error) {
	var out cases.FollowUpCounts
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		q := `SELECT count(*), count(*) FILTER (WHERE f.due_at < $2) FROM case_follow_ups f
			JOIN cases c ON c.tenant_id = f.tenant_id AND c.id = f.case_id WHERE f.tenant_id = $1 AND f.done_at IS NULL`
		args := []any{tenantCode, now}
		if scope != nil {
			if cond := caseAccessCondition(*scope, tenantCode, "c", func(v any) string {
				args = append(args, v)
				return "$" + strconv.Itoa(len(args))
			}); cond != "TRUE" {
				q += " AND " + cond
			}
		}
		return tx.QueryRow(ctx, q, args...).Scan(&out.Due, &out.Overdue)
	})
	return out, err
}

// Committees lists a tenant's active committees and brand studios, for routing.
func (s *CaseDB) Committees(ctx context.Context, tenantCode string) ([]cases.Committee, error) {
	var out []cases.Committee
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var err error
		out, err = activeCommittees(ctx, tx, tenantCode)
		return err
	})
	return out, err
}

func activeCommittees(ctx context.Context, tx pgx.Tx, tenantCode string) ([]cases.Committee, error) {
	rows, err := tx.Query(ctx, `SELECT id::text, name, kind, street_code, village_code, industry, stationed_at FROM organisations
		WHERE tenant_id = $1 AND status = 'active' AND kind = ANY($2) ORDER BY name, id`, tenantCode, committeeKinds)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (cases.Committee, error) {
		var m cases.Committee
		return m, r.Scan(&m.ID, &m.Name, &m.Kind, &m.StreetCode, &m.VillageCode, &m.Industry, &m.StationedAt)
	})
}

// CommitteeName returns the name of an organisation of the tenant.
func (s *CaseDB) CommitteeName(ctx context.Context, tenantCode, id string) (string, error) {
	var name string
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT name FROM organisations WHERE tenant_id = $1 AND id::text = $2`, tenantCode, id).Scan(&name)
	})
	if isNoRows(err) {
		return "", nil
	}
	return name, err
}

// CaseSettings returns a tenant's own lifecycle rules (zero values where it kept the defaults).
func (s *CaseDB) CaseSettings(ctx context.Context, tenantCode string) (cases.Settings, error) {
	var st cases.Settings
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		err := scanCaseSettings(tx.QueryRow(ctx, `SELECT `+caseSettingsColumns+` FROM case_settings WHERE tenant_id = $1`, tenantCode), &st)
		if isNoRows(err) {
			return nil
		}
		return err
	})
	return st, err
}

// caseSettingsColumns are the columns of case_settings scanCaseSettings reads.
const caseSettingsColumns = `time_limits, follow_up_days, first_contact_working_days, routing, court_limits, court_extension_days`

// scanCaseSettings reads a row of caseSettingsColumns into st.
func scanCaseSettings(row pgx.Row, st *cases.Settings) error {
	var limits, routing, court []byte
	if err := row.Scan(&limits, &st.FollowUpDays, &st.FirstContactWorkingDays, &routing, &court, &st.CourtExtensionDays); err != nil {
		return err
	}
	if err := json.Unmarshal(routing, &st.Routing); err != nil {
		return err
	}
	if err := json.Unmarshal(court, &st.CourtTimeLimitDays); err != nil {
		return err
	}
	return json.Unmarshal(limits, &st.TimeLimitDays)
}

// PutCaseSettings stores a tenant's lifecycle rules and audits the change.
func (s *CaseDB) PutCaseSettings(ctx context.Context, tenantCode string, st cases.Settings) error {
	return s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, tenantCode); err != nil {
			return err
		}
		limits, err := json.Marshal(st.TimeLimitDays)
		if err != nil {
			return err
		}
		days := st.FollowUpDays
		if days == nil {
			days = []int{}
		}
		var before []byte
		_ = tx.QueryRow(ctx, `SELECT jsonb_build_object('time_limit_days', time_limits, 'follow_up_days', follow_up_days,
				'first_contact_working_days', first_contact_working_days, 'court_time_limit_days', court_limits,
				'court_extension_days', court_extension_days)
			FROM case_settings WHERE tenant_id = $1`, tenantCode).Scan(&before)
		routing, err := json.Marshal(st.Routing)
		if err != nil {
			return err
		}
		court := st.CourtTimeLimitDays
		if court == nil {
			court = map[string]int{}
		}
		courtJSON, err := json.Marshal(court)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO case_settings (tenant_id, time_limits, follow_up_days, first_contact_working_days, routing,
				court_limits, court_extension_days)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (tenant_id) DO UPDATE SET time_limits = $2, follow_up_days = $3, first_contact_working_days = $4, routing = $5,
				court_limits = $6, court_extension_days = $7, updated_at = now()`,
			tenantCode, limits, days, st.FirstContactWorkingDays, routing, courtJSON, st.CourtExtensionDays); err != nil {
			return err
		}
		var b any
		if before != nil {
			b = json.RawMessage(before)
		}
		return appendAudit(ctx, tx, tenantCode, "case_settings.update", "case_settings", b, st)
	})
}
