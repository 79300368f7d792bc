package risktext

import "strings"

// Counting people: "三十多名业主"、"30余人"、"十几户村民"、"二十来个工人"、"上百名群众"、"众多村民".

// classifiers count people ("名"、"人"、"户" …); the words after a number that make it people.
var (
	classifiers = []string{"多名", "余名", "来名", "几名", "名", "多人", "余人", "来人", "几人", "个人", "人", "多位", "余位", "位", "多户", "余户", "户", "多家", "余家", "家", "多个", "余个", "来个", "个"}
	peopleNouns = []string{"村民", "业主", "居民", "工人", "农民工", "群众", "家属", "员工", "职工", "商户", "租户", "学生", "家长", "老人", "人员", "工友", "民工", "住户", "股东", "投资人", "买房人", "购房者", "老乡", "亲属", "亲友"}
	// vague are words of many people without a number, with the number they stand for.
	vague = []struct {
		word string
		n    int
	}{{"上百", 100}, {"近百", 90}, {"数百", 200}, {"几百", 200}, {"上千", 1000}, {"数十", 30}, {"几十", 30}, {"大批", 30}, {"大量", 30},
		{"众多", 10}, {"一群", 10}, {"一伙", 5}, {"成群", 10}, {"许多", 10}, {"很多", 10}, {"多名", 5}}
)

var digits = map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
var units = map[rune]int{'十': 10, '百': 100, '千': 1000}

func isNumeral(r rune) bool {
	_, d := digits[r]
	_, u := units[r]
	return d || u || (r >= '0' && r <= '9') || (r >= '０' && r <= '９')
}

// chineseNumber reads a run of numerals: "三十" 30, "二十五" 25, "十" 10, "一百二十" 120, "30" 30.
func chineseNumber(s []rune) int {
	total, section, cur := 0, 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			cur = cur*10 + int(r-'0')
		case r >= '０' && r <= '９':
			cur = cur*10 + int(r-'０')
		default:
			if d, ok := digits[r]; ok {
				cur = d
			} else if u, ok := units[r]; ok {
				if cur == 0 {
					cur = 1
				}
				section += cur * u
				cur = 0
			}
		}
	}
	total += section + cur
	return total
}

// People reads the largest number of people in a sentence: a number followed by a classifier
// of people ("名"、"人"、"户" …) or a noun of people ("村民"、"业主" …), or a word of many ("上百"、"众多").
// "3号楼"、"2万元" and dates are no people.
func People(sentence string) int {
	n, _ := people(sentence)
	return n
}

func peopleWords(sentence string) string {
	_, w := people(sentence)
	return w
}

func people(sentence string) (int, string) {
	text := []rune(sentence)
	best, words := 0, ""
	for i := 0; i < len(text); i++ {
		if !isNumeral(text[i]) || (i > 0 && isNumeral(text[i-1])) {
			continue
		}
		j := i
		for j < len(text) && isNumeral(text[j]) {
			j++
		}
		n := chineseNumber(text[i:j])
		rest, approx := string(text[j:]), ""
		// "十几名"、"二十余人"、"三十多户": an approximate suffix before the classifier.
		for _, a := range []string{"几", "余", "多", "来"} {
			if after, ok := strings.CutPrefix(rest, a); ok {
				rest, approx = after, a
				break
			}
		}
		if ok, w := isPeople(rest); ok && n > best {
			best, words = n, string(text[i:j])+approx+w
		}
		i = j - 1
	}
	for _, v := range vague {
		if idx := strings.Index(sentence, v.word); idx >= 0 && v.n > best {
			rest := sentence[idx+len(v.word):]
			ok, w := isPeople(strings.TrimPrefix(strings.TrimPrefix(rest, "的"), "名"))
			if ok || v.n >= 30 && strings.HasPrefix(rest, "人") {
				best, words = v.n, v.word+w
			}
		}
	}
	return best, words
}

// isPeople: the text after a number starts with a classifier or a noun of people (a
// classifier "个"/"家" only when a noun of people follows: "3个月"、"两家公司" are not people).
func isPeople(rest string) (bool, string) {
	for _, c := range classifiers {
		if after, ok := strings.CutPrefix(rest, c); ok {
			weak := strings.HasSuffix(c, "个") || strings.HasSuffix(c, "家")
			if !weak {
				return true, c
			}
			for _, n := range peopleNouns {
				if strings.HasPrefix(after, n) {
					return true, c + n
				}
			}
			break // "家长": a noun of people may still start with a classifier
		}
	}
	for _, n := range peopleNouns {
		if strings.HasPrefix(rest, n) {
			return true, n
		}
	}
	return false, ""
}
