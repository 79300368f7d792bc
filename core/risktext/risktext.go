// Package risktext reads a dispute's title and description for the risks of early warning
// (矛盾纠纷排查预警): a petition skipping levels (越级上访、进京访), a public-order case (治安案件),
// a criminal case in the making (民转刑), a mass incident (群体性事件), self-harm, and the
// background of wage arrears and demolition. It reads clause by clause, in the words cut by the
// product's segmentation (core/search, gse's dictionary loaded once): a risk word under a
// negation in its clause ("双方并未动手"、"不会上访"、"否认殴打") does not count; a threat quoted
// or reported ("扬言要去北京上访"、"他说要…"、"听说…") counts, marked as such; numbers of people are
// read from Chinese and Arabic numerals ("三十多名"、"30余人"、"十几户"). Every finding names the
// words that fired it and the clause it was read in, so that staff and police can check it.
//
// The package holds the lexicon and the reading; the weights and the levels are the early-warning
// rules of core/cases.
package risktext

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/search"
)

// Risk is a kind of finding; its value is the code of the signal it becomes.
type Risk string

const (
	SkipLevelPetition Risk = "skip_level_petition" // 越级上访、进京访
	PetitionThreat    Risk = "petition_threat"     // 上访、闹访 (not skipping levels)
	Violence          Risk = "violence"            // 治安案件: fights, beatings, smashing, weapons
	Threat            Risk = "threat"              // 民转刑: threats to kill, maim, burn, revenge
	MassIncident      Risk = "group_petition"      // 群体性事件: gathering, blocking roads, collective petitions
	SelfHarm          Risk = "self_harm"           // 自伤自杀倾向
	WageArrears       Risk = "wage_arrears"        // 拖欠工资
	Demolition        Risk = "demolition"          // 征地拆迁
	ManyPeople        Risk = "many_people"         // many people involved, without a group action
)

// Severity grades a finding within its risk.
type Severity int

const (
	Background Severity = 1 // a context that raises the stakes (wage arrears, many people)
	Minor      Severity = 2 // a petition threat, a verbal threat
	Serious    Severity = 3 // must be reported at once: the four risks and self-harm
	Grave      Severity = 4 // weapons, threats to kill or burn, a mass incident of 30 people or more
)

// Finding is one risk read in the text.
type Finding struct {
	Risk     Risk
	Severity Severity
	Words    []string // the words that fired it, as written (with the threat verb or hearsay marker)
	Clause   string   // the clause it was read in
	People   int      // the number of people read in its sentence (mass incidents, many people); 0 none
	Reported bool     // a threat quoted or reported (扬言、声称、他说要…)
	Hearsay  bool     // second-hand (听说、据说、传言)
	Negated  bool     // under a negation: does not count (Words include the negation)

	start int // in its clause, to list findings in text order
}

// Reading is what the text holds: the findings that count, and those negated (shown, not counted).
type Reading struct {
	Findings []Finding
	Negated  []Finding
}

// pattern is a risk phrase: parts in order within one clause, each a set of alternatives, with
// at most gap runes between consecutive parts.
type pattern struct {
	risk     Risk
	severity Severity
	parts    []part
	gap      int
}

// part is a set of alternatives indexed by their first rune, the longest first (it runs on every
// intake: no string is built while matching).
type part map[rune][][]rune

// p builds a pattern from "a|b … c|d" (parts separated by " … ").
func p(risk Risk, sev Severity, gap int, spec string) pattern {
	var parts []part
	for _, alts := range strings.Split(spec, " … ") {
		pt := part{}
		for _, a := range strings.Split(alts, "|") {
			r := []rune(a)
			pt[r[0]] = append(pt[r[0]], r)
		}
		for _, list := range pt {
			slices.SortStableFunc(list, func(a, b []rune) int { return len(b) - len(a) })
		}
		parts = append(parts, pt)
	}
	return pattern{risk: risk, severity: sev, parts: parts, gap: gap}
}

