-- Foundation schema: the tenant registry, identity, judicial offices, audit and authorization
-- policies. Runs as the owner role; the application role it creates owns nothing and is
-- subject to row-level security on every tenant-owned table.

-- +goose Up

-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fengqiao_app') THEN
        CREATE ROLE fengqiao_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- created concurrently by a migration of another database in the same cluster
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
BEGIN
    -- The owner switches pooled connections to the application role (SET ROLE), which needs
    -- membership. A superuser is a member of every role already.
    IF NOT pg_has_role(current_user, 'fengqiao_app', 'MEMBER') THEN
        EXECUTE format('GRANT fengqiao_app TO %I', current_user);
    END IF;
END
$$;
-- +goose StatementEnd

-- current_tenant is the tenant the current transaction acts for, set by the application with
-- set_config('fengqiao.tenant', code, true). STABLE, never IMMUTABLE: the planner must not fold
-- it into a cached plan. NULL (no tenant) matches no row of any policy.
CREATE FUNCTION current_tenant() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('fengqiao.tenant', true), '') $$;

CREATE TABLE tenants (
    code            text PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
    name            text NOT NULL,
    full_name       text NOT NULL,
    level           text NOT NULL CHECK (level IN ('country', 'province', 'city', 'district')),
    parent_code     text REFERENCES tenants (code),
    ancestors       text[] NOT NULL, -- codes from the country down to this tenant itself
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'archived')),
    status_reason   text NOT NULL DEFAULT '',
    display_name    text NOT NULL DEFAULT '',
    contact         jsonb NOT NULL DEFAULT '{}'::jsonb,
    enabled_plugins text[] NOT NULL DEFAULT '{}',
    placement       text NOT NULL DEFAULT 'default',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((level = 'country') = (parent_code IS NULL)),
    CHECK (ancestors[array_length(ancestors, 1)] = code)
);
CREATE INDEX tenants_ancestors ON tenants USING gin (ancestors);
CREATE INDEX tenants_parent ON tenants (parent_code, code);
-- A tenant sees itself and its subtree in the registry.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenants_subtree ON tenants
    USING (ancestors @> ARRAY[current_tenant()])
    WITH CHECK (ancestors @> ARRAY[current_tenant()]);

INSERT INTO tenants (code, name, full_name, level, parent_code, ancestors)
VALUES ('000000', '全国', '中华人民共和国', 'country', NULL, ARRAY['000000']);

-- Global login namespace: username → tenant. Holds no secret; the password hash stays in the
-- tenant's own users table. The one table keyed by something other than tenant_id, because a
-- person logs in before any tenant is known.
CREATE TABLE user_directory (
    username  text PRIMARY KEY CHECK (username = lower(username)),
    tenant_id text NOT NULL REFERENCES tenants (code),
    user_id   uuid NOT NULL,
    UNIQUE (tenant_id, user_id)
);

CREATE TABLE users (
    tenant_id     text NOT NULL REFERENCES tenants (code),
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    username      text NOT NULL,
    display_name  text NOT NULL DEFAULT '',
    password_hash text NOT NULL,
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX users_username ON users (tenant_id, lower(username));

-- API tokens for agency systems. The token text carries its tenant code, so the lookup is
-- tenant-scoped like every other read; only the SHA-256 of the secret is stored.
CREATE TABLE api_tokens (
    tenant_id    text NOT NULL REFERENCES tenants (code),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    name         text NOT NULL,
    prefix       text NOT NULL,
    secret_hash  bytea NOT NULL,
    role         text NOT NULL,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX api_tokens_secret ON api_tokens (tenant_id, secret_hash);

-- One judicial office (司法所) per street of a district.
CREATE TABLE judicial_offices (
    tenant_id   text NOT NULL REFERENCES tenants (code),
    street_code text NOT NULL CHECK (street_code ~ '^[0-9]{9}$'),
    name        text NOT NULL,
    street_name text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, street_code),
    CHECK (left(street_code, 6) = tenant_id)
);

-- Append-only audit trail of administrative changes; the application may insert and read only.
CREATE TABLE audit_events (
    tenant_id  text NOT NULL REFERENCES tenants (code),
    id         bigint GENERATED ALWAYS AS IDENTITY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text NOT NULL,
    action     text NOT NULL,
    object     text NOT NULL,
    before     jsonb,
    after      jsonb,
    request_id text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_events_at ON audit_events (tenant_id, at DESC);

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'api_tokens', 'judicial_offices', 'audit_events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant())', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- Casbin policies (p: role, domain, object, action; g: subject, role, domain). A platform
-- table: the authorizer loads every rule at start; edits go through the authorization layer.
CREATE TABLE casbin_rule (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ptype text NOT NULL,
    v0    text NOT NULL DEFAULT '',
    v1    text NOT NULL DEFAULT '',
    v2    text NOT NULL DEFAULT '',
    v3    text NOT NULL DEFAULT '',
    v4    text NOT NULL DEFAULT '',
    v5    text NOT NULL DEFAULT '',
    UNIQUE (ptype, v0, v1, v2, v3, v4, v5)
);

GRANT USAGE ON SCHEMA public TO fengqiao_app;
GRANT SELECT, INSERT, UPDATE ON tenants TO fengqiao_app;
GRANT SELECT, INSERT, DELETE ON user_directory TO fengqiao_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON users, api_tokens, judicial_offices TO fengqiao_app;
GRANT SELECT, INSERT ON audit_events TO fengqiao_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON casbin_rule TO fengqiao_app;
GRANT EXECUTE ON FUNCTION current_tenant() TO fengqiao_app;

-- +goose Down
DROP TABLE casbin_rule, audit_events, judicial_offices, api_tokens, users, user_directory, tenants;
DROP FUNCTION current_tenant();
