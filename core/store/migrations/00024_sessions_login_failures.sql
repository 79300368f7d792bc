-- Login sessions that end when credentials change, and login throttling shared by every server
-- (issue 12, defects 3 and 13).
--
-- users.session_generation is a claim of every login token; bumping it (password, status, roles,
-- "log out everywhere") ends every token issued before, checked by principal_state on each
-- request. revoked_sessions holds the ids (jti) of tokens logged out one by one until they
-- expire. login_failures is platform data, not a tenant's: a login precedes any tenant and
-- unknown usernames are counted too; it holds usernames and client addresses, no secret, and has
-- no tenant column on purpose (row-level security is keyed on tenants).

-- +goose Up
ALTER TABLE users ADD COLUMN session_generation bigint NOT NULL DEFAULT 1;

CREATE TABLE revoked_sessions (
    tenant_id  text NOT NULL REFERENCES tenants (code),
    jti        uuid NOT NULL,
    user_id    uuid NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, jti)
);
CREATE INDEX revoked_sessions_expiry ON revoked_sessions (tenant_id, expires_at);
ALTER TABLE revoked_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE revoked_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON revoked_sessions USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
GRANT SELECT, INSERT, DELETE ON revoked_sessions TO fengqiao_app;

CREATE TABLE login_failures (
    username      text NOT NULL,
    client        text NOT NULL,
    failures      integer NOT NULL DEFAULT 0,
    last_at       timestamptz NOT NULL DEFAULT now(),
    blocked_until timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (username, client)
);
CREATE INDEX login_failures_last ON login_failures (last_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON login_failures TO fengqiao_app;

DROP FUNCTION principal_state(text, uuid);
-- +goose StatementBegin
CREATE FUNCTION principal_state(p_tenant text, p_user uuid, p_jti uuid DEFAULT NULL,
    OUT user_status text, OUT tenant_status text, OUT organisation_id uuid, OUT session_generation bigint, OUT revoked boolean)
    LANGUAGE plpgsql VOLATILE
    AS $$
BEGIN
    PERFORM set_config('fengqiao.tenant', p_tenant, true);
    SELECT u.status, t.status, u.organisation_id, u.session_generation,
           EXISTS (SELECT 1 FROM revoked_sessions r WHERE r.tenant_id = p_tenant AND r.jti = p_jti)
    INTO user_status, tenant_status, organisation_id, session_generation, revoked
    FROM users u JOIN tenants t ON t.code = u.tenant_id
    WHERE u.tenant_id = p_tenant AND u.id = p_user;
    PERFORM set_config('fengqiao.tenant', '', true);
END
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION principal_state(text, uuid, uuid) TO fengqiao_app;

-- +goose Down
DROP FUNCTION principal_state(text, uuid, uuid);
-- +goose StatementBegin
CREATE FUNCTION principal_state(p_tenant text, p_user uuid, OUT user_status text, OUT tenant_status text, OUT organisation_id uuid)
    LANGUAGE plpgsql VOLATILE
    AS $$
BEGIN
    PERFORM set_config('fengqiao.tenant', p_tenant, true);
    SELECT u.status, t.status, u.organisation_id INTO user_status, tenant_status, organisation_id
    FROM users u JOIN tenants t ON t.code = u.tenant_id
    WHERE u.tenant_id = p_tenant AND u.id = p_user;
    PERFORM set_config('fengqiao.tenant', '', true);
END
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION principal_state(text, uuid) TO fengqiao_app;
DROP TABLE login_failures;
DROP TABLE revoked_sessions;
ALTER TABLE users DROP COLUMN session_generation;
