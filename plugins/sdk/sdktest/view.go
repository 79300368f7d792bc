package sdktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/plugins/sdk"
	"github.com/fengqiao/fengqiao/plugins/sdk/view"
)

// Viewed is a route's answer decoded as a view, for assertions.
type Viewed struct {
	t    testing.TB
	Page view.Page
}

// View decodes a route's response as a view (plugins/sdk/view) the way the host does — the
// version, no unknown fields, the limits, the block types and their fields — and fails the
// test if it is not one. With a manifest, actions must name its routes and links its GET
// routes, as the host requires.
func View(t testing.TB, resp *sdk.Response, m ...sdk.Manifest) *Viewed {
	t.Helper()
	if resp == nil {
		t.Fatal("sdktest.View: no response")
	}
	if resp.Status >= 300 {
		t.Fatalf("sdktest.View: status %d: %s", resp.Status, resp.Body)
	}
	if len(resp.Body) > view.MaxBytes {
		t.Fatalf("sdktest.View: %d bytes, more than %d", len(resp.Body), view.MaxBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(resp.Body))
	dec.DisallowUnknownFields()
	var p view.Page
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("sdktest.View: not a view: %v\n%s", err, resp.Body)
	}
	var man *sdk.Manifest
	if len(m) > 0 {
		man = &m[0]
	}
	if err := CheckView(&p, man); err != nil {
		t.Fatalf("sdktest.View: %v\n%s", err, resp.Body)
	}
	return &Viewed{t: t, Page: p}
}

// CheckView reports what the host would refuse in a view (nil when none).
func CheckView(p *view.Page, m *sdk.Manifest) error {
	if p.View != view.Version {
		return fmt.Errorf("view %q, want %q", p.View, view.Version)
	}
	if p.Title.ZH == "" {
		return fmt.Errorf("the page has no Chinese title")
	}
	if p.Blocks == nil || len(p.Blocks) > view.MaxBlocks {
		return fmt.Errorf("blocks: 0 to %d, got %d", view.MaxBlocks, len(p.Blocks))
	}
	route := func(method, path string) bool {
		if m == nil {
			return true
		}
		path, _, _ = strings.Cut(path, "?")
		for _, r := range m.Routes {
			if r.Method == method && matches(r.Path, path) {
				return true
			}
		}
		return false
	}
	action := func(where string, a view.Action) error {
		if a.Label.ZH == "" {
			return fmt.Errorf("%s: no Chinese label", where)
		}
		if a.Method == "GET" || !route(a.Method, a.Path) {
			return fmt.Errorf("%s: %s %s is not one of the plugin's POST/PUT/PATCH/DELETE routes", where, a.Method, a.Path)
		}
		return nil
	}
	link := func(where, href string) error {
		if href == "" {
			return nil
		}
		if !strings.HasPrefix(href, "/") || strings.HasPrefix(href, "//") || strings.ContainsAny(href, "\\#") || !route("GET", href) {
			return fmt.Errorf("%s: link %q is not one of the plugin's GET routes", where, href)
		}
		return nil
	}
	for i, b := range p.Blocks {
		w := fmt.Sprintf("blocks[%d]", i)
		switch b.Type {
		case view.TypeForm:
			if b.Submit == nil {
				return fmt.Errorf("%s: a form without submit", w)
			}
			if err := action(w+".submit", *b.Submit); err != nil {
				return err
			}
			for j, f := range b.Fields {
				if f.Name == "" || strings.HasPrefix(f.Name, "_") || f.Label.ZH == "" {
					return fmt.Errorf("%s.fields[%d]: a name (not starting with _) and a Chinese label", w, j)
				}
				if (f.Widget == view.WidgetSelect) != (len(f.Options) > 0) {
					return fmt.Errorf("%s.fields[%d]: a select has options, and only a select", w, j)
				}
			}
		case view.TypeTable:
			if len(b.Columns) == 0 || len(b.Columns) > view.MaxColumns || len(b.Rows) > view.MaxRows {
				return fmt.Errorf("%s: 1 to %d columns, at most %d rows", w, view.MaxColumns, view.MaxRows)
			}
			for r, row := range b.Rows {
				if len(row.Cells) != len(b.Columns) {
					return fmt.Errorf("%s.rows[%d]: %d cells for %d columns", w, r, len(row.Cells), len(b.Columns))
				}
				for c, cell := range row.Cells {
					if err := link(fmt.Sprintf("%s.rows[%d].cells[%d]", w, r, c), cell.Href); err != nil {
						return err
					}
				}
				for a, act := range row.Actions {
					if err := action(fmt.Sprintf("%s.rows[%d].actions[%d]", w, r, a), act); err != nil {
						return err
					}
				}
			}
		case view.TypeDetail:
			for s, sec := range b.Sections {
				for j, it := range sec.Items {
					if err := link(fmt.Sprintf("%s.sections[%d].items[%d]", w, s, j), it.Href); err != nil {
						return err
					}
				}
			}
		case view.TypeTimeline:
			for j, e := range b.Entries {
				if e.At.IsZero() || e.Title == "" {
					return fmt.Errorf("%s.entries[%d]: a time and a title", w, j)
				}
			}
		case view.TypeStats:
			if len(b.Stats) == 0 || len(b.Stats) > view.MaxStats {
				return fmt.Errorf("%s: 1 to %d stats", w, view.MaxStats)
			}
		case view.TypeChart:
			if b.Chart == nil || b.Title == nil {
				return fmt.Errorf("%s: a chart needs its data and a title", w)
			}
			switch b.Chart.Kind {
			case view.ChartLine, view.ChartBar, view.ChartPie:
			default:
				return fmt.Errorf("%s: unknown chart kind %q", w, b.Chart.Kind)
			}
			if len(b.Chart.Series) == 0 {
				return fmt.Errorf("%s: a chart without series", w)
			}
			for s, ser := range b.Chart.Series {
				if len(ser.Values) != len(b.Chart.Categories) {
					return fmt.Errorf("%s.series[%d]: %d values for %d categories", w, s, len(ser.Values), len(b.Chart.Categories))
				}
			}
		default:
			return fmt.Errorf("%s: unknown block type %q", w, b.Type)
		}
	}
	return nil
}

