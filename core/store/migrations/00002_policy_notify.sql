-- Every change of the authorization rules notifies the servers (channel fengqiao_policy) when its
-- transaction commits, so each instance reloads its in-memory rules: a user created by
-- `fengqiao admin create` or by another instance can act at once. The payload names the
-- process that made the change (session setting fengqiao.origin), so it can skip its own.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION notify_policy_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('fengqiao_policy', coalesce(current_setting('fengqiao.origin', true), ''));
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER casbin_rule_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON casbin_rule
    FOR EACH STATEMENT EXECUTE FUNCTION notify_policy_change();

-- +goose Down
DROP TRIGGER casbin_rule_notify ON casbin_rule;
DROP FUNCTION notify_policy_change();
