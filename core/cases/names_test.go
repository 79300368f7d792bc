package cases

import (
	"context"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/core/codes"
	"github.com/fengqiao/fengqiao/core/pii"
)

// TestVocabulariesAcceptEveryName: every code of every catalogue an import reads has a Chinese
// name, and the code, the name and every alias resolve to the code — in each field's
// vocabulary, built from the catalogue itself.
func TestVocabulariesAcceptEveryName(t *testing.T) {
	v := importVocabularies
	for _, c := range []struct {
		name  string
		voc   *Vocabulary
		codes []string // the catalogue's codes, each of which must be a choice
	}{
		{"dispute types", NewVocabulary("dispute_type", "纠纷类型", TypeChoices(BuiltInTypes())), codesOf(BuiltInTypes(), func(d DisputeType) string { return d.Code })},
		{"sources", v.source, codesOf(Sources(), func(s SourceInfo) string { return string(s.Code) })},
		{"statuses", v.status, codesOf(Statuses(), func(s Status) string { return string(s) })},
		{"outcome channels", v.channel, codesOf(channels, func(c Channel) string { return string(c) })},
		{"warning levels", v.risk, codesOf(RiskLevels(), func(l RiskLevel) string { return string(l) })},
		{"party roles", v.role, []string{string(RoleApplicant), string(RoleRespondent), string(RoleThird)}},
		{"party kinds", v.kind, []string{string(KindPerson), string(KindOrganisation)}},
		{"identity documents", v.idType, codesOf(pii.DocTypes(), func(d pii.DocTypeInfo) string { return string(d.Code) })},
		{"performance", v.performance, []string{"performed", "recanted"}},
		{"genders", v.gender, []string{"male", "female"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			byCode := map[string]codes.Name{}
			for _, ch := range c.voc.Choices() {
				byCode[ch.Code] = ch
			}
			for _, code := range c.codes {
				ch, ok := byCode[code]
				if !ok || ch.ZH == "" {
					t.Errorf("%s has no Chinese name", code)
					continue
				}
				for _, w := range append([]string{code, strings.ToUpper(code), ch.ZH, " " + ch.ZH + " "}, ch.Aliases...) {
					if got, msg, ok := c.voc.Resolve(w); !ok || got != code {
						t.Errorf("%q resolves to %q (%s), want %s", w, got, msg, code)
					}
				}
			}
			if len(byCode) != len(c.codes) {
				t.Errorf("%d choices for %d codes", len(byCode), len(c.codes))
			}
		})
	}
}

func codesOf[T any](list []T, code func(T) string) []string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = code(x)
	}
	return out
}