// matches tells whether path matches a route pattern ("/visits/{id}").
func matches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if strings.HasPrefix(ps[i], "{") {
			if xs[i] == "" || xs[i] == ".." || xs[i] == "." {
				return false
			}
			continue
		}
		if ps[i] != xs[i] {
			return false
		}
	}
	return true
}

// Blocks are the page's blocks of a type.
func (v *Viewed) Blocks(typ string) []view.Block {
	var out []view.Block
	for _, b := range v.Page.Blocks {
		if b.Type == typ {
			out = append(out, b)
		}
	}
	return out
}

// Block is the page's first block of a type (with the Chinese title, if given); the test fails
// without one.
func (v *Viewed) Block(typ string, titleZH ...string) view.Block {
	v.t.Helper()
	for _, b := range v.Blocks(typ) {
		if len(titleZH) == 0 || (b.Title != nil && b.Title.ZH == titleZH[0]) {
			return b
		}
	}
	v.t.Fatalf("sdktest: the view %q has no %s block %v", v.Page.Title.ZH, typ, titleZH)
	return view.Block{}
}

// Field is a form block's field by name; the test fails without it.
func (v *Viewed) Field(b view.Block, name string) view.Field {
	v.t.Helper()
	for _, f := range b.Fields {
		if f.Name == name {
			return f
		}
	}
	v.t.Fatalf("sdktest: the form has no field %q", name)
	return view.Field{}
}

// Column is the index of a table block's column by key; the test fails without it.
func (v *Viewed) Column(b view.Block, key string) int {
	v.t.Helper()
	for i, c := range b.Columns {
		if c.Key == key {
			return i
		}
	}
	v.t.Fatalf("sdktest: the table has no column %q", key)
	return -1
}
