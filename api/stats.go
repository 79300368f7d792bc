package api

import (
	"net/http"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/labstack/echo/v4"
)

func statsRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/api/v1/tenants/:code/stats", operationID: "getStats",
			summary: "统计分析：受理、办结、成功率、就地化解率、履行与反悔、办结用时、超期、风险等级，可按类型、来源、月份、下级租户、调委会、调解员、街道、当事人性别年龄职业分组；上级看到辖区汇总（仅汇总数） / Statistics of the tenant and its subtree (aggregates only), with breakdowns",
			tag:     "stats", tenantScoped: true, obj: "stats", act: "read", response: statsDTO{}, status: 200, handler: (*Server).getStats,
			query: []queryParam{
				{"from", "开始日期 YYYY-MM-DD（含），默认本年 1 月 1 日 / first day, inclusive; default: 1 January of to's year", "string"},
				{"to", "结束日期 YYYY-MM-DD（含），默认今天 / last day, inclusive; default: today", "string"},
				{"source", "仅此来源，如 court / only this source, e.g. court", "string"},
				{"dispute_type", "仅此纠纷类型 / only this dispute type", "string"},
				{"group_by", "逗号分隔：dispute_type, source, month, tenant, committee, mediator, street, gender, age_band, occupation / comma-separated breakdowns", "string"},
			}},
	}
}

type figuresDTO struct {
	Received            int64            `json:"received"`
	Concluded           int64            `json:"concluded"`
	Succeeded           int64            `json:"succeeded"`
	Failed              int64            `json:"failed"`
	Guided              int64            `json:"guided"`
	SuccessRate         *float64         `json:"success_rate"`
	ResolvedLocally     int64            `json:"resolved_locally"`
	ResolvedLocallyRate *float64         `json:"resolved_locally_rate"`
	Performed           int64            `json:"performed"`
	Recanted            int64            `json:"recanted"`
	PerformanceRate     *float64         `json:"performance_rate"`
	RecantRate          *float64         `json:"recant_rate"`
	AvgDaysToClose      *float64         `json:"avg_days_to_close"`
	ConcludedLate       int64            `json:"concluded_late"`
	RiskLevels          map[string]int64 `json:"risk_levels"`
	Warnings            int64            `json:"warnings"`
}

type statsGroupDTO struct {
	Key   string `json:"key"`
	Label string `json:"label,omitempty"`
	figuresDTO
}

type statsBreakdownDTO struct {
	By string `json:"by"`
	// Exact to the day, or summed over the whole months covering the period.
	Grain string          `json:"grain"`
	Rows  []statsGroupDTO `json:"rows"`
}

type statsDTO struct {
	Tenant      string `json:"tenant"`
	From        string `json:"from"`
	To          string `json:"to"`
	Source      string `json:"source,omitempty"`
	DisputeType string `json:"dispute_type,omitempty"`
	figuresDTO
	OpenOverdue    int64               `json:"open_overdue"`
	Overdue        int64               `json:"overdue"`
	P90DaysToClose *int                `json:"p90_days_to_close"`
	MonthsFrom     string              `json:"months_from"`
	MonthsTo       string              `json:"months_to"`
	Breakdowns     []statsBreakdownDTO `json:"breakdowns"`
}

func toFiguresDTO(f stats.Figures) figuresDTO {
	risk := map[string]int64{}
	for _, l := range []cases.RiskLevel{cases.RiskBlue, cases.RiskYellow, cases.RiskOrange, cases.RiskRed} {
		risk[string(l)] = f.RiskLevels[l]
	}
	return figuresDTO{Received: f.Received, Concluded: f.Concluded, Succeeded: f.Succeeded, Failed: f.Failed, Guided: f.Guided,
		SuccessRate: f.SuccessRate, ResolvedLocally: f.ResolvedLocally, ResolvedLocallyRate: f.ResolvedLocallyRate,
		Performed: f.Performed, Recanted: f.Recanted, PerformanceRate: f.PerformanceRate, RecantRate: f.RecantRate,
		AvgDaysToClose: f.AvgDaysToClose, ConcludedLate: f.ConcludedLate, RiskLevels: risk, Warnings: f.Warnings}
}

func (s *Server) getStats(c echo.Context) error {
	q, err := stats.ParseQuery(c.QueryParam("from"), c.QueryParam("to"), c.QueryParam("source"), c.QueryParam("dispute_type"),
		c.QueryParam("group_by"), s.deps.Stats.Now())
	if err != nil {
		return err
	}
	r, err := s.deps.Stats.Report(c.Request().Context(), c.Param("code"), q)
	if err != nil {
		return err
	}
	const day, month = "2006-01-02", "2006-01"
	out := statsDTO{Tenant: r.Tenant, From: q.From.Format(day), To: q.To.Format(day), Source: q.Source, DisputeType: q.DisputeType,
		figuresDTO: toFiguresDTO(r.Figures), OpenOverdue: r.OpenOverdue, Overdue: r.Overdue, P90DaysToClose: r.P90DaysToClose,
		MonthsFrom: r.MonthsFrom.Format(month), MonthsTo: r.MonthsTo.Format(month), Breakdowns: []statsBreakdownDTO{}}
	for _, by := range q.GroupBy {
		b := statsBreakdownDTO{By: by, Grain: "month", Rows: []statsGroupDTO{}}
		if stats.DayExact(by) {
			b.Grain = "day"
		}
		for _, g := range r.Groups[by] {
			b.Rows = append(b.Rows, statsGroupDTO{Key: g.Key, Label: groupLabel(by, g), figuresDTO: toFiguresDTO(g.Figures)})
		}
		out.Breakdowns = append(out.Breakdowns, b)
	}
	return c.JSON(http.StatusOK, out)
}

var builtInTypeNames = func() map[string]string {
	out := map[string]string{}
	for _, t := range cases.BuiltInTypes() {
		out[t.Code] = t.NameZH
	}
	return out
}()

// groupLabel names a breakdown's value for people: a dispute type's or source's Chinese name,
// the name the store found (child tenant, own committee), or "" when there is none.
func groupLabel(by string, g stats.GroupFigures) string {
	switch by {
	case stats.ByType:
		return builtInTypeNames[g.Key]
	case stats.BySource:
		if info, ok := cases.LookupSource(g.Key); ok {
			return info.NameZH
		}
		return ""
	case string(stats.DimMediator):
		if g.Key == stats.Unassigned {
			return "未指派"
		}
	}
	return g.Label
}
