-- Inbox read state is each reader's (issue 12, defect 6): a message addressed to a tenant or
-- an organisation has several readers, and one marking it read must not mark it read for the
-- others. reader is the principal's subject ("user:<uuid>" or "token:<uuid>").
-- inbox_messages.read_at is no longer written: a message read before this migration stays read
-- for every reader (who read it was not recorded).

-- +goose Up
CREATE TABLE inbox_reads (
    tenant_id  text NOT NULL,
    message_id uuid NOT NULL,
    reader     text NOT NULL CHECK (reader ~ '^(user|token):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
    read_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, message_id, reader),
    FOREIGN KEY (tenant_id, message_id) REFERENCES inbox_messages (tenant_id, id)
);

ALTER TABLE inbox_reads ENABLE ROW LEVEL SECURITY;
ALTER TABLE inbox_reads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON inbox_reads USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());

-- A read is recorded once and kept.
GRANT SELECT, INSERT ON inbox_reads TO fengqiao_app;

-- +goose Down
DROP TABLE inbox_reads;
