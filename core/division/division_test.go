package division

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCount(t *testing.T) {
	got := Count()
	want := Counts{Provinces: 31, Cities: 342, Districts: 2978, Streets: 41352}
	if got != want {
		t.Fatalf("Count() = %+v, want %+v", got, want)
	}
	if n := len(loaded().divs); n != 1+31+342+2978-3+41352 {
		t.Errorf("%d distinct codes, want %d", n, 1+31+342+2978-3+41352)
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name string
		code string
		want Division
	}{
		{"country", "000000", Division{"000000", "中华人民共和国", LevelCountry, ""}},
		{"municipality", "310000", Division{"310000", "上海市", LevelProvince, "000000"}},
		{"municipality city 市辖区 named after province", "310100", Division{"310100", "上海市", LevelCity, "310000"}},
		{"chongqing 县 named after province", "500200", Division{"500200", "重庆市", LevelCity, "500000"}},
		{"putuo", "310107", Division{"310107", "普陀区", LevelDistrict, "310100"}},
		{"qingpu", "310118", Division{"310118", "青浦区", LevelDistrict, "310100"}},
		{"huaiyin jinan", "370104", Division{"370104", "槐荫区", LevelDistrict, "370100"}},
		{"wujiang suzhou", "320509", Division{"320509", "吴江区", LevelDistrict, "320500"}},
		{"jiashan county", "330421", Division{"330421", "嘉善县", LevelDistrict, "330400"}},
		{"province-administered placeholder city", "419000", Division{"419000", "省直辖县级行政区划", LevelCity, "410000"}},
		{"district of placeholder city", "419001", Division{"419001", "济源市", LevelDistrict, "419000"}},
		{"city without districts", "441900", Division{"441900", "东莞市", LevelCity, "440000"}},
		{"street", "310107015", Division{"310107015", "长寿路街道", LevelStreet, "310107"}},
		{"street of city without districts", "441900003", Division{"441900003", "东城街道", LevelStreet, "441900"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Lookup(tt.code)
			if err != nil {
				t.Fatalf("Lookup(%q): %v", tt.code, err)
			}
			if got != tt.want {
				t.Errorf("Lookup(%q) = %+v, want %+v", tt.code, got, tt.want)
			}
		})
	}
}

func TestFullName(t *testing.T) {
	tests := []struct {
		name string
		code string
		want string
	}{
		{"country", "000000", "中华人民共和国"},
		{"province", "370000", "山东省"},
		{"municipality", "310000", "上海市"},
		{"municipality city", "310100", "上海市"},
		{"municipality district", "310107", "上海市普陀区"},
		{"municipality street", "310107015", "上海市普陀区长寿路街道"},
		{"chongqing county", "500229", "重庆市城口县"},
		{"city", "370100", "山东省济南市"},
		{"district", "370104", "山东省济南市槐荫区"},
		{"wujiang", "320509", "江苏省苏州市吴江区"},
		{"jiashan", "330421", "浙江省嘉兴市嘉善县"},
		{"placeholder city itself", "419000", "河南省省直辖县级行政区划"},
		{"district under placeholder city", "419001", "河南省济源市"},
		{"city without districts", "441900", "广东省东莞市"},
		{"street of city without districts", "441900003", "广东省东莞市东城街道"},
		{"district named like its city", "620201", "甘肃省嘉峪关市"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Lookup(tt.code)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.FullName(); got != tt.want {
				t.Errorf("Lookup(%q).FullName() = %q, want %q", tt.code, got, tt.want)
			}
		})
	}
	t.Run("zero value", func(t *testing.T) {
		if got := (Division{}).FullName(); got != "" {
			t.Errorf("got %q, want empty", got)
		}
	})
	t.Run("unknown parent", func(t *testing.T) {
		d := Division{Code: "999901", Name: "某区", Level: LevelDistrict, ParentCode: "999900"}
		if got := d.FullName(); got != "某区" {
			t.Errorf("got %q, want %q", got, "某区")
		}
	})
}

