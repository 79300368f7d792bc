-- Per-tenant routing rules (繁简分流 thresholds).

-- +goose Up
ALTER TABLE case_settings ADD COLUMN routing jsonb NOT NULL DEFAULT '{}'::jsonb;

-- +goose Down
ALTER TABLE case_settings DROP COLUMN routing;
