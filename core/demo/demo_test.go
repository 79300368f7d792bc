package demo

import (
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
)

func TestShanghaiPlanMeetsThePublishedFigures(t *testing.T) {
	p := Shanghai2020()
	cells, err := p.Plan()
	if err != nil {
		t.Fatal(err)
	}
	var n, succ int
	districts := map[string]int{}
	for _, c := range cells {
		if c.Succeeded+c.Failed+c.Guided != c.Cases || c.Succeeded < 0 || c.Failed < 0 || c.Guided < 0 {
			t.Fatalf("cell %+v does not add up", c)
		}
		n += c.Cases
		succ += c.Succeeded
		districts[c.District] += c.Cases
		if c.District == "310107" && c.Source == cases.SourceCourt && (c.Cases != 7513 || c.Succeeded != 7149) {
			t.Fatalf("Putuo court cell %+v", c)
		}
	}
	if n != 1943000 || succ != 1335000 || len(districts) != 16 {
		t.Fatalf("plan: %d cases, %d succeeded, %d districts", n, succ, len(districts))
	}
	all, err := division.Districts("310000")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 16 {
		t.Fatalf("Shanghai has %d districts in the division data", len(all))
	}
	for _, d := range all {
		if districts[d.Code] == 0 {
			t.Fatalf("district %s gets no cases", d.Code)
		}
	}
}

func TestApportion(t *testing.T) {
	tests := []struct {
		n       int
		weights []float64
		want    []int
	}{
		{10, []float64{1, 1, 1}, []int{4, 3, 3}},
		{7, []float64{0, 1}, []int{0, 7}},
		{0, []float64{1, 2}, []int{0, 0}},
		{5, []float64{0, 0}, []int{0, 0}},
	}
	for _, tc := range tests {
		got := apportion(tc.n, tc.weights)
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("apportion(%d, %v) = %v, want %v", tc.n, tc.weights, got, tc.want)
				break
			}
		}
	}
}

func TestGeneratedCasesStayInTheYear(t *testing.T) {
	p := Shanghai2020()
	streets, err := division.Streets("310107")
	if err != nil {
		t.Fatal(err)
	}
	com := Committees{ByStreet: map[string]string{}, Industry: "i", Dispatched: "d"}
	for _, s := range streets {
		com.ByStreet[s.Code] = "s" + s.Code
	}
	cell := Cell{District: "310107", Source: cases.SourceCourt, Cases: 1000, Succeeded: 700, Failed: 240, Guided: 60}
	count := map[cases.Status]int{}
	batches := 0
	first := func() []cases.Case {
		var out []cases.Case
		_ = NewGenerator(p, 1).Cases(cell, com, streets, 300, func(cs []cases.Case) error { out = append(out, cs...); return nil })
		return out
	}()
	err = NewGenerator(p, 1).Cases(cell, com, streets, 300, func(cs []cases.Case) error {
		batches++
		for i, c := range cs {
			count[c.Status]++
			china := time.FixedZone("CST", 8*3600)
			if c.ReceivedAt.In(china).Year() != 2020 || c.ConcludedAt.In(china).Year() != 2020 || c.ConcludedAt.Before(c.ReceivedAt) {
				t.Fatalf("case outside 2020: %v → %v", c.ReceivedAt, c.ConcludedAt)
			}
			if c.CommitteeID != "d" || len(c.Parties) != 2 || c.Title == "" || c.PlaceCode[:6] != "310107" {
				t.Fatalf("case %+v", c)
			}
			if first[(batches-1)*300+i].Title != c.Title {
				t.Fatal("the same seed must give the same cases")
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if batches != 4 || count[cases.StatusSucceeded] != 700 || count[cases.StatusFailed] != 240 || count[cases.StatusGuided] != 60 {
		t.Fatalf("%d batches, outcomes %v", batches, count)
	}
}
