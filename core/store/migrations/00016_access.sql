-- Cross-agency access (core/access, core/authz): who a principal is beyond its roles, and the
-- per-case facts from which the platform computes a principal's relationship to a case.
--
-- * users.organisation_id / api_tokens.organisation_id: the organisation of the tenant a user
--   or an agency system works for (a court, a police station, a mediation committee). Bureau
--   staff have none.
-- * case_links: agencies linked to a case (a warning addressed to a police station, joint
--   handling, a regional plugin's linkage) and users assigned to it as its mediators.
-- * case_shares: one case shared with another agency or tenant for a stated purpose until a
--   date, revocable. The share lives in the case's tenant; the grantee tenant may read the
--   shares addressed to it (to list the cases shared with it), never write them.

-- +goose Up
ALTER TABLE users ADD COLUMN organisation_id uuid;
ALTER TABLE users ADD FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id);
ALTER TABLE api_tokens ADD COLUMN organisation_id uuid;
ALTER TABLE api_tokens ADD FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id);

-- The referring agency as a column of its own, for the agency's list of the cases it referred.
-- (A condition on referral ->> 'agency_id' cannot use an index under row-level security: ->>
-- is not leakproof, so PostgreSQL checks the tenant first and filters every referral after.)
ALTER TABLE cases ADD COLUMN referral_agency_id uuid GENERATED ALWAYS AS (
    CASE WHEN referral ->> 'agency_id' ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
         THEN (referral ->> 'agency_id')::uuid END) STORED;
CREATE INDEX cases_referral_agency ON cases (tenant_id, referral_agency_id, received_at DESC, id DESC)
    WHERE referral_agency_id IS NOT NULL;
CREATE INDEX cases_committee ON cases (tenant_id, committee_id, received_at DESC, id DESC)
    WHERE committee_id IS NOT NULL;

CREATE TABLE case_links (
    tenant_id  text NOT NULL,
    case_id    uuid NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('organisation', 'user')),
    party_id   uuid NOT NULL,
    reason     text NOT NULL CHECK (reason IN ('warning', 'joint', 'linkage', 'mediator', 'manual')),
    note       text NOT NULL DEFAULT '',
    -- The case's intake time (never changes), so a party's list reads its newest links in
    -- order from the index below.
    received_at timestamptz NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, case_id, kind, party_id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
-- A linked agency's or mediator's own list, newest first.
CREATE INDEX case_links_party ON case_links (tenant_id, kind, party_id, received_at DESC, case_id DESC);

CREATE TABLE case_shares (
    tenant_id       text NOT NULL,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id         uuid NOT NULL,
    grantee_tenant  text NOT NULL REFERENCES tenants (code),
    -- An organisation of the grantee tenant, or NULL: every user of the grantee tenant.
    grantee_org     uuid,
    scope           text NOT NULL CHECK (scope IN ('summary', 'parties')),
    purpose         text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 500),
    expires_at      timestamptz NOT NULL,
    received_at     timestamptz NOT NULL, -- the case's intake time, for the grantee's list
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz,
    revoked_by      text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    CHECK (expires_at > created_at)
);
CREATE INDEX case_shares_case ON case_shares (tenant_id, case_id) WHERE revoked_at IS NULL;
-- The grantee's list, newest first: in the sharing tenant (lists) and across tenants
-- (listSharedWithMe).
CREATE INDEX case_shares_list ON case_shares (tenant_id, grantee_tenant, received_at DESC, case_id DESC) WHERE revoked_at IS NULL;
CREATE INDEX case_shares_grantee ON case_shares (grantee_tenant, grantee_org, expires_at) WHERE revoked_at IS NULL;

-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE case_links ENABLE ROW LEVEL SECURITY;
    ALTER TABLE case_links FORCE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON case_links USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());

    ALTER TABLE case_shares ENABLE ROW LEVEL SECURITY;
    ALTER TABLE case_shares FORCE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON case_shares USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
    -- The grantee tenant sees the shares addressed to it (read only).
    CREATE POLICY grantee_read ON case_shares FOR SELECT USING (grantee_tenant = current_tenant());

    GRANT SELECT, INSERT, UPDATE, DELETE ON case_links, case_shares TO fengqiao_app;
END
$$;
-- +goose StatementEnd

-- The authentication check also returns the user's organisation.
DROP FUNCTION principal_state(text, uuid);
-- +goose StatementBegin
CREATE FUNCTION principal_state(p_tenant text, p_user uuid, OUT user_status text, OUT tenant_status text, OUT organisation_id uuid)
    LANGUAGE plpgsql VOLATILE
    AS $$
BEGIN
    PERFORM set_config('fengqiao.tenant', p_tenant, true);
    SELECT u.status, t.status, u.organisation_id INTO user_status, tenant_status, organisation_id
    FROM users u JOIN tenants t ON t.code = u.tenant_id
    WHERE u.tenant_id = p_tenant AND u.id = p_user;
    PERFORM set_config('fengqiao.tenant', '', true);
END
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION principal_state(text, uuid) TO fengqiao_app;

-- +goose Down
DROP FUNCTION principal_state(text, uuid);
-- +goose StatementBegin
CREATE FUNCTION principal_state(p_tenant text, p_user uuid, OUT user_status text, OUT tenant_status text)
    LANGUAGE plpgsql VOLATILE
    AS $$
BEGIN
    PERFORM set_config('fengqiao.tenant', p_tenant, true);
    SELECT u.status, t.status INTO user_status, tenant_status
    FROM users u JOIN tenants t ON t.code = u.tenant_id
    WHERE u.tenant_id = p_tenant AND u.id = p_user;
    PERFORM set_config('fengqiao.tenant', '', true);
END
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION principal_state(text, uuid) TO fengqiao_app;
DROP TABLE case_shares;
DROP TABLE case_links;
DROP INDEX cases_committee;
DROP INDEX cases_referral_agency;
ALTER TABLE cases DROP COLUMN referral_agency_id;
ALTER TABLE api_tokens DROP COLUMN organisation_id;
ALTER TABLE users DROP COLUMN organisation_id;
