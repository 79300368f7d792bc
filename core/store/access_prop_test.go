package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/authz"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/fengqiao/fengqiao/core/warnings"
)

// TestListsAgreeWithDecisions is the property of cross-agency access: for random principals,
// random tenant rules and random per-case facts, the list the store returns under the filter
// derived from the rules is exactly the set of cases a single-case decision allows:
//
//	list(principal) == {c : ∃ rel ∈ access.Relationships(principal, facts(c)) : Decide(rel)}
//
// The list's side is SQL (store.caseAccessCondition); the decision's side is Go
// (access.Relationships over store.CaseAccess) and Casbin.
func TestListsAgreeWithDecisions(t *testing.T) {
	ctx := context.Background()
	s, owner := storetest.Open(t)
	const dom = "310107"
	plan, err := tenant.PlanOnboarding("000000", []string{"310107", "310118", "370104"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Onboard(ctx, "000000", plan); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	rng := rand.New(rand.NewPCG(5, 2026))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }

	orgIDs := []string{uuid.NewString(), uuid.NewString(), uuid.NewString()}
	for i, id := range orgIDs {
		exec(`INSERT INTO organisations (tenant_id, id, kind, name) VALUES ($1, $2, 'court', $3)`, dom, id, fmt.Sprintf("机构%d", i))
	}
	userIDs := []string{uuid.NewString(), uuid.NewString(), uuid.NewString()}
	for i, id := range userIDs {
		exec(`INSERT INTO users (tenant_id, id, username, password_hash) VALUES ($1, $2, $3, 'x')`, dom, id, fmt.Sprintf("prop-%d", i))
	}
	// Registry mediators: two with a user account, one without (the mediator relationship
	// through the registry assignment).
	mediatorIDs := []string{uuid.NewString(), uuid.NewString(), uuid.NewString()}
	for i, id := range mediatorIDs {
		var user any
		if i < 2 {
			user = userIDs[i]
		}
		exec(`INSERT INTO mediators (tenant_id, id, name, kind, organisation_id, user_id) VALUES ($1, $2, $3, 'full_time', $4, $5)`,
			dom, id, fmt.Sprintf("调解员%d", i), orgIDs[0], user)
	}
	now := time.Now()
	const nCases = 80
	caseIDs := make([]string, nCases)
	for i := range nCases {
		caseIDs[i] = uuid.NewString()
		var referral, joint any
		if rng.IntN(3) == 0 {
			referral = map[string]any{"agency": "x", "agency_id": pick(orgIDs)}
		}
		if rng.IntN(5) == 0 {
			joint = map[string]any{"id": "j", "lead": dom, "tenants": []string{dom, pick([]string{"310118", "370104"})}}
		}
		var committee, confirmation any
		if rng.IntN(3) == 0 {
			committee = pick(orgIDs)
		}
		if rng.IntN(3) == 0 {
			confirmation = map[string]any{"court_id": pick(orgIDs), "court": "法院", "reference": "r", "date": "2026-01-01"}
		}
		exec(`INSERT INTO cases (tenant_id, id, number, year, seq, title, dispute_type, source, referral, status, risk_level, risk, received_at, due_at, created_by, committee_id, joint, confirmation)
			VALUES ($1, $2, $3, 2026, $4, 't', 'neighbour', 'walk_in', $5, 'received', 'none', '{}', $6, $6, 'x', $7, $8, $9)`,
			dom, caseIDs[i], fmt.Sprintf("n%d", i), i+1, referral, now.Add(-time.Duration(i)*time.Minute), committee, joint, confirmation)
		for range rng.IntN(3) {
			if rng.IntN(2) == 0 {
				exec(`INSERT INTO case_links (tenant_id, case_id, kind, party_id, reason, created_by, received_at) SELECT $1, $2, 'organisation', $3, 'manual', 'x', received_at FROM cases WHERE tenant_id = $1 AND id = $2 ON CONFLICT DO NOTHING`, dom, caseIDs[i], pick(orgIDs))
			} else {
				exec(`INSERT INTO case_links (tenant_id, case_id, kind, party_id, reason, created_by, received_at) SELECT $1, $2, 'user', $3, 'mediator', 'x', received_at FROM cases WHERE tenant_id = $1 AND id = $2 ON CONFLICT DO NOTHING`, dom, caseIDs[i], pick(userIDs))
			}
		}
		for pos := range rng.IntN(3) {
			exec(`INSERT INTO case_mediators (tenant_id, case_id, mediator_id, position, assigned_by, received_at)
				SELECT $1, $2, $3, $4, 'x', received_at FROM cases WHERE tenant_id = $1 AND id = $2 ON CONFLICT DO NOTHING`, dom, caseIDs[i], pick(mediatorIDs), pos)
		}
		for range rng.IntN(3) {
			var org any
			if rng.IntN(2) == 0 {
				org = pick(orgIDs)
			}
			expires := now.Add(time.Duration(rng.IntN(48)-24) * time.Hour) // some expired
			var revoked any
			if rng.IntN(4) == 0 {
				revoked = now.Add(-time.Hour)
			}
			exec(`INSERT INTO case_shares (tenant_id, case_id, grantee_tenant, grantee_org, scope, purpose, expires_at, created_by, created_at, revoked_at, received_at)
				SELECT $1, $2, $3, $4, $5, 'p', $6, 'x', $7, $8, received_at FROM cases WHERE tenant_id = $1 AND id = $2`, dom, caseIDs[i], pick([]string{dom, "310118"}), org, pick([]string{"summary", "parties"}),
				expires, now.Add(-48*time.Hour), revoked)
		}
		if rng.IntN(6) == 0 {
			exec(`INSERT INTO warnings (tenant_id, id, case_id, level, score, signals, raised_at, deadline_at, escalated_at, escalated_to)
				VALUES ($1, $2, $3, 'red', 90, '[]', $4, $5, $5, '310100')`, dom, uuid.NewString(), caseIDs[i], now.Add(-2*time.Hour), now.Add(-time.Hour))
		}
	}

	az, err := authz.New(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	roles := append(identity.DistrictRoles(), identity.RoleCityAdmin, identity.RoleProvinceAdmin)
	objActs := [][2]string{{authz.ObjCases, authz.ActRead}, {authz.ObjCasePII, authz.ActRead}, {authz.ObjCases, authz.ActConfirm}, {authz.ObjWarnings, authz.ActRead},
		{authz.ObjCaseAgreement, authz.ActRead}}
	rels := append(access.CaseRelationships(), access.Any)

	facts := map[string]access.Case{}
	for _, id := range caseIDs {
		if facts[id], err = s.CaseAccess(ctx, dom, id); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 12 {
		// Random overrides of the district: allows and denies.
		var rules [][]string
		for range 1 + rng.IntN(6) {
			oa := objActs[rng.IntN(len(objActs))]
			rules = append(rules, authz.Rule{Role: pick(roles), Tenant: dom, Obj: oa[0], Act: oa[1], Rel: pick(rels), Effect: pick([]string{authz.Allow, authz.Deny})}.Row())
		}
		if err := az.Granted(rules); err != nil {
			t.Fatal(err)
		}
		for i := range 25 {
			role := pick(roles)
			p := access.Principal{Kind: pick([]string{"user", "token"}), Tenant: dom}
			switch role {
			case identity.RoleCityAdmin:
				p.Tenant = "310100"
			case identity.RoleProvinceAdmin:
				p.Tenant = "310000"
			default:
				if rng.IntN(2) == 0 {
					p.Org = pick(orgIDs)
				}
			}
			p.ID = pick(userIDs)
			if p.Kind == "token" {
				p.ID = uuid.NewString()
			}
			p.Subject = fmt.Sprintf("%s:prop-%d-%d", p.Kind, round, i)
			if err := az.Granted(authz.GrantRows(p.Subject, []string{role}, p.Tenant)); err != nil {
				t.Fatal(err)
			}
			oa := objActs[rng.IntN(len(objActs))]
			req := authz.Request{Sub: p.Subject, RoleTenant: dom, Tenant: dom, Obj: oa[0], Act: oa[1]}
			allowedRels, err := az.AllowedRelationships(req, access.CaseRelationships())
			if err != nil {
				t.Fatal(err)
			}
			var listed []string
			if len(allowedRels) > 0 {
				// Page by page (a small page, so the cursor is exercised), with or without a
				// filter (which changes the shape of the query).
				f := cases.Filter{Limit: 1 + rng.IntN(9), Access: &access.Scope{Principal: p, Rels: allowedRels, Now: now}}
				if rng.IntN(2) == 0 {
					f.Status = cases.StatusReceived
				}
				for {
					cs, err := s.Cases(ctx, dom, f)
					if err != nil {
						t.Fatal(err)
					}
					for _, c := range cs {
						listed = append(listed, c.ID)
					}
					if len(cs) < f.Limit {
						break
					}
					f.AfterTime, f.AfterID = cs[len(cs)-1].ReceivedAt, cs[len(cs)-1].ID
				}
			}
			if len(allowedRels) > 0 { // the counts of the queues are those of their lists
				scope := &access.Scope{Principal: p, Rels: allowedRels, Now: now}
				ws, err := s.Warnings(ctx, dom, warnings.Filter{Limit: 1000, State: warnings.StateEscalated, Access: scope})
				if err != nil {
					t.Fatal(err)
				}
				n, err := s.CountWarnings(ctx, dom, scope)
				if err != nil {
					t.Fatal(err)
				}
				if n.Escalated[cases.RiskRed] != int64(len(ws)) || n.Open[cases.RiskRed] != 0 {
					t.Fatalf("round %d, %s: counted %v escalated warnings, listed %d", round, p.Subject, n.Escalated, len(ws))
				}
			}
			var want []string
			for _, id := range caseIDs {
				ok := false
				for _, rel := range access.Relationships(p, facts[id], now) {
					req.Rel = rel
					d, err := az.Decide(req)
					if err != nil {
						t.Fatal(err)
					}
					ok = ok || d
				}
				if ok {
					want = append(want, id)
				}
			}
			if len(listed) != len(slices.Compact(slices.Sorted(slices.Values(listed)))) {
				t.Fatalf("a case listed twice: %v", listed)
			}
			sort.Strings(listed)
			sort.Strings(want)
			if !slices.Equal(listed, want) {
				t.Fatalf("round %d, %s (%s of %s, org %q) %s:%s with %v: listed %d cases, decisions allow %d\nlisted %v\nwant   %v",
					round, p.Subject, role, p.Tenant, p.Org, oa[0], oa[1], allowedRels, len(listed), len(want), listed, want)
			}
		}
		if err := az.Revoked(rules); err != nil {
			t.Fatal(err)
		}
	}
}
