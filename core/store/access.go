package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/core/warnings"
)

// This file holds the per-case facts of cross-agency access: the facts of one case
// (CaseAccess, from which access.Relationships computes a principal's relationships), the same
// relationships as SQL for lists (caseAccessCondition), case links and case shares.

// CaseAccess loads the facts of one case of the tenant that relationships are computed from.
func (s *AccessDB) CaseAccess(ctx context.Context, tenantCode, caseID string) (access.Case, error) {
	var c access.Case
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var err error
		c, err = caseAccessTx(ctx, tx, tenantCode, caseID)
		return err
	})
	if errors.Is(err, tenant.ErrNotFound) || pgCode(err) == codeInvalidText {
		return c, cases.ErrNotFound
	}
	return c, err
}

func caseAccessTx(ctx context.Context, tx pgx.Tx, tenantCode, caseID string) (access.Case, error) {
	c := access.Case{Tenant: tenantCode}
	var joint []string
	err := tx.QueryRow(ctx, `
		SELECT coalesce(committee_id::text, ''), coalesce(referral_agency_id::text, ''),
		       coalesce(array(SELECT jsonb_array_elements_text(joint -> 'tenants')), '{}'),
		       coalesce(array(SELECT party_id::text FROM case_links l WHERE l.tenant_id = c.tenant_id AND l.case_id = c.id AND l.kind = 'organisation' ORDER BY 1), '{}'),
		       coalesce(array(SELECT party_id::text FROM case_links l WHERE l.tenant_id = c.tenant_id AND l.case_id = c.id AND l.kind = 'user'
		                      UNION SELECT m.user_id::text FROM case_mediators cm JOIN mediators m ON m.tenant_id = cm.tenant_id AND m.id = cm.mediator_id
		                      WHERE cm.tenant_id = c.tenant_id AND cm.case_id = c.id AND m.user_id IS NOT NULL ORDER BY 1), '{}'),
		       coalesce(array(SELECT DISTINCT escalated_to FROM warnings w WHERE w.tenant_id = c.tenant_id AND w.case_id = c.id AND w.escalated_to <> ''), '{}')
		FROM cases c WHERE c.tenant_id = $1 AND c.id = $2`, tenantCode, caseID).
		Scan(&c.CommitteeID, &c.ReferralAgency, &joint, &c.LinkedOrgs, &c.LinkedUsers, &c.EscalatedTo)
	if isNoRows(err) {
		return c, cases.ErrNotFound
	}
	if err != nil {
		return c, err
	}
	c.JointTenants = joint
	rows, err := tx.Query(ctx, `SELECT grantee_tenant, coalesce(grantee_org::text, ''), scope, expires_at, revoked_at IS NOT NULL
		FROM case_shares WHERE tenant_id = $1 AND case_id = $2`, tenantCode, caseID)
	if err != nil {
		return c, err
	}
	c.Shares, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (access.Share, error) {
		var sh access.Share
		err := r.Scan(&sh.GranteeTenant, &sh.GranteeOrg, &sh.Scope, &sh.ExpiresAt, &sh.Revoked)
		return sh, err
	})
	return c, err
}

// accessBranch is the SQL of one relationship a list may show a case for: either a condition
// on the case row (table ""), or a table of links or shares whose rows name the cases (their
// newest-first index drives the list).
type accessBranch struct {
	cond  string // condition on the case row, the cases table named "cases"
	table string // "case_links l" or "case_shares s"
	alias string // "l" or "s"
	where string // condition on table
}

