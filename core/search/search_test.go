package search

import (
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestLoad measures the dictionary load (once per process) and logs its time and heap cost.
func TestLoad(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	took, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("gse dictionary (zh_s, embedded) loaded in %v, heap +%.0f MB", took, float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/1e6)
	start := time.Now()
	for range 100 {
		Tokens("楼上漏水导致楼下天花板受损，双方就赔偿金额协商未果。物业公司称已多次上门协调。")
	}
	t.Logf("Tokens of a 38-character sentence: %v each", time.Since(start)/100)
}

func TestTokens(t *testing.T) {
	for _, c := range []struct {
		text      string
		want      []string // must all be present
		forbidden []string
	}{
		{"拖欠工资", []string{"拖欠", "工资", "拖欠工资"}, nil},
		{"邻里噪音纠纷", []string{"邻里", "噪音", "纠纷"}, nil},
		{"楼上漏水导致楼下天花板受损，双方就赔偿金额协商未果。", []string{"漏水", "天花板", "赔偿"}, []string{"，", "。", "就", "双方"}},
		{"车牌 沪A12345 ABC", []string{"沪", "a12345", "abc"}, []string{" "}},
		{"", nil, []string{""}},
		{"\x00\xff！？", nil, []string{"\x00"}},
	} {
		got := Tokens(c.text)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("Tokens(%q) = %q lacks %q", c.text, got, w)
			}
		}
		for _, w := range c.forbidden {
			if slices.Contains(got, w) {
				t.Errorf("Tokens(%q) = %q holds %q", c.text, got, w)
			}
		}
	}
}

func TestVector(t *testing.T) {
	got := Vector(Field{Tokens: []string{"漏水", "纠纷"}, Weight: 'A'}, Field{Tokens: []string{"张三"}, Weight: 'B'},
		Field{Tokens: []string{"楼上", "漏水", "It's", `a\b`, "，"}, Weight: 'C'})
	// positions: 漏水 1, 纠纷 2, 张三 3, 楼上 4, 漏水 5, it's 6, a\b 7 ("，" is no word)
	want := `'漏水':1A,5C '纠纷':2A '张三':3B '楼上':4C 'it''s':6C 'a\\b':7C`
	if got != want {
		t.Errorf("Vector\n got %s\nwant %s", got, want)
	}
	if Vector() != "" {
		t.Error("an empty document has terms")
	}
	many := make([]string, 300)
	for i := range many {
		many[i] = "词"
	}
	if n := strings.Count(Vector(Field{Tokens: many, Weight: 'C'}), "C"); n != maxPositions {
		t.Errorf("%d positions of one lexeme, want at most %d", n, maxPositions)
	}
}

func TestParseQuery(t *testing.T) {
	for _, c := range []struct {
		q    string
		want []string
		err  error
	}{
		{"工资拖欠", []string{"工资", "拖欠"}, nil},
		{"  噪音   邻里 噪音 ", []string{"噪音", "邻里"}, nil},
		{"物业费", []string{"物业费"}, nil},
		{"a' & !b | c:*", []string{"a", "b", "c"}, nil},
		{`'); DROP TABLE cases; --`, []string{"drop", "table", "cases"}, nil},
		{"的 了", nil, ErrEmptyQuery},
		{"   ", nil, ErrEmptyQuery},
		{"&|!()", nil, ErrEmptyQuery},
		{strings.Repeat("噪", MaxQueryRunes+1), nil, ErrQueryTooLong},
	} {
		got, err := ParseQuery(c.q)
		if err != c.err {
			t.Errorf("ParseQuery(%q): error %v, want %v", c.q, err, c.err)
			continue
		}
		if !slices.Equal(got.Strings(), c.want) {
			t.Errorf("ParseQuery(%q) = %q, want %q", c.q, got.Strings(), c.want)
		}
	}
	q, _ := ParseQuery("邻里 噪音")
	if got := q.All(); got != `'邻里' & '噪音'` {
		t.Errorf("All = %s", got)
	}
	q, _ = ParseQuery("交通事故 拖欠工资 天花板")
	if got, want := q.All(), `( '交通事故' | '交通' & '事故' ) & ( '拖欠工资' | '拖欠' & '工资' ) & '天花板'`; got != want {
		t.Errorf("All = %s, want %s", got, want)
	}
	if got, want := q.Words(), []string{"交通事故", "交通", "事故", "拖欠工资", "拖欠", "工资", "天花板"}; !slices.Equal(got, want) {
		t.Errorf("Words = %q, want %q", got, want)
	}
	if got := AnyOf([]string{"工资", "it's", "，"}); got != `'工资' | 'it''s'` {
		t.Errorf("AnyOf = %s", got)
	}
}

