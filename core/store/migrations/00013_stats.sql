-- Statistics (分析研判): cells maintained in the transaction of every case change. A cell is the
-- sum of what the tenant's own cases contribute on one day (totals) or in one month (breakdowns),
-- per dispute type and source. Upper levels read the cells of their subtree — aggregates only,
-- never a case or a party — and sum them (see core/stats).

-- +goose Up
-- Joint cases (联合调解): every participant keeps its own record under one shared id.
ALTER TABLE cases ADD COLUMN joint jsonb;

CREATE TABLE stats_daily (
    tenant_id    text NOT NULL REFERENCES tenants (code),
    day          date NOT NULL,
    dispute_type text NOT NULL,
    source       text NOT NULL,
    top          smallint NOT NULL, -- depth of the highest ancestor the cell counts in (1 = country)
    received bigint NOT NULL DEFAULT 0,
    concluded bigint NOT NULL DEFAULT 0,
    succeeded bigint NOT NULL DEFAULT 0,
    failed bigint NOT NULL DEFAULT 0,
    guided bigint NOT NULL DEFAULT 0,
    local bigint NOT NULL DEFAULT 0,
    performed bigint NOT NULL DEFAULT 0,
    recanted bigint NOT NULL DEFAULT 0,
    late bigint NOT NULL DEFAULT 0,
    open_due bigint NOT NULL DEFAULT 0,
    close_days bigint NOT NULL DEFAULT 0,
    risk_blue bigint NOT NULL DEFAULT 0,
    risk_yellow bigint NOT NULL DEFAULT 0,
    risk_orange bigint NOT NULL DEFAULT 0,
    risk_red bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, dispute_type, source, top)
);

CREATE TABLE stats_monthly (
    tenant_id    text NOT NULL REFERENCES tenants (code),
    dim          text NOT NULL, -- '' for the totals
    month        date NOT NULL,
    dispute_type text NOT NULL,
    source       text NOT NULL,
    value        text NOT NULL,
    top          smallint NOT NULL,
    received bigint NOT NULL DEFAULT 0,
    concluded bigint NOT NULL DEFAULT 0,
    succeeded bigint NOT NULL DEFAULT 0,
    failed bigint NOT NULL DEFAULT 0,
    guided bigint NOT NULL DEFAULT 0,
    local bigint NOT NULL DEFAULT 0,
    performed bigint NOT NULL DEFAULT 0,
    recanted bigint NOT NULL DEFAULT 0,
    late bigint NOT NULL DEFAULT 0,
    open_due bigint NOT NULL DEFAULT 0,
    close_days bigint NOT NULL DEFAULT 0,
    risk_blue bigint NOT NULL DEFAULT 0,
    risk_yellow bigint NOT NULL DEFAULT 0,
    risk_orange bigint NOT NULL DEFAULT 0,
    risk_red bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, dim, month, dispute_type, source, value, top)
);

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['stats_daily', 'stats_monthly'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        -- A tenant reads the cells of its subtree (the tenants registry shows it just that) and
        -- writes only its own.
        EXECUTE format('CREATE POLICY subtree_read ON %I FOR SELECT USING (tenant_id = current_tenant()
            OR tenant_id IN (SELECT code FROM tenants WHERE ancestors @> ARRAY[current_tenant()]))', t);
        EXECUTE format('CREATE POLICY own_insert ON %I FOR INSERT WITH CHECK (tenant_id = current_tenant())', t);
        EXECUTE format('CREATE POLICY own_update ON %I FOR UPDATE USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant())', t);
        EXECUTE format('CREATE POLICY own_delete ON %I FOR DELETE USING (tenant_id = current_tenant())', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

GRANT SELECT, INSERT, UPDATE, DELETE ON stats_daily, stats_monthly TO fengqiao_app;

-- +goose Down
DROP TABLE stats_monthly, stats_daily;
ALTER TABLE cases DROP COLUMN joint;
