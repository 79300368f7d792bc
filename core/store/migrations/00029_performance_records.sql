-- Performance of agreements (履行) as practitioners report it: performed, partly performed (what
-- is left, by when), not performed, recanted (who, when). Every report is kept; the latest is the
-- case's current performance (cases.performance). The statistics count the two new results.

-- +goose Up
ALTER TABLE cases DROP CONSTRAINT cases_performance_check;
ALTER TABLE cases ADD CONSTRAINT cases_performance_check
    CHECK (performance IN ('', 'performed', 'partly_performed', 'not_performed', 'recanted'));

CREATE TABLE case_performance (
    tenant_id        text NOT NULL,
    case_id          uuid NOT NULL,
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    result           text NOT NULL CHECK (result IN ('performed', 'partly_performed', 'not_performed', 'recanted')),
    on_date          date NOT NULL,
    remaining_amount numeric(15, 2) NOT NULL DEFAULT 0,
    remaining        text NOT NULL DEFAULT '',
    remaining_due    date,
    party_id         text NOT NULL DEFAULT '',
    reason           text NOT NULL DEFAULT '',
    follow_up_id     uuid,
    recorded_at      timestamptz NOT NULL,
    recorded_by      text NOT NULL,
    PRIMARY KEY (tenant_id, case_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX case_performance_case ON case_performance (tenant_id, case_id, recorded_at);

ALTER TABLE case_performance ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_performance FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON case_performance USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
GRANT SELECT, INSERT ON case_performance TO fengqiao_app;

ALTER TABLE stats_daily ADD COLUMN partly_performed bigint NOT NULL DEFAULT 0, ADD COLUMN not_performed bigint NOT NULL DEFAULT 0;
ALTER TABLE stats_monthly ADD COLUMN partly_performed bigint NOT NULL DEFAULT 0, ADD COLUMN not_performed bigint NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE stats_monthly DROP COLUMN partly_performed, DROP COLUMN not_performed;
ALTER TABLE stats_daily DROP COLUMN partly_performed, DROP COLUMN not_performed;
DROP TABLE case_performance;
ALTER TABLE cases DROP CONSTRAINT cases_performance_check;
ALTER TABLE cases ADD CONSTRAINT cases_performance_check CHECK (performance IN ('', 'performed', 'recanted'));