// caseAccessBranches turns the relationships a list may show (sc.Rels) into SQL, as
// access.Relationships computes them for one case: all is true when one of them holds for every
// case of the tenant (an owner's list is not filtered at all); otherwise each branch selects
// the cases of one relationship. arg binds a value and returns its placeholder.
func caseAccessBranches(sc access.Scope, tenantCode string, arg func(any) string) (all bool, out []accessBranch) {
	p := sc.Principal
	tr := access.TenantRelationship(p, tenantCode)
	same := p.Tenant == tenantCode
	org := p.Org != ""
	dom := ""
	bindDom := func() string {
		if dom == "" {
			dom = arg(tenantCode)
		}
		return dom
	}
	link := func(kind, id string) accessBranch {
		return accessBranch{table: "case_links l", alias: "l",
			where: "l.tenant_id = " + bindDom() + " AND l.kind = '" + kind + "' AND l.party_id = " + arg(id) + "::uuid"}
	}
	share := func(parties bool) accessBranch {
		w := "s.tenant_id = " + bindDom() + " AND s.revoked_at IS NULL AND s.expires_at > " + arg(sc.Now) + " AND s.grantee_tenant = " + arg(p.Tenant)
		if org {
			w += " AND (s.grantee_org IS NULL OR s.grantee_org = " + arg(p.Org) + "::uuid)"
		} else {
			w += " AND s.grantee_org IS NULL"
		}
		if parties {
			w += " AND s.scope = 'parties'"
		}
		return accessBranch{table: "case_shares s", alias: "s", where: w}
	}
	// First the relationships that hold for every case, before anything is bound.
	for _, rel := range sc.Rels {
		if (rel == access.Owner || rel == access.Member || rel == access.Ancestor) && tr == rel {
			return true, nil
		}
	}
	for _, rel := range sc.Rels {
		switch rel {
		case access.Committee:
			if org && same {
				out = append(out, accessBranch{cond: "cases.committee_id = " + arg(p.Org) + "::uuid"})
			}
		case access.Mediator:
			if p.Kind == "user" && same {
				out = append(out, link(access.LinkUser, p.ID))
				// The registry mediator the user is (at most one), as assigned to cases.
				out = append(out, accessBranch{table: "case_mediators cm", alias: "cm",
					where: "cm.tenant_id = " + bindDom() + " AND cm.mediator_id = (SELECT m.id FROM mediators m WHERE m.tenant_id = " + bindDom() +
						" AND m.user_id = " + arg(p.ID) + "::uuid)"})
			}
		case access.Referrer:
			if org && same {
				out = append(out, accessBranch{cond: "cases.referral_agency_id = " + arg(p.Org) + "::uuid"})
			}
		case access.Linked:
			if org && same {
				out = append(out, link(access.LinkOrganisation, p.Org))
			}
		case access.Grantee:
			out = append(out, share(false))
		case access.GranteeParties:
			out = append(out, share(true))
		case access.Partner:
			if !org && !same {
				out = append(out, accessBranch{cond: "coalesce(cases.joint -> 'tenants' ? " + arg(p.Tenant) + ", false)"})
			}
		case access.Escalated:
			if tr == access.Ancestor {
				out = append(out, accessBranch{cond: "cases.id IN (SELECT w.case_id FROM warnings w WHERE w.tenant_id = " + bindDom() + " AND w.escalated_to = " + arg(p.Tenant) + ")"})
			}
		}
	}
	return false, out
}

// caseAccessCondition is caseAccessBranches as one condition over the cases table named t:
// "TRUE", "FALSE", or the branches joined by OR (a link or share branch as an uncorrelated
// IN, which PostgreSQL evaluates once and probes by hash).
func caseAccessCondition(sc access.Scope, tenantCode, t string, arg func(any) string) string {
	all, branches := caseAccessBranches(sc, tenantCode, arg)
	switch {
	case all:
		return "TRUE"
	case len(branches) == 0:
		return "FALSE"
	}
	terms := make([]string, len(branches))
	for i, b := range branches {
		if b.table == "" {
			terms[i] = strings.ReplaceAll(b.cond, "cases.", t+".")
		} else {
			terms[i] = t + ".id IN (SELECT " + b.alias + ".case_id FROM " + b.table + " WHERE " + b.where + ")"
		}
	}
	return "(" + strings.Join(terms, " OR ") + ")"
}

// listPage is the page a list query reads: conditions on the cases table named "cases"
// (the tenant, the filters, the cursor), whether there are filters besides the tenant and the
// cursor, the cursor's placeholders, and the page size's.
type listPage struct {
	where              string
	filtered           bool
	afterTime, afterID string // "" without a cursor
	limit              string
}

