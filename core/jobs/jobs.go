// Package jobs owns the work of the job queue: the River client and its workers (warning
// notifications and escalations, webhook deliveries, follow-up reminders, plugin events and
// scheduled plugin jobs). The jobs themselves are inserted by the store, in the transaction of
// the change that causes them; the workers do each job's database work through the store's
// operations, which run the job's completion in their own transaction, and hand plugin work
// to the plugin runtime and webhooks to core/delivery.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/delivery"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// Store is what the workers need of the database (core/store.Store). Every operation that
// takes done runs it last, in its own transaction: a job's effects and its completion commit
// together, so a crash between them cannot repeat the work.
type Store interface {
	QueueDriver() *riverpgxv5.Driver
	QueuedJobs(ctx context.Context, until time.Time) ([]store.QueuedJob, error)
	NotifyWarning(ctx context.Context, tenant, warningID string, done func(pgx.Tx) error) error
	EscalateWarning(ctx context.Context, tenant, warningID string, now time.Time, done func(pgx.Tx) error) (wait time.Duration, err error)
	PendingDelivery(ctx context.Context, tenant, id string) (del warnings.Delivery, secret []byte, pending bool, err error)
	RecordDeliveryAttempt(ctx context.Context, tenant, id string, attempt int, final bool, sendErr error, done func(pgx.Tx) error) error
	RemindFollowUp(ctx context.Context, tenant, caseID, followUpID string, done func(pgx.Tx) error) error
	SchedulePluginJobs(ctx context.Context, now time.Time) ([]store.PluginJobRun, error)
	FinishPluginJobRun(ctx context.Context, r store.PluginJobRun, state, summary string) error
}

var _ Store = (*store.Store)(nil)

// PluginRuntime is what the queue hands plugin work to (core/pluginhost.Manager).
type PluginRuntime interface {
	DeliverEvent(ctx context.Context, ev store.PluginEvent) error
	RunJob(ctx context.Context, run store.PluginJobRun) (summary string, err error)
}

// Runner works the queue.
type Runner struct {
	st      Store
	plugins PluginRuntime // nil: plugin events and job runs wait (retried)
	log     *slog.Logger
	sender  *delivery.Sender
}

// New returns a Runner working the queue of st. plugins runs plugin events and job runs; when
// nil (a process without plugins) they fail and are retried, by a server that has them. log
// nil logs to slog.Default().
func New(st Store, plugins PluginRuntime, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.Default()
	}
	return &Runner{st: st, plugins: plugins, log: log, sender: delivery.NewSender(warnings.DeliveryTimeout)}
}

// worker is what the queue's workers share: the runner, and the clock deadlines are compared with.
type worker struct {
	*Runner
	now func() time.Time
}

// quietLogger logs River's warnings and errors to stderr, not its progress.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// jobContext is the context of a job's work: its actor in the audit trail is the queue.
func jobContext(ctx context.Context, kind string, id int64) context.Context {
	return audit.WithActor(ctx, audit.Actor{Subject: "system:queue", RequestID: fmt.Sprintf("job:%s:%d", kind, id)})
}

// completeIn marks the job completed in tx: the job's effects and its completion commit
// together, so a crash between them cannot repeat the work.
func completeIn[T river.JobArgs](ctx context.Context, job *river.Job[T]) func(pgx.Tx) error {
	return func(tx pgx.Tx) error {
		_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	}
}

// client builds a River client working the default queue with the store's pool. fast polls
// often (tests drain the queue with it).
func (w *worker) client(log *slog.Logger, fast bool) (*river.Client[pgx.Tx], error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &notifyWorker{w: w})
	river.AddWorker(workers, &escalateWorker{w: w})
	river.AddWorker(workers, &deliverWorker{w: w})
	river.AddWorker(workers, &reminderWorker{w: w})
	river.AddWorker(workers, &pluginEventWorker{w: w})
	river.AddWorker(workers, &pluginJobWorker{w: w})
	river.AddWorker(workers, &pluginScheduleWorker{w: w})
	cfg := &river.Config{
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 10}},
		Workers: workers,
		Logger:  log,
		// The application role does not own River's indexes, so it cannot reindex them; the
		// owner may, from time to time (REINDEX INDEX CONCURRENTLY river_job_…).
		ReindexerIndexNames: []string{},
		// Jobs are short (a webhook attempt is bounded by warnings.DeliveryTimeout): one left
		// running by a crashed server is retried after minutes, not River's default hour.
		JobTimeout:           time.Minute,
		RescueStuckJobsAfter: 5 * time.Minute,
		// On shutdown, jobs still running after this are cancelled (and retried later).
		SoftStopTimeout: 15 * time.Second,
	}
	// Plugins' scheduled jobs: every minute, the runs that fell due are queued (once, however
	// many servers do this: plugin_job_runs has one row per run).
	cfg.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
		func() (river.JobArgs, *river.InsertOpts) { return pluginScheduleArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
	if fast {
		cfg.PeriodicJobs = nil
		cfg.FetchCooldown, cfg.FetchPollInterval, cfg.TestOnly = 5*time.Millisecond, 20*time.Millisecond, true
	}
	return river.NewClient(w.st.QueueDriver(), cfg)
}

// Start starts working the queue in the background until stop is called (or ctx ends): stop
// waits for the running jobs to finish, up to its own context's deadline. Several instances
// may run at once: each job is worked by one of them.
func (r *Runner) Start(ctx context.Context) (stop func(context.Context) error, err error) {
	client, err := (&worker{Runner: r, now: time.Now}).client(r.log, false)
	if err != nil {
		return nil, fmt.Errorf("jobs: queue: %w", err)
	}
	if err := client.Start(ctx); err != nil {
		return nil, fmt.Errorf("jobs: start queue: %w", err)
	}
	return client.Stop, nil
}

// WorkQueue works the queue as if the clock read until, then returns the number of job
// attempts worked: jobs scheduled up to until (escalations, retries of failed deliveries)
// are made due at once, and it returns when no job due by until is left. For tests (it runs
// River with its test settings): no other queue client should run meanwhile.
func (r *Runner) WorkQueue(ctx context.Context, until time.Time) (int, error) {
	client, err := (&worker{Runner: r, now: func() time.Time { return until }}).client(quietLogger(), true)
	if err != nil {
		return 0, fmt.Errorf("jobs: queue: %w", err)
	}
	events, unsubscribe := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled, river.EventKindJobSnoozed)
	defer unsubscribe()
	if err := client.Start(ctx); err != nil {
		return 0, fmt.Errorf("jobs: start queue: %w", err)
	}
	worked := 0
	drain := func() {
		for {
			select {
			case _, ok := <-events:
				if !ok {
					return
				}
				worked++
			default:
				return
			}
		}
	}
	err = func() error {
		for {
			jobs, err := r.st.QueuedJobs(ctx, until)
			if err != nil {
				return err
			}
			if len(jobs) == 0 {
				return nil
			}
			for _, j := range jobs {
				if !j.Waiting {
					continue
				}
				if _, err := client.JobRetry(ctx, j.ID); err != nil {
					return err
				}
			}
			drain()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	stopErr := client.Stop(context.WithoutCancel(ctx))
	drain()
	if err != nil || stopErr != nil {
		return worked, fmt.Errorf("jobs: work queue: %w", errors.Join(err, stopErr))
	}
	return worked, nil
}
