package tenants

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/plugins"
)

// A regional pack is the data the product ships for one region: which plugins the region
// enables, where and with which settings, and the dispute types and organisation kinds of the
// region that the platform's catalogues lack, each with the source it comes from. Packs are
// embedded (packs/*.yaml), parsed and validated once, and read by the core; applying them on
// onboarding is a later step.

//go:embed packs/*.yaml
var packFiles embed.FS

// ErrInvalidPack is matched (errors.Is) by every error of a pack that does not validate.
var ErrInvalidPack = errors.New("invalid regional pack")

// PackError names the pack and the field that make it invalid.
type PackError struct {
	File  string // e.g. jinan.yaml
	Field string // e.g. organisation_kinds[2].base; "" for the whole file
	Msg   string // zh-CN first, then English
}

func (e *PackError) Error() string {
	at := e.File
	if e.Field != "" {
		at += ": " + e.Field
	}
	return fmt.Sprintf("区域数据包无效 / invalid regional pack %s: %s", at, e.Msg)
}

func (e *PackError) Unwrap() error { return ErrInvalidPack }

// Pack is one region's data.
type Pack struct {
	// Name is the pack's name, the name of its file without .yaml.
	Name  string `yaml:"name"`
	Title Text   `yaml:"title"`
	// Regions are division-code prefixes as plugins declare them ("31" Shanghai, "3701"
	// Jinan, "310118" one district): the pack concerns the tenants under them.
	Regions []string `yaml:"regions"`
	// Sources say where the pack's content comes from (seed documents, issues).
	Sources           []string          `yaml:"sources"`
	Plugins           []PackPlugin      `yaml:"-"` // read through rawPack: settings are YAML
	DisputeTypes      []PackDisputeType `yaml:"dispute_types"`
	OrganisationKinds []PackOrgKind     `yaml:"organisation_kinds"`
}

// Text is user-facing text, Chinese first.
type Text struct {
	ZH string `yaml:"zh"`
	EN string `yaml:"en"`
}

// PackPlugin is a plugin the region enables: where, for the subtree or not, with which settings
// (checked against the plugin's schema when it is enabled: the plugin may not be installed yet).
type PackPlugin struct {
	Name     string   `yaml:"name"`
	Tenants  []string `yaml:"tenants"`
	Subtree  bool     `yaml:"subtree"`
	Settings json.RawMessage
}

// PackDisputeType is a dispute type of the region, beside the platform's built-in ones.
type PackDisputeType struct {
	Code   string `yaml:"code"`
	NameZH string `yaml:"name_zh"`
	NameEN string `yaml:"name_en"`
	// Industry names the industry committees that handle the type (routing), if any.
	Industry string `yaml:"industry"`
	Source   string `yaml:"source"`
}

// PackOrgKind is a kind of organisation of the region that the platform's registry does
// not know by name.
type PackOrgKind struct {
	Code   string `yaml:"code"`
	NameZH string `yaml:"name_zh"`
	NameEN string `yaml:"name_en"`
	// Base is the platform's kind such units are registered as today ("" when none fits).
	Base   string `yaml:"base"`
	Source string `yaml:"source"`
}

// Covers reports whether the pack concerns the tenant code (one of its regions is a prefix).
func (p Pack) Covers(code string) bool { return plugins.RegionAllows(p.Regions, code) }

// Packs returns the embedded regional packs, validated, sorted by name. The result is the
// caller's: changing it changes nothing else.
func Packs() ([]Pack, error) {
	ps, err := embeddedPacks()
	if err != nil {
		return nil, err
	}
	out := make([]Pack, len(ps))
	for i, p := range ps {
		out[i] = p.clone()
	}
	return out, nil
}

// PacksFor returns the packs that concern the tenant code, sorted by name.
func PacksFor(code string) ([]Pack, error) {
	ps, err := Packs()
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ps, func(p Pack) bool { return !p.Covers(code) }), nil
}

var embeddedPacks = sync.OnceValues(func() ([]Pack, error) {
	sub, err := fs.Sub(packFiles, "packs")
	if err != nil {
		return nil, err
	}
	return LoadPacks(sub)
})

