-- Changes of the authorization rules travel as the rows themselves, so the other servers apply
-- them incrementally instead of reloading every rule (replaces the statement-level trigger of
-- 00002). Each changed row notifies channel fengqiao_policy when its transaction commits, with a
-- JSON payload:
--
--   {"origin" : "<fengqiao.origin of the session, '' if unset>", "seq" : <n>, "op" : "add" | "remove" | "reload",
--    "row" : ["<ptype>", "<v0>", …, "<v5>"]}          ("row" only with add and remove)
--
-- INSERT sends add, DELETE remove, UPDATE remove (the old row) then add (the new one). TRUNCATE
-- sends one reload; so does a row whose payload would not fit NOTIFY's limit (8000 bytes).
--
-- seq counts the notifications of the transaction (a transaction-local setting). PostgreSQL
-- delivers a transaction's notifications in order but drops every later payload identical to
-- an earlier one of the same transaction, adjacent or not: without seq, "add X; remove X; add X"
-- in one transaction would arrive as "add X; remove X" and leave X missing on the other servers
-- although it is stored. With seq no two payloads of a transaction are identical, so all arrive.
-- A savepoint rolled back discards its notifications and its increments of seq together.

-- +goose Up
DROP TRIGGER casbin_rule_notify ON casbin_rule;
DROP FUNCTION notify_policy_change();

-- +goose StatementBegin
CREATE FUNCTION notify_policy(op text, rule json) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    seq     bigint := coalesce(nullif(current_setting('fengqiao.policy_seq', true), ''), '0')::bigint + 1;
    origin  text   := coalesce(current_setting('fengqiao.origin', true), '');
    payload text;
BEGIN
    PERFORM set_config('fengqiao.policy_seq', seq::text, true);
    IF rule IS NOT NULL THEN
        payload := json_build_object('origin', origin, 'seq', seq, 'op', op, 'row', rule)::text;
    END IF;
    IF rule IS NULL OR octet_length(payload) >= 8000 THEN
        payload := json_build_object('origin', origin, 'seq', seq, 'op', 'reload')::text;
    END IF;
    PERFORM pg_notify('fengqiao_policy', payload);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION notify_policy_row() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM notify_policy('remove', json_build_array(OLD.ptype, OLD.v0, OLD.v1, OLD.v2, OLD.v3, OLD.v4, OLD.v5));
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM notify_policy('add', json_build_array(NEW.ptype, NEW.v0, NEW.v1, NEW.v2, NEW.v3, NEW.v4, NEW.v5));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION notify_policy_reload() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_policy('reload', NULL);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER casbin_rule_notify_row AFTER INSERT OR UPDATE OR DELETE ON casbin_rule
    FOR EACH ROW EXECUTE FUNCTION notify_policy_row();
CREATE TRIGGER casbin_rule_notify_truncate AFTER TRUNCATE ON casbin_rule
    FOR EACH STATEMENT EXECUTE FUNCTION notify_policy_reload();

-- +goose Down
DROP TRIGGER casbin_rule_notify_truncate ON casbin_rule;
DROP TRIGGER casbin_rule_notify_row ON casbin_rule;
DROP FUNCTION notify_policy_reload();
DROP FUNCTION notify_policy_row();
DROP FUNCTION notify_policy(text, json);

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
