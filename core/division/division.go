// Package division owns the embedded official reference list of administrative
// divisions of the People's Republic of China (country → province → city →
// district → street) and the rules of GB/T 2260 division codes.
//
// Every code handled by this package is in its long form: 6 digits for the
// country ("000000"), a province ("310000"), a city ("310100") or a district
// ("310107"); 9 digits for a street ("310107015"); 12 for a village. Villages
// are recognised by [LevelOf] but are not part of the embedded list.
//
// The list (data/*.csv, see data/README.md) is parsed once, on first use, and
// is read-only afterwards; all functions are safe for concurrent use. Values
// returned are copies: callers may modify them freely.
//
// Data quirks worth knowing:
//
//   - The city rows of the municipalities (北京, 天津, 上海, 重庆) are named
//     "市辖区" or "县" in the source; their Name here is the province name
//     ("上海市", "重庆市").
//   - Rows such as 4190 "省直辖县级行政区划" are kept as cities with the name as
//     given; their districts are 4190xx.
//   - Three prefecture-level cities have no districts: 东莞市 441900, 中山市
//     442000 and 儋州市 460400. The source lists each of them a second time as
//     its own county-level unit with the same 6-digit code. Here each is one
//     [Division] of [LevelCity] (as [LevelOf] says for its shape) that also
//     serves as a county-level unit: it is included in [Districts], its streets
//     have it as ParentCode, and [Children] of it returns those streets.
package division

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/fengqiao/fengqiao/core/kind"
)

// Level is the administrative level of a division.
type Level string

// The levels, from the top down.
const (
	LevelCountry  Level = "country"
	LevelProvince Level = "province"
	LevelCity     Level = "city"
	LevelDistrict Level = "district"
	LevelStreet   Level = "street"
	LevelVillage  Level = "village"
)

// CountryCode is the code of the country, the root of the tree.
const CountryCode = "000000"

// countryName is the Name of the country division.
const countryName = "中华人民共和国"

// Division is one administrative division of the reference list.
type Division struct {
	// Code is 6 digits for country/province/city/district ("000000",
	// "310000", "310100", "310107"), 9 for a street, 12 for a village.
	Code string
	// Name is the official short name, e.g. "普陀区". The city rows of the
	// municipalities carry the province name ("上海市"); the country is
	// "中华人民共和国".
	Name  string
	Level Level
	// ParentCode is "" for the country; a province's parent is "000000", a
	// city's its province ("310000"), a district's its city ("310100"), a
	// street's its district ("310107") or, for the three cities without
	// districts, its city ("441900").
	ParentCode string
}

// FullName returns the names of the province, the city and the division
// itself joined without spaces: "上海市普陀区", "山东省济南市槐荫区",
// "上海市普陀区长寿路街道". A name equal to the one before it is written once
// (so a municipality's city is omitted: "上海市普陀区", and the city 310100
// is "上海市"), and the placeholder cities "省直辖县级行政区划" /
// "自治区直辖县级行政区划" are omitted below the city level ("河南省济源市").
// The country's full name is "中华人民共和国".
//
// Ancestors are resolved from the embedded list through ParentCode; a
// ParentCode that is not in the list ends the chain.
func (d Division) FullName() string {
	if d.ParentCode == "" || d.Code == CountryCode {
		return d.Name
	}
	t := loaded()
	var up [4]*Division // ancestors below the country, nearest first
	n := 0
	for p := d.ParentCode; p != "" && p != CountryCode && n < len(up); {
		i, ok := t.index(p)
		if !ok {
			break
		}
		up[n] = &t.divs[i]
		n++
		p = t.divs[i].ParentCode
	}
	var b strings.Builder
	last := ""
	add := func(name string) {
		if name != "" && name != last {
			b.WriteString(name)
			last = name
		}
	}
	for i := n - 1; i >= 0; i-- {
		if up[i].Level == LevelCity && isPlaceholderCity(up[i].Name) {
			continue
		}
		add(up[i].Name)
	}
	add(d.Name)
	return b.String()
}

// isPlaceholderCity reports whether name is one of the source's stand-in city
// names for county-level units directly under a province.
func isPlaceholderCity(name string) bool {
	return strings.HasSuffix(name, "直辖县级行政区划")
}

