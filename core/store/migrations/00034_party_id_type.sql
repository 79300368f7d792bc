-- +goose Up
-- A person's identity document (证件类型) is recorded beside its number (issue 14, item 8):
-- resident ID cards, travel and residence permits of Hong Kong, Macao and Taiwan residents,
-- passports, foreign permanent resident ID cards (the codes of core/pii's DocTypes; the
-- application validates them). Every number stored before is a resident ID card's (the only
-- one accepted then); an organisation's number is its unified social credit code, of no type.
ALTER TABLE case_parties ADD COLUMN id_type text NOT NULL DEFAULT 'resident_id';

-- The owner reads every tenant's parties for this one statement: row-level security is
-- forced again before the migration's transaction commits.
ALTER TABLE case_parties NO FORCE ROW LEVEL SECURITY;
UPDATE case_parties SET id_type = '' WHERE kind = 'organisation';
ALTER TABLE case_parties FORCE ROW LEVEL SECURITY;

-- +goose Down
ALTER TABLE case_parties DROP COLUMN id_type;
