package cli_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/fengqiao/fengqiao/tenants"
)

// demoCases is the number of cases of tenants/demo.yaml (each issue adds its own), and
// demoCasesCreated what a first seed prints.
func demoCases(t testing.TB) int {
	seed, err := tenants.Demo()
	if err != nil {
		t.Fatal(err)
	}
	return len(seed.Cases)
}

// demoSealedParties is the number of parties of the demo cases with personal data to seal (an
// ID number, a phone or an address).
func demoSealedParties(t testing.TB) int {
	seed, err := tenants.Demo()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range seed.Cases {
		for _, p := range c.Parties {
			if p.IDNumber != "" || p.Phone != "" || p.Address != "" {
				n++
			}
		}
	}
	return n
}

// The demo workbook (tenants.DemoImport) that the seed imports holds 5 cases, whose 5 parties
// have personal data.
const demoWorkbookCases, demoWorkbookParties = 5, 5

func demoCasesCreated(t testing.TB) string {
	return fmt.Sprintf("demo cases: %d created", demoCases(t))
}

// TestDemoSeedRunsItsSteps: the demo's case steps run through the API as the users they name,
// once: seeding again neither repeats them nor fails.
func TestDemoSeedRunsItsSteps(t *testing.T) {
	db := storetest.NewDatabase(t)
	useDatabase(t, db)
	runSteps(t, []step{
		{name: "first seed", args: []string{"demo", "seed"}, wantOut: []string{demoCasesCreated(t)}},
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

// TestDemoSeedThenGenerate is `make run`'s order: the demo seed, then a year of Shanghai 2020.
// Nothing the seed loads (its cases, the workbook it imports) may fall in that year, or the
// year is refused as already loaded and the demo's figures are empty.
func TestDemoSeedThenGenerate(t *testing.T) {
	db := storetest.NewDatabase(t)
	useDatabase(t, db)
	runSteps(t, []step{
		{name: "seed", args: []string{"demo", "seed"}, wantOut: []string{demoCasesCreated(t)}},
		{name: "generate", args: []string{"demo", "generate", "--profile", "shanghai-2020", "--scale", "0.001", "--batch", "500"},
			wantOut: []string{"loaded 1943 cases", "310000 2020: received 1943"}},
	})
}
