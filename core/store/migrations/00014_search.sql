-- Full-text search over cases (智能检索) and the case library (案例库).
--
-- PostgreSQL cannot split Chinese into words, so the application does (core/search, gse) and
-- stores the result as tsvector values it writes itself — no text-search configuration is
-- involved, so the database's locale cannot change the words. A case's document is split in
-- two: `doc` (title, weight A; description, weight C) is searched by every reader of cases;
-- `names` (the parties' names, weight B) only for callers allowed to see parties' personal data.
--
-- The library holds exemplary concluded cases, anonymised when submitted; a reviewer
-- publishes or rejects them. Entries are visible within their tenant only.

-- +goose Up
CREATE TABLE case_search (
    tenant_id  text NOT NULL,
    case_id    uuid NOT NULL,
    doc        tsvector NOT NULL,
    names      tsvector NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, case_id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX case_search_doc ON case_search USING gin (doc);
CREATE INDEX case_search_doc_names ON case_search USING gin ((doc || names));

CREATE TABLE library_entries (
    tenant_id     text NOT NULL REFERENCES tenants (code),
    id            uuid NOT NULL,
    case_id       uuid NOT NULL,
    case_number   text NOT NULL,
    title         text NOT NULL,
    summary       text NOT NULL,
    dispute_type  text NOT NULL,
    outcome       text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'guided', 'closed')),
    tags          text[] NOT NULL DEFAULT '{}',
    status        text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'published', 'rejected')),
    submitted_by  text NOT NULL,
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    reviewed_by   text NOT NULL DEFAULT '',
    reviewed_at   timestamptz,
    review_reason text NOT NULL DEFAULT '',
    doc           tsvector NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    CHECK ((status = 'submitted') = (reviewed_at IS NULL))
);
-- A case is in the library at most once, unless its earlier submissions were rejected.
CREATE UNIQUE INDEX library_entries_case ON library_entries (tenant_id, case_id) WHERE status <> 'rejected';
CREATE INDEX library_entries_doc ON library_entries USING gin (doc);
CREATE INDEX library_entries_listing ON library_entries (tenant_id, status, submitted_at DESC, id DESC);

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['case_search', 'library_entries'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant())', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

GRANT SELECT, INSERT, UPDATE ON case_search, library_entries TO fengqiao_app;

-- +goose Down
DROP TABLE library_entries, case_search;
