package store_test

import (
	"math/rand/v2"
	"regexp"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/google/uuid"
)

// countsOf lists the counted figures a breakdown's rows must sum to.
func countsOf(f stats.Figures) [15]int64 {
	return [15]int64{f.Received, f.Concluded, f.Succeeded, f.Failed, f.Guided, f.ResolvedLocally, f.Performed, f.PartlyPerformed,
		f.NotPerformed, f.Recanted, f.ConcludedLate, f.RiskLevels[cases.RiskBlue], f.RiskLevels[cases.RiskYellow],
		f.RiskLevels[cases.RiskOrange], f.RiskLevels[cases.RiskRed]}
}

// codeLike is what a label must not be: a UUID, a division code, or an ASCII code word.
var codeLike = regexp.MustCompile(`^([0-9a-f-]{36}|[0-9]{6,12}|[a-z_0-9]+)$`)

// TestEveryBreakdownAddsUp is the property of issue 14: for random periods (day-granular,
// across month and year boundaries) and every breakdown the statistics offer, the rows of a
// breakdown add up to the headline (per person for the party breakdowns: to the persons among
// the parties of the counted cases), each row is what counting the generated cases gives, and
// every row has a Chinese label — a name, never a code, a UUID or an empty one.
func TestEveryBreakdownAddsUp(t *testing.T) {
	ctx, f := newStatsFixture(t, "310107", "310118")
	rng := rand.New(rand.NewPCG(14, 3))
	china := time.FixedZone("CST", 8*3600)
	start := time.Date(2019, 10, 1, 0, 0, 0, 0, china)
	types := []string{"neighbour", "labour", "contract", "marriage_family"}
	sources := []string{"walk_in", "hotline", "court", "police"}
	perfs := []string{"", "performed", "partly_performed", "not_performed", "recanted"}
	var all []cases.Case
	for _, tenant := range []string{"310107", "310118"} {
		streets, err := division.Streets(tenant)
		if err != nil {
			t.Fatal(err)
		}
		var batch []cases.Case
		for range 500 {
			recv := start.Add(time.Duration(rng.IntN(560*24*60)) * time.Minute)
			c := cases.Case{ID: uuid.NewString(), TenantCode: tenant, Title: "随机案件", DisputeType: types[rng.IntN(len(types))],
				Source: cases.Source(sources[rng.IntN(len(sources))]), Status: cases.StatusMediating, ReceivedAt: recv,
				DueAt: recv.AddDate(0, 0, 30), CreatedBy: "test", Risk: cases.Assessment{Level: []cases.RiskLevel{"none", "blue", "yellow", "orange", "red"}[rng.IntN(5)]}}
			if n := rng.IntN(len(f.committees[tenant]) + 1); n > 0 {
				c.CommitteeID = f.committees[tenant][n-1]
			}
			if rng.IntN(4) > 0 {
				c.PlaceCode = streets[rng.IntN(min(len(streets), 5))].Code
			}
			for i := range rng.IntN(3) + 1 {
				p := cases.Party{ID: uuid.NewString(), Role: cases.RoleApplicant, Kind: cases.KindPerson, Name: "当事人",
					Gender: []string{"", "male", "female"}[rng.IntN(3)], Occupation: []string{"", "教师", "务工人员"}[rng.IntN(3)]}
				if i > 0 {
					p.Role = cases.RoleRespondent
				}
				if rng.IntN(3) > 0 {
					p.BirthYear = 1940 + rng.IntN(80)
				}
				c.Parties = append(c.Parties, p)
			}
			if rng.IntN(5) == 0 {
				c.Parties = append(c.Parties, cases.Party{ID: uuid.NewString(), Role: cases.RoleRespondent, Kind: cases.KindOrganisation, Name: "某公司"})
			}
			if rng.IntN(4) > 0 {
				done := recv.Add(time.Duration(rng.IntN(70*24*60)) * time.Minute)
				c.ConcludedAt = &done
				switch rng.IntN(3) {
				case 0, 1:
					c.Status, c.Agreement = cases.StatusSucceeded, &cases.Agreement{Form: "oral", Terms: []cases.Term{{Text: "和解"}}}
					c.Performance = perfs[rng.IntN(len(perfs))]
				default:
					c.Status, c.Outcome = cases.StatusFailed, map[string]any{"channel": "litigation", "result": "failed"}
				}
			}
			batch = append(batch, c)
		}
		importBatch(ctx, t, f.st, "breakdowns", batch)
		all = append(all, batch...)
	}

	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	periods := [][2]time.Time{
		{day("2020-01-15"), day("2020-02-10")}, // the period
		{day("2019-12-20"), day("2020-01-10")}, // across a year
		{day("2020-02-29"), day("2020-02-29")}, // one day
		{day("2020-03-01"), day("2020-03-31")}, // one whole month
		{day("2019-10-02"), day("2021-03-30")}, // whole months inside, edges outside
	}
	for range 25 {
		a := day(start.AddDate(0, 0, rng.IntN(600)).Format("2006-01-02"))
		periods = append(periods, [2]time.Time{a, a.AddDate(0, 0, rng.IntN(100))})
	}
	in := func(t *time.Time, from, to time.Time) bool {
		if t == nil {
			return false
		}
		d := stats.Day(*t)
		return !d.Before(from) && !d.After(to)
	}
	for _, p := range periods {
		from, to := p[0], p[1]
		// Persons among the parties of the cases received and concluded in the period.
		var persons [2]int64
		for _, c := range all {
			n := int64(0)
			for _, party := range c.Parties {
				if party.Kind == cases.KindPerson {
					n++
				}
			}
			if in(&c.ReceivedAt, from, to) {
				persons[0] += n
			}
			if in(c.ConcludedAt, from, to) {
				persons[1] += n
			}
		}
		for _, tenant := range []string{"310000", "310107"} {
			q := stats.Query{From: from, To: to, GroupBy: stats.Groupings()}
			r, err := f.stats.Report(ctx, tenant, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, by := range q.GroupBy {
				rows := r.Groups[by]
				var got [15]int64
				for _, g := range rows {
					c := countsOf(g.Figures)
					for i := range got {
						got[i] += c[i]
					}
					if g.Label == "" || codeLike.MatchString(g.Label) && by != string(stats.DimOccupation) {
						t.Errorf("%s %s..%s by %s: row %q labelled %q", tenant, from.Format("2006-01-02"), to.Format("2006-01-02"), by, g.Key, g.Label)
					}
				}
				if stats.UnitOf(by) == "party" {
					if got[0] != persons[0] && tenant == "310000" || got[1] != persons[1] && tenant == "310000" {
						t.Errorf("%s %s..%s by %s: %d received / %d concluded parties, counting gives %d / %d", tenant,
							from.Format("2006-01-02"), to.Format("2006-01-02"), by, got[0], got[1], persons[0], persons[1])
					}
					continue
				}
				if want := countsOf(r.Figures); got != want {
					t.Errorf("%s %s..%s by %s: rows add up to %v, the headline is %v", tenant, from.Format("2006-01-02"), to.Format("2006-01-02"), by, got, want)
				}
			}
			if tenant != "310107" {
				continue
			}
			for _, g := range r.Groups[string(stats.DimCommittee)] {
				key := g.Key
				if key == stats.Unknown {
					key = ""
				}
				want := int64(0)
				for _, c := range all {
					if c.TenantCode == "310107" && c.CommitteeID == key && in(&c.ReceivedAt, from, to) {
						want++
					}
				}
				if g.Received != want {
					t.Errorf("310107 %s..%s committee %s: received %d, counting gives %d", from.Format("2006-01-02"), to.Format("2006-01-02"), g.Label, g.Received, want)
				}
			}
		}
	}
}