var levelOfTests = []struct {
	name string
	code string
	want Level // "" means ErrMalformedCode
}{
	{"country", "000000", LevelCountry},
	{"province", "310000", LevelProvince},
	{"city", "310100", LevelCity},
	{"district", "310107", LevelDistrict},
	{"city without districts has city shape", "441900", LevelCity},
	{"street", "310107001", LevelStreet},
	{"village", "310107001001", LevelVillage},
	{"unknown but well-formed district", "999999", LevelDistrict},
	{"empty", "", ""},
	{"5 digits", "31010", ""},
	{"7 digits", "3101071", ""},
	{"2-digit short form", "31", ""},
	{"4-digit short form", "3101", ""},
	{"13 digits", "3101070010011", ""},
	{"letter", "31010a", ""},
	{"full-width digits", "３１０１０７", ""},
	{"leading space", " 310107", ""},
	{"trailing space", "310107 ", ""},
	{"sign", "-31010", ""},
	{"plus sign", "+31010", ""},
	{"newline", "31010\n", ""},
	{"NUL", "31010\x00", ""},
	{"invalid UTF-8", "31010\xff", ""},
}

func TestLevelOf(t *testing.T) {
	for _, tt := range levelOfTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LevelOf(tt.code)
			if tt.want == "" {
				if !errors.Is(err, ErrMalformedCode) || got != "" {
					t.Fatalf("LevelOf(%q) = %q, %v; want ErrMalformedCode", tt.code, got, err)
				}
				var ce *CodeError
				if !errors.As(err, &ce) || ce.Code != tt.code {
					t.Errorf("LevelOf(%q) error %#v is not a *CodeError with the code", tt.code, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("LevelOf(%q) = %q, %v; want %q", tt.code, got, err, tt.want)
			}
		})
	}
}

func codes(ds []Division) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Code
	}
	return out
}

func TestAncestors(t *testing.T) {
	tests := []struct {
		name string
		code string
		want []string
	}{
		{"country", "000000", []string{}},
		{"province", "310000", []string{"000000"}},
		{"city", "310100", []string{"000000", "310000"}},
		{"district", "310107", []string{"000000", "310000", "310100"}},
		{"street", "310107015", []string{"000000", "310000", "310100", "310107"}},
		{"district of placeholder city", "419001", []string{"000000", "410000", "419000"}},
		{"street of city without districts", "441900003", []string{"000000", "440000", "441900"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Ancestors(tt.code)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || !slices.Equal(codes(got), tt.want) {
				t.Errorf("Ancestors(%q) = %v, want %v", tt.code, codes(got), tt.want)
			}
		})
	}
}

func TestChildren(t *testing.T) {
	tests := []struct {
		name      string
		code      string
		n         int      // expected count, or -1 to skip
		contains  []string // codes that must be present
		wantLevel Level
	}{
		{"country", "000000", 31, []string{"110000", "310000", "650000"}, LevelProvince},
		{"shanghai", "310000", 1, []string{"310100"}, LevelCity},
		{"chongqing", "500000", 2, []string{"500100", "500200"}, LevelCity},
		{"shanghai city", "310100", 16, []string{"310107", "310118"}, LevelDistrict},
		{"putuo", "310107", 10, []string{"310107015"}, LevelStreet},
		{"city without districts lists its streets", "441900", -1, []string{"441900003"}, LevelStreet},
		{"street has none", "310107015", 0, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Children(tt.code)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Error("nil slice, want non-nil")
			}
			cs := codes(got)
			if tt.n >= 0 && len(got) != tt.n {
				t.Errorf("Children(%q) has %d, want %d: %v", tt.code, len(got), tt.n, cs)
			}
			for _, c := range tt.contains {
				if !slices.Contains(cs, c) {
					t.Errorf("Children(%q) lacks %s", tt.code, c)
				}
			}
			if !slices.IsSorted(cs) {
				t.Errorf("Children(%q) not sorted", tt.code)
			}
			for _, d := range got {
				if d.ParentCode != tt.code || d.Level != tt.wantLevel {
					t.Errorf("child %+v: want parent %s level %s", d, tt.code, tt.wantLevel)
				}
			}
		})
	}
}

