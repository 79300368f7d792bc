// Package view builds the declarative views a plugin's console pages answer with: JSON, not
// HTML. The console renders every view with its own templates, so a plugin never sends markup,
// script or style; every string it sends is shown as text.
//
// A console entry's GET route answers a Page (Content-Type application/json): a title and
// blocks of a few types — form, table, detail, timeline, stats, chart. Actions (a form's submit,
// a table row's buttons) name one of the plugin's own routes; the console posts them back
// through the host, as the user, and renders the view the route answers (or the problem it
// answers beside the form's fields). Links name the plugin's own GET routes, shown as the
// console's pages.
//
//	page := view.NewPage("调解员排班", "Duty roster").
//		Add(view.NewTable("本周", "This week").
//			Column("name", "姓名", "Name", view.KindText).
//			Column("day", "日期", "Day", view.KindDate).
//			Row(view.Text("王芳"), view.Text("2026-05-04")))
//	return page.Response(http.StatusOK)
//
// The host refuses a view it cannot show: an unknown version or block type, unknown fields,
// links outside the plugin, more than the limits below.
package view

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/fengqiao/fengqiao/plugins/sdk"
)

// Version is the schema version of the views this package builds.
const Version = "fengqiao.view/v1"

// ContentType is the content type of a view response.
const ContentType = "application/json; charset=utf-8"

// Limits the host enforces on a view.
const (
	MaxBytes    = 1 << 20 // the encoded page
	MaxBlocks   = 20
	MaxFields   = 50  // per form, filters included
	MaxOptions  = 200 // per select
	MaxColumns  = 20
	MaxRows     = 500
	MaxActions  = 5 // per row
	MaxSections = 20
	MaxItems    = 100 // per section
	MaxEntries  = 200
	MaxStats    = 24
	MaxSeries   = 10
	MaxPoints   = 500 // categories, and values per series
	MaxText     = 2000
)

// Block types.
const (
	TypeForm     = "form"
	TypeTable    = "table"
	TypeDetail   = "detail"
	TypeTimeline = "timeline"
	TypeStats    = "stats"
	TypeChart    = "chart"
)

// Column kinds.
const (
	KindText   = "text"
	KindNumber = "number"
	KindDate   = "date"  // cell text: 2006-01-02 or RFC 3339
	KindBadge  = "badge" // cell text with a tone
	KindLink   = "link"  // cell text with an href: one of the plugin's GET routes
)

// Tones of badges, stats and actions.
const (
	ToneRed    = "red"
	ToneOrange = "orange"
	ToneYellow = "yellow"
	ToneBlue   = "blue"
	ToneGreen  = "green"
	ToneGrey   = "grey"
)

// Field types (a JSON Schema subset) and widgets (UI hints).
const (
	FieldString  = "string"
	FieldInteger = "integer"
	FieldNumber  = "number"
	FieldBoolean = "boolean"

	WidgetText     = "text"
	WidgetTextarea = "textarea"
	WidgetSelect   = "select"
	WidgetDate     = "date"
	WidgetCheckbox = "checkbox"
)

// Chart kinds.
const (
	ChartLine = "line"
	ChartBar  = "bar"
	ChartPie  = "pie"
)

// Page is a whole console page.
type Page struct {
	View   string    `json:"view"`
	Title  sdk.Text  `json:"title"`
	Notice *sdk.Text `json:"notice,omitempty"` // a one-line message above the blocks
	Blocks []Block   `json:"blocks"`
}

// Block is one part of a page; Type says which of its fields apply.
type Block struct {
	Type  string    `json:"type"`
	Title *sdk.Text `json:"title,omitempty"`

	// form: fields and the submit action. table: filters (a GET form of the page's query).
	Fields  []Field `json:"fields,omitempty"`
	Submit  *Action `json:"submit,omitempty"`
	Filters []Field `json:"filters,omitempty"`

	// table
	Columns []Column  `json:"columns,omitempty"`
	Rows    []Row     `json:"rows,omitempty"`
	Next    string    `json:"next,omitempty"` // the cursor of the next page, passed back as ?cursor=
	Empty   *sdk.Text `json:"empty,omitempty"`

	// detail
	Sections []Section `json:"sections,omitempty"`

	// timeline
	Entries []Entry `json:"entries,omitempty"`

	// stats
	Stats []Stat `json:"stats,omitempty"`

	// chart
	Chart *Chart `json:"chart,omitempty"`
}

