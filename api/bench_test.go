package api_test

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"
)

// Benchmarks of the foundation, run by `make bench` against a private durable PostgreSQL.
// Figures and the command are recorded in docs/benchmarks.md.

// BenchmarkBulkOnboardAll onboards all 2,978 districts of the country (with the provinces and
// cities they need) in one API request, on an empty database each time.
func BenchmarkBulkOnboardAll(b *testing.B) {
	for _, offices := range []bool{false, true} {
		name := "districts"
		if offices {
			name = "districts+41352offices"
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				e := newEnv(b)
				b.StartTimer()
				res := e.do("nation", http.MethodPost, "/api/v1/tenants/bulk", map[string]any{"within": "000000", "with_offices": offices})
				b.StopTimer()
				// The env onboarded 4 districts already; the rest are created now.
				if res.status != 200 || res.json["created_count"].(float64) != 2978-4 || res.json["existing_count"].(float64) != 4 {
					b.Fatalf("bulk: %d %s", res.status, res.body[:min(len(res.body), 300)])
				}
				b.StartTimer()
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/onboarding")
		})
	}
}

// latencies records request durations and reports percentiles.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) report(b *testing.B) {
	sort.Slice(l.d, func(i, j int) bool { return l.d[i] < l.d[j] })
	pct := func(p float64) float64 {
		return float64(l.d[int(p*float64(len(l.d)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(len(l.d))/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkLogin measures password logins (argon2id, 19 MiB, t=2) over HTTP, two at a time
// (the machine has two cores).
func BenchmarkLogin(b *testing.B) {
	e := newEnv(b)
	var lat latencies
	b.SetParallelism(1)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			start := time.Now()
			res := e.do("", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "putuo-admin", "password": testPassword})
			lat.add(time.Since(start))
			if res.status != 200 {
				b.Errorf("login: %d", res.status)
			}
		}
	})
	lat.report(b)
}

// BenchmarkTenantScopedRead measures an authenticated, Casbin-authorized read of a tenant's
// users list (authentication lookup + authorization + tenant status + RLS-scoped query) with
// 16 concurrent clients.
func BenchmarkTenantScopedRead(b *testing.B) {
	e := newEnv(b)
	var lat latencies
	b.SetParallelism(8) // 8 × GOMAXPROCS(2) = 16 clients
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			start := time.Now()
			res := e.do("putuo-admin", http.MethodGet, "/api/v1/tenants/310107/users", nil)
			lat.add(time.Since(start))
			if res.status != 200 {
				b.Errorf("read: %d", res.status)
			}
		}
	})
	lat.report(b)
}

// BenchmarkCeilingStoreRead is the same machine's ceiling for comparison: one RLS-scoped
// primary-key read through the store, no HTTP, no authentication, 16 concurrent callers.
func BenchmarkCeilingStoreRead(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	var lat latencies
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			start := time.Now()
			if _, err := e.store.Tenant(ctx, "310107", "310107"); err != nil {
				b.Error(err)
			}
			lat.add(time.Since(start))
		}
	})
	lat.report(b)
}
