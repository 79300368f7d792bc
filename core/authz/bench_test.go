package authz

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"

	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// BenchmarkAllowed is the common case: a decision the cache holds.
func BenchmarkAllowed(b *testing.B) {
	a, _ := newTestAuthorizer(b)
	if ok, err := a.Allowed(subDAdmin, "370104", ObjUsers, ActCreate); err != nil || !ok {
		b.Fatalf("warm-up: %v, %v", ok, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if ok, _ := a.Allowed(subDAdmin, "370104", ObjUsers, ActCreate); !ok {
			b.Fatal("denied")
		}
	}
}

// BenchmarkAllowedParallel is BenchmarkAllowed from GOMAXPROCS goroutines at once.
func BenchmarkAllowedParallel(b *testing.B) {
	a, _ := newTestAuthorizer(b)
	if ok, err := a.Allowed(subDAdmin, "370104", ObjUsers, ActCreate); err != nil || !ok {
		b.Fatalf("warm-up: %v, %v", ok, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, _ := a.Allowed(subDAdmin, "370104", ObjUsers, ActCreate); !ok {
				b.Fatal("denied")
			}
		}
	})
}

// districtCode returns the i-th of 3,000 synthetic district codes: 30 provinces (11..40) x 10
// cities x 10 districts. spare picks another 3,000 districts of the same cities (no grants).
func districtCode(i int, spare bool) string {
	d := i%10 + 1
	if spare {
		d += 50
	}
	return fmt.Sprintf("%02d%02d%02d", 11+i/100, (i/10)%10+1, d)
}

const (
	benchDistricts = 3000
	benchUsers     = 10000
)

// BenchmarkAllowedColdish measures decisions the cache does not hold (it is cleared whenever
// the rotation wraps, so every request misses) over a realistic rule set: the defaults, 10,000
// users with grants spread over 3,000 district tenants, plus 5 national, 30 province and 300
// city admins. Sub-benchmarks:
//   - own-district: a user in its home district (the common miss);
//   - ancestor-empty-district: a province admin in a district of its province where nobody
//     holds a grant (Casbin's own domain role manager assembled such a domain's links from all
//     domains on every call: ~1 ms; see roleManager);
//   - cache-hit: 1,000 users' decisions held in the cache;
//   - granted: one Granted call (a new user's grant), cache clearing included;
//   - reload: Reload of all rules from PostgreSQL.
func BenchmarkAllowedColdish(b *testing.B) {
	ctx := context.Background()
	s, _ := storetest.Open(b)
	var rows [][]string
	users := make([]string, benchUsers)
	for i := range benchUsers {
		users[i] = fmt.Sprintf("user:00000000-0000-0000-0000-%012d", i)
		role := identity.RoleDistrictAdmin
		if i%3 != 0 {
			role = identity.RoleDistrictStaff
		}
		rows = append(rows, GrantRows(users[i], []string{role}, districtCode(i%benchDistricts, false))...)
	}
	for i := range 5 {
		rows = append(rows, GrantRows(fmt.Sprintf("user:national-%d", i), []string{identity.RoleNationalAdmin}, "000000")...)
	}
	provinces := make([]string, 30)
	for p := range 30 {
		provinces[p] = fmt.Sprintf("user:province-%d", p)
		rows = append(rows, GrantRows(provinces[p], []string{identity.RoleProvinceAdmin}, fmt.Sprintf("%02d0000", 11+p))...)
		for c := range 10 {
			rows = append(rows, GrantRows(fmt.Sprintf("user:city-%d-%d", p, c), []string{identity.RoleCityAdmin}, fmt.Sprintf("%02d%02d00", 11+p, c+1))...)
		}
	}
	if err := s.AddPolicyRules(ctx, rows); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	a, err := New(ctx, s)
	if err != nil {
		b.Fatal(err)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(rows)
	b.Logf("New with %d grants: %v, heap +%.1f MiB", len(rows), time.Since(start).Round(time.Millisecond), float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20))

	acts := [][2]string{{ObjTenants, ActRead}, {ObjOffices, ActRead}, {ObjUsers, ActCreate}}

	b.Run("own-district", func(b *testing.B) {
		n := benchUsers * len(acts)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i%n == 0 {
				_ = a.cache.Clear()
			}
			u := i % benchUsers
			act := acts[(i/benchUsers)%len(acts)]
			if _, err := a.Allowed(users[u], districtCode(u%benchDistricts, false), act[0], act[1]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("ancestor-empty-district", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i%benchDistricts == 0 {
				_ = a.cache.Clear()
			}
			d := i % benchDistricts
			ok, err := a.Allowed(provinces[d/100], districtCode(d, true), ObjTenants, ActOnboard)
			if err != nil || !ok {
				b.Fatalf("%s in %s: %v, %v", provinces[d/100], districtCode(d, true), ok, err)
			}
			i++
		}
	})
	b.Run("cache-hit", func(b *testing.B) {
		for u := range 1000 {
			_, _ = a.Allowed(users[u], districtCode(u%benchDistricts, false), ObjTenants, ActRead)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			u := i % 1000
			if _, err := a.Allowed(users[u], districtCode(u%benchDistricts, false), ObjTenants, ActRead); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("granted", func(b *testing.B) { // the cost of one Granted (incl. clearing the cache)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			row := GrantRows(fmt.Sprintf("user:new-%d", i), []string{identity.RoleDistrictStaff}, districtCode(i%benchDistricts, false))
			if err := a.Granted(row); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("reload", func(b *testing.B) {
		for b.Loop() {
			if err := a.Reload(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCasbinCacheHit is the ceiling of BenchmarkAllowed measured in the same run: a bare
// Casbin SyncedCachedEnforcer answering the same request from its cache (no request checks, no
// Authorizer lock).
// BenchmarkAllowed / BenchmarkCasbinCacheHit is the overhead of the Authorizer on a hit.
func BenchmarkCasbinCacheHit(b *testing.B) {
	e, err := casbin.NewSyncedCachedEnforcer(mustModel(b, modelText))
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range DefaultPolicies() {
		if _, err := e.AddNamedPolicy(d[0], d[1:]); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := e.AddGroupingPolicy(subDAdmin, identity.RoleDistrictAdmin, "370104"); err != nil {
		b.Fatal(err)
	}
	if ok, err := e.Enforce(enforceContext(ObjUsers), subDAdmin, "370104", "370104", ObjUsers, ActCreate, "none"); err != nil || !ok {
		b.Fatalf("warm-up: %v, %v", ok, err)
	}
	// Request values made at run time, as a caller's are (constants would be boxed for free).
	req := []string{strings.Clone(subDAdmin), strings.Clone("370104"), strings.Clone("370104"), strings.Clone(ObjUsers), strings.Clone(ActCreate), strings.Clone("none")}
	ctx := enforceContext(ObjUsers)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if ok, _ := e.Enforce(ctx, req[0], req[1], req[2], req[3], req[4], req[5]); !ok {
			b.Fatal("denied")
		}
	}
}
