-- The authentication check of every request in one round trip: the function sets the tenant
-- for its own statement (set_config(..., true) inside the implicit transaction of a single
-- statement) and reads under row-level security as the caller — no SECURITY DEFINER.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION principal_state(p_tenant text, p_user uuid, OUT user_status text, OUT tenant_status text)
    LANGUAGE plpgsql VOLATILE
    AS $$
BEGIN
    PERFORM set_config('fengqiao.tenant', p_tenant, true);
    SELECT u.status, t.status INTO user_status, tenant_status
    FROM users u JOIN tenants t ON t.code = u.tenant_id
    WHERE u.tenant_id = p_tenant AND u.id = p_user;
    PERFORM set_config('fengqiao.tenant', '', true);
END
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION principal_state(text, uuid) TO fengqiao_app;

-- +goose Down
DROP FUNCTION principal_state(text, uuid);
