package caseimport_test

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/caseimport"
	"github.com/fengqiao/fengqiao/core/cases"
)

// writeGenerated writes n valid historical cases of Putuo and Qingpu (two parties each, with ID
// numbers and phones, so that sealing costs what it costs in real files) to a CSV file.
func writeGenerated(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	_ = w.Write(header)
	statuses := []string{"succeeded", "succeeded", "succeeded", "failed", "closed"}
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = idNumber(tb, "310107", fmt.Sprintf("19%02d0%d1%d", 50+i%40, 1+i%9, i%10), i%1000)
	}
	for i := range n {
		r := validRow(tb, 0)
		r["title"] = "历史案件 " + strconv.Itoa(i)
		r["applicant_id_number"] = ids[i%len(ids)]
		r["applicant_phone"] = fmt.Sprintf("138%08d", i)
		r["received_at"] = fmt.Sprintf("20%02d-%02d-%02d", 18+i%6, 1+i%12, 1+i%28)
		r["concluded_at"] = fmt.Sprintf("20%02d-%02d-%02d", 18+i%6, 1+i%12, 1+i%28)
		r["status"] = statuses[i%len(statuses)]
		if r["status"] != "succeeded" {
			r["performance"] = ""
		}
		if r["status"] == "failed" {
			r["outcome_channel"] = "litigation"
		}
		if i%4 == 3 {
			r["tenant"], r["place_code"] = "310118", ""
		}
		rec := make([]string, len(header))
		for j, h := range header {
			rec[j] = r[h]
		}
		_ = w.Write(rec)
	}
	w.Flush()
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkImport imports FENGQIAO_IMPORT_ROWS generated rows (default 200,000) per operation
// through the whole path (read, validate, seal, COPY, insert) and reports cases/s:
//
//	go test ./core/caseimport -run '^$' -bench Import -benchtime 1x
func BenchmarkImport(b *testing.B) {
	n := 200_000
	if v := os.Getenv("FENGQIAO_IMPORT_ROWS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	path := filepath.Join(b.TempDir(), "cases.csv")
	writeGenerated(b, path, n)
	st, _ := os.Stat(path)
	b.ReportAllocs()
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b)
		b.StartTimer()
		start := time.Now()
		var validated time.Duration
		rep, err := e.cases.Import(e.ctx, caseimport.FileSource{Path: path, Format: caseimport.CSV}, cases.ImportOptions{Scope: "000000", File: "bench.csv",
			Progress: func(pass string, _, _ int) {
				if pass == "import" && validated == 0 {
					validated = time.Since(start)
				}
			}})
		total += time.Since(start)
		b.ReportMetric(validated.Seconds(), "s-validate")
		if err != nil || rep.Imported != n {
			b.Fatalf("import: %v (%d imported of %d; errors %+v)", err, rep.Imported, n, rep.Errors)
		}
	}
	rate := float64(n*b.N) / total.Seconds()
	b.ReportMetric(rate, "cases/s")
	// make bench measures pgbench's single-row INSERT on the same cluster first: the ratio is
	// the figure to compare between machines and runs.
	if tps, err := strconv.ParseFloat(os.Getenv("PGBENCH_INSERT_TPS"), 64); err == nil && tps > 0 {
		b.ReportMetric(rate/tps, "ratio-to-pgbench")
	}
	b.ReportMetric(float64(st.Size())/float64(n), "bytes/row")
}
