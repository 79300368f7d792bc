package plugins

// Declarative views: what a plugin's console pages answer with (plugins/sdk/view builds them).
// A plugin is untrusted, so the host decodes a view strictly — a known version, known block
// types, no unknown fields, bounded sizes, actions and links only to the plugin's own routes —
// before the console renders it with its own templates. Nothing a view holds is markup: the
// console escapes every string.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// ViewVersion is the view schema the host understands.
const ViewVersion = "fengqiao.view/v1"

// Limits of a view (the SDK's view package documents the same).
const (
	MaxViewBytes    = 1 << 20
	maxViewBlocks   = 20
	maxViewFields   = 50
	maxViewOptions  = 200
	maxViewColumns  = 20
	maxViewRows     = 500
	maxViewActions  = 5
	maxViewSections = 20
	maxViewItems    = 100
	maxViewEntries  = 200
	maxViewStats    = 24
	maxViewSeries   = 10
	maxViewPoints   = 500
	maxViewText     = 2000
	maxViewBody     = 50 // keys of an action's body
)

// ErrInvalidView: a plugin answered a console page with something that is not a valid view.
var ErrInvalidView = errors.New("plugins: invalid view")

// ViewError says what is wrong with a view and where.
type ViewError struct {
	Path, Reason string
}

func (e *ViewError) Error() string { return "view " + e.Path + ": " + e.Reason }
func (e *ViewError) Unwrap() error { return ErrInvalidView }

// View is a decoded, validated page.
type View struct {
	View   string      `json:"view"`
	Title  Text        `json:"title"`
	Notice *Text       `json:"notice,omitempty"`
	Blocks []ViewBlock `json:"blocks"`
}

// ViewBlock is one block; Type says which fields apply.
type ViewBlock struct {
	Type     string        `json:"type"`
	Title    *Text         `json:"title,omitempty"`
	Fields   []ViewField   `json:"fields,omitempty"`
	Submit   *ViewAction   `json:"submit,omitempty"`
	Filters  []ViewField   `json:"filters,omitempty"`
	Columns  []ViewColumn  `json:"columns,omitempty"`
	Rows     []ViewRow     `json:"rows,omitempty"`
	Next     string        `json:"next,omitempty"`
	Empty    *Text         `json:"empty,omitempty"`
	Sections []ViewSection `json:"sections,omitempty"`
	Entries  []ViewEntry   `json:"entries,omitempty"`
	Stats    []ViewStat    `json:"stats,omitempty"`
	Chart    *ViewChart    `json:"chart,omitempty"`
}

// ViewField is a form field (a JSON Schema subset with UI hints).
type ViewField struct {
	Name      string       `json:"name"`
	Type      string       `json:"type"`
	Label     Text         `json:"label"`
	Help      *Text        `json:"help,omitempty"`
	Required  bool         `json:"required,omitempty"`
	Widget    string       `json:"widget,omitempty"`
	Options   []ViewOption `json:"options,omitempty"`
	MinLength *int         `json:"minLength,omitempty"`
	MaxLength *int         `json:"maxLength,omitempty"`
	Minimum   *float64     `json:"minimum,omitempty"`
	Maximum   *float64     `json:"maximum,omitempty"`
	Format    string       `json:"format,omitempty"`
	Value     any          `json:"value,omitempty"`
}

// ViewOption is a choice of a select.
type ViewOption struct {
	Value string `json:"value"`
	Label Text   `json:"label"`
}

// ViewAction posts to one of the plugin's routes.
type ViewAction struct {
	Label   Text           `json:"label"`
	Method  string         `json:"method"`
	Path    string         `json:"path"`
	Confirm *Text          `json:"confirm,omitempty"`
	Tone    string         `json:"tone,omitempty"`
	Body    map[string]any `json:"body,omitempty"`
}

// ViewColumn of a table.
type ViewColumn struct {
	Key   string `json:"key"`
	Label Text   `json:"label"`
	Kind  string `json:"kind"`
}

// ViewRow of a table.
type ViewRow struct {
	Cells   []ViewCell   `json:"cells"`
	Actions []ViewAction `json:"actions,omitempty"`
}

// ViewCell of a table.
type ViewCell struct {
	Text string `json:"text"`
	Tone string `json:"tone,omitempty"`
	Href string `json:"href,omitempty"`
}

// ViewSection of a detail block.
type ViewSection struct {
	Title *Text      `json:"title,omitempty"`
	Items []ViewItem `json:"items"`
}

// ViewItem is a label and its value.
type ViewItem struct {
	Label Text   `json:"label"`
	Value string `json:"value"`
	Href  string `json:"href,omitempty"`
}

