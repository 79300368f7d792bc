package store

import (
	"context"
	"errors"

	"time"

	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/jackc/pgx/v5"
)

const userColumns = `u.id::text, u.tenant_id, u.username, u.display_name, coalesce(u.organisation_id::text, ''), u.status, u.created_at, u.updated_at, u.last_login_at,
	coalesce(array(SELECT r.v1 FROM casbin_rule r WHERE r.ptype = 'g' AND r.v0 = 'user:' || u.id::text AND r.v2 = u.tenant_id ORDER BY r.v1), '{}'), u.session_generation`

func scanUser(row pgx.Row) (identity.User, error) {
	var u identity.User
	var status string
	err := row.Scan(&u.ID, &u.TenantCode, &u.Username, &u.DisplayName, &u.OrganisationID, &status, &u.CreatedAt, &u.UpdatedAt, &u.LastLoginAt, &u.Roles, &u.SessionGeneration)
	u.Status = identity.Status(status)
	return u, err
}

// activeTenant locks nothing but checks, inside the transaction, that the tenant exists and is
// active; every tenant-scoped write starts with it.
func activeTenant(ctx context.Context, tx pgx.Tx, code string) (tenant.Tenant, error) {
	t, err := scanTenant(tx.QueryRow(ctx, "SELECT "+tenantColumns+" FROM tenants WHERE code = $1", code))
	if isNoRows(err) {
		return t, tenant.ErrNotFound
	}
	if err != nil {
		return t, err
	}
	return t, tenant.Usable(t.Status)
}