// Sentinel errors, wrapped in a [*CodeError]; test with [errors.Is].
var (
	// ErrMalformedCode: the code is not 6, 9 or 12 ASCII digits.
	ErrMalformedCode = kind.New(kind.Invalid, "行政区划代码格式错误 / malformed division code")
	// ErrUnknownCode: the code is well-formed but not in the reference list.
	ErrUnknownCode = kind.New(kind.Unprocessable, "行政区划代码不存在 / unknown division code")
	// ErrBelowDistrict: a street or village code where a province, city or
	// district (or the country) is expected.
	ErrBelowDistrict = kind.New(kind.Invalid, "行政区划代码低于区县级 / division code below district level")
)

// CodeError reports a problem with one division code. Err is one of
// [ErrMalformedCode], [ErrUnknownCode] or [ErrBelowDistrict].
type CodeError struct {
	Code string
	Err  error
}

// Error returns the message in Chinese, then English, e.g.
// `行政区划代码 "310199" 不存在 / unknown division code "310199"`.
// Codes longer than 32 bytes are shortened in the message.
func (e *CodeError) Error() string {
	q := quoteCode(e.Code)
	switch {
	case errors.Is(e.Err, ErrMalformedCode):
		return "行政区划代码 " + q + " 格式错误 / malformed division code " + q
	case errors.Is(e.Err, ErrUnknownCode):
		return "行政区划代码 " + q + " 不存在 / unknown division code " + q
	case errors.Is(e.Err, ErrBelowDistrict):
		return "行政区划代码 " + q + " 低于区县级，此处需要省、市或区县代码 / division code " +
			q + " is below district level; a province, city or district code is expected"
	case e.Err == nil:
		return "行政区划代码 " + q + " 无效 / invalid division code " + q
	default:
		return "行政区划代码 " + q + ": " + e.Err.Error()
	}
}

// Unwrap returns Err.
func (e *CodeError) Unwrap() error { return e.Err }

// quoteCode quotes code for an error message, shortening untrusted input.
func quoteCode(code string) string {
	const max = 32
	if len(code) > max {
		return strconv.Quote(code[:max]) + "…"
	}
	return strconv.Quote(code)
}

// LevelOf tells the level from the code's shape alone, without looking it up:
// "000000" is the country; "xx0000" a province; "xxxx00" a city; any other 6
// digits a district; 9 digits a street; 12 a village. Anything else (empty,
// other lengths, non-ASCII digits such as full-width ones, signs, spaces)
// yields a [*CodeError] wrapping [ErrMalformedCode].
func LevelOf(code string) (Level, error) {
	switch len(code) {
	case 6, 9, 12:
	default:
		return "", &CodeError{Code: code, Err: ErrMalformedCode}
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return "", &CodeError{Code: code, Err: ErrMalformedCode}
		}
	}
	switch {
	case len(code) == 9:
		return LevelStreet, nil
	case len(code) == 12:
		return LevelVillage, nil
	case code == CountryCode:
		return LevelCountry, nil
	case code[2:] == "0000":
		return LevelProvince, nil
	case code[4:] == "00":
		return LevelCity, nil
	default:
		return LevelDistrict, nil
	}
}

// Depth is the code's distance from the country by its shape (country 0, province 1, city 2,
// district 3, street 4, village 5), -1 when malformed: of two roots that both contain a code,
// the deeper one is the nearer.
func Depth(code string) int {
	lvl, err := LevelOf(code)
	if err != nil {
		return -1
	}
	return map[Level]int{LevelCountry: 0, LevelProvince: 1, LevelCity: 2, LevelDistrict: 3, LevelStreet: 4, LevelVillage: 5}[lvl]
}

// Contains reports whether code lies in the subtree of root, root itself included: the one
// subtree rule of the platform (jurisdiction, plugin enablement with subtree, statistics,
// organisations' streets). Ancestry follows from the codes' shape alone, without looking them
// up: the country contains every code; a province the codes sharing its first 2 digits, a city
// its first 4, a district its 6; a street or village only itself. A malformed root contains
// only a code equal to it. The store's SQL twin is store.InSubtree: keep them in step.
func Contains(root, code string) bool {
	if root == code {
		return true
	}
	lvl, err := LevelOf(root)
	if err != nil {
		return false
	}
	switch lvl {
	case LevelCountry:
		return true
	case LevelProvince:
		return strings.HasPrefix(code, root[:2])
	case LevelCity:
		return strings.HasPrefix(code, root[:4])
	case LevelDistrict:
		return strings.HasPrefix(code, root)
	}
	return false
}

