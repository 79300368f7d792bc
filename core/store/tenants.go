package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/jackc/pgx/v5"
)

const tenantColumns = `code, name, full_name, level, coalesce(parent_code, ''), ancestors, status, status_reason,
	display_name, contact, enabled_plugins, placement, created_at, updated_at`

func scanTenant(row pgx.Row) (tenant.Tenant, error) {
	var (
		t       tenant.Tenant
		level   string
		status  string
		contact []byte
	)
	err := row.Scan(&t.Code, &t.Name, &t.FullName, &level, &t.ParentCode, &t.Ancestors, &status, &t.StatusReason,
		&t.DisplayName, &contact, &t.EnabledPlugins, &t.Placement, &t.CreatedAt, &t.UpdatedAt)
	if err != nil {
		return t, err
	}
	t.Level, t.Status = division.Level(level), tenant.Status(status)
	if len(contact) > 0 {
		if err := json.Unmarshal(contact, &t.Contact); err != nil {
			return t, fmt.Errorf("tenant %s contact: %w", t.Code, err)
		}
	}
	return t, nil
}

// appendAudit records an event of a tenant in the transaction; the actor comes from ctx.
func appendAudit(ctx context.Context, tx pgx.Tx, tenantCode, action, object string, before, after any) error {
	a := audit.ActorFrom(ctx)
	var b, af []byte
	var err error
	if before != nil {
		if b, err = json.Marshal(before); err != nil {
			return err
		}
	}
	if after != nil {
		if af, err = json.Marshal(after); err != nil {
			return err
		}
	}
	// The event belongs to the tenant changed, which may lie below the transaction's tenant (a
	// province suspending a district): row-level security checks it against its own tenant.
	var prev string
	if err := tx.QueryRow(ctx, "SELECT coalesce(current_setting('fengqiao.tenant', true), '')").Scan(&prev); err != nil {
		return err
	}
	if prev != tenantCode {
		if err := setTenant(ctx, tx, tenantCode); err != nil {
			return err
		}
	}
	if _, err = tx.Exec(ctx, `INSERT INTO audit_events (tenant_id, actor, action, object, before, after, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, tenantCode, a.Subject, action, object, b, af, a.RequestID); err != nil {
		return err
	}
	if prev != tenantCode {
		return setTenant(ctx, tx, prev)
	}
	return nil
}

// OnboardResult says which requested tenants were created and which existed already.
type OnboardResult = tenant.OnboardResult

// Onboard makes the plan's tenants and offices exist, acting within scope (the caller's
// tenant). It is idempotent: rows that exist are left as they are.
func (s *TenantDB) Onboard(ctx context.Context, scope string, plan tenant.Plan) (tenant.OnboardResult, error) {
	var res tenant.OnboardResult
	err := s.inTenant(ctx, scope, func(tx pgx.Tx) error {
		n := len(plan.Tenants)
		codes, names, fulls, levels, parents := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		ancestors := make([]string, n) // text[] literals: pgx cannot bind ragged text[][] to unnest
		for i, t := range plan.Tenants {
			codes[i], names[i], fulls[i], levels[i], parents[i] = t.Code, t.Name, t.FullName, string(t.Level), t.ParentCode
			ancestors[i] = "{" + strings.Join(t.Ancestors, ",") + "}"
		}
		rows, err := tx.Query(ctx, `
			INSERT INTO tenants (code, name, full_name, level, parent_code, ancestors, placement)
			SELECT c, nm, fn, lv, nullif(pc, ''), an::text[], $7
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(c, nm, fn, lv, pc, an)
			ORDER BY array_length(an::text[], 1), c
			ON CONFLICT (code) DO NOTHING
			RETURNING code`, codes, names, fulls, levels, parents, ancestors, tenant.DefaultPlacement)
		if err != nil {
			return err
		}
		created, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return translateTenantErr(err)
		}
		isNew := make(map[string]bool, len(created))
		for _, c := range created {
			isNew[c] = true
		}
		res.CreatedAncestors = []string{}
		for _, c := range created {
			if !contains(plan.Requested, c) {
				res.CreatedAncestors = append(res.CreatedAncestors, c)
			}
		}
		res.Created, res.Existing = []string{}, []string{}
		for _, c := range plan.Requested {
			if isNew[c] {
				res.Created = append(res.Created, c)
			} else {
				res.Existing = append(res.Existing, c)
			}
		}
		if res.OfficesCreated, err = insertOffices(ctx, tx, scope, plan.Offices); err != nil {
			return err
		}
		if len(created) > 0 || res.OfficesCreated > 0 {
			return appendAudit(ctx, tx, scope, "tenant.onboard", strings.Join(plan.Requested, ","), nil,
				map[string]any{"created": created, "offices_created": res.OfficesCreated})
		}
		return nil
	})
	return res, err
}

// insertOffices inserts judicial offices district by district, switching the tenant setting
// so row-level security checks each row against its own district; one round trip in all.
func insertOffices(ctx context.Context, tx pgx.Tx, scope string, offices []tenant.Office) (int, error) {
	if len(offices) == 0 {
		return 0, nil
	}
	byTenant := map[string][]tenant.Office{}
	var order []string
	for _, o := range offices {
		// Switching the setting to the office's district must never reach outside the scope.
		if !division.Contains(scope, o.TenantCode) {
			return 0, fmt.Errorf("%w: office of %s", tenant.ErrOutsideScope, o.TenantCode)
		}
		if _, ok := byTenant[o.TenantCode]; !ok {
			order = append(order, o.TenantCode)
		}
		byTenant[o.TenantCode] = append(byTenant[o.TenantCode], o)
	}
	// A fixed order of districts and streets: concurrent onboardings lock rows in the same order.
	slices.Sort(order)
	b := &pgx.Batch{}
	for _, code := range order {
		os := byTenant[code]
		slices.SortFunc(os, func(a, b tenant.Office) int { return strings.Compare(a.StreetCode, b.StreetCode) })
		streets, snames, names := make([]string, len(os)), make([]string, len(os)), make([]string, len(os))
		for i, o := range os {
			streets[i], snames[i], names[i] = o.StreetCode, o.StreetName, o.Name
		}
		b.Queue("SELECT set_config('fengqiao.tenant', $1, true)", code)
		b.Queue(`INSERT INTO judicial_offices (tenant_id, street_code, street_name, name)
			SELECT $1, s, sn, n FROM unnest($2::text[], $3::text[], $4::text[]) AS x(s, sn, n)
			ON CONFLICT DO NOTHING`, code, streets, snames, names)
	}
	b.Queue("SELECT set_config('fengqiao.tenant', $1, true)", scope)
	br := tx.SendBatch(ctx, b)
	total := 0
	for range order {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return 0, err
		}
		tag, err := br.Exec()
		if err != nil {
			br.Close()
			return 0, err
		}
		total += int(tag.RowsAffected())
	}
	if _, err := br.Exec(); err != nil {
		br.Close()
		return 0, err
	}
	return total, br.Close()
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func translateTenantErr(err error) error {
	switch pgCode(err) {
	case codeRLSViolation:
		return fmt.Errorf("%w: %v", tenant.ErrOutsideScope, err)
	}
	return err
}

// Tenant returns a tenant visible from scope (scope's subtree), whatever its status.
func (s *TenantDB) Tenant(ctx context.Context, scope, code string) (tenant.Tenant, error) {
	var t tenant.Tenant
	err := s.inTenant(ctx, scope, func(tx pgx.Tx) error {
		var err error
		t, err = scanTenant(tx.QueryRow(ctx, "SELECT "+tenantColumns+" FROM tenants WHERE code = $1", code))
		return err
	})
	if isNoRows(err) {
		return t, tenant.ErrNotFound
	}
	return t, err
}

// Tenants lists the tenants of scope's subtree matching f, ordered by code, after f.After.
func (s *TenantDB) Tenants(ctx context.Context, scope string, f tenant.Filter) ([]tenant.Tenant, error) {
	var out []tenant.Tenant
	err := s.inTenant(ctx, scope, func(tx pgx.Tx) error {
		q := "SELECT " + tenantColumns + " FROM tenants WHERE code > $1"
		args := []any{f.After}
		if f.Level != "" {
			args = append(args, string(f.Level))
			q += fmt.Sprintf(" AND level = $%d", len(args))
		}
		if f.Status != "" {
			args = append(args, string(f.Status))
			q += fmt.Sprintf(" AND status = $%d", len(args))
		}
		if f.Parent != "" {
			args = append(args, f.Parent)
			q += fmt.Sprintf(" AND parent_code = $%d", len(args))
		}
		if f.Within != "" {
			args = append(args, f.Within)
			q += fmt.Sprintf(" AND ancestors @> ARRAY[$%d::text]", len(args))
		}
		if f.Query != "" {
			args = append(args, "%"+escapeLike(f.Query)+"%")
			q += fmt.Sprintf(" AND (full_name LIKE $%d OR display_name LIKE $%d OR code LIKE $%d)", len(args), len(args), len(args))
		}
		args = append(args, f.Limit)
		q += fmt.Sprintf(" ORDER BY code LIMIT $%d", len(args))
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (tenant.Tenant, error) { return scanTenant(r) })
		return err
	})
	return out, err
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UpdateTenant applies settings to a tenant of scope's subtree.
func (s *TenantDB) UpdateTenant(ctx context.Context, scope, code string, apply func(*tenant.Tenant) error) (tenant.Tenant, error) {
	var t tenant.Tenant
	err := s.inTenant(ctx, scope, func(tx pgx.Tx) error {
		before, err := scanTenant(tx.QueryRow(ctx, "SELECT "+tenantColumns+" FROM tenants WHERE code = $1 FOR UPDATE", code))
		if err != nil {
			return err
		}
		t = before
		t.EnabledPlugins = append([]string{}, before.EnabledPlugins...)
		if err := apply(&t); err != nil {
			return err
		}
		if t.EnabledPlugins == nil {
			t.EnabledPlugins = []string{}
		}
		contact, err := json.Marshal(t.Contact)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `UPDATE tenants SET display_name = $2, contact = $3, enabled_plugins = $4, placement = $5,
				status = $6, status_reason = $7, updated_at = now()
			WHERE code = $1 RETURNING updated_at`,
			code, t.DisplayName, contact, t.EnabledPlugins, t.Placement, string(t.Status), t.StatusReason).Scan(&t.UpdatedAt)
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, code, "tenant.update", code, auditView(before), auditView(t))
	})
	if isNoRows(err) {
		return t, tenant.ErrNotFound
	}
	return t, err
}

func auditView(t tenant.Tenant) map[string]any {
	return map[string]any{"status": t.Status, "status_reason": t.StatusReason, "display_name": t.DisplayName,
		"contact": t.Contact, "enabled_plugins": t.EnabledPlugins, "placement": t.Placement}
}

// Offices lists the judicial offices of a district.
func (s *TenantDB) Offices(ctx context.Context, code string) ([]tenant.Office, error) {
	var out []tenant.Office
	err := s.inTenant(ctx, code, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT tenant_id, street_code, street_name, name, created_at FROM judicial_offices
			WHERE tenant_id = $1 ORDER BY street_code`, code)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (tenant.Office, error) {
			var o tenant.Office
			return o, r.Scan(&o.TenantCode, &o.StreetCode, &o.StreetName, &o.Name, &o.CreatedAt)
		})
		return err
	})
	return out, err
}

// AuditEvents lists the newest audit events of a tenant, before id (0: from the newest).
func (s *AuditDB) AuditEvents(ctx context.Context, code string, before int64, limit int) ([]audit.Event, error) {
	var out []audit.Event
	err := s.inTenant(ctx, code, func(tx pgx.Tx) error {
		if before <= 0 {
			before = 1<<63 - 1
		}
		rows, err := tx.Query(ctx, `SELECT id, tenant_id, at, actor, action, object, before, after, request_id
			FROM audit_events WHERE tenant_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, code, before, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (audit.Event, error) {
			var e audit.Event
			return e, r.Scan(&e.ID, &e.TenantCode, &e.At, &e.Actor, &e.Action, &e.Object, &e.Before, &e.After, &e.RequestID)
		})
		return err
	})
	return out, err
}
