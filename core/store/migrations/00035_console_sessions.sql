-- Web console sessions (issue 15): the activity of each login token used as a console session,
-- so that a session unused for console.idle_timeout ends on the server even if its cookie is
-- replayed, and one older than console.max_age ends whatever its use. A row is written at the
-- console login and touched at most once a minute; an ended session is revoked like a logout
-- (revoked_sessions), so its token stops working for the API too. Rows go with their tokens'
-- expiry (dropped at the tenant's next console login).

-- +goose Up
CREATE TABLE console_sessions (
    tenant_id    text NOT NULL REFERENCES tenants (code),
    jti          uuid NOT NULL,
    user_id      uuid NOT NULL,
    started_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, jti)
);
CREATE INDEX console_sessions_expiry ON console_sessions (tenant_id, expires_at);
ALTER TABLE console_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE console_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON console_sessions USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON console_sessions TO fengqiao_app;

-- One statement per console request: the session's start and last use (before this request)
-- and the database's clock, the one every server shares; the last use moves to now only when
-- it is older than p_touch_after (few writes) and the session is still live by the bounds the
-- caller decides with (an ended session is never revived by a failed revocation).
-- +goose StatementBegin
CREATE FUNCTION console_session_seen(p_tenant text, p_user uuid, p_jti uuid,
    p_touch_after double precision, p_idle double precision, p_max_age double precision,
    OUT o_started timestamptz, OUT o_last_seen timestamptz, OUT o_now timestamptz)
    LANGUAGE plpgsql VOLATILE
    AS $$
BEGIN
    PERFORM set_config('fengqiao.tenant', p_tenant, true);
    SELECT s.started_at, s.last_seen_at, now() INTO o_started, o_last_seen, o_now
    FROM console_sessions s
    WHERE s.tenant_id = p_tenant AND s.jti = p_jti AND s.user_id = p_user;
    IF FOUND AND o_last_seen < o_now - make_interval(secs => p_touch_after)
        AND o_last_seen > o_now - make_interval(secs => p_idle)
        AND o_started > o_now - make_interval(secs => p_max_age) THEN
        UPDATE console_sessions s SET last_seen_at = o_now WHERE s.tenant_id = p_tenant AND s.jti = p_jti;
    END IF;
    PERFORM set_config('fengqiao.tenant', '', true);
END
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION console_session_seen(text, uuid, uuid, double precision, double precision, double precision) TO fengqiao_app;

-- +goose Down
DROP FUNCTION console_session_seen(text, uuid, uuid, double precision, double precision, double precision);
DROP TABLE console_sessions;
