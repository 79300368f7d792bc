package authz

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// BenchmarkEnforceMixed is the authorization figure: decisions over a mixed request
// set with the default policy (one copy for every tenant) in force in all 2,978 districts and
// 100,000 user-role assignments spread over them, plus 100 per-district overrides. It logs the
// load time and heap of New at that size, and reports p50/p99 ns per decision:
//   - uncached: every request of the set is new to the decision cache (cleared when the set
//     wraps);
//   - cached: the same set, warm.
//
// The set mixes subjects, districts, objects (cases, personal data, warnings, tenant objects),
// actions and relationships, allowed and denied.
func BenchmarkEnforceMixed(b *testing.B) {
	ctx := context.Background()
	s, _ := storetest.Open(b)
	ds, err := division.Districts("000000")
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	roles := identity.DistrictRoles()
	const nUsers = 100_000
	users := make([]string, nUsers)
	homes := make([]string, nUsers)
	var rows [][]string
	for i := range nUsers {
		users[i] = fmt.Sprintf("user:%08d-0000-0000-0000-000000000000", i)
		homes[i] = ds[i%len(ds)].Code
		rows = append(rows, GrantRows(users[i], []string{roles[rng.IntN(len(roles))]}, homes[i])...)
	}
	for i := range 100 { // overrides of 100 districts
		d := ds[i*len(ds)/100].Code
		rows = append(rows, Rule{Role: identity.RoleAgencyClerk, Tenant: d, Obj: ObjCasePII, Act: ActRead, Rel: access.Referrer, Effect: Allow}.Row(),
			Rule{Role: identity.RoleDistrictStaff, Tenant: d, Obj: ObjCases, Act: ActExport, Rel: access.Owner, Effect: Deny}.Row())
	}
	if err := s.AddPolicyRules(ctx, rows); err != nil {
		b.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	a, err := New(ctx, s)
	if err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	// Printed (not logged) so that `make bench` records it.
	fmt.Printf("# BenchmarkEnforceMixed: New with %d districts, %d user-role assignments, %d rules: %v, heap +%.1f MiB\n", len(ds), nUsers, len(DefaultPolicies())+200,
		took.Round(time.Millisecond), float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20))

	objActs := [][2]string{{ObjCases, ActRead}, {ObjCases, ActUpdate}, {ObjCases, ActConfirm}, {ObjCasePII, ActRead},
		{ObjWarnings, ActAcknowledge}, {ObjTenants, ActRead}, {ObjUsers, ActCreate}, {ObjStats, ActRead}}
	rels := append(access.CaseRelationships(), access.None)
	const nReqs = 20_000
	reqs := make([]Request, nReqs)
	allowed := 0
	for i := range reqs {
		u := rng.IntN(nUsers)
		oa := objActs[rng.IntN(len(objActs))]
		reqs[i] = Request{Sub: users[u], RoleTenant: homes[u], Tenant: homes[u], Obj: oa[0], Act: oa[1], Rel: rels[rng.IntN(len(rels))]}
		if ok, _ := a.Decide(reqs[i]); ok {
			allowed++
		}
	}
	fmt.Printf("# BenchmarkEnforceMixed: request set of %d requests, %d allowed\n", nReqs, allowed)
	run := func(b *testing.B, clear bool) {
		lat := make([]time.Duration, 0, 1<<16)
		i := 0
		for b.Loop() {
			if clear && i%nReqs == 0 {
				_ = a.cache.Clear()
			}
			t0 := time.Now()
			if _, err := a.Decide(reqs[i%nReqs]); err != nil {
				b.Fatal(err)
			}
			if len(lat) < cap(lat) {
				lat = append(lat, time.Since(t0))
			}
			i++
		}
		slices.Sort(lat)
		if len(lat) > 0 {
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
		}
	}
	b.Run("uncached", func(b *testing.B) { run(b, true) })
	b.Run("cached", func(b *testing.B) {
		for _, r := range reqs {
			_, _ = a.Decide(r)
		}
		run(b, false)
	})
}
