-- Judicial confirmation and court time limits (issue 14, items 1 and 4).
--
-- confirmation.court_id is the confirming court, a court of the district's registry, which reads
-- the agreement it confirms (the relationship "confirming_court"); a court clerk's lists look
-- cases up by it.
--
-- Court-entrusted mediation (诉前委派, 诉中委托) has its own limit by kind, extendable once with a
-- reason: case_settings keeps the tenant's limits by kind and the extension; cases record when
-- their limit was extended.

-- +goose Up
CREATE INDEX cases_confirming_court ON cases (tenant_id, (confirmation ->> 'court_id'))
    WHERE confirmation IS NOT NULL;

ALTER TABLE case_settings ADD COLUMN court_limits jsonb NOT NULL DEFAULT '{}'::jsonb; -- kind → days
ALTER TABLE case_settings ADD COLUMN court_extension_days int CHECK (court_extension_days BETWEEN 1 AND 365);
ALTER TABLE cases ADD COLUMN due_extended_at timestamptz;

-- +goose Down
ALTER TABLE cases DROP COLUMN due_extended_at;
ALTER TABLE case_settings DROP COLUMN court_extension_days;
ALTER TABLE case_settings DROP COLUMN court_limits;
DROP INDEX cases_confirming_court;