// CreateUser inserts a user of its tenant with the given roles (grant rows for the
// authorizer), all in one transaction. The username is unique across the platform.
func (s *UserDB) CreateUser(ctx context.Context, u identity.User, passwordHash string, grants [][]string) (identity.User, error) {
	var out identity.User
	err := s.inTenant(ctx, u.TenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, u.TenantCode); err != nil {
			return err
		}
		var id string
		err := tx.QueryRow(ctx, `INSERT INTO users (tenant_id, username, display_name, password_hash, organisation_id)
			VALUES ($1, $2, $3, $4, nullif($5, '')::uuid) RETURNING id::text`, u.TenantCode, u.Username, u.DisplayName, passwordHash, u.OrganisationID).Scan(&id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO user_directory (username, tenant_id, user_id) VALUES ($1, $2, $3)`, u.Username, u.TenantCode, id); err != nil {
			if pgCode(err) == codeUniqueViolation {
				return identity.ErrUsernameTaken
			}
			return err
		}
		for _, g := range grants {
			g[1] = identity.UserSubject(id)
		}
		if err := insertPolicyRowsTx(ctx, tx, grants); err != nil {
			return err
		}
		out, err = scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users u WHERE u.tenant_id = $1 AND u.id = $2", u.TenantCode, id))
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, u.TenantCode, "user.create", identity.UserSubject(id), nil,
			map[string]any{"username": out.Username, "display_name": out.DisplayName, "roles": out.Roles, "organisation_id": out.OrganisationID})
	})
	if pgCode(err) == codeUniqueViolation {
		return out, identity.ErrUsernameTaken
	}
	return out, err
}

// CredentialsFor finds a user by username across the platform (through the login directory)
// and reads its password hash inside its own tenant.
func (s *UserDB) CredentialsFor(ctx context.Context, username string) (identity.Credentials, error) {
	var c identity.Credentials
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var tenantCode, id string
		if err := tx.QueryRow(ctx, "SELECT tenant_id, user_id::text FROM user_directory WHERE username = $1", username).Scan(&tenantCode, &id); err != nil {
			return err
		}
		if err := setTenant(ctx, tx, tenantCode); err != nil {
			return err
		}
		var status string
		err := tx.QueryRow(ctx, `SELECT u.password_hash, t.status FROM users u JOIN tenants t ON t.code = u.tenant_id
			WHERE u.tenant_id = $1 AND u.id = $2`, tenantCode, id).Scan(&c.PasswordHash, &status)
		if err != nil {
			return err
		}
		c.TenantStatus = tenant.Status(status)
		c.User, err = scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users u WHERE u.tenant_id = $1 AND u.id = $2", tenantCode, id))
		return err
	})
	if isNoRows(err) {
		return c, identity.ErrUserNotFound
	}
	return c, unavailable(err)
}

// RecordLogin stamps a successful login and audits it.
func (s *UserDB) RecordLogin(ctx context.Context, u identity.User) error {
	return s.inTenant(ctx, u.TenantCode, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE users SET last_login_at = now() WHERE tenant_id = $1 AND id = $2", u.TenantCode, u.ID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, u.TenantCode, "auth.login", u.Subject(), nil, nil)
	})
}

// PrincipalState tells whether a user may still act: the user's status and its tenant's, its
// organisation ("" for bureau staff), its session generation, and whether the session
// sessionID was logged out.
func (s *UserDB) PrincipalState(ctx context.Context, tenantCode, userID, sessionID string) (identity.PrincipalState, error) {
	var out identity.PrincipalState
	if !isTenantCode(tenantCode) {
		return out, identity.ErrUserNotFound
	}
	// One statement, one round trip: the function scopes the tenant setting to itself
	// (migrations 00012, 00016, 00024); rows are still filtered by row-level security.
	var us, ts, org *string
	var gen *int64
	var revoked *bool
	err := s.pool.QueryRow(ctx, `SELECT user_status, tenant_status, organisation_id::text, session_generation, revoked
		FROM principal_state($1, $2, nullif($3, '')::uuid)`, tenantCode, userID, sessionID).Scan(&us, &ts, &org, &gen, &revoked)
	if pgCode(err) == codeInvalidText { // not a uuid
		return out, identity.ErrUserNotFound
	}
	if err != nil {
		return out, unavailable(err)
	}
	if us == nil || ts == nil || gen == nil {
		return out, identity.ErrUserNotFound
	}
	out.UserStatus, out.TenantStatus, out.SessionGeneration = identity.Status(*us), tenant.Status(*ts), *gen
	if org != nil {
		out.OrganisationID = *org
	}
	out.Revoked = revoked != nil && *revoked
	return out, nil
}

// RevokeSession records a login token as logged out until it expires, and drops the tenant's
// records of tokens that have expired since (they are refused by their expiry anyway).
func (s *UserDB) RevokeSession(ctx context.Context, tenantCode, userID, sessionID string, expires time.Time) error {
	return s.revokeSession(ctx, tenantCode, userID, sessionID, expires, "auth.logout", nil)
}

// ExpireConsoleSession revokes a console session the idle or absolute timeout ended, as a logout
// is revoked, audited as auth.session.expired with the reason.
func (s *UserDB) ExpireConsoleSession(ctx context.Context, tenantCode, userID, sessionID string, expires time.Time, reason string) error {
	return s.revokeSession(ctx, tenantCode, userID, sessionID, expires, "auth.session.expired", map[string]any{"reason": reason})
}

func (s *UserDB) revokeSession(ctx context.Context, tenantCode, userID, sessionID string, expires time.Time, action string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	detail["session"] = sessionID
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM revoked_sessions WHERE tenant_id = $1 AND expires_at < now()`, tenantCode); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO revoked_sessions (tenant_id, jti, user_id, expires_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, tenantCode, sessionID, userID, expires); err != nil {
			return err
		}
		return appendAudit(ctx, tx, tenantCode, action, identity.UserSubject(userID), nil, detail)
	})
	if pgCode(err) == codeInvalidText {
		return identity.ErrUnauthenticated
	}
	return err
}

// StartConsoleSession records a login token as a console session (migration 00035), and drops
// the tenant's records of tokens that have expired since.
func (s *UserDB) StartConsoleSession(ctx context.Context, tenantCode, userID, sessionID string, started, expires time.Time) error {
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM console_sessions WHERE tenant_id = $1 AND expires_at < now()`, tenantCode); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO console_sessions (tenant_id, jti, user_id, started_at, expires_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (tenant_id, jti) DO NOTHING`, tenantCode, sessionID, userID, started, expires)
		return err
	})
	if pgCode(err) == codeInvalidText {
		return identity.ErrUnauthenticated
	}
	return err
}