// The lexicon: the phrasings of intake notes, written from practice (mediators' and grid
// workers' notes, the four risks of the Putuo plan), not fitted to the evaluation set.
var patterns = []pattern{
	// 越级上访、进京访: going to Beijing, the province or the city to petition.
	p(SkipLevelPetition, Serious, 0, "越级上访|越级信访|越级访|进京访|进京上访|进京告状|赴京上访|赴京|进京|上京告状|上京|京访|非访|进京非访"),
	p(SkipLevelPetition, Serious, 4, "去|到|赴|跑到|跑去|上|找 … 北京|京城|首都|中南海|天安门|国家信访局|市|省|省里|省城|省委|省政府|省信访|市里|市委|市政府|市信访|中央|国务院 … 上访|信访|信访办|信访局|告状|反映|讨说法|讨个说法|告|闹|访|静坐|喊冤"),
	p(SkipLevelPetition, Serious, 2, "北京|省里|市里|省城 … 上访|告状|信访"),
	p(SkipLevelPetition, Serious, 3, "去市|到市|赴市|去省|到省|赴省 … 信访办|信访局|政府|上访|告状|反映|讨说法"), // gse: 去市/信访办
	p(SkipLevelPetition, Serious, 2, "去|到|赴|跑到|跑去|找 … 市信访办|市信访局|省信访办|省信访局|国家信访局|市委|省委|市政府|省政府"),
	// 上访 that does not (yet) skip levels.
	p(PetitionThreat, Minor, 0, "上访|闹访|缠访|信访|信访办|信访局|信访部门|告状|讨说法|讨个说法"),
	// 治安案件: violence done.
	p(Violence, Serious, 0, "打架|斗殴|打架斗殴|聚众斗殴|殴打|互殴|群殴|推搡|推倒|推人|厮打|扭打|拳打脚踢|大打出手|动手|打人|打伤|打破|打成|被打|挨打|打了一顿|打了一拳|打了几拳|一巴掌|耳光|掐脖子|掐住|踹伤|踢伤|砸坏|砸毁|砸烂|砸了|砸门|砸窗|砸车|打砸|肢体冲突|撕扯|拉扯|泼粪|泼油漆|寻衅滋事|闹事|打起来|动起手"),
	p(Violence, Grave, 0, "持刀|持械|拿刀|菜刀|刀具|持棍|铁棍|铁锹|木棍|棍棒|凶器|管制刀具|砍刀|匕首"),
	// 民转刑: threats of grave harm, revenge, desperate acts.
	p(Threat, Grave, 0, "杀了|杀人|杀死|杀掉|杀他|杀她|杀你|杀全家|灭门|砍死|砍人|砍了|捅死|捅人|捅了|捅刀子|弄死|整死|搞死|打死|同归于尽|放火|纵火|烧了他|烧了他家|烧房子|一把火|一把火烧了|火烧了|垫背|家破人亡|炸药|炸了|炸死|炸掉|泼汽油|浇汽油|硫酸|毒死|投毒|血债血还|拼了|拼命|豁出去|鱼死网破"),
	p(Threat, Serious, 0, "报复|报仇|收拾他|收拾她|收拾你|找人收拾|找人教训|教训他|教训她|找人打|让他好看|要他的命|要他命|不会放过|不放过|极端行为|极端手段|过激行为|过激举动|以死相逼|找他算账|讨个公道"),
	p(Threat, Serious, 2, "让|叫 … 好看|后悔|付出代价|吃不了兜着走"),
	p(Threat, Serious, 4, "打断|打折|废了|卸了 … 腿|手|胳膊"),
	p(Threat, Minor, 0, "威胁|恐吓|走着瞧|扬言"),
	// 群体性事件: group actions.
	p(MassIncident, Serious, 0, "集体上访|联名上访|集体讨薪|集体维权|聚集|围堵|堵路|堵门|堵塞|堵住|拦路|拦车|静坐|拉横幅|打横幅|挂横幅|举牌|冲击|围攻|围住|游行|示威|串联|抱团|集体去|集体到|一起去|组织人|阻拦施工|阻挠施工|阻止施工|阻工"),
	p(MassIncident, Serious, 3, "集体|联合|组织|召集|纠集 … 上访|进京|赴京|讨薪|维权"),
	// 自伤自杀.
	p(SelfHarm, Serious, 0, "自杀|轻生|想不开|做傻事|跳楼|跳河|跳江|跳桥|喝农药|喝药|服毒|割腕|上吊|寻死|寻短见|不想活|活不下去|死给|一死了之|自焚|撞死在|死在"),
	// Background.
	p(WageArrears, Background, 0, "欠薪|拖欠工资|讨薪|农民工工资|工资未发|讨要工资|拖欠工人|工资款|劳务费"),
	p(WageArrears, Background, 3, "拖欠|欠|克扣|未发|没发 … 工资|工钱|薪水|劳务费"),
	p(Demolition, Background, 0, "拆迁|征地|强拆|补偿款|动迁|动迁户|拆迁户|被拆迁|被征收|征收|安置房"),
}

