-- The open cases of a tenant, newest first (issue 15: the console's "overdue" queue).
--
-- The overdue filter of the case list (`overdue=true`) keeps the cases not concluded and not
-- transferred whose time limit or first-contact deadline has passed. Over cases_received it
-- walked every case of the tenant to find a page of them — 100,300 rows read to return none in
-- a district of 100,000 closed cases, 280 ms p50 (docs/benchmarks.md, issue 15). Open cases are
-- a small share of a district's: this partial index holds only them, and its predicate is the
-- filter's own, so the planner walks it instead (0.2 ms on the same data).

-- +goose Up
CREATE INDEX cases_open ON cases (tenant_id, received_at DESC, id DESC)
    WHERE status NOT IN ('succeeded', 'failed', 'guided', 'closed') AND transferred_to IS NULL;

-- +goose Down
DROP INDEX cases_open;
