package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/delivery"
	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// The job queue: background work (warning notifications and escalations, webhook deliveries)
// runs on River, whose jobs live in PostgreSQL next to the data, so nothing is lost when a
// server restarts. A job is inserted in the transaction of the change that causes it: it
// exists exactly when the change is committed.
//
// River's tables are platform-wide (no tenant_id, no row-level security): a job carries the
// code of its tenant in its arguments and does all its work through s.inTenant for that
// tenant, like every other operation of the store.

// queueMigrationLock is the advisory lock that serializes concurrent MigrateQueue runs
// ("fengqiao.queue" in ASCII).
const queueMigrationLock int64 = 0x66656e6771756575

// MigrateQueue applies River's schema migrations as the owner role and grants the application
// role what River needs on its tables, sequences and functions. Concurrent runs wait for each
// other; a migrated database is left as it is (the grants are repeated, harmlessly).
func MigrateQueue(ctx context.Context, ownerURL string) error {
	cfg, err := pgxpool.ParseConfig(ownerURL)
	if err != nil {
		return fmt.Errorf("store: parse database URL: %w", err)
	}
	cfg.MaxConns, cfg.MinConns = 3, 0
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("store: queue migrations: %w", err)
	}
	defer pool.Close()
	lock, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("store: queue migrations: %w", err)
	}
	defer lock.Release()
	if _, err := lock.Exec(ctx, "SELECT pg_advisory_lock($1)", queueMigrationLock); err != nil {
		return fmt.Errorf("store: queue migrations: lock: %w", err)
	}
	// Should unlocking fail, closing the pool ends the session, which releases the lock.
	defer func() {
		_, _ = lock.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", queueMigrationLock)
	}()
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: quietLogger()})
	if err != nil {
		return fmt.Errorf("store: queue migrations: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("store: queue migrations: %w", err)
	}
	if _, err := lock.Exec(ctx, grantQueue); err != nil {
		return fmt.Errorf("store: queue migrations: grants: %w", err)
	}
	return nil
}

// grantQueue gives the application role River's tables (read and write: the queue's
// maintenance deletes finished jobs), its sequences and functions; river_migration is read only.
const grantQueue = `DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relname LIKE 'river\_%' AND c.relkind IN ('r', 'p', 'S') LOOP
        IF r.relkind = 'S' THEN
            EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %I TO ` + AppRole + `', r.relname);
        ELSIF r.relname = 'river_migration' THEN
            EXECUTE format('GRANT SELECT ON TABLE %I TO ` + AppRole + `', r.relname);
        ELSE
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE %I TO ` + AppRole + `', r.relname);
        END IF;
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = current_schema() AND p.proname LIKE 'river\_%' LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO ` + AppRole + `', r.fn);
    END LOOP;
END
$$`

// quietLogger logs River's warnings and errors to stderr, not its progress.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// inserter is the insert-only River client of every store: it inserts with the caller's
// transaction (InsertTx), so it needs no pool of its own.
var inserter = sync.OnceValues(func() (*river.Client[pgx.Tx], error) {
	return river.NewClient(riverpgxv5.New(nil), &river.Config{Logger: quietLogger(), SkipUnknownJobCheck: true})
})

// enqueue inserts a job in tx: it runs once tx commits, and never if tx rolls back.
func enqueue(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	c, err := inserter()
	if err != nil {
		return err
	}
	if _, err := c.InsertTx(ctx, tx, args, opts); err != nil {
		return fmt.Errorf("store: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// worker is what the queue's workers share.
type worker struct {
	s      *Store
	log    *slog.Logger
	now    func() time.Time // the clock deadlines are compared with
	sender *delivery.Sender // webhook deliveries
}

// jobContext is the context of a job's work: its actor in the audit trail is the queue.
func jobContext(ctx context.Context, kind string, id int64) context.Context {
	return audit.WithActor(ctx, audit.Actor{Subject: "system:queue", RequestID: fmt.Sprintf("job:%s:%d", kind, id)})
}

// client builds a River client working the default queue with the store's pool. fast polls
// often (tests drain the queue with it).
func (w *worker) client(fast bool) (*river.Client[pgx.Tx], error) {
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
		Logger:  w.log,
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
	return river.NewClient(riverpgxv5.New(w.s.pool), cfg)
}

func (s *Store) worker(log *slog.Logger, now func() time.Time) *worker {
	if log == nil {
		log = s.log
	}
	return &worker{s: s, log: log, now: now, sender: delivery.NewSender(warnings.DeliveryTimeout)}
}

// StartQueue starts working the queue in the background until stop is called (or ctx ends):
// stop waits for the running jobs to finish, up to its own context's deadline. Several
// instances may run at once: each job is worked by one of them.
func (s *Store) StartQueue(ctx context.Context, log *slog.Logger) (stop func(context.Context) error, err error) {
	client, err := s.worker(log, time.Now).client(false)
	if err != nil {
		return nil, fmt.Errorf("store: queue: %w", err)
	}
	if err := client.Start(ctx); err != nil {
		return nil, fmt.Errorf("store: start queue: %w", err)
	}
	return client.Stop, nil
}

// WorkQueue works the queue as if the clock read until, then returns the number of job
// attempts worked: jobs scheduled up to until (escalations, retries of failed deliveries)
// are made due at once, and it returns when no job due by until is left. For tests (it runs
// River with its test settings): no other queue client should run meanwhile.
func (s *Store) WorkQueue(ctx context.Context, until time.Time) (int, error) {
	client, err := s.worker(quietLogger(), func() time.Time { return until }).client(true)
	if err != nil {
		return 0, fmt.Errorf("store: queue: %w", err)
	}
	events, unsubscribe := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled, river.EventKindJobSnoozed)
	defer unsubscribe()
	if err := client.Start(ctx); err != nil {
		return 0, fmt.Errorf("store: start queue: %w", err)
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
			// One statement, one snapshot: a job between two states is seen in one of them.
			rows, err := s.pool.Query(ctx, `SELECT id, state::text IN ('scheduled', 'retryable') FROM river_job
				WHERE state IN ('available', 'running') OR (state IN ('scheduled', 'retryable') AND scheduled_at <= $1)`, until)
			if err != nil {
				return err
			}
			type job struct {
				id  int64
				due bool
			}
			jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (job, error) {
				var j job
				return j, r.Scan(&j.id, &j.due)
			})
			if err != nil {
				return err
			}
			if len(jobs) == 0 {
				return nil
			}
			for _, j := range jobs {
				if !j.due {
					continue
				}
				if _, err := client.JobRetry(ctx, j.id); err != nil {
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
		return worked, fmt.Errorf("store: work queue: %w", errors.Join(err, stopErr))
	}
	return worked, nil
}