func TestDistricts(t *testing.T) {
	tests := []struct {
		name     string
		code     string
		n        int
		contains []string
	}{
		{"country", "000000", 2978, []string{"110101", "310107", "441900", "659012"}},
		{"shanghai", "310000", 16, []string{"310107", "310118"}},
		{"shanghai city", "310100", 16, []string{"310107"}},
		{"shandong", "370000", 151, []string{"370104"}},
		{"jinan", "370100", 13, []string{"370104"}},
		{"district itself", "310107", 1, []string{"310107"}},
		{"placeholder city", "419000", 1, []string{"419001"}},
		{"city without districts is its own", "441900", 1, []string{"441900"}},
		{"guangdong includes cities without districts", "440000", -1, []string{"441900", "442000", "440103"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Districts(tt.code)
			if err != nil {
				t.Fatal(err)
			}
			cs := codes(got)
			if tt.n >= 0 && len(got) != tt.n {
				t.Errorf("Districts(%q) has %d, want %d", tt.code, len(got), tt.n)
			}
			for _, c := range tt.contains {
				if !slices.Contains(cs, c) {
					t.Errorf("Districts(%q) lacks %s", tt.code, c)
				}
			}
			if !slices.IsSorted(cs) || len(slices.Compact(slices.Clone(cs))) != len(cs) {
				t.Errorf("Districts(%q) not sorted or has duplicates", tt.code)
			}
			for _, d := range got {
				if d.Level != LevelDistrict && !(d.Level == LevelCity && d.Code[4:] == "00") {
					t.Errorf("Districts(%q) contains %+v", tt.code, d)
				}
				if tt.code != CountryCode && !strings.HasPrefix(d.Code, strings.TrimRight(tt.code, "0")) {
					t.Errorf("Districts(%q) contains %s from outside the subtree", tt.code, d.Code)
				}
			}
		})
	}
}

