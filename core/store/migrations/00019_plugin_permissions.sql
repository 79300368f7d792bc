-- The host permissions a tenant grants a plugin it enables: NULL grants every permission the
-- plugin's manifest requests; a list narrows them (core/authz.PluginGrants decides with them).

-- +goose Up
ALTER TABLE plugin_tenants ADD COLUMN permissions text[];

-- +goose Down
ALTER TABLE plugin_tenants DROP COLUMN permissions;
