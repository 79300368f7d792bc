package cli_test

import (
	"context"
	"testing"

	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// TestDemoPartlyPerformed: the demo shows a written agreement partly performed (issue 14, item
// 2) — what is left and by when — counted as such in the statistics.
func TestDemoPartlyPerformed(t *testing.T) {
	db := storetest.NewDatabase(t)
	useDatabase(t, db)
	runSteps(t, []step{{name: "seed", args: []string{"demo", "seed"}}})
	conn := ownerQuery(t, db)
	var performance, result, form string
	var remaining float64
	var due bool
	err := conn.QueryRow(context.Background(), `SELECT c.performance, c.agreement->>'form', p.result, p.remaining_amount::float8,
			p.remaining_due > p.on_date
		FROM cases c JOIN case_performance p ON p.tenant_id = c.tenant_id AND p.case_id = c.id WHERE c.title = '车位租金拖欠纠纷'`).
		Scan(&performance, &form, &result, &remaining, &due)
	if err != nil {
		t.Fatal(err)
	}
	if performance != "partly_performed" || form != "written" || result != "partly_performed" || remaining != 5000 || !due {
		t.Errorf("demo-putuo-perf: performance %q, form %q, record %q, remaining %v, due later %v", performance, form, result, remaining, due)
	}
	var partly int64
	if err := conn.QueryRow(context.Background(), `SELECT coalesce(sum(partly_performed), 0) FROM stats_daily
		WHERE tenant_id = '310107' AND dispute_type = '*' AND source = '*'`).Scan(&partly); err != nil {
		t.Fatal(err)
	}
	if partly != 1 {
		t.Errorf("statistics count %d partly performed agreements, want 1", partly)
	}
}
