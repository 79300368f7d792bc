package plugins

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/division"
	"github.com/fengqiao/fengqiao/core/valid"
)

func validManifest() *Manifest {
	return &Manifest{
		Name: "shanghai-brand", Version: "1.2.0", ProtocolVersion: 1,
		Description: Text{Zh: "上海调解品牌认证", En: "Shanghai mediation brand certification"},
		Regions:     []string{"31"},
		Hooks:       []Hook{{Name: "case.intake"}, {Name: "case.close", TimeoutMS: 500, FailOpen: true}},
		Events:      []string{"case.concluded"},
		Routes: []Route{
			{Method: "GET", Path: "/applications"},
			{Method: "POST", Path: "/applications/{id}/scores"},
			{Method: "GET", Path: "/public/brands", Public: true},
		},
		Jobs:           []Job{{Name: "monthly-review", Schedule: "@monthly"}},
		Permissions:    []string{"cases.read", "stats.read"},
		SettingsSchema: []byte(`{"type":"object","properties":{"min_score":{"type":"integer","default":80,"minimum":0,"maximum":100}},"additionalProperties":false}`),
		Console:        []ConsoleEntry{{Menu: Text{Zh: "品牌认证", En: "Brands"}, Path: "/applications", Kind: "page"}},
	}
}

func TestCheckManifest(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(m *Manifest)
		field  string // "" valid
	}{
		{"valid", func(*Manifest) {}, ""},
		{"every region", func(m *Manifest) { m.Regions = []string{"*"} }, ""},
		{"upper-case name", func(m *Manifest) { m.Name = "Brand" }, "name"},
		{"version not semantic", func(m *Manifest) { m.Version = "v1" }, "version"},
		{"protocol differs from the handshake", func(m *Manifest) { m.ProtocolVersion = 2 }, "protocol_version"},
		{"no English description", func(m *Manifest) { m.Description.En = "" }, "description"},
		{"no regions", func(m *Manifest) { m.Regions = nil }, "regions"},
		{"odd region", func(m *Manifest) { m.Regions = []string{"310"} }, "regions[0]"},
		{"unknown hook", func(m *Manifest) { m.Hooks[0].Name = "case.teleport" }, "hooks[0].name"},
		{"hook twice", func(m *Manifest) { m.Hooks[1].Name = "case.intake" }, "hooks[1].name"},
		{"hook deadline too long", func(m *Manifest) { m.Hooks[0].TimeoutMS = 10000 }, "hooks[0].timeout_ms"},
		{"unknown event", func(m *Manifest) { m.Events = []string{"case.exploded"} }, "events[0]"},
		{"route method", func(m *Manifest) { m.Routes[0].Method = "TRACE" }, "routes[0].method"},
		{"route root", func(m *Manifest) { m.Routes[0].Path = "/" }, "routes[0].path"},
		{"route trailing slash", func(m *Manifest) { m.Routes[0].Path = "/applications/" }, "routes[0].path"},
		{"route segment", func(m *Manifest) { m.Routes[0].Path = "/Apps/../x" }, "routes[0].path"},
		{"public write", func(m *Manifest) { m.Routes[1].Public = true }, "routes[1].public"},
		{"route twice", func(m *Manifest) { m.Routes[2].Path, m.Routes[2].Public = "/applications", false }, "routes[2]"},
		{"bad schedule", func(m *Manifest) { m.Jobs[0].Schedule = "every day" }, "jobs[0].schedule"},
		{"too frequent", func(m *Manifest) { m.Jobs[0].Schedule = "@every 1s" }, "jobs[0].schedule"},
		{"unknown permission", func(m *Manifest) { m.Permissions = []string{"database"} }, "permissions[0]"},
		{"schema not an object", func(m *Manifest) { m.SettingsSchema = []byte(`{"type":"string"}`) }, "settings_schema"},
		{"schema not JSON", func(m *Manifest) { m.SettingsSchema = []byte(`{`) }, "settings_schema"},
		{"schema reaching out", func(m *Manifest) {
			m.SettingsSchema = []byte(`{"type":"object","properties":{"a":{"$ref":"https://example.com/x.json"}}}`)
		}, "settings_schema"},
		{"defaults violate the schema", func(m *Manifest) {
			m.SettingsSchema = []byte(`{"type":"object","properties":{"n":{"type":"integer","default":"x"}}}`)
		}, "settings_schema"},
		{"console to no route", func(m *Manifest) { m.Console[0].Path = "/nowhere" }, "console[0].path"},
		{"openapi not JSON", func(m *Manifest) { m.OpenAPI = []byte("paths:") }, "openapi"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := validManifest()
			c.change(m)
			err := CheckManifest(m, 1)
			fe, isField := valid.First(err)
			switch {
			case c.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.field != "" && !isField:
				t.Fatalf("accepted, or not a field error: %v", err)
			case c.field != "" && fe.Field != c.field:
				t.Fatalf("field %q, want %q (%v)", fe.Field, c.field, err)
			case c.field != "" && !errors.Is(err, ErrInvalid):
				t.Fatalf("not ErrInvalid: %v", err)
			}
		})
	}
	if err := CheckManifest(nil, 1); err == nil {
		t.Error("nil manifest accepted")
	}
}

