package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The masks show personal data in responses by default. Each normalizes its input first (so
// raw input masks the same as stored input) and never panics: input that does not have the
// expected shape is masked entirely, and input shorter than the parts a rule keeps shows at
// most its first character.

func stars(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("*", n)
}

// MaskIDNumber keeps the first 3 and the last 4 characters of an 18- or 15-character ID number
// and stars the rest, keeping the length: "310***********1234", "310********1234". Any other
// length is starred entirely.
func MaskIDNumber(s string) string {
	r := []rune(NormalizeIDNumber(s))
	n := len(r)
	if n != 18 && n != 15 {
		return stars(n)
	}
	return string(r[:3]) + stars(n-7) + string(r[n-4:])
}

// MaskPhone keeps the first 3 and the last 4 digits of a mobile number ("138****5678") and the
// area code and the last 4 digits of a landline ("02152564588" → "021****4588",
// "053187654321" → "0531****4321"); an extension is starred ("-***"). Anything else is starred
// entirely.
func MaskPhone(s string) string {
	p := NormalizePhone(s)
	main, ext, hasExt := strings.Cut(p, "-")
	suffix := ""
	if hasExt {
		suffix = "-" + stars(utf8.RuneCountInString(ext))
	}
	if isDigits(main) {
		if len(main) == 11 && main[0] == '1' {
			return main[:3] + "****" + main[7:] + suffix
		}
		if a := areaCodeLen(main); len(main) > a && main[0] == '0' && main[1] != '0' {
			if local := main[a:]; len(local) >= 7 && len(local) <= 8 {
				return main[:a] + stars(len(local)-4) + local[len(local)-4:] + suffix
			}
		}
	}
	return stars(utf8.RuneCountInString(p))
}

// MaskAddress keeps the first 6 runes — the district level, "上海市普陀区" — and replaces the
// rest by "****". That needs an address of at least 10 runes (4 or more hidden); a shorter one
// keeps its first 2 runes ("北京市海淀区中关村" → "北京****"), one of 2–3 runes its first rune,
// one of a single rune none.
func MaskAddress(s string) string {
	r := []rune(NormalizeAddress(s))
	switch n := len(r); {
	case n == 0:
		return ""
	case n >= 10:
		return string(r[:6]) + "****"
	case n >= 4:
		return string(r[:2]) + "****"
	case n >= 2:
		return string(r[:1]) + "****"
	default:
		return "****"
	}
}

// MaskName keeps the surname of a Chinese name (its first rune) and stars every other rune:
// "张三丰" → "张**". Other names keep their first letter and get "***": "Wang Fang" → "W***".
// A one-rune name is starred entirely; an empty name stays empty.
func MaskName(s string) string {
	r := []rune(strings.TrimSpace(s))
	switch {
	case len(r) == 0:
		return ""
	case len(r) == 1:
		return "*"
	case unicode.Is(unicode.Han, r[0]):
		return string(r[0]) + stars(len(r)-1)
	default:
		return string(r[0]) + "***"
	}
}