// ConsoleSessionSeen reads a console session and records its use, in one statement
// (console_session_seen, migration 00035).
func (s *UserDB) ConsoleSessionSeen(ctx context.Context, tenantCode, userID, sessionID string, touchAfter time.Duration, lim identity.SessionLimits) (identity.ConsoleSeen, error) {
	var out identity.ConsoleSeen
	if !isTenantCode(tenantCode) {
		return out, identity.ErrSessionNotFound
	}
	var started, last, now *time.Time
	err := s.pool.QueryRow(ctx, `SELECT o_started, o_last_seen, o_now FROM console_session_seen($1, $2, $3, $4, $5, $6)`,
		tenantCode, userID, sessionID, touchAfter.Seconds(), lim.Idle.Seconds(), lim.MaxAge.Seconds()).Scan(&started, &last, &now)
	if pgCode(err) == codeInvalidText { // not a uuid
		return out, identity.ErrSessionNotFound
	}
	if err != nil {
		return out, unavailable(err)
	}
	if started == nil || last == nil || now == nil {
		return out, identity.ErrSessionNotFound
	}
	out.Started, out.LastSeen, out.Now = *started, *last, *now
	return out, nil
}

// EndSessions raises a user's session generation: every login token issued before ends.
func (s *UserDB) EndSessions(ctx context.Context, tenantCode, userID string) error {
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var gen int64
		err := tx.QueryRow(ctx, `UPDATE users SET session_generation = session_generation + 1 WHERE tenant_id = $1 AND id = $2
			RETURNING session_generation`, tenantCode, userID).Scan(&gen)
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, tenantCode, "user.sessions.end", identity.UserSubject(userID), nil, map[string]any{"session_generation": gen})
	})
	if isNoRows(err) || pgCode(err) == codeInvalidText {
		return identity.ErrUserNotFound
	}
	return err
}

// BeginLoginAttempt counts a login attempt of username from client in login_failures, unless
// the pair must still wait: then it returns the wait and counts nothing. The pair's row is
// locked for the decision, so concurrent attempts on any server are counted one after another.
// Times are the database's, the one clock every server shares.
func (s *UserDB) BeginLoginAttempt(ctx context.Context, username, client string, delay func(attempts, usernameFailures int) time.Duration) (time.Duration, error) {
	window := identity.LoginFailureWindow.Seconds() // intervals travel as seconds
	var wait time.Duration
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO login_failures (username, client) VALUES ($1, $2) ON CONFLICT DO NOTHING`, username, client)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			// A new pair: forget pairs idle for the window and no longer waiting, a few at a
			// time, so the table stays the size of the last hour's failures.
			if _, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE ctid = ANY (ARRAY(SELECT ctid FROM login_failures
				WHERE last_at < now() - make_interval(secs => $1) AND blocked_until < now() LIMIT 100 FOR UPDATE SKIP LOCKED))`, window); err != nil {
				return err
			}
		}
		var failures int
		var stale bool
		var left float64
		err = tx.QueryRow(ctx, `SELECT failures, last_at < now() - make_interval(secs => $3),
			extract(epoch FROM greatest(blocked_until - now(), interval '0'))::float8
			FROM login_failures WHERE username = $1 AND client = $2 FOR UPDATE`, username, client, window).Scan(&failures, &stale, &left)
		if err != nil {
			return err
		}
		if left > 0 {
			wait = time.Duration(left * float64(time.Second))
			return nil
		}
		if stale {
			failures = 0
		}
		var others int
		if err := tx.QueryRow(ctx, `SELECT coalesce(sum(failures), 0) FROM login_failures
			WHERE username = $1 AND client <> $2 AND last_at >= now() - make_interval(secs => $3)`, username, client, window).Scan(&others); err != nil {
			return err
		}
		failures++
		d := delay(failures, others+failures)
		_, err = tx.Exec(ctx, `UPDATE login_failures SET failures = $3, last_at = now(), blocked_until = now() + make_interval(secs => $4)
			WHERE username = $1 AND client = $2`, username, client, failures, d.Seconds())
		return err
	})
	return wait, unavailable(err)
}