func TestStreets(t *testing.T) {
	tests := []struct {
		name   string
		code   string
		n      int // -1: any non-zero
		parent string
	}{
		{"putuo", "310107", 10, "310107"},
		{"qingpu", "310118", -1, "310118"},
		{"city without districts", "441900", 36, "441900"},
		{"city", "310100", -1, ""},
		{"country", "000000", 41352, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Streets(tt.code)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 || (tt.n >= 0 && len(got) != tt.n) {
				t.Errorf("Streets(%q) has %d, want %d", tt.code, len(got), tt.n)
			}
			if !slices.IsSorted(codes(got)) {
				t.Errorf("Streets(%q) not sorted", tt.code)
			}
			for _, d := range got {
				if d.Level != LevelStreet || (tt.parent != "" && d.ParentCode != tt.parent) {
					t.Errorf("Streets(%q) contains %+v", tt.code, d)
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	type call struct {
		name string
		fn   func(string) error
	}
	calls := []call{
		{"Lookup", func(c string) error { _, err := Lookup(c); return err }},
		{"Ancestors", func(c string) error { _, err := Ancestors(c); return err }},
		{"Children", func(c string) error { _, err := Children(c); return err }},
		{"Districts", func(c string) error { _, err := Districts(c); return err }},
		{"Streets", func(c string) error { _, err := Streets(c); return err }},
	}
	tests := []struct {
		name    string
		code    string
		want    error            // for all calls
		byCall  map[string]error // overrides
		skipFor []string
	}{
		{"unknown district", "310199", ErrUnknownCode, nil, nil},
		{"unknown province", "990000", ErrUnknownCode, nil, nil},
		{"unknown city", "310200", ErrUnknownCode, nil, nil},
		{"province as 00 prefix", "000100", ErrUnknownCode, nil, nil},
		{"unknown street", "310107999", ErrUnknownCode, map[string]error{"Districts": ErrBelowDistrict, "Streets": ErrBelowDistrict}, nil},
		{"village not embedded", "310107015001", ErrUnknownCode, map[string]error{"Districts": ErrBelowDistrict, "Streets": ErrBelowDistrict}, nil},
		{"known street below district", "310107015", nil, map[string]error{"Districts": ErrBelowDistrict, "Streets": ErrBelowDistrict}, nil},
		{"malformed", "31010a", ErrMalformedCode, nil, nil},
		{"empty", "", ErrMalformedCode, nil, nil},
		{"short form", "3101", ErrMalformedCode, nil, nil},
	}
	for _, tt := range tests {
		for _, c := range calls {
			want := tt.want
			if w, ok := tt.byCall[c.name]; ok {
				want = w
			}
			t.Run(tt.name+"/"+c.name, func(t *testing.T) {
				err := c.fn(tt.code)
				if want == nil {
					if err != nil {
						t.Fatalf("%s(%q): %v", c.name, tt.code, err)
					}
					return
				}
				if !errors.Is(err, want) {
					t.Fatalf("%s(%q) = %v, want %v", c.name, tt.code, err, want)
				}
				var ce *CodeError
				if !errors.As(err, &ce) || ce.Code != tt.code || ce.Err != want {
					t.Errorf("%s(%q) error %#v, want *CodeError{%q, %v}", c.name, tt.code, err, tt.code, want)
				}
			})
		}
	}
}

func TestCodeErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"unknown", &CodeError{"310199", ErrUnknownCode}, `行政区划代码 "310199" 不存在 / unknown division code "310199"`},
		{"malformed", &CodeError{"31010a", ErrMalformedCode}, `行政区划代码 "31010a" 格式错误 / malformed division code "31010a"`},
		{"below district", &CodeError{"310107015", ErrBelowDistrict}, `行政区划代码 "310107015" 低于区县级，此处需要省、市或区县代码 / division code "310107015" is below district level; a province, city or district code is expected`},
		{"control characters are quoted", &CodeError{"3101\n", ErrMalformedCode}, `行政区划代码 "3101\n" 格式错误 / malformed division code "3101\n"`},
		{"long input is shortened", &CodeError{strings.Repeat("1", 100), ErrMalformedCode}, `行政区划代码 "` + strings.Repeat("1", 32) + `"… 格式错误 / malformed division code "` + strings.Repeat("1", 32) + `"…`},
		{"nil Err", &CodeError{"310199", nil}, `行政区划代码 "310199" 无效 / invalid division code "310199"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	// Real calls produce the documented message.
	_, err := Lookup("310199")
	if got, want := err.Error(), `行政区划代码 "310199" 不存在 / unknown division code "310199"`; got != want {
		t.Errorf("Lookup error = %s, want %s", got, want)
	}
}

// TestTreeInvariants walks the whole embedded list.
func TestTreeInvariants(t *testing.T) {
	tb := loaded()
	kids := map[string][]Division{}
	for i, d := range tb.divs {
		lvl, err := LevelOf(d.Code)
		if err != nil || lvl != d.Level {
			t.Errorf("%+v: LevelOf = %q, %v", d, lvl, err)
		}
		if d.Name == "" || d.Name == "市辖区" || d.Name == "县" {
			t.Errorf("%+v: bad name", d)
		}
		got, err := Lookup(d.Code)
		if err != nil || got != d {
			t.Errorf("Lookup(%q) = %+v, %v", d.Code, got, err)
		}
		if i == 0 {
			continue
		}
		p, err := Lookup(d.ParentCode)
		if err != nil {
			t.Errorf("%+v: parent: %v", d, err)
			continue
		}
		want := map[Level][]Level{
			LevelProvince: {LevelCountry},
			LevelCity:     {LevelProvince},
			LevelDistrict: {LevelCity},
			LevelStreet:   {LevelDistrict, LevelCity},
		}[d.Level]
		if !slices.Contains(want, p.Level) {
			t.Errorf("%+v: parent level %s", d, p.Level)
		}
		if p.Level != LevelCountry && !strings.HasPrefix(d.Code, strings.TrimSuffix(strings.TrimSuffix(p.Code, "00"), "00")) {
			t.Errorf("%+v: code does not extend parent code %s", d, p.Code)
		}
		if _, ok := kids[p.Code]; !ok {
			c, err := Children(p.Code)
			if err != nil {
				t.Fatal(err)
			}
			kids[p.Code] = c
		}
		if !slices.Contains(kids[p.Code], d) {
			t.Errorf("%+v: not among its parent's children", d)
		}
	}
	all, _ := Streets(CountryCode)
	seen := 0
	for _, d := range tb.collect(tb.districts) {
		s, err := Streets(d.Code)
		if err != nil {
			t.Fatal(err)
		}
		seen += len(s)
	}
	if seen != len(all) {
		t.Errorf("streets per district sum to %d, want %d", seen, len(all))
	}
}

// TestReturnedSlicesAreCopies makes sure callers cannot corrupt the table.
func TestReturnedSlicesAreCopies(t *testing.T) {
	for name, fn := range map[string]func(string) ([]Division, error){
		"Children": Children, "Districts": Districts, "Streets": Streets, "Ancestors": Ancestors,
	} {
		code := "310107"
		if name == "Children" || name == "Districts" {
			code = "310100"
		}
		a, _ := fn(code)
		a[0].Name = "X"
		b, _ := fn(code)
		if b[0].Name == "X" {
			t.Errorf("%s returns shared memory", name)
		}
	}
}

func FuzzLevelOf(f *testing.F) {
	for _, tt := range levelOfTests {
		f.Add(tt.code)
	}
	f.Fuzz(func(t *testing.T, code string) {
		lvl, err := LevelOf(code)
		if err != nil {
			if lvl != "" || !errors.Is(err, ErrMalformedCode) {
				t.Fatalf("LevelOf(%q) = %q, %v", code, lvl, err)
			}
			_ = err.Error()
			return
		}
		if !wellFormed(code) {
			t.Fatalf("LevelOf(%q) = %q, nil for a malformed code", code, lvl)
		}
	})
}

func FuzzLookup(f *testing.F) {
	for _, tt := range levelOfTests {
		f.Add(tt.code)
	}
	for _, c := range []string{"310107", "310107015", "441900", "419001", "310199", "310107999"} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, code string) {
		d, err := Lookup(code)
		if err == nil {
			if !wellFormed(code) || d.Code != code {
				t.Fatalf("Lookup(%q) = %+v, nil", code, d)
			}
			_ = d.FullName()
		} else if !errors.Is(err, ErrMalformedCode) && !errors.Is(err, ErrUnknownCode) {
			t.Fatalf("Lookup(%q): unexpected error %v", code, err)
		} else {
			_ = err.Error()
		}
		for _, fn := range []func(string) ([]Division, error){Ancestors, Children, Districts, Streets} {
			if _, err := fn(code); err == nil && !wellFormed(code) {
				t.Fatalf("nil error for malformed %q", code)
			}
		}
	})
}

func wellFormed(code string) bool {
	if n := len(code); n != 6 && n != 9 && n != 12 {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func BenchmarkLookup(b *testing.B) {
	loaded()
	for b.Loop() {
		if _, err := Lookup("310107015"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestContains(t *testing.T) {
	tests := []struct {
		name  string
		scope string
		code  string
		want  bool
	}{
		// The country covers everything.
		{"country covers itself", "000000", "000000", true},
		{"country covers a province", "000000", "310000", true},
		{"country covers a city", "000000", "310100", true},
		{"country covers a district", "000000", "310107", true},
		{"country covers a street", "000000", "310107015", true},
		{"country covers another province's district", "000000", "370104", true},

		// A province covers its subtree only.
		{"province covers itself", "310000", "310000", true},
		{"province covers its city", "310000", "310100", true},
		{"province covers its district", "310000", "310107", true},
		{"province covers its street", "310000", "310107001", true},
		{"province does not cover another province's district", "310000", "370104", false},
		{"province does not cover another province", "310000", "370000", false},
		{"province does not cover a neighbour code", "310000", "320000", false},
		{"province does not cover the country", "310000", "000000", false},
		{"province does not cover an empty code", "310000", "", false},
		{"province does not cover a 1-digit code", "310000", "3", false},

		// A city covers its districts, not its siblings or its parent.
		{"city covers itself", "370100", "370100", true},
		{"city covers its district", "370100", "370104", true},
		{"city covers its district's street", "370100", "370104001", true},
		{"city does not cover a sibling city", "370100", "370200", false},
		{"city does not cover a sibling city's district", "370100", "370202", false},
		{"city does not cover its province", "370100", "370000", false},
		{"city does not cover the country", "370100", "000000", false},
		{"municipality city covers its district", "310100", "310107", true},
		{"city without districts covers its street", "441900", "441900003", true},
		{"placeholder city covers its district", "419000", "419001", true},

		// A district covers itself and its streets only.
		{"district covers itself", "310107", "310107", true},
		{"district covers its street", "310107", "310107015", true},
		{"district does not cover its city", "310107", "310100", false},
		{"district does not cover its province", "310107", "310000", false},
		{"district does not cover the country", "310107", "000000", false},
		{"district does not cover a sibling", "310107", "310104", false},
		{"district does not cover a sibling's street", "310107", "310104001", false},
		{"district does not cover a short code", "310107", "31010", false},

		// A street scope covers only itself.
		{"street scope covers itself", "310107015", "310107015", true},
		{"street scope does not cover its district", "310107015", "310107", false},
		{"street scope does not cover a sibling street", "310107015", "310107001", false},

		// Codes that share a prefix without being ancestor and descendant.
		{"district ending in 0 does not cover the sibling sharing its trimmed prefix", "310110", "310112", false},
		{"district ending in 0 covers its street", "310110", "310110001", true},
		{"city does not cover the district sharing its digits", "310100", "310010", false},
		{"province ending in 0 covers its district", "500000", "500101", true},
		{"province ending in 0 does not cover the province sharing its first digit", "500000", "510104", false},
		{"city ending in 0 covers its district", "441000", "441002", true},
		{"city ending in 0 does not cover a sibling city sharing its trimmed prefix", "441000", "441100", false},

		// The national tenant is the country's code; the empty code is no tenant.
		{"country covers an empty code", "000000", "", true},
		{"empty scope covers only itself", "", "", true},

		// Garbage scopes cover nothing else.
		{"empty scope", "", "310107", false},
		{"letters scope", "abcdef", "310107", false},
		{"short scope", "31", "310107", false},
		{"7-digit scope", "3100000", "310107", false},
		{"full-width scope", "３１００００", "310107", false},
		{"garbage scope, country code", "xyz", "000000", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Contains(tt.scope, tt.code); got != tt.want {
				t.Errorf("Contains(%q, %q) = %v, want %v", tt.scope, tt.code, got, tt.want)
			}
		})
	}
}

// Every division of the reference list is in scope of each of its ancestors and of itself.
func TestContainsFollowsAncestors(t *testing.T) {
	for _, code := range []string{"310107", "370104", "441900", "419001", "650000", "110101"} {
		chain, err := Ancestors(code)
		if err != nil {
			t.Fatalf("Ancestors(%q): %v", code, err)
		}
		for _, a := range chain {
			if !Contains(a.Code, code) {
				t.Errorf("Contains(%q, %q) = false for an ancestor", a.Code, code)
			}
			if a.Code != CountryCode && Contains(code, a.Code) {
				t.Errorf("Contains(%q, %q) = true: a division covers its ancestor", code, a.Code)
			}
		}
	}
}

func TestDepth(t *testing.T) {
	for _, c := range []struct {
		code string
		want int
	}{
		{"000000", 0}, {"310000", 1}, {"310100", 2}, {"310107", 3}, {"310110", 3},
		{"310107001", 4}, {"310107001001", 5}, {"", -1}, {"3101", -1}, {"31010７", -1},
	} {
		t.Run(c.code, func(t *testing.T) {
			if got := Depth(c.code); got != c.want {
				t.Errorf("Depth(%q) = %d, want %d", c.code, got, c.want)
			}
		})
	}
}