// caseAccessList is the list query of the cases of page the principal may see, newest first:
// one branch per relationship, each read newest first from its own index and cut at the page
// size, merged. (A single OR condition would walk the tenant's newest cases and test each: slow
// for an agency that sees one case in a hundred.) Without filters, a branch of links or shares
// reads its index alone — it holds the cases' intake times.
func caseAccessList(branches []accessBranch, page listPage) string {
	parts := make([]string, len(branches))
	for i, b := range branches {
		var from, where, at, id string
		switch {
		case b.table == "":
			from, where, at, id = "cases", page.where+" AND "+b.cond, "cases.received_at", "cases.id"
		case !page.filtered:
			from, where, at, id = b.table, b.where, b.alias+".received_at", b.alias+".case_id"
			if page.afterID != "" {
				where += " AND (" + at + ", " + id + ") < (" + page.afterTime + ", " + page.afterID + ")"
			}
		default:
			// Ordered by the link's (or share's) own copy of the intake time: its index gives
			// the order, and the walk stops at the page size.
			from = b.table + " JOIN cases ON cases.tenant_id = " + b.alias + ".tenant_id AND cases.id = " + b.alias + ".case_id"
			where, at, id = page.where+" AND "+b.where, b.alias+".received_at", b.alias+".case_id"
		}
		parts[i] = "(SELECT DISTINCT " + at + " AS received_at, " + id + " AS id FROM " + from + " WHERE " + where +
			" ORDER BY " + at + " DESC, " + id + " DESC LIMIT " + page.limit + ")"
	}
	return "SELECT " + caseColumns + " FROM cases WHERE " + page.where + " AND cases.id IN (SELECT u.id FROM (" + strings.Join(parts, " UNION ") +
		") u ORDER BY u.received_at DESC, u.id DESC LIMIT " + page.limit + ") ORDER BY cases.received_at DESC, cases.id DESC LIMIT " + page.limit
}

const shareColumns = `id::text, tenant_id, case_id::text, grantee_tenant, coalesce(grantee_org::text, ''), scope, purpose, expires_at,
	created_by, created_at, revoked_at, revoked_by`

func scanShare(row pgx.Row) (access.CaseShare, error) {
	var s access.CaseShare
	err := row.Scan(&s.ID, &s.Tenant, &s.CaseID, &s.GranteeTenant, &s.GranteeOrg, &s.Scope, &s.Purpose, &s.ExpiresAt,
		&s.CreatedBy, &s.CreatedAt, &s.RevokedAt, &s.RevokedBy)
	return s, err
}

// CreateShare records a share of a case (validated by access.CheckShare) and audits it. The
// grantee tenant must exist and the grantee organisation, if any, be an active organisation of
// it.
func (s *AccessDB) CreateShare(ctx context.Context, sh access.CaseShare) (access.CaseShare, error) {
	var out access.CaseShare
	err := s.inTenant(ctx, sh.Tenant, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, sh.Tenant); err != nil {
			return err
		}
		if _, err := caseAccessTx(ctx, tx, sh.Tenant, sh.CaseID); err != nil {
			return err
		}
		// The grantee lies outside the case's tenant: look it up under its own setting.
		if err := setTenant(ctx, tx, sh.GranteeTenant); err != nil {
			return err
		}
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tenants WHERE code = $1 AND status = 'active')`, sh.GranteeTenant).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return access.InvalidField("grantee_tenant", "不是在用的租户 / not an active tenant")
		}
		if sh.GranteeOrg != "" {
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organisations WHERE tenant_id = $1 AND id::text = $2 AND status = 'active')`,
				sh.GranteeTenant, sh.GranteeOrg).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return access.InvalidField("grantee_organisation_id", "不是被共享租户的在用组织 / not an active organisation of the grantee tenant")
			}
		}
		if err := setTenant(ctx, tx, sh.Tenant); err != nil {
			return err
		}
		var err error
		out, err = scanShare(tx.QueryRow(ctx, `INSERT INTO case_shares (tenant_id, case_id, grantee_tenant, grantee_org, scope, purpose, expires_at, created_by, received_at)
			SELECT $1, $2, $3, nullif($4, '')::uuid, $5, $6, $7, $8, received_at FROM cases WHERE tenant_id = $1 AND id = $2 RETURNING `+shareColumns,
			sh.Tenant, sh.CaseID, sh.GranteeTenant, sh.GranteeOrg, sh.Scope, sh.Purpose, sh.ExpiresAt, sh.CreatedBy))
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, sh.Tenant, "case.share", "case:"+sh.CaseID, nil, out)
	})
	if pgCode(err) == codeInvalidText {
		return out, cases.ErrNotFound
	}
	return out, err
}

