-- Court time limits (issue 14, item 4): court-entrusted mediation (诉前委派, 诉中委托) has its
-- own limit by kind, extendable once with a reason. case_settings keeps the tenant's limits by
-- kind and the extension; cases record when their limit was extended (once).

-- +goose Up
ALTER TABLE case_settings ADD COLUMN court_limits jsonb NOT NULL DEFAULT '{}'::jsonb; -- kind → days
ALTER TABLE case_settings ADD COLUMN court_extension_days int CHECK (court_extension_days BETWEEN 1 AND 365);
ALTER TABLE cases ADD COLUMN due_extended_at timestamptz;

-- +goose Down
ALTER TABLE cases DROP COLUMN due_extended_at;
ALTER TABLE case_settings DROP COLUMN court_extension_days;
ALTER TABLE case_settings DROP COLUMN court_limits;