// ClearLoginFailures forgets the failures of a pair (its password was right).
func (s *UserDB) ClearLoginFailures(ctx context.Context, username, client string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM login_failures WHERE username = $1 AND client = $2`, username, client)
	return err
}

// OrganisationKind returns the kind of an active organisation of the tenant.
func (s *UserDB) OrganisationKind(ctx context.Context, tenantCode, id string) (orgs.Kind, error) {
	var kind string
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT kind FROM organisations WHERE tenant_id = $1 AND id::text = $2 AND status = 'active'`, tenantCode, id).Scan(&kind)
	})
	if isNoRows(err) || errors.Is(err, tenant.ErrNotFound) {
		return "", identity.ErrOrganisationNotFound
	}
	return orgs.Kind(kind), err
}

// Users lists the users of a tenant ordered by username, after the given username.
func (s *UserDB) Users(ctx context.Context, tenantCode, after string, limit int) ([]identity.User, error) {
	var out []identity.User
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+userColumns+` FROM users u WHERE u.tenant_id = $1 AND u.username > $2
			ORDER BY u.username LIMIT $3`, tenantCode, after, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (identity.User, error) { return scanUser(r) })
		return err
	})
	return out, err
}

// User returns one user of a tenant.
func (s *UserDB) User(ctx context.Context, tenantCode, id string) (identity.User, error) {
	var u identity.User
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users u WHERE u.tenant_id = $1 AND u.id = $2", tenantCode, id))
		return err
	})
	if isNoRows(err) || pgCode(err) == codeInvalidText {
		return u, identity.ErrUserNotFound
	}
	return u, err
}

// UpdateUser changes a user of an active tenant and audits the change.
func (s *UserDB) UpdateUser(ctx context.Context, tenantCode, id string, ch identity.UserChange) (identity.User, [][]string, error) {
	var u identity.User
	var removed [][]string
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, tenantCode); err != nil {
			return err
		}
		before, err := scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users u WHERE u.tenant_id = $1 AND u.id = $2 FOR UPDATE", tenantCode, id))
		if err != nil {
			return err
		}
		var status *string
		if ch.Status != nil {
			v := string(*ch.Status)
			status = &v
		}
		_, err = tx.Exec(ctx, `UPDATE users SET display_name = coalesce($3, display_name), status = coalesce($4, status),
			password_hash = coalesce($5, password_hash), updated_at = now(),
			session_generation = session_generation + CASE WHEN $6 THEN 1 ELSE 0 END WHERE tenant_id = $1 AND id = $2`,
			tenantCode, id, ch.DisplayName, status, ch.PasswordHash, ch.EndSessions)
		if err != nil {
			return err
		}
		if ch.Grants != nil {
			// The roles are replaced: the grants held in this tenant go, the new ones come.
			if removed, err = deleteSubjectGrantsTx(ctx, tx, before.Subject(), tenantCode); err != nil {
				return err
			}
			for _, g := range ch.Grants {
				g[1] = before.Subject()
			}
			if err := insertPolicyRowsTx(ctx, tx, ch.Grants); err != nil {
				return err
			}
		}
		u, err = scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users u WHERE u.tenant_id = $1 AND u.id = $2", tenantCode, id))
		if err != nil {
			return err
		}
		after := map[string]any{"display_name": u.DisplayName, "status": u.Status, "roles": u.Roles, "password_changed": ch.PasswordHash != nil, "sessions_ended": ch.EndSessions}
		return appendAudit(ctx, tx, tenantCode, "user.update", u.Subject(),
			map[string]any{"display_name": before.DisplayName, "status": before.Status, "roles": before.Roles}, after)
	})
	if isNoRows(err) || pgCode(err) == codeInvalidText {
		return u, nil, identity.ErrUserNotFound
	}
	return u, removed, err
}

