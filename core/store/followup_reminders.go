package store

import (
	"context"
	"time"

	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// followUpReminderArgs is the job reminding a district of a follow-up at its due time.
type followUpReminderArgs struct {
	Tenant     string `json:"tenant"`
	CaseID     string `json:"case_id"`
	FollowUpID string `json:"follow_up_id"`
}

func (followUpReminderArgs) Kind() string { return "follow_up_reminder" }

// scheduledFollowUp is a follow-up just inserted.
type scheduledFollowUp struct {
	id  string
	due time.Time
}

// scheduleReminders enqueues, in tx, one reminder per follow-up, at its due time.
func scheduleReminders(ctx context.Context, tx pgx.Tx, tenantCode, caseID string, list []scheduledFollowUp) error {
	for _, f := range list {
		if err := enqueue(ctx, tx, followUpReminderArgs{Tenant: tenantCode, CaseID: caseID, FollowUpID: f.id},
			&river.InsertOpts{ScheduledAt: f.due}); err != nil {
			return err
		}
	}
	return nil
}

// reminderWorker puts a "follow-up due" message in the district's inbox, unless the visit was
// done meanwhile.
type reminderWorker struct {
	river.WorkerDefaults[followUpReminderArgs]
	w *worker
}

func (r *reminderWorker) Work(ctx context.Context, job *river.Job[followUpReminderArgs]) error {
	ctx = jobContext(ctx, job.Kind, job.ID)
	a := job.Args
	return r.w.s.inTenant(ctx, a.Tenant, func(tx pgx.Tx) error {
		var number string
		var done *time.Time
		err := tx.QueryRow(ctx, `SELECT c.number, f.done_at FROM case_follow_ups f JOIN cases c ON c.tenant_id = f.tenant_id AND c.id = f.case_id
			WHERE f.tenant_id = $1 AND f.case_id = $2 AND f.id::text = $3`, a.Tenant, a.CaseID, a.FollowUpID).Scan(&number, &done)
		if isNoRows(err) || (err == nil && done != nil) {
			return completeIn(ctx, tx, job)
		}
		if err != nil {
			return err
		}
		title, body := warnings.FollowUpDueMessage(number)
		if err := insertMessage(ctx, tx, a.Tenant, warnings.Message{Recipient: warnings.TenantRecipient(a.Tenant), Kind: warnings.KindFollowUpDue,
			Title: title, Body: body, CaseID: a.CaseID, SourceTenant: a.Tenant}); err != nil {
			return err
		}
		return completeIn(ctx, tx, job)
	})
}
