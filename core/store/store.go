// Package store owns Fengqiao's PostgreSQL: the pgx pool, the embedded schema migrations, the
// tenant-scoped transaction, the translation of driver errors (SQLSTATE codes are named in
// errors.go only), and every query, grouped in one query set per domain (TenantDB, UserDB,
// OrgDB, CaseDB, WarningDB, StatsDB, …: see Store). Each exported operation is one transaction
// that first sets the tenant it acts for (set_config('fengqiao.tenant', code, true)), so
// row-level security confines it to that tenant; driver errors are translated into the
// sentinel errors of the domain packages. Queue jobs are inserted here, in the transaction of
// the change that causes them; core/jobs works them.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"

	tenantpkg "github.com/fengqiao/fengqiao/core/tenant"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// AppRole is the role the server works as: it owns no table, is no superuser and has no
// BYPASSRLS. The migrations create it.
const AppRole = "fengqiao_app"

// Options say how to reach the database.
type Options struct {
	// URL logs in as the owner role (migrations). When AppURL is empty, the server also uses it
	// and switches every pooled connection to AppRole with SET ROLE right after connecting.
	URL string
	// AppURL, when set, logs in directly as a role that is (or is a member of) AppRole.
	AppURL   string
	MaxConns int32
	MinConns int32
	Logger   *slog.Logger
}

// db is what every query set shares: the application pool, the tenant-scoped transaction
// (inTenant), the translation of driver errors, and this process's name in change
// notifications.
type db struct {
	pool         *pgxpool.Pool
	log          *slog.Logger
	origin       string
	afterConnect func(context.Context, *pgx.Conn) error
}

// Store is the application's handle on the database. Each domain's queries are a type of their
// own (TenantDB, UserDB, OrgDB, CaseDB, …), which serves the small interface its consumer
// declares (tenant.Repo, identity.Repo, orgs.Repo, cases.Repo, …) and shares the pool and the
// tenant-scoped transaction; the Store embeds them all, so it also serves every interface at
// once. Give a consumer its own query set (&st.OrgDB) where it needs nothing else.
type Store struct {
	*db
	TenantDB      // tenants, onboarding, offices (tenant.Repo)
	AuditDB       // the audit trail's reads
	UserDB        // users, tokens, sessions, login throttle (identity.Repo)
	OrgDB         // organisations, mediators, experts (orgs.Repo)
	CaseDB        // cases, their actions, their import, and what each change causes (cases.Repo)
	DisputeTypeDB // a tenant's own dispute types (cases.Repo, orgs.Repo)
	AccessDB      // relationships to a case, shares, links (access)
	WarningDB     // warnings, settings, inbox, webhook secrets and deliveries (warnings.Repo, core/jobs)
	StatsDB       // statistics (stats.Repo) and their maintenance
	SearchDB      // full-text search of cases
	LibraryDB     // the case library (library.Repo with SearchDB and CaseDB)
	PolicyDB      // the authorizer's rules and their change notifications (authz.PolicyStore)
	PluginDB      // the plugin catalog, enablements, documents, job runs (pluginhost.Catalog, api.PluginStore)
}

// The query sets of the domains: each is the pool and transactions (db) and its own methods.
type (
	TenantDB struct{ *db }
	AuditDB  struct{ *db }
	UserDB   struct{ *db }
	OrgDB    struct {
		*db
		DisputeTypeDB
	}
	CaseDB struct {
		*db
		DisputeTypeDB
	}
	AccessDB  struct{ *db }
	WarningDB struct{ *db }
	StatsDB   struct{ *db }
	SearchDB  struct{ *db }
	LibraryDB struct{ *db }
	PolicyDB  struct{ *db }
	PluginDB  struct{ *db }
	// DisputeTypeDB reads a tenant's own dispute types: the cases' catalogue, which the
	// registry's specialities may name too (so OrgDB has it as well).
	DisputeTypeDB struct{ *db }
)

func newStore(d *db) *Store {
	types := DisputeTypeDB{d}
	return &Store{db: d, TenantDB: TenantDB{d}, AuditDB: AuditDB{d}, UserDB: UserDB{d}, OrgDB: OrgDB{d, types}, CaseDB: CaseDB{d, types},
		DisputeTypeDB: types, AccessDB: AccessDB{d}, WarningDB: WarningDB{d}, StatsDB: StatsDB{d}, SearchDB: SearchDB{d},
		LibraryDB: LibraryDB{d}, PolicyDB: PolicyDB{d}, PluginDB: PluginDB{d}}
}

