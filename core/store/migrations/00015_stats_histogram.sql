-- The days-to-close histogram is read for one (type or all, source or all) over a range of
-- months: an index of its own keeps that read to the cells it needs.

-- +goose Up
CREATE INDEX stats_monthly_close_days ON stats_monthly (tenant_id, dispute_type, source, month) WHERE dim = 'close_days';

-- +goose Down
DROP INDEX stats_monthly_close_days;