// Lookup returns the division with the given 6- or 9-digit code from the
// embedded list ("000000" is the country). Errors are [*CodeError] wrapping
// [ErrMalformedCode], or [ErrUnknownCode] for a well-formed code that is not
// listed (which includes every 12-digit village code).
func Lookup(code string) (Division, error) {
	t, i, err := find(code)
	if err != nil {
		return Division{}, err
	}
	return t.divs[i], nil
}

// find validates code and returns its index in the table.
func find(code string) (*table, int32, error) {
	if _, err := LevelOf(code); err != nil {
		return nil, 0, err
	}
	t := loaded()
	i, ok := t.index(code)
	if !ok {
		return nil, 0, &CodeError{Code: code, Err: ErrUnknownCode}
	}
	return t, i, nil
}

// Ancestors returns the chain from the country down to the parent of code,
// not including the division itself: Ancestors("310107") is [country,
// 310000, 310100]. The country has no ancestors (empty slice). Errors as
// [Lookup].
func Ancestors(code string) ([]Division, error) {
	t, i, err := find(code)
	if err != nil {
		return nil, err
	}
	var out []Division
	for p := t.divs[i].ParentCode; p != ""; {
		j := t.byCode[p] // parents are verified when loading
		out = append(out, t.divs[j])
		p = t.divs[j].ParentCode
	}
	slices.Reverse(out)
	if out == nil {
		out = []Division{}
	}
	return out, nil
}

// Children returns the direct children of code sorted by code: the country's
// provinces, a province's cities, a city's districts (for 441900, 442000 and
// 460400, which have no districts, their streets), a district's streets. A
// street has no children in the embedded list (empty slice). Errors as
// [Lookup].
func Children(code string) ([]Division, error) {
	t, i, err := find(code)
	if err != nil {
		return nil, err
	}
	switch {
	case int(i) >= t.streetStart:
		return []Division{}, nil
	case t.county[i]:
		return t.streetsWithPrefix(code), nil
	default:
		return t.collect(t.children[i]), nil
	}
}

// Districts returns every county-level unit in the subtree of code, sorted by
// code: all 2,978 for the country, those of a province or a city, or the
// district itself. The three cities without districts (441900, 442000,
// 460400) are their own county-level unit and appear here with
// [LevelCity]. A street or village code yields a [*CodeError] wrapping
// [ErrBelowDistrict]; otherwise errors as [Lookup].
func Districts(code string) ([]Division, error) {
	t, prefix, err := subtree(code)
	if err != nil {
		return nil, err
	}
	return t.districtsWithPrefix(prefix), nil
}

// Streets returns the streets of a district sorted by code. It also accepts
// a city, a province or the country and then returns every street in that
// subtree (all 41,352 for the country). A street or village code yields a
// [*CodeError] wrapping [ErrBelowDistrict]; otherwise errors as [Lookup].
func Streets(districtCode string) ([]Division, error) {
	t, prefix, err := subtree(districtCode)
	if err != nil {
		return nil, err
	}
	return t.streetsWithPrefix(prefix), nil
}

// subtree validates a code of district level or above and returns the code
// prefix shared by everything in its subtree.
func subtree(code string) (*table, string, error) {
	lvl, err := LevelOf(code)
	if err != nil {
		return nil, "", err
	}
	if lvl == LevelStreet || lvl == LevelVillage {
		return nil, "", &CodeError{Code: code, Err: ErrBelowDistrict}
	}
	t, _, err := find(code)
	if err != nil {
		return nil, "", err
	}
	switch lvl {
	case LevelCountry:
		return t, "", nil
	case LevelProvince:
		return t, code[:2], nil
	case LevelCity:
		return t, code[:4], nil
	default:
		return t, code, nil
	}
}

// Counts is the number of entries of each kind in the embedded list, as
// returned by [Count].
type Counts struct {
	Provinces int // 31
	// Cities counts prefecture-level rows (342), including the
	// municipalities' "市辖区"/"县" rows and the "省直辖县级行政区划" rows.
	Cities int
	// Districts counts county-level units, len(Districts(CountryCode)) =
	// 2,978. Three of them (441900, 442000, 460400) are also counted in
	// Cities, being one Division each; so the number of distinct codes is
	// 1 + Provinces + Cities + Districts - 3 + Streets.
	Districts int
	Streets   int // 41,352
}

// Count returns how many divisions of each kind are embedded, for sanity
// checks.
func Count() Counts {
	return loaded().counts
}
