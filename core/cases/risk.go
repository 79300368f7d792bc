package cases

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fengqiao/fengqiao/core/risktext"
)

// RiskLevel is the early-warning level (预警等级).
type RiskLevel string

const (
	RiskNone   RiskLevel = "none"
	RiskBlue   RiskLevel = "blue"
	RiskYellow RiskLevel = "yellow"
	RiskOrange RiskLevel = "orange"
	RiskRed    RiskLevel = "red"
)

// RiskLevels lists the levels from lowest to highest.
func RiskLevels() []RiskLevel {
	return []RiskLevel{RiskNone, RiskBlue, RiskYellow, RiskOrange, RiskRed}
}

// Rank orders levels: none 0 … red 4; -1 for an unknown level.
func (l RiskLevel) Rank() int { return slices.Index(RiskLevels(), l) }

// Signal is one reason for a warning, with its weight, shown to staff as is. A signal read in
// the text names the words that fired it and the clause they were read in.
type Signal struct {
	Code   string   `json:"code"`
	Label  string   `json:"label"`
	Weight int      `json:"weight"`
	Detail string   `json:"detail,omitempty"`
	Words  []string `json:"words,omitempty"`
	Clause string   `json:"clause,omitempty"`
}

// Assessment is the explainable result of the early-warning rules: the signals that count, and
// the risk words read under a negation ("双方并未动手"), shown with weight 0 so that staff see why
// they did not count.
type Assessment struct {
	Level   RiskLevel `json:"level"`
	Score   int       `json:"score"`
	Signals []Signal  `json:"signals"`
	Negated []Signal  `json:"negated,omitempty"`
}

// RiskInput is what the rules look at.
type RiskInput struct {
	Title, Description string
	Parties            int
	AmountYuan         float64
	Source             Source
	PriorCases         int // earlier cases of this tenant sharing a party (by ID number or phone)
	PriorFailed        int // of which mediation failed
}

// textRule is how a risk read in the text (core/risktext) weighs, by severity.
type textRule struct {
	risk    risktext.Risk
	label   string
	weights map[risktext.Severity]int
}

// textRules are in the order signals are listed. The four risks that must be reported at once
// to the police and the government (越级上访、治安案件、民转刑、群体性事件) and self-harm weigh at
// least 50 (orange) on their own; weapons, threats to kill or burn and a mass incident of thirty
// people or more weigh 70 (red). The background (wage arrears, demolition, many people) weighs
// 15: alone it is blue, and it does not turn one orange risk red.
var textRules = []textRule{
	{risktext.SelfHarm, "自伤自杀倾向 / self-harm", map[risktext.Severity]int{risktext.Serious: 50}},
	{risktext.Threat, "民转刑苗头：扬言报复、伤害 / risk of a criminal case: threats", map[risktext.Severity]int{risktext.Minor: 30, risktext.Serious: 50, risktext.Grave: 70}},
	{risktext.SkipLevelPetition, "越级上访、进京访苗头 / skip-level petition (city, province, Beijing)", map[risktext.Severity]int{risktext.Serious: 50}},
	{risktext.PetitionThreat, "上访苗头 / petition threatened", map[risktext.Severity]int{risktext.Minor: 30}},
	{risktext.MassIncident, "群体性事件苗头：聚集、围堵、集体上访 / mass-incident risk: gathering, blocking, collective petition", map[risktext.Severity]int{risktext.Serious: 50, risktext.Grave: 70}},
	{risktext.Violence, "治安案件苗头：肢体冲突、打砸 / public-order risk: violence", map[risktext.Severity]int{risktext.Serious: 50, risktext.Grave: 70}},
	{risktext.ManyPeople, "涉及人数较多 / many people involved", map[risktext.Severity]int{risktext.Background: 15}},
	{risktext.WageArrears, "拖欠工资 / wage arrears", map[risktext.Severity]int{risktext.Background: 15}},
	{risktext.Demolition, "征地拆迁 / land requisition or demolition", map[risktext.Severity]int{risktext.Background: 15}},
}

