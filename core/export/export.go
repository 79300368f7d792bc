// Package export owns the file formats of exports: a table (a sheet with Chinese headers) written
// as CSV — UTF-8 with a byte-order mark, so that spreadsheet programs read the Chinese right —
// or as an XLSX workbook of one or more sheets, streamed row by row.
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// Format is an export file format.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ParseFormat reads a format name; empty is CSV.
func ParseFormat(s string) (Format, bool) {
	switch s {
	case "", "csv":
		return CSV, true
	case "xlsx":
		return XLSX, true
	}
	return "", false
}

// ContentType returns the media type of a format.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Table is one sheet: headers and rows of cells (string, integers, float64, *float64, time.Time
// or nil for an empty cell).
type Table struct {
	Sheet   string
	Headers []string
	Rows    func(yield func([]any) error) error // produces the rows in order
}

// Write writes the tables in the format. CSV holds one table; further tables follow after an
// empty line, each with its sheet name as a title line.
func Write(w io.Writer, f Format, tables ...Table) error {
	if f == XLSX {
		return writeXLSX(w, tables)
	}
	return writeCSV(w, tables)
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case *float64:
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'f', -1, 64)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.In(china).Format("2006-01-02 15:04")
	case *time.Time:
		if x == nil {
			return ""
		}
		return x.In(china).Format("2006-01-02 15:04")
	}
	return fmt.Sprint(v)
}

var china = time.FixedZone("CST", 8*3600)

func writeCSV(w io.Writer, tables []Table) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for i, t := range tables {
		if len(tables) > 1 {
			if i > 0 {
				if err := cw.Write([]string{}); err != nil {
					return err
				}
			}
			if err := cw.Write([]string{t.Sheet}); err != nil {
				return err
			}
		}
		if err := cw.Write(t.Headers); err != nil {
			return err
		}
		err := t.Rows(func(row []any) error {
			rec := make([]string, len(row))
			for j, v := range row {
				rec[j] = sanitize(text(v))
			}
			return cw.Write(rec)
		})
		if err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// sanitize defuses cells a spreadsheet would run as a formula (CSV injection): a leading =, +, -
// or @ of text that is not a number gets a leading apostrophe.
func sanitize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "'" + s
		}
	}
	return s
}

func writeXLSX(w io.Writer, tables []Table) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, t := range tables {
		name := t.Sheet
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		header := make([]any, len(t.Headers))
		for j, h := range t.Headers {
			header[j] = h
		}
		if err := sw.SetRow("A1", header); err != nil {
			return err
		}
		n := 1
		err = t.Rows(func(row []any) error {
			n++
			cells := make([]any, len(row))
			for j, v := range row {
				switch x := v.(type) {
				case int, int64, float64, string, nil:
					cells[j] = x
				case *float64:
					if x != nil {
						cells[j] = *x
					}
				default:
					cells[j] = text(v)
				}
			}
			cell, err := excelize.CoordinatesToCellName(1, n)
			if err != nil {
				return err
			}
			return sw.SetRow(cell, cells)
		})
		if err != nil {
			return err
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.Write(w)
}