// ViewEntry of a timeline.
type ViewEntry struct {
	At    time.Time `json:"at"`
	Title string    `json:"title"`
	Text  string    `json:"text,omitempty"`
	Tone  string    `json:"tone,omitempty"`
}

// ViewStat is a stat card.
type ViewStat struct {
	Label Text   `json:"label"`
	Value string `json:"value"`
	Hint  *Text  `json:"hint,omitempty"`
	Tone  string `json:"tone,omitempty"`
}

// ViewChart is a named chart type with its data.
type ViewChart struct {
	Kind       string       `json:"kind"`
	Categories []string     `json:"categories"`
	Series     []ViewSeries `json:"series"`
}

// ViewSeries of a chart.
type ViewSeries struct {
	Name   Text      `json:"name"`
	Values []float64 `json:"values"`
}

var (
	viewTones   = map[string]bool{"": true, "red": true, "orange": true, "yellow": true, "blue": true, "green": true, "grey": true}
	viewKinds   = map[string]bool{"text": true, "number": true, "date": true, "badge": true, "link": true}
	viewTypes   = map[string]bool{"string": true, "integer": true, "number": true, "boolean": true}
	viewWidgets = map[string]bool{"": true, "text": true, "textarea": true, "select": true, "date": true, "checkbox": true}
	viewCharts  = map[string]bool{"line": true, "bar": true, "pie": true}
	viewMethods = map[string]bool{"POST": true, "PUT": true, "PATCH": true, "DELETE": true}
)

