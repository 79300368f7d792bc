package store

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// The job queue's storage: background work (warning notifications and escalations, webhook
// deliveries, follow-up reminders, plugin events and jobs) runs on River, whose jobs live in
// PostgreSQL next to the data, so nothing is lost when a server restarts. A job is inserted
// here, in the transaction of the change that causes it: it exists exactly when the change is
// committed. core/jobs works the queue: its workers call the store's operations for each job
// (NotifyWarning, EscalateWarning, …), which pass the job's completion in as a callback run
// in their own transaction.
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

// QueueDriver is River's driver on the application pool, for the queue's client (core/jobs):
// River's tables are platform-wide, so its client works them outside any tenant.
func (s *Store) QueueDriver() *riverpgxv5.Driver { return riverpgxv5.New(s.pool) }

// QueuedJob is a job of the queue not yet finished (QueuedJobs).
type QueuedJob struct {
	ID int64
	// Waiting is true for a job scheduled (or to be retried) at a time up to the asked one,
	// which its worker would not take yet; false for a job available or running.
	Waiting bool
}

// QueuedJobs lists the jobs available or running, and those scheduled or to be retried by
// until: the queue is done working up to until when it is empty.
func (s *Store) QueuedJobs(ctx context.Context, until time.Time) ([]QueuedJob, error) {
	// One statement, one snapshot: a job between two states is seen in one of them.
	rows, err := s.pool.Query(ctx, `SELECT id, state::text IN ('scheduled', 'retryable') FROM river_job
		WHERE state IN ('available', 'running') OR (state IN ('scheduled', 'retryable') AND scheduled_at <= $1)`, until)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (QueuedJob, error) {
		var j QueuedJob
		return j, r.Scan(&j.ID, &j.Waiting)
	})
}
