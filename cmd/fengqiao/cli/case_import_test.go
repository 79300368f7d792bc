package cli_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/fengqiao/fengqiao/core/store/storetest"
)

// TestCaseImportCommand: `fengqiao case import` end to end — the documented example files
// import; a file with a bad row imports nothing and exits non-zero with the error by line and
// field; --skip-invalid imports the rest and writes the rejected rows with their errors.
func TestCaseImportCommand(t *testing.T) {
	owner := storetest.NewDatabase(t)
	useDatabase(t, owner)
	dir := t.TempDir()
	example, err := os.ReadFile("../../../docs/examples/cases-import.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(example)), "\n")
	// Line 3 of the bad file (the second case) gets an unknown dispute type.
	bad := strings.Join([]string{lines[0], lines[1], strings.Replace(lines[2], ",labour,", ",alien_abduction,", 1), lines[3]}, "\n") + "\n"
	badPath := filepath.Join(dir, "legacy.csv")
	if err := os.WriteFile(badPath, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	// A workbook: Chinese headers and values; its row 3 names a source no one knows.
	xlsxPath := filepath.Join(dir, "sheet.xlsx")
	book := excelize.NewFile()
	for i, r := range [][]any{{"租户", "标题", "纠纷类型", "来源", "受理时间", "状态", "申请人姓名"},
		{"310118", "鱼塘承包纠纷", "合同纠纷", "上门", "2022-04-01", "已受理", "冯九"}, {"310118", "x", "合同纠纷", "飞鸽传书", "2022-04-01", "已受理", "冯九"}} {
		_ = book.SetSheetRow("Sheet1", "A"+strconv.Itoa(i+1), &r)
	}
	if err := book.SaveAs(xlsxPath); err != nil {
		t.Fatal(err)
	}
	count := func(t *testing.T, sql string) int { return int(storetest.QueryInt(t, owner, sql)) }
	runSteps(t, []step{
		{name: "seed", args: []string{"demo", "seed"}, wantOut: []string{demoCasesCreated(t), fmt.Sprintf("demo import (demo-import.xlsx): %d historical cases imported into 310107", demoWorkbookCases)}},
		{name: "the demo's workbook, in Chinese, imported once", args: []string{"demo", "seed"}, wantOut: []string{"demo import (demo-import.xlsx): already imported"}, check: func(t *testing.T, _ string) {
			if n := count(t, "SELECT count(*) FROM cases WHERE number LIKE '普陀旧-%' AND tenant_id = '310107'"); n != demoWorkbookCases {
				t.Errorf("%d demo workbook cases, want %d", n, demoWorkbookCases)
			}
			if n := count(t, "SELECT count(*) FROM case_parties WHERE id_type = 'hk_macao_permit'"); n != 1 {
				t.Errorf("%d parties with a Hong Kong and Macao permit, want the demo's one", n)
			}
			if n := count(t, "SELECT count(*) FROM cases WHERE number = '普陀旧-2021-0001' AND dispute_type = 'neighbour' AND source = 'walk_in' AND status = 'succeeded' AND performance = 'performed'"); n != 1 {
				t.Errorf("the Chinese values of the demo workbook are not stored as codes (%d)", n)
			}
		}},
		{name: "atomic import refuses a bad row", args: []string{"case", "import", badPath},
			wantOut: []string{"line 3\tdispute_type\t", "validated 3, imported 0, rejected 1"},
			wantErr: []string{"1 invalid rows: nothing imported"}},
		{name: "nothing was imported", args: []string{"version"}, check: func(t *testing.T, _ string) {
			if n, want := count(t, "SELECT count(*) FROM cases"), demoCases(t)+demoWorkbookCases; n != want {
				t.Errorf("%d cases after a refused import, want the %d demo cases and the %d of the demo workbook", n, demoCases(t), demoWorkbookCases)
			}
		}},
		{name: "skip invalid", args: []string{"case", "import", "--skip-invalid", "--actor", "cli:王科长", badPath},
			wantOut: []string{"validated 3, imported 2, rejected 1", "310107  2          1         1", "310118  1          1         0", "legacy.rejected.csv"}},
		{name: "rejected file", args: []string{"version"}, check: func(t *testing.T, _ string) {
			f, err := os.Open(filepath.Join(dir, "legacy.rejected.csv"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			recs, err := csv.NewReader(f).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 2 || recs[0][len(recs[0])-1] != "errors" || recs[1][2] != "劳务费纠纷" ||
				!strings.Contains(recs[1][len(recs[1])-1], "line 3") || !strings.Contains(recs[1][len(recs[1])-1], "dispute_type") {
				t.Errorf("rejected file %q", recs)
			}
			if n := count(t, "SELECT count(*) FROM audit_events WHERE action = 'case.import' AND actor = 'cli:王科长' AND after->>'file' = 'legacy.csv'"); n != 2 {
				t.Errorf("%d audit entries of the import, want one per tenant (2)", n)
			}
			if n := count(t, "SELECT count(*) FROM cases WHERE created_by = 'cli:王科长' AND number = '(2023)普调字第0001号'"); n != 1 {
				t.Errorf("legacy number not kept (%d)", n)
			}
		}},
		{name: "ndjson example", args: []string{"case", "import", "../../../docs/examples/cases-import.ndjson"},
			wantOut: []string{"validated 2, imported 2, rejected 0"}},
		{name: "numbered in the year of receipt", args: []string{"version"}, check: func(t *testing.T, _ string) {
			if n := count(t, "SELECT count(*) FROM cases WHERE tenant_id = '310107' AND number = '(2024)沪0107调字第00001号' AND status = 'mediating' AND committee_id IS NOT NULL"); n != 1 {
				t.Errorf("the imported case without a legacy number is not numbered in 2024 (%d)", n)
			}
		}},
		{name: "rejected without skip-invalid", args: []string{"case", "import", "--rejected", filepath.Join(dir, "r.csv"), badPath}, wantErr: []string{"--skip-invalid"}},
		{name: "unknown format", args: []string{"case", "import", filepath.Join(dir, "x.xls")}, wantErr: []string{"--format"}},
		{name: "a workbook with a bad row", args: []string{"case", "import", "--skip-invalid", xlsxPath},
			wantOut: []string{"line 3	source	", "validated 2, imported 1, rejected 1", "sheet.rejected.csv"}},
		{name: "tenant restriction", args: []string{"case", "import", "--tenant", "310118", "../../../docs/examples/cases-import.ndjson"},
			wantOut: []string{"line 1\ttenant\t", "line 2\ttenant\t"}, wantErr: []string{"nothing imported"}},
	})
}
