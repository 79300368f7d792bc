package cli_test

import (
	"context"
	"testing"

	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// TestDemoSeedRunsItsSteps: the demo's case steps run through the API as the users they name,
// once: seeding again neither repeats them nor fails.
func TestDemoSeedRunsItsSteps(t *testing.T) {
	db := storetest.NewDatabase(t)
	useDatabase(t, db)
	runSteps(t, []step{
		{name: "first seed", args: []string{"demo", "seed"}, wantOut: []string{"demo cases: 3 created"}},
		{name: "second seed", args: []string{"demo", "seed"}, wantOut: []string{"demo cases: 0 created"}},
	})
	conn := ownerQuery(t, db)
	var status, committee string
	err := conn.QueryRow(context.Background(), `SELECT c.status, o.name FROM cases c JOIN organisations o ON o.id = c.committee_id
		WHERE c.title = '楼上漏水致楼下天花板受损'`).Scan(&status, &committee)
	if err != nil {
		t.Fatal(err)
	}
	if status != "mediating" || committee != "长寿路街道人民调解委员会" {
		t.Errorf("demo-putuo-1 after its steps: status %q, committee %q; want mediating at 长寿路街道人民调解委员会", status, committee)
	}
	var byHead int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM case_events e JOIN users u ON e.actor = 'user:' || u.id::text
		WHERE u.username = 'changshou-head' AND e.action = 'start_mediation'`).Scan(&byHead); err != nil {
		t.Fatal(err)
	}
	if byHead != 1 {
		t.Errorf("start_mediation by the committee head recorded %d times, want once", byHead)
	}
}
