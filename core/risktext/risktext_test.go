package risktext

import (
	"slices"
	"strings"
	"testing"
)

// TestRead: the phrasings of the four risks, their negations, quotes and hearsay. Each row is
// the risks that count (in order of the lexicon, "" none) and those negated.
func TestRead(t *testing.T) {
	rows := []struct {
		name    string
		text    string
		risks   []Risk
		negated []Risk
		words   string // a word the first finding names, "" any
	}{
		{"negated fight and threat (the issue's example)", "双方并未动手，也没有威胁对方。", nil, []Risk{Violence, Threat}, ""},
		{"not beaten", "经核实，对方没有打人。", nil, []Risk{Violence}, ""},
		{"will not petition", "申请人表示不会上访，愿意通过调解解决。", nil, []Risk{PetitionThreat}, ""},
		{"denies the beating", "对方否认曾殴打申请人。", nil, []Risk{Violence}, ""},
		{"neither … nor", "双方既没有推搡也没有辱骂，只是争吵。", nil, []Risk{Violence}, ""},
		{"no physical conflict at all", "现场未发生任何肢体冲突。", nil, []Risk{Violence}, ""},
		{"threat to go to Beijing", "王某扬言要去北京上访。", []Risk{SkipLevelPetition}, nil, "北京"},
		{"to the city", "协商未果，扬言到市里上访。", []Risk{SkipLevelPetition}, nil, "市里"},
		{"进京", "张某称不解决就进京。", []Risk{SkipLevelPetition}, nil, "进京"},
		{"skip-level, named", "有越级上访苗头。", []Risk{SkipLevelPetition}, nil, "越级上访"},
		{"plain petition threat", "李某扬言要上访。", []Risk{PetitionThreat}, nil, "上访"},
		{"he says he will", "他说要去省里告状。", []Risk{SkipLevelPetition}, nil, "说"},
		{"not paying, then die together", "张三称李四不赔偿就同归于尽，还说不想活了。", []Risk{Threat, SelfHarm}, nil, "同归于尽"},
		{"revenge", "对方扬言报复。", []Risk{Threat}, nil, "报复"},
		{"kill", "男方扬言要杀了女方全家。", []Risk{Threat}, nil, "杀了"},
		{"knife", "双方发生冲突，一方持刀。", []Risk{Violence}, nil, "持刀"},
		{"pushing, continuous", "他不断推搡对方。", []Risk{Violence}, nil, "推搡"},
		{"discontent is no negation", "对补偿不满，扬言去北京上访。", []Risk{SkipLevelPetition}, nil, "北京"},
		{"cannot rule out", "不排除采取极端行为。", []Risk{Threat}, nil, "极端行为"},
		{"hearsay", "听说对方要找人收拾他。", []Risk{Threat}, nil, "听说"},
		{"thirty gather", "三十多名业主聚集在售楼处堵门。", []Risk{MassIncident, MassIncident}, nil, "聚集"},
		{"arabic numbers", "村民30多人围堵村委会。", []Risk{MassIncident}, nil, "围堵"},
		{"a dozen, no action", "十余名农民工称被拖欠工资。", []Risk{WageArrears, ManyPeople}, nil, ""},
		{"surgery is not a fight", "医生建议动手术，家属同意。", nil, nil, ""},
		{"a phone call is not a beating", "下午打了电话给他。", nil, nil, ""},
		// A past visit to the petition office still reads as a petition (a repeat petitioner is a
		// risk): yellow, not more.
		{"petition office visit in the past", "曾到区信访办反映，现已息访。", []Risk{PetitionThreat}, nil, "信访办"},
		{"conditional is no negation", "当事人称调解不成就去信访。", []Risk{PetitionThreat}, nil, "信访"},
		{"never will", "被申请人表示自己绝不会去北京上访。", nil, []Risk{SkipLevelPetition}, ""},
		{"denies having threatened", "申请人否认曾扬言报复。", nil, []Risk{Threat}, ""},
		{"a dog bite is no fight", "邻居家的狗咬伤其孩子。", nil, nil, ""},
		{"euphemism of suicide", "老人担心儿子想不开。", []Risk{SelfHarm}, nil, "想不开"},
		{"will not do anything foolish", "申请人称自己不会做傻事。", nil, []Risk{SelfHarm}, ""},
		{"a petition office visit", "申请人曾到北京路的信访办咨询。", []Risk{PetitionThreat}, nil, "信访办"},
		{"to the city's petition office", "准备去市信访办上访。", []Risk{SkipLevelPetition}, nil, "信访办"},
		{"to the market is no petition", "准备去市场买菜时与摊主发生口角。", nil, nil, ""},
		{"a street named Beijing", "位于北京路的商铺租金纠纷。", nil, nil, ""},
		{"a phrase ending inside a word", "男方称要放火烧了女方娘家。", []Risk{Threat}, nil, "放火"},
		{"break a leg", "对方扬言要找人打断申请人的腿。", []Risk{Threat}, nil, "腿"},
		{"collective trip to Beijing", "十余名村民扬言要集体进京上访。", []Risk{MassIncident, SkipLevelPetition}, nil, "集体"},
		{"self-harm", "老人称活不下去了，要喝农药。", []Risk{SelfHarm, SelfHarm}, nil, ""},
		{"prevented", "为避免矛盾激化发生冲突，社区介入。", nil, nil, ""},
		{"not going to Beijing", "他表示不会去北京上访。", nil, []Risk{SkipLevelPetition}, ""},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			got := Read(r.text)
			risks := func(fs []Finding) []Risk {
				var out []Risk
				for _, f := range fs {
					out = append(out, f.Risk)
					if len(f.Words) == 0 || f.Clause == "" {
						t.Errorf("finding without words or clause: %+v", f)
					}
				}
				return out
			}
			if g := risks(got.Findings); !slices.Equal(g, r.risks) {
				t.Errorf("findings %v, want %v: %+v", g, r.risks, got.Findings)
			}
			if g := risks(got.Negated); !slices.Equal(g, r.negated) {
				t.Errorf("negated %v, want %v: %+v", g, r.negated, got.Negated)
			}
			if r.words != "" && (len(got.Findings) == 0 || !strings.Contains(strings.Join(got.Findings[0].Words, " "), r.words)) {
				t.Errorf("words: %+v, want %q", got.Findings, r.words)
			}
		})
	}
}

