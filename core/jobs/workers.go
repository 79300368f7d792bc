package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/fengqiao/fengqiao/core/delivery"
	"github.com/fengqiao/fengqiao/core/plugins"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/riverqueue/river"
)

// notifyWorker tells the designated agencies (or the tenant) about a new warning: inbox
// messages, and a webhook delivery to each agency with a webhook_url.
type notifyWorker struct {
	river.WorkerDefaults[store.WarningNotifyArgs]
	w *worker
}

func (n *notifyWorker) Work(ctx context.Context, job *river.Job[store.WarningNotifyArgs]) error {
	ctx = jobContext(ctx, job.Kind, job.ID)
	return n.w.st.NotifyWarning(ctx, job.Args.Tenant, job.Args.WarningID, completeIn(ctx, job))
}

// escalateWorker reports a warning nobody acknowledged by its deadline to the parent tenant;
// a job that comes before the deadline waits for it.
type escalateWorker struct {
	river.WorkerDefaults[store.WarningEscalateArgs]
	w *worker
}

func (e *escalateWorker) Work(ctx context.Context, job *river.Job[store.WarningEscalateArgs]) error {
	ctx = jobContext(ctx, job.Kind, job.ID)
	wait, err := e.w.st.EscalateWarning(ctx, job.Args.Tenant, job.Args.WarningID, e.w.now(), completeIn(ctx, job))
	if err == nil && wait > 0 {
		return river.JobSnooze(wait)
	}
	return err
}

// deliverWorker POSTs a webhook delivery, signed with the organisation's secret. A network
// error or a status other than 2xx fails the attempt: River retries it with backoff, up to
// warnings.DeliveryAttempts attempts, after which the delivery is failed.
type deliverWorker struct {
	river.WorkerDefaults[store.WebhookDeliverArgs]
	w *worker
}

func (d *deliverWorker) Timeout(*river.Job[store.WebhookDeliverArgs]) time.Duration {
	return warnings.DeliveryTimeout + 20*time.Second
}

func (d *deliverWorker) Work(ctx context.Context, job *river.Job[store.WebhookDeliverArgs]) error {
	ctx = jobContext(ctx, job.Kind, job.ID)
	tenantCode, id := job.Args.Tenant, job.Args.DeliveryID
	del, secret, pending, err := d.w.st.PendingDelivery(ctx, tenantCode, id)
	if err != nil || !pending {
		return err
	}
	sendErr := d.w.sender.Send(ctx, delivery.Message{ID: del.ID, URL: del.URL, Event: del.Event, Payload: del.Payload, Secret: secret})
	final := job.Attempt >= job.MaxAttempts
	if err := d.w.st.RecordDeliveryAttempt(ctx, tenantCode, id, job.Attempt, final, sendErr, completeIn(ctx, job)); err != nil {
		return err
	}
	return sendErr
}

// reminderWorker puts a "follow-up due" message in the district's inbox, unless the visit was
// done meanwhile.
type reminderWorker struct {
	river.WorkerDefaults[store.FollowUpReminderArgs]
	w *worker
}

func (r *reminderWorker) Work(ctx context.Context, job *river.Job[store.FollowUpReminderArgs]) error {
	ctx = jobContext(ctx, job.Kind, job.ID)
	a := job.Args
	return r.w.st.RemindFollowUp(ctx, a.Tenant, a.CaseID, a.FollowUpID, completeIn(ctx, job))
}

// errNoRuntime fails plugin work in a process without plugins: it is retried.
var errNoRuntime = errors.New("jobs: no plugin runtime in this process")

// pluginEventWorker delivers an after-event to a plugin, at least once.
type pluginEventWorker struct {
	river.WorkerDefaults[store.PluginEventArgs]
	w *worker
}

// NextRetry backs off 2^attempt seconds, up to an hour.
func (pluginEventWorker) NextRetry(job *river.Job[store.PluginEventArgs]) time.Time {
	return time.Now().Add(min(time.Duration(1<<min(job.Attempt, 12))*time.Second, time.Hour))
}

func (pluginEventWorker) Timeout(*river.Job[store.PluginEventArgs]) time.Duration {
	return 2 * time.Minute
}

func (wk *pluginEventWorker) Work(ctx context.Context, job *river.Job[store.PluginEventArgs]) error {
	if wk.w.plugins == nil {
		return errNoRuntime
	}
	ev := job.Args.PluginEvent
	ev.Attempt = job.Attempt
	return wk.w.plugins.DeliverEvent(jobContext(ctx, "plugin_event", job.ID), ev)
}

// pluginJobWorker runs one scheduled job of a plugin in one tenant and records how it ended.
type pluginJobWorker struct {
	river.WorkerDefaults[store.PluginJobArgs]
	w *worker
}

func (pluginJobWorker) Timeout(*river.Job[store.PluginJobArgs]) time.Duration {
	return plugins.MaxJobTimeout + time.Minute
}

func (wk *pluginJobWorker) Work(ctx context.Context, job *river.Job[store.PluginJobArgs]) error {
	if wk.w.plugins == nil {
		return errNoRuntime
	}
	r := job.Args.PluginJobRun
	summary, err := wk.w.plugins.RunJob(jobContext(ctx, "plugin_job", job.ID), r)
	state := "done"
	if err != nil {
		state, summary = "failed", err.Error()
		if job.Attempt < job.MaxAttempts {
			state = "queued"
		}
	}
	if uerr := wk.w.st.FinishPluginJobRun(ctx, r, state, summary); uerr != nil {
		return errors.Join(err, uerr)
	}
	return err
}

// pluginScheduleArgs is the periodic job queuing the plugin job runs that fell due.
type pluginScheduleArgs struct{}

func (pluginScheduleArgs) Kind() string { return "plugin_schedule" }
func (pluginScheduleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
}

type pluginScheduleWorker struct {
	river.WorkerDefaults[pluginScheduleArgs]
	w *worker
}

func (wk *pluginScheduleWorker) Work(ctx context.Context, _ *river.Job[pluginScheduleArgs]) error {
	_, err := wk.w.st.SchedulePluginJobs(ctx, wk.w.now())
	return err
}
