package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/labstack/echo/v4"
)

// The dashboard: the figures of the user's tenant, or the roll-up of a city or province (with
// a child tenant to look at), for a period in the query string (bookmarkable). Every figure
// comes from an API operation: the statistics (aggregated on the server), the warning and
// follow-up counts; a user who may not read statistics (a mediator, a committee head, an intake
// officer) gets what it may see: the counts of its queues and its latest cases. An agency's
// clerk has its own page (/agency).
func consoleDashboardPages() []page {
	return []page{
		{method: http.MethodGet, path: "/", handler: (*Server).dashboardPage},
	}
}

// dashPeriods are the period choices, the default first.
var dashPeriods = []struct{ Key, ZH, EN string }{
	{"12m", "近 12 个月", "Last 12 months"},
	{"month", "本月", "This month"},
	{"quarter", "本季度", "This quarter"},
	{"year", "本年", "This year"},
	{"custom", "自定义", "Custom"},
}

type dashOption struct {
	Value, Label string
	Selected     bool
}

// dashCard is one headline figure.
type dashCard struct {
	Label, Value, Hint, Link string
	// Badge: the colour of a warnings card (red, orange) and its name.
	Badge, BadgeText string
}

// dashChart is a chart and the table of the same numbers.
type dashChart struct {
	ID, Title, Summary, Option string
	Columns                    []string // the table's value columns (after the label)
	Rows                       []dashRow
	Unit                       string // what the rows count: "case" or "party"
}

type dashRow struct {
	Label  string
	Values []int64
}

type dashboardData struct {
	Period       string
	Periods      []dashOption
	From, To     string
	Tenant       string // the tenant looked at
	TenantName   string
	Tenants      []dashOption // the user's tenant and its children (roll-up levels)
	Stats        *statsDTO
	Cards        []dashCard
	Charts       []dashChart
	Children     *dashChart // the figures by child tenant (roll-up levels)
	QueueCards   []dashCard
	Cases        []caseDTO // without statistics: the latest cases the user may see
	MoreCases    bool
	CanReadStats bool
}

func (s *Server) dashboardPage(c echo.Context, v *view) error {
	if v.HasRole("agency-clerk") {
		return c.Redirect(http.StatusSeeOther, "/agency")
	}
	v.Title = v.T("工作台", "Dashboard")
	d := &dashboardData{Tenant: v.User.TenantCode, TenantName: v.User.TenantName, CanReadStats: v.Can("stats", "read")}
	v.Data = d
	if d.CanReadStats {
		if err := s.dashboardStats(c, v, d); err != nil {
			return err
		}
	}
	// Queues are a district's: warnings and follow-ups belong to the district of their case (an
	// upper level gets escalations in its inbox).
	if lvl, err := division.LevelOf(v.User.TenantCode); err == nil && lvl == division.LevelDistrict && d.Tenant == v.User.TenantCode {
		s.dashboardQueues(v, d)
	}
	if !d.CanReadStats {
		res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/cases", params: map[string]string{"code": v.User.TenantCode},
			query: url.Values{"limit": {"10"}}})
		if err != nil {
			return err
		}
		if l, ok := res.Value.(caseList); ok {
			d.Cases, d.MoreCases = l.Items, l.NextAfter != ""
		}
	}
	status := http.StatusOK
	if v.Problem != nil {
		status = http.StatusUnprocessableEntity
	}
	return s.render(c, v, status, "dashboard")
}

// dashboardPeriod is the period of the query: from–to as dates (China time), inclusive.
func dashboardPeriod(period, from, to string, now time.Time) (key, f, t string) {
	today := stats.Day(now)
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	const day = "2006-01-02"
	switch period {
	case "month":
		return period, first.Format(day), today.Format(day)
	case "quarter":
		q := time.Date(today.Year(), time.Month((int(today.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
		return period, q.Format(day), today.Format(day)
	case "year":
		return period, time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC).Format(day), today.Format(day)
	case "custom": // a date left out: that of the default period
		if from == "" {
			from = first.AddDate(0, -11, 0).Format(day)
		}
		if to == "" {
			to = today.Format(day)
		}
		return period, from, to
	}
	return "12m", first.AddDate(0, -11, 0).Format(day), today.Format(day)
}

func (s *Server) dashboardStats(c echo.Context, v *view, d *dashboardData) error {
	d.Period, d.From, d.To = dashboardPeriod(c.QueryParam("period"), c.QueryParam("from"), c.QueryParam("to"), s.deps.Stats.Now())
	for _, p := range dashPeriods {
		d.Periods = append(d.Periods, dashOption{Value: p.Key, Label: v.T(p.ZH, p.EN), Selected: p.Key == d.Period})
	}
	own := v.User.TenantCode
	if t := c.QueryParam("tenant"); t != "" {
		d.Tenant = t // the statistics operation decides whether the user may look at it
	}
	groupBy := "month,dispute_type,source"
	if lvl, err := division.LevelOf(d.Tenant); err == nil && lvl != division.LevelDistrict {
		groupBy += ",tenant" // a roll-up: its figures by child, and the children to pick
	}
	res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/stats", params: map[string]string{"code": d.Tenant},
		query: url.Values{"from": {d.From}, "to": {d.To}, "group_by": {groupBy}}})
	if err != nil {
		p := toProblem(err)
		if p.Status == http.StatusBadRequest || p.Status == http.StatusUnprocessableEntity {
			v.Problem = p // the period: shown beside the date fields
			return nil
		}
		return err
	}
	st, ok := res.Value.(statsDTO)
	if !ok {
		return errors.New("console: the statistics answered no figures")
	}
	d.Stats = &st
	d.From, d.To = st.From, st.To
	if d.Tenant != own {
		if dv, err := division.Lookup(d.Tenant); err == nil {
			d.TenantName = dv.Name
		}
	}
	// The selector: the user's own tenant, the one looked at, and its children.
	var children []statsGroupDTO
	for _, b := range st.Breakdowns {
		if b.By == "tenant" {
			children = b.Rows
		}
	}
	if d.Tenant != own || len(children) > 0 {
		d.Tenants = append(d.Tenants, dashOption{Value: own, Label: v.User.TenantName + v.T("（全辖区）", " (all)"), Selected: d.Tenant == own})
		if d.Tenant != own {
			d.Tenants = append(d.Tenants, dashOption{Value: d.Tenant, Label: d.TenantName, Selected: true})
		}
		for _, r := range children {
			d.Tenants = append(d.Tenants, dashOption{Value: r.Key, Label: r.Label})
		}
	}
	d.Cards = []dashCard{
		{Label: v.T("受理", "Received"), Value: strconv.FormatInt(st.Received, 10), Hint: v.T("本期受理的案件", "cases received in the period")},
		{Label: v.T("办结", "Concluded"), Value: strconv.FormatInt(st.Concluded, 10), Hint: v.T("本期办结的案件", "cases concluded in the period")},
		{Label: v.T("调解成功率", "Success rate"), Value: dashRate(st.SuccessRate), Hint: v.T("办结 "+strconv.FormatInt(st.Concluded, 10)+" 件中成功 "+strconv.FormatInt(st.Succeeded, 10)+" 件",
			strconv.FormatInt(st.Succeeded, 10)+" of "+strconv.FormatInt(st.Concluded, 10)+" concluded succeeded")},
		{Label: v.T("协议履行率", "Performance rate"), Value: dashRate(st.PerformanceRate), Hint: v.T("履行情况已知的协议中履行完毕的比例", "of the agreements whose performance is known, fully performed")},
		{Label: v.T("超期未结", "Overdue, open"), Value: strconv.FormatInt(st.OpenOverdue, 10), Hint: v.T("办理期限届满于本期、至今未结的案件", "open cases whose time limit fell in the period"),
			Link: "/queues?tab=overdue"},
	}
	if d.Tenant != own {
		d.Cards[4].Link = ""
	}
	for _, b := range st.Breakdowns {
		switch b.By {
		case "month":
			d.Charts = append(d.Charts, monthChart(v, d, b))
		case "dispute_type":
			d.Charts = append(d.Charts, barChart(v, "chart-type", v.T("按纠纷类型", "By dispute type"), b))
		case "source":
			d.Charts = append(d.Charts, barChart(v, "chart-source", v.T("按案件来源", "By source"), b))
		case "tenant":
			ch := barChart(v, "chart-tenant", v.T("按下级单位", "By subordinate tenant"), b)
			d.Children = &ch
		}
	}
	return nil
}

// dashboardQueues adds the counts of the user's queues: open warnings by colour, follow-ups due
// (each only where the user may list them: a refusal leaves the card out).
func (s *Server) dashboardQueues(v *view, d *dashboardData) {
	code := map[string]string{"code": v.User.TenantCode}
	if res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/warnings/counts", params: code}); err == nil {
		if n, ok := res.Value.(warningCountsDTO); ok {
			d.QueueCards = append(d.QueueCards,
				dashCard{Label: v.T("预警待签收", "Warnings to acknowledge"), Value: strconv.FormatInt(n.Open["red"], 10), Badge: "red", BadgeText: v.T("红色", "Red"), Link: "/queues?tab=warnings",
					Hint: v.T("另有逾期已报送上级 ", "plus escalated ") + strconv.FormatInt(n.Escalated["red"], 10)},
				dashCard{Label: v.T("预警待签收", "Warnings to acknowledge"), Value: strconv.FormatInt(n.Open["orange"], 10), Badge: "orange", BadgeText: v.T("橙色", "Orange"), Link: "/queues?tab=warnings",
					Hint: v.T("另有逾期已报送上级 ", "plus escalated ") + strconv.FormatInt(n.Escalated["orange"], 10)})
		}
	}
	if res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/follow-ups/counts", params: code}); err == nil {
		if n, ok := res.Value.(cases.FollowUpCounts); ok {
			d.QueueCards = append(d.QueueCards, dashCard{Label: v.T("待回访", "Follow-ups due"), Value: strconv.FormatInt(n.Due, 10), Link: "/queues?tab=follow-ups",
				Hint: v.T("其中逾期 ", "overdue: ") + strconv.FormatInt(n.Overdue, 10)})
		}
	}
}

func dashRate(r *float64) string {
	if r == nil {
		return "—"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64) + "%"
}

// chartJSON is an ECharts option as the data-chart attribute carries it.
func chartJSON(option map[string]any) string {
	b, err := json.Marshal(option)
	if err != nil {
		return "{}"
	}
	return string(b)
}

var chartColours = []string{"#1f5fa8", "#2e7d32", "#c05600", "#6a3d9a"}

// monthChart: received, concluded and succeeded by month, every month of the period listed
// (zero where the breakdown has no row).
func monthChart(v *view, d *dashboardData, b statsBreakdownDTO) dashChart {
	byKey := map[string]statsGroupDTO{}
	for _, r := range b.Rows {
		byKey[r.Key] = r
	}
	ch := dashChart{ID: "chart-month", Title: v.T("月度趋势", "Monthly trend"), Unit: b.Unit,
		Columns: []string{v.T("受理", "Received"), v.T("办结", "Concluded"), v.T("调解成功", "Succeeded")}}
	from, err1 := time.Parse("2006-01-02", d.From)
	to, err2 := time.Parse("2006-01-02", d.To)
	var keys []string
	if err1 == nil && err2 == nil {
		for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to); m = m.AddDate(0, 1, 0) {
			keys = append(keys, m.Format("2006-01"))
		}
	}
	var labels []string
	series := make([][]int64, 3)
	var total [3]int64
	for _, k := range keys {
		r, ok := byKey[k]
		label := stats.Label("month", k)
		if ok {
			label = r.Label
		}
		vals := []int64{r.Received, r.Concluded, r.Succeeded}
		ch.Rows = append(ch.Rows, dashRow{Label: label, Values: vals})
		labels = append(labels, label)
		for i, x := range vals {
			series[i] = append(series[i], x)
			total[i] += x
		}
	}
	var ss []map[string]any
	for i, name := range ch.Columns {
		ss = append(ss, map[string]any{"name": name, "type": "line", "data": series[i], "color": chartColours[i]})
	}
	ch.Option = chartJSON(map[string]any{
		"animation": false,
		"tooltip":   map[string]any{"trigger": "axis"},
		"legend":    map[string]any{"data": ch.Columns, "bottom": 0},
		"grid":      map[string]any{"left": 40, "right": 16, "top": 16, "bottom": 56},
		"xAxis":     map[string]any{"type": "category", "data": labels},
		"yAxis":     map[string]any{"type": "value", "minInterval": 1},
		"series":    ss,
	})
	ch.Summary = v.T("月度趋势：", "Monthly trend: ") + strconv.Itoa(len(keys)) + v.T(" 个月共受理 ", " months, received ") + strconv.FormatInt(total[0], 10) +
		v.T("，办结 ", ", concluded ") + strconv.FormatInt(total[1], 10) + v.T("，调解成功 ", ", succeeded ") + strconv.FormatInt(total[2], 10)
	return ch
}

// barChart: received and concluded by the breakdown's rows, largest first as the API orders them.
func barChart(v *view, id, title string, b statsBreakdownDTO) dashChart {
	ch := dashChart{ID: id, Title: title, Unit: b.Unit,
		Columns: []string{v.T("受理", "Received"), v.T("办结", "Concluded"), v.T("调解成功", "Succeeded")}}
	var labels []string
	series := make([][]int64, 3)
	for _, r := range b.Rows {
		vals := []int64{r.Received, r.Concluded, r.Succeeded}
		ch.Rows = append(ch.Rows, dashRow{Label: r.Label, Values: vals})
		labels = append(labels, r.Label)
		for i, x := range vals {
			series[i] = append(series[i], x)
		}
	}
	var ss []map[string]any
	for i, name := range ch.Columns {
		ss = append(ss, map[string]any{"name": name, "type": "bar", "data": series[i], "color": chartColours[i]})
	}
	ch.Option = chartJSON(map[string]any{
		"animation": false,
		"tooltip":   map[string]any{"trigger": "axis"},
		"legend":    map[string]any{"data": ch.Columns, "bottom": 0},
		"grid":      map[string]any{"left": 8, "right": 16, "top": 16, "bottom": 56, "containLabel": true},
		"xAxis":     map[string]any{"type": "value", "minInterval": 1},
		"yAxis":     map[string]any{"type": "category", "data": labels, "inverse": true},
		"series":    ss,
	})
	ch.Summary = title + v.T("：", ": ") + strconv.Itoa(len(b.Rows)) + v.T(" 类", " rows")
	if len(b.Rows) > 0 {
		top := b.Rows[0]
		for _, r := range b.Rows {
			if r.Received > top.Received {
				top = r
			}
		}
		ch.Summary += v.T("，受理最多的是", "; most received: ") + top.Label + v.T("（", " (") + strconv.FormatInt(top.Received, 10) + v.T(" 件）", ")")
	}
	return ch
}