// Field is a form field: a JSON Schema subset (type, enum as options, lengths, bounds, the
// date format) with UI hints (label, help, widget).
type Field struct {
	Name      string    `json:"name"` // the key of the JSON body the action receives
	Type      string    `json:"type"` // string, integer, number, boolean
	Label     sdk.Text  `json:"label"`
	Help      *sdk.Text `json:"help,omitempty"`
	Required  bool      `json:"required,omitempty"`
	Widget    string    `json:"widget,omitempty"` // text (default), textarea, select, date, checkbox
	Options   []Option  `json:"options,omitempty"`
	MinLength *int      `json:"minLength,omitempty"`
	MaxLength *int      `json:"maxLength,omitempty"`
	Minimum   *float64  `json:"minimum,omitempty"`
	Maximum   *float64  `json:"maximum,omitempty"`
	Format    string    `json:"format,omitempty"` // "date" (2006-01-02)
	Value     any       `json:"value,omitempty"`  // the initial value: string, number or boolean
}

// Option is one choice of a select (the enum of its field).
type Option struct {
	Value string   `json:"value"`
	Label sdk.Text `json:"label"`
}

// Action posts to one of the plugin's routes.
type Action struct {
	Label   sdk.Text       `json:"label"`
	Method  string         `json:"method"` // POST, PUT, PATCH, DELETE
	Path    string         `json:"path"`   // a route of the plugin, e.g. /items/42/close
	Confirm *sdk.Text      `json:"confirm,omitempty"`
	Tone    string         `json:"tone,omitempty"` // red: a destructive action
	Body    map[string]any `json:"body,omitempty"` // a row action's JSON body: strings, numbers, booleans
}

// Column of a table.
type Column struct {
	Key   string   `json:"key"`
	Label sdk.Text `json:"label"`
	Kind  string   `json:"kind"`
}

// Row of a table: one cell per column, in order, and its actions.
type Row struct {
	Cells   []Cell   `json:"cells"`
	Actions []Action `json:"actions,omitempty"`
}

// Cell of a table.
type Cell struct {
	Text string `json:"text"`
	Tone string `json:"tone,omitempty"` // badge
	Href string `json:"href,omitempty"` // link: a GET route of the plugin, e.g. /items/42
}

// Section of a detail block.
type Section struct {
	Title *sdk.Text `json:"title,omitempty"`
	Items []Item    `json:"items"`
}

// Item is a label and its value.
type Item struct {
	Label sdk.Text `json:"label"`
	Value string   `json:"value"`
	Href  string   `json:"href,omitempty"`
}

// Entry of a timeline.
type Entry struct {
	At    time.Time `json:"at"`
	Title string    `json:"title"`
	Text  string    `json:"text,omitempty"`
	Tone  string    `json:"tone,omitempty"`
}

// Stat is a stat card.
type Stat struct {
	Label sdk.Text  `json:"label"`
	Value string    `json:"value"`
	Hint  *sdk.Text `json:"hint,omitempty"`
	Tone  string    `json:"tone,omitempty"`
}

// Chart is a named chart type with its data; the console draws it (and shows its numbers as a
// table).
type Chart struct {
	Kind       string   `json:"kind"` // line, bar, pie (the first series)
	Categories []string `json:"categories"`
	Series     []Series `json:"series"`
}

// Series of a chart: one value per category.
type Series struct {
	Name   sdk.Text  `json:"name"`
	Values []float64 `json:"values"`
}

// --- builders ---------------------------------------------------------------------------------

func text(zh, en string) sdk.Text { return sdk.Text{ZH: zh, EN: en} }

func textp(zh, en string) *sdk.Text { t := text(zh, en); return &t }

// NewPage is a page with its title in Chinese and English.
func NewPage(zh, en string) *Page {
	return &Page{View: Version, Title: text(zh, en), Blocks: []Block{}}
}

// Add appends blocks (built by NewForm, NewTable, …).
func (p *Page) Add(blocks ...interface{ block() Block }) *Page {
	for _, b := range blocks {
		p.Blocks = append(p.Blocks, b.block())
	}
	return p
}

// WithNotice sets the one-line message above the blocks.
func (p *Page) WithNotice(zh, en string) *Page { p.Notice = textp(zh, en); return p }

// JSON is the page's encoding.
func (p *Page) JSON() ([]byte, error) { return json.Marshal(p) }

// Response answers a route with the page.
func (p *Page) Response(status int) (*sdk.Response, error) {
	b, err := p.JSON()
	if err != nil {
		return nil, err
	}
	if status == 0 {
		status = http.StatusOK
	}
	return &sdk.Response{Status: status, Headers: map[string]string{"Content-Type": ContentType}, Body: b}, nil
}

// FormBuilder builds a form block.
type FormBuilder struct{ b Block }