func TestEffective(t *testing.T) {
	rows := []Enablement{
		{Plugin: "p", TenantCode: "310000", Subtree: true, Enabled: true},
		{Plugin: "p", TenantCode: "310100", Subtree: false, Enabled: false}, // the city alone
		{Plugin: "p", TenantCode: "310107", Enabled: false},
		{Plugin: "q", TenantCode: "310118", Enabled: true},
		{Plugin: "p", TenantCode: "370000", Subtree: false, Enabled: true},
		{Plugin: "s", TenantCode: "000000", Subtree: true, Enabled: true},
		{Plugin: "s", TenantCode: "310000", Subtree: true, Enabled: true},
		{Plugin: "s", TenantCode: "310100", Subtree: true, Enabled: false},
	}
	for _, c := range []struct {
		plugin, tenant string
		governedBy     string // "" none
		enabled        bool
	}{
		{"p", "310118", "310000", true}, // the province's subtree
		{"p", "310100", "310100", false},
		{"p", "310107", "310107", false}, // its own row beats the subtree
		{"p", "310000", "310000", true},
		{"p", "370104", "", false}, // the province enabled itself only
		{"p", "370000", "370000", true},
		{"q", "310107", "", false},
		{"q", "310118", "310118", true},
		{"r", "310118", "", false},
		// The nearest subtree row governs, whatever the rows' order: the city's over the province's.
		{"s", "310107", "310100", false},
		{"s", "310118", "310100", false},
		{"s", "310000", "310000", true},
		{"s", "320102", "000000", true},
	} {
		t.Run(c.plugin+"/"+c.tenant, func(t *testing.T) {
			e, ok := Effective(rows, c.plugin, c.tenant)
			if ok != (c.governedBy != "") || e.TenantCode != c.governedBy || e.Enabled != c.enabled {
				t.Errorf("got %+v %v, want governed by %q enabled %v", e, ok, c.governedBy, c.enabled)
			}
		})
	}
}

func TestCoversAndRegions(t *testing.T) {
	for _, c := range []struct {
		scope, tenant string
		want          bool
	}{
		{"000000", "310107", true}, {"310000", "310107", true}, {"310100", "310107", true}, {"310107", "310107", true},
		{"310100", "310200", false}, {"370000", "310107", false}, {"310107", "310100", false}, {"110000", "110101", true},
	} {
		if got := division.Contains(c.scope, c.tenant); got != c.want {
			t.Errorf("division.Contains(%s, %s) = %v", c.scope, c.tenant, got)
		}
	}
	for _, c := range []struct {
		regions []string
		tenant  string
		want    bool
	}{
		{[]string{"31"}, "310107", true}, {[]string{"31"}, "370104", false}, {[]string{"3701"}, "370104", true},
		{[]string{"3701"}, "370200", false}, {[]string{"*"}, "650102", true}, {nil, "310107", false},
	} {
		if got := RegionAllows(c.regions, c.tenant); got != c.want {
			t.Errorf("RegionAllows(%v, %s) = %v", c.regions, c.tenant, got)
		}
	}
}