// RevokeShare ends a share at once and audits it.
func (s *AccessDB) RevokeShare(ctx context.Context, tenantCode, caseID, shareID, by string) (access.CaseShare, error) {
	var out access.CaseShare
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		before, err := scanShare(tx.QueryRow(ctx, `SELECT `+shareColumns+` FROM case_shares WHERE tenant_id = $1 AND case_id = $2 AND id = $3 FOR UPDATE`, tenantCode, caseID, shareID))
		if isNoRows(err) {
			return access.ErrShareNotFound
		}
		if err != nil {
			return err
		}
		if before.RevokedAt != nil {
			return access.ErrShareRevoked
		}
		out, err = scanShare(tx.QueryRow(ctx, `UPDATE case_shares SET revoked_at = now(), revoked_by = $4
			WHERE tenant_id = $1 AND case_id = $2 AND id = $3 RETURNING `+shareColumns, tenantCode, caseID, shareID, by))
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, tenantCode, "case.share.revoke", "case:"+caseID, before, out)
	})
	if pgCode(err) == codeInvalidText {
		return out, access.ErrShareNotFound
	}
	return out, err
}

// CaseShares lists the shares of a case, newest first, revoked and expired ones included.
func (s *AccessDB) CaseShares(ctx context.Context, tenantCode, caseID string) ([]access.CaseShare, error) {
	var out []access.CaseShare
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+shareColumns+` FROM case_shares WHERE tenant_id = $1 AND case_id = $2 ORDER BY created_at DESC, id`, tenantCode, caseID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (access.CaseShare, error) { return scanShare(r) })
		return err
	})
	if pgCode(err) == codeInvalidText {
		return nil, cases.ErrNotFound
	}
	return out, err
}

// SharedWith lists the active shares a principal of the grantee tenant is covered by: those to
// the tenant as a whole, and those to org when it is not "" (the tenant's staff have none),
// newest first, across the sharing tenants.
func (s *AccessDB) SharedWith(ctx context.Context, granteeTenant, org string, now time.Time, limit int) ([]access.CaseShare, error) {
	var out []access.CaseShare
	err := s.inTenant(ctx, granteeTenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+shareColumns+` FROM case_shares
			WHERE grantee_tenant = $1 AND revoked_at IS NULL AND expires_at > $2
			  AND (grantee_org IS NULL OR grantee_org::text = $3)
			ORDER BY created_at DESC, id LIMIT $4`, granteeTenant, now, org, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (access.CaseShare, error) { return scanShare(r) })
		return err
	})
	return out, err
}

// LinkCase links an active organisation of the tenant to a case, or assigns a user of the
// tenant as one of its mediators; linking again updates the reason and note. Audited.
func (s *AccessDB) LinkCase(ctx context.Context, tenantCode, caseID string, l access.Link) (access.Link, error) {
	var out access.Link
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, tenantCode); err != nil {
			return err
		}
		if _, err := caseAccessTx(ctx, tx, tenantCode, caseID); err != nil {
			return err
		}
		var ok bool
		q := `SELECT EXISTS (SELECT 1 FROM organisations WHERE tenant_id = $1 AND id::text = $2 AND status = 'active')`
		if l.Kind == access.LinkUser {
			q = `SELECT EXISTS (SELECT 1 FROM users WHERE tenant_id = $1 AND id::text = $2 AND status = 'active')`
		}
		if err := tx.QueryRow(ctx, q, tenantCode, l.PartyID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return access.InvalidField("party_id", "不是本租户的在用组织或用户 / not an active organisation or user of the tenant")
		}
		err := tx.QueryRow(ctx, `INSERT INTO case_links (tenant_id, case_id, kind, party_id, reason, note, created_by, received_at)
			SELECT $1, $2, $3, $4, $5, $6, $7, received_at FROM cases WHERE tenant_id = $1 AND id = $2
			ON CONFLICT (tenant_id, case_id, kind, party_id) DO UPDATE SET reason = excluded.reason, note = excluded.note
			RETURNING kind, party_id::text, reason, note, created_by, created_at`,
			tenantCode, caseID, l.Kind, l.PartyID, l.Reason, l.Note, l.CreatedBy).
			Scan(&out.Kind, &out.PartyID, &out.Reason, &out.Note, &out.CreatedBy, &out.CreatedAt)
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, tenantCode, "case.link", "case:"+caseID, nil, out)
	})
	if pgCode(err) == codeInvalidText {
		return out, cases.ErrNotFound
	}
	return out, err
}

