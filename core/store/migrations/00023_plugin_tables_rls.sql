-- The plugin tables keyed on tenant_code come under row-level security like every tenant
-- table (core/store/rls_test.go finds every column naming a tenant):
--
-- * a tenant writes only its own rows (tenant_isolation);
-- * it reads its subtree's rows too (subtree_read), as the statistics do: the platform's
--   cross-tenant reads — every enablement at start and on NOTIFY, the scheduler — act for the
--   country (000000), whose subtree is every tenant, exactly as tenants are read;
-- * plugin_tenants: a tenant also reads the enablements of its ancestors made for their
--   subtree (inherited_read): its effective enablement is its own row, else its nearest such
--   ancestor's (enqueuing a case's after-events reads them in the case's tenant).
--
-- The primary keys lead with the tenant, as on every tenant table.

-- +goose Up
ALTER TABLE plugin_tenants DROP CONSTRAINT plugin_tenants_pkey;
ALTER TABLE plugin_tenants ADD PRIMARY KEY (tenant_code, plugin);
ALTER TABLE plugin_job_runs DROP CONSTRAINT plugin_job_runs_pkey;
ALTER TABLE plugin_job_runs ADD PRIMARY KEY (tenant_code, plugin, job, scheduled_at);

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['plugin_tenants', 'plugin_job_runs'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_code = current_tenant()) WITH CHECK (tenant_code = current_tenant())', t);
        EXECUTE format('CREATE POLICY subtree_read ON %I FOR SELECT USING (tenant_code IN (SELECT code FROM tenants WHERE ancestors @> ARRAY[current_tenant()]))', t);
    END LOOP;
    CREATE POLICY inherited_read ON plugin_tenants FOR SELECT
        USING (subtree AND tenant_code IN (SELECT unnest(ancestors) FROM tenants WHERE code = current_tenant()));
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP POLICY inherited_read ON plugin_tenants;
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['plugin_tenants', 'plugin_job_runs'] LOOP
        EXECUTE format('DROP POLICY subtree_read ON %I', t);
        EXECUTE format('DROP POLICY tenant_isolation ON %I', t);
        EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
    END LOOP;
END
$$;
-- +goose StatementEnd
ALTER TABLE plugin_job_runs DROP CONSTRAINT plugin_job_runs_pkey;
ALTER TABLE plugin_job_runs ADD PRIMARY KEY (plugin, job, tenant_code, scheduled_at);
ALTER TABLE plugin_tenants DROP CONSTRAINT plugin_tenants_pkey;
ALTER TABLE plugin_tenants ADD PRIMARY KEY (plugin, tenant_code);
