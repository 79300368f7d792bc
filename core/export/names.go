package export

import "github.com/fengqiao/fengqiao/core/codes"

// FormatNames names the export formats.
func FormatNames() codes.Set {
	return codes.Of([]Format{CSV, XLSX}, map[Format][2]string{
		CSV: {"CSV 表格（UTF-8，带 BOM）", "CSV (UTF-8 with BOM)"}, XLSX: {"Excel 工作簿", "Excel workbook"}})
}
