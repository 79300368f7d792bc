package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func sample() []Table {
	rate := 0.6871
	rows := [][]any{
		{"(2020)沪0107调字第00001号", "邻里纠纷", int64(12), &rate, time.Date(2020, 3, 1, 2, 0, 0, 0, time.UTC)},
		{"=HYPERLINK(\"http://evil\")", "-1", 3, (*float64)(nil), nil},
	}
	return []Table{
		{Sheet: "案件", Headers: []string{"案件编号", "纠纷类型", "件数", "成功率", "受理时间"}, Rows: func(yield func([]any) error) error {
			for _, r := range rows {
				if err := yield(r); err != nil {
					return err
				}
			}
			return nil
		}},
		{Sheet: "按类型", Headers: []string{"类型", "受理"}, Rows: func(yield func([]any) error) error { return yield([]any{"劳动争议", 5}) }},
	}
}

func TestCSVReadsBack(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, CSV, sample()[0]); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\ufeff")) {
		t.Fatal("no byte-order mark")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"案件编号", "纠纷类型", "件数", "成功率", "受理时间"},
		{"(2020)沪0107调字第00001号", "邻里纠纷", "12", "0.6871", "2020-03-01 10:00"},
		{"'=HYPERLINK(\"http://evil\")", "-1", "3", "", ""},
	}
	if len(recs) != len(want) {
		t.Fatalf("records %v", recs)
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i, recs[i], want[i])
		}
	}
}

func TestXLSXReadsBack(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, XLSX, sample()...); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "案件" || got[1] != "按类型" {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows("案件")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "案件编号" || rows[1][0] != "(2020)沪0107调字第00001号" || rows[1][2] != "12" || rows[1][3] != "0.6871" ||
		rows[1][4] != "2020-03-01 10:00" || rows[2][0] != "=HYPERLINK(\"http://evil\")" {
		t.Fatalf("rows %q", rows)
	}
	if formula, _ := f.GetCellFormula("案件", "A3"); formula != "" {
		t.Fatalf("text became a formula: %q", formula)
	}
	typ, err := f.GetCellType("案件", "C2")
	if err != nil || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Fatalf("counts must be numbers, got cell type %v (%v)", typ, err)
	}
	by, _ := f.GetRows("按类型")
	if len(by) != 2 || by[1][0] != "劳动争议" || by[1][1] != "5" {
		t.Fatalf("second sheet %q", by)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": CSV, "csv": CSV, "xlsx": XLSX} {
		if got, ok := ParseFormat(in); !ok || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := ParseFormat("pdf"); ok {
		t.Error("pdf accepted")
	}
}
