-- Breakdowns that add up (issue 14): the breakdowns by committee, mediator, street, gender, age
-- band, occupation and the days-to-close histogram were summed over the whole months covering a
-- period, so a breakdown of 15 January – 10 February counted two months while the headline
-- counted 27 days. Their cells are now also kept per day; a question reads the monthly cells of
-- the whole months inside the period and the daily cells of the days at its edges, like the
-- totals. Installations with cases run `fengqiao stats rebuild` once after this migration
-- (`--check` reports the daily cells missing until then).

-- +goose Up
CREATE TABLE stats_daily_dims (
    tenant_id    text NOT NULL REFERENCES tenants (code),
    dim          text NOT NULL,
    day          date NOT NULL,
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
    partly_performed bigint NOT NULL DEFAULT 0,
    not_performed bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, dim, day, dispute_type, source, value, top)
);

ALTER TABLE stats_daily_dims ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_daily_dims FORCE ROW LEVEL SECURITY;
CREATE POLICY subtree_read ON stats_daily_dims FOR SELECT USING (tenant_id = current_tenant()
    OR tenant_id IN (SELECT code FROM tenants WHERE ancestors @> ARRAY[current_tenant()]));
CREATE POLICY own_insert ON stats_daily_dims FOR INSERT WITH CHECK (tenant_id = current_tenant());
CREATE POLICY own_update ON stats_daily_dims FOR UPDATE USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY own_delete ON stats_daily_dims FOR DELETE USING (tenant_id = current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON stats_daily_dims TO fengqiao_app;

-- The names of the committees the cells count, readable upward with the cells: an upper level
-- cannot read a district's registry, yet its breakdown by committee must name them. Written
-- with the cells (the name at the committee's last case change; a rebuild refreshes them).
CREATE TABLE stats_labels (
    tenant_id text NOT NULL REFERENCES tenants (code),
    dim       text NOT NULL,
    value     text NOT NULL,
    label     text NOT NULL,
    PRIMARY KEY (tenant_id, dim, value)
);
ALTER TABLE stats_labels ENABLE ROW LEVEL SECURITY;
ALTER TABLE stats_labels FORCE ROW LEVEL SECURITY;
CREATE POLICY subtree_read ON stats_labels FOR SELECT USING (tenant_id = current_tenant()
    OR tenant_id IN (SELECT code FROM tenants WHERE ancestors @> ARRAY[current_tenant()]));
CREATE POLICY own_insert ON stats_labels FOR INSERT WITH CHECK (tenant_id = current_tenant());
CREATE POLICY own_update ON stats_labels FOR UPDATE USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
GRANT SELECT, INSERT, UPDATE ON stats_labels TO fengqiao_app;

-- +goose Down
DROP TABLE stats_labels;
DROP TABLE stats_daily_dims;
