// Package stats owns the figures of mediation work (分析研判): what one case contributes to the
// maintained aggregates (cells), how a change of a case becomes a delta of cells, and how the
// summed cells answer a question (rates, averages, the p90 of days to close).
//
// The aggregates are exact: every case change applies the difference between what the case
// contributed before and after, in the transaction of the change; a rebuild recomputes the cells
// from the cases with the same function and must find the same figures.
package stats

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/orgs"
)

// Measure is one counted figure of a cell.
type Measure int

// The measures. A case's receipt counts on the day it was received, its conclusion on the day it
// was concluded, and an open case on the day it falls due (for overdue counts).
const (
	Received  Measure = iota // 受理
	Concluded                // 办结（成功、不成、引导）
	Succeeded                // 调解成功
	Failed                   // 调解不成
	Guided                   // 不宜调解，引导
	Local                    // 就地化解：办结于村（居）或街道（乡镇）调委会
	Performed                // 协议已履行
	Recanted                 // 当事人反悔
	Late                     // 超期办结
	OpenDue                  // 未办结，期限届满日在此
	CloseDays                // 办结用时（天）之和
	RiskBlue                 // 受理的风险等级
	RiskYellow
	RiskOrange
	RiskRed
	NumMeasures
)

// Columns names the measures as the store's columns, in Measure order.
var Columns = [NumMeasures]string{"received", "concluded", "succeeded", "failed", "guided", "local", "performed",
	"recanted", "late", "open_due", "close_days", "risk_blue", "risk_yellow", "risk_orange", "risk_red"}

// Vector holds one value per measure.
type Vector [NumMeasures]int64

// Add adds o to v.
func (v *Vector) Add(o Vector) {
	for i := range v {
		v[i] += o[i]
	}
}

// Zero reports whether every measure is zero.
func (v Vector) Zero() bool { return v == Vector{} }

// Dim is a breakdown dimension kept beside the totals.
type Dim string

// The dimensions of the monthly cells. Type, source and month are part of every cell's key,
// so they need no dimension of their own. Party dimensions count parties (persons), not cases.
const (
	DimTotal      Dim = ""
	DimCommittee  Dim = "committee"
	DimMediator   Dim = "mediator"
	DimStreet     Dim = "street"
	DimGender     Dim = "gender"
	DimAgeBand    Dim = "age_band"
	DimOccupation Dim = "occupation"
	DimCloseDays  Dim = "close_days" // histogram of days to close, for percentiles
)

// Dims lists the breakdown dimensions a caller may ask for (not the histogram).
func Dims() []Dim {
	return []Dim{DimCommittee, DimMediator, DimStreet, DimGender, DimAgeBand, DimOccupation}
}

// Key identifies a cell: a day (a calendar date in China), the case's type and source, a
// dimension value, and the highest level of the tenant tree at which the case counts.
type Key struct {
	Day         time.Time // midnight UTC of the calendar date
	DisputeType string
	Source      string
	Dim         Dim
	Value       string
	// Top is the depth (country 1, province 2, city 3, district 4) of the highest ancestor the
	// cell counts in. 1 for every case but the partner records of a joint case: a joint case
	// is counted once in each common ancestor (see TopOf).
	Top int
}

// Cells is a set of cells with their measures.
type Cells map[Key]Vector

// Add adds the vector to the cell.
func (c Cells) Add(k Key, v Vector) {
	cur := c[k]
	cur.Add(v)
	c[k] = cur
}

// Merge adds every cell of o.
func (c Cells) Merge(o Cells) {
	for k, v := range o {
		c.Add(k, v)
	}
}

// Party is what the statistics know of a party: only persons' attributes, never identity.
type Party struct {
	Gender     string
	BirthYear  int
	Occupation string
}

// Facts is what the statistics need to know about one case.
type Facts struct {
	DisputeType   string
	Source        string
	Status        cases.Status
	Result        cases.Status // succeeded, failed or guided once concluded (a closed case keeps its result)
	ReceivedAt    time.Time
	ConcludedAt   *time.Time
	DueAt         time.Time
	CommitteeID   string
	CommitteeKind string
	PlaceCode     string
	Performance   string
	RiskLevel     cases.RiskLevel
	Mediators     []string
	Parties       []Party
	Top           int
}

// china is the calendar of the figures: a case received at 23:30 Beijing time counts that day.
var china = time.FixedZone("CST", 8*3600)

