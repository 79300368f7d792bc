package example

// The example's console pages: declarative views (plugins/sdk/view), one of each type, around
// a small follow-up visit register kept in the document store (kind "visits"):
//
//	GET  /pages/visit         form: record a visit (case id optional, kind, date, minutes, note)
//	POST /visits              the form's action: 422 on "note" when empty, on "case_id" when the
//	                          case does not exist; notes the case (Host.AddCaseNote) when given;
//	                          answers a detail view of the visit
//	GET  /pages/visits        table of the visits (filter by kind, 20 a page with a cursor),
//	                          a link to each visit and a row action "done"
//	POST /visits/{id}/done    marks a visit done: 200 {"id": …}
//	GET  /pages/visits/{id}   detail of a visit
//	GET  /pages/timeline      timeline of the visits, newest first
//	GET  /pages/overview      stat cards and a bar chart of the visits by kind

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/plugins/sdk"
	"github.com/fengqiao/fengqiao/plugins/sdk/view"
)

// visit is a document of kind "visits".
type visit struct {
	CaseID     string    `json:"case_id,omitempty"`
	Kind       string    `json:"kind"`
	Date       string    `json:"date"`
	Minutes    int       `json:"minutes,omitempty"`
	Note       string    `json:"note"`
	By         string    `json:"by"`
	Done       bool      `json:"done,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
}

var visitKinds = []struct{ value, zh, en string }{
	{"phone", "电话回访", "Phone call"},
	{"home", "上门回访", "Home visit"},
	{"other", "其他", "Other"},
}

func kindLabel(k string) (string, string) {
	for _, x := range visitKinds {
		if x.value == k {
			return x.zh, x.en
		}
	}
	return k, k
}

var seq atomic.Int64

// newVisitID orders visits by the time they were recorded.
func newVisitID(now time.Time) string {
	return fmt.Sprintf("v%013d%03d", now.UnixMilli(), seq.Add(1)%1000)
}

func visitForm() *view.Page {
	var opts []view.Option
	for _, k := range visitKinds {
		opts = append(opts, view.Opt(k.value, k.zh, k.en))
	}
	return view.NewPage("登记回访", "Record a visit").Add(
		view.NewForm("回访情况", "The visit", http.MethodPost, "/visits", "登记", "Record").Field(
			view.Input("case_id", "案件编号（可选）", "Case ID (optional)").WithHelp("填写后，回访内容记入该案件的办理记录", "If given, the note is added to the case's history"),
			view.Select("kind", "回访方式", "Kind", opts...).Require(),
			view.Date("date", "回访日期", "Date").Require(),
			view.Integer("minutes", "用时（分钟）", "Minutes").Range(1, 600),
			view.TextArea("note", "回访内容", "Note").Require().Length(1, 500),
		))
}

// listVisits reads every visit (the example keeps few), in id order.
func listVisits(ctx context.Context, docs sdk.Documents) ([]sdk.Document, []visit, error) {
	var ds []sdk.Document
	var vs []visit
	after := ""
	for range 50 {
		page, next, err := docs.List(ctx, "visits", after, 200)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range page {
			var v visit
			if json.Unmarshal(d.Data, &v) == nil {
				ds, vs = append(ds, d), append(vs, v)
			}
		}
		if next == "" {
			break
		}
		after = next
	}
	return ds, vs, nil
}

// servePage answers the console's pages and the visit actions; ok is false for other routes.
func (p *Plugin) servePage(ctx context.Context, call *sdk.Call, req *sdk.Request) (*sdk.Response, bool, error) {
	docs := call.Host.Documents()
	var resp *sdk.Response
	var err error
	switch req.Method + " " + req.Pattern {
	case "GET /pages/visit":
		resp, err = visitForm().Response(http.StatusOK)
	case "POST /visits":
		resp, err = recordVisit(ctx, call, req)
	case "GET /pages/visits":
		resp, err = visitTable(ctx, docs, req)
	case "GET /pages/visits/{id}":
		d, gerr := docs.Get(ctx, "visits", req.Param("id"))
		if gerr != nil {
			resp, err = hostProblem(gerr)
			break
		}
		var v visit
		if json.Unmarshal(d.Data, &v) != nil {
			return sdk.ProblemResponse(http.StatusNotFound, &sdk.Problem{Title: "未找到 / not found"}), true, nil
		}
		resp, err = visitDetail(d.ID, v).Response(http.StatusOK)
	case "POST /visits/{id}/done":
		resp, err = markDone(ctx, docs, req.Param("id"))
	case "GET /pages/timeline":
		resp, err = visitTimeline(ctx, docs)
	case "GET /pages/overview":
		resp, err = overview(ctx, docs)
	default:
		return nil, false, nil
	}
	if err != nil {
		var prob *sdk.Problem
		if errors.As(err, &prob) {
			return nil, true, err
		}
		// A host failure is the user's to retry, not a crash of the route.
		return sdk.ProblemResponse(http.StatusServiceUnavailable, &sdk.Problem{Title: "暂时无法完成，请稍后重试 / unavailable: retry shortly"}), true, nil
	}
	return resp, true, nil
}

func recordVisit(ctx context.Context, call *sdk.Call, req *sdk.Request) (*sdk.Response, error) {
	var in struct {
		CaseID  string `json:"case_id"`
		Kind    string `json:"kind"`
		Date    string `json:"date"`
		Minutes int    `json:"minutes"`
		Note    string `json:"note"`
	}
	if err := json.Unmarshal(req.Body, &in); err != nil {
		return badJSON(), nil
	}
	prob := &sdk.Problem{Title: "请检查回访情况 / check the visit"}
	if strings.TrimSpace(in.Note) == "" {
		prob.Fields = append(prob.Fields, sdk.FieldProblem{Field: "note", Message: "回访内容不能为空 / the note is required"})
	} else if utf8.RuneCountInString(in.Note) > 500 {
		prob.Fields = append(prob.Fields, sdk.FieldProblem{Field: "note", Message: "回访内容最多 500 字 / at most 500 characters"})
	}
	if zh, _ := kindLabel(in.Kind); zh == in.Kind {
		prob.Fields = append(prob.Fields, sdk.FieldProblem{Field: "kind", Message: "请选择回访方式 / choose the kind"})
	}
	if _, err := time.Parse("2006-01-02", in.Date); err != nil {
		prob.Fields = append(prob.Fields, sdk.FieldProblem{Field: "date", Message: "请填写回访日期 / the date is required"})
	}
	if in.Minutes < 0 || in.Minutes > 600 {
		prob.Fields = append(prob.Fields, sdk.FieldProblem{Field: "minutes", Message: "用时应在 1 到 600 分钟之间 / between 1 and 600 minutes"})
	}
	if len(prob.Fields) > 0 {
		return sdk.ProblemResponse(http.StatusUnprocessableEntity, prob), nil
	}
	if in.CaseID != "" {
		kz, _ := kindLabel(in.Kind)
		if _, err := call.Host.AddCaseNote(ctx, in.CaseID, kz+"："+in.Note, map[string]string{"by": call.Principal.Subject}); err != nil {
			if errors.Is(err, sdk.ErrNotFound) || errors.Is(err, sdk.ErrInvalid) {
				return sdk.ProblemResponse(http.StatusUnprocessableEntity, &sdk.Problem{Title: "案件不存在 / no such case",
					Fields: []sdk.FieldProblem{{Field: "case_id", Message: "没有这个案件，或您无权查看 / no such case, or not yours to see"}}}), nil
			}
			return hostProblem(err)
		}
	}
	now := time.Now()
	v := visit{CaseID: in.CaseID, Kind: in.Kind, Date: in.Date, Minutes: in.Minutes, Note: in.Note, By: call.Principal.Name, RecordedAt: now}
	if v.By == "" {
		v.By = call.Principal.Subject
	}
	data, _ := json.Marshal(v)
	d, err := call.Host.Documents().Create(ctx, sdk.Document{Kind: "visits", ID: newVisitID(now), Data: data})
	if err != nil {
		return nil, err
	}
	return visitDetail(d.ID, v).WithNotice("回访已登记。", "The visit is recorded.").Response(http.StatusCreated)
}

func visitDetail(id string, v visit) *view.Page {
	kz, _ := kindLabel(v.Kind)
	state := "待跟进"
	if v.Done {
		state = "已完成"
	}
	d := view.NewDetail("", "").Section("回访", "Visit").
		Item("编号", "ID", id).
		Item("方式", "Kind", kz).
		Item("日期", "Date", v.Date).
		Item("用时（分钟）", "Minutes", strconv.Itoa(v.Minutes)).
		Item("状态", "State", state).
		Section("内容", "Content").
		Item("回访内容", "Note", v.Note).
		Item("登记人", "Recorded by", v.By)
	if v.CaseID != "" {
		d.Item("案件", "Case", v.CaseID)
	}
	return view.NewPage("回访详情", "Visit").Add(d)
}

func visitTable(ctx context.Context, docs sdk.Documents, req *sdk.Request) (*sdk.Response, error) {
	q, _ := url.ParseQuery(req.Query)
	kind, cursor := q.Get("kind"), q.Get("cursor")
	ds, vs, err := listVisits(ctx, docs)
	if err != nil {
		return nil, err
	}
	var opts []view.Option
	for _, k := range visitKinds {
		opts = append(opts, view.Opt(k.value, k.zh, k.en))
	}
	t := view.NewTable("回访记录", "Visits").
		Filter(view.Select("kind", "回访方式", "Kind", opts...)).
		Column("id", "编号", "ID", view.KindLink).
		Column("date", "日期", "Date", view.KindDate).
		Column("kind", "方式", "Kind", view.KindText).
		Column("minutes", "用时（分钟）", "Minutes", view.KindNumber).
		Column("state", "状态", "State", view.KindBadge).
		WhenEmpty("还没有回访记录", "No visits yet")
	const pageSize = 20
	n, last := 0, ""
	for i := len(ds) - 1; i >= 0; i-- { // newest first
		d, v := ds[i], vs[i]
		if (kind != "" && v.Kind != kind) || (cursor != "" && d.ID >= cursor) {
			continue
		}
		if n == pageSize {
			t.NextCursor(last)
			break
		}
		n, last = n+1, d.ID
		kz, _ := kindLabel(v.Kind)
		state := view.Badge("待跟进", view.ToneOrange)
		var actions []view.Action
		if v.Done {
			state = view.Badge("已完成", view.ToneGreen)
		} else {
			actions = append(actions, view.Post("标记完成", "Mark done", "/visits/"+d.ID+"/done", nil).WithConfirm("确认此回访已完成？", "Mark this visit done?"))
		}
		t.RowWith(actions, view.Link(d.ID, "/pages/visits/"+d.ID), view.Text(v.Date), view.Text(kz), view.Text(strconv.Itoa(v.Minutes)), state)
	}
	return view.NewPage("回访记录", "Visits").Add(t).Response(http.StatusOK)
}

func markDone(ctx context.Context, docs sdk.Documents, id string) (*sdk.Response, error) {
	for range 5 {
		d, err := docs.Get(ctx, "visits", id)
		if err != nil {
			return hostProblem(err)
		}
		var v visit
		if err := json.Unmarshal(d.Data, &v); err != nil {
			return nil, err
		}
		v.Done = true
		data, _ := json.Marshal(v)
		_, err = docs.Put(ctx, sdk.Document{Kind: "visits", ID: id, Data: data}, d.Version)
		if errors.Is(err, sdk.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return sdk.JSON(http.StatusOK, map[string]string{"id": id})
	}
	return sdk.ProblemResponse(http.StatusConflict, &sdk.Problem{Title: "请重试 / retry"}), nil
}

func visitTimeline(ctx context.Context, docs sdk.Documents) (*sdk.Response, error) {
	_, vs, err := listVisits(ctx, docs)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].RecordedAt.After(vs[j].RecordedAt) })
	tl := view.NewTimeline("最近的回访", "Recent visits")
	for i, v := range vs {
		if i == 50 {
			break
		}
		kz, _ := kindLabel(v.Kind)
		tl.Entry(v.RecordedAt, kz+" · "+v.Date, v.Note)
	}
	return view.NewPage("回访时间线", "Visit timeline").Add(tl).Response(http.StatusOK)
}

func overview(ctx context.Context, docs sdk.Documents) (*sdk.Response, error) {
	_, vs, err := listVisits(ctx, docs)
	if err != nil {
		return nil, err
	}
	t, _, err := readTally(ctx, docs)
	if err != nil {
		return nil, err
	}
	done, minutes := 0, 0
	byKind := map[string]float64{}
	for _, v := range vs {
		if v.Done {
			done++
		}
		minutes += v.Minutes
		byKind[v.Kind]++
	}
	stats := view.NewStats().
		Stat("回访次数", "Visits", strconv.Itoa(len(vs))).
		StatTone("待跟进", "Open", strconv.Itoa(len(vs)-done), view.ToneOrange, "尚未标记完成", "not marked done").
		StatTone("已完成", "Done", strconv.Itoa(done), view.ToneGreen, "", "").
		Stat("已处理事件", "Events handled", strconv.Itoa(t.Count))
	var cats []string
	var counts []float64
	for _, k := range visitKinds {
		cats = append(cats, k.zh)
		counts = append(counts, byKind[k.value])
	}
	chart := view.NewChart("按方式统计回访", "Visits by kind", view.ChartBar, cats...).Series("回访次数", "Visits", counts...)
	return view.NewPage("回访概况", "Overview").Add(stats, chart).Response(http.StatusOK)
}
