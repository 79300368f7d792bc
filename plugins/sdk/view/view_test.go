package view_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/plugins/sdk"
	"github.com/fengqiao/fengqiao/plugins/sdk/sdktest"
	"github.com/fengqiao/fengqiao/plugins/sdk/view"
)

var manifest = sdk.Manifest{Name: "probe", Routes: []sdk.RouteSpec{
	{Method: "GET", Path: "/items"}, {Method: "GET", Path: "/items/{id}"},
	{Method: "POST", Path: "/items"}, {Method: "POST", Path: "/items/{id}/close"},
}}

// Every builder, and what sdktest reads back.
func TestBuilders(t *testing.T) {
	at := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	page := view.NewPage("物品", "Items").WithNotice("提示", "Note").Add(
		view.NewForm("新增", "Add", http.MethodPost, "/items", "保存", "Save").Field(
			view.Input("name", "名称", "Name").Require().Length(1, 20).WithHelp("简称即可", "short"),
			view.Select("colour", "颜色", "Colour", view.Opt("red", "红", "Red")),
			view.Date("day", "日期", "Day"), view.Integer("n", "数量", "Count").Range(1, 9).Default(3),
			view.Number("w", "重量", "Weight"), view.TextArea("memo", "备注", "Memo"), view.Checkbox("ok", "确认", "OK"),
		).Confirm("确定？", "Sure?"),
		view.NewTable("列表", "List").Filter(view.Input("q", "关键词", "Words")).
			Column("name", "名称", "Name", view.KindLink).Column("state", "状态", "State", view.KindBadge).
			RowWith([]view.Action{view.Post("关闭", "Close", "/items/1/close", map[string]any{"why": "done"}).WithConfirm("关闭？", "Close?").Danger()},
				view.Link("一号", "/items/1"), view.Badge("开", view.ToneGreen)).
			Row(view.Text("二号"), view.Text("关")).NextCursor("2").WhenEmpty("无", "None"),
		view.NewDetail("详情", "Detail").Item("名称", "Name", "一号").Section("其他", "Other").Item("备注", "Memo", "无"),
		view.NewTimeline("经过", "History").Entry(at, "创建", "由王芳创建"),
		view.NewStats().Stat("总数", "Total", "2").StatTone("开启", "Open", "1", view.ToneOrange, "待处理", "to do"),
		view.NewChart("趋势", "Trend", view.ChartLine, "1月", "2月").Series("件数", "Cases", 1, 2),
	)
	resp, err := page.Response(0)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || !strings.HasPrefix(resp.Headers["Content-Type"], "application/json") {
		t.Fatalf("response %d %v", resp.Status, resp.Headers)
	}
	v := sdktest.View(t, resp, manifest)
	if v.Page.View != view.Version || v.Page.Notice.ZH != "提示" || len(v.Page.Blocks) != 6 {
		t.Fatalf("page %+v", v.Page)
	}
	form := v.Block(view.TypeForm, "新增")
	if f := v.Field(form, "name"); !f.Required || *f.MaxLength != 20 || f.Help.EN != "short" {
		t.Errorf("name field %+v", f)
	}
	if f := v.Field(form, "n"); f.Type != view.FieldInteger || *f.Minimum != 1 || f.Value != float64(3) {
		t.Errorf("integer field %+v", f)
	}
	if form.Submit.Confirm.ZH != "确定？" || form.Submit.Path != "/items" {
		t.Errorf("submit %+v", form.Submit)
	}
	table := v.Block(view.TypeTable)
	if table.Rows[0].Cells[v.Column(table, "name")].Href != "/items/1" || table.Rows[0].Actions[0].Tone != view.ToneRed || table.Next != "2" {
		t.Errorf("table %+v", table)
	}
	if d := v.Block(view.TypeDetail); len(d.Sections) != 2 || d.Sections[1].Items[0].Value != "无" {
		t.Errorf("detail %+v", d)
	}
	if tl := v.Block(view.TypeTimeline); !tl.Entries[0].At.Equal(at) {
		t.Errorf("timeline %+v", tl)
	}
	if ch := v.Block(view.TypeChart, "趋势"); ch.Chart.Kind != view.ChartLine || ch.Chart.Series[0].Values[1] != 2 {
		t.Errorf("chart %+v", ch.Chart)
	}
}

// CheckView refuses what the host refuses.
func TestCheckView(t *testing.T) {
	base := func() *view.Page { return view.NewPage("页", "Page") }
	tests := []struct {
		name string
		page *view.Page
		want string
	}{
		{"valid", base().Add(view.NewTable("", "").Column("a", "甲", "A", view.KindText).Row(view.Text("x"))), ""},
		{"version", &view.Page{View: "fengqiao.view/v0", Title: sdk.Text{ZH: "页"}, Blocks: []view.Block{}}, "view"},
		{"unknown type", base().Add(view.Block{Type: "html"}), "unknown block type"},
		{"javascript link", base().Add(view.NewTable("", "").Column("a", "甲", "A", view.KindLink).Row(view.Link("x", "javascript:alert(1)"))), "not one of the plugin's GET routes"},
		{"link elsewhere", base().Add(view.NewTable("", "").Column("a", "甲", "A", view.KindLink).Row(view.Link("x", "/admin"))), "not one of the plugin's GET routes"},
		{"action elsewhere", base().Add(view.NewForm("", "", http.MethodPost, "/nowhere", "交", "Go")), "not one of the plugin's"},
		{"cells", base().Add(view.NewTable("", "").Column("a", "甲", "A", view.KindText).Row(view.Text("x"), view.Text("y"))), "2 cells for 1 columns"},
		{"series", base().Add(view.NewChart("图", "Chart", view.ChartPie, "a").Series("s", "s", 1, 2)), "2 values for 1 categories"},
		{"chart kind", base().Add(view.NewChart("图", "Chart", "radar", "a").Series("s", "s", 1)), "unknown chart kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := json.Marshal(tt.page)
			var p view.Page
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatal(err)
			}
			err := sdktest.CheckView(&p, &manifest)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}
