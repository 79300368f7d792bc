// Package search segments Chinese text into words for full-text search (智能检索) and builds
// what PostgreSQL indexes and matches: tsvector and tsquery literals made of those words, so
// the database never has to split Chinese itself. It also highlights matches in the original
// text and picks a text's salient terms (for similar-case push). It knows neither HTTP nor SQL
// drivers; the word list is gse's embedded simplified-Chinese dictionary, loaded once, lazily.
package search

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

var (
	loadOnce sync.Once
	seg      gse.Segmenter
	loadErr  error
	loadTook time.Duration
)

// segmenter loads the dictionary on first use (about 1.5 s and 130 MB of heap: see the
// package test) and returns it; gse's Segmenter only reads its dictionary once loaded, so one
// instance serves every goroutine.
func segmenter() (*gse.Segmenter, error) {
	loadOnce.Do(func() {
		start := time.Now()
		seg.SkipLog = true
		loadErr = seg.LoadDictEmbed("zh_s")
		loadTook = time.Since(start)
	})
	return &seg, loadErr
}

// Load loads the dictionary now (a server may call it at start so the first search does not
// wait) and reports how long the load took.
func Load() (time.Duration, error) {
	_, err := segmenter()
	return loadTook, err
}

// Limits of what is indexed and asked.
const (
	// MaxQueryRunes is the longest query accepted.
	MaxQueryRunes = 100
	// MaxQueryTerms is the most words a query keeps; the rest are ignored.
	MaxQueryTerms = 16
	maxTokenRunes = 64
	maxPositions  = 256   // PostgreSQL keeps at most 256 positions of a lexeme
	maxPosition   = 16383 // and positions up to 16383
)

// Sentinel errors of query parsing.
var (
	ErrEmptyQuery   = errors.New("the query has no searchable word")
	ErrQueryTooLong = errors.New("the query is too long")
)