// textSignals turns the findings of one risk into its signal: the weight of the gravest, the
// words of all, the clause of the gravest.
func textSignals(findings []risktext.Finding, negated bool) []Signal {
	var out []Signal
	for _, r := range textRules {
		var sig *Signal
		for _, f := range findings {
			if f.Risk != r.risk {
				continue
			}
			w := r.weights[f.Severity]
			if w == 0 { // a severity the rule does not grade: its nearest lower grade
				for s := f.Severity; s > 0 && w == 0; s-- {
					w = r.weights[s]
				}
			}
			if f.Risk == risktext.ManyPeople && f.People >= 30 {
				w = 25
			}
			if negated {
				w = 0
			}
			if sig == nil {
				sig = &Signal{Code: string(r.risk), Label: r.label, Weight: w, Clause: f.Clause}
			} else if w > sig.Weight {
				sig.Weight, sig.Clause = w, f.Clause
			}
			for _, word := range f.Words {
				if !slices.Contains(sig.Words, word) {
					sig.Words = append(sig.Words, word)
				}
			}
			if f.Hearsay && !strings.HasPrefix(sig.Detail, "传闻") {
				sig.Detail = "传闻，待核实 / hearsay, to be checked"
			}
		}
		if sig == nil {
			continue
		}
		quoted := "“" + strings.Join(sig.Words, "”“") + "”"
		switch {
		case negated:
			sig.Detail = quoted + " 已否定，不计分 / negated, not counted"
		case sig.Detail != "":
			sig.Detail = quoted + "；" + sig.Detail
		default:
			sig.Detail = quoted
		}
		out = append(out, *sig)
	}
	return out
}

// Thresholds of the score for each level.
var levelThresholds = []struct {
	min   int
	level RiskLevel
}{{70, RiskRed}, {50, RiskOrange}, {30, RiskYellow}, {15, RiskBlue}}

// Assess applies the early-warning rules. Every signal that fired is listed with its weight;
// the level follows from the sum.
func Assess(in RiskInput) Assessment {
	read := risktext.Read(in.Title, in.Description)
	if in.Parties >= 10 { // the parties say it better than a number in the text
		read.Findings = slices.DeleteFunc(read.Findings, func(f risktext.Finding) bool { return f.Risk == risktext.ManyPeople })
	}
	sig := textSignals(read.Findings, false)
	switch {
	case in.Parties >= 10:
		sig = append(sig, Signal{Code: "group_dispute", Label: "群体性纠纷 / group dispute", Weight: 35, Detail: fmt.Sprintf("%d 方当事人 / %d parties", in.Parties, in.Parties)})
	case in.Parties >= 5:
		sig = append(sig, Signal{Code: "many_parties", Label: "多方当事人 / many parties", Weight: 20, Detail: fmt.Sprintf("%d 方当事人 / %d parties", in.Parties, in.Parties)})
	}
	switch {
	case in.AmountYuan >= 1_000_000:
		sig = append(sig, Signal{Code: "large_amount", Label: "标的额巨大 / very large amount", Weight: 20, Detail: fmt.Sprintf("%.0f 元", in.AmountYuan)})
	case in.AmountYuan >= 100_000:
		sig = append(sig, Signal{Code: "amount", Label: "标的额较大 / large amount", Weight: 10, Detail: fmt.Sprintf("%.0f 元", in.AmountYuan)})
	}
	if in.PriorCases > 0 {
		sig = append(sig, Signal{Code: "repeat_dispute", Label: "当事人重复纠纷 / repeat dispute", Weight: min(15*in.PriorCases, 30), Detail: fmt.Sprintf("此前 %d 件 / %d earlier cases", in.PriorCases, in.PriorCases)})
	}
	if in.PriorFailed > 0 {
		sig = append(sig, Signal{Code: "failed_before", Label: "曾调解不成 / mediation failed before", Weight: 15, Detail: fmt.Sprintf("%d 件 / %d cases", in.PriorFailed, in.PriorFailed)})
	}
	if in.Source == SourcePetition {
		sig = append(sig, Signal{Code: "petition", Label: "信访渠道转入 / came through petition", Weight: 10})
	}
	a := Assessment{Level: RiskNone, Signals: sig, Negated: textSignals(read.Negated, true)}
	if a.Signals == nil {
		a.Signals = []Signal{}
	}
	for _, s := range sig {
		a.Score += s.Weight
	}
	for _, t := range levelThresholds {
		if a.Score >= t.min {
			a.Level = t.level
			break
		}
	}
	return a
}

// Reassess recomputes the warning of a case after its intake changed. A level set by staff
// (adjust_risk) stays the last word: its manual signal is kept and so is its level.
func Reassess(c Case, prior Prior) Assessment {
	a := Assess(RiskInput{Title: c.Title, Description: c.Description, Parties: len(c.Parties), AmountYuan: float64(c.AmountFen) / 100,
		Source: c.Source, PriorCases: prior.Cases, PriorFailed: prior.Failed})
	for _, s := range c.Risk.Signals {
		if s.Code == "manual" {
			a.Signals = append(a.Signals, s)
			a.Level = c.Risk.Level
		}
	}
	return a
}