// Quote and hearsay markers. A threat verb before a risk word makes it reported; a hearsay
// marker in its sentence makes it second-hand.
var (
	reportVerbs    = []string{"扬言", "声称", "放话", "叫嚣", "威胁", "恐吓", "扬称", "宣称", "称要", "说要", "表示要", "称", "说", "表示", "嚷", "喊"}
	hearsayMarkers = []string{"听说", "据说", "据称", "传言", "传闻", "有人说", "网传", "风传", "据反映", "据群众反映", "据邻居反映", "据悉", "据了解"}
)

// negators are the words that negate what follows in their clause (as whole tokens: "不满"、"未果"
// and "不断" are other words). The prevention words put what follows out of the facts too.
var negators = map[string]bool{
	"不": true, "没": true, "没有": true, "未": true, "并未": true, "并没有": true, "并不": true, "并没": true, "从未": true, "从没": true,
	"从来没有": true, "从不": true, "绝不": true, "绝不会": true, "决不": true, "绝对不会": true, "不可能": true, "未曾": true, "不曾": true, "无": true, "毫无": true, "否认": true, "不会": true, "不再": true, "不要": true,
	"不想": true, "不愿": true, "不打算": true, "不准备": true, "没再": true, "未再": true, "未见": true, "没见": true, "也没": true, "也没有": true,
	"都没有": true, "均未": true, "皆未": true, "尚未": true, "放弃": true, "打消": true, "避免": true, "防止": true, "以免": true, "谨防": true,
	"杜绝": true, "预防": true, "不存在": true, "排除": true, "并非": true, "不是": true, "别": true, "无意": true, "没想": true, "不至于": true,
}

// notNegation: a negator followed by these is no negation ("不排除"、"不得不"、"不满"、"不服").
var notNegation = []string{"排除", "得不", "满", "服", "断", "停", "少", "管", "论", "顾", "惜", "怕", "依不饶", "甘", "然", "行"}

// scopeBreakers end the scope of a negation: "不赔偿就同归于尽" negates the payment, not the threat.
var scopeBreakers = map[string]bool{
	"就": true, "便": true, "否则": true, "则": true, "才": true, "而是": true, "反而": true, "还": true, "还要": true, "又": true,
	"就要": true, "那就": true, "只好": true, "只能": true, "宁可": true, "不然": true, "要不然": true, "要么": true, "扬言": true, "声称": true,
	"威胁": true, "放话": true, "叫嚣": true, "一旦": true, "如果": true, "若": true, "要是": true, "再": true, "甚至": true, "并且": true,
}

// contrast words start a new clause ("没有打人，但扬言要报复"、"没打人却砸了车").
var contrast = map[string]bool{"但": true, "但是": true, "可是": true, "不过": true, "然而": true, "却": true, "可": true, "反倒": true}

// complements are the runes that may follow a risk phrase inside one word ("放火烧"、"打死人").
const complements = "烧了死伤掉人他她起"

// negationWindow is how many words a negation reaches ("没有发生任何肢体冲突" is four).
const negationWindow = 6

// token is a word of a clause with its rune offsets in the clause.
type token struct {
	text       string
	start, end int
}

// clause is a run of words between punctuation or contrast words.
type clause struct {
	text   string
	runes  []rune
	tokens []token
}

// Read reads texts (a title, a description) for risks.
func Read(texts ...string) Reading {
	var r Reading
	for _, text := range texts {
		for _, sentence := range sentences(text) {
			readSentence(sentence, &r)
		}
	}
	return r
}

// sentences splits at sentence ends and line breaks.
func sentences(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return r == '。' || r == '！' || r == '？' || r == '!' || r == '?' || r == '\n' || r == '\r' || r == '…'
	})
}

func isPunct(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0
}

