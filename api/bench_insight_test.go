package api_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/demo"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/fengqiao/fengqiao/core/tenant"
)

// insightFigures are measured once per process: the benchmark takes minutes at full scale and
// must not run again when the harness asks for more iterations.
var (
	insightOnce    sync.Once
	insightMetrics map[string]float64
)

// BenchmarkInsightShanghai2020 loads the shanghai-2020 profile (FENGQIAO_BENCH_SCALE scales it
// down) and reports, from the same database in the same run:
//   - raw COPY rows/s of the cases into a plain table with the same indexes, and the import rate
//     of the profile (cases with parties, statistics and search documents) with their ratio;
//   - getStats p50/p99 for Shanghai over the year, next to the naive GROUP BY over the cases;
//   - listCases p99 (first page, and a filtered page) and searchCases p99 in Putuo.
func BenchmarkInsightShanghai2020(b *testing.B) {
	insightOnce.Do(func() { insightMetrics = runInsight(b) })
	for k, v := range insightMetrics {
		b.ReportMetric(v, k)
	}
}

func percentile(ds []time.Duration, p float64) float64 {
	slices.Sort(ds)
	i := int(float64(len(ds))*p/100+0.5) - 1
	i = max(0, min(i, len(ds)-1))
	return float64(ds[i].Microseconds()) / 1000
}

func runInsight(b *testing.B) map[string]float64 {
	scale := 1.0
	if v := os.Getenv("FENGQIAO_BENCH_SCALE"); v != "" {
		scale, _ = strconv.ParseFloat(v, 64)
	}
	e := newEnv(b)
	ctx := audit.WithActor(context.Background(), audit.Actor{Subject: "system:bench"})
	p := demo.Shanghai2020().Scale(scale)
	plan, err := tenant.PlanOnboarding("000000", p.Districts(), false)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.store.Onboard(ctx, "000000", plan); err != nil {
		b.Fatal(err)
	}
	out := map[string]float64{}

	// 1. The ceiling: raw COPY of the same cases.
	cells, err := p.Plan()
	if err != nil {
		b.Fatal(err)
	}
	com := demo.Committees{ByStreet: map[string]string{}}
	n, spent, err := storetest.RawCopyCases(ctx, e.owner, func(yield func([]cases.Case) error) error {
		for _, c := range cells {
			streets, err := division.Streets(c.District)
			if err != nil {
				return err
			}
			if err := demo.NewGenerator(p, 1).Cases(c, com, streets, 20000, yield); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	copyRate := float64(n) / spent.Seconds()
	out["raw_copy_rows/s"] = copyRate

	// 2. The import of the profile, as `fengqiao demo generate` does it.
	start := time.Now()
	loaded, err := demo.Load(ctx, p, orgs.NewService(e.store), e.store, demo.Options{Seed: 2020, Workers: 2, Batch: 20000})
	if err != nil {
		b.Fatal(err)
	}
	el := time.Since(start)
	out["import_cases/s"] = float64(loaded) / el.Seconds()
	out["import_s"] = el.Seconds()
	out["import/raw_copy"] = out["import_cases/s"] / copyRate
	b.Logf("imported %d cases in %.1f s (%.0f cases/s); raw COPY %.0f rows/s", loaded, el.Seconds(), out["import_cases/s"], copyRate)

	// 3. getStats for Shanghai over the year, against the naive query over the cases.
	get := func(as, path string, runs int) []time.Duration {
		var ds []time.Duration
		for range runs {
			t0 := time.Now()
			res := e.do(as, http.MethodGet, path, nil)
			ds = append(ds, time.Since(t0))
			if res.status != 200 {
				b.Fatalf("%s: %d %s", path, res.status, res.body)
			}
		}
		return ds
	}
	statsPath := "/api/v1/tenants/310000/stats?from=2020-01-01&to=2020-12-31"
	get("sh-prov", statsPath, 20) // warm
	ds := get("sh-prov", statsPath, 300)
	out["getStats_p50_ms"], out["getStats_p99_ms"] = percentile(ds, 50), percentile(ds, 99)
	res := e.do("sh-prov", http.MethodGet, statsPath, nil)
	b.Logf("Shanghai 2020: received %v, succeeded %v, success_rate %v", res.json["received"], res.json["succeeded"], res.json["success_rate"])
	var naive []time.Duration
	for range 5 {
		d, err := storetest.OwnerQuery(ctx, e.owner, `SELECT count(*), count(*) FILTER (WHERE status IN ('succeeded', 'failed', 'guided', 'closed')),
				count(*) FILTER (WHERE status = 'succeeded') FROM cases
			WHERE tenant_id LIKE '31%' AND received_at >= '2020-01-01 00:00+08' AND received_at < '2021-01-01 00:00+08'`)
		if err != nil {
			b.Fatal(err)
		}
		naive = append(naive, d)
	}
	out["naive_groupby_p50_ms"] = percentile(naive, 50)
	out["naive/getStats_p50"] = out["naive_groupby_p50_ms"] / out["getStats_p50_ms"]
	ds = get("putuo-admin", "/api/v1/tenants/310107/stats?from=2020-01-01&to=2020-12-31&source=court&group_by=dispute_type,committee", 200)
	out["getStats_putuo_breakdowns_p99_ms"] = percentile(ds, 99)

	// 4. listCases and searchCases with the cases present.
	ds = get("putuo-admin", "/api/v1/tenants/310107/cases?limit=100", 200)
	out["listCases_p99_ms"] = percentile(ds, 99)
	ds = get("putuo-admin", "/api/v1/tenants/310107/cases?limit=100&status=failed&source=court", 200)
	out["listCases_filtered_p99_ms"] = percentile(ds, 99)
	ds = get("putuo-admin", "/api/v1/tenants/310107/cases/search?q="+url.QueryEscape("噪音扰民")+"&limit=20", 200)
	out["searchCases_p99_ms"] = percentile(ds, 99)
	out["cases"] = float64(loaded)
	return out
}
