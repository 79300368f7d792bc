package codes

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Plain words allowed inside Chinese sentences: names of formats and protocols people say as
// they are written.
var plainWords = []string{"ID", "id", "API", "PDF", "XLSX", "CSV", "NDJSON", "JSON", "URL", "UTF-8", "HTTP", "HTTPS", "HTML",
	"Excel", "BOM", "Bearer", "OpenAPI", "HMAC", "SHA-256", "UUID", "IP", "TLS", "PostgreSQL", "RFC", "GB", "ASCII", "NUL",
	"PATCH", "PUT", "POST", "GET", "DELETE", "COPY", "Go", "base64", "a-z", "Idempotency-Key", "YAML"}

var (
	// Removed before looking for codes: quoted values (what to send), URLs and paths, format
	// verbs, placeholders and date patterns.
	quoted      = regexp.MustCompile("\"[^\"]*\"|“[^”]*”|「[^」]*」|`[^`]*`|'[^']*'")
	pathLike    = regexp.MustCompile(`\S*/\S*|\S+@\S+`)
	verbs       = regexp.MustCompile(`%[-+# 0-9.*]*[a-zA-Z]`)
	placeholder = regexp.MustCompile(`\{[^}]*\}|YYYY(-MM(-DD)?)?|HH:MM`)
	asciiWord   = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_]*(?:[.:=-][A-Za-z0-9_]+)*`)
	// A division code shown where its name belongs (租户 310107, not 普陀区).
	divisionCode = regexp.MustCompile(`(租户|区县|行政区|地区|辖区)\s*[0-9]{6}`)
)

// ChinesePart is the Chinese half of a bilingual message ("中文 / English"), or the whole
// text when it has no English half.
func ChinesePart(msg string) string {
	if i := strings.Index(msg, " / "); i >= 0 {
		return msg[:i]
	}
	return msg
}

// Leaks lists the codes that stand inside the Chinese half of a message where a Chinese name
// belongs: a Latin identifier between Chinese characters (预警等级为orange, 派驻court的调委会,
// 可以writeplugin_routes) or a division code after 租户 (租户 310107). Not codes: quoted values
// (what to send: "court"), a code glossed at once in Chinese (court（法院）) or glossing a Chinese
// name in brackets (回调（webhook）), the names of fields,
// parameters and settings (what to look at or type: next_after, security.key_file — fields tells
// them), paths, format verbs and the plain words of formats and protocols (ID, API, XLSX…).
func Leaks(msg string, fields func(string) bool) []string {
	zh := ChinesePart(msg)
	if !strings.ContainsFunc(zh, isChinese) {
		return nil
	}
	var out []string
	out = append(out, divisionCode.FindAllString(zh, -1)...)
	for _, re := range []*regexp.Regexp{quoted, pathLike, verbs, placeholder} {
		zh = re.ReplaceAllString(zh, "0")
	}
	for _, loc := range asciiWord.FindAllStringIndex(zh, -1) {
		w := zh[loc[0]:loc[1]]
		if key, _, ok := strings.Cut(w, "="); ok { // a parameter and its (quoted) value
			w = key
		}
		if slices.Contains(plainWords, w) || strings.Contains(w, ".") || (fields != nil && fields(w)) ||
			strings.HasPrefix(zh[loc[1]:], "（") || strings.HasSuffix(zh[:loc[0]], "（") {
			continue
		}
		// A field named first ("limit 须为…") is the sentence's subject; a code that ends the
		// sentence after Chinese words ("…可以write") leaks as one between them.
		after := runeAfter(zh, loc[1])
		if isChinese(runeBefore(zh, loc[0])) && (isChinese(after) || after == utf8.RuneError) {
			out = append(out, w)
		}
	}
	return out
}

// runeBefore and runeAfter are the neighbours of a word, across one space.
func runeBefore(s string, i int) rune {
	r, n := utf8.DecodeLastRuneInString(s[:i])
	if r == ' ' {
		r, _ = utf8.DecodeLastRuneInString(s[:i-n])
	}
	return r
}

func runeAfter(s string, i int) rune {
	r, n := utf8.DecodeRuneInString(s[i:])
	if r == ' ' {
		r, _ = utf8.DecodeRuneInString(s[i+n:])
	}
	return r
}

// isChinese: a Han character or Chinese punctuation.
func isChinese(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}