// LoadPacks parses and validates every *.yaml of fsys (its top folder), and checks them
// together: codes of dispute types and organisation kinds are unique across packs.
func LoadPacks(fsys fs.FS) ([]Pack, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	var out []Pack
	typeIn, kindIn := map[string]string{}, map[string]string{}
	for _, n := range names { // fs.Glob sorts
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		p, err := ParsePack(n, data)
		if err != nil {
			return nil, err
		}
		for i, t := range p.DisputeTypes {
			if other, dup := typeIn[t.Code]; dup {
				return nil, &PackError{n, fmt.Sprintf("dispute_types[%d].code", i), fmt.Sprintf("纠纷类型 %q 已由数据包 %s 定义 / dispute type %q is already defined by pack %s", t.Code, other, t.Code, other)}
			}
			typeIn[t.Code] = n
		}
		for i, k := range p.OrganisationKinds {
			if other, dup := kindIn[k.Code]; dup {
				return nil, &PackError{n, fmt.Sprintf("organisation_kinds[%d].code", i), fmt.Sprintf("组织类型 %q 已由数据包 %s 定义 / organisation kind %q is already defined by pack %s", k.Code, other, k.Code, other)}
			}
			kindIn[k.Code] = n
		}
		out = append(out, p)
	}
	return out, nil
}

// rawPack is a pack as written: settings are YAML, turned into JSON.
type rawPack struct {
	Pack    `yaml:",inline"`
	Plugins []rawPlugin `yaml:"plugins"`
}

type rawPlugin struct {
	Name     string    `yaml:"name"`
	Tenants  []string  `yaml:"tenants"`
	Subtree  bool      `yaml:"subtree"`
	Settings yaml.Node `yaml:"settings"`
}

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// maxPackSize bounds a pack file: packs are small, hand-written data.
const maxPackSize = 1 << 20

// ParsePack parses and validates one pack; file is its file name (name.yaml). Unknown fields
// are errors, so that a misspelt key is not silently ignored.
func ParsePack(file string, data []byte) (Pack, error) {
	bad := func(field, zh, en string, args ...any) (Pack, error) {
		return Pack{}, &PackError{file, field, fmt.Sprintf(zh+" / "+en, args...)}
	}
	if len(data) > maxPackSize {
		return bad("", "文件超过 %d 字节", "the file exceeds %d bytes", maxPackSize)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var raw rawPack
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return bad("", "文件为空", "the file is empty")
		}
		return bad("", "不是有效的 YAML 文本：%v", "not valid YAML: %v", err, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return bad("", "只能包含一个 YAML 文档", "only one YAML document is allowed")
	}
	p := raw.Pack
	p.Plugins = nil
	for i, rp := range raw.Plugins {
		pp := PackPlugin{Name: rp.Name, Tenants: rp.Tenants, Subtree: rp.Subtree, Settings: json.RawMessage(`{}`)}
		if !rp.Settings.IsZero() {
			var v any
			if err := rp.Settings.Decode(&v); err != nil {
				return bad(fmt.Sprintf("plugins[%d].settings", i), "设置无法读取：%v", "cannot read the settings: %v", err, err)
			}
			if _, ok := v.(map[string]any); !ok {
				return bad(fmt.Sprintf("plugins[%d].settings", i), "设置须为映射（JSON 对象）", "settings must be a mapping (a JSON object)")
			}
			b, err := json.Marshal(v)
			if err != nil {
				return bad(fmt.Sprintf("plugins[%d].settings", i), "设置无法转为 JSON：%v", "settings cannot be turned into JSON: %v", err, err)
			}
			pp.Settings = b
		}
		p.Plugins = append(p.Plugins, pp)
	}
	if err := p.validate(file); err != nil {
		return Pack{}, err
	}
	return p, nil
}

