-- +goose Up
-- An Idempotency-Key belongs to the caller that sent it (the principal's subject: a user or an
-- API token), not to the whole tenant: two agency systems that pick the same key each get
-- their own case (issue 12).
ALTER TABLE idempotency_keys ADD COLUMN subject text NOT NULL DEFAULT '';

-- Keys taken before this migration belong to their case's creator, so that a retry in flight
-- still replays. The owner reads both tables across tenants for this one statement: row-level
-- security is forced again before the migration's transaction commits.
ALTER TABLE idempotency_keys NO FORCE ROW LEVEL SECURITY;
ALTER TABLE cases NO FORCE ROW LEVEL SECURITY;
UPDATE idempotency_keys k SET subject = c.created_by
FROM cases c WHERE c.tenant_id = k.tenant_id AND c.id = k.case_id;
ALTER TABLE cases FORCE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;

ALTER TABLE idempotency_keys ALTER COLUMN subject DROP DEFAULT,
    DROP CONSTRAINT idempotency_keys_pkey,
    ADD PRIMARY KEY (tenant_id, subject, key);

-- +goose Down
ALTER TABLE idempotency_keys NO FORCE ROW LEVEL SECURITY;
-- One key per tenant again: the oldest claim of a key keeps it.
DELETE FROM idempotency_keys k WHERE EXISTS (
    SELECT 1 FROM idempotency_keys o
    WHERE o.tenant_id = k.tenant_id AND o.key = k.key AND (o.created_at, o.subject) < (k.created_at, k.subject));
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey,
    ADD PRIMARY KEY (tenant_id, key),
    DROP COLUMN subject;
