package pii

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// chinaTime is Beijing time; China has had no daylight saving since 1991, so a fixed zone is
// exact and needs no time-zone database.
var chinaTime = time.FixedZone("CST", 8*60*60)

// NormalizeIDNumber removes all white space, turns full-width digits and letters into ASCII and
// upper-cases a trailing x: " 11010519491231002x " → "11010519491231002X".
func NormalizeIDNumber(s string) string {
	s = removeSpace(halfWidth(s))
	if strings.HasSuffix(s, "x") {
		s = s[:len(s)-1] + "X"
	}
	return s
}

// idWeights are the GB 11643 weights of the first 17 digits (2^(17-i) mod 11).
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChars maps the weighted sum mod 11 to the check character (ISO 7064 MOD 11-2).
const idCheckChars = "10X98765432"

// IDCheckDigit returns the check character of the first 17 digits of an 18-character ID number.
// It reports false when the input is not 17 digits.
func IDCheckDigit(first17 string) (byte, bool) {
	if len(first17) != 17 || !isDigits(first17) {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11], true
}

// ValidateIDNumber checks a resident ID number (GB 11643) after NormalizeIDNumber: 18
// characters, 17 digits and a check character (0-9 or X) satisfying ISO 7064 MOD 11-2, with a
// birth date YYYYMMDD that is a real calendar date between 1900 and now (Beijing time); or the
// old 15-digit form (all digits, birth date YYMMDD in 19YY, no check digit). The address code is
// not checked (codes change, and foreigners' permanent residence IDs use their own). Errors are
// *valid.Error whose field is KindIDNumber.
func ValidateIDNumber(s string, now time.Time) error {
	id := NormalizeIDNumber(s)
	switch n := utf8.RuneCountInString(id); {
	case n == 0:
		return invalid(KindIDNumber, "身份证号为空 / ID number is empty")
	case n != 18 && n != 15:
		return invalid(KindIDNumber, fmt.Sprintf("身份证号须为 18 位（旧版 15 位），实为 %d 位 / ID number must have 18 characters (15 in the old form), got %d", n, n))
	case len(id) != n: // multi-byte characters
		return invalid(KindIDNumber, idCharsMessage(n))
	}
	var year, month, day int
	if len(id) == 15 {
		if !isDigits(id) {
			return invalid(KindIDNumber, idCharsMessage(15))
		}
		year, month, day = 1900+atoi(id[6:8]), atoi(id[8:10]), atoi(id[10:12])
	} else {
		if !isDigits(id[:17]) || !(isDigits(id[17:]) || id[17] == 'X') {
			return invalid(KindIDNumber, idCharsMessage(18))
		}
		year, month, day = atoi(id[6:10]), atoi(id[10:12]), atoi(id[12:14])
	}
	today := now.In(chinaTime)
	if year < 1900 || year > today.Year() {
		return invalid(KindIDNumber, "身份证号中的出生年份须在 1900 年至今之间 / the birth year in the ID number must be between 1900 and this year")
	}
	birth := time.Date(year, time.Month(month), day, 0, 0, 0, 0, chinaTime)
	if month < 1 || month > 12 || day < 1 || birth.Month() != time.Month(month) || birth.Day() != day {
		return invalid(KindIDNumber, "身份证号中的出生日期不是有效日期 / the birth date in the ID number is not a real date")
	}
	if birth.After(today) {
		return invalid(KindIDNumber, "身份证号中的出生日期晚于今天 / the birth date in the ID number is in the future")
	}
	if len(id) == 18 {
		if c, _ := IDCheckDigit(id[:17]); c != id[17] {
			return invalid(KindIDNumber, "身份证号校验位错误，请核对每一位 / the ID number's check digit does not match; check every digit")
		}
	}
	return nil
}

func idCharsMessage(n int) string {
	if n == 15 {
		return "15 位身份证号须全为数字 / a 15-character ID number must be all digits"
	}
	return "身份证号须为 17 位数字加 1 位数字或字母“X” / ID number must be 17 digits followed by a digit or X"
}

// atoi of a short all-digit string.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// isDash: the hyphen and the dashes people type for it.
func isDash(r rune) bool {
	switch r {
	case '-', '‐', '‑', '‒', '–', '—', '―':
		return true
	}
	return false
}

// isPhoneSeparator: what people put between the groups of a phone number.
func isPhoneSeparator(r rune) bool {
	return isDash(r) || r == '.' || r == '(' || r == ')' || unicode.IsSpace(r)
}

func stripPhoneSeparators(s string) string { return strings.Map(dropIf(isPhoneSeparator), s) }

func dropIf(f func(rune) bool) func(rune) rune {
	return func(r rune) rune {
		if f(r) {
			return -1
		}
		return r
	}
}