// NewForm is a form titled zh/en that submits to method path.
func NewForm(zh, en, method, path string, submitZH, submitEN string) *FormBuilder {
	f := &FormBuilder{b: Block{Type: TypeForm, Submit: &Action{Label: text(submitZH, submitEN), Method: method, Path: path}}}
	if zh != "" {
		f.b.Title = textp(zh, en)
	}
	return f
}

// Field adds a field (see Input, TextArea, Select, Date, Checkbox, Integer).
func (f *FormBuilder) Field(fields ...*Field) *FormBuilder {
	for _, x := range fields {
		f.b.Fields = append(f.b.Fields, *x)
	}
	return f
}

// Confirm asks the user before submitting.
func (f *FormBuilder) Confirm(zh, en string) *FormBuilder {
	f.b.Submit.Confirm = textp(zh, en)
	return f
}

func (f *FormBuilder) block() Block { return f.b }

// Input is a one-line text field.
func Input(name, zh, en string) *Field {
	return &Field{Name: name, Type: FieldString, Label: text(zh, en), Widget: WidgetText}
}

// TextArea is a multi-line text field.
func TextArea(name, zh, en string) *Field {
	return &Field{Name: name, Type: FieldString, Label: text(zh, en), Widget: WidgetTextarea}
}

// Date is a date field (2006-01-02).
func Date(name, zh, en string) *Field {
	return &Field{Name: name, Type: FieldString, Label: text(zh, en), Widget: WidgetDate, Format: "date"}
}

// Integer is a whole-number field.
func Integer(name, zh, en string) *Field {
	return &Field{Name: name, Type: FieldInteger, Label: text(zh, en), Widget: WidgetText}
}

// Number is a number field.
func Number(name, zh, en string) *Field {
	return &Field{Name: name, Type: FieldNumber, Label: text(zh, en), Widget: WidgetText}
}

// Checkbox is a yes/no field.
func Checkbox(name, zh, en string) *Field {
	return &Field{Name: name, Type: FieldBoolean, Label: text(zh, en), Widget: WidgetCheckbox}
}

// Select is a choice among options (Option(value, zh, en)).
func Select(name, zh, en string, options ...Option) *Field {
	return &Field{Name: name, Type: FieldString, Label: text(zh, en), Widget: WidgetSelect, Options: options}
}

// Opt is one option of a select.
func Opt(value, zh, en string) Option { return Option{Value: value, Label: text(zh, en)} }

// Require marks the field required.
func (f *Field) Require() *Field { f.Required = true; return f }

// WithHelp sets the hint shown under the field.
func (f *Field) WithHelp(zh, en string) *Field { f.Help = textp(zh, en); return f }

// Length bounds a text field's length (0: no bound).
func (f *Field) Length(minLen, maxLen int) *Field {
	if minLen > 0 {
		f.MinLength = &minLen
	}
	if maxLen > 0 {
		f.MaxLength = &maxLen
	}
	return f
}

// Range bounds a number field.
func (f *Field) Range(lo, hi float64) *Field { f.Minimum, f.Maximum = &lo, &hi; return f }

// Default sets the initial value.
func (f *Field) Default(v any) *Field { f.Value = v; return f }

// TableBuilder builds a table block.
type TableBuilder struct{ b Block }

// NewTable is a table titled zh/en ("" for none).
func NewTable(zh, en string) *TableBuilder {
	t := &TableBuilder{b: Block{Type: TypeTable, Rows: []Row{}}}
	if zh != "" {
		t.b.Title = textp(zh, en)
	}
	return t
}

// Column adds a column.
func (t *TableBuilder) Column(key, zh, en, kind string) *TableBuilder {
	t.b.Columns = append(t.b.Columns, Column{Key: key, Label: text(zh, en), Kind: kind})
	return t
}

// Row adds a row of cells (Text, Badge, Link), one per column.
func (t *TableBuilder) Row(cells ...Cell) *TableBuilder {
	t.b.Rows = append(t.b.Rows, Row{Cells: cells})
	return t
}

// RowWith adds a row with actions.
func (t *TableBuilder) RowWith(actions []Action, cells ...Cell) *TableBuilder {
	t.b.Rows = append(t.b.Rows, Row{Cells: cells, Actions: actions})
	return t
}

// Filter adds a filter field (a GET form of the page's query parameters).
func (t *TableBuilder) Filter(fields ...*Field) *TableBuilder {
	for _, f := range fields {
		t.b.Filters = append(t.b.Filters, *f)
	}
	return t
}

// NextCursor sets the cursor of the next page (the console passes it back as ?cursor=).
func (t *TableBuilder) NextCursor(cursor string) *TableBuilder { t.b.Next = cursor; return t }