// Day returns the calendar date in China of t, as midnight UTC.
func Day(t time.Time) time.Time {
	y, m, d := t.In(china).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Month returns the first day of the month of a day.
func Month(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// ResultOf tells the result of a case: its status while succeeded, failed or guided; for a
// closed case the result it was closed with (an agreement without a later failure is a
// success; a failure or guidance leaves a channel in the outcome).
func ResultOf(c cases.Case) cases.Status {
	switch c.Status {
	case cases.StatusSucceeded, cases.StatusFailed, cases.StatusGuided:
		return c.Status
	case cases.StatusClosed:
		if c.Outcome == nil && c.Agreement != nil {
			return cases.StatusSucceeded
		}
		if r, _ := c.Outcome["result"].(string); r == string(cases.StatusGuided) {
			return cases.StatusGuided
		}
		return cases.StatusFailed
	}
	return ""
}

// FactsOf takes the facts of a case; committeeKind is the kind of its committee ("" when none)
// and top its TopOf.
func FactsOf(c cases.Case, committeeKind string, top int) Facts {
	f := Facts{DisputeType: c.DisputeType, Source: string(c.Source), Status: c.Status, Result: ResultOf(c),
		ReceivedAt: c.ReceivedAt, ConcludedAt: c.ConcludedAt, DueAt: c.DueAt, CommitteeID: c.CommitteeID,
		CommitteeKind: committeeKind, PlaceCode: c.PlaceCode, Performance: c.Performance, RiskLevel: c.Risk.Level, Top: top}
	// A case counts once, for its lead mediator (主办调解员, the first assigned from the registry),
	// so that the breakdown by mediator adds up to the totals.
	if len(c.Mediators) > 0 {
		f.Mediators = []string{c.Mediators[0].ID}
	}
	for _, p := range c.Parties {
		if p.Kind == cases.KindPerson {
			f.Parties = append(f.Parties, Party{Gender: p.Gender, BirthYear: p.BirthYear, Occupation: p.Occupation})
		}
	}
	return f
}

// All stands for every dispute type or every source in the cells of the totals and of the
// days-to-close histogram (never in the other dimensions).
const All = "*"

// Unknown is the dimension value of a missing attribute.
const Unknown = "unknown"

// Unassigned is the value of the mediator dimension of a case no registry mediator is assigned
// to (未指派).
const Unassigned = "unassigned"

// AgeBand returns the age band of a person born in birthYear at a date in year.
func AgeBand(birthYear, year int) string {
	if birthYear <= 0 || birthYear > year {
		return Unknown
	}
	switch age := year - birthYear; {
	case age < 18:
		return "under_18"
	case age < 30:
		return "18_29"
	case age < 45:
		return "30_44"
	case age < 60:
		return "45_59"
	default:
		return "60_plus"
	}
}

// AgeBands lists the age bands in order.
func AgeBands() []string {
	return []string{"under_18", "18_29", "30_44", "45_59", "60_plus", Unknown}
}

// IsLocal reports whether a committee of kind resolves a dispute locally (就地化解): village
// (residents') and street (township) committees.
func IsLocal(kind string) bool {
	return kind == string(orgs.KindVillageCommittee) || kind == string(orgs.KindStreetCommittee)
}

// Contribution returns the cells one case contributes.
func Contribution(f Facts) Cells {
	type event struct {
		day time.Time
		v   Vector
	}
	var events []event
	var recv Vector
	recv[Received] = 1
	switch f.RiskLevel {
	case cases.RiskBlue:
		recv[RiskBlue] = 1
	case cases.RiskYellow:
		recv[RiskYellow] = 1
	case cases.RiskOrange:
		recv[RiskOrange] = 1
	case cases.RiskRed:
		recv[RiskRed] = 1
	}
	receivedDay := Day(f.ReceivedAt)
	events = append(events, event{receivedDay, recv})
	closeDays := -1
	if cases.Concluded(f.Status) && f.ConcludedAt != nil {
		var v Vector
		v[Concluded] = 1
		switch f.Result {
		case cases.StatusSucceeded:
			v[Succeeded] = 1
		case cases.StatusGuided:
			v[Guided] = 1
		default:
			v[Failed] = 1
		}
		if IsLocal(f.CommitteeKind) {
			v[Local] = 1
		}
		switch f.Performance {
		case "performed":
			v[Performed] = 1
		case "recanted":
			v[Recanted] = 1
		}
		if f.ConcludedAt.After(f.DueAt) {
			v[Late] = 1
		}
		day := Day(*f.ConcludedAt)
		closeDays = max(0, int(day.Sub(receivedDay).Hours()/24))
		v[CloseDays] = int64(closeDays)
		events = append(events, event{day, v})
	} else if !cases.Concluded(f.Status) {
		var v Vector
		v[OpenDue] = 1
		events = append(events, event{Day(f.DueAt), v})
	}

	top := max(f.Top, 1)
	out := Cells{}
	add := func(dim Dim, value string, e event) {
		out.Add(Key{Day: e.day, DisputeType: f.DisputeType, Source: f.Source, Dim: dim, Value: value, Top: top}, e.v)
	}
	street := ""
	if len(f.PlaceCode) >= 9 {
		street = f.PlaceCode[:9]
	}
	mediators := slices.Clone(f.Mediators)
	for i := range mediators {
		mediators[i] = strings.TrimSpace(mediators[i])
	}
	slices.Sort(mediators)
	mediators = slices.Compact(mediators)
	mediators = slices.DeleteFunc(mediators, func(s string) bool { return s == "" })
	year := f.ReceivedAt.In(china).Year()
	for _, e := range events {
		// Totals are also kept across all types and/or all sources (All): a question without a
		// filter reads one cell per tenant and month instead of one per type and source.
		for _, typ := range []string{f.DisputeType, All} {
			for _, src := range []string{f.Source, All} {
				out.Add(Key{Day: e.day, DisputeType: typ, Source: src, Dim: DimTotal, Top: top}, e.v)
			}
		}
		add(DimCommittee, orUnknown(f.CommitteeID), e)
		add(DimStreet, orUnknown(street), e)
		if len(mediators) == 0 {
			add(DimMediator, Unassigned, e)
		}
		for _, m := range mediators {
			add(DimMediator, m, e)
		}
		for _, p := range f.Parties {
			add(DimGender, orUnknown(p.Gender), e)
			add(DimAgeBand, AgeBand(p.BirthYear, year), e)
			add(DimOccupation, orUnknown(strings.TrimSpace(p.Occupation)), e)
		}
		if e.v[Concluded] == 1 {
			// The histogram is also kept across all types and/or all sources (All), so the p90
			// of a question reads one histogram, not one per type and source.
			var h Vector
			h[Concluded] = 1
			for _, typ := range []string{f.DisputeType, All} {
				for _, src := range []string{f.Source, All} {
					out.Add(Key{Day: e.day, DisputeType: typ, Source: src, Dim: DimCloseDays, Value: strconv.Itoa(closeDays), Top: top}, h)
				}
			}
		}
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return Unknown
	}
	return s
}

// Delta returns after − before, without the cells that do not change.
func Delta(before, after Cells) Cells {
	out := Cells{}
	for k, v := range after {
		out[k] = v
	}
	for k, v := range before {
		cur := out[k]
		for i := range cur {
			cur[i] -= v[i]
		}
		out[k] = cur
	}
	for k, v := range out {
		if v.Zero() {
			delete(out, k)
		}
	}
	return out
}

// TopOf returns the depth of the highest ancestor in which tenant's record of a case counts.
// A case that is not joint counts everywhere up to the country (1). A joint case counts once in
// every tenant whose subtree holds a participant: there, the lead's record counts if the lead
// is inside, otherwise the record of the inside participant with the smallest code. A tenant's
// own record always counts in itself.
func TopOf(tenant string, j *cases.Joint) int {
	chain := pathOf(tenant)
	if j == nil || len(j.Tenants) == 0 {
		return 1
	}
	top := len(chain)
	// Walk up from the tenant's parent: the record counts at an ancestor while it represents
	// the case there; once another record represents it, it does for every ancestor above.
	for depth := len(chain) - 1; depth >= 1; depth-- {
		anc := chain[depth-1]
		if representative(anc, j) != tenant {
			break
		}
		top = depth
	}
	return top
}

func representative(ancestor string, j *cases.Joint) string {
	if division.Contains(ancestor, j.Lead) {
		return j.Lead
	}
	rep := ""
	for _, t := range j.Tenants {
		if division.Contains(ancestor, t) && (rep == "" || t < rep) {
			rep = t
		}
	}
	return rep
}

// pathOf returns the codes from the country down to code itself.
func pathOf(code string) []string {
	if code == "000000" {
		return []string{code}
	}
	ancestors, err := division.Ancestors(code)
	if err != nil {
		return []string{code}
	}
	out := []string{"000000"}
	for _, a := range ancestors {
		if a.Code != "000000" {
			out = append(out, a.Code)
		}
	}
	return append(out, code)
}

// Depth returns the depth of a tenant in the tree: country 1, province 2, city 3, district 4.
func Depth(code string) int { return len(pathOf(code)) }