// Open connects the application pool and verifies it works as a role subject to row-level
// security; it refuses to start otherwise.
func Open(ctx context.Context, o Options) (*Store, error) {
	url := o.AppURL
	if url == "" {
		url = o.URL
	}
	if url == "" {
		return nil, errors.New("store: no database URL")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse database URL: %w", err)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	cfg.MinConns = o.MinConns
	origin := newOrigin()
	switchRole := o.AppURL == ""
	afterConnect := func(ctx context.Context, c *pgx.Conn) error {
		if switchRole {
			if _, err := c.Exec(ctx, "SET ROLE "+pgx.Identifier{AppRole}.Sanitize()); err != nil {
				return err
			}
		}
		// Names this process in policy change notifications (see WatchPolicies).
		_, err := c.Exec(ctx, "SELECT set_config('fengqiao.origin', $1, false)", origin)
		return err
	}
	cfg.AfterConnect = afterConnect
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	s := newStore(&db{pool: pool, log: o.Logger, origin: origin, afterConnect: afterConnect})
	if s.log == nil {
		s.log = slog.Default()
	}
	if err := s.checkRole(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// checkRole proves the pool cannot bypass row-level security.
func (s *db) checkRole(ctx context.Context) error {
	var (
		user               string
		super, bypass      bool
		owned, memberOfApp bool
	)
	err := s.pool.QueryRow(ctx, `
		SELECT r.rolname, r.rolsuper, r.rolbypassrls,
		       EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user),
		       pg_has_role(current_user, $1, 'MEMBER')
		FROM pg_roles r WHERE r.rolname = current_user`, AppRole).Scan(&user, &super, &bypass, &owned, &memberOfApp)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == codeUndefinedObject {
			return fmt.Errorf("store: role %s does not exist: run `fengqiao migrate` first", AppRole)
		}
		return fmt.Errorf("store: check application role: %w", err)
	}
	var migrated bool
	if err := s.pool.QueryRow(ctx, "SELECT to_regclass('public.tenants') IS NOT NULL").Scan(&migrated); err != nil {
		return fmt.Errorf("store: check schema: %w", err)
	}
	switch {
	case !migrated:
		return errors.New("store: the database has no schema yet: run `fengqiao migrate` first")
	case super || bypass:
		return fmt.Errorf("store: the application works as %q, which bypasses row-level security; configure database.app_url with a role without SUPERUSER/BYPASSRLS, or leave it empty to SET ROLE %s", user, AppRole)
	case owned:
		return fmt.Errorf("store: the application role %q owns tables; it must own none", user)
	case !memberOfApp:
		return fmt.Errorf("store: role %q is not a member of %s", user, AppRole)
	}
	return nil
}

// Close releases the pool.
func (s *Store) Close() { s.pool.Close() }

// Ping checks the database answers (readiness); ErrUnavailable when it cannot be reached.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return unavailable(s.pool.QueryRow(ctx, "SELECT 1").Scan(&one))
}

// PoolStats exposes connection counts for metrics.
func (s *Store) PoolStats() *pgxpool.Stat { return s.pool.Stat() }

// inTenant runs fn in one transaction acting for tenant. The setting is transaction-local, so
// a pooled connection never carries a tenant to the next transaction. A database that cannot
// be reached, before or during the transaction, is reported as ErrUnavailable.
//
// The setting travels with BEGIN in one round trip (a simple-protocol query of two statements),
// which is safe because tenant codes are six digits, checked here.
func (s *db) inTenant(ctx context.Context, tenant string, fn func(pgx.Tx) error) error {
	if !isTenantCode(tenant) {
		return tenantpkg.ErrNotFound
	}
	begin := pgx.TxOptions{BeginQuery: "BEGIN; SELECT set_config('fengqiao.tenant', '" + tenant + "', true)"}
	return unavailable(pgx.BeginTxFunc(ctx, s.pool, begin, fn))
}

// inTenantGenericPlans is inTenant with plan_cache_mode = force_generic_plan for the
// transaction: for queries whose best plan does not depend on their parameters.
func (s *db) inTenantGenericPlans(ctx context.Context, tenant string, fn func(pgx.Tx) error) error {
	if !isTenantCode(tenant) {
		return tenantpkg.ErrNotFound
	}
	begin := pgx.TxOptions{BeginQuery: "BEGIN; SELECT set_config('fengqiao.tenant', '" + tenant + "', true); SET LOCAL plan_cache_mode = force_generic_plan"}
	return unavailable(pgx.BeginTxFunc(ctx, s.pool, begin, fn))
}

func isTenantCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := range 6 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func setTenant(ctx context.Context, tx pgx.Tx, tenant string) error {
	_, err := tx.Exec(ctx, "SELECT set_config('fengqiao.tenant', $1, true)", tenant)
	return err
}

// Migrate applies every pending migration as the owner role and returns the versions applied.
// Concurrent migrations wait for each other (a PostgreSQL advisory lock).
func Migrate(ctx context.Context, ownerURL string, log *slog.Logger) ([]int64, error) {
	p, db, err := provider(ownerURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	results, err := p.Up(ctx)
	var applied []int64
	for _, r := range results {
		if r.Error == nil {
			applied = append(applied, r.Source.Version)
			if log != nil {
				log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
			}
		}
	}
	if err != nil {
		return applied, fmt.Errorf("store: migrate: %w", err)
	}
	if err := MigrateQueue(ctx, ownerURL); err != nil {
		return applied, err
	}
	return applied, nil
}

// MigrationState reports the schema version in the database and the newest one embedded.
func MigrationState(ctx context.Context, ownerURL string) (current, latest int64, err error) {
	p, db, err := provider(ownerURL)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	return p.GetVersions(ctx)
}

func provider(ownerURL string) (*goose.Provider, *sql.DB, error) {
	cfg, err := pgx.ParseConfig(ownerURL)
	if err != nil {
		return nil, nil, fmt.Errorf("store: parse database URL: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, mustSub(migrations, "migrations"), goose.WithSessionLocker(locker))
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, db, nil
}

// MigrationVersions lists the versions of the embedded migrations, oldest first.
func MigrationVersions() []int64 {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		panic(err)
	}
	var out []int64
	for _, e := range entries {
		digits := e.Name()[:strings.IndexFunc(e.Name(), func(r rune) bool { return r < '0' || r > '9' })]
		v, err := strconv.ParseInt(digits, 10, 64)
		if err == nil && strings.HasSuffix(e.Name(), ".sql") {
			out = append(out, v)
		}
	}
	return out
}