// WhenEmpty sets the text shown when there are no rows.
func (t *TableBuilder) WhenEmpty(zh, en string) *TableBuilder { t.b.Empty = textp(zh, en); return t }

func (t *TableBuilder) block() Block { return t.b }

// Text is a plain cell.
func Text(s string) Cell { return Cell{Text: s} }

// Badge is a cell shown as a badge of a tone.
func Badge(s, tone string) Cell { return Cell{Text: s, Tone: tone} }

// Link is a cell linking to one of the plugin's GET routes.
func Link(s, href string) Cell { return Cell{Text: s, Href: href} }

// Post is an action posting body to one of the plugin's routes.
func Post(zh, en, path string, body map[string]any) Action {
	return Action{Label: text(zh, en), Method: http.MethodPost, Path: path, Body: body}
}

// WithConfirm asks the user before the action.
func (a Action) WithConfirm(zh, en string) Action { a.Confirm = textp(zh, en); return a }

// Danger marks the action destructive.
func (a Action) Danger() Action { a.Tone = ToneRed; return a }

// DetailBuilder builds a detail block.
type DetailBuilder struct{ b Block }

// NewDetail is a detail block titled zh/en ("" for none).
func NewDetail(zh, en string) *DetailBuilder {
	d := &DetailBuilder{b: Block{Type: TypeDetail}}
	if zh != "" {
		d.b.Title = textp(zh, en)
	}
	return d
}

// Section starts a section titled zh/en ("" for none); Item adds to the last one.
func (d *DetailBuilder) Section(zh, en string) *DetailBuilder {
	s := Section{Items: []Item{}}
	if zh != "" {
		s.Title = textp(zh, en)
	}
	d.b.Sections = append(d.b.Sections, s)
	return d
}

// Item adds a label and its value to the last section.
func (d *DetailBuilder) Item(zh, en, value string) *DetailBuilder {
	if len(d.b.Sections) == 0 {
		d.Section("", "")
	}
	s := &d.b.Sections[len(d.b.Sections)-1]
	s.Items = append(s.Items, Item{Label: text(zh, en), Value: value})
	return d
}

func (d *DetailBuilder) block() Block { return d.b }

// TimelineBuilder builds a timeline block.
type TimelineBuilder struct{ b Block }

// NewTimeline is a timeline titled zh/en ("" for none).
func NewTimeline(zh, en string) *TimelineBuilder {
	t := &TimelineBuilder{b: Block{Type: TypeTimeline, Entries: []Entry{}}}
	if zh != "" {
		t.b.Title = textp(zh, en)
	}
	return t
}

// Entry adds a dated entry.
func (t *TimelineBuilder) Entry(at time.Time, title, detail string) *TimelineBuilder {
	t.b.Entries = append(t.b.Entries, Entry{At: at, Title: title, Text: detail})
	return t
}

func (t *TimelineBuilder) block() Block { return t.b }

// StatsBuilder builds a block of stat cards.
type StatsBuilder struct{ b Block }

// NewStats is a block of stat cards.
func NewStats() *StatsBuilder { return &StatsBuilder{b: Block{Type: TypeStats}} }

// Stat adds a card.
func (s *StatsBuilder) Stat(zh, en, value string) *StatsBuilder {
	s.b.Stats = append(s.b.Stats, Stat{Label: text(zh, en), Value: value})
	return s
}

// StatTone adds a card of a tone, with a hint.
func (s *StatsBuilder) StatTone(zh, en, value, tone, hintZH, hintEN string) *StatsBuilder {
	st := Stat{Label: text(zh, en), Value: value, Tone: tone}
	if hintZH != "" {
		st.Hint = textp(hintZH, hintEN)
	}
	s.b.Stats = append(s.b.Stats, st)
	return s
}

func (s *StatsBuilder) block() Block { return s.b }

// ChartBuilder builds a chart block.
type ChartBuilder struct{ b Block }

// NewChart is a chart of a kind (ChartLine, ChartBar, ChartPie) titled zh/en, over categories.
func NewChart(zh, en, kind string, categories ...string) *ChartBuilder {
	return &ChartBuilder{b: Block{Type: TypeChart, Title: textp(zh, en), Chart: &Chart{Kind: kind, Categories: categories, Series: []Series{}}}}
}

// Series adds a series: one value per category.
func (c *ChartBuilder) Series(zh, en string, values ...float64) *ChartBuilder {
	c.b.Chart.Series = append(c.b.Chart.Series, Series{Name: text(zh, en), Values: values})
	return c
}

func (c *ChartBuilder) block() Block { return c.b }

// block lets a Block built by hand be added to a page as it is.
func (b Block) block() Block { return b }