// UnlinkCase removes a link; false when there was none. Audited.
func (s *AccessDB) UnlinkCase(ctx context.Context, tenantCode, caseID, kind, partyID string) (bool, error) {
	var found bool
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var before access.Link
		err := tx.QueryRow(ctx, `DELETE FROM case_links WHERE tenant_id = $1 AND case_id = $2 AND kind = $3 AND party_id::text = $4
			RETURNING kind, party_id::text, reason, note, created_by, created_at`, tenantCode, caseID, kind, partyID).
			Scan(&before.Kind, &before.PartyID, &before.Reason, &before.Note, &before.CreatedBy, &before.CreatedAt)
		if isNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		return appendAudit(ctx, tx, tenantCode, "case.unlink", "case:"+caseID, before, nil)
	})
	if pgCode(err) == codeInvalidText {
		return false, nil
	}
	return found, err
}

// CaseLinks lists the links of a case.
func (s *AccessDB) CaseLinks(ctx context.Context, tenantCode, caseID string) ([]access.Link, error) {
	var out []access.Link
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT kind, party_id::text, reason, note, created_by, created_at FROM case_links
			WHERE tenant_id = $1 AND case_id = $2 ORDER BY created_at, party_id`, tenantCode, caseID)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (access.Link, error) {
			var l access.Link
			err := r.Scan(&l.Kind, &l.PartyID, &l.Reason, &l.Note, &l.CreatedBy, &l.CreatedAt)
			return l, err
		})
		return err
	})
	if pgCode(err) == codeInvalidText {
		return nil, cases.ErrNotFound
	}
	return out, err
}

// linkWarnedAgencyTx links the agency a warning of the case was addressed to, so it may see
// the case (access.Linked).
func linkWarnedAgencyTx(ctx context.Context, tx pgx.Tx, tenantCode, caseID, orgID string) error {
	_, err := tx.Exec(ctx, `INSERT INTO case_links (tenant_id, case_id, kind, party_id, reason, created_by, received_at)
		SELECT $1, $2, 'organisation', $3, 'warning', 'system:warnings', received_at FROM cases WHERE tenant_id = $1 AND id = $2
		ON CONFLICT DO NOTHING`, tenantCode, caseID, orgID)
	return err
}

// ChangeTenantRule adds (add) or removes one rule of a tenant (row: ptype first, dom = tenant)
// and audits the change in that tenant, in one transaction; it reports whether storage
// changed (false: the rule was held already, or not held).
func (s *AccessDB) ChangeTenantRule(ctx context.Context, tenantCode string, row []string, add bool, view any) (bool, error) {
	var changed bool
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		cols, err := policyColumns([][]string{row})
		if err != nil {
			return err
		}
		args := make([]any, len(cols))
		for i := range cols {
			args[i] = cols[i]
		}
		q := insertPolicySQL
		if !add {
			q = deletePolicySQL
		}
		tag, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		if changed = tag.RowsAffected() > 0; !changed {
			return nil
		}
		if add {
			return appendAudit(ctx, tx, tenantCode, "policy.add", "policy", nil, view)
		}
		return appendAudit(ctx, tx, tenantCode, "policy.remove", "policy", view, nil)
	})
	return changed, err
}

// WarningCase returns the case a warning of the tenant is about.
func (s *AccessDB) WarningCase(ctx context.Context, tenantCode, warningID string) (string, error) {
	var caseID string
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT case_id::text FROM warnings WHERE tenant_id = $1 AND id::text = $2`, tenantCode, warningID).Scan(&caseID)
	})
	if isNoRows(err) || errors.Is(err, tenant.ErrNotFound) {
		return "", warnings.ErrNotFound
	}
	return caseID, err
}
