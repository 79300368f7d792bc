-- Early warning (预警): the warnings raised on cases, each tenant's warning settings (the police
-- station and government office to notify, the acknowledgement windows), the in-app inbox, and
-- webhook deliveries to agencies with their signing secrets. The job queue's own tables
-- (River) are migrated by store.MigrateQueue.

-- +goose Up
CREATE TABLE warning_settings (
    tenant_id         text PRIMARY KEY REFERENCES tenants (code),
    police_org_id     uuid,
    government_org_id uuid,
    orange_ack_hours  int NOT NULL DEFAULT 24 CHECK (orange_ack_hours BETWEEN 1 AND 720),
    red_ack_hours     int NOT NULL DEFAULT 2 CHECK (red_ack_hours BETWEEN 1 AND 720),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    updated_by        text NOT NULL DEFAULT '',
    FOREIGN KEY (tenant_id, police_org_id) REFERENCES organisations (tenant_id, id),
    FOREIGN KEY (tenant_id, government_org_id) REFERENCES organisations (tenant_id, id)
);

CREATE TABLE warnings (
    tenant_id       text NOT NULL REFERENCES tenants (code),
    id              uuid NOT NULL,
    case_id         uuid NOT NULL,
    level           text NOT NULL CHECK (level IN ('orange', 'red')),
    score           int NOT NULL,
    signals         jsonb NOT NULL,
    raised_at       timestamptz NOT NULL,
    deadline_at     timestamptz NOT NULL,
    notified_at     timestamptz,
    acknowledged_at timestamptz,
    acknowledged_by text NOT NULL DEFAULT '',
    ack_note        text NOT NULL DEFAULT '',
    escalated_at    timestamptz,
    escalated_to    text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    CHECK (deadline_at > raised_at)
);
CREATE INDEX warnings_raised ON warnings (tenant_id, raised_at DESC, id DESC);
CREATE INDEX warnings_case ON warnings (tenant_id, case_id);

-- recipient: "tenant:<code>", "org:<uuid>" or "user:<uuid>". case_id and warning_id name
-- objects of source_tenant, which differs from tenant_id for an escalation to the parent.
CREATE TABLE inbox_messages (
    tenant_id     text NOT NULL REFERENCES tenants (code),
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    recipient     text NOT NULL CHECK (recipient ~ '^(tenant:[0-9]{6}|(org|user):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$'),
    kind          text NOT NULL,
    title         text NOT NULL,
    body          text NOT NULL DEFAULT '',
    case_id       uuid,
    warning_id    uuid,
    source_tenant text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    read_at       timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX inbox_messages_created ON inbox_messages (tenant_id, created_at DESC, id DESC);

CREATE TABLE webhook_secrets (
    tenant_id  text NOT NULL,
    org_id     uuid NOT NULL,
    secret     bytea NOT NULL CHECK (length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, org_id),
    FOREIGN KEY (tenant_id, org_id) REFERENCES organisations (tenant_id, id)
);

CREATE TABLE webhook_deliveries (
    tenant_id    text NOT NULL,
    id           uuid NOT NULL,
    org_id       uuid NOT NULL,
    url          text NOT NULL,
    event        text NOT NULL,
    payload      jsonb NOT NULL,
    attempts     int NOT NULL DEFAULT 0,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    last_error   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, org_id) REFERENCES organisations (tenant_id, id)
);
CREATE INDEX webhook_deliveries_org ON webhook_deliveries (tenant_id, org_id, created_at DESC);

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['warning_settings', 'warnings', 'inbox_messages', 'webhook_secrets', 'webhook_deliveries'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant())', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- Nothing is deleted: warnings, messages and deliveries are the record of who was told what.
GRANT SELECT, INSERT, UPDATE ON warning_settings, warnings, inbox_messages, webhook_deliveries TO fengqiao_app;
-- A secret is created once and never changed by the application.
GRANT SELECT, INSERT ON webhook_secrets TO fengqiao_app;

-- +goose Down
DROP TABLE webhook_deliveries, webhook_secrets, inbox_messages, warnings, warning_settings;