func TestMatchRoute(t *testing.T) {
	m := validManifest()
	for _, c := range []struct {
		method, path, pattern string
		params                map[string]string
		known                 bool
	}{
		{"GET", "/applications", "/applications", nil, true},
		{"POST", "/applications/42/scores", "/applications/{id}/scores", map[string]string{"id": "42"}, true},
		{"GET", "/applications/42/scores", "", nil, true}, // a path of POST only: 405
		{"POST", "/applications//scores", "", nil, false},
		{"GET", "/applications/42", "", nil, false},
		{"GET", "/public/brands", "/public/brands", nil, true},
		{"GET", "/", "", nil, false},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			r, params, ok := MatchRoute(m, c.method, c.path)
			if ok != (c.pattern != "") || ok && r.Path != c.pattern {
				t.Fatalf("matched %v %v", r, ok)
			}
			for k, v := range c.params {
				if params[k] != v {
					t.Errorf("param %s = %q, want %q", k, params[k], v)
				}
			}
			if PathKnown(m, c.path) != c.known {
				t.Errorf("PathKnown = %v", !c.known)
			}
		})
	}
}

func TestSchedules(t *testing.T) {
	at := time.Date(2026, 11, 22, 1, 30, 0, 0, time.UTC) // 09:30 in China
	for _, c := range []struct {
		schedule string
		want     time.Time
	}{
		{"@hourly", time.Date(2026, 11, 22, 9, 0, 0, 0, China)},
		{"@daily", time.Date(2026, 11, 22, 0, 0, 0, 0, China)},
		{"@monthly", time.Date(2026, 11, 1, 0, 0, 0, 0, China)},
		{"@every 15m", time.Date(2026, 11, 22, 9, 30, 0, 0, China)},
		{"@every 2h", time.Date(2026, 11, 22, 8, 0, 0, 0, China)},
	} {
		t.Run(c.schedule, func(t *testing.T) {
			s, err := ParseSchedule(c.schedule)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Latest(at); !got.Equal(c.want) {
				t.Errorf("Latest = %s, want %s", got, c.want)
			}
			if got := s.Latest(at); got.After(at) {
				t.Errorf("Latest after now")
			}
		})
	}
	for _, bad := range []string{"", "@yearly", "@every", "@every 30s", "@every 1000h", "0 * * * *"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", bad)
		}
	}
}

func TestSettings(t *testing.T) {
	s, err := CompileSettings(validManifest().SettingsSchema)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, in, want, field string
	}{
		{"defaults", ``, `{"min_score":80}`, ""},
		{"null", `null`, `{"min_score":80}`, ""},
		{"given", `{"min_score":90}`, `{"min_score":90}`, ""},
		{"out of range", `{"min_score":120}`, "", "settings.min_score"},
		{"wrong type", `{"min_score":"high"}`, "", "settings.min_score"},
		{"unknown", `{"colour":"red"}`, "", "settings"},
		{"not an object", `[1]`, "", "settings"},
		{"not JSON", `{`, "", "settings"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.Apply([]byte(c.in))
			fe, isField := valid.First(err)
			switch {
			case c.field == "" && (err != nil || string(got) != c.want):
				t.Fatalf("%s, %v; want %s", got, err, c.want)
			case c.field != "" && (!isField || fe.Field != c.field):
				t.Fatalf("error %v, want one on %s", err, c.field)
			case c.field != "" && !strings.Contains(fe.Message, " / "):
				t.Errorf("message not bilingual: %s", fe.Message)
			}
		})
	}
	none, err := CompileSettings(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := none.Apply([]byte(`{"x":1}`)); err == nil {
		t.Error("a plugin without a schema accepted a setting")
	}
}

// FuzzSettingsApply: settings come from the API as any JSON; Apply never panics and accepts
// only objects that then satisfy the schema again.
func FuzzSettingsApply(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"min_score":80}`, `{"min_score":1e400}`, `[`, `"x"`, `{"min_score":null}`} {
		f.Add([]byte(s))
	}
	s, err := CompileSettings(validManifest().SettingsSchema)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := s.Apply(in)
		if err != nil {
			return
		}
		if again, err := s.Apply(out); err != nil || string(again) != string(out) {
			t.Fatalf("applied settings %s do not apply again: %s %v", out, again, err)
		}
	})
}

// FuzzMatchRoute: request paths come from anyone; matching never panics, and a match's
// parameters are non-empty path segments.
func FuzzMatchRoute(f *testing.F) {
	for _, p := range []string{"/applications", "/applications/1/scores", "//", "/public/brands/", "", "/a/{id}"} {
		f.Add("GET", p)
	}
	m := validManifest()
	f.Fuzz(func(t *testing.T, method, path string) {
		_, params, ok := MatchRoute(m, method, path)
		if !ok {
			return
		}
		for k, v := range params {
			if v == "" || strings.Contains(v, "/") {
				t.Fatalf("param %s = %q", k, v)
			}
		}
	})
}
