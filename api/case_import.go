package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/caseimport"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/labstack/echo/v4"
)

// Limits of the import upload, larger than the server's for this route only: 64 MiB is some
// 250,000 case rows; bigger files go through `fengqiao case import`.
const (
	importBodyLimit = 64 << 20
	importTimeout   = 10 * time.Minute
)

// importMediaTypes are the bodies the upload takes.
var importMediaTypes = map[string]caseimport.Format{
	"text/csv": caseimport.CSV, "application/csv": caseimport.CSV,
	"application/x-ndjson": caseimport.NDJSON, "application/ndjson": caseimport.NDJSON, "application/jsonl": caseimport.NDJSON,
	xlsxMediaType: caseimport.XLSX,
}

// xlsxMediaType is an Excel workbook's (.xlsx).
const xlsxMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

type importRowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

type tenantImportDTO struct {
	Tenant    string `json:"tenant"`
	Validated int    `json:"validated"`
	Imported  int    `json:"imported"`
	Rejected  int    `json:"rejected"`
}

type importReport struct {
	Validated  int               `json:"validated"`
	Imported   int               `json:"imported"`
	Rejected   int               `json:"rejected"`
	Errors     []importRowError  `json:"errors"`
	MoreErrors int               `json:"more_errors"`
	Tenants    []tenantImportDTO `json:"tenants"`
}

func toImportReport(r cases.ImportReport) importReport {
	out := importReport{Validated: r.Validated, Imported: r.Imported, Rejected: r.Rejected, MoreErrors: r.MoreErrors,
		Errors: []importRowError{}, Tenants: []tenantImportDTO{}}
	for _, e := range r.Errors {
		out.Errors = append(out.Errors, importRowError(e))
	}
	for code, t := range r.PerTenant {
		out.Tenants = append(out.Tenants, tenantImportDTO{Tenant: code, Validated: t.Validated, Imported: t.Imported, Rejected: t.Rejected})
	}
	sort.Slice(out.Tenants, func(i, j int) bool { return out.Tenants[i].Tenant < out.Tenants[j].Tenant })
	return out
}

func caseImportRoutes() []route {
	return []route{
		{method: http.MethodPost, path: "/api/v1/tenants/:code/cases/import", operationID: "importCases",
			summary: "导入历史案件：请求体为 CSV（text/csv）、NDJSON（application/x-ndjson）或 Excel 工作簿（.xlsx，第一个工作表），列见 docs/import.md，编码字段可填代码或中文名称；先校验全部行，默认有一行无效则不导入（422 列出行号与字段），skip_invalid=\"true\" 时导入有效行；各行的 tenant 须为路径中的租户（可省略） / Import historical cases from a CSV, NDJSON or Excel (.xlsx, first sheet) body (columns: docs/import.md; coded fields by code or Chinese name); every row is validated first; by default one invalid row imports nothing (422 lists line and field), skip_invalid=true imports the valid rows; rows must name the path's tenant or none",
			tag:     "cases", tenantScoped: true, requireActive: true, obj: "cases", act: "import",
			rawBody: []string{"text/csv", "application/x-ndjson", xlsxMediaType}, bodyLimit: importBodyLimit, timeout: importTimeout,
			response: importReport{}, status: 200, handler: (*Server).importCases,
			query: []queryParam{
				{"skip_invalid", "true：导入有效行，无效行在 errors 中列出 / import the valid rows and list the invalid ones in errors", "boolean"},
				{"filename", "记入审计的文件名 / the file name recorded in the audit trail", "string"},
			}},
	}
}

func (s *Server) importCases(c echo.Context) error {
	req := c.Request()
	ct := req.Header.Get(echo.HeaderContentType)
	mt, _, err := mime.ParseMediaType(ct)
	format, ok := importMediaTypes[strings.ToLower(mt)]
	if err != nil || !ok {
		return problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "不支持的内容类型 / Unsupported media type",
			fmt.Sprintf("请以 CSV、NDJSON 或 Excel 工作簿的内容类型发送文件内容（收到 %q） / send the file as the body with Content-Type: text/csv, application/x-ndjson or %s (got %q)", ct, xlsxMediaType, ct))
	}
	skip := false
	if v := c.QueryParam("skip_invalid"); v != "" {
		if skip, err = strconv.ParseBool(v); err != nil {
			return invalid("skip_invalid", "skip_invalid 须为 \"true\" 或 \"false\" / skip_invalid must be true or false")
		}
	}
	name := strings.TrimSpace(c.QueryParam("filename"))
	if name == "" {
		name = "upload"
	}
	if utf8.RuneCountInString(name) > 200 {
		return invalid("filename", "文件名最多 200 个字符 / filename must be at most 200 characters")
	}
	// A large upload takes longer to arrive and to answer than the server's timeouts allow.
	rc := http.NewResponseController(c.Response().Writer)
	_ = rc.SetReadDeadline(time.Now().Add(importTimeout))
	_ = rc.SetWriteDeadline(time.Now().Add(importTimeout))
	body, err := io.ReadAll(req.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return problem(http.StatusBadRequest, "unreadable-body", "无法读取请求体 / Unreadable body", err.Error())
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return problem(http.StatusBadRequest, "empty-body", "缺少请求体 / Missing body", "请发送 CSV、NDJSON 或 Excel 文件内容 / send the CSV, NDJSON or Excel file as the body")
	}
	p := principal(c)
	rep, err := s.deps.Cases.Import(req.Context(), caseimport.BytesSource{Data: body, Format: format}, cases.ImportOptions{
		Scope: p.TenantCode, Tenant: c.Param("code"), SkipInvalid: skip, File: name, Actor: p.Subject})
	var ie *cases.ImportError
	switch {
	case errors.As(err, &ie):
		pr := problem(http.StatusUnprocessableEntity, "import-invalid", "导入文件有误，未导入任何案件 / Invalid rows: nothing imported",
			fmt.Sprintf("%d 行中 %d 行无效，见 errors（行号、字段）；改正后重新上传，或以 skip_invalid=\"true\" 只导入有效行 / %d of %d rows are invalid, see errors (line, field): fix and upload again, or use skip_invalid=true to import the valid rows",
				rep.Validated, rep.Rejected, rep.Rejected, rep.Validated))
		for _, e := range rep.Errors {
			pr.Errors = append(pr.Errors, FieldProblem{Line: e.Line, Field: e.Field, Detail: e.Message})
		}
		if rep.MoreErrors > 0 {
			pr.Detail += fmt.Sprintf("（另有 %d 处未列出 / %d more not listed）", rep.MoreErrors, rep.MoreErrors)
		}
		return pr
	case err != nil:
		return err
	}
	return c.JSON(http.StatusOK, toImportReport(rep))
}
