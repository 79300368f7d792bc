-- The plugin platform (core/pluginhost): the catalog of installed plugins, where each is
-- enabled with which settings, each plugin's own documents per tenant, and scheduled job runs.
--
-- * plugins: one row per installed plugin — its version, the SHA-256 of its binary (verified
--   before every start) and the manifest it returned. Platform-wide, like casbin_rule.
-- * plugin_tenants: a plugin enabled (or disabled) for one tenant or a whole subtree, with that
--   tenant's settings. A tenant's effective row is its own, else its nearest ancestor's with
--   subtree. Platform configuration read by every server; the API checks the caller's scope.
-- * plugin_documents: a plugin's JSON documents in one tenant, under row-level security.
-- * plugin_job_runs: one row per scheduled run of a plugin's job in one tenant (the key makes
--   a run happen once however many servers schedule it).
-- Changes to the first two are announced on the channel fengqiao_plugins.

-- +goose Up
CREATE TABLE plugins (
    name             text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{1,39}$'),
    version          text NOT NULL,
    sha256           text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    path             text NOT NULL,
    protocol_version int NOT NULL,
    manifest         jsonb NOT NULL,
    installed_by     text NOT NULL,
    installed_at     timestamptz NOT NULL DEFAULT now(),
    previous         jsonb -- the version it replaced: {version, sha256, path}
);

CREATE TABLE plugin_tenants (
    plugin      text NOT NULL REFERENCES plugins (name) ON DELETE CASCADE,
    tenant_code text NOT NULL REFERENCES tenants (code),
    subtree     boolean NOT NULL DEFAULT false,
    enabled     boolean NOT NULL,
    settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_by  text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plugin, tenant_code)
);

CREATE TABLE plugin_documents (
    tenant_id  text NOT NULL REFERENCES tenants (code),
    plugin     text NOT NULL,
    kind       text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
    id         text NOT NULL CHECK (length(id) BETWEEN 1 AND 200),
    data       jsonb NOT NULL,
    version    bigint NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, plugin, kind, id)
);

CREATE TABLE plugin_job_runs (
    plugin       text NOT NULL,
    job          text NOT NULL,
    tenant_code  text NOT NULL,
    scheduled_at timestamptz NOT NULL,
    run_id       uuid NOT NULL DEFAULT gen_random_uuid(),
    state        text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'failed')),
    summary      text NOT NULL DEFAULT '',
    finished_at  timestamptz,
    PRIMARY KEY (plugin, job, tenant_code, scheduled_at)
);

-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE plugin_documents ENABLE ROW LEVEL SECURITY;
    ALTER TABLE plugin_documents FORCE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON plugin_documents USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
    GRANT SELECT, INSERT, UPDATE, DELETE ON plugins, plugin_tenants, plugin_documents, plugin_job_runs TO fengqiao_app;
END
$$;

CREATE FUNCTION notify_plugins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('fengqiao_plugins', TG_TABLE_NAME);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER plugins_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plugins
    FOR EACH STATEMENT EXECUTE FUNCTION notify_plugins();
CREATE TRIGGER plugin_tenants_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plugin_tenants
    FOR EACH STATEMENT EXECUTE FUNCTION notify_plugins();

-- +goose Down
DROP TABLE plugin_job_runs;
DROP TABLE plugin_documents;
DROP TABLE plugin_tenants;
DROP TABLE plugins;
DROP FUNCTION notify_plugins();
