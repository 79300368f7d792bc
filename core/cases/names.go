package cases

import (
	"fmt"
	"strings"

	"github.com/fengqiao/fengqiao/core/pii"
)

// Choice is one value of a coded field: its code, its names, and the other words bureaus'
// legacy systems write for it ("上门" for a walk-in). A legacy file may give any of them.
type Choice struct {
	Code    string
	NameZH  string
	NameEN  string
	Aliases []string
}

// The Chinese names of the lifecycle's codes, beside the codes they name (the catalogues of
// statuses, outcome channels, warning levels and parties; sources and dispute types carry
// theirs). A test holds every code of Statuses(), channels, RiskLevels() … to a name.
var (
	statusNames = map[Status]Choice{
		StatusReceived:  {NameZH: "已受理", NameEN: "Received", Aliases: []string{"受理", "待分流"}},
		StatusAssigned:  {NameZH: "已分流", NameEN: "Assigned", Aliases: []string{"分流", "已指派", "待调解"}},
		StatusMediating: {NameZH: "调解中", NameEN: "Mediating", Aliases: []string{"正在调解", "调处中"}},
		StatusSucceeded: {NameZH: "调解成功", NameEN: "Succeeded", Aliases: []string{"成功", "已调解成功", "达成协议"}},
		StatusFailed:    {NameZH: "调解不成", NameEN: "Failed", Aliases: []string{"调解失败", "失败", "未达成协议"}},
		StatusGuided:    {NameZH: "不宜调解", NameEN: "Guided elsewhere", Aliases: []string{"已引导", "引导"}},
		StatusClosed:    {NameZH: "已结案", NameEN: "Closed", Aliases: []string{"结案", "办结", "已办结"}},
	}
	channelNames = map[Channel]Choice{
		ChannelArbitration:     {NameZH: "仲裁", NameEN: "Arbitration", Aliases: []string{"申请仲裁"}},
		ChannelReconsider:      {NameZH: "行政复议", NameEN: "Administrative reconsideration"},
		ChannelRuling:          {NameZH: "行政裁决", NameEN: "Administrative ruling"},
		ChannelLitigation:      {NameZH: "诉讼", NameEN: "Litigation", Aliases: []string{"起诉", "法院诉讼"}},
		ChannelPetition:        {NameZH: "信访", NameEN: "Petition"},
		ChannelOtherDepartment: {NameZH: "其他部门", NameEN: "Another department", Aliases: []string{"移交其他部门"}},
	}
	riskNames = map[RiskLevel]Choice{
		RiskNone:   {NameZH: "无", NameEN: "None", Aliases: []string{"无预警", "无风险"}},
		RiskBlue:   {NameZH: "蓝色", NameEN: "Blue", Aliases: []string{"蓝", "蓝色预警"}},
		RiskYellow: {NameZH: "黄色", NameEN: "Yellow", Aliases: []string{"黄", "黄色预警"}},
		RiskOrange: {NameZH: "橙色", NameEN: "Orange", Aliases: []string{"橙", "橙色预警"}},
		RiskRed:    {NameZH: "红色", NameEN: "Red", Aliases: []string{"红", "红色预警"}},
	}
	roleNames = map[PartyRole]Choice{
		RoleApplicant:  {NameZH: "申请人", NameEN: "Applicant"},
		RoleRespondent: {NameZH: "被申请人", NameEN: "Respondent"},
		RoleThird:      {NameZH: "第三人", NameEN: "Third party"},
	}
	kindNames = map[PartyKind]Choice{
		KindPerson:       {NameZH: "自然人", NameEN: "Person", Aliases: []string{"个人", "公民"}},
		KindOrganisation: {NameZH: "法人或其他组织", NameEN: "Organisation", Aliases: []string{"法人", "单位", "组织", "企业"}},
	}
	// sourceAliases: what legacy systems call the intake channels besides the catalogue's names.
	sourceAliases = map[Source][]string{
		SourceWalkIn:        {"上门", "来访登记", "当事人来访", "现场"},
		SourceHotline:       {"电话", "热线", "12348热线", "12348"},
		SourceOnline:        {"网上", "在线", "网上申请调解"},
		SourceScreening:     {"排查", "摸排", "网格员排查"},
		SourceCourt:         {"法院委派", "法院委托", "法院", "诉调对接"},
		SourcePolice:        {"公安", "派出所", "警调对接"},
		SourceProcuratorate: {"检察院", "检调对接"},
		SourcePetition:      {"信访", "访调对接"},
		SourceDepartment:    {"部门移交", "其他部门"},
	}
	// The outcome of performance an import file may give (履行情况).
	performanceChoices = []Choice{
		{Code: "performed", NameZH: "已履行", NameEN: "Performed", Aliases: []string{"履行", "履行完毕"}},
		{Code: "recanted", NameZH: "反悔", NameEN: "Recanted", Aliases: []string{"当事人反悔", "已反悔"}},
	}
	genderChoices = []Choice{
		{Code: "male", NameZH: "男", NameEN: "Male", Aliases: []string{"m", "男性"}},
		{Code: "female", NameZH: "女", NameEN: "Female", Aliases: []string{"f", "女性"}},
	}
)

// StatusName is a status's Chinese name (已受理…); the code itself when it has none.
func StatusName(s Status) string {
	if c, ok := statusNames[s]; ok {
		return c.NameZH
	}
	return string(s)
}

// StatusChoices lists the statuses, in lifecycle order, with their names.
func StatusChoices() []Choice {
	var out []Choice
	for _, s := range Statuses() {
		c := statusNames[s]
		c.Code = string(s)
		out = append(out, c)
	}
	return out
}

