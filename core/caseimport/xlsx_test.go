package caseimport

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/fengqiao/fengqiao/core/cases"
)

// workbook builds an .xlsx whose first sheet holds the rows (cells as given: strings, numbers,
// times), starting at row 1; a nil row is left empty. A second sheet must be ignored.
func workbook(t testing.TB, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	dates, err := f.NewStyle(&excelize.Style{NumFmt: 14}) // m/d/yy: shown unlike the import's dates
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellValue(sheet, cell, v); err != nil {
				t.Fatal(err)
			}
			if _, ok := v.(time.Time); ok {
				_ = f.SetCellStyle(sheet, cell, cell, dates)
			}
		}
	}
	if _, err := f.NewSheet("说明"); err != nil {
		t.Fatal(err)
	}
	_ = f.SetCellValue("说明", "A1", "不是数据")
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestXLSXReader: the first sheet reads like a CSV file — Chinese headers, line numbers the
// sheet's row numbers, empty rows skipped, short rows padded, date cells as dates whatever
// their display format, numbers as written.
func TestXLSXReader(t *testing.T) {
	data := workbook(t,
		[]any{"租户", "标题", "纠纷类型", "来源", "受理时间", "状态", "办结时间", "标的额", "申请人姓名", "申请人证件类型", "申请人证件号码", "申请人电话"},
		[]any{"310107", "楼上漏水", "邻里纠纷", "上门", time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), "调解成功", time.Date(2024, 4, 1, 14, 30, 0, 0, time.UTC), 3500.5, "陈大文", "回乡证", "H12345678", 13800138000},
		nil,
		[]any{"310107", "只有标题"},
		[]any{"310107", "文字日期", "劳动争议", "电话", "2024-05-06", "已受理"},
	)
	rows, fe := readAll(t, data, XLSX)
	if fe != nil || len(rows) != 3 {
		t.Fatalf("rows %d, file error %+v", len(rows), fe)
	}
	r := rows[0]
	if r.Line != 2 || r.Tenant != "310107" || r.DisputeType != "邻里纠纷" || r.Source != "上门" || r.ReceivedAt != "2024-03-15" ||
		r.ConcludedAt != "2024-04-01 14:30:00" || r.AmountYuan != "3500.5" || len(r.Errors) != 0 {
		t.Errorf("first row %+v", r)
	}
	if p := r.Parties; len(p) != 1 || p[0].IDType != "回乡证" || p[0].IDNumber != "H12345678" || p[0].Phone != "13800138000" || p[0].Prefix != "applicant_" {
		t.Errorf("party %+v", r.Parties)
	}
	if rows[1].Line != 4 || rows[1].Title != "只有标题" || len(rows[1].Errors) != 0 {
		t.Errorf("a short row after an empty one: %+v", rows[1])
	}
	if rows[2].Line != 5 || rows[2].ReceivedAt != "2024-05-06" {
		t.Errorf("a date written as text: %+v", rows[2])
	}
	if len(r.RawHeader) != 12 || len(r.Raw) != 12 {
		t.Errorf("raw record %d, header %d", len(r.Raw), len(r.RawHeader))
	}
}

// TestXLSXFileErrors: what stops a workbook, at its row, in both languages; nothing panics.
func TestXLSXFileErrors(t *testing.T) {
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("xl/workbook.xml")
	_, _ = w.Write([]byte("<workbook"))
	_ = zw.Close()
	for _, c := range []struct {
		name string
		data []byte
		line int
		want string
	}{
		{"not a workbook", []byte("title,dispute_type\n"), 1, "不是有效的 Excel 工作簿"},
		{"an empty body", nil, 1, "不是有效的 Excel 工作簿"},
		{"a zip that is no workbook", zipped.Bytes(), 1, "Excel"},
		{"an empty sheet", workbook(t), 1, "文件为空"},
		{"an empty first row", workbook(t, nil, []any{"标题"}), 1, "第 1 行应为表头"},
		{"an unknown column", workbook(t, []any{"标题", "颜色"}), 1, "未知列"},
		{"no required columns", workbook(t, []any{"标题"}), 1, "缺少必填列"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, fe := readAll(t, c.data, XLSX)
			if fe == nil || len(rows) != 0 {
				t.Fatalf("rows %d, file error %v", len(rows), fe)
			}
			if fe.Line != c.line || !strings.Contains(fe.Message, c.want) || !strings.Contains(fe.Message, " / ") {
				t.Errorf("file error %+v, want line %d and %q", fe, c.line, c.want)
			}
		})
	}
}

// FuzzXLSXReader: a workbook is untrusted input. No bytes make the reader panic or run away;
// a file error names its row and says what is wrong in both languages; rows come in order.
func FuzzXLSXReader(f *testing.F) {
	good := workbook(f,
		[]any{"标题", "纠纷类型", "来源", "受理时间", "状态", "申请人姓名"},
		[]any{"漏水", "邻里纠纷", "上门", time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), "已受理", "张三"})
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(bytes.Replace(good, []byte("xl/worksheets"), []byte("xl/worksheetz"), 1))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		rows, fe := readAll(t, data, XLSX)
		if fe != nil && (fe.Field == "" || fe.Line < 1 || !strings.Contains(fe.Message, " / ")) {
			t.Fatalf("file error %+v", fe)
		}
		last := 0
		for _, r := range rows {
			if r.Line <= last || r.Line > MaxXLSXRows {
				t.Fatalf("row %d after row %d", r.Line, last)
			}
			last = r.Line
			rw := NewRejectWriter(&bytes.Buffer{}, XLSX)
			if err := rw.Reject(r, []cases.RowError{{Line: r.Line, Field: "x", Message: "测试 / test"}}); err != nil {
				t.Fatal(err)
			}
		}
	})
}
