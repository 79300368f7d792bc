-- Transfers of a case between two districts of one city, with both districts' consent (issue 14,
-- item 11). Each district keeps its own row of a transfer (the same id), so each reads only its
-- own under row-level security: the proposing district's (direction 'out') and the receiving
-- district's ('in'). On acceptance the case is copied into the receiving district (its history
-- begins with where it came from) and the proposing district's case stays as a read-only record
-- naming where it went (cases.transferred_to).

-- +goose Up
CREATE TABLE case_transfers (
    tenant_id       text NOT NULL REFERENCES tenants (code),
    id              uuid NOT NULL,
    direction       text NOT NULL CHECK (direction IN ('out', 'in')),
    case_id         uuid NOT NULL,
    from_tenant     text NOT NULL,
    to_tenant       text NOT NULL,
    number          text NOT NULL, -- the case's number in the proposing district
    title           text NOT NULL,
    status          text NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined')),
    reason          text NOT NULL,
    decision_reason text NOT NULL DEFAULT '',
    new_number      text NOT NULL DEFAULT '', -- the case's number in the receiving district
    proposed_by     text NOT NULL,
    proposed_at     timestamptz NOT NULL,
    decided_by      text NOT NULL DEFAULT '',
    decided_at      timestamptz,
    PRIMARY KEY (tenant_id, id),
    CHECK (from_tenant <> to_tenant AND tenant_id = CASE direction WHEN 'out' THEN from_tenant ELSE to_tenant END)
);
-- One pending transfer of a case at a time.
CREATE UNIQUE INDEX case_transfers_pending ON case_transfers (tenant_id, case_id) WHERE status = 'proposed';
CREATE INDEX case_transfers_newest ON case_transfers (tenant_id, proposed_at DESC, id DESC);
ALTER TABLE case_transfers ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_transfers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON case_transfers USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
GRANT SELECT, INSERT, UPDATE ON case_transfers TO fengqiao_app;

ALTER TABLE cases ADD COLUMN transferred_to text;

-- +goose Down
ALTER TABLE cases DROP COLUMN transferred_to;
DROP TABLE case_transfers;
