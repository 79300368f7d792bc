-- The registry of a district: organisations (mediation committees, brand studios, judicial
-- offices, partner agencies), people's mediators and the expert pool. Nothing is deleted: a
-- record leaves service with status 'inactive'. Names sort by code point (COLLATE "C"), the
-- same on every deployment, which keeps the (name, id) cursors of the listings stable.

-- +goose Up
CREATE TABLE organisations (
    tenant_id     text NOT NULL REFERENCES tenants (code),
    id            uuid NOT NULL,
    kind          text NOT NULL,
    name          text COLLATE "C" NOT NULL CHECK (name <> ''),
    street_code   text NOT NULL DEFAULT '' CHECK (street_code = '' OR street_code ~ '^[0-9]{9}$'),
    village_code  text NOT NULL DEFAULT '' CHECK (village_code = '' OR (village_code ~ '^[0-9]{12}$' AND left(village_code, 9) = street_code)),
    industry      text NOT NULL DEFAULT '',
    stationed_at  text NOT NULL DEFAULT '',
    mediator_name text NOT NULL DEFAULT '',
    contact       jsonb NOT NULL DEFAULT '{}'::jsonb,
    webhook_url   text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
-- A name is unique among the tenant's active organisations; a deactivated one frees its name.
CREATE UNIQUE INDEX organisations_active_name ON organisations (tenant_id, name) WHERE status = 'active';
CREATE INDEX organisations_name ON organisations (tenant_id, name, id);
CREATE INDEX organisations_kind ON organisations (tenant_id, kind, name, id);
-- Routing by territory (小事不出村居、大事不出街镇) looks committees up by street.
CREATE INDEX organisations_street ON organisations (tenant_id, street_code, kind) WHERE street_code <> '';

CREATE TABLE mediators (
    tenant_id          text NOT NULL REFERENCES tenants (code),
    id                 uuid NOT NULL,
    name               text COLLATE "C" NOT NULL CHECK (name <> ''),
    kind               text NOT NULL CHECK (kind IN ('full_time', 'part_time')),
    certificate_number text NOT NULL DEFAULT '',
    grade              text NOT NULL DEFAULT '',
    chief              boolean NOT NULL DEFAULT false,
    specialities       text[] NOT NULL DEFAULT '{}',
    organisation_id    uuid NOT NULL,
    phone              text NOT NULL DEFAULT '',
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    credit_score       int NOT NULL DEFAULT 100 CHECK (credit_score BETWEEN 0 AND 100),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id)
);
CREATE INDEX mediators_name ON mediators (tenant_id, name, id);
CREATE INDEX mediators_organisation ON mediators (tenant_id, organisation_id, name, id);

CREATE TABLE experts (
    tenant_id    text NOT NULL REFERENCES tenants (code),
    id           uuid NOT NULL,
    name         text COLLATE "C" NOT NULL CHECK (name <> ''),
    field        text NOT NULL,
    specialities text[] NOT NULL DEFAULT '{}',
    organisation text NOT NULL DEFAULT '',
    phone        text NOT NULL DEFAULT '',
    note         text NOT NULL DEFAULT '',
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX experts_name ON experts (tenant_id, name, id);

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['organisations', 'mediators', 'experts'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant())', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- No DELETE: records are deactivated, never removed.
GRANT SELECT, INSERT, UPDATE ON organisations, mediators, experts TO fengqiao_app;

-- +goose Down
DROP TABLE experts, mediators, organisations;
