package example_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/plugins/example"
	"github.com/fengqiao/fengqiao/plugins/sdk"
	"github.com/fengqiao/fengqiao/plugins/sdk/sdktest"
	"github.com/fengqiao/fengqiao/plugins/sdk/view"
)

// route calls one of the example's routes as sdktest's user.
func route(t *testing.T, call *sdk.Call, method, pattern, path string, params map[string]string, query string, body any) *sdk.Response {
	t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	resp, err := example.New("").ServeRoute(context.Background(), call, &sdk.Request{Method: method, Pattern: pattern, Path: path, Params: params, Query: query, Body: b})
	if err != nil {
		var p *sdk.Problem
		if errors.As(err, &p) {
			return sdk.ProblemResponse(http.StatusUnprocessableEntity, p)
		}
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

func TestConsolePages(t *testing.T) {
	m := example.New("").Manifest()
	host := newHost()
	call := sdktest.NewCall(tenant, "", host)

	// Every console entry answers a valid view.
	for _, e := range m.Console {
		sdktest.View(t, route(t, call, "GET", e.Path, e.Path, nil, "", nil), m)
	}

	form := sdktest.View(t, route(t, call, "GET", "/pages/visit", "/pages/visit", nil, "", nil), m)
	f := form.Block(view.TypeForm, "回访情况")
	if f.Submit.Method != "POST" || f.Submit.Path != "/visits" || !form.Field(f, "note").Required || form.Field(f, "kind").Widget != view.WidgetSelect {
		t.Errorf("form %+v", f)
	}

	// The form's action: a problem on the field at fault, then a visit recorded (and noted on
	// its case).
	res := route(t, call, "POST", "/visits", "/visits", nil, "", map[string]any{"kind": "phone", "date": "2026-05-04", "note": " "})
	if res.Status != 422 || !strings.Contains(string(res.Body), `"field":"note"`) {
		t.Errorf("empty note: %d %s", res.Status, res.Body)
	}
	res = route(t, call, "POST", "/visits", "/visits", nil, "", map[string]any{"case_id": "nosuch", "kind": "phone", "date": "2026-05-04", "note": "已回访"})
	if res.Status != 422 || !strings.Contains(string(res.Body), `"field":"case_id"`) {
		t.Errorf("unknown case: %d %s", res.Status, res.Body)
	}
	res = route(t, call, "POST", "/visits", "/visits", nil, "", map[string]any{"case_id": "c1", "kind": "home", "date": "2026-05-04", "minutes": 30, "note": "双方已履行协议"})
	if res.Status != 201 {
		t.Fatalf("record: %d %s", res.Status, res.Body)
	}
	detail := sdktest.View(t, res, m).Block(view.TypeDetail)
	if detail.Sections[1].Items[0].Value != "双方已履行协议" {
		t.Errorf("detail %+v", detail)
	}
	if notes := host.Notes(); len(notes) != 1 || !strings.Contains(notes[0].Text, "双方已履行协议") {
		t.Errorf("notes %+v", notes)
	}
	route(t, call, "POST", "/visits", "/visits", nil, "", map[string]any{"kind": "phone", "date": "2026-05-05", "note": "电话确认"})

	// The table: newest first, a link to each visit, a row action, the kind filter.
	tv := sdktest.View(t, route(t, call, "GET", "/pages/visits", "/pages/visits", nil, "", nil), m)
	table := tv.Block(view.TypeTable)
	if len(table.Rows) != 2 || len(table.Filters) != 1 {
		t.Fatalf("table %+v", table)
	}
	id := table.Rows[1].Cells[tv.Column(table, "id")].Text
	if table.Rows[1].Cells[0].Href != "/pages/visits/"+id || table.Rows[1].Actions[0].Path != "/visits/"+id+"/done" {
		t.Errorf("row %+v", table.Rows[1])
	}
	filtered := sdktest.View(t, route(t, call, "GET", "/pages/visits", "/pages/visits", nil, url.Values{"kind": {"home"}}.Encode(), nil), m).Block(view.TypeTable)
	if len(filtered.Rows) != 1 {
		t.Errorf("filtered %+v", filtered.Rows)
	}
	// The row action, then the detail page shows it done.
	if res := route(t, call, "POST", "/visits/{id}/done", "/visits/"+id+"/done", map[string]string{"id": id}, "", map[string]any{}); res.Status != 200 {
		t.Fatalf("done: %d %s", res.Status, res.Body)
	}
	dv := sdktest.View(t, route(t, call, "GET", "/pages/visits/{id}", "/pages/visits/"+id, map[string]string{"id": id}, "", nil), m)
	if !strings.Contains(mustJSON(dv.Page), "已完成") {
		t.Errorf("not done: %s", mustJSON(dv.Page))
	}
	if res := route(t, call, "GET", "/pages/visits/{id}", "/pages/visits/nosuch", map[string]string{"id": "nosuch"}, "", nil); res.Status != 404 {
		t.Errorf("unknown visit: %d", res.Status)
	}

	tl := sdktest.View(t, route(t, call, "GET", "/pages/timeline", "/pages/timeline", nil, "", nil), m).Block(view.TypeTimeline)
	if len(tl.Entries) != 2 || tl.Entries[0].Text != "电话确认" {
		t.Errorf("timeline %+v", tl.Entries)
	}
	ov := sdktest.View(t, route(t, call, "GET", "/pages/overview", "/pages/overview", nil, "", nil), m)
	if st := ov.Block(view.TypeStats); st.Stats[0].Value != "2" || st.Stats[2].Value != "1" {
		t.Errorf("stats %+v", st.Stats)
	}
	if ch := ov.Block(view.TypeChart); ch.Chart.Series[0].Values[0] != 1 || ch.Chart.Series[0].Values[1] != 1 {
		t.Errorf("chart %+v", ch.Chart)
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }
