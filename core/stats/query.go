package stats

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/valid"
)

// Groupings besides the dimensions: by the key columns of every cell, and by child tenant.
const (
	ByType   = "dispute_type"
	BySource = "source"
	ByMonth  = "month"
	ByTenant = "tenant" // the children of the tenant asked about (a district: itself)
)

// Groupings lists what a question may be broken down by.
func Groupings() []string {
	out := []string{ByType, BySource, ByMonth, ByTenant}
	for _, d := range Dims() {
		out = append(out, string(d))
	}
	return out
}

// Query is a question to the figures: the period [From, To] (calendar days in China, inclusive),
// optional filters, and breakdowns.
type Query struct {
	From, To    time.Time // midnight UTC of the calendar dates
	Source      string
	DisputeType string
	GroupBy     []string
}

// MaxSpan is the longest period of one question.
const MaxSpan = 10 * 366 * 24 * time.Hour

// ParseQuery checks a question given as text; from and to default to the year to date of today.
func ParseQuery(from, to, source, disputeType, groupBy string, today time.Time) (Query, error) {
	var v valid.List
	q := Query{Source: source, DisputeType: disputeType}
	day := func(field, s string, def time.Time) time.Time {
		if s == "" {
			return def
		}
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			v.Add(field, "日期格式为 YYYY-MM-DD，如 2020-01-01 / %s must be a date YYYY-MM-DD, e.g. 2020-01-01", field)
		}
		return t
	}
	now := Day(today)
	q.To = day("to", to, now)
	q.From = day("from", from, time.Date(q.To.Year(), 1, 1, 0, 0, 0, 0, time.UTC))
	if v.Len() == 0 {
		if q.From.After(q.To) {
			v.Add("from", "开始日期不能晚于结束日期 / from must not be after to")
		} else if q.To.Sub(q.From) > MaxSpan {
			v.Add("to", "统计区间最长 10 年 / the period may span at most 10 years")
		}
	}
	if source != "" {
		if _, ok := cases.LookupSource(source); !ok {
			var codes []string
			for _, s := range cases.Sources() {
				codes = append(codes, string(s.Code))
			}
			v.Add("source", "未知的案件来源，可选：%s / unknown source; one of: %s", strings.Join(codes, ", "), strings.Join(codes, ", "))
		}
	}
	if disputeType != "" && !cases.ValidTypeCode(disputeType) {
		v.Add("dispute_type", "纠纷类型代码为小写字母、数字和下划线 / dispute_type is a type code of lowercase letters, digits and underscores")
	}
	if groupBy != "" {
		for _, g := range strings.Split(groupBy, ",") {
			g = strings.TrimSpace(g)
			if !slices.Contains(Groupings(), g) {
				v.Add("group_by", "未知的分组，可选：%s / unknown grouping; any of: %s", strings.Join(Groupings(), ", "), strings.Join(Groupings(), ", "))
				break
			}
			if !slices.Contains(q.GroupBy, g) {
				q.GroupBy = append(q.GroupBy, g)
			}
		}
	}
	return q, v.Err()
}

// WholeMonths returns the first and last month wholly inside [from, to]; when there is none,
// first is after last.
func WholeMonths(from, to time.Time) (first, last time.Time) {
	first = Month(from)
	if !first.Equal(from) {
		first = first.AddDate(0, 1, 0)
	}
	last = Month(to)
	if !last.AddDate(0, 1, -1).Equal(to) {
		last = last.AddDate(0, -1, 0)
	}
	return first, last
}

// Group is the summed cells of one value of a breakdown.
type Group struct {
	Key   string
	Label string
	Vector
}

// Figures are the figures of summed cells.
type Figures struct {
	Received            int64
	Concluded           int64
	Succeeded           int64
	Failed              int64
	Guided              int64
	SuccessRate         *float64 // succeeded / concluded
	ResolvedLocally     int64
	ResolvedLocallyRate *float64 // concluded locally / concluded
	Performed           int64
	PartlyPerformed     int64
	NotPerformed        int64
	Recanted            int64
	PerformanceKnown    int64    // agreements whose performance was reported: the four results
	PerformanceRate     *float64 // performed / performance known
	RecantRate          *float64 // recanted / succeeded (agreements)
	AvgDaysToClose      *float64
	ConcludedLate       int64
	RiskLevels          map[cases.RiskLevel]int64
	Warnings            int64 // cases received at orange or red
}

// FiguresOf computes the figures of a vector.
func FiguresOf(v Vector) Figures {
	f := Figures{Received: v[Received], Concluded: v[Concluded], Succeeded: v[Succeeded], Failed: v[Failed], Guided: v[Guided],
		ResolvedLocally: v[Local], Performed: v[Performed], PartlyPerformed: v[PartlyPerformed], NotPerformed: v[NotPerformed],
		Recanted: v[Recanted], ConcludedLate: v[Late],
		RiskLevels: map[cases.RiskLevel]int64{cases.RiskBlue: v[RiskBlue], cases.RiskYellow: v[RiskYellow],
			cases.RiskOrange: v[RiskOrange], cases.RiskRed: v[RiskRed]},
		Warnings: v[RiskOrange] + v[RiskRed]}
	f.SuccessRate = Rate(v[Succeeded], v[Concluded])
	f.ResolvedLocallyRate = Rate(v[Local], v[Concluded])
	f.PerformanceKnown = v[Performed] + v[PartlyPerformed] + v[NotPerformed] + v[Recanted]
	f.PerformanceRate = Rate(v[Performed], f.PerformanceKnown)
	f.RecantRate = Rate(v[Recanted], v[Succeeded])
	if v[Concluded] > 0 {
		avg := math.Round(float64(v[CloseDays])/float64(v[Concluded])*100) / 100
		f.AvgDaysToClose = &avg
	}
	return f
}

// Rate is n/d rounded to 4 places; nil when d is 0 (no rate, rather than a false 0).
func Rate(n, d int64) *float64 {
	if d == 0 {
		return nil
	}
	r := math.Round(float64(n)/float64(d)*10000) / 10000
	return &r
}

// Percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of a histogram of days;
// nil when it is empty.
func Percentile(hist map[int]int64, p float64) *int {
	var n int64
	keys := make([]int, 0, len(hist))
	for k, c := range hist {
		if c > 0 {
			n += c
			keys = append(keys, k)
		}
	}
	if n == 0 {
		return nil
	}
	slices.Sort(keys)
	rank := int64(math.Ceil(p / 100 * float64(n)))
	var seen int64
	for _, k := range keys {
		seen += hist[k]
		if seen >= rank {
			return &k
		}
	}
	last := keys[len(keys)-1]
	return &last
}