// mentions reports whether any pattern occurs in the sentence at all: most sentences of an
// intake hold no risk word, and need no segmentation.
func mentions(sentence string) bool {
	text := []rune(sentence)
	for i := range patterns {
		if _, _, _, ok := match(text, patterns[i], 0, nil); ok {
			return true
		}
	}
	return false
}

func readSentence(sentence string, r *Reading) {
	var tokens []string
	if mentions(sentence) {
		tokens = search.Segment(sentence)
	}
	var clauses []clause
	var cur clause
	flush := func() {
		if len(cur.tokens) > 0 {
			cur.runes = []rune(cur.text)
			clauses = append(clauses, cur)
		}
		cur = clause{}
	}
	for _, t := range tokens {
		if isPunct(t) {
			flush()
			continue
		}
		if contrast[t] {
			flush()
		}
		n := utf8.RuneCountInString(cur.text)
		cur.tokens = append(cur.tokens, token{text: t, start: n, end: n + utf8.RuneCountInString(t)})
		cur.text += t
	}
	flush()
	hearsay := ""
	for _, m := range hearsayMarkers {
		if strings.Contains(sentence, m) {
			hearsay = m
			break
		}
	}
	people := People(sentence)
	var found []Finding
	for _, c := range clauses {
		found = append(found, readClause(c)...)
	}
	for _, f := range found {
		if f.Negated {
			r.Negated = append(r.Negated, f)
			continue
		}
		if hearsay != "" {
			f.Hearsay = true
			f.Words = append([]string{hearsay}, f.Words...)
		}
		if f.Risk == MassIncident {
			f.People = people
			if people >= 30 {
				f.Severity = Grave
			}
		}
		r.Findings = append(r.Findings, f)
	}
	if people >= 10 && !slices.ContainsFunc(found, func(f Finding) bool { return f.Risk == MassIncident && !f.Negated }) {
		r.Findings = append(r.Findings, Finding{Risk: ManyPeople, Severity: Background, People: people, Clause: sentence, Words: []string{peopleWords(sentence)}})
	}
}

// readClause finds the patterns of one clause, the longest first: a rune taken by a longer
// phrase is not read again (so "集体上访" is a mass incident, not also a plain 上访).
func readClause(c clause) []Finding {
	starts, ends := map[int]bool{}, map[int]bool{}
	for _, t := range c.tokens {
		starts[t.start], ends[t.end] = true, true
	}
	type candidate struct {
		pt    *pattern
		words []string
		s, e  int
	}
	// A part of a phrase stands on word boundaries, so that 动手术 is no 动手 and 北京路 no 北京;
	// but a one-rune verb may end a word ("要到北京"、"会去北京": 要到, 会去), and a part may end
	// inside a word by one rune of a verb's complement ("放火烧了": 放火烧).
	bounded := func(s, e int) bool {
		return (starts[s] || e == s+1 && ends[e]) &&
			(ends[e] || e < len(c.runes) && ends[e+1] && strings.ContainsRune(complements, c.runes[e]))
	}
	var cands []candidate
	for i := range patterns {
		pt := &patterns[i]
		for from := 0; from < len(c.runes); {
			words, s, e, ok := match(c.runes, *pt, from, bounded)
			if !ok {
				break
			}
			from = s + 1
			cands = append(cands, candidate{pt, words, s, e})
		}
	}
	slices.SortStableFunc(cands, func(a, b candidate) int { return (b.e - b.s) - (a.e - a.s) })
	var taken []candidate
	var out []Finding
	for _, k := range cands {
		// Within a longer phrase already read: the same words again ("集体上访" holds 上访).
		// Phrases that only overlap are both read ("集体进京上访": a mass incident and a
		// skip-level petition).
		if slices.ContainsFunc(taken, func(t candidate) bool {
			return t.s <= k.s && k.e <= t.e || t.pt.risk == k.pt.risk && k.s < t.e && t.s < k.e
		}) {
			continue
		}
		taken = append(taken, k)
		f := Finding{Risk: k.pt.risk, Severity: k.pt.severity, Words: k.words, Clause: c.text, start: k.s}
		if neg, ok := negation(c, k.s); ok {
			f.Negated = true
			f.Words = append([]string{neg}, f.Words...)
		} else if verb, ok := reported(c, k.s); ok {
			f.Reported = true
			f.Words = append([]string{verb}, f.Words...)
		}
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return a.start - b.start })
	// A petition skipping levels is the petition of its clause: no plain 上访 besides.
	if slices.ContainsFunc(out, func(f Finding) bool { return f.Risk == SkipLevelPetition && !f.Negated }) {
		out = slices.DeleteFunc(out, func(f Finding) bool { return f.Risk == PetitionThreat && !f.Negated })
	}
	// A threat verb that introduces another finding ("威胁要去北京上访"、"否认曾扬言报复") is its
	// quote, not a threat of its own.
	last := 0
	for _, f := range out {
		last = max(last, f.start)
	}
	out = slices.DeleteFunc(out, func(f Finding) bool {
		return f.Risk == Threat && f.Severity == Minor && f.start < last && slices.Contains(reportVerbs, f.Words[len(f.Words)-1])
	})
	return out
}