func TestPeople(t *testing.T) {
	for _, r := range []struct {
		text string
		want int
	}{
		{"三十多名业主聚集", 30}, {"村民30多人围堵", 30}, {"十几户村民", 10}, {"二十余名农民工", 20}, {"一百二十名工人", 120},
		{"上百名群众", 100}, {"众多村民", 10}, {"两人发生争执", 2}, {"3号楼漏水", 0}, {"欠款2万元", 0}, {"拖欠3个月工资", 0},
		{"两家公司", 0}, {"十余人", 10}, {"５０名员工", 50}, {"2026年3月", 0},
	} {
		if got := People(r.text); got != r.want {
			t.Errorf("People(%q) = %d, want %d", r.text, got, r.want)
		}
	}
}

// FuzzRead: any text reads without panicking, and every finding names words found in the text.
func FuzzRead(f *testing.F) {
	for _, s := range []string{"", "。。。", "不", "扬言", "不不不不不扬言", "kill 打人 abc", "😀扬言要去北京上访😀", "３０名村民聚集", "就", "不排除", "99999999999999999999名工人聚集",
		"双方并未动手，也没有威胁对方。", "\n\n扬言\r\n上访"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r := Read(text)
		for _, fs := range [][]Finding{r.Findings, r.Negated} {
			for _, x := range fs {
				if len(x.Words) == 0 {
					t.Fatalf("%q: a finding without words: %+v", text, x)
				}
			}
		}
	})
}