// TestVocabularyErrors: an unknown value lists the accepted ones, by Chinese name in the
// Chinese sentence and by code in the English one; a name two types share asks for the code.
func TestVocabularyErrors(t *testing.T) {
	types := NewVocabulary("dispute_type", "纠纷类型", TypeChoices(append(BuiltInTypes(), DisputeType{Code: "neighbour_local", NameZH: "邻里纠纷"})))
	for _, c := range []struct {
		name, value string
		voc         *Vocabulary
		want        []string
	}{
		{"unknown source", "飞鸽传书", importVocabularies.source, []string{"不是有效的案件来源", "来访、电话/12348热线", "walk_in, hotline"}},
		{"unknown status", "lost", importVocabularies.status, []string{"已受理、已分流、调解中", "received, assigned"}},
		{"a tenant's type named like a built-in", "邻里纠纷", types, []string{"可指邻里纠纷、邻里纠纷", "neighbour or neighbour_local", "请填写代码"}},
		{"unknown document", "驾驶证", importVocabularies.idType, []string{"居民身份证、港澳居民来往内地通行证", "resident_id, hk_macao_permit"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, msg, ok := c.voc.Resolve(c.value)
			if ok || code != "" {
				t.Fatalf("%q resolved to %q", c.value, code)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
	if code, _, ok := types.Resolve("neighbour_local"); !ok || code != "neighbour_local" {
		t.Errorf("the code of an ambiguous name: %q %v", code, ok)
	}
}

// TestImportCheckChineseValues: a legacy row written in Chinese — "邻里纠纷", "上门", "调解成功"
// — imports as its codes; a wrong value is an error of its column naming the accepted values,
// once (the intake's own error of the column is not repeated).
func TestImportCheckChineseValues(t *testing.T) {
	party := func(p ImportParty) []ImportParty {
		p.Prefix = "applicant_"
		return []ImportParty{p}
	}
	base := func() ImportRow {
		return ImportRow{Line: 2, Tenant: "310107", Title: "楼上漏水", DisputeType: "邻里纠纷", Source: "上门", ReceivedAt: "2025-02-03",
			Status: "调解成功", ConcludedAt: "2025-02-20", Performance: "已履行", RiskLevel: "黄色",
			Parties: party(ImportParty{NewParty: NewParty{Name: "陈大文", Role: "申请人", Kind: "自然人", IDType: "回乡证", IDNumber: "H12345678"}, Gender: "男"})}
	}
	for _, c := range []struct {
		name   string
		edit   func(r *ImportRow)
		fields []string // the columns in error, in order; none: valid
		check  func(t *testing.T, c Case)
	}{
		{name: "Chinese names", check: func(t *testing.T, c Case) {
			p := c.Parties[0]
			if c.DisputeType != "neighbour" || c.Source != SourceWalkIn || c.Status != StatusSucceeded || c.Performance != "performed" ||
				c.Risk.Level != RiskYellow || p.Role != RoleApplicant || p.Kind != KindPerson || p.IDType != pii.DocHKMacaoPermit || p.Gender != "male" {
				t.Errorf("case %+v party %+v", c, p)
			}
		}},
		{name: "codes still", edit: func(r *ImportRow) {
			r.DisputeType, r.Source, r.Status, r.Performance, r.RiskLevel = "neighbour", "walk_in", "succeeded", "performed", "yellow"
			r.Parties[0].Role, r.Parties[0].Kind, r.Parties[0].IDType, r.Parties[0].Gender = "applicant", "person", "hk_macao_permit", "male"
		}},
		{name: "the tenant's own type by name", edit: func(r *ImportRow) { r.DisputeType = "农村土地" }, check: func(t *testing.T, c Case) {
			if c.DisputeType != "rural_land" {
				t.Errorf("type %q", c.DisputeType)
			}
		}},
		{name: "failed and guided to litigation, in Chinese", edit: func(r *ImportRow) {
			r.Status, r.OutcomeChannel, r.Performance = "调解不成", "诉讼", ""
		}, check: func(t *testing.T, c Case) {
			if c.Status != StatusFailed || c.Outcome["channel"] != "litigation" {
				t.Errorf("status %s outcome %v", c.Status, c.Outcome)
			}
		}},
		{name: "a resident ID by default", edit: func(r *ImportRow) {
			r.Parties[0].IDType, r.Parties[0].IDNumber, r.Parties[0].Gender = "", "11010519491231002X", "女"
		},
			check: func(t *testing.T, c Case) {
				if c.Parties[0].IDType != pii.DocResidentID || c.Parties[0].BirthYear != 1949 {
					t.Errorf("party %+v", c.Parties[0])
				}
			}},
		{name: "unknown type", edit: func(r *ImportRow) { r.DisputeType = "吵架" }, fields: []string{"dispute_type"}},
		{name: "unknown source", edit: func(r *ImportRow) { r.Source = "飞鸽传书" }, fields: []string{"source"}},
		{name: "unknown status", edit: func(r *ImportRow) { r.Status = "搁置" }, fields: []string{"status"}},
		{name: "unknown channel", edit: func(r *ImportRow) { r.Status, r.OutcomeChannel, r.Performance = "调解不成", "私了", "" }, fields: []string{"outcome_channel"}},
		{name: "unknown performance", edit: func(r *ImportRow) { r.Performance = "也许" }, fields: []string{"performance"}},
		{name: "unknown level", edit: func(r *ImportRow) { r.RiskLevel = "紫色" }, fields: []string{"risk_level"}},
		{name: "unknown role", edit: func(r *ImportRow) { r.Parties[0].Role = "法官" }, fields: []string{"applicant_role"}},
		{name: "unknown kind", edit: func(r *ImportRow) { r.Parties[0].Kind = "动物" }, fields: []string{"applicant_kind"}},
		{name: "unknown gender", edit: func(r *ImportRow) { r.Parties[0].Gender = "未知" }, fields: []string{"applicant_gender"}},
		{name: "unknown document", edit: func(r *ImportRow) { r.Parties[0].IDType = "驾驶证" }, fields: []string{"applicant_id_type"}},
		{name: "a permit number that is no permit's", edit: func(r *ImportRow) { r.Parties[0].IDNumber = "11010519491231002X" }, fields: []string{"applicant_id_number"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			row := base()
			if c.edit != nil {
				c.edit(&row)
			}
			got, errs := newTestImporter().check(context.Background(), row)
			var fields []string
			for _, e := range errs {
				fields = append(fields, e.Field)
				if e.Line != 2 || !strings.Contains(e.Message, " / ") {
					t.Errorf("error %+v", e)
				}
			}
			if strings.Join(fields, ",") != strings.Join(c.fields, ",") {
				t.Fatalf("errors %+v, want fields %v", errs, c.fields)
			}
			if len(c.fields) > 0 && !strings.Contains(errs[0].Message, "可填") && !strings.Contains(errs[0].Message, "应为") {
				t.Errorf("the error does not list the accepted values: %s", errs[0].Message)
			}
			if c.check != nil {
				c.check(t, got)
			}
		})
	}
}
