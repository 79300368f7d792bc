package cases

import (
	"fmt"
	"strings"

	"github.com/fengqiao/fengqiao/core/codes"
	"github.com/fengqiao/fengqiao/core/pii"
)

// What legacy systems write for the codes besides their names (names.go): a legacy file may
// give a code, its Chinese or English name, or one of these ("上门" for a walk-in).
var (
	statusAliases = map[string][]string{
		string(StatusReceived): {"受理", "待分流"}, string(StatusAssigned): {"分流", "已指派", "待调解"},
		string(StatusMediating): {"正在调解", "调处中"}, string(StatusSucceeded): {"成功", "已调解成功", "达成协议"},
		string(StatusFailed): {"调解失败", "失败", "未达成协议"}, string(StatusGuided): {"已引导", "引导"},
		string(StatusClosed): {"结案", "办结", "已办结"},
	}
	channelAliases = map[string][]string{
		string(ChannelArbitration): {"申请仲裁"}, string(ChannelLitigation): {"起诉", "法院诉讼"},
		string(ChannelOtherDepartment): {"移交其他部门"},
	}
	riskAliases = map[string][]string{
		string(RiskNone): {"无预警", "无风险"}, string(RiskBlue): {"蓝", "蓝色预警"}, string(RiskYellow): {"黄", "黄色预警"},
		string(RiskOrange): {"橙", "橙色预警"}, string(RiskRed): {"红", "红色预警"},
	}
	kindAliases = map[string][]string{
		string(KindPerson):       {"个人", "公民"},
		string(KindOrganisation): {"法人或其他组织", "法人", "组织", "企业"},
	}
	sourceAliases = map[string][]string{
		string(SourceWalkIn):        {"上门", "来访登记", "当事人来访", "现场"},
		string(SourceHotline):       {"电话", "热线", "12348热线", "12348"},
		string(SourceOnline):        {"网上", "在线", "网上申请调解"},
		string(SourceScreening):     {"排查", "摸排", "网格员排查"},
		string(SourceCourt):         {"法院委派", "法院委托", "法院", "诉调对接"},
		string(SourcePolice):        {"公安", "派出所", "警调对接"},
		string(SourceProcuratorate): {"检察院", "检调对接"},
		string(SourcePetition):      {"信访", "访调对接"},
		string(SourceDepartment):    {"部门移交", "其他部门"},
	}
	genderAliases = map[string][]string{"male": {"m", "男性"}, "female": {"f", "女性"}}
	// The performance an import file may give (履行情况).
	importPerformance = codes.Set{
		{Code: "performed", ZH: "已履行", EN: "Performed", Aliases: []string{"履行", "履行完毕"}},
		{Code: "recanted", ZH: "反悔", EN: "Recanted", Aliases: []string{"当事人反悔", "已反悔"}},
	}
)

// StatusChoices lists the statuses, in lifecycle order, with their names and aliases.
func StatusChoices() codes.Set { return StatusNames().WithAliases(statusAliases) }

// ChannelChoices lists the outcome channels (引导渠道) with their names and aliases.
func ChannelChoices() codes.Set { return ChannelNames().WithAliases(channelAliases) }

// RiskChoices lists the warning levels, lowest first, with their names and aliases.
func RiskChoices() codes.Set { return RiskLevelNames().WithAliases(riskAliases) }

// RoleChoices lists the parties' roles with their names.
func RoleChoices() codes.Set { return PartyRoleNames() }

// KindChoices lists the kinds of party with their names and aliases.
func KindChoices() codes.Set { return PartyKindNames().WithAliases(kindAliases) }

// SourceChoices lists the intake sources with the catalogue's names; a name written with a
// slash ("电话/12348热线") is also accepted by its parts.
func SourceChoices() codes.Set {
	out := SourceNames().WithAliases(sourceAliases)
	for i, n := range out {
		if parts := strings.Split(n.ZH, "/"); len(parts) > 1 {
			out[i].Aliases = append(parts, out[i].Aliases...)
		}
	}
	return out
}

// TypeChoices lists dispute types — the platform's and a tenant's own — with their names.
func TypeChoices(types []DisputeType) codes.Set {
	out := make(codes.Set, len(types))
	for i, t := range types {
		out[i] = codes.Name{Code: t.Code, ZH: t.NameZH, EN: t.NameEN}
		// "邻里纠纷" is also written "邻里"; "劳动争议" stays whole.
		if short, ok := strings.CutSuffix(t.NameZH, "纠纷"); ok && short != "" {
			out[i].Aliases = []string{short}
		}
	}
	return out
}

// PerformanceChoices lists what an imported case's performance (履行情况) may be.
func PerformanceChoices() codes.Set { return append(codes.Set(nil), importPerformance...) }

// GenderChoices lists the genders a party without a resident ID number may be given.
func GenderChoices() codes.Set { return GenderNames().WithAliases(genderAliases) }

// DocTypeChoices lists the identity documents (core/pii) with their names.
func DocTypeChoices() codes.Set {
	var out codes.Set
	for _, d := range pii.DocTypes() {
		out = append(out, codes.Name{Code: string(d.Code), ZH: d.NameZH, EN: d.NameEN, Aliases: d.Aliases})
	}
	return out
}

// Vocabulary reads the values of one coded field given by code or by name, in any case and
// with surrounding spaces: the import of legacy files, which write "邻里纠纷" and "上门" where
// the API takes neighbour and walk_in.
type Vocabulary struct {
	field   string // the column errors name
	labelZH string // the field in Chinese
	choices codes.Set
	by      map[string][]int // normalized code, name or alias → choices
}

// NewVocabulary builds the vocabulary of a field from its choices.
func NewVocabulary(field, labelZH string, choices codes.Set) *Vocabulary {
	v := &Vocabulary{field: field, labelZH: labelZH, choices: choices, by: map[string][]int{}}
	for i, c := range choices {
		seen := map[string]bool{}
		for _, w := range append([]string{c.Code, c.ZH, c.EN}, c.Aliases...) {
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
		zh = append(zh, v.choices[i].ZH)
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
func (v *Vocabulary) Choices() codes.Set { return append(codes.Set(nil), v.choices...) }
