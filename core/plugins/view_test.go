package plugins_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/plugins"
	"github.com/fengqiao/fengqiao/plugins/sdk/view"
)

var viewManifest = &plugins.Manifest{Name: "example", Routes: []plugins.Route{
	{Method: "GET", Path: "/pages/table"},
	{Method: "GET", Path: "/items/{id}"},
	{Method: "POST", Path: "/items/{id}/close"},
	{Method: "POST", Path: "/notes"},
}}

func TestDecodeView(t *testing.T) {
	const head = `{"view":"fengqiao.view/v1","title":{"zh":"页","en":"Page"},"blocks":[`
	table := func(cells, actions string) string {
		return head + `{"type":"table","columns":[{"key":"a","label":{"zh":"甲"},"kind":"link"}],"rows":[{"cells":[` + cells + `]` + actions + `}]}]}`
	}
	tests := []struct {
		name, in string
		path     string // of the error; "-" when valid
	}{
		{"empty page", head + `]}`, "-"},
		{"every type", head + `{"type":"form","fields":[{"name":"text","type":"string","label":{"zh":"内容"},"widget":"textarea","required":true,"maxLength":200}],"submit":{"label":{"zh":"提交"},"method":"POST","path":"/notes"}},` +
			`{"type":"table","columns":[{"key":"a","label":{"zh":"甲"},"kind":"date"}],"rows":[{"cells":[{"text":"2026-01-02"}],"actions":[{"label":{"zh":"关闭"},"method":"POST","path":"/items/4/close","body":{"n":1,"b":true,"s":"x"}}]}],"next":"c2"},` +
			`{"type":"detail","sections":[{"items":[{"label":{"zh":"名"},"value":"v","href":"/items/4"}]}]},` +
			`{"type":"timeline","entries":[{"at":"2026-01-02T10:00:00+08:00","title":"t"}]},` +
			`{"type":"stats","stats":[{"label":{"zh":"数"},"value":"3","tone":"red"}]},` +
			`{"type":"chart","title":{"zh":"图"},"chart":{"kind":"bar","categories":["1月","2月"],"series":[{"name":{"zh":"件"},"values":[1,2.5]}]}}]}`, "-"},
		{"link to a GET route with a query", table(`{"text":"x","href":"/items/4?tab=a"}`, ""), "-"},
		{"not JSON", `<script>`, ""},
		{"unknown version", `{"view":"fengqiao.view/v2","title":{"zh":"页"},"blocks":[]}`, "view"},
		{"no version", `{"title":{"zh":"页"},"blocks":[]}`, "view"},
		{"unknown field", `{"view":"fengqiao.view/v1","title":{"zh":"页"},"blocks":[],"html":"<b>"}`, ""},
		{"trailing data", head + `]} {}`, ""},
		{"no title", `{"view":"fengqiao.view/v1","title":{"zh":""},"blocks":[]}`, "title.zh"},
		{"no blocks", `{"view":"fengqiao.view/v1","title":{"zh":"页"}}`, "blocks"},
		{"unknown type", head + `{"type":"html"}]}`, "blocks[0].type"},
		{"field of another type", head + `{"type":"stats","stats":[{"label":{"zh":"数"},"value":"1"}],"rows":[]}]}`, "blocks[0].rows"},
		{"javascript link", table(`{"text":"x","href":"javascript:alert(1)"}`, ""), "blocks[0].rows[0].cells[0].href"},
		{"remote link", table(`{"text":"x","href":"//evil.example/items/4"}`, ""), "blocks[0].rows[0].cells[0].href"},
		{"link outside the routes", table(`{"text":"x","href":"/admin"}`, ""), "blocks[0].rows[0].cells[0].href"},
		{"dot-dot link", table(`{"text":"x","href":"/items/../../admin"}`, ""), "blocks[0].rows[0].cells[0].href"},
		{"action to no route", table(`{"text":"x"}`, `,"actions":[{"label":{"zh":"删"},"method":"POST","path":"/api/v1/users"}]`), "blocks[0].rows[0].actions[0].path"},
		{"GET action", table(`{"text":"x"}`, `,"actions":[{"label":{"zh":"看"},"method":"GET","path":"/items/4"}]`), "blocks[0].rows[0].actions[0].method"},
		{"nested body", table(`{"text":"x"}`, `,"actions":[{"label":{"zh":"关"},"method":"POST","path":"/items/4/close","body":{"o":{"a":1}}}]`), "blocks[0].rows[0].actions[0].body.o"},
		{"cells unlike columns", table(`{"text":"x"},{"text":"y"}`, ""), "blocks[0].rows[0].cells"},
		{"unknown tone", table(`{"text":"x","tone":"pink"}`, ""), "blocks[0].rows[0].cells[0].tone"},
		{"raw echarts option", head + `{"type":"chart","title":{"zh":"图"},"chart":{"kind":"bar","categories":[],"series":[],"option":{}}}]}`, ""},
		{"unknown chart", head + `{"type":"chart","title":{"zh":"图"},"chart":{"kind":"sankey","categories":["a"],"series":[{"name":{"zh":"s"},"values":[1]}]}}]}`, "blocks[0].chart.kind"},
		{"values unlike categories", head + `{"type":"chart","title":{"zh":"图"},"chart":{"kind":"line","categories":["a"],"series":[{"name":{"zh":"s"},"values":[1,2]}]}}]}`, "blocks[0].chart.series[0].values"},
		{"checkbox of a string", head + `{"type":"form","fields":[{"name":"a","type":"string","label":{"zh":"甲"},"widget":"checkbox"}],"submit":{"label":{"zh":"交"},"method":"POST","path":"/notes"}}]}`, "blocks[0].fields[0].widget"},
		{"reserved field name", head + `{"type":"form","fields":[{"name":"_csrf","type":"string","label":{"zh":"甲"}}],"submit":{"label":{"zh":"交"},"method":"POST","path":"/notes"}}]}`, "blocks[0].fields[0].name"},
		{"form without submit", head + `{"type":"form","fields":[]}]}`, "blocks[0].submit"},
		{"bad date", table(`{"text":"x"}`, "")[:0] + head + `{"type":"table","columns":[{"key":"d","label":{"zh":"日"},"kind":"date"}],"rows":[{"cells":[{"text":"yesterday"}]}]}]}`, "blocks[0].rows[0].cells[0].text"},
		{"oversized text", head + `{"type":"stats","stats":[{"label":{"zh":"` + strings.Repeat("长", 2001) + `"},"value":"1"}]}]}`, "blocks[0].stats[0].label.zh"},
		{"too many blocks", head + strings.TrimSuffix(strings.Repeat(`{"type":"stats","stats":[{"label":{"zh":"数"},"value":"1"}]},`, 21), ",") + `]}`, "blocks"},
		{"oversized", head + `{"type":"stats","stats":[{"label":{"zh":"数"},"value":"` + strings.Repeat("x", plugins.MaxViewBytes) + `"}]}]}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := plugins.DecodeView([]byte(tt.in), viewManifest)
			if tt.path == "-" {
				if err != nil || v == nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ve *plugins.ViewError
			if !errors.As(err, &ve) || !errors.Is(err, plugins.ErrInvalidView) {
				t.Fatalf("error %v, want a ViewError", err)
			}
			if tt.path != "" && ve.Path != tt.path {
				t.Errorf("error at %q (%s), want %q", ve.Path, ve.Reason, tt.path)
			}
		})
	}
}

func FuzzDecodeView(f *testing.F) {
	f.Add([]byte(`{"view":"fengqiao.view/v1","title":{"zh":"页"},"blocks":[{"type":"table","columns":[{"key":"a","label":{"zh":"甲"},"kind":"link"}],"rows":[{"cells":[{"text":"x","href":"/items/4"}],"actions":[{"label":{"zh":"关"},"method":"POST","path":"/items/4/close","body":{"a":1}}]}]}]}`))
	f.Add([]byte(`{"view":"fengqiao.view/v1","title":{"zh":"页"},"blocks":[{"type":"chart","title":{"zh":"图"},"chart":{"kind":"pie","categories":["a"],"series":[{"name":{"zh":"s"},"values":[1]}]}}]}`))
	f.Add([]byte(`{"view":"fengqiao.view/v1","title":{"zh":"页"},"blocks":[{"type":"form","fields":[{"name":"d","type":"string","label":{"zh":"日"},"widget":"date","format":"date","value":"2026-01-01"}],"submit":{"label":{"zh":"交"},"method":"POST","path":"/notes"}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := plugins.DecodeView(b, viewManifest)
		if err != nil {
			if v != nil || !errors.Is(err, plugins.ErrInvalidView) {
				t.Fatalf("error %v with a view, or not ErrInvalidView", err)
			}
			return
		}
		// A valid view's links and actions stay on the plugin's routes.
		for _, bl := range v.Blocks {
			for _, r := range bl.Rows {
				for _, c := range r.Cells {
					if c.Href != "" && (!strings.HasPrefix(c.Href, "/") || strings.HasPrefix(c.Href, "//") || strings.Contains(c.Href, ":")) {
						if _, _, ok := plugins.MatchRoute(viewManifest, "GET", strings.SplitN(c.Href, "?", 2)[0]); !ok {
							t.Fatalf("link %q admitted", c.Href)
						}
					}
				}
			}
		}
	})
}

// What the SDK's builders produce, the host accepts.
func TestDecodeViewOfBuilders(t *testing.T) {
	page := view.NewPage("物品", "Items").WithNotice("提示", "Note").Add(
		view.NewForm("新增", "Add", http.MethodPost, "/notes", "保存", "Save").Field(
			view.Input("name", "名称", "Name").Require().Length(1, 20).WithHelp("简称即可", "short"),
			view.Select("colour", "颜色", "Colour", view.Opt("red", "红", "Red")),
			view.Date("day", "日期", "Day"), view.Integer("n", "数量", "Count").Range(1, 9).Default(3),
			view.TextArea("memo", "备注", "Memo"), view.Checkbox("ok", "确认", "OK").Default(true),
		).Confirm("确定？", "Sure?"),
		view.NewTable("列表", "List").Filter(view.Input("q", "关键词", "Words")).
			Column("name", "名称", "Name", view.KindLink).Column("day", "日期", "Day", view.KindDate).
			RowWith([]view.Action{view.Post("关闭", "Close", "/items/1/close", map[string]any{"why": "done", "n": 2}).Danger()},
				view.Link("一号", "/items/1"), view.Text("2026-05-04")).NextCursor("2").WhenEmpty("无", "None"),
		view.NewDetail("详情", "Detail").Item("名称", "Name", "一号"),
		view.NewTimeline("经过", "History").Entry(time.Now(), "创建", "由王芳创建"),
		view.NewStats().StatTone("开启", "Open", "1", view.ToneOrange, "待处理", "to do"),
		view.NewChart("趋势", "Trend", view.ChartPie, "1月", "2月").Series("件数", "Cases", 1, 2),
	)
	b, err := page.JSON()
	if err != nil {
		t.Fatal(err)
	}
	v, err := plugins.DecodeView(b, viewManifest)
	if err != nil {
		t.Fatalf("the host refuses the builders' view: %v\n%s", err, b)
	}
	if len(v.Blocks) != 6 || v.Blocks[1].Rows[0].Actions[0].Body["why"] != "done" {
		t.Errorf("decoded %+v", v.Blocks)
	}
}
