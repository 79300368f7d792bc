package tenants

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func TestShippedPacks(t *testing.T) {
	ps, err := Packs()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, " "); got != "border-yangtze-delta jinan shanghai" {
		t.Fatalf("packs %q", got)
	}
	for _, tc := range []struct {
		name, tenant, packs string
	}{
		{"Putuo is Shanghai's", "310107", "shanghai"},
		{"Qingpu is Shanghai's and the border's", "310118", "border-yangtze-delta shanghai"},
		{"Huaiyin is Jinan's", "370104", "jinan"},
		{"Jinan's city", "370100", "jinan"},
		{"Wujiang is the border's only", "320509", "border-yangtze-delta"},
		{"Qingdao has none", "370200", ""},
		{"the country has none", "000000", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := PacksFor(tc.tenant)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.Name)
			}
			if strings.Join(got, " ") != tc.packs {
				t.Errorf("PacksFor(%s) = %v, want %q", tc.tenant, got, tc.packs)
			}
		})
	}
	sh := ps[2]
	if pl := sh.Plugins[0]; pl.Name != "shanghai-brand" || !pl.Subtree || pl.Tenants[0] != "310000" {
		t.Errorf("shanghai-brand: %+v", pl)
	}
	var s struct {
		Targets struct {
			ChiefMediators int `json:"chief_mediators"`
		} `json:"targets"`
	}
	if err := json.Unmarshal(sh.Plugins[0].Settings, &s); err != nil || s.Targets.ChiefMediators != 300 {
		t.Errorf("shanghai-brand settings %s: %v", sh.Plugins[0].Settings, err)
	}
	if k := ps[1].OrganisationKinds; len(k) != 5 || k[0].Code != "sanitation_station" || k[0].Base != "department" {
		t.Errorf("Jinan's kinds: %+v", k)
	}
}

func TestPacksAreTheCallersCopy(t *testing.T) {
	a, err := Packs()
	if err != nil {
		t.Fatal(err)
	}
	a[0].Regions[0] = "99"
	a[0].Plugins[0].Tenants[0] = "999999"
	a[0].Plugins[0].Settings[0] = 'x'
	b, err := Packs()
	if err != nil {
		t.Fatal(err)
	}
	if b[0].Regions[0] == "99" || b[0].Plugins[0].Tenants[0] == "999999" || b[0].Plugins[0].Settings[0] == 'x' {
		t.Fatal("a caller changed the shipped packs")
	}
}

const validPack = `
name: test
title: {zh: 测试}
regions: ["31"]
sources: [a seed]
plugins:
  - {name: a-plugin, tenants: ["310107"], settings: {k: v, n: [1, 2]}}
dispute_types:
  - {code: finance_x, name_zh: 金融, industry: finance, source: s}
organisation_kinds:
  - {code: land_station_x, name_zh: 土地所, base: department, source: s}
`

// wholeFile marks an error of the whole file (PackError.Field "").
const wholeFile = "(file)"

