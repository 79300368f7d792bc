-- First contact with the parties within a number of working days of intake (e.g. one).

-- +goose Up
ALTER TABLE cases
    ADD COLUMN first_contact_due_at timestamptz,
    ADD COLUMN contacted_at timestamptz;
ALTER TABLE case_settings ADD COLUMN first_contact_working_days int NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE case_settings DROP COLUMN first_contact_working_days;
ALTER TABLE cases DROP COLUMN first_contact_due_at, DROP COLUMN contacted_at;
