package library

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/pii"
)

// Placeholders put where identifying data was removed.
const (
	PlaceholderID      = "[身份证号]"
	PlaceholderPhone   = "[电话]"
	PlaceholderCard    = "[银行卡号]"
	PlaceholderNumber  = "[号码]"
	PlaceholderPlate   = "[车牌]"
	PlaceholderCaseNo  = "[案号]"
	PlaceholderAddress = "[地址]"
	// PlaceholderPerson replaces a mention that may be any of several parties (a surname two
	// of them share).
	PlaceholderPerson = "某当事人"
)

var labels = []string{"甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"}

// Label is the pseudonym of the i-th party (0-based) in role order: 甲, 乙, 丙 … 癸, then
// 当事人11, 当事人12 ….
func Label(i int) string {
	if i < len(labels) {
		return labels[i]
	}
	return "当事人" + itoa(i+1)
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// Pseudonyms orders parties by role — applicants, then respondents, then third parties, each
// in their order in the case — and gives each its label: with one applicant and one
// respondent, the applicant is 甲 and the respondent 乙.
func Pseudonyms(parties []cases.Party) []Pseudonym {
	rank := map[cases.PartyRole]int{cases.RoleApplicant: 0, cases.RoleRespondent: 1, cases.RoleThird: 2}
	ordered := slices.Clone(parties)
	slices.SortStableFunc(ordered, func(a, b cases.Party) int {
		ra, ok := rank[a.Role]
		if !ok {
			ra = 3
		}
		rb, ok := rank[b.Role]
		if !ok {
			rb = 3
		}
		return ra - rb
	})
	out := make([]Pseudonym, len(ordered))
	for i, p := range ordered {
		out[i] = Pseudonym{Party: p, Label: Label(i)}
	}
	return out
}

// Pseudonym is a party and the label that replaces it.
type Pseudonym struct {
	Party cases.Party
	Label string
}

var (
	// (2026)沪0107调字第00001号, （2025）沪0107民初1234号, 〔2024〕…号
	caseNumberRE = regexp.MustCompile(`[(（〔\[]\s*\d{4}\s*[)）〕\]][\p{Han}A-Za-z0-9]{1,24}?第?\d+号`)
	// 沪A12345, 沪A·12345, 粤B D12345 (new energy), 京A1234学
	plateRE = regexp.MustCompile(`[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-HJ-NP-Za-hj-np-z][·•.\s]?[A-HJ-NP-Za-hj-np-z0-9]{4,6}[挂学警港澳领]?`)
	// identifying numbers as people write them — grouped (139-0013-9000, 6222 0212 3456 7890,
	// 310107 19800101 123X, 021-52564588, +86 …) — or any plain run of digits (maybe ending in X)
	numberRE = regexp.MustCompile(`(?:\+?86[ -]?)?1\d{2}[ -]\d{4}[ -]\d{4}|\d{4}(?:[ -]\d{4}){3,4}(?:[ -]?\d{1,3})?|\d{6}[ -]\d{8}[ -]\d{3}[\dXx]|0\d{2,3}-\d{7,8}|\+?\d+[Xx]?`)
	dateRE   = regexp.MustCompile(`^\d{4}-\d{1,2}(?:-\d{1,2})?$`)
	// the door-plate part of an address: 长寿路100弄3号501室, 幸福小区3号楼2单元501室, 12栋3单元
	doorRE = regexp.MustCompile(`(?:(?:路|街|大道|巷|弄|胡同|里|道|村|小区|公寓|花园|大厦|苑|园)\s*)?\d+\s*(?:号楼|号院|号|弄|栋|幢|座|单元|楼|室|层|组)(?:\s*[\d\-]+\s*(?:号楼|号|弄|栋|幢|座|单元|楼|室|层))*`)
)

// addressStop are characters that end the place name before a door plate when reading
// backwards: words around an address, punctuation.
const addressStop = "在住于到至从的，,、。；;：:（）()与和及是位址向往离近对其该"

// Anonymise returns text with the parties replaced by their labels (甲, 乙 …) and identifying
// data removed: case numbers, ID numbers, phone numbers, bank cards and other long numbers,
// licence plates, the parties' addresses and door-plate addresses. Every mention of a party's
// name is replaced, also inside a longer word (privacy first: "张三丰" with a party 张三
// becomes "甲丰"); a party's surname followed by a title (张先生, 张某) or after 老/小 (老张) and
// the given name of a three-character name are replaced as well. It is a pure function.
func Anonymise(text string, parties []cases.Party) string {
	text = caseNumberRE.ReplaceAllString(text, PlaceholderCaseNo)
	for _, p := range parties {
		for _, a := range addressForms(p.Address) {
			text = strings.ReplaceAll(text, a, PlaceholderAddress)
		}
	}
	text = numberRE.ReplaceAllStringFunc(text, classifyNumber)
	text = plateRE.ReplaceAllString(text, PlaceholderPlate)
	text = removeDoorPlates(text)
	return replaceNames(text, Pseudonyms(parties))
}

// addressForms are the ways an address may be written in a text: as given, normalised, and
// without its province/city/district prefix (longest first).
func addressForms(a string) []string {
	var out []string
	for _, f := range []string{a, pii.NormalizeAddress(a)} {
		f = strings.TrimSpace(f)
		if utf8.RuneCountInString(f) < 4 {
			continue
		}
		out = append(out, f)
		rest := f
		for _, level := range []string{"省", "自治区", "市", "自治州", "盟", "区", "县", "旗"} {
			if _, after, ok := strings.Cut(rest, level); ok && utf8.RuneCountInString(after) >= 4 {
				rest = after
				out = append(out, rest)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(out)
}

// classifyNumber replaces a run of digits that identifies someone or something; amounts,
// years and dates stay.
func classifyNumber(run string) string {
	if dateRE.MatchString(run) {
		return run
	}
	digits := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '+' {
			return -1
		}
		return r
	}, run)
	endsX := strings.HasSuffix(digits, "X") || strings.HasSuffix(digits, "x")
	if strings.HasPrefix(run, "+") && strings.HasPrefix(digits, "86") && len(digits) == 13 {
		digits = digits[2:]
	}
	n := len(digits)
	switch {
	case endsX && (n == 18 || n == 15):
		return PlaceholderID
	case endsX:
		return run // not a number we know; the X is prose ("3X")
	case n == 18 && plausibleBirth(digits[6:14]):
		return PlaceholderID
	case n == 11 && digits[0] == '1':
		return PlaceholderPhone
	case n == 13 && strings.HasPrefix(digits, "861"):
		return PlaceholderPhone
	case n >= 10 && n <= 12 && digits[0] == '0':
		return PlaceholderPhone
	case n == 15:
		return PlaceholderID
	case n >= 16 && n <= 19:
		return PlaceholderCard
	case n >= 7:
		return PlaceholderNumber
	}
	return run
}

func plausibleBirth(d string) bool {
	y, m, day := d[:4], d[4:6], d[6:8]
	return (strings.HasPrefix(y, "19") || strings.HasPrefix(y, "20")) && m >= "01" && m <= "12" && day >= "01" && day <= "31"
}

// removeDoorPlates replaces door-plate addresses, with the place name written before them
// (up to 12 characters back, stopping at words that are no part of an address).
func removeDoorPlates(text string) string {
	locs := doorRE.FindAllStringIndex(text, -1)
	if len(locs) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		start, end := l[0], l[1]
		m := text[start:end]
		// a bare "3号" or "5楼" is no address (a date, an order): need a road word or two parts
		if !strings.ContainsAny(m, roadChars) && countUnits(m) < 2 {
			continue
		}
		if start < last {
			continue
		}
		// read the place name backwards
		back := start
		for i := 0; i < 12 && back > last; i++ {
			r, size := utf8.DecodeLastRuneInString(text[last:back])
			if !unicode.Is(unicode.Han, r) || strings.ContainsRune(addressStop, r) {
				break
			}
			back -= size
		}
		b.WriteString(text[last:back])
		b.WriteString(PlaceholderAddress)
		last = end
	}
	b.WriteString(text[last:])
	return b.String()
}

// roadChars mark a door plate as part of an address (路, 小区 …), not a date or a floor.
const roadChars = "路街道巷弄胡同里村区寓园厦苑"

var unitRE = regexp.MustCompile(`\d+\s*(?:号楼|号院|号|弄|栋|幢|座|单元|楼|室|层|组)`)

func countUnits(s string) int { return len(unitRE.FindAllString(s, -1)) }

var compoundSurnames = []string{"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文",
	"司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "澹台", "申屠", "太史", "百里", "呼延", "万俟", "钟离"}

// surnameOf splits a Chinese personal name of 2–4 characters into surname and given name.
func surnameOf(name string) (surname, given string, ok bool) {
	r := []rune(name)
	if len(r) < 2 || len(r) > 4 {
		return "", "", false
	}
	for _, x := range r {
		if !unicode.Is(unicode.Han, x) {
			return "", "", false
		}
	}
	for _, c := range compoundSurnames {
		if strings.HasPrefix(name, c) && len(r) > 2 {
			return c, string(r[2:]), true
		}
	}
	return string(r[:1]), string(r[1:]), true
}

var (
	titlesAfter = []string{"先生", "女士", "小姐", "师傅", "阿姨", "大爷", "大妈", "大娘", "大哥", "大姐", "老师", "老板", "经理", "总"}
	// 张某, 张某某, 张姓 stand for the person: replaced by the label alone
	titlesDropped = []string{"某某", "某", "姓"}
	titlesBefore  = []string{"老", "小"}
)

// replaceNames replaces each party's name — longest names first, so that one name inside
// another is not half-replaced — and then the shorter mentions of persons.
func replaceNames(text string, ps []Pseudonym) string {
	type rep struct{ from, to string }
	var reps []rep
	surnames := map[string][]string{} // surname → labels of the persons having it
	for _, p := range ps {
		name := strings.TrimSpace(p.Party.Name)
		if name == "" {
			continue
		}
		reps = append(reps, rep{name, p.Label})
		if p.Party.Kind == cases.KindOrganisation {
			continue
		}
		if s, given, ok := surnameOf(name); ok {
			surnames[s] = append(surnames[s], p.Label)
			if utf8.RuneCountInString(given) >= 2 {
				reps = append(reps, rep{given, p.Label})
			}
		}
	}
	for s, ls := range surnames {
		to := ls[0]
		if len(slices.Compact(slices.Clone(ls))) > 1 {
			to = PlaceholderPerson
		}
		for _, t := range titlesAfter {
			reps = append(reps, rep{s + t, to + t})
		}
		for _, t := range titlesDropped {
			reps = append(reps, rep{s + t, to})
		}
		for _, t := range titlesBefore {
			reps = append(reps, rep{t + s, to})
		}
	}
	// longest first; a replacement never reintroduces a name (labels are not names)
	slices.SortStableFunc(reps, func(a, b rep) int { return len(b.from) - len(a.from) })
	args := make([]string, 0, 2*len(reps))
	for _, r := range reps {
		args = append(args, r.from, r.to)
	}
	return strings.NewReplacer(args...).Replace(text)
}
