-- Per-tenant rules of the case lifecycle: time limits per source, follow-up schedule.

-- +goose Up
CREATE TABLE case_settings (
    tenant_id      text PRIMARY KEY REFERENCES tenants (code),
    time_limits    jsonb NOT NULL DEFAULT '{}'::jsonb, -- source → days from intake to outcome
    follow_up_days int[] NOT NULL DEFAULT '{7,30}',
    updated_at     timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE case_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON case_settings USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
GRANT SELECT, INSERT, UPDATE ON case_settings TO fengqiao_app;

-- +goose Down
DROP TABLE case_settings;
