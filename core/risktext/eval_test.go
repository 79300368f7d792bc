package risktext_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
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
	Batch string   `json:"batch"` // dev: written first, rules revised after its first run; holdout: written after, never tuned on
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

// scores are the figures of the assessment on a part of the set.
type scores struct {
	n, calm, alarms int
	levels          map[cases.RiskLevel]*tally
	kinds           map[string]*tally
	misses          []string
}

type tally struct{ expected, predicted, hit int }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func (s scores) recall(l cases.RiskLevel) float64 {
	return ratio(s.levels[l].hit, s.levels[l].expected)
}

// evaluate assesses every description as an intake of two parties (the text alone decides).
func evaluate(set []labelled) scores {
	s := scores{levels: map[cases.RiskLevel]*tally{}, kinds: map[string]*tally{}}
	for _, l := range cases.RiskLevels() {
		s.levels[l] = &tally{}
	}
	for _, l := range set {
		s.n++
		a := cases.Assess(cases.RiskInput{Description: l.Text, Parties: 2})
		want := cases.RiskLevel(l.Level)
		s.levels[want].expected++
		s.levels[a.Level].predicted++
		if a.Level == want {
			s.levels[want].hit++
		} else {
			var codes []string
			for _, sig := range a.Signals {
				codes = append(codes, fmt.Sprintf("%s%v", sig.Code, sig.Words))
			}
			s.misses = append(s.misses, fmt.Sprintf("%s want %-6s got %-6s %s  %s", l.ID, want, a.Level, l.Text, strings.Join(codes, " ")))
		}
		if l.Calm {
			s.calm++
			if a.Level.Rank() >= cases.RiskOrange.Rank() {
				s.alarms++
			}
		}
		for _, k := range l.Kinds {
			if s.kinds[k] == nil {
				s.kinds[k] = &tally{}
			}
			s.kinds[k].expected++
			if slices.ContainsFunc(a.Signals, func(sig cases.Signal) bool { return sig.Code == k }) {
				s.kinds[k].hit++
			}
		}
	}
	return s
}

func (s scores) table(title string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s: %d descriptions, %d clearly calm\n\n| level | expected | predicted | correct | precision | recall |\n|---|---|---|---|---|---|\n", title, s.n, s.calm)
	for _, l := range cases.RiskLevels() {
		c := s.levels[l]
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %.3f | %.3f |\n", l, c.expected, c.predicted, c.hit, ratio(c.hit, c.predicted), ratio(c.hit, c.expected))
	}
	fmt.Fprintf(&b, "\n| risk kind | expected | found | recall |\n|---|---|---|---|\n")
	names := slices.Sorted(maps.Keys(s.kinds))
	for _, k := range names {
		fmt.Fprintf(&b, "| %s | %d | %d | %.3f |\n", k, s.kinds[k].expected, s.kinds[k].hit, ratio(s.kinds[k].hit, s.kinds[k].expected))
	}
	fmt.Fprintf(&b, "\norange or red on clearly calm descriptions: %d of %d (%.1f %%)\n", s.alarms, s.calm, 100*ratio(s.alarms, s.calm))
	return b.String()
}

// TestWarningEvaluation prints precision and recall per level, the recall of each risk kind
// and the false alarms on calm descriptions, for the whole set and for its held-out batch,
// and fails below the thresholds (on the whole set).
// Run: go test ./core/risktext/ -run TestWarningEvaluation -v
func TestWarningEvaluation(t *testing.T) {
	set := loadSet(t)
	all := evaluate(set)
	if all.n < 300 || all.calm < 100 {
		t.Fatalf("the set has %d descriptions (%d calm), want at least 300 (100 calm)", all.n, all.calm)
	}
	holdout := evaluate(slices.DeleteFunc(slices.Clone(set), func(l labelled) bool { return l.Batch != "holdout" }))
	t.Log(all.table("whole set") + holdout.table("held-out batch"))
	if testing.Verbose() {
		t.Logf("misclassified:\n%s", strings.Join(all.misses, "\n"))
	}
	if r := all.recall(cases.RiskRed); r < minRecallRed {
		t.Errorf("red recall %.3f < %.2f", r, minRecallRed)
	}
	if r := all.recall(cases.RiskOrange); r < minRecallOrange {
		t.Errorf("orange recall %.3f < %.2f", r, minRecallOrange)
	}
	if r := ratio(all.alarms, all.calm); r > maxCalmAlarms {
		t.Errorf("false orange/red on calm descriptions %.3f > %.2f", r, maxCalmAlarms)
	}
}
