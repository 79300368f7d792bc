-- Mediators who are people in the system (issue 14, item 5): a registry mediator may be linked
-- to a user account of its tenant (one user, at most one mediator); a case names the registry
-- mediators assigned to it (the first is the lead, 主办) and the experts attached to it; sessions
-- keep the registry ids of who was present beside their names; bureaus above a district read
-- its registry.

-- +goose Up
ALTER TABLE mediators ADD COLUMN user_id uuid,
    ADD FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id);
CREATE UNIQUE INDEX mediators_user ON mediators (tenant_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX mediators_chief ON mediators (tenant_id, chief, status);

-- The mediators assigned to a case, in order (position 0 is the lead mediator). received_at is
-- the case's intake time, so that a mediator's list reads this table's index newest first, as
-- the lists of links and shares do.
CREATE TABLE case_mediators (
    tenant_id   text NOT NULL,
    case_id     uuid NOT NULL,
    mediator_id uuid NOT NULL,
    position    int NOT NULL CHECK (position >= 0),
    received_at timestamptz NOT NULL,
    assigned_by text NOT NULL,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, case_id, mediator_id),
    UNIQUE (tenant_id, case_id, position),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, mediator_id) REFERENCES mediators (tenant_id, id)
);
CREATE INDEX case_mediators_list ON case_mediators (tenant_id, mediator_id, received_at DESC, case_id DESC);

-- The experts of the pool (专家库) attached to a case.
CREATE TABLE case_experts (
    tenant_id   text NOT NULL,
    case_id     uuid NOT NULL,
    expert_id   uuid NOT NULL,
    position    int NOT NULL CHECK (position >= 0),
    attached_by text NOT NULL,
    attached_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, case_id, expert_id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, expert_id) REFERENCES experts (tenant_id, id)
);

-- Sessions name who was present by registry id; the names (mediators, participants) are kept
-- as written at the time, and older sessions have names only.
ALTER TABLE case_sessions ADD COLUMN mediator_ids uuid[] NOT NULL DEFAULT '{}',
    ADD COLUMN expert_ids uuid[] NOT NULL DEFAULT '{}';

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['case_mediators', 'case_experts'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant())', t);
    END LOOP;
    -- Bureaus above a district read its registry (read only), as they read its figures.
    FOREACH t IN ARRAY ARRAY['organisations', 'mediators', 'experts'] LOOP
        EXECUTE format('CREATE POLICY subtree_read ON %I FOR SELECT USING (tenant_id IN (SELECT code FROM tenants WHERE ancestors @> ARRAY[current_tenant()]))', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

GRANT SELECT, INSERT, DELETE ON case_mediators, case_experts TO fengqiao_app;

-- +goose Down
DROP POLICY subtree_read ON experts;
DROP POLICY subtree_read ON mediators;
DROP POLICY subtree_read ON organisations;
DROP TABLE case_experts, case_mediators;
ALTER TABLE case_sessions DROP COLUMN expert_ids, DROP COLUMN mediator_ids;
DROP INDEX mediators_chief;
DROP INDEX mediators_user;
ALTER TABLE mediators DROP COLUMN user_id;
