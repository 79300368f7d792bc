package cases

import (
	"fmt"
	"slices"
	"strings"
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

// Signal is one reason for a warning, with its weight, shown to staff as is.
type Signal struct {
	Code   string `json:"code"`
	Label  string `json:"label"`
	Weight int    `json:"weight"`
	Detail string `json:"detail,omitempty"`
}

// Assessment is the explainable result of the early-warning rules.
type Assessment struct {
	Level   RiskLevel `json:"level"`
	Score   int       `json:"score"`
	Signals []Signal  `json:"signals"`
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

// keywordRule finds words in the title and description.
type keywordRule struct {
	code, label string
	weight      int
	words       []string
}

var keywordRules = []keywordRule{
	{"self_harm", "自伤自杀倾向 / self-harm", 50, []string{"自杀", "轻生", "跳楼", "喝农药", "寻死", "不想活"}},
	{"threat", "扬言报复、威胁 / threats", 40, []string{"威胁", "报复", "同归于尽", "杀了", "砍死", "弄死", "炸"}},
	{"skip_level_petition", "越级上访苗头 / skip-level petition", 30, []string{"越级上访", "进京上访", "赴京", "到北京上访", "去省里上访"}},
	{"group_petition", "群体性事件苗头 / group petition or gathering", 30, []string{"集体上访", "群体", "联名", "聚集", "堵路", "静坐", "拉横幅"}},
	{"violence", "肢体冲突 / violence", 25, []string{"打架", "斗殴", "殴打", "伤人", "动手", "持刀"}},
	{"wage_arrears", "拖欠工资 / wage arrears", 20, []string{"欠薪", "拖欠工资", "讨薪", "农民工工资", "工资未发", "讨要工资"}},
	{"demolition", "征地拆迁 / land requisition or demolition", 20, []string{"拆迁", "征地", "强拆", "补偿款"}},
}

// Thresholds of the score for each level.
var levelThresholds = []struct {
	min   int
	level RiskLevel
}{{70, RiskRed}, {50, RiskOrange}, {30, RiskYellow}, {15, RiskBlue}}

// Assess applies the early-warning rules. Every signal that fired is listed with its weight;
// the level follows from the sum.
func Assess(in RiskInput) Assessment {
	text := in.Title + "\n" + in.Description
	var sig []Signal
	for _, r := range keywordRules {
		var found []string
		for _, w := range r.words {
			if strings.Contains(text, w) {
				found = append(found, w)
			}
		}
		if len(found) > 0 {
			sig = append(sig, Signal{Code: r.code, Label: r.label, Weight: r.weight, Detail: "“" + strings.Join(found, "”“") + "”"})
		}
	}
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
	a := Assessment{Level: RiskNone, Signals: sig}
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
