package caseimport

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/fengqiao/fengqiao/core/cases"
)

// Limits of an Excel workbook, an untrusted file: the workbook is read whole (a zip needs its
// directory at the end), its parts unzipped up to MaxXLSXUnzipped in all, a sheet beyond
// xlsxSheetInMemory streamed from a temporary file; rows beyond Excel's own last row, or wider
// than maxXLSXColumns, are refused.
const (
	MaxXLSXBytes      = 64 << 20  // the file
	MaxXLSXUnzipped   = 512 << 20 // its parts, unzipped
	xlsxSheetInMemory = 16 << 20  // a larger sheet is unzipped to a temporary file
	MaxXLSXRows       = 1 << 20   // Excel's last row, 1,048,576
	maxXLSXColumns    = 1024
)

// dateColumns hold times: Excel stores a date as a number of days (a serial), shown by the
// cell's format; the serial is read and written as a date, whatever the format.
var dateColumns = map[string]bool{"received_at": true, "due_at": true, "concluded_at": true}

// newXLSXReader reads the first sheet of a workbook like a CSV file: header row first, line
// numbers the sheet's row numbers as Excel shows them.
func newXLSXReader(r io.Reader) cases.ImportReader {
	c := &csvReader{}
	var (
		rows   *excelize.Rows
		row    int
		failed error
	)
	fail := func(line int, msg string) error {
		failed = fileError(line, "-", msg)
		if rows != nil {
			_ = rows.Close()
		}
		return failed
	}
	open := func() (err error) {
		// A parser of a complex format meets every malformed file: none may bring the import,
		// or the server, down.
		defer func() {
			if p := recover(); p != nil {
				err = fail(1, "不是有效的 Excel 工作簿（.xlsx） / not a valid Excel workbook (.xlsx)")
			}
		}()
		data, err := io.ReadAll(io.LimitReader(r, MaxXLSXBytes+1))
		if err != nil {
			return err
		}
		if len(data) > MaxXLSXBytes {
			return fail(1, fmt.Sprintf("Excel 文件超过 %d MiB，请另存为 CSV 导入 / the workbook exceeds %d MiB: save it as CSV and import that", MaxXLSXBytes>>20, MaxXLSXBytes>>20))
		}
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
			UnzipSizeLimit: MaxXLSXUnzipped, UnzipXMLSizeLimit: xlsxSheetInMemory, RawCellValue: true})
		if err != nil {
			return fail(1, "不是有效的 Excel 工作簿（.xlsx；旧版 .xls 请另存为 .xlsx 或 CSV） / not a valid Excel workbook (.xlsx; save an old .xls as .xlsx or CSV)")
		}
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return fail(1, "工作簿中没有工作表 / the workbook has no sheet")
		}
		if rows, err = f.Rows(sheets[0]); err != nil {
			return fail(1, "第一个工作表无法读取 / the first sheet cannot be read")
		}
		return nil
	}
	c.read = func() (rec []string, line int, err error) {
		defer func() {
			if p := recover(); p != nil {
				rec, err = nil, fail(row, "工作表无法继续读取 / the sheet cannot be read from here")
			}
		}()
		if failed != nil {
			return nil, 0, failed
		}
		if rows == nil {
			if err := open(); err != nil {
				return nil, 1, err
			}
		}
		for {
			if !rows.Next() {
				_ = rows.Close()
				if err := rows.Error(); err != nil {
					return nil, row, fail(row+1, "工作表无法继续读取 / the sheet cannot be read from here")
				}
				return nil, row, io.EOF
			}
			row++
			if row > MaxXLSXRows {
				return nil, row, fail(row, fmt.Sprintf("工作表超过 %d 行 / the sheet exceeds %d rows", MaxXLSXRows, MaxXLSXRows))
			}
			cols, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return nil, row, fail(row, "此行无法读取 / this row cannot be read")
			}
			if len(cols) > maxXLSXColumns {
				return nil, row, fail(row, fmt.Sprintf("此行超过 %d 列 / the row has more than %d columns", maxXLSXColumns, maxXLSXColumns))
			}
			if strings.TrimSpace(strings.Join(cols, "")) == "" {
				if row == 1 {
					return nil, row, fail(1, "第 1 行应为表头 / row 1 must be the header row")
				}
				continue // an empty row
			}
			return c.fill(cols), row, nil
		}
	}
	return c
}

// fill trims a sheet's row of the empty cells Excel keeps after the last value (formatted
// ones) and pads it to the header's width (Excel omits trailing empty cells), and writes the
// serials of date columns as dates. The header row is only trimmed.
func (c *csvReader) fill(cols []string) []string {
	for len(cols) > len(c.names) && strings.TrimSpace(cols[len(cols)-1]) == "" {
		cols = cols[:len(cols)-1]
	}
	for len(cols) < len(c.names) {
		cols = append(cols, "")
	}
	for i, name := range c.names {
		if i < len(cols) && dateColumns[name] {
			cols[i] = serialDate(cols[i])
		}
	}
	return cols
}

// serialDate writes an Excel date serial (45366, 45366.5) as "2024-03-15" or "2024-03-15
// 12:00:00" — a local date and time, as Excel has no zone (China time for the import); any
// other text is left alone.
func serialDate(v string) string {
	s := strings.TrimSpace(v)
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(n) || n < 1 || n > 2958465 || strings.ContainsAny(s, "eE") { // 9999-12-31
		return v
	}
	t, err := excelize.ExcelDateToTime(n, false)
	if err != nil {
		return v
	}
	t = t.Round(1e9)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04:05")
}
