package store

import (
	"context"
	"time"

	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// FollowUpReminderArgs is the job reminding a district of a follow-up at its due time.
type FollowUpReminderArgs struct {
	Tenant     string `json:"tenant"`
	CaseID     string `json:"case_id"`
	FollowUpID string `json:"follow_up_id"`
}

func (FollowUpReminderArgs) Kind() string { return "follow_up_reminder" }

// scheduledFollowUp is a follow-up just inserted.
type scheduledFollowUp struct {
	id  string
	due time.Time
}

// scheduleReminders enqueues, in tx, one reminder per follow-up, at its due time.
func scheduleReminders(ctx context.Context, tx pgx.Tx, tenantCode, caseID string, list []scheduledFollowUp) error {
	for _, f := range list {
		if err := enqueue(ctx, tx, FollowUpReminderArgs{Tenant: tenantCode, CaseID: caseID, FollowUpID: f.id},
			&river.InsertOpts{ScheduledAt: f.due}); err != nil {
			return err
		}
	}
	return nil
}

// RemindFollowUp puts a "follow-up due" message in the district's inbox, unless the visit was
// done meanwhile (or the follow-up is gone); done, the queue's completion of the job, runs last
// in the same transaction.
func (s *WarningDB) RemindFollowUp(ctx context.Context, tenantCode, caseID, followUpID string, done func(pgx.Tx) error) error {
	return s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var number string
		var doneAt *time.Time
		err := tx.QueryRow(ctx, `SELECT c.number, f.done_at FROM case_follow_ups f JOIN cases c ON c.tenant_id = f.tenant_id AND c.id = f.case_id
			WHERE f.tenant_id = $1 AND f.case_id = $2 AND f.id::text = $3`, tenantCode, caseID, followUpID).Scan(&number, &doneAt)
		if isNoRows(err) || (err == nil && doneAt != nil) {
			return done(tx)
		}
		if err != nil {
			return err
		}
		title, body := warnings.FollowUpDueMessage(number)
		if err := insertMessage(ctx, tx, tenantCode, warnings.Message{Recipient: warnings.TenantRecipient(tenantCode), Kind: warnings.KindFollowUpDue,
			Title: title, Body: body, CaseID: caseID, SourceTenant: tenantCode}); err != nil {
			return err
		}
		return done(tx)
	})
}
