-- What happens to a case after intake: routing to a committee, mediation sessions, the outcome
-- (agreement or the channel it was guided to), judicial confirmation, performance, follow-ups.

-- +goose Up
ALTER TABLE cases
    ADD COLUMN committee_id uuid,
    ADD COLUMN outcome jsonb,
    ADD COLUMN agreement jsonb,
    ADD COLUMN confirmation jsonb,
    ADD COLUMN performance text NOT NULL DEFAULT '' CHECK (performance IN ('', 'performed', 'recanted')),
    ADD COLUMN concluded_at timestamptz;

CREATE TABLE case_sessions (
    tenant_id    text NOT NULL,
    case_id      uuid NOT NULL,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    at           timestamptz NOT NULL,
    mode         text NOT NULL CHECK (mode IN ('in_person', 'phone', 'online', 'video')),
    summary      text NOT NULL DEFAULT '',
    mediators    text[] NOT NULL DEFAULT '{}',
    participants text[] NOT NULL DEFAULT '{}',
    recorded_by  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, case_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);

CREATE TABLE case_follow_ups (
    tenant_id text NOT NULL,
    case_id   uuid NOT NULL,
    id        uuid NOT NULL DEFAULT gen_random_uuid(),
    due_at    timestamptz NOT NULL,
    done_at   timestamptz,
    result    text NOT NULL DEFAULT '',
    note      text NOT NULL DEFAULT '',
    done_by   text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, case_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX case_follow_ups_due ON case_follow_ups (tenant_id, due_at) WHERE done_at IS NULL;

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['case_sessions', 'case_follow_ups'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant())', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

GRANT SELECT, INSERT ON case_sessions TO fengqiao_app;
GRANT SELECT, INSERT, UPDATE ON case_follow_ups TO fengqiao_app;

-- +goose Down
DROP TABLE case_follow_ups, case_sessions;
ALTER TABLE cases DROP COLUMN committee_id, DROP COLUMN outcome, DROP COLUMN agreement, DROP COLUMN confirmation,
    DROP COLUMN performance, DROP COLUMN concluded_at;
