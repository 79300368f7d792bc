-- Plugins' own fields of a case: {"<plugin>": {...}}, each plugin writing only its own object
-- (host permission cases.fields) — a linkage's state, a certification's score. Not the case's
-- data: writing them does not change the case's version.

-- +goose Up
ALTER TABLE cases ADD COLUMN plugin_fields jsonb NOT NULL DEFAULT '{}'::jsonb;

-- +goose Down
ALTER TABLE cases DROP COLUMN plugin_fields;
