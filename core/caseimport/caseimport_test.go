package caseimport

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/cases"
)

// readAll reads every row; fileErr is the error that stopped the file, if any.
func readAll(t testing.TB, data []byte, f Format) (rows []cases.ImportRow, fileErr *cases.ImportFileError) {
	r, err := NewReader(bytes.NewReader(data), f)
	if err != nil {
		t.Fatal(err)
	}
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if errors.As(err, &fileErr) {
			return rows, fileErr
		}
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		rows = append(rows, row)
	}
}

func TestCSVChineseHeaderAndBOM(t *testing.T) {
	data := "\ufeff租户,案件编号,标题,纠纷类型,来源,受理时间,状态,申请人姓名,申请人身份证号,被申请人姓名,当事人\n" +
		"310107,旧-1,\"多行\n标题\",neighbour,walk_in,2024-01-02,received,张三,110105194912310029,李四,\"[{\"\"name\"\":\"\"王五\"\",\"\"role\"\":\"\"third_party\"\"}]\"\n" +
		"\n" +
		"310107,旧-2,第二行,neighbour,walk_in,2024-01-02,received,赵六,,,\n"
	rows, fe := readAll(t, []byte(data), CSV)
	if fe != nil || len(rows) != 2 {
		t.Fatalf("rows %d, file error %v", len(rows), fe)
	}
	r := rows[0]
	if r.Line != 2 || r.Tenant != "310107" || r.Number != "旧-1" || r.Title != "多行\n标题" || len(r.Errors) != 0 {
		t.Errorf("first row %+v", r)
	}
	if len(r.Parties) != 3 || r.Parties[0].Role != "applicant" || r.Parties[0].Prefix != "applicant_" ||
		r.Parties[1].Name != "李四" || r.Parties[1].Role != "respondent" || r.Parties[2].Prefix != "parties[0]." || r.Parties[2].Role != "third_party" {
		t.Errorf("parties %+v", r.Parties)
	}
	if rows[1].Line != 5 || len(rows[1].Parties) != 1 {
		t.Errorf("second row starts on line %d (want 5, after a two-line record and a blank line), parties %+v", rows[1].Line, rows[1].Parties)
	}
}

func TestCSVFileErrors(t *testing.T) {
	for _, c := range []struct {
		name, data string
		line       int
		field      string
	}{
		{"empty", "", 1, "header"},
		{"unknown column", "title,dispute_type,source,received_at,status,colour\n", 1, "colour"},
		{"missing required", "title,dispute_type,source,received_at\n", 1, "status"},
		{"twice", "title,标题,dispute_type,source,received_at,status\n", 1, "标题"},
		{"empty column name", "title,,dispute_type,source,received_at,status\n", 1, "header"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, fe := readAll(t, []byte(c.data), CSV)
			if fe == nil || fe.Line != c.line || fe.Field != c.field || !strings.Contains(fe.Message, " / ") {
				t.Errorf("file error %+v, want line %d field %s", fe, c.line, c.field)
			}
		})
	}
}

func TestCSVRowErrors(t *testing.T) {
	data := "title,dispute_type,source,received_at,status,amount_yuan\n" +
		"a,b,c,d,e\n" + // too few columns
		"a,b,c,d,e,\xff\n" + // invalid UTF-8
		"\"open,b,c,d,e,f\n" // an unterminated quote runs to the end: one field
	rows, fe := readAll(t, []byte(data), CSV)
	if fe != nil || len(rows) != 3 {
		t.Fatalf("%d rows, %v", len(rows), fe)
	}
	if len(rows[0].Errors) != 1 || rows[0].Errors[0].Field != "columns" || rows[0].Line != 2 {
		t.Errorf("column count: %+v", rows[0])
	}
	if len(rows[1].Errors) != 1 || rows[1].Errors[0].Field != "amount_yuan" || rows[1].Line != 3 {
		t.Errorf("encoding: %+v", rows[1])
	}
	if len(rows[2].Errors) != 1 || rows[2].Errors[0].Field != "columns" || rows[2].Line != 4 {
		t.Errorf("unterminated quote: %+v", rows[2])
	}
}