const tokenColumns = `id::text, tenant_id, name, prefix, role, coalesce(organisation_id::text, ''), created_by, created_at, expires_at, revoked_at, last_used_at`

func scanToken(row pgx.Row) (identity.Token, error) {
	var t identity.Token
	err := row.Scan(&t.ID, &t.TenantCode, &t.Name, &t.Prefix, &t.Role, &t.OrganisationID, &t.CreatedBy, &t.CreatedAt, &t.ExpiresAt, &t.RevokedAt, &t.LastUsedAt)
	return t, err
}

// CreateToken stores an API token (its hash) and the grant of its role, in one transaction.
func (s *UserDB) CreateToken(ctx context.Context, t identity.Token, hash []byte, grants [][]string) (identity.Token, error) {
	var out identity.Token
	err := s.inTenant(ctx, t.TenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, t.TenantCode); err != nil {
			return err
		}
		var err error
		out, err = scanToken(tx.QueryRow(ctx, `INSERT INTO api_tokens (tenant_id, name, prefix, secret_hash, role, created_by, expires_at, organisation_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, '')::uuid) RETURNING `+tokenColumns,
			t.TenantCode, t.Name, t.Prefix, hash, t.Role, t.CreatedBy, t.ExpiresAt, t.OrganisationID))
		if err != nil {
			return err
		}
		for _, g := range grants {
			g[1] = identity.TokenSubject(out.ID)
		}
		if err := insertPolicyRowsTx(ctx, tx, grants); err != nil {
			return err
		}
		return appendAudit(ctx, tx, t.TenantCode, "token.create", out.Subject(), nil,
			map[string]any{"name": out.Name, "role": out.Role, "prefix": out.Prefix, "expires_at": out.ExpiresAt, "organisation_id": out.OrganisationID})
	})
	return out, err
}

// TokenByHash finds an API token of a tenant by the hash of its text and stamps its use; it
// also returns the tenant's status.
func (s *UserDB) TokenByHash(ctx context.Context, tenantCode string, hash []byte) (identity.Token, tenant.Status, error) {
	var t identity.Token
	var ts string
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var err error
		t, err = scanToken(tx.QueryRow(ctx, `UPDATE api_tokens SET last_used_at = CASE WHEN revoked_at IS NULL THEN now() ELSE last_used_at END
			WHERE tenant_id = $1 AND secret_hash = $2 RETURNING `+tokenColumns, tenantCode, hash))
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT status FROM tenants WHERE code = $1", tenantCode).Scan(&ts)
	})
	if isNoRows(err) || errors.Is(err, tenant.ErrNotFound) {
		return t, "", identity.ErrTokenNotFound
	}
	return t, tenant.Status(ts), err
}

// Tokens lists the API tokens of a tenant, newest first.
func (s *UserDB) Tokens(ctx context.Context, tenantCode string) ([]identity.Token, error) {
	var out []identity.Token
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE tenant_id = $1 ORDER BY created_at DESC, id", tenantCode)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (identity.Token, error) { return scanToken(r) })
		return err
	})
	return out, err
}

// RevokeToken marks a token revoked and removes its role grants, returning the removed rows so
// the caller can update the authorizer after commit. Revoking twice is harmless.
func (s *UserDB) RevokeToken(ctx context.Context, tenantCode, id string) (identity.Token, [][]string, error) {
	var t identity.Token
	var removed [][]string
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var err error
		t, err = scanToken(tx.QueryRow(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $3)
			WHERE tenant_id = $1 AND id = $2 RETURNING `+tokenColumns, tenantCode, id, time.Now()))
		if err != nil {
			return err
		}
		if removed, err = deleteSubjectGrantsTx(ctx, tx, t.Subject(), ""); err != nil {
			return err
		}
		return appendAudit(ctx, tx, tenantCode, "token.revoke", t.Subject(), nil, map[string]any{"revoked_at": t.RevokedAt})
	})
	if isNoRows(err) || pgCode(err) == codeInvalidText {
		return t, nil, identity.ErrTokenNotFound
	}
	return t, removed, err
}
