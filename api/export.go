package api

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/export"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/labstack/echo/v4"
)

// maxExportRows bounds one case-list export; a larger list is refused before anything is sent.
const maxExportRows = 50000

func exportRoutes() []route {
	format := queryParam{"format", "csv（默认，UTF-8 带 BOM） | xlsx", "string"}
	return []route{
		{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/export", operationID: "exportCases",
			summary: "导出案件列表（CSV 或 XLSX，中文表头；筛选同案件列表；最多 50,000 件） / Export a case list as CSV or XLSX with Chinese headers; same filters as listCases; at most 50,000 cases",
			tag:     "stats", tenantScoped: true, requireActive: true, obj: "cases", act: "export", caseList: true, status: 200, contentType: "text/csv", handler: (*Server).exportCases,
			query: []queryParam{format,
				{"status", "received | assigned | mediating | succeeded | failed | guided | closed", "string"},
				{"source", "案件来源 / source", "string"},
				{"dispute_type", "纠纷类型 / dispute type", "string"},
				{"risk_level", "none | blue | yellow | orange | red", "string"},
				{"overdue", "true: 仅超期未结 / only overdue", "boolean"},
				{"from", "受理日期起 YYYY-MM-DD / received on or after", "string"},
				{"to", "受理日期止 YYYY-MM-DD / received on or before", "string"},
			}},
		{method: http.MethodGet, path: "/api/v1/tenants/:code/reports/monthly", operationID: "exportMonthlyReport",
			summary: "月报（联席会议用）：汇总及按调委会（上级：按下级租户）、纠纷类型、来源的统计，CSV 或 XLSX / The monthly report: totals and figures per committee (upper levels: per child tenant), dispute type and source",
			tag:     "stats", tenantScoped: true, obj: "stats", act: "read", status: 200, contentType: "text/csv", handler: (*Server).exportMonthlyReport,
			query: []queryParam{{"month", "月份 YYYY-MM，默认上月 / the month, YYYY-MM; default: last month", "string"}, format}},
	}
}

func exportFormat(c echo.Context) (export.Format, error) {
	f, ok := export.ParseFormat(c.QueryParam("format"))
	if !ok {
		return "", invalid("format", "格式须为 \"csv\"（CSV 表格）或 \"xlsx\"（Excel 工作簿） / format must be csv or xlsx")
	}
	return f, nil
}

func sendExport(c echo.Context, f export.Format, name string, tables ...export.Table) error {
	var buf bytes.Buffer
	if err := export.Write(&buf, f, tables...); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"; filename*=UTF-8''%s.%s`, asciiName(name), f, urlEscape(name), f))
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, f.ContentType(), buf.Bytes())
}

func asciiName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && r != '"' && r != '\\' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func urlEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// The names of the export's coded columns, from the catalogues (core/cases/names.go).
var statusNames, riskNames = cases.StatusNames(), cases.RiskLevelNames()

func (s *Server) exportCases(c echo.Context) error {
	f, err := exportFormat(c)
	if err != nil {
		return err
	}
	filter, err := caseFilter(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	code := c.Param("code")
	var all []cases.Case
	for {
		filter.Limit = 500
		page, err := s.deps.Cases.List(ctx, code, filter)
		if err != nil {
			return err
		}
		all = append(all, page...)
		if len(all) > maxExportRows {
			return problem(http.StatusUnprocessableEntity, "export-too-large", "导出行数过多 / Too many rows to export",
				fmt.Sprintf("一次最多导出 %d 件，请用 from/to、status 等条件缩小范围 / at most %d cases per export: narrow it with from/to, status or other filters", maxExportRows, maxExportRows))
		}
		if len(page) < 500 {
			break
		}
		last := page[len(page)-1]
		filter.AfterTime, filter.AfterID = last.ReceivedAt, last.ID
	}
	now := s.deps.Cases.Now()
	names, err := s.exportNames(ctx, code)
	if err != nil {
		return err
	}
	headers := []string{"案件编号", "标题", "纠纷类型", "案件来源", "状态", "风险等级", "受理时间", "办理期限", "办结时间", "是否超期", "调委会", "纠纷发生地", "申请人", "被申请人", "争议金额（元）", "履行情况", "登记人"}
	return sendExport(c, f, "案件列表-"+code, export.Table{Sheet: "案件列表", Headers: headers, Rows: func(yield func([]any) error) error {
		for _, k := range all {
			var applicants, respondents []string
			for _, p := range k.Parties {
				if p.Role == cases.RoleRespondent {
					respondents = append(respondents, p.Name)
				} else if p.Role == cases.RoleApplicant {
					applicants = append(applicants, p.Name)
				}
			}
			source := string(k.Source)
			if info, ok := cases.LookupSource(source); ok {
				source = info.NameZH
			}
			typ := k.DisputeType
			if n, ok := builtInTypeNames[typ]; ok {
				typ = n
			}
			overdue := "否"
			if k.Overdue(now) || (k.ConcludedAt != nil && k.ConcludedAt.After(k.DueAt)) {
				overdue = "是"
			}
			if err := yield([]any{k.Number, k.Title, typ, source, statusNames.ZH(string(k.Status)), riskNames.ZH(string(k.Risk.Level)), k.ReceivedAt, k.DueAt,
				k.ConcludedAt, overdue, names.committee(k.CommitteeID), placeName(k.PlaceCode), strings.Join(applicants, "、"), strings.Join(respondents, "、"),
				float64(k.AmountFen) / 100, performanceNames.ZH(string(k.Performance)), names.user(k.CreatedBy)}); err != nil {
				return err
			}
		}
		return nil
	}})
}

var performanceNames = cases.PerformanceNames()

// exportNamer names what a case refers to by id in an export: the tenant's organisations and
// users (an export shows names, not UUIDs).
type exportNamer struct{ orgs, users map[string]string }

// exportNames reads the names of the tenant's organisations and users, page by page.
func (s *Server) exportNames(ctx context.Context, code string) (exportNamer, error) {
	n := exportNamer{orgs: map[string]string{}, users: map[string]string{}}
	f := orgs.Filter{Limit: 500}
	for {
		page, err := s.deps.Orgs.Organisations(ctx, code, f)
		if err != nil {
			return n, err
		}
		for _, o := range page {
			n.orgs[o.ID] = o.Name
		}
		if len(page) < f.Limit {
			break
		}
		f.AfterName, f.AfterID = page[len(page)-1].Name, page[len(page)-1].ID
	}
	after := ""
	for {
		page, err := s.deps.Identity.Users(ctx, code, after, 500)
		if err != nil {
			return n, err
		}
		for _, u := range page {
			n.users["user:"+u.ID] = cmp.Or(u.DisplayName, u.Username)
		}
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].Username
	}
	return n, nil
}

