package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/fengqiao/fengqiao/core/tenant"
)

// BenchmarkCaseListAccess is the cost of the access filter on the first page (50 cases,
// newest first) of one district holding FENGQIAO_BENCH_LIST_CASES cases (default 2,000,000):
//   - no-authz: the list without any filter (the baseline);
//   - owner: the district's staff (the filter folds to nothing);
//   - agency: a court's clerk: cases it referred (1 in 50), is linked to (1 in 1,000) or that
//     are shared with it (1 in 10,000), as the rules allow (referrer, linked, grantee).
func BenchmarkCaseListAccess(b *testing.B) {
	ctx := context.Background()
	n := 2_000_000
	if v := os.Getenv("FENGQIAO_BENCH_LIST_CASES"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	s, owner := storetest.Open(b)
	const dom = "310107"
	plan, err := tenant.PlanOnboarding("000000", []string{dom}, false)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Onboard(ctx, "000000", plan); err != nil {
		b.Fatal(err)
	}
	court := uuid.NewString()
	start := time.Now()
	for _, q := range []string{
		`INSERT INTO organisations (tenant_id, id, kind, name) VALUES ('310107', '` + court + `', 'court', '普陀区人民法院')`,
		`INSERT INTO cases (tenant_id, id, number, year, seq, title, dispute_type, source, referral, status, risk_level, risk, received_at, due_at, created_by)
		 SELECT '310107', gen_random_uuid(), 'n' || i, 2020, i, '纠纷' || i, 'neighbour', CASE WHEN i % 50 = 0 THEN 'court' ELSE 'walk_in' END,
		        CASE WHEN i % 50 = 0 THEN jsonb_build_object('agency', '普陀区人民法院', 'agency_id', '` + court + `') END,
		        'received', 'none', '{}', timestamptz '2020-01-01' + i * interval '15 seconds', timestamptz '2020-02-01' + i * interval '15 seconds', 'bench'
		 FROM generate_series(1, ` + strconv.Itoa(n) + `) i`,
		`INSERT INTO case_links (tenant_id, case_id, kind, party_id, reason, created_by, received_at)
		 SELECT tenant_id, id, 'organisation', '` + court + `', 'manual', 'bench', received_at FROM cases WHERE tenant_id = '310107' AND seq % 1000 = 7`,
		`INSERT INTO case_shares (tenant_id, case_id, grantee_tenant, grantee_org, scope, purpose, expires_at, created_by, received_at)
		 SELECT tenant_id, id, '310107', '` + court + `', 'summary', 'bench', now() + interval '30 days', 'bench', received_at FROM cases WHERE tenant_id = '310107' AND seq % 10000 = 3`,
		`VACUUM ANALYZE`,
	} {
		if _, err := storetest.OwnerQuery(ctx, owner, q); err != nil {
			b.Fatal(err)
		}
	}
	fmt.Printf("# BenchmarkCaseListAccess: %d cases (%d referred, %d linked, %d shared) loaded in %v\n", n, n/50, n/1000, n/10000, time.Since(start).Round(time.Second))
	now := time.Now()
	staff := access.Principal{Subject: "user:staff", Kind: "user", ID: uuid.NewString(), Tenant: dom}
	clerk := access.Principal{Subject: "user:clerk", Kind: "user", ID: uuid.NewString(), Tenant: dom, Org: court}
	for _, bc := range []struct {
		name  string
		scope *access.Scope
	}{
		{"no-authz", nil},
		{"owner", &access.Scope{Principal: staff, Rels: []string{access.Owner, access.Grantee}, Now: now}},
		{"agency", &access.Scope{Principal: clerk, Rels: []string{access.Referrer, access.Linked, access.Grantee}, Now: now}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				cs, err := s.Cases(ctx, dom, cases.Filter{Limit: 50, Access: bc.scope})
				if err != nil || len(cs) != 50 {
					b.Fatalf("%d cases, %v", len(cs), err)
				}
			}
		})
	}
}
