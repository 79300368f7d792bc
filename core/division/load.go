package division

import (
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// The embedded reference list; see data/README.md. Embedding as string lets
// codes and names be substrings of the data, without copies.
var (
	//go:embed data/provinces.csv
	provincesCSV string
	//go:embed data/cities.csv
	citiesCSV string
	//go:embed data/areas.csv
	areasCSV string
	//go:embed data/streets.csv
	streetsCSV string
)

// sources is the raw CSV text of the four files.
type sources struct {
	provinces, cities, areas, streets string
}

func embedded() sources {
	return sources{provinces: provincesCSV, cities: citiesCSV, areas: areasCSV, streets: streetsCSV}
}

// loaded parses the embedded list on first use. The data is part of the
// binary and validated by the tests, so a failure is a build defect: panic.
var loaded = sync.OnceValue(func() *table {
	t, err := parse(embedded())
	if err != nil {
		panic("division: embedded reference data is invalid: " + err.Error())
	}
	return t
})

// table is the parsed, immutable reference list.
type table struct {
	// divs holds the country, the provinces, cities and districts (6-digit
	// codes, found through byCode), then, from streetStart on, the streets
	// sorted by code (found by binary search: a map with 41k more keys would
	// double the load time).
	divs        []Division
	byCode      map[string]int32
	streetStart int
	// For the entries before streetStart: their children that have 6-digit
	// codes, sorted; and whether they are a county-level unit (a district,
	// or a city without districts), whose children are then streets.
	children [][]int32
	county   []bool
	// districts holds the county-level units sorted by code, so that a
	// subtree is a range of codes sharing a prefix.
	districts []int32
	counts    Counts
}

// index finds code (6 or 9 digits) in divs.
func (t *table) index(code string) (int32, bool) {
	if len(code) != 9 {
		i, ok := t.byCode[code]
		return i, ok
	}
	s := t.divs[t.streetStart:]
	k := sort.Search(len(s), func(k int) bool { return s[k].Code >= code })
	if k < len(s) && s[k].Code == code {
		return int32(t.streetStart + k), true
	}
	return 0, false
}

// collect copies the divisions at idx.
func (t *table) collect(idx []int32) []Division {
	out := make([]Division, len(idx))
	for k, i := range idx {
		out[k] = t.divs[i]
	}
	return out
}

// districtsWithPrefix copies the county-level units whose code starts with
// prefix.
func (t *table) districtsWithPrefix(prefix string) []Division {
	idx := t.districts
	lo := sort.Search(len(idx), func(k int) bool { return t.divs[idx[k]].Code >= prefix })
	hi := lo
	for hi < len(idx) && strings.HasPrefix(t.divs[idx[hi]].Code, prefix) {
		hi++
	}
	return t.collect(idx[lo:hi])
}

// streetsWithPrefix copies the streets whose code starts with prefix.
func (t *table) streetsWithPrefix(prefix string) []Division {
	s := t.divs[t.streetStart:]
	lo := sort.Search(len(s), func(k int) bool { return s[k].Code >= prefix })
	hi := lo
	for hi < len(s) && strings.HasPrefix(s[hi].Code, prefix) {
		hi++
	}
	return slices.Clone(s[lo:hi:hi])
}

// parse builds the table from the four CSV files and verifies it: exact
// headers, column counts, code lengths, quoted names, unique codes, existing
// parents, and every code starting with its parents' codes (a district's
// cityCode is its first 4 digits, a street's areaCode its first 6).
func parse(src sources) (*table, error) {
	// Expected sizes, used only to size allocations.
	const (
		nAbove   = 1 + 31 + 342 + 2978
		nStreets = 41352
	)
	t := &table{
		divs:      make([]Division, 0, nAbove+nStreets),
		byCode:    make(map[string]int32, nAbove),
		districts: make([]int32, 0, 2978),
	}
	parents := make([]int32, 0, nAbove) // parallel to t.divs until the streets
	add := func(d Division, parent int32) (int32, error) {
		i := int32(len(t.divs))
		t.byCode[d.Code] = i
		if len(t.byCode) == len(t.divs) {
			// No new key: a duplicate. The table is discarded, so the
			// overwritten entry does not matter.
			return 0, fmt.Errorf("duplicate code %s", d.Code)
		}
		t.divs = append(t.divs, d)
		parents = append(parents, parent)
		return i, nil
	}
	if _, err := add(Division{Code: CountryCode, Name: countryName, Level: LevelCountry}, -1); err != nil {
		return nil, err
	}

	// provinces.csv: code(2),name
	err := eachRow("provinces.csv", src.provinces, "code,name", func(f []string) error {
		code, name := f[0], f[1]
		if err := digits(code, 2); err != nil {
			return err
		}
		if code == "00" {
			return fmt.Errorf("province code %q is the country's", code)
		}
		if _, err := add(Division{Code: code + "0000", Name: name, Level: LevelProvince, ParentCode: CountryCode}, 0); err != nil {
			return err
		}
		t.counts.Provinces++
		return nil
	})
	if err != nil {
		return nil, err
	}

	// cities.csv: code(4),name,provinceCode(2)
	err = eachRow("cities.csv", src.cities, "code,name,provinceCode", func(f []string) error {
		code, name, prov := f[0], f[1], f[2]
		if err := digits(code, 4); err != nil {
			return err
		}
		if err := prefixOf(prov, 2, code); err != nil {
			return err
		}
		if code[2:] == "00" {
			return fmt.Errorf("city code %q has the shape of a province", code)
		}
		pi, ok := t.byCode[prov+"0000"]
		if !ok {
			return fmt.Errorf("city %s: unknown province %s", code, prov)
		}
		if name == "市辖区" || name == "县" {
			name = t.divs[pi].Name
		}
		if _, err := add(Division{Code: code + "00", Name: name, Level: LevelCity, ParentCode: t.divs[pi].Code}, pi); err != nil {
			return err
		}
		t.counts.Cities++
		return nil
	})
	if err != nil {
		return nil, err
	}

	// areas.csv: code(6),name,cityCode(4),provinceCode(2)
	var county []int32
	err = eachRow("areas.csv", src.areas, "code,name,cityCode,provinceCode", func(f []string) error {
		code, name, city, prov := f[0], f[1], f[2], f[3]
		if err := digits(code, 6); err != nil {
			return err
		}
		if err := prefixOf(city, 4, code); err != nil {
			return err
		}
		if err := prefixOf(prov, 2, code); err != nil {
			return err
		}
		ci, ok := t.byCode[code[:4]+"00"]
		if !ok {
			return fmt.Errorf("district %s: unknown city %s", code, city)
		}
		if code[4:] == "00" {
			// A city without districts listed as its own county-level
			// unit (东莞市 441900): same code, so the same Division.
			if t.divs[ci].Name != name {
				return fmt.Errorf("district %s %q has its city's code but not its name %q", code, name, t.divs[ci].Name)
			}
			if slices.Contains(county, ci) {
				return fmt.Errorf("duplicate code %s", code)
			}
			county = append(county, ci)
		} else {
			i, err := add(Division{Code: code, Name: name, Level: LevelDistrict, ParentCode: t.divs[ci].Code}, ci)
			if err != nil {
				return err
			}
			county = append(county, i)
		}
		t.counts.Districts++
		return nil
	})
	if err != nil {
		return nil, err
	}
	t.districts = county
	t.county = make([]bool, len(t.divs))
	for _, i := range county {
		t.county[i] = true
	}
	t.children = make([][]int32, len(t.divs))
	for i := 1; i < len(t.divs); i++ {
		p := parents[i]
		if t.county[p] {
			return nil, fmt.Errorf("areas.csv: city %s is its own county-level unit but also has district %s", t.divs[p].Code, t.divs[i].Code)
		}
		t.children[p] = append(t.children[p], int32(i))
	}

	// streets.csv: code(9),name,areaCode(6),provinceCode(2),cityCode(4)
	t.streetStart = len(t.divs)
	lastArea := "" // streets come grouped by district: look each up once
	err = eachRow("streets.csv", src.streets, "code,name,areaCode,provinceCode,cityCode", func(f []string) error {
		code, name, area, prov, city := f[0], f[1], f[2], f[3], f[4]
		if err := digits(code, 9); err != nil {
			return err
		}
		if err := prefixOf(area, 6, code); err != nil {
			return err
		}
		if err := prefixOf(prov, 2, code); err != nil {
			return err
		}
		if err := prefixOf(city, 4, code); err != nil {
			return err
		}
		if area != lastArea {
			ai, ok := t.byCode[area]
			if !ok || !t.county[ai] {
				return fmt.Errorf("street %s: unknown district %s", code, area)
			}
			lastArea = t.divs[ai].Code
		}
		t.divs = append(t.divs, Division{Code: code, Name: name, Level: LevelStreet, ParentCode: lastArea})
		t.counts.Streets++
		return nil
	})
	if err != nil {
		return nil, err
	}
	streets := t.divs[t.streetStart:]
	byCode := func(a, b Division) int { return strings.Compare(a.Code, b.Code) }
	if !slices.IsSortedFunc(streets, byCode) {
		slices.SortFunc(streets, byCode)
	}
	for k := 1; k < len(streets); k++ {
		if streets[k].Code == streets[k-1].Code {
			return nil, fmt.Errorf("streets.csv: duplicate code %s", streets[k].Code)
		}
	}

	// The 6-digit entries were appended in file order: sort the indexes.
	idxByCode := func(a, b int32) int { return strings.Compare(t.divs[a].Code, t.divs[b].Code) }
	for _, c := range t.children {
		slices.SortFunc(c, idxByCode)
	}
	slices.SortFunc(t.districts, idxByCode)
	return t, nil
}

// eachRow checks that data starts with the header line and calls fn with
// the fields of each following line. Fields are separated by commas; the
// second field (the name) must be double-quoted, non-empty and contain no
// quote, and is passed unquoted. Every line must have as many fields as the
// header. A final newline is optional; blank lines are rejected.
func eachRow(file, data, header string, fn func(fields []string) error) error {
	n := strings.Count(header, ",") + 1
	var buf [8]string
	fields := buf[:n]
	line := 0
	for rest := data; rest != ""; {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		l = strings.TrimSuffix(l, "\r")
		line++
		if line == 1 {
			if l != header {
				return fmt.Errorf("%s: header %q, want %q", file, l, header)
			}
			continue
		}
		k := 0
		for s := l; ; k++ {
			f, more, found := strings.Cut(s, ",")
			if k < n {
				fields[k] = f
			}
			if !found {
				break
			}
			s = more
		}
		if k+1 != n {
			return fmt.Errorf("%s:%d: %d fields, want %d", file, line, k+1, n)
		}
		name := fields[1]
		if len(name) < 3 || name[0] != '"' || name[len(name)-1] != '"' || strings.Contains(name[1:len(name)-1], `"`) {
			return fmt.Errorf("%s:%d: name %s is not a simple quoted string", file, line, name)
		}
		fields[1] = name[1 : len(name)-1]
		if err := fn(fields); err != nil {
			return fmt.Errorf("%s:%d: %w", file, line, err)
		}
	}
	if line == 0 {
		return fmt.Errorf("%s: empty", file)
	}
	return nil
}

// digits checks that s is exactly n ASCII digits.
func digits(s string, n int) error {
	if len(s) != n {
		return fmt.Errorf("code %q: want %d digits", s, n)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("code %q: want %d digits", s, n)
		}
	}
	return nil
}

// prefixOf checks that parent is n digits and the first n digits of code.
func prefixOf(parent string, n int, code string) error {
	if err := digits(parent, n); err != nil {
		return err
	}
	if code[:n] != parent {
		return fmt.Errorf("code %s does not start with its parent code %s", code, parent)
	}
	return nil
}