func TestNDJSONRows(t *testing.T) {
	long := `{"title":"` + strings.Repeat("长", MaxRowBytes/3+10) + `"}`
	data := `{"title":"a","amount_yuan":12.5,"parties":[{"name":"张三","role":"applicant","birth_year":1970}]}` + "\r\n" +
		"\n" +
		`{"title":{"x":1},"number":null}` + "\n" +
		long + "\n" +
		`[1,2]` + "\n" +
		`{"title":"b"} {"title":"c"}` + "\n" +
		`{"title":"last, no newline","parties":[{"name":"x","age":3}]}`
	rows, fe := readAll(t, []byte(data), NDJSON)
	if fe != nil || len(rows) != 6 {
		t.Fatalf("%d rows, %v", len(rows), fe)
	}
	want := []struct {
		line  int
		field string
	}{{1, ""}, {3, "title"}, {4, "-"}, {5, "-"}, {6, "-"}, {7, "parties[0]"}}
	for i, w := range want {
		r := rows[i]
		got := ""
		if len(r.Errors) > 0 {
			got = r.Errors[0].Field
		}
		if r.Line != w.line || got != w.field {
			t.Errorf("row %d: line %d field %q, want line %d field %q (%+v)", i, r.Line, got, w.line, w.field, r.Errors)
		}
	}
	if rows[0].AmountYuan != "12.5" || len(rows[0].Parties) != 1 || rows[0].Parties[0].BirthYear != "1970" || rows[0].Parties[0].Prefix != "parties[0]." {
		t.Errorf("first row %+v", rows[0])
	}
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]Format{"a.csv": CSV, "b.CSV": CSV, "c.ndjson": NDJSON, "d.jsonl": NDJSON, "e.xlsx": XLSX, "f.XLSX": XLSX} {
		if f, ok := FormatOf(name); !ok || f != want {
			t.Errorf("%s: %q %v", name, f, ok)
		}
	}
	for _, name := range []string{"g.xls", "h.json", "i"} {
		if _, ok := FormatOf(name); ok {
			t.Errorf("%s accepted", name)
		}
	}
}

// FuzzReader: no input makes the readers panic, loop or report a row without its line and a
// message in both languages; rejected rows can always be written back.
func FuzzReader(f *testing.F) {
	f.Add([]byte("title,dispute_type,source,received_at,status\na,b,c,d,e\n"), true)
	f.Add([]byte("\ufeff标题,纠纷类型,来源,受理时间,状态,当事人\n\"x\ny\",b,c,d,e,\"[{}]\"\n"), true)
	f.Add([]byte(`{"title":"a","parties":[{"name":"x"}]}`+"\n{\n"), false)
	f.Add([]byte("{\"title\":\"\x00\"}\n\xff\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, isCSV bool) {
		format := NDJSON
		if isCSV {
			format = CSV
		}
		rows, fe := readAll(t, data, format)
		if fe != nil && (fe.Field == "" || !strings.Contains(fe.Message, " / ")) {
			t.Fatalf("file error without field or bilingual message: %+v", fe)
		}
		last := 0
		var out bytes.Buffer
		rw := NewRejectWriter(&out, format)
		for _, r := range rows {
			if r.Line <= last {
				t.Fatalf("line %d after line %d", r.Line, last)
			}
			last = r.Line
			for _, e := range r.Errors {
				if e.Field == "" || !strings.Contains(e.Message, " / ") {
					t.Fatalf("row error without field or bilingual message: %+v", e)
				}
			}
			if err := rw.Reject(r, []cases.RowError{{Line: r.Line, Field: "x", Message: "测试 / test"}}); err != nil {
				t.Fatal(err)
			}
		}
		if format == NDJSON {
			for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				if line != "" && !json.Valid([]byte(line)) && utf8.ValidString(line) {
					t.Fatalf("rejected line is not JSON: %q", line)
				}
			}
		}
	})
}