func TestParsePack(t *testing.T) {
	for _, tc := range []struct {
		name  string
		file  string
		edit  func(string) string
		field string // where the error is: "" valid, wholeFile for the file
	}{
		{"valid", "test.yaml", nil, ""},
		{"no settings is {}", "test.yaml", func(s string) string { return strings.Replace(s, ", settings: {k: v, n: [1, 2]}", "", 1) }, ""},
		{"no plugins, types or kinds", "test.yaml", func(s string) string { return s[:strings.Index(s, "plugins:")] }, ""},
		{"name differs from the file", "other.yaml", nil, "name"},
		{"bad name", "Test.yaml", func(s string) string { return strings.Replace(s, "name: test", "name: Test", 1) }, "name"},
		{"no Chinese title", "test.yaml", func(s string) string { return strings.Replace(s, "{zh: 测试}", "{en: Test}", 1) }, "title.zh"},
		{"no sources", "test.yaml", func(s string) string { return strings.Replace(s, "sources: [a seed]", "sources: []", 1) }, "sources"},
		{"blank source", "test.yaml", func(s string) string { return strings.Replace(s, "[a seed]", `["  "]`, 1) }, "sources[0]"},
		{"no regions", "test.yaml", func(s string) string { return strings.Replace(s, `regions: ["31"]`, "regions: []", 1) }, "regions"},
		{"region of 3 digits", "test.yaml", func(s string) string { return strings.Replace(s, `["31"]`, `["310"]`, 1) }, "regions[0]"},
		{"region not listed", "test.yaml", func(s string) string { return strings.Replace(s, `["31"]`, `["99"]`, 1) }, "regions[0]"},
		{"region is the country", "test.yaml", func(s string) string { return strings.Replace(s, `["31"]`, `["00"]`, 1) }, "regions[0]"},
		{"plugin name", "test.yaml", func(s string) string { return strings.Replace(s, "a-plugin", "A_plugin", 1) }, "plugins[0].name"},
		{"plugin twice", "test.yaml", func(s string) string {
			return strings.Replace(s, "dispute_types:", "  - {name: a-plugin, tenants: [\"310107\"]}\ndispute_types:", 1)
		}, "plugins[1].name"},
		{"plugin without tenants", "test.yaml", func(s string) string { return strings.Replace(s, `tenants: ["310107"], `, "", 1) }, "plugins[0].tenants"},
		{"plugin tenant outside the regions", "test.yaml", func(s string) string { return strings.Replace(s, `"310107"`, `"370104"`, 1) }, "plugins[0].tenants[0]"},
		{"plugin tenant a street", "test.yaml", func(s string) string { return strings.Replace(s, `"310107"`, `"310107015"`, 1) }, "plugins[0].tenants[0]"},
		{"plugin tenant unknown", "test.yaml", func(s string) string { return strings.Replace(s, `"310107"`, `"319999"`, 1) }, "plugins[0].tenants[0]"},
		{"settings a list", "test.yaml", func(s string) string { return strings.Replace(s, "{k: v, n: [1, 2]}", "[1, 2]", 1) }, "plugins[0].settings"},
		{"settings with a non-string key", "test.yaml", func(s string) string { return strings.Replace(s, "{k: v, n: [1, 2]}", "{k: {1: a}}", 1) }, "plugins[0].settings"},
		{"dispute type code", "test.yaml", func(s string) string { return strings.Replace(s, "finance_x", "Finance", 1) }, "dispute_types[0].code"},
		{"dispute type built in", "test.yaml", func(s string) string { return strings.Replace(s, "finance_x", "neighbour", 1) }, "dispute_types[0].code"},
		{"dispute type without Chinese name", "test.yaml", func(s string) string { return strings.Replace(s, "name_zh: 金融, ", "", 1) }, "dispute_types[0].name_zh"},
		{"dispute type industry", "test.yaml", func(s string) string { return strings.Replace(s, "industry: finance", "industry: banking", 1) }, "dispute_types[0].industry"},
		{"dispute type without source", "test.yaml", func(s string) string {
			return strings.Replace(s, "industry: finance, source: s", "industry: finance", 1)
		}, "dispute_types[0].source"},
		{"kind code", "test.yaml", func(s string) string { return strings.Replace(s, "land_station_x", "土地所", 1) }, "organisation_kinds[0].code"},
		{"kind of the platform", "test.yaml", func(s string) string { return strings.Replace(s, "land_station_x", "police_station", 1) }, "organisation_kinds[0].code"},
		{"kind base unknown", "test.yaml", func(s string) string { return strings.Replace(s, "base: department", "base: bureau", 1) }, "organisation_kinds[0].base"},
		{"kind without Chinese name", "test.yaml", func(s string) string { return strings.Replace(s, "name_zh: 土地所, ", "", 1) }, "organisation_kinds[0].name_zh"},
		{"unknown key", "test.yaml", func(s string) string { return strings.Replace(s, "regions:", "region_list: [\"31\"]\nregions:", 1) }, wholeFile},
		{"not YAML", "test.yaml", func(string) string { return "name: [" }, wholeFile},
		{"empty", "test.yaml", func(string) string { return "" }, wholeFile},
		{"two documents", "test.yaml", func(s string) string { return s + "---\nname: x\n" }, wholeFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := validPack
			if tc.edit != nil {
				src = tc.edit(src)
			}
			p, err := ParsePack(tc.file, []byte(src))
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if p.Name != "test" {
					t.Errorf("parsed %+v", p)
				}
				return
			}
			var pe *PackError
			if !errors.As(err, &pe) || !errors.Is(err, ErrInvalidPack) {
				t.Fatalf("want a *PackError, got %v", err)
			}
			if want := strings.TrimPrefix(tc.field, wholeFile); pe.Field != want || pe.File != tc.file {
				t.Errorf("error at %s %q, want %s %q: %v", pe.File, pe.Field, tc.file, tc.field, err)
			}
			if !strings.Contains(err.Error(), "区域数据包无效 / invalid regional pack "+tc.file) {
				t.Errorf("message %q does not name the file", err)
			}
		})
	}
}

func TestParsePackSettingsAsJSON(t *testing.T) {
	p, err := ParsePack("test.yaml", []byte(validPack))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(p.Plugins[0].Settings); got != `{"k":"v","n":[1,2]}` {
		t.Errorf("settings %s", got)
	}
}

func TestLoadPacksAcrossPacks(t *testing.T) {
	other := strings.NewReplacer("name: test", "name: other", "a-plugin", "b-plugin").Replace(validPack)
	for _, tc := range []struct {
		name  string
		other string
		field string
	}{
		{"distinct codes", strings.NewReplacer("finance_x", "finance_y", "land_station_x", "land_station_y").Replace(other), ""},
		{"a dispute type in two packs", strings.NewReplacer("land_station_x", "land_station_y").Replace(other), "dispute_types[0].code"},
		{"a kind in two packs", strings.NewReplacer("finance_x", "finance_y").Replace(other), "organisation_kinds[0].code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := LoadPacks(fstest.MapFS{
				"test.yaml":  {Data: []byte(validPack)},
				"other.yaml": {Data: []byte(tc.other)},
				"README.md":  {Data: []byte("not a pack")},
			})
			if tc.field == "" {
				if err != nil || len(ps) != 2 || ps[0].Name != "other" {
					t.Fatalf("got %v, %v", ps, err)
				}
				return
			}
			var pe *PackError
			if !errors.As(err, &pe) || pe.File != "test.yaml" || pe.Field != tc.field {
				t.Fatalf("want an error at test.yaml %s, got %v", tc.field, err)
			}
		})
	}
}

// FuzzParsePack: packs are YAML written by hand; whatever the bytes, the parser answers a pack or
// a *PackError, never panics, and what it accepts validates again.
func FuzzParsePack(f *testing.F) {
	f.Add([]byte(validPack))
	for _, n := range []string{"shanghai", "jinan", "border-yangtze-delta"} {
		b, err := packFiles.ReadFile("packs/" + n + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("name: test\nplugins: [{settings: &a [*a]}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePack("test.yaml", data)
		if err != nil {
			if !errors.Is(err, ErrInvalidPack) {
				t.Fatalf("not a pack error: %v", err)
			}
			return
		}
		if err := p.validate("test.yaml"); err != nil {
			t.Fatalf("accepted, then invalid: %v", err)
		}
		for _, pl := range p.Plugins {
			if !json.Valid(pl.Settings) {
				t.Fatalf("settings not JSON: %s", pl.Settings)
			}
		}
	})
}
