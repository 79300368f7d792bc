package cli_test

import (
	"context"
	"testing"

	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// TestDemoShowsConfirmationAndCourtLimit: the demo holds issue 14's items 1 and 4 — a written
// agreement confirmed by 上海市普陀区人民法院 (whose clerk read it while seeding: the step answers
// 2xx or the seed fails), and an in-litigation case whose court time limit was extended once.
func TestDemoShowsConfirmationAndCourtLimit(t *testing.T) {
	db := storetest.NewDatabase(t)
	useDatabase(t, db)
	runSteps(t, []step{{name: "seed", args: []string{"demo", "seed"}}})
	conn := ownerQuery(t, db)
	var court string
	if err := conn.QueryRow(context.Background(), `SELECT c.confirmation ->> 'court' FROM cases c
		WHERE c.title = '法院委派：物业费纠纷（已司法确认）' AND c.status = 'succeeded'`).Scan(&court); err != nil {
		t.Fatal(err)
	}
	if court != "上海市普陀区人民法院" {
		t.Errorf("confirming court %q", court)
	}
	var extendedDays int
	if err := conn.QueryRow(context.Background(), `SELECT extract(day FROM due_at - received_at)::int FROM cases
		WHERE title = '法院委托：买卖合同货款纠纷（调解期限已延长）' AND due_extended_at IS NOT NULL`).Scan(&extendedDays); err != nil {
		t.Fatal(err)
	}
	if extendedDays != 60 {
		t.Errorf("the extended court limit is %d days, want 60", extendedDays)
	}
}
