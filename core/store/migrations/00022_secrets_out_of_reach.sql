-- Keys no longer live where the data lives (issue 12): the server takes them from its
-- configuration or its key file (security.key_file), and a dump of the database must not hold
-- them. Installations of before keep rows in platform_secrets until the owner runs
-- `fengqiao keys migrate`, which moves them to the key file and deletes them; the application
-- role loses every privilege on the table, so no server can read a key from it again.
--
-- platform_secrets_remain tells the server — as the application role, which can no longer read
-- the table — that keys are still waiting to be moved, so that it refuses to start with other
-- keys than those that sealed the data. It returns one boolean and nothing of the keys: the one
-- SECURITY DEFINER function of the schema, with a fixed search_path.

-- +goose Up
REVOKE ALL ON platform_secrets FROM fengqiao_app;

CREATE FUNCTION platform_secrets_remain() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT EXISTS (SELECT 1 FROM public.platform_secrets) $$;
REVOKE ALL ON FUNCTION platform_secrets_remain() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION platform_secrets_remain() TO fengqiao_app;

-- +goose Down
DROP FUNCTION platform_secrets_remain();
GRANT SELECT, INSERT ON platform_secrets TO fengqiao_app;