// ChannelChoices lists the outcome channels (引导渠道) with their names.
func ChannelChoices() []Choice {
	var out []Choice
	for _, ch := range channels {
		c := channelNames[ch]
		c.Code = string(ch)
		out = append(out, c)
	}
	return out
}

// RiskChoices lists the warning levels, lowest first, with their names.
func RiskChoices() []Choice {
	var out []Choice
	for _, l := range RiskLevels() {
		c := riskNames[l]
		c.Code = string(l)
		out = append(out, c)
	}
	return out
}

// RoleChoices lists the parties' roles with their names.
func RoleChoices() []Choice {
	var out []Choice
	for _, r := range []PartyRole{RoleApplicant, RoleRespondent, RoleThird} {
		c := roleNames[r]
		c.Code = string(r)
		out = append(out, c)
	}
	return out
}

// KindChoices lists the kinds of party with their names.
func KindChoices() []Choice {
	var out []Choice
	for _, k := range []PartyKind{KindPerson, KindOrganisation} {
		c := kindNames[k]
		c.Code = string(k)
		out = append(out, c)
	}
	return out
}

// SourceChoices lists the intake sources with the catalogue's names; a name written with a
// slash ("电话/12348热线") is also accepted by its parts.
func SourceChoices() []Choice {
	var out []Choice
	for _, s := range sources {
		c := Choice{Code: string(s.Code), NameZH: s.NameZH, NameEN: strings.ReplaceAll(string(s.Code), "_", " ")}
		if parts := strings.Split(s.NameZH, "/"); len(parts) > 1 {
			c.Aliases = append(c.Aliases, parts...)
		}
		c.Aliases = append(c.Aliases, sourceAliases[s.Code]...)
		out = append(out, c)
	}
	return out
}

// TypeChoices lists dispute types — the platform's and a tenant's own — with their names.
func TypeChoices(types []DisputeType) []Choice {
	out := make([]Choice, len(types))
	for i, t := range types {
		out[i] = Choice{Code: t.Code, NameZH: t.NameZH, NameEN: t.NameEN}
		// "邻里纠纷" is also written "邻里"; "劳动争议" stays whole.
		if short, ok := strings.CutSuffix(t.NameZH, "纠纷"); ok && short != "" {
			out[i].Aliases = []string{short}
		}
	}
	return out
}

// PerformanceChoices lists what an imported case's performance (履行情况) may be.
func PerformanceChoices() []Choice { return append([]Choice(nil), performanceChoices...) }

// GenderChoices lists the genders a party without a resident ID number may be given.
func GenderChoices() []Choice { return append([]Choice(nil), genderChoices...) }

// DocTypeChoices lists the identity documents (core/pii) with their names.
func DocTypeChoices() []Choice {
	var out []Choice
	for _, d := range pii.DocTypes() {
		out = append(out, Choice{Code: string(d.Code), NameZH: d.NameZH, NameEN: d.NameEN, Aliases: d.Aliases})
	}
	return out
}

// Vocabulary reads the values of one coded field given by code or by name, in any case and
// with surrounding spaces: the import of legacy files, which write "邻里纠纷" and "上门" where
// the API takes neighbour and walk_in.
type Vocabulary struct {
	field   string // the column errors name
	labelZH string // the field in Chinese
	choices []Choice
	by      map[string][]int // normalized code, name or alias → choices
}

// NewVocabulary builds the vocabulary of a field from its choices.
func NewVocabulary(field, labelZH string, choices []Choice) *Vocabulary {
	v := &Vocabulary{field: field, labelZH: labelZH, choices: choices, by: map[string][]int{}}
	for i, c := range choices {
		seen := map[string]bool{}
		for _, w := range append([]string{c.Code, c.NameZH, c.NameEN}, c.Aliases...) {
			if k := vocabKey(w); k != "" && !seen[k] {
				seen[k] = true
				v.by[k] = append(v.by[k], i)
			}
		}
	}
	return v
}

func vocabKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// Resolve returns the code a value names; an unknown value, or a name two choices share (a
// tenant's own type named like another), gives ok false and a message listing the accepted
// values: Chinese names in the Chinese sentence, codes in the English one.
func (v *Vocabulary) Resolve(s string) (code, msg string, ok bool) {
	hits := v.by[vocabKey(s)]
	switch {
	case len(hits) == 1:
		return v.choices[hits[0]].Code, "", true
	case len(hits) > 1:
		var codes []string
		for _, i := range hits {
			codes = append(codes, v.choices[i].Code)
		}
		return "", fmt.Sprintf("%q 可指%s，请填写代码 / %q may mean %s: give the code", s, v.namesOf(hits), s, strings.Join(codes, " or ")), false
	}
	var en []string
	for _, c := range v.choices {
		en = append(en, c.Code)
	}
	return "", fmt.Sprintf("%q 不是有效的%s，可填：%s（或其代码） / %q is not a valid %s: one of %s (or its Chinese name)",
		s, v.labelZH, v.names(), s, v.field, strings.Join(en, ", ")), false
}

func (v *Vocabulary) namesOf(idx []int) string {
	var zh []string
	for _, i := range idx {
		zh = append(zh, v.choices[i].NameZH)
	}
	return strings.Join(zh, "、")
}

// names lists the Chinese names of every value.
func (v *Vocabulary) names() string {
	all := make([]int, len(v.choices))
	for i := range all {
		all[i] = i
	}
	return v.namesOf(all)
}

// Choices returns the vocabulary's values.
func (v *Vocabulary) Choices() []Choice { return append([]Choice(nil), v.choices...) }
