package risktext_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/core/cases"
)

// The labelled evaluation set: realistic intake notes, each with the level a practitioner expects
// (docs/warnings.md says how it was built and the rules of labelling).
type labelled struct {
	ID    string   `json:"id"`
	Text  string   `json:"text"`
	Level string   `json:"level"`
	Kinds []string `json:"kinds"`
	Calm  bool     `json:"calm"` // clearly calm: an orange or red warning would be a false alarm
	Tags  []string `json:"tags"`
}

func loadSet(t *testing.T) []labelled {
	f, err := os.Open("testdata/warnings.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var set []labelled
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l labelled
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: %v", sc.Text(), err)
		}
		if cases.RiskLevel(l.Level).Rank() < 0 {
			t.Fatalf("%s: unknown level %q", l.ID, l.Level)
		}
		set = append(set, l)
	}
	return set
}

// Thresholds the assessment must hold on the set (issue 14, item 6).
const (
	minRecallRed    = 0.95
	minRecallOrange = 0.95
	maxCalmAlarms   = 0.02 // orange or red on a clearly calm description
)

// TestWarningEvaluation assesses every description of the set as an intake of two parties
// (the text alone decides) and prints precision and recall per level, the recall of each risk
// kind, and the false alarms on calm descriptions; it fails below the thresholds.
// Run: go test ./core/risktext/ -run TestWarningEvaluation -v
func TestWarningEvaluation(t *testing.T) {
	set := loadSet(t)
	calm := 0
	for _, l := range set {
		if l.Calm {
			calm++
		}
	}
	if len(set) < 300 || calm < 100 {
		t.Fatalf("the set has %d descriptions (%d calm), want at least 300 (100 calm)", len(set), calm)
	}
	type tally struct{ expected, predicted, hit int }
	levels := map[cases.RiskLevel]*tally{}
	for _, l := range cases.RiskLevels() {
		levels[l] = &tally{}
	}
	kinds := map[string]*tally{}
	alarms := 0
	var misses []string
	for _, l := range set {
		a := cases.Assess(cases.RiskInput{Description: l.Text, Parties: 2})
		want := cases.RiskLevel(l.Level)
		levels[want].expected++
		levels[a.Level].predicted++
		if a.Level == want {
			levels[want].hit++
		} else {
			var codes []string
			for _, s := range a.Signals {
				codes = append(codes, fmt.Sprintf("%s%v", s.Code, s.Words))
			}
			misses = append(misses, fmt.Sprintf("%s want %-6s got %-6s %s  %s", l.ID, want, a.Level, l.Text, strings.Join(codes, " ")))
		}
		if l.Calm && a.Level.Rank() >= cases.RiskOrange.Rank() {
			alarms++
		}
		for _, k := range l.Kinds {
			if kinds[k] == nil {
				kinds[k] = &tally{}
			}
			kinds[k].expected++
			if slices.ContainsFunc(a.Signals, func(s cases.Signal) bool { return s.Code == k }) {
				kinds[k].hit++
			}
		}
	}
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 1
		}
		return float64(a) / float64(b)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d descriptions, %d clearly calm\n\n| level | expected | predicted | correct | precision | recall |\n|---|---|---|---|---|---|\n", len(set), calm)
	for _, l := range cases.RiskLevels() {
		c := levels[l]
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %.3f | %.3f |\n", l, c.expected, c.predicted, c.hit, ratio(c.hit, c.predicted), ratio(c.hit, c.expected))
	}
	fmt.Fprintf(&b, "\n| risk kind | expected | found | recall |\n|---|---|---|---|\n")
	var names []string
	for k := range kinds {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		fmt.Fprintf(&b, "| %s | %d | %d | %.3f |\n", k, kinds[k].expected, kinds[k].hit, ratio(kinds[k].hit, kinds[k].expected))
	}
	fmt.Fprintf(&b, "\norange or red on clearly calm descriptions: %d of %d (%.1f %%)\n", alarms, calm, 100*ratio(alarms, calm))
	t.Log(b.String())
	if testing.Verbose() {
		t.Logf("misclassified:\n%s", strings.Join(misses, "\n"))
	}
	if r := ratio(levels[cases.RiskRed].hit, levels[cases.RiskRed].expected); r < minRecallRed {
		t.Errorf("red recall %.3f < %.2f", r, minRecallRed)
	}
	if r := ratio(levels[cases.RiskOrange].hit, levels[cases.RiskOrange].expected); r < minRecallOrange {
		t.Errorf("orange recall %.3f < %.2f", r, minRecallOrange)
	}
	if r := ratio(alarms, calm); r > maxCalmAlarms {
		t.Errorf("false orange/red on calm descriptions %.3f > %.2f", r, maxCalmAlarms)
	}
}