// DecodeView reads and validates the view a plugin (of manifest m) answered. Every action
// must name one of m's routes and every link one of its GET routes.
func DecodeView(b []byte, m *Manifest) (*View, error) {
	if len(b) > MaxViewBytes {
		return nil, &ViewError{Path: "", Reason: fmt.Sprintf("larger than %d bytes", MaxViewBytes)}
	}
	if !utf8.Valid(b) {
		return nil, &ViewError{Path: "", Reason: "not UTF-8"}
	}
	var head struct {
		View string `json:"view"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, &ViewError{Path: "", Reason: "not a JSON object: " + err.Error()}
	}
	if head.View != ViewVersion {
		return nil, &ViewError{Path: "view", Reason: fmt.Sprintf("unknown view version %q (the host understands %s)", clip(head.View), ViewVersion)}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var v View
	if err := dec.Decode(&v); err != nil {
		return nil, &ViewError{Path: "", Reason: err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &ViewError{Path: "", Reason: "data after the view"}
	}
	c := viewChecker{m: m}
	c.check(&v)
	if c.err != nil {
		return nil, c.err
	}
	return &v, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

type viewChecker struct {
	m   *Manifest
	err *ViewError
}

func (c *viewChecker) fail(path, format string, args ...any) {
	if c.err == nil {
		c.err = &ViewError{Path: path, Reason: fmt.Sprintf(format, args...)}
	}
}

func (c *viewChecker) str(path, s string, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		c.fail(path, "required")
	case utf8.RuneCountInString(s) > maxViewText:
		c.fail(path, "longer than %d characters", maxViewText)
	case strings.ContainsRune(s, 0):
		c.fail(path, "holds NUL")
	}
}

func (c *viewChecker) text(path string, t *Text, required bool) {
	if t == nil {
		if required {
			c.fail(path, "required")
		}
		return
	}
	c.str(path+".zh", t.Zh, required)
	c.str(path+".en", t.En, false)
}

func (c *viewChecker) count(path string, n, limit int) {
	if n > limit {
		c.fail(path, "more than %d", limit)
	}
}

func (c *viewChecker) tone(path, t string) {
	if !viewTones[t] {
		c.fail(path, "unknown tone %q", clip(t))
	}
}

// href: a path of one of the plugin's GET routes, with an optional query; never a scheme, a
// host, "..", a fragment or a backslash.
func (c *viewChecker) href(path, h string) {
	if h == "" {
		return
	}
	p, q, _ := strings.Cut(h, "?")
	bad := !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(h, "\\#\r\n\t ") ||
		strings.Contains(p, "/../") || strings.HasSuffix(p, "/..") || strings.Contains(p, "/./") || len(h) > 500
	if !bad {
		if _, err := url.ParseQuery(q); err != nil {
			bad = true
		}
	}
	if !bad {
		if _, _, ok := MatchRoute(c.m, "GET", p); !ok {
			c.fail(path, "link %q is not one of the plugin's GET routes", clip(h))
			return
		}
	}
	if bad {
		c.fail(path, "link %q is not a path of the plugin's routes", clip(h))
	}
}

func (c *viewChecker) action(path string, a *ViewAction) {
	c.text(path+".label", &a.Label, true)
	c.text(path+".confirm", a.Confirm, false)
	c.tone(path+".tone", a.Tone)
	if !viewMethods[a.Method] {
		c.fail(path+".method", "must be POST, PUT, PATCH or DELETE")
		return
	}
	if !strings.HasPrefix(a.Path, "/") || strings.ContainsAny(a.Path, "?#\\") {
		c.fail(path+".path", "not a path of the plugin's routes")
		return
	}
	if _, _, ok := MatchRoute(c.m, a.Method, a.Path); !ok {
		c.fail(path+".path", "%s %s is not one of the plugin's routes", a.Method, clip(a.Path))
	}
	c.count(path+".body", len(a.Body), maxViewBody)
	for k, v := range a.Body {
		c.str(path+".body", k, true)
		switch x := v.(type) {
		case string:
			c.str(path+".body."+k, x, false)
		case json.Number, bool, nil:
		default:
			c.fail(path+".body."+k, "only strings, numbers and booleans")
		}
	}
}

func (c *viewChecker) fields(path string, fs []ViewField) {
	c.count(path, len(fs), maxViewFields)
	seen := map[string]bool{}
	for i := range fs {
		f := &fs[i]
		p := fmt.Sprintf("%s[%d]", path, i)
		if !validFieldName(f.Name) || seen[f.Name] {
			c.fail(p+".name", "a field needs a unique name of letters, digits, _ . - (not starting with _)")
		}
		seen[f.Name] = true
		c.text(p+".label", &f.Label, true)
		c.text(p+".help", f.Help, false)
		if !viewTypes[f.Type] {
			c.fail(p+".type", "must be string, integer, number or boolean")
		}
		if !viewWidgets[f.Widget] {
			c.fail(p+".widget", "must be text, textarea, select, date or checkbox")
		}
		if (f.Widget == "checkbox") != (f.Type == "boolean") {
			c.fail(p+".widget", "a boolean field is a checkbox, and a checkbox a boolean field")
		}
		if (f.Widget == "select") != (len(f.Options) > 0) {
			c.fail(p+".options", "a select has options, and only a select")
		}
		if f.Format != "" && f.Format != "date" {
			c.fail(p+".format", "only the date format")
		}
		c.count(p+".options", len(f.Options), maxViewOptions)
		for j := range f.Options {
			c.str(fmt.Sprintf("%s.options[%d].value", p, j), f.Options[j].Value, false)
			c.text(fmt.Sprintf("%s.options[%d].label", p, j), &f.Options[j].Label, true)
		}
		for _, n := range []*int{f.MinLength, f.MaxLength} {
			if n != nil && (*n < 0 || *n > 100000) {
				c.fail(p, "lengths lie between 0 and 100000")
			}
		}
		for _, n := range []*float64{f.Minimum, f.Maximum} {
			if n != nil && (math.IsNaN(*n) || math.IsInf(*n, 0)) {
				c.fail(p, "bounds are finite numbers")
			}
		}
		switch x := f.Value.(type) {
		case string:
			c.str(p+".value", x, false)
		case json.Number, bool, nil:
		default:
			c.fail(p+".value", "only a string, a number or a boolean")
		}
	}
}

func validFieldName(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '_' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

func (c *viewChecker) check(v *View) {
	c.text("title", &v.Title, true)
	c.text("notice", v.Notice, false)
	if v.Blocks == nil {
		c.fail("blocks", "required")
	}
	c.count("blocks", len(v.Blocks), maxViewBlocks)
	for i := range v.Blocks {
		if c.err != nil {
			return
		}
		c.block(fmt.Sprintf("blocks[%d]", i), &v.Blocks[i])
	}
}

func (c *viewChecker) block(p string, b *ViewBlock) {
	c.text(p+".title", b.Title, false)
	// Only the fields of its type.
	has := map[string]bool{
		"fields": b.Fields != nil, "submit": b.Submit != nil, "filters": b.Filters != nil, "columns": b.Columns != nil,
		"rows": b.Rows != nil, "next": b.Next != "", "empty": b.Empty != nil, "sections": b.Sections != nil,
		"entries": b.Entries != nil, "stats": b.Stats != nil, "chart": b.Chart != nil,
	}
	allowed := map[string][]string{
		"form":     {"fields", "submit"},
		"table":    {"filters", "columns", "rows", "next", "empty"},
		"detail":   {"sections"},
		"timeline": {"entries", "empty"},
		"stats":    {"stats"},
		"chart":    {"chart"},
	}
	own, ok := allowed[b.Type]
	if !ok {
		c.fail(p+".type", "unknown block type %q (form, table, detail, timeline, stats, chart)", clip(b.Type))
		return
	}
	for k, set := range has {
		if set && !contains(own, k) {
			c.fail(p+"."+k, "not a field of a %s block", b.Type)
		}
	}
	switch b.Type {
	case "form":
		c.fields(p+".fields", b.Fields)
		if b.Submit == nil {
			c.fail(p+".submit", "required")
			return
		}
		c.action(p+".submit", b.Submit)
	case "table":
		c.fields(p+".filters", b.Filters)
		for _, f := range b.Filters {
			if f.Name == "cursor" {
				c.fail(p+".filters", "cursor is the table's own parameter")
			}
		}
		c.text(p+".empty", b.Empty, false)
		c.str(p+".next", b.Next, false)
		if len(b.Columns) == 0 {
			c.fail(p+".columns", "required")
		}
		c.count(p+".columns", len(b.Columns), maxViewColumns)
		for i, col := range b.Columns {
			cp := fmt.Sprintf("%s.columns[%d]", p, i)
			c.str(cp+".key", col.Key, true)
			c.text(cp+".label", &col.Label, true)
			if !viewKinds[col.Kind] {
				c.fail(cp+".kind", "must be text, number, date, badge or link")
			}
		}
		c.count(p+".rows", len(b.Rows), maxViewRows)
		for i, r := range b.Rows {
			rp := fmt.Sprintf("%s.rows[%d]", p, i)
			if len(r.Cells) != len(b.Columns) {
				c.fail(rp+".cells", "one cell per column")
				return
			}
			for j, cell := range r.Cells {
				cp := fmt.Sprintf("%s.cells[%d]", rp, j)
				c.str(cp+".text", cell.Text, false)
				c.tone(cp+".tone", cell.Tone)
				c.href(cp+".href", cell.Href)
				if b.Columns[j].Kind == "date" && cell.Text != "" && !validDate(cell.Text) {
					c.fail(cp+".text", "a date is 2006-01-02 or RFC 3339")
				}
			}
			c.count(rp+".actions", len(r.Actions), maxViewActions)
			for j := range r.Actions {
				c.action(fmt.Sprintf("%s.actions[%d]", rp, j), &r.Actions[j])
			}
		}
	case "detail":
		c.count(p+".sections", len(b.Sections), maxViewSections)
		for i, s := range b.Sections {
			sp := fmt.Sprintf("%s.sections[%d]", p, i)
			c.text(sp+".title", s.Title, false)
			c.count(sp+".items", len(s.Items), maxViewItems)
			for j, it := range s.Items {
				ip := fmt.Sprintf("%s.items[%d]", sp, j)
				c.text(ip+".label", &it.Label, true)
				c.str(ip+".value", it.Value, false)
				c.href(ip+".href", it.Href)
			}
		}
	case "timeline":
		c.text(p+".empty", b.Empty, false)
		c.count(p+".entries", len(b.Entries), maxViewEntries)
		for i, e := range b.Entries {
			ep := fmt.Sprintf("%s.entries[%d]", p, i)
			if e.At.IsZero() {
				c.fail(ep+".at", "required")
			}
			c.str(ep+".title", e.Title, true)
			c.str(ep+".text", e.Text, false)
			c.tone(ep+".tone", e.Tone)
		}
	case "stats":
		if len(b.Stats) == 0 {
			c.fail(p+".stats", "required")
		}
		c.count(p+".stats", len(b.Stats), maxViewStats)
		for i, s := range b.Stats {
			sp := fmt.Sprintf("%s.stats[%d]", p, i)
			c.text(sp+".label", &s.Label, true)
			c.str(sp+".value", s.Value, false)
			c.text(sp+".hint", s.Hint, false)
			c.tone(sp+".tone", s.Tone)
		}
	case "chart":
		ch := b.Chart
		if ch == nil {
			c.fail(p+".chart", "required")
			return
		}
		if b.Title == nil {
			c.fail(p+".title", "a chart needs a title (its accessible name)")
		}
		if !viewCharts[ch.Kind] {
			c.fail(p+".chart.kind", "unknown chart kind %q (line, bar, pie)", clip(ch.Kind))
		}
		c.count(p+".chart.categories", len(ch.Categories), maxViewPoints)
		for i, cat := range ch.Categories {
			c.str(fmt.Sprintf("%s.chart.categories[%d]", p, i), cat, false)
		}
		if len(ch.Series) == 0 {
			c.fail(p+".chart.series", "required")
		}
		c.count(p+".chart.series", len(ch.Series), maxViewSeries)
		for i, s := range ch.Series {
			sp := fmt.Sprintf("%s.chart.series[%d]", p, i)
			c.text(sp+".name", &s.Name, true)
			if len(s.Values) != len(ch.Categories) {
				c.fail(sp+".values", "one value per category")
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func validDate(s string) bool {
	if _, err := time.Parse("2006-01-02", s); err == nil {
		return true
	}
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}