// stopWords are frequent function words that carry no meaning for search.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`的 了 着 过 和 与 及 或 而 且 并 就 也 都 又 还 在 是 为 以 于 对 将 把 被 让 给 从 向 由 之 其 此 该 这 那 个 些 我 你 他 她 它 我们 你们 他们 她们
		啊 吧 吗 呢 哦 嗯 呀 得 地 所 等 等等 一个 一些 没有 因为 所以 但是 如果 然后 已经 以及 进行 要求 表示 认为 双方 一方 对方`) {
		m[w] = true
	}
	return m
}()

// normalise makes a raw token a search term: lower case, trimmed, at most maxTokenRunes long;
// "" when it is no word (punctuation, space, a stop word).
func normalise(tok string) string {
	tok = strings.ToLower(strings.TrimSpace(tok))
	if tok == "" || stopWords[tok] || strings.IndexFunc(tok, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return ""
	}
	if utf8.RuneCountInString(tok) > maxTokenRunes {
		tok = string([]rune(tok)[:maxTokenRunes])
	}
	return tok
}

func clean(text string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(text, " "))
}

// Tokens segments text in search mode — each word and the shorter dictionary words inside it
// ("拖欠工资" → 拖欠, 工资, 拖欠工资) — lower-cased, without punctuation or stop words, in text
// order. This is what documents are indexed with.
func Tokens(text string) []string {
	s, err := segmenter()
	if err != nil {
		return nil
	}
	raw := s.CutSearch(clean(text), true)
	out := make([]string, 0, len(raw))
	for _, t := range raw {
		if t = normalise(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// Segment cuts text into words in accurate mode and keeps every token as written — function
// words, negations and punctuation too — for readers that need the grammar of a sentence (the
// early-warning rules of core/risktext). Joined, the tokens give the text back.
func Segment(text string) []string {
	s, err := segmenter()
	if err != nil {
		return nil
	}
	return s.Cut(text, true)
}

// words segments text in accurate mode: each word once, the longest reading.
func words(text string) []string {
	s, err := segmenter()
	if err != nil {
		return nil
	}
	var out []string
	for _, t := range s.Cut(clean(text), true) {
		if t = normalise(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// NameTokens are the terms of a party's name: the whole name and its words, so that "张三丰"
// is found by "张三丰" and a name the dictionary splits is still found by its parts.
func NameTokens(name string) []string {
	out := Tokens(name)
	if whole := normalise(name); whole != "" && !slices.Contains(out, whole) {
		out = append(out, whole)
	}
	return out
}

// Field is one weighted part of a document: its terms and the weight of the part, 'A'
// (highest) to 'D'.
type Field struct {
	Tokens []string
	Weight byte
}

// Vector returns the tsvector literal of a document: every term with its positions (counted
// across the fields in order) and its field's weight. Cast it with ::tsvector; it needs no
// text-search configuration, so the database's locale cannot change how Chinese is split.
func Vector(fields ...Field) string {
	type entry struct {
		pos    []int
		weight []byte
	}
	entries := map[string]*entry{}
	var order []string
	pos := 0
	for _, f := range fields {
		w := f.Weight
		if w < 'A' || w > 'D' {
			w = 'D'
		}
		for _, t := range f.Tokens {
			if t = normalise(t); t == "" {
				continue
			}
			pos = min(pos+1, maxPosition)
			e := entries[t]
			if e == nil {
				e = &entry{}
				entries[t] = e
				order = append(order, t)
			}
			if len(e.pos) < maxPositions && (len(e.pos) == 0 || e.pos[len(e.pos)-1] != pos) {
				e.pos = append(e.pos, pos)
				e.weight = append(e.weight, w)
			}
		}
	}
	var b strings.Builder
	for i, t := range order {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quote(t))
		b.WriteByte(':')
		for j, p := range entries[t].pos {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(itoa(p))
			b.WriteByte(entries[t].weight[j])
		}
	}
	return b.String()
}

func itoa(n int) string {
	var buf [8]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(buf[i:])
		}
	}
}

// quote makes a term one lexeme of a tsvector or tsquery literal: in single quotes, with
// quotes doubled and backslashes escaped, whatever the term holds.
func quote(t string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(t) + "'"
}

// Query is a parsed search: the terms every result must contain.
type Query struct {
	Terms []Term
}

// Term is one word of a query. A compound word the dictionary splits into shorter words
// ("拖欠工资" → 拖欠 + 工资) is also matched by those parts, so that "工资被拖欠" is found by
// "拖欠工资"; the compound itself ranks higher (it is in the title's and text's terms too).
type Term struct {
	Word  string
	Parts []string // nil when the word is not split
}

// Words are every word the query matches with — terms and their parts — for highlighting.
func (q Query) Words() []string {
	var out []string
	for _, t := range q.Terms {
		out = append(out, t.Word)
		out = append(out, t.Parts...)
	}
	return out
}

// Strings are the query's terms as typed words (for an audit record).
func (q Query) Strings() []string {
	out := make([]string, len(q.Terms))
	for i, t := range q.Terms {
		out[i] = t.Word
	}
	return out
}

// parts splits a word into shorter dictionary words that cover it exactly, left to right
// ("交通事故" → 交通 + 事故, skipping the overlapping 通事); nil when they do not cover it.
func parts(word string) []string {
	if utf8.RuneCountInString(word) < 3 {
		return nil
	}
	s, err := segmenter()
	if err != nil {
		return nil
	}
	rest := word
	var out []string
	for _, sub := range s.CutSearch(word, true) {
		if sub != word && sub != "" && strings.HasPrefix(rest, sub) {
			out = append(out, sub)
			rest = rest[len(sub):]
		}
	}
	if rest != "" || len(out) < 2 {
		return nil
	}
	for i := range out {
		if out[i] = normalise(out[i]); out[i] == "" {
			return nil
		}
	}
	return out
}

// ParseQuery reads what a user typed: whitespace-separated parts, each segmented into words
// (accurate mode); every word is required. Nothing in the input is syntax — operators,
// quotes, backslashes are ordinary characters, so the query cannot break the tsquery it
// becomes. At most MaxQueryTerms distinct words are kept.
func ParseQuery(q string) (Query, error) {
	q = strings.TrimSpace(q)
	if utf8.RuneCountInString(q) > MaxQueryRunes {
		return Query{}, ErrQueryTooLong
	}
	var out Query
	seen := map[string]bool{}
	for _, part := range strings.Fields(clean(q)) {
		for _, w := range words(part) {
			if len(out.Terms) < MaxQueryTerms && !seen[w] {
				seen[w] = true
				out.Terms = append(out.Terms, Term{Word: w, Parts: parts(w)})
			}
		}
	}
	if len(out.Terms) == 0 {
		return Query{}, ErrEmptyQuery
	}
	return out, nil
}

// All is the tsquery literal requiring every term — 'a' & ( 'bc' | 'b' & 'c' ) — to be cast
// with ::tsquery.
func (q Query) All() string {
	parts := make([]string, len(q.Terms))
	for i, t := range q.Terms {
		parts[i] = quote(t.Word)
		if len(t.Parts) > 0 {
			parts[i] = "( " + quote(t.Word) + " | " + join(t.Parts, " & ") + " )"
		}
	}
	return strings.Join(parts, " & ")
}

// AnyOf is the tsquery literal matching any of the terms: 'a' | 'b' ("" for none).
func AnyOf(terms []string) string { return join(terms, " | ") }

func join(terms []string, op string) string {
	parts := make([]string, 0, len(terms))
	for _, t := range terms {
		if t = normalise(t); t != "" {
			parts = append(parts, quote(t))
		}
	}
	return strings.Join(parts, op)
}

// Highlight marks is the pair of brackets wrapped around matches: plain text, so a client
// cannot be tricked into rendering markup; brackets already in the text become 〖〗.
const (
	MarkOpen  = "【"
	MarkClose = "】"
)

// marks finds, rune by rune, where any term occurs in text (ASCII letters without case).
func marks(text []rune, terms []string) []bool {
	lower := make([]rune, len(text))
	for i, r := range text {
		lower[i] = unicode.ToLower(r)
	}
	marked := make([]bool, len(text))
	for _, t := range terms {
		tr := []rune(strings.ToLower(t))
		if len(tr) == 0 {
			continue
		}
		for i := 0; i+len(tr) <= len(lower); i++ {
			if slices.Equal(lower[i:i+len(tr)], tr) {
				for j := i; j < i+len(tr); j++ {
					marked[j] = true
				}
			}
		}
	}
	return marked
}

func render(text []rune, marked []bool) string {
	var b strings.Builder
	in := false
	for i, r := range text {
		if marked[i] && !in {
			b.WriteString(MarkOpen)
			in = true
		}
		if !marked[i] && in {
			b.WriteString(MarkClose)
			in = false
		}
		switch r {
		case '【':
			r = '〖'
		case '】':
			r = '〗'
		}
		b.WriteRune(r)
	}
	if in {
		b.WriteString(MarkClose)
	}
	return b.String()
}

// Highlight returns text with every occurrence of the terms wrapped in 【】.
func Highlight(text string, terms []string) string {
	r := []rune(text)
	return render(r, marks(r, terms))
}

// Snippet returns about width runes of text around the first match, highlighted, with "…"
// where text was cut; the start of the text when nothing matches.
func Snippet(text string, terms []string, width int) string {
	r := []rune(text)
	m := marks(r, terms)
	first := slices.Index(m, true)
	start := 0
	if first > width/3 {
		start = first - width/3
	}
	end := min(len(r), start+width)
	out := render(r[start:end], m[start:end])
	if start > 0 {
		out = "…" + out
	}
	if end < len(r) {
		out += "…"
	}
	return out
}

// TopTerms returns up to n salient terms of a text: its words (accurate mode) of two or more
// characters, no bare numbers, by how often they occur, longer words counting more; ties in
// text order.
func TopTerms(text string, n int) []string {
	type term struct {
		t     string
		score float64
		first int
	}
	seen := map[string]*term{}
	var all []*term
	for i, t := range words(text) {
		rs := []rune(t)
		if len(rs) < 2 || strings.IndexFunc(t, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
			continue
		}
		x := seen[t]
		if x == nil {
			x = &term{t: t, first: i}
			seen[t] = x
			all = append(all, x)
		}
		x.score += 1 + 0.25*float64(min(len(rs), 6)-2)
	}
	slices.SortStableFunc(all, func(a, b *term) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return a.first - b.first
	})
	out := make([]string, 0, n)
	for _, x := range all[:min(n, len(all))] {
		out = append(out, x.t)
	}
	return out
}

// Shared returns the terms of want that occur among the tokens of text, in want's order.
func Shared(want []string, text string) []string {
	have := map[string]bool{}
	for _, t := range Tokens(text) {
		have[t] = true
	}
	var out []string
	for _, t := range want {
		if have[t] && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// CaseDocuments returns a case's two search documents as tsvector literals: doc (the title,
// weight A; the description, C) and names (the parties' names, B). tokens segments a text
// (Tokens, or a memo of it during a bulk load).
func CaseDocuments(title, description string, partyNames []string, tokens func(string) []string) (doc, names string) {
	var ns []string
	for _, n := range partyNames {
		ns = append(ns, NameTokens(n)...)
	}
	return Vector(Field{Tokens: tokens(title), Weight: 'A'}, Field{Tokens: tokens(description), Weight: 'C'}),
		Vector(Field{Tokens: ns, Weight: 'B'})
}