func TestHighlight(t *testing.T) {
	for _, c := range []struct {
		text  string
		terms []string
		want  string
	}{
		{"邻里噪音纠纷", []string{"噪音"}, "邻里【噪音】纠纷"},
		{"噪音噪音", []string{"噪音"}, "【噪音噪音】"},
		{"拖欠工资，工资未付", []string{"工资", "拖欠"}, "【拖欠工资】，【工资】未付"},
		{"车辆 ABC 与 abc", []string{"abc"}, "车辆 【ABC】 与 【abc】"},
		{"【原有】括号", []string{"括号"}, "〖原有〗【括号】"},
		{"无关", []string{"噪音"}, "无关"},
	} {
		if got := Highlight(c.text, c.terms); got != c.want {
			t.Errorf("Highlight(%q, %q) = %q, want %q", c.text, c.terms, got, c.want)
		}
	}
	long := strings.Repeat("甲", 50) + "噪音" + strings.Repeat("乙", 50)
	s := Snippet(long, []string{"噪音"}, 30)
	if !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") || !strings.Contains(s, "【噪音】") || utf8.RuneCountInString(s) > 30+4 {
		t.Errorf("Snippet = %q", s)
	}
	if s := Snippet("短文本", []string{"无"}, 30); s != "短文本" {
		t.Errorf("Snippet without match = %q", s)
	}
}

func TestTopTerms(t *testing.T) {
	got := TopTerms("物业费纠纷：业主拒交物业费，物业公司起诉。物业费标准 2000 元。", 3)
	if len(got) != 3 || got[0] != "物业费" {
		t.Errorf("TopTerms = %q, want 物业费 first", got)
	}
	for _, x := range got {
		if x == "2000" || utf8.RuneCountInString(x) < 2 {
			t.Errorf("TopTerms holds %q", x)
		}
	}
	if s := Shared([]string{"噪音", "工资", "邻里"}, "邻里之间的噪音问题"); !slices.Equal(s, []string{"噪音", "邻里"}) {
		t.Errorf("Shared = %q", s)
	}
}

// parseTSQuery reads back a literal built by All — quoted lexemes, "&", "|" and parentheses
// separated by single spaces — and returns its lexemes in order. It fails on anything else,
// so the fuzz target proves that no input escapes its quotes or unbalances the expression.
func parseTSQuery(s string) ([]string, bool) {
	var out []string
	depth, i, wantOperand := 0, 0, true
	for i < len(s) {
		switch {
		case wantOperand && s[i] == '(':
			depth++
			i++
		case wantOperand && s[i] == '\'':
			i++
			var b strings.Builder
			for {
				if i >= len(s) {
					return nil, false
				}
				c := s[i]
				if c == '\\' {
					if i+1 >= len(s) {
						return nil, false
					}
					b.WriteByte(s[i+1])
					i += 2
					continue
				}
				if c == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(c)
				i++
			}
			out = append(out, b.String())
			wantOperand = false
		case !wantOperand && s[i] == ')' && depth > 0:
			depth--
			i++
		case !wantOperand && (s[i] == '&' || s[i] == '|'):
			wantOperand = true
			i++
		default:
			return nil, false
		}
		if i < len(s) {
			if s[i] != ' ' {
				return nil, false
			}
			i++
		}
	}
	return out, depth == 0 && !wantOperand
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"邻里 噪音", "工资拖欠", "a' & b", `\'`, "''", "!(a|b):*", "\x00\xff", "物业费 'x' \\", strings.Repeat("'", 120)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			if err != ErrEmptyQuery && err != ErrQueryTooLong {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(q.Terms) == 0 || len(q.Terms) > MaxQueryTerms {
			t.Fatalf("%d terms", len(q.Terms))
		}
		terms, ok := parseTSQuery(q.All())
		if !ok || !slices.Equal(terms, q.Words()) {
			t.Fatalf("tsquery %q does not read back as %q", q.All(), q.Words())
		}
		for _, term := range q.Words() {
			if term == "" || !utf8.ValidString(term) || strings.ContainsRune(term, 0) {
				t.Fatalf("bad term %q", term)
			}
		}
		_ = Highlight(s, q.Words())
		_ = Snippet(s, q.Words(), 40)
	})
}
