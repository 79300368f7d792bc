-- Judicial confirmation names a court of the district's registry (issue 14, item 1):
-- confirmation.court_id is the confirming court, which reads the agreement it confirms (the
-- relationship "confirming_court"). Lists of a court's clerk look cases up by it.

-- +goose Up
CREATE INDEX cases_confirming_court ON cases (tenant_id, (confirmation ->> 'court_id'))
    WHERE confirmation IS NOT NULL;

-- +goose Down
DROP INDEX cases_confirming_court;
