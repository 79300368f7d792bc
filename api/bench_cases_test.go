package api_test

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkCreateCase measures createCase over HTTP (authentication, Casbin, validation, PII
// sealing with blind indexes, risk assessment with the repeat-party lookup, numbering, history)
// at 16 and 64 concurrent clients, each case with two parties. deploy/bench.sh runs pgbench's
// single-row INSERT against the same cluster first and passes its TPS in PGBENCH_INSERT_TPS; the
// ratio createCase/s ÷ INSERT TPS is the figure we track.
func BenchmarkCreateCase(b *testing.B) {
	// One district takes everything (its case counter serializes numbering: the worst case), or
	// three districts share the load (each numbers its own cases).
	type intake struct{ user, code, street, idPrefix string }
	one := []intake{{"putuo-staff", "310107", "310107015", "310107"}}
	three := append(one, intake{"qingpu-admin", "310118", "", "310118"}, intake{"huaiyin-staff", "370104", "", "370104"})
	for _, spread := range []struct {
		name    string
		intakes []intake
	}{{"tenants=1", one}, {"tenants=3", three}} {
		for _, clients := range []int{16, 64} {
			b.Run(fmt.Sprintf("%s/clients=%d", spread.name, clients), func(b *testing.B) {
				e := newEnv(b)
				var lat latencies
				var n atomic.Int64
				b.SetParallelism(clients / 2) // GOMAXPROCS is 2 on the project's machine
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := n.Add(1)
						in := spread.intakes[int(i)%len(spread.intakes)]
						body := sampleCase(b, "基准案件")
						body["place_code"] = in.street
						// Distinct parties, so the repeat-dispute lookup does not grow with the run.
						body["parties"].([]map[string]any)[0]["id_number"] = idNumber(b, in.idPrefix, "19800101", int(i%1000))
						body["parties"].([]map[string]any)[0]["phone"] = fmt.Sprintf("138%08d", i)
						body["parties"].([]map[string]any)[1]["phone"] = fmt.Sprintf("139%08d", i)
						start := time.Now()
						res := e.do(in.user, http.MethodPost, "/api/v1/tenants/"+in.code+"/cases", body)
						lat.add(time.Since(start))
						if res.status != http.StatusCreated {
							b.Errorf("createCase: %d %s", res.status, res.body)
						}
					}
				})
				lat.report(b)
				if tps, err := strconv.ParseFloat(os.Getenv("PGBENCH_INSERT_TPS"), 64); err == nil && tps > 0 {
					b.ReportMetric(tps, "pgbench-insert-tps")
					b.ReportMetric(float64(len(lat.d))/b.Elapsed().Seconds()/tps, "ratio-to-pgbench")
				}
			})
		}
	}
}

// BenchmarkGetCase measures getCase (with parties unsealed and masked) at 16 clients.
func BenchmarkGetCase(b *testing.B) {
	e := newEnv(b)
	res := e.do("putuo-staff", http.MethodPost, "/api/v1/tenants/310107/cases", sampleCase(b, "读取基准"))
	path := "/api/v1/tenants/310107/cases/" + res.json["id"].(string)
	var lat latencies
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			start := time.Now()
			r := e.do("putuo-staff", http.MethodGet, path, nil)
			lat.add(time.Since(start))
			if r.status != 200 {
				b.Errorf("getCase: %d", r.status)
			}
		}
	})
	lat.report(b)
}