// fits tells whether a part of a phrase may stand at runes [s, e) of a clause (word boundaries);
// nil: anywhere.
type fits func(s, e int) bool

// match finds pattern at or after from: the words matched, and the rune span.
func match(text []rune, pt pattern, from int, ok fits) (words []string, start, end int, found bool) {
	for s := from; s < len(text); s++ {
		if w, e, found := matchAt(text, pt.parts, s, pt.gap, ok); found {
			return w, s, e, true
		}
	}
	return nil, 0, 0, false
}

// matchAt matches the parts with the first at exactly s, each next one within gap runes, every
// part where it fits (the longest alternative that does).
func matchAt(text []rune, parts []part, s, gap int, ok fits) ([]string, int, bool) {
	for _, alt := range parts[0][text[s]] {
		e := s + len(alt)
		if e > len(text) || !slices.Equal(text[s:e], alt) || ok != nil && !ok(s, e) {
			continue
		}
		if len(parts) == 1 {
			return []string{string(alt)}, e, true
		}
		for g := 0; g <= gap && e+g < len(text); g++ {
			if rest, end, found := matchAt(text, parts[1:], e+g, gap, ok); found {
				return append([]string{string(alt)}, rest...), end, true
			}
		}
	}
	return nil, 0, false
}

// negation finds a negator governing the word at rune s: one of the clause's words before it,
// within negationWindow words, with no scope breaker between (a breaker right after the negator
// is what it negates: "并未扬言"); two negations in a row assert ("不排除").
func negation(c clause, s int) (string, bool) {
	at := slices.IndexFunc(c.tokens, func(t token) bool { return t.start <= s && s < t.end })
	if c.tokens[at].start < s && breaks(c.tokens[at].text) {
		return "", false // "不复婚就让她好看": the word that holds the trigger ends the scope
	}
	for i := at - 1; i >= 0 && at-i <= negationWindow; i-- {
		t := c.tokens[i].text
		if negators[t] && !followedBy(c, i, notNegation) {
			if i > 0 && negators[c.tokens[i-1].text] {
				return "", false // a double negation ("不排除") asserts
			}
			return t, true
		}
		if breaks(t) && !governed(c, i) {
			return "", false
		}
	}
	return "", false
}

// breaks reports whether a word ends a negation's scope; "就" also hides in words ("不成就去"、"就让").
func breaks(t string) bool {
	return scopeBreakers[t] || strings.HasPrefix(t, "就") || strings.HasSuffix(t, "就")
}

// governed reports whether the threat verb at i is itself negated: a negator right before it,
// or before an adverb of time ("否认曾扬言"、"没有再威胁").
func governed(c clause, i int) bool {
	if !slices.Contains(reportVerbs, c.tokens[i].text) {
		return false
	}
	for j := i - 1; j >= 0 && j >= i-2; j-- {
		t := c.tokens[j].text
		if negators[t] {
			return true
		}
		if t != "曾" && t != "曾经" && t != "再" && t != "有" && t != "过" && t != "又" {
			return false
		}
	}
	return false
}

func followedBy(c clause, i int, words []string) bool {
	rest := string(c.runes[c.tokens[i].end:])
	return slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(rest, w) })
}

// reported finds a threat verb before the word at rune s in its clause ("扬言要去北京上访").
func reported(c clause, s int) (string, bool) {
	before := string(c.runes[:s])
	for _, v := range reportVerbs {
		if strings.Contains(before, v) {
			return v, true
		}
	}
	return "", false
}
