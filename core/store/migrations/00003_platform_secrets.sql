-- Secrets of the platform kept in the database, so that every server instance shares them
-- without configuration: the signing key of login tokens when auth.token_key is not set.

-- +goose Up
CREATE TABLE platform_secrets (
    name       text PRIMARY KEY,
    value      bytea NOT NULL CHECK (length(value) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT ON platform_secrets TO fengqiao_app;

-- +goose Down
DROP TABLE platform_secrets;
