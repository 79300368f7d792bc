package cli_test

import (
	"context"
	"testing"

	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// TestDemoWarnings (issue 14, item 6): the demo's Putuo designates its police station and
// petition office, a phrased threat to petition in Beijing raises an orange warning, and a calm
// description ("双方并未动手…") raises none.
func TestDemoWarnings(t *testing.T) {
	db := storetest.NewDatabase(t)
	useDatabase(t, db)
	runSteps(t, []step{{name: "seed", args: []string{"demo", "seed"}, wantOut: []string{demoCasesCreated(t)}}})
	conn := ownerQuery(t, db)
	ctx := context.Background()
	var police, gov string
	if err := conn.QueryRow(ctx, `SELECT p.name, g.name FROM warning_settings s JOIN organisations p ON p.id = s.police_org_id
		JOIN organisations g ON g.id = s.government_org_id WHERE s.tenant_id = '310107'`).Scan(&police, &gov); err != nil {
		t.Fatalf("Putuo's warning settings: %v", err)
	}
	if police != "上海市公安局普陀分局长寿路派出所" || gov != "普陀区人民政府信访办公室" {
		t.Errorf("designated %q and %q", police, gov)
	}
	for _, c := range []struct {
		title, level string
		warnings     int
	}{{"征收补偿纠纷", "orange", 1}, {"停车位归属争议", "none", 0}} {
		var level string
		var n int
		if err := conn.QueryRow(ctx, `SELECT c.risk_level, (SELECT count(*) FROM warnings w WHERE w.case_id = c.id) FROM cases c
			WHERE c.tenant_id = '310107' AND c.title = $1`, c.title).Scan(&level, &n); err != nil {
			t.Fatalf("%s: %v", c.title, err)
		}
		if level != c.level || n != c.warnings {
			t.Errorf("%s: level %s with %d warnings, want %s with %d", c.title, level, n, c.level, c.warnings)
		}
	}
}