// areaCodeLen is the length of the area code of a landline number starting with 0: 3 for
// 010 and 020–029, 4 for the others.
func areaCodeLen(d string) int {
	if len(d) > 1 && (d[1] == '1' || d[1] == '2') {
		return 3
	}
	return 4
}

// isLandline: digits, area code (0 and 2–3 digits, the second not 0), then a local number of
// 7–8 digits not starting with 0 or 1.
func isLandline(d string) bool {
	if !isDigits(d) || len(d) < 2 || d[0] != '0' || d[1] == '0' || len(d) < areaCodeLen(d) {
		return false
	}
	local := d[areaCodeLen(d):]
	return len(local) >= 7 && len(local) <= 8 && local[0] >= '2'
}

// isMobileStart: 1 followed by 3–9.
func isMobileStart(d string) bool { return len(d) >= 2 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' }

// NormalizePhone strips separators (spaces, dashes, dots, parentheses), full-width forms and a
// +86 or 0086 prefix: "+86 138-0013-8000" → "13800138000", "(0531) 8765 4321" →
// "053187654321". After +86 a landline written without its trunk 0 gets it back ("+86 21 5256
// 4588" → "02152564588"). An extension, written "转123" or as a last "-123" group after a
// complete landline, is kept as "-123": "021-52564588-123" → "02152564588-123". Other
// characters are left for ValidatePhone to reject.
func NormalizePhone(s string) string {
	s = strings.TrimSpace(halfWidth(s))
	main, ext, hasExt := s, "", false
	for _, mark := range []string{"转", "轉"} {
		if i := strings.Index(s, mark); i >= 0 {
			main, ext, hasExt = s[:i], stripPhoneSeparators(s[i+len(mark):]), true
			break
		}
	}
	t := strings.TrimLeftFunc(main, func(r rune) bool { return r == '(' || unicode.IsSpace(r) })
	intl := false
	for _, p := range []string{"+86", "0086"} {
		if strings.HasPrefix(t, p) {
			main, intl = t[len(p):], true
			break
		}
	}
	canon := func(part string) string {
		d := stripPhoneSeparators(part)
		if intl && d != "" && d[0] >= '1' && d[0] <= '9' && !isMobileStart(d) {
			d = "0" + d
		}
		return d
	}
	digits := canon(main)
	if !hasExt {
		if i := strings.LastIndexFunc(main, isDash); i >= 0 {
			_, w := utf8.DecodeRuneInString(main[i:])
			head, tail := canon(main[:i]), stripPhoneSeparators(main[i+w:])
			if isLandline(head) && isDigits(tail) && len(tail) <= 6 {
				digits, ext, hasExt = head, tail, true
			}
		}
	}
	if hasExt {
		return digits + "-" + ext
	}
	return digits
}

// ValidatePhone checks a phone number after NormalizePhone: a mainland mobile (11 digits
// starting with 13–19) or a landline (area code 0 and 2–3 digits, then 7–8 digits, optionally an
// extension of 1–6 digits). Errors are *valid.Error whose field is KindPhone.
func ValidatePhone(s string) error {
	n := NormalizePhone(s)
	if n == "" {
		return invalid(KindPhone, "电话号码为空 / phone number is empty")
	}
	main, ext, hasExt := strings.Cut(n, "-")
	if !isDigits(main) || hasExt && ext != "" && !isDigits(ext) {
		return invalid(KindPhone, "电话号码只能包含数字、空格、短横线、括号、+86 前缀及分机号 / a phone number may contain only digits, spaces, dashes, parentheses, a +86 prefix and an extension")
	}
	switch main[0] {
	case '1':
		if hasExt {
			return invalid(KindPhone, "手机号不能带分机号 / a mobile number has no extension")
		}
		if len(main) != 11 {
			return invalid(KindPhone, fmt.Sprintf("手机号须为 11 位数字，实为 %d 位 / a mobile number has 11 digits, got %d", len(main), len(main)))
		}
		if !isMobileStart(main) {
			return invalid(KindPhone, "手机号须以 13–19 开头 / a mobile number starts with 13–19")
		}
	case '0':
		if !isLandline(main) {
			return invalid(KindPhone, "固定电话须为区号（0 加 2–3 位数字）加 7–8 位号码 / a landline number is an area code (0 and 2–3 digits) followed by 7–8 digits")
		}
		if hasExt && (len(ext) < 1 || len(ext) > 6) {
			return invalid(KindPhone, "分机号须为 1–6 位数字 / an extension has 1–6 digits")
		}
	default:
		return invalid(KindPhone, "固定电话须带区号，手机号须为 1 开头的 11 位数字 / a landline number needs its area code; a mobile number has 11 digits starting with 1")
	}
	return nil
}
