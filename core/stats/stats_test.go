package stats

import (
	"errors"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/valid"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// total sums the cells of one dimension, per type and source (not the cells across all).
func total(c Cells, dim Dim) Vector {
	var v Vector
	for k, x := range c {
		if k.Dim == dim && k.DisputeType != All && k.Source != All {
			v.Add(x)
		}
	}
	return v
}

func TestContribution(t *testing.T) {
	base := Facts{DisputeType: "neighbour", Source: "walk_in", ReceivedAt: at("2020-03-01T23:30:00+08:00"),
		DueAt: at("2020-03-31T00:00:00+08:00"), RiskLevel: cases.RiskBlue, Top: 1}
	concluded := func(status, result cases.Status, when string) Facts {
		f := base
		f.Status, f.Result, f.ConcludedAt = status, result, ptr(at(when))
		return f
	}
	local := concluded(cases.StatusSucceeded, cases.StatusSucceeded, "2020-03-11T10:00:00+08:00")
	local.CommitteeKind, local.CommitteeID, local.Performance = "village_committee", "c1", "performed"
	late := concluded(cases.StatusClosed, cases.StatusFailed, "2020-04-02T10:00:00+08:00")
	late.RiskLevel = cases.RiskRed
	open := base
	open.Status = cases.StatusMediating
	tests := []struct {
		name      string
		f         Facts
		total     Vector
		days      map[string]Vector // per day of the totals
		closeDays string
	}{
		{"received only", func() Facts { f := base; f.Status = cases.StatusReceived; return f }(),
			Vector{Received: 1, OpenDue: 1, RiskBlue: 1},
			map[string]Vector{"2020-03-01": {Received: 1, RiskBlue: 1}, "2020-03-31": {OpenDue: 1}}, ""},
		{"succeeded locally and performed", local,
			Vector{Received: 1, Concluded: 1, Succeeded: 1, Local: 1, Performed: 1, CloseDays: 10, RiskBlue: 1},
			map[string]Vector{"2020-03-01": {Received: 1, RiskBlue: 1}, "2020-03-11": {Concluded: 1, Succeeded: 1, Local: 1, Performed: 1, CloseDays: 10}}, "10"},
		{"closed after failure, late", late,
			Vector{Received: 1, Concluded: 1, Failed: 1, Late: 1, CloseDays: 32, RiskRed: 1},
			map[string]Vector{"2020-03-01": {Received: 1, RiskRed: 1}, "2020-04-02": {Concluded: 1, Failed: 1, Late: 1, CloseDays: 32}}, "32"},
		{"guided the same day", concluded(cases.StatusGuided, cases.StatusGuided, "2020-03-01T23:59:00+08:00"),
			Vector{Received: 1, Concluded: 1, Guided: 1, RiskBlue: 1},
			map[string]Vector{"2020-03-01": {Received: 1, Concluded: 1, Guided: 1, RiskBlue: 1}}, "0"},
		{"open", open, Vector{Received: 1, OpenDue: 1, RiskBlue: 1},
			map[string]Vector{"2020-03-01": {Received: 1, RiskBlue: 1}, "2020-03-31": {OpenDue: 1}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Contribution(tc.f)
			if got := total(c, DimTotal); got != tc.total {
				t.Fatalf("total = %v, want %v", got, tc.total)
			}
			days := map[string]Vector{}
			for k, v := range c {
				if k.Dim == DimTotal && k.DisputeType != All && k.Source != All {
					if k.DisputeType != "neighbour" || k.Source != "walk_in" || k.Top != 1 {
						t.Fatalf("key %+v", k)
					}
					x := days[k.Day.Format("2006-01-02")]
					x.Add(v)
					days[k.Day.Format("2006-01-02")] = x
				}
			}
			if len(days) != len(tc.days) {
				t.Fatalf("days = %v, want %v", days, tc.days)
			}
			for d, v := range tc.days {
				if days[d] != v {
					t.Fatalf("day %s = %v, want %v", d, days[d], v)
				}
			}
			// Every dimension without parties sums to the totals.
			for _, d := range []Dim{DimCommittee, DimStreet, DimMediator} {
				if got := total(c, d); got != tc.total {
					t.Fatalf("%s sums to %v, want %v", d, got, tc.total)
				}
			}
			hist := total(c, DimCloseDays)
			if tc.closeDays == "" {
				if !hist.Zero() {
					t.Fatalf("histogram of an open case: %v", hist)
				}
				return
			}
			for k := range c {
				if k.Dim == DimCloseDays && k.Value != tc.closeDays {
					t.Fatalf("close days %q, want %q", k.Value, tc.closeDays)
				}
			}
		})
	}
}

func TestContributionDimensions(t *testing.T) {
	f := Facts{DisputeType: "labour", Source: "court", Status: cases.StatusSucceeded, Result: cases.StatusSucceeded,
		ReceivedAt: at("2020-05-01T09:00:00+08:00"), ConcludedAt: ptr(at("2020-05-03T09:00:00+08:00")), DueAt: at("2020-06-01T00:00:00+08:00"),
		CommitteeID: "c9", PlaceCode: "310107014001", RiskLevel: cases.RiskYellow, Top: 1,
		Mediators: []string{"王调解", " 李调解", "王调解", ""},
		Parties:   []Party{{Gender: "female", BirthYear: 1990, Occupation: "教师"}, {Gender: "male", BirthYear: 1950}, {}}}
	c := Contribution(f)
	want := map[Dim]map[string]int64{ // received per value
		DimCommittee:  {"c9": 1},
		DimStreet:     {"310107014": 1},
		DimMediator:   {"王调解": 1, "李调解": 1},
		DimGender:     {"female": 1, "male": 1, Unknown: 1},
		DimAgeBand:    {"30_44": 1, "60_plus": 1, Unknown: 1},
		DimOccupation: {"教师": 1, Unknown: 2},
	}
	for dim, values := range want {
		got := map[string]int64{}
		for k, v := range c {
			if k.Dim == dim {
				got[k.Value] += v[Received]
			}
		}
		if len(got) != len(values) {
			t.Fatalf("%s: %v, want %v", dim, got, values)
		}
		for val, n := range values {
			if got[val] != n {
				t.Fatalf("%s: %v, want %v", dim, got, values)
			}
		}
	}
}

func TestDelta(t *testing.T) {
	open := Facts{DisputeType: "neighbour", Source: "walk_in", Status: cases.StatusMediating, ReceivedAt: at("2020-01-10T10:00:00+08:00"),
		DueAt: at("2020-02-10T10:00:00+08:00"), RiskLevel: cases.RiskBlue, Top: 1}
	done := open
	done.Status, done.Result, done.ConcludedAt = cases.StatusSucceeded, cases.StatusSucceeded, ptr(at("2020-01-20T10:00:00+08:00"))
	d := Delta(Contribution(open), Contribution(done))
	if got, want := total(d, DimTotal), (Vector{Concluded: 1, Succeeded: 1, OpenDue: -1, CloseDays: 10}); got != want {
		t.Fatalf("delta = %v, want %v", got, want)
	}
	for k, v := range d {
		if v.Zero() {
			t.Fatalf("zero cell %+v kept", k)
		}
	}
	if len(Delta(Contribution(done), Contribution(done))) != 0 {
		t.Fatal("no change must give no cells")
	}
	// Applying the delta to the old cells gives the new.
	cells := Contribution(open)
	cells.Merge(d)
	if len(Delta(cells, Contribution(done))) != 0 {
		t.Fatal("old + delta != new")
	}
}

func TestResultOf(t *testing.T) {
	agreement := &cases.Agreement{Form: "written"}
	tests := []struct {
		name string
		c    cases.Case
		want cases.Status
	}{
		{"open", cases.Case{Status: cases.StatusMediating}, ""},
		{"succeeded", cases.Case{Status: cases.StatusSucceeded, Agreement: agreement}, cases.StatusSucceeded},
		{"closed after success", cases.Case{Status: cases.StatusClosed, Agreement: agreement}, cases.StatusSucceeded},
		{"closed after failure", cases.Case{Status: cases.StatusClosed, Outcome: map[string]any{"channel": "litigation", "result": "failed"}}, cases.StatusFailed},
		{"closed after guidance", cases.Case{Status: cases.StatusClosed, Outcome: map[string]any{"channel": "litigation", "result": "guided"}}, cases.StatusGuided},
		{"closed: failure after a reopened success", cases.Case{Status: cases.StatusClosed, Agreement: agreement,
			Outcome: map[string]any{"channel": "litigation", "result": "failed"}}, cases.StatusFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ResultOf(tc.c); got != tc.want {
				t.Fatalf("ResultOf = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTopOf(t *testing.T) {
	// 青浦 (Shanghai), 吴江 (Jiangsu, Suzhou), 嘉善 (Zhejiang, Jiaxing); 黄浦 and 普陀 in Shanghai.
	border := &cases.Joint{ID: "j1", Lead: "310118", Tenants: []string{"310118", "320509", "330421"}}
	shanghai := &cases.Joint{ID: "j2", Lead: "310107", Tenants: []string{"310107", "310101"}}
	noLead := &cases.Joint{ID: "j3", Lead: "320509", Tenants: []string{"320509", "310107", "310101"}}
	tests := []struct {
		name   string
		tenant string
		joint  *cases.Joint
		want   int
	}{
		{"not joint", "310107", nil, 1},
		{"border lead counts everywhere", "310118", border, 1},
		{"border partner counts up to its province", "320509", border, 2},
		{"another partner, another province", "330421", border, 2},
		{"same city: lead everywhere", "310107", shanghai, 1},
		{"same city: partner only in itself", "310101", shanghai, 4},
		{"lead elsewhere: smallest partner represents Shanghai", "310101", noLead, 2},
		{"lead elsewhere: larger partner only in itself", "310107", noLead, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := TopOf(tc.tenant, tc.joint); got != tc.want {
				t.Fatalf("TopOf(%s) = %d, want %d", tc.tenant, got, tc.want)
			}
		})
	}
	// Counted once at every common ancestor: at each ancestor, exactly one record counts.
	for _, j := range []*cases.Joint{border, shanghai, noLead} {
		for _, anc := range []string{"000000", "310000", "310100", "320000", "330000"} {
			n := 0
			for _, p := range j.Tenants {
				path := pathOf(p)
				for depth, code := range path {
					if code == anc && TopOf(p, j) <= depth+1 {
						n++
					}
				}
			}
			inside := false
			for _, p := range j.Tenants {
				inside = inside || division.Contains(anc, p)
			}
			if inside && n != 1 || !inside && n != 0 {
				t.Fatalf("joint %s counted %d times in %s", j.ID, n, anc)
			}
		}
	}
}

func TestAgeBand(t *testing.T) {
	tests := []struct {
		birth, year int
		want        string
	}{{0, 2020, Unknown}, {2021, 2020, Unknown}, {2005, 2020, "under_18"}, {2002, 2020, "18_29"}, {1991, 2020, "18_29"}, {1976, 2020, "30_44"},
		{1975, 2020, "45_59"}, {1961, 2020, "45_59"}, {1960, 2020, "60_plus"}}
	for _, tc := range tests {
		if got := AgeBand(tc.birth, tc.year); got != tc.want {
			t.Errorf("AgeBand(%d, %d) = %s, want %s", tc.birth, tc.year, got, tc.want)
		}
	}
}

func TestWholeMonths(t *testing.T) {
	tests := []struct{ from, to, first, last string }{
		{"2020-01-01", "2020-12-31", "2020-01-01", "2020-12-01"},
		{"2020-01-02", "2020-12-30", "2020-02-01", "2020-11-01"},
		{"2020-02-01", "2020-02-29", "2020-02-01", "2020-02-01"},
		{"2020-02-01", "2020-02-28", "2020-02-01", "2020-01-01"},
		{"2020-02-10", "2020-02-20", "2020-03-01", "2020-01-01"},
	}
	for _, tc := range tests {
		first, last := WholeMonths(date(tc.from), date(tc.to))
		if !first.Equal(date(tc.first)) || !last.Equal(date(tc.last)) {
			t.Errorf("WholeMonths(%s, %s) = %s, %s; want %s, %s", tc.from, tc.to, first.Format("2006-01-02"), last.Format("2006-01-02"), tc.first, tc.last)
		}
	}
}

func TestPercentileAndRates(t *testing.T) {
	if Percentile(nil, 90) != nil {
		t.Fatal("percentile of nothing")
	}
	// 10 cases: days 1..10 → p90 is the 9th value.
	hist := map[int]int64{}
	for d := 1; d <= 10; d++ {
		hist[d] = 1
	}
	if p := Percentile(hist, 90); p == nil || *p != 9 {
		t.Fatalf("p90 = %v", p)
	}
	if p := Percentile(map[int]int64{3: 95, 40: 5}, 90); *p != 3 {
		t.Fatalf("p90 = %d", *p)
	}
	if p := Percentile(map[int]int64{3: 89, 40: 11}, 90); *p != 40 {
		t.Fatalf("p90 = %d", *p)
	}
	if r := Rate(1335000, 1943000); *r != 0.6871 {
		t.Fatalf("rate = %v", *r)
	}
	if r := Rate(7149, 7513); *r != 0.9516 {
		t.Fatalf("rate = %v", *r)
	}
	if Rate(1, 0) != nil {
		t.Fatal("rate over zero")
	}
	f := FiguresOf(Vector{Concluded: 4, Succeeded: 3, CloseDays: 10, Local: 1})
	if *f.AvgDaysToClose != 2.5 || *f.SuccessRate != 0.75 || *f.ResolvedLocallyRate != 0.25 {
		t.Fatalf("figures %+v", f)
	}
}

func TestParseQuery(t *testing.T) {
	today := at("2026-11-22T10:00:00+08:00")
	tests := []struct {
		name                      string
		from, to, source, typ, by string
		wantFields                []string
		wantFrom, wantTo          string
	}{
		{"defaults: year to date", "", "", "", "", "", nil, "2026-01-01", "2026-11-22"},
		{"contract", "2020-01-01", "2020-12-31", "court", "", "", nil, "2020-01-01", "2020-12-31"},
		{"groupings", "2020-01-01", "2020-12-31", "", "labour", "month, dispute_type,month", nil, "2020-01-01", "2020-12-31"},
		{"bad dates", "2020-13-01", "yesterday", "", "", "", []string{"to", "from"}, "", ""},
		{"reversed", "2020-12-31", "2020-01-01", "", "", "", []string{"from"}, "", ""},
		{"too long", "2000-01-01", "2020-01-01", "", "", "", []string{"to"}, "", ""},
		{"unknown source and type and grouping", "", "", "tv", "Labour!", "colour", []string{"source", "dispute_type", "group_by"}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := ParseQuery(tc.from, tc.to, tc.source, tc.typ, tc.by, today)
			if tc.wantFields == nil {
				if err != nil {
					t.Fatal(err)
				}
				if q.From.Format("2006-01-02") != tc.wantFrom || q.To.Format("2006-01-02") != tc.wantTo {
					t.Fatalf("period %s..%s", q.From, q.To)
				}
				if tc.by != "" && (len(q.GroupBy) != 2 || q.GroupBy[0] != "month" || q.GroupBy[1] != "dispute_type") {
					t.Fatalf("group by %v", q.GroupBy)
				}
				return
			}
			var ve *valid.Error
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v", err)
			}
			var fields []string
			for _, f := range ve.Errors {
				fields = append(fields, f.Field)
			}
			if len(fields) != len(tc.wantFields) {
				t.Fatalf("fields %v, want %v", fields, tc.wantFields)
			}
			for i := range fields {
				if fields[i] != tc.wantFields[i] {
					t.Fatalf("fields %v, want %v", fields, tc.wantFields)
				}
			}
		})
	}
}