func (p Pack) validate(file string) error {
	bad := func(field, zh, en string, args ...any) error {
		return &PackError{file, field, fmt.Sprintf(zh+" / "+en, args...)}
	}
	if !plugins.ValidName(p.Name) || p.Name+".yaml" != path.Base(file) {
		return bad("name", "名称须为 2–40 位小写字母、数字或连字符，且与文件名相同，实际为 %q", "name must be 2–40 lowercase letters, digits or hyphens and match the file name, got %q", p.Name, p.Name)
	}
	if strings.TrimSpace(p.Title.ZH) == "" {
		return bad("title.zh", "须有中文标题", "a Chinese title is required")
	}
	if len(p.Sources) == 0 {
		return bad("sources", "须注明来源", "the sources are required")
	}
	for i, s := range p.Sources {
		if strings.TrimSpace(s) == "" {
			return bad(fmt.Sprintf("sources[%d]", i), "来源不得为空", "a source must not be empty")
		}
	}
	if len(p.Regions) == 0 {
		return bad("regions", "须至少有一个地区", "at least one region is required")
	}
	for i, r := range p.Regions {
		if err := checkRegion(r); err != nil {
			return bad(fmt.Sprintf("regions[%d]", i), "%q 不是行政区划代码前缀（2、4 或 6 位，须存在）：%v", "%q is not a division-code prefix (2, 4 or 6 digits, listed): %v", r, err, r, err)
		}
	}
	seen := map[string]bool{}
	for i, pl := range p.Plugins {
		f := fmt.Sprintf("plugins[%d]", i)
		if !plugins.ValidName(pl.Name) || seen[pl.Name] {
			return bad(f+".name", "插件名须唯一，为 2–40 位小写字母、数字或连字符，实际为 %q", "a plugin name must be unique, 2–40 lowercase letters, digits or hyphens, got %q", pl.Name, pl.Name)
		}
		seen[pl.Name] = true
		if len(pl.Tenants) == 0 {
			return bad(f+".tenants", "须指明在哪些租户启用", "the tenants to enable it in are required")
		}
		for j, c := range pl.Tenants {
			if _, err := division.Lookup(c); err != nil || len(c) != 6 {
				return bad(fmt.Sprintf("%s.tenants[%d]", f, j), "%q 不是租户代码（6 位行政区划代码）", "%q is not a tenant code (a 6-digit division code)", c, c)
			}
			if !p.Covers(c) {
				return bad(fmt.Sprintf("%s.tenants[%d]", f, j), "租户 %s 不在数据包的地区 %v 内", "tenant %s is outside the pack's regions %v", c, p.Regions, c, p.Regions)
			}
		}
	}
	builtIn := map[string]bool{}
	for _, t := range cases.BuiltInTypes() {
		builtIn[t.Code] = true
	}
	seen = map[string]bool{}
	for i, t := range p.DisputeTypes {
		f := fmt.Sprintf("dispute_types[%d]", i)
		switch {
		case !cases.ValidTypeCode(t.Code) || seen[t.Code]:
			return bad(f+".code", "代码须唯一，为小写字母开头的 2–40 位小写字母、数字或下划线，实际为 %q", "the code must be unique, 2–40 lowercase letters, digits or underscores starting with a letter, got %q", t.Code, t.Code)
		case builtIn[t.Code]:
			return bad(f+".code", "%q 是平台内置纠纷类型", "%q is a built-in dispute type of the platform", t.Code, t.Code)
		case strings.TrimSpace(t.NameZH) == "":
			return bad(f+".name_zh", "须有中文名称", "a Chinese name is required")
		case t.Industry != "" && !slices.Contains(orgs.Industries(), t.Industry):
			return bad(f+".industry", "行业须为 %s 之一，实际为 %q", "industry must be one of %s, got %q", strings.Join(orgs.Industries(), ", "), t.Industry, strings.Join(orgs.Industries(), ", "), t.Industry)
		case strings.TrimSpace(t.Source) == "":
			return bad(f+".source", "须注明来源", "the source is required")
		}
		seen[t.Code] = true
	}
	seen = map[string]bool{}
	for i, k := range p.OrganisationKinds {
		f := fmt.Sprintf("organisation_kinds[%d]", i)
		_, core := orgs.LookupKind(k.Code)
		_, base := orgs.LookupKind(k.Base)
		switch {
		case !codePattern.MatchString(k.Code) || seen[k.Code]:
			return bad(f+".code", "代码须唯一，为小写字母开头的 2–40 位小写字母、数字或下划线，实际为 %q", "the code must be unique, 2–40 lowercase letters, digits or underscores starting with a letter, got %q", k.Code, k.Code)
		case core:
			return bad(f+".code", "%q 是平台已有的组织类型", "%q is a kind the platform already has", k.Code, k.Code)
		case strings.TrimSpace(k.NameZH) == "":
			return bad(f+".name_zh", "须有中文名称", "a Chinese name is required")
		case k.Base != "" && !base:
			return bad(f+".base", "%q 不是平台的组织类型", "%q is not a kind of the platform", k.Base, k.Base)
		case strings.TrimSpace(k.Source) == "":
			return bad(f+".source", "须注明来源", "the source is required")
		}
		seen[k.Code] = true
	}
	return nil
}

// checkRegion accepts a division-code prefix of 2, 4 or 6 digits naming a listed province,
// city or district.
func checkRegion(r string) error {
	if len(r) != 2 && len(r) != 4 && len(r) != 6 || strings.HasPrefix(r, "00") {
		return errors.New("not a prefix of a province, city or district")
	}
	_, err := division.Lookup(r + strings.Repeat("0", 6-len(r)))
	return err
}

func (p Pack) clone() Pack {
	p.Regions = slices.Clone(p.Regions)
	p.Sources = slices.Clone(p.Sources)
	p.DisputeTypes = slices.Clone(p.DisputeTypes)
	p.OrganisationKinds = slices.Clone(p.OrganisationKinds)
	pls := make([]PackPlugin, len(p.Plugins))
	for i, pl := range p.Plugins {
		pl.Tenants = slices.Clone(pl.Tenants)
		pl.Settings = slices.Clone(pl.Settings)
		pls[i] = pl
	}
	p.Plugins = pls
	return p
}