func (n exportNamer) committee(id string) string {
	if id == "" {
		return "未分派"
	}
	return cmp.Or(n.orgs[id], "（已不在名册中）")
}

// user names the author of a case: a user's display name, or what kind of author it was.
func (n exportNamer) user(subject string) string {
	if name, ok := n.users[subject]; ok {
		return name
	}
	switch {
	case strings.HasPrefix(subject, "system:"):
		return "系统（导入或命令行）"
	case strings.HasPrefix(subject, "token:"):
		return "接口令牌"
	}
	return "其他单位用户"
}

// placeName names the place of a dispute: its street (a village is named by its street, which
// the division data lists).
func placeName(code string) string {
	if len(code) < 9 {
		return ""
	}
	if d, err := division.Lookup(code[:9]); err == nil {
		return d.Name
	}
	return ""
}

func (s *Server) exportMonthlyReport(c echo.Context) error {
	f, err := exportFormat(c)
	if err != nil {
		return err
	}
	now := s.deps.Stats.Now().In(chinaTime)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	if v := c.QueryParam("month"); v != "" {
		if month, err = time.Parse("2006-01", v); err != nil {
			return invalid("month", "月份格式为 YYYY-MM，如 2020-06 / month must be YYYY-MM, e.g. 2020-06")
		}
	}
	code := c.Param("code")
	by := string(stats.DimCommittee)
	if stats.Depth(code) < 4 {
		by = stats.ByTenant
	}
	q := stats.Query{From: month, To: month.AddDate(0, 1, -1), GroupBy: []string{by, stats.ByType, stats.BySource}}
	r, err := s.deps.Stats.Report(c.Request().Context(), code, q)
	if err != nil {
		return err
	}
	headers := []string{"名称", "受理", "办结", "调解成功", "调解不成", "不宜调解", "成功率", "就地化解", "就地化解率", "履行完毕", "部分履行", "未履行", "履行率", "反悔", "反悔率", "超期办结", "平均办结天数"}
	row := func(name string, g stats.Figures) []any {
		return []any{name, g.Received, g.Concluded, g.Succeeded, g.Failed, g.Guided, g.SuccessRate, g.ResolvedLocally, g.ResolvedLocallyRate,
			g.Performed, g.PartlyPerformed, g.NotPerformed, g.PerformanceRate, g.Recanted, g.RecantRate, g.ConcludedLate, g.AvgDaysToClose}
	}
	label := groupLabel
	sheet := func(name, by string) export.Table {
		return export.Table{Sheet: name, Headers: headers, Rows: func(yield func([]any) error) error {
			for _, g := range r.Groups[by] {
				if err := yield(row(label(by, g), g.Figures)); err != nil {
					return err
				}
			}
			return nil
		}}
	}
	title := month.Format("2006年01月") + " 人民调解工作月报（" + stats.Label(stats.ByTenant, code) + "）"
	first := "按调委会"
	if by == stats.ByTenant {
		first = "按下级单位"
	}
	return sendExport(c, f, "月报-"+code+"-"+month.Format("2006-01"),
		export.Table{Sheet: "汇总", Headers: headers, Rows: func(yield func([]any) error) error {
			return yield(row(title, r.Figures))
		}},
		sheet(first, by), sheet("按纠纷类型", stats.ByType), sheet("按来源", stats.BySource))
}
