-- A tenant may mark a plugin's before-hooks mandatory: while the plugin is deactivated (after
-- repeated crashes) the actions it checks are refused there (503) instead of proceeding
-- unchecked, marked (docs/plugins.md, "Deactivation").

-- +goose Up
ALTER TABLE plugin_tenants ADD COLUMN mandatory boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE plugin_tenants DROP COLUMN mandatory;
