-- Cases: intake with numbering, parties with sealed personal data and blind indexes, the
-- append-only case history, idempotency keys of create calls, and tenants' own dispute types.

-- +goose Up
CREATE TABLE case_counters (
    tenant_id text NOT NULL REFERENCES tenants (code),
    year      int NOT NULL,
    last_seq  int NOT NULL,
    PRIMARY KEY (tenant_id, year)
);

CREATE TABLE dispute_types (
    tenant_id  text NOT NULL REFERENCES tenants (code),
    code       text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    name_zh    text NOT NULL,
    name_en    text NOT NULL DEFAULT '',
    industry   text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, code)
);

CREATE TABLE cases (
    tenant_id    text NOT NULL REFERENCES tenants (code),
    id           uuid NOT NULL,
    number       text NOT NULL,
    year         int NOT NULL,
    seq          int NOT NULL,
    title        text NOT NULL,
    description  text NOT NULL DEFAULT '',
    dispute_type text NOT NULL,
    source       text NOT NULL,
    referral     jsonb,
    place_code   text NOT NULL DEFAULT '',
    amount_fen   bigint NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
    status       text NOT NULL,
    risk_level   text NOT NULL,
    risk         jsonb NOT NULL,
    received_at  timestamptz NOT NULL,
    due_at       timestamptz NOT NULL,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      int NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, number),
    UNIQUE (tenant_id, year, seq)
);
CREATE INDEX cases_received ON cases (tenant_id, received_at DESC, id DESC);
CREATE INDEX cases_status ON cases (tenant_id, status, received_at DESC, id DESC);

CREATE TABLE case_parties (
    tenant_id     text NOT NULL,
    case_id       uuid NOT NULL,
    id            uuid NOT NULL,
    position      int NOT NULL,
    role          text NOT NULL CHECK (role IN ('applicant', 'respondent', 'third_party')),
    kind          text NOT NULL CHECK (kind IN ('person', 'organisation')),
    name          text NOT NULL,
    id_number_enc bytea,
    id_number_idx bytea,
    phone_enc     bytea,
    phone_idx     bytea,
    address_enc   bytea,
    gender        text NOT NULL DEFAULT '',
    birth_year    int NOT NULL DEFAULT 0,
    occupation    text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, case_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX case_parties_id_number ON case_parties (tenant_id, id_number_idx) WHERE id_number_idx IS NOT NULL;
CREATE INDEX case_parties_phone ON case_parties (tenant_id, phone_idx) WHERE phone_idx IS NOT NULL;

-- Append-only: the application may insert and read, never change or delete.
CREATE TABLE case_events (
    tenant_id  text NOT NULL,
    case_id    uuid NOT NULL,
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text NOT NULL,
    action     text NOT NULL,
    before     jsonb,
    after      jsonb,
    request_id text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, case_id, seq),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);

CREATE TABLE idempotency_keys (
    tenant_id   text NOT NULL REFERENCES tenants (code),
    key         text NOT NULL,
    fingerprint bytea NOT NULL,
    case_id     uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['case_counters', 'dispute_types', 'cases', 'case_parties', 'case_events', 'idempotency_keys'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant())', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

GRANT SELECT, INSERT, UPDATE ON case_counters, cases, case_parties TO fengqiao_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON dispute_types, idempotency_keys TO fengqiao_app;
GRANT SELECT, INSERT ON case_events TO fengqiao_app;

-- +goose Down
DROP TABLE idempotency_keys, case_events, case_parties, cases, dispute_types, case_counters;
