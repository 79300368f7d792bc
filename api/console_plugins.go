package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fengqiao/fengqiao/core/pluginhost"
	"github.com/fengqiao/fengqiao/core/plugins"
	"github.com/labstack/echo/v4"
)

// Plugin pages: the console entries of the plugins enabled for the user's tenant, rendered from
// the declarative views the plugins answer (core/plugins.DecodeView; plugins/sdk/view builds
// them). A page at /p/{plugin}{route} is the plugin's GET route {route} called in-process as
// the user, through the same checks as /api/v1/tenants/{code}/plugins/{plugin}{route}
// (pluginRouteAllowed, servePluginRoute): the plugin_routes rule, the tenant, the enablement;
// the host audits what the plugin does as the user. Actions post to the page's own URL with
// _action naming the form or the row action of the view; the console fetches the view again,
// takes the action from it (never a route from the browser), checks the form's values against
// its fields, and calls the action's route the same way.
func consolePluginPages() []page {
	return []page{
		{method: http.MethodGet, path: "/p/:name/*", handler: (*Server).pluginPage},
		{method: http.MethodPost, path: "/p/:name/*", handler: (*Server).pluginAction},
	}
}

// pluginNav lists the console entries of the plugins enabled for the user's tenant (by its
// own row or a subtree enablement above it), if the user may call plugin routes there.
func (s *Server) pluginNav(c echo.Context, v *view) []navItem {
	if s.deps.Plugins == nil || v.User == nil {
		return nil
	}
	code := v.User.TenantCode
	if s.pluginRouteAllowed(c, v.User.Principal, code, http.MethodGet) != nil {
		return nil
	}
	var items []navItem
	for _, r := range s.deps.Plugins.Records() {
		if _, _, ok := s.deps.Plugins.Enabled(r.Name, code); !ok || r.Manifest == nil {
			continue
		}
		for _, e := range r.Manifest.Console {
			if strings.Contains(e.Path, "{") {
				continue // a page of a parameter: reached by links, not the menu
			}
			p := "/p/" + r.Name + e.Path
			items = append(items, navItem{Path: p, ZH: e.Menu.Zh, EN: e.Menu.En, Group: r.Name, Active: v.Path == p})
		}
	}
	return items
}

// errPluginView: the plugin answered something that is not a view the console can show.
func errPluginView(name string, err error) *Problem {
	detail := "插件 " + name + " 返回的页面不符合视图格式，无法显示 / the plugin " + name + " answered a page that is not a valid view"
	var ve *plugins.ViewError
	if errors.As(err, &ve) {
		detail += " (" + ve.Error() + ")"
	}
	return problem(http.StatusBadGateway, "plugin-view-invalid", "插件页面无法显示 / The plugin's page cannot be shown", detail)
}

// pluginPageData is what plugin_page.html renders.
type pluginPageData struct {
	Plugin string
	Base   string // /p/{plugin}
	URL    string // the page's own URL (path and query), where its actions post
	Path   string // the plugin route's path
	Query  url.Values
	View   *plugins.View
	Blocks []pBlock
	Done   bool
	// Problems are the current problem's messages, each with the label of its field and a
	// link to it (a message for no field of the page has neither).
	Problems []pProblem
}

type pProblem struct {
	Label, Msg, Anchor string
}

// pBlock is a block with what its template needs computed.
type pBlock struct {
	*plugins.ViewBlock
	Index     int
	ID        string // the block's element id prefix
	Fields    []pField
	Filters   []pField
	Rows      []pRow
	ChartJSON string
	Cursor    string // the URL of the next page of a table
	// HasActions: some row has actions (the table gets an actions column).
	HasActions bool
}

type pRow struct {
	Cells   []pCell
	Actions []pAction
}

type pCell struct {
	plugins.ViewCell
	Kind    string
	Href    string // the console URL of a link
	Display string
}

type pAction struct {
	plugins.ViewAction
	ID string // _action
}

type pField struct {
	plugins.ViewField
	ID      string
	Value   string
	Checked bool
}

// fetchView calls the plugin's GET route path as the user and decodes its view.
func (s *Server) fetchView(c echo.Context, v *view, name, path string, query url.Values) (*plugins.View, error) {
	code := v.User.TenantCode
	if s.deps.Plugins == nil || !plugins.ValidName(name) {
		return nil, errPluginRouteNotFound()
	}
	if err := s.pluginRouteAllowed(c, v.User.Principal, code, http.MethodGet); err != nil {
		return nil, err
	}
	rec, _, ok := s.deps.Plugins.Enabled(name, code)
	if !ok || rec.Manifest == nil {
		return nil, errPluginRouteNotFound()
	}
	if _, err := s.deps.Plugins.Route(name, code, http.MethodGet, path); err != nil {
		return nil, errPluginRouteNotFound()
	}
	resp, err := s.servePluginRoute(c.Request().Context(), name, code, pluginhost.RouteRequest{Method: http.MethodGet, Path: path,
		Query: query.Encode(), Headers: map[string]string{"Accept": "application/json", "Accept-Language": v.acceptLanguage()}})
	if err != nil {
		return nil, err
	}
	if resp.Status >= 400 {
		return nil, pluginProblem(name, resp)
	}
	pv, err := plugins.DecodeView(resp.Body, rec.Manifest)
	if err != nil {
		return nil, errPluginView(name, err)
	}
	return pv, nil
}

func (v *view) acceptLanguage() string {
	if v.Lang == "en" {
		return "en"
	}
	return "zh-CN"
}

// pluginProblem is a plugin's 4xx answer as a problem (its title, detail and fields), or a
// failure for anything else.
func pluginProblem(name string, resp pluginhost.RouteResponse) *Problem {
	if resp.Status >= 500 {
		return problem(http.StatusBadGateway, "plugin-failed", "插件未能处理请求 / The plugin failed",
			"插件 "+name+" 答复了错误 "+strconv.Itoa(resp.Status)+" / the plugin "+name+" answered "+strconv.Itoa(resp.Status))
	}
	var body struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Errors []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
			Detail  string `json:"detail"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(resp.Body, &body)
	p := &Problem{Type: ProblemBase + "plugin-problem", Status: resp.Status, Title: limitText(body.Title), Detail: limitText(body.Detail)}
	if p.Title == "" {
		p.Title = "插件拒绝了请求 / The plugin refused the request"
	}
	for i, e := range body.Errors {
		if i == 20 {
			break
		}
		msg := e.Message
		if msg == "" {
			msg = e.Detail
		}
		p.Errors = append(p.Errors, FieldProblem{Field: limitText(e.Field), Detail: limitText(msg)})
	}
	if resp.Status == http.StatusNotFound {
		p.Type = ProblemBase + "plugin-route-not-found"
	}
	return p
}

func limitText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	if utf8.RuneCountInString(s) > 500 {
		s = string([]rune(s)[:500]) + "…"
	}
	return s
}

// pluginQuery is the page's query as the plugin sees it: the console's own parameters
// (starting with _) removed.
func pluginQuery(c echo.Context) url.Values {
	q := url.Values{}
	for k, vs := range c.QueryParams() {
		if !strings.HasPrefix(k, "_") {
			q[k] = vs
		}
	}
	return q
}

func (s *Server) pluginPage(c echo.Context, v *view) error {
	name, path := c.Param("name"), "/"+c.Param("*")
	q := pluginQuery(c)
	pv, err := s.fetchView(c, v, name, path, q)
	if err != nil {
		return err
	}
	d := s.pluginData(v, name, path, q, pv, nil)
	d.Done = c.QueryParam("_done") == "1"
	if d.Done {
		v.Flash = v.T("操作已完成。", "Done.")
	}
	v.Title = v.T(pv.Title.Zh, pv.Title.En)
	v.Data = d
	return s.render(c, v, http.StatusOK, "plugin_page")
}

// pluginData prepares a view for the template; form values (after a refused submission) are
// shown in the form they came from.
func (s *Server) pluginData(v *view, name, path string, q url.Values, pv *plugins.View, submitted map[string]url.Values) *pluginPageData {
	base := "/p/" + name
	u := base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	d := &pluginPageData{Plugin: name, Base: base, URL: u, Path: path, Query: q, View: pv}
	for i := range pv.Blocks {
		b := &pv.Blocks[i]
		pb := pBlock{ViewBlock: b, Index: i, ID: fmt.Sprintf("pv%d", i)}
		form := submitted[fmt.Sprintf("f%d", i)]
		for _, f := range b.Fields {
			pb.Fields = append(pb.Fields, fieldOf(pb.ID, f, form))
		}
		for _, f := range b.Filters {
			pb.Filters = append(pb.Filters, fieldOf(pb.ID+"-filter", f, q))
		}
		for r, row := range b.Rows {
			pr := pRow{}
			for j, cell := range row.Cells {
				pc := pCell{ViewCell: cell, Kind: b.Columns[j].Kind, Display: cell.Text}
				if pc.Kind == "date" {
					if t, err := time.Parse(time.RFC3339, cell.Text); err == nil {
						pc.Display = t.In(chinaTime).Format("2006-01-02 15:04")
					}
				}
				if cell.Href != "" {
					pc.Href = base + cell.Href
				}
				pr.Cells = append(pr.Cells, pc)
			}
			for a, act := range row.Actions {
				pr.Actions = append(pr.Actions, pAction{ViewAction: act, ID: fmt.Sprintf("r%d.%d.%d", i, r, a)})
			}
			pb.HasActions = pb.HasActions || len(pr.Actions) > 0
			pb.Rows = append(pb.Rows, pr)
		}
		if b.Next != "" {
			nq := url.Values{}
			for k, vs := range q {
				nq[k] = vs
			}
			nq.Set("cursor", b.Next)
			pb.Cursor = base + path + "?" + nq.Encode()
		}
		if b.Chart != nil {
			pb.ChartJSON = chartOption(v, b.Chart)
		}
		d.Blocks = append(d.Blocks, pb)
	}
	if v.Problem != nil {
		for _, e := range v.Problem.Errors {
			it := pProblem{Msg: e.Detail}
			for _, b := range d.Blocks {
				for _, f := range b.Fields {
					if f.Name == e.Field && it.Anchor == "" {
						it.Label, it.Anchor = v.T(f.Label.Zh, f.Label.En), "#"+f.ID
					}
				}
			}
			d.Problems = append(d.Problems, it)
		}
	}
	return d
}

func fieldOf(prefix string, f plugins.ViewField, values url.Values) pField {
	pf := pField{ViewField: f, ID: prefix + "-" + f.Name}
	if values != nil {
		pf.Value = values.Get(f.Name)
		pf.Checked = values.Get(f.Name) != ""
		return pf
	}
	switch x := f.Value.(type) {
	case string:
		pf.Value = x
	case json.Number:
		pf.Value = x.String()
	case bool:
		pf.Checked = x
	}
	return pf
}

// chartOption is the ECharts option of a named chart, built here: a plugin never sends one.
func chartOption(v *view, ch *plugins.ViewChart) string {
	var opt map[string]any
	if ch.Kind == "pie" {
		var data []map[string]any
		if len(ch.Series) > 0 {
			for i, cat := range ch.Categories {
				data = append(data, map[string]any{"name": cat, "value": ch.Series[0].Values[i]})
			}
		}
		name := ""
		if len(ch.Series) > 0 {
			name = v.T(ch.Series[0].Name.Zh, ch.Series[0].Name.En)
		}
		opt = map[string]any{"tooltip": map[string]any{"trigger": "item"}, "legend": map[string]any{"bottom": 0},
			"series": []any{map[string]any{"type": "pie", "name": name, "radius": "60%", "data": data}}}
	} else {
		var series []any
		for _, s := range ch.Series {
			series = append(series, map[string]any{"type": ch.Kind, "name": v.T(s.Name.Zh, s.Name.En), "data": s.Values})
		}
		opt = map[string]any{"tooltip": map[string]any{"trigger": "axis"}, "legend": map[string]any{"bottom": 0},
			"grid":  map[string]any{"left": 40, "right": 16, "top": 16, "bottom": 48},
			"xAxis": map[string]any{"type": "category", "data": ch.Categories}, "yAxis": map[string]any{"type": "value"}, "series": series}
	}
	b, _ := json.Marshal(opt) // strings and finite numbers only
	return string(b)
}

// pluginAction performs an action of the page's view: its form's submit, or a row's action.
func (s *Server) pluginAction(c echo.Context, v *view) error {
	name, path := c.Param("name"), "/"+c.Param("*")
	q := pluginQuery(c)
	pv, err := s.fetchView(c, v, name, path, q)
	if err != nil {
		return err
	}
	id := c.FormValue("_action")
	var act *plugins.ViewAction
	var form *plugins.ViewBlock
	var bi, ri, ai int
	switch {
	case strings.HasPrefix(id, "f"):
		if n, err := fmt.Sscanf(id, "f%d", &bi); n == 1 && err == nil && bi >= 0 && bi < len(pv.Blocks) && pv.Blocks[bi].Type == "form" {
			form = &pv.Blocks[bi]
			act = form.Submit
		}
	case strings.HasPrefix(id, "r"):
		if n, err := fmt.Sscanf(id, "r%d.%d.%d", &bi, &ri, &ai); n == 3 && err == nil && bi >= 0 && bi < len(pv.Blocks) &&
			ri >= 0 && ri < len(pv.Blocks[bi].Rows) && ai >= 0 && ai < len(pv.Blocks[bi].Rows[ri].Actions) {
			act = &pv.Blocks[bi].Rows[ri].Actions[ai]
		}
	}
	if act == nil {
		return problem(http.StatusConflict, "plugin-action-gone", "操作已不可用 / The action is no longer available",
			"页面已变化，请刷新后重试 / the page has changed: reload it and try again")
	}
	var body []byte
	var submitted map[string]url.Values
	if form != nil {
		values, _ := c.FormParams()
		submitted = map[string]url.Values{id: values}
		in, perr := formBody(v, form.Fields, values)
		if perr != nil {
			return s.pluginRerender(c, v, name, path, q, pv, submitted, perr)
		}
		body, err = json.Marshal(in)
	} else {
		body, err = json.Marshal(act.Body)
		if act.Body == nil {
			body = []byte("{}")
		}
	}
	if err != nil {
		return err
	}
	code := v.User.TenantCode
	if err := s.pluginRouteAllowed(c, v.User.Principal, code, act.Method); err != nil {
		return err
	}
	resp, err := s.servePluginRoute(c.Request().Context(), name, code, pluginhost.RouteRequest{Method: act.Method, Path: act.Path,
		Headers: map[string]string{"Accept": "application/json", "Accept-Language": v.acceptLanguage(), "Content-Type": "application/json"}, Body: body})
	if err != nil {
		return err
	}
	if resp.Status >= 400 {
		p := pluginProblem(name, resp)
		if p.Status >= 500 {
			return p
		}
		return s.pluginRerender(c, v, name, path, q, pv, submitted, p)
	}
	// An answer that is a view is shown; anything else returns to the page.
	if jsonHasView(resp.Body) {
		rec, _, ok := s.deps.Plugins.Enabled(name, code)
		if !ok {
			return errPluginRouteNotFound()
		}
		next, err := plugins.DecodeView(resp.Body, rec.Manifest)
		if err != nil {
			return errPluginView(name, err)
		}
		v.Title = v.T(next.Title.Zh, next.Title.En)
		v.Flash = v.T("操作已完成。", "Done.")
		v.Data = s.pluginData(v, name, path, q, next, nil)
		return s.render(c, v, http.StatusOK, "plugin_page")
	}
	back := "/p/" + name + path
	bq := url.Values{}
	for k, vs := range q {
		bq[k] = vs
	}
	bq.Set("_done", "1")
	return c.Redirect(http.StatusSeeOther, back+"?"+bq.Encode())
}

// jsonHasView tells whether a JSON object has a "view" member (an attempt at a view).
func jsonHasView(b []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return false
	}
	_, ok := m["view"]
	return ok
}

// pluginRerender shows the page again with the problem beside the form's fields (422).
func (s *Server) pluginRerender(c echo.Context, v *view, name, path string, q url.Values, pv *plugins.View, submitted map[string]url.Values, p *Problem) error {
	if p.Status < 400 || p.Status >= 500 {
		p.Status = http.StatusUnprocessableEntity
	}
	v.Problem = p
	v.Title = v.T(pv.Title.Zh, pv.Title.En)
	v.Data = s.pluginData(v, name, path, q, pv, submitted)
	st := p.Status
	if st != http.StatusNotFound && st != http.StatusForbidden && st != http.StatusConflict {
		st = http.StatusUnprocessableEntity
	}
	return s.render(c, v, st, "plugin_page")
}

// formBody checks the submitted values against the form's fields (the JSON Schema subset) and
// builds the JSON body of the action; a problem names each field at fault.
func formBody(v *view, fields []plugins.ViewField, values url.Values) (map[string]any, *Problem) {
	out := map[string]any{}
	p := problem(http.StatusUnprocessableEntity, "invalid-field", v.T("请检查填写的内容", "Check the form"), "")
	bad := func(f plugins.ViewField, zh, en string) {
		p.Errors = append(p.Errors, FieldProblem{Field: f.Name, Detail: v.T(zh, en)})
	}
	for _, f := range fields {
		raw := values.Get(f.Name)
		if f.Type == "boolean" {
			out[f.Name] = raw != ""
			continue
		}
		val := strings.TrimSpace(raw)
		if val == "" {
			if f.Required {
				bad(f, "必填", "required")
			}
			continue
		}
		if !utf8.ValidString(val) || strings.ContainsRune(val, 0) {
			bad(f, "含有无效字符", "holds invalid characters")
			continue
		}
		switch f.Type {
		case "integer", "number":
			n, err := strconv.ParseFloat(val, 64)
			if err != nil || math.IsInf(n, 0) || math.IsNaN(n) || (f.Type == "integer" && n != math.Trunc(n)) {
				if f.Type == "integer" {
					bad(f, "请填写整数", "enter a whole number")
				} else {
					bad(f, "请填写数字", "enter a number")
				}
				continue
			}
			if f.Minimum != nil && n < *f.Minimum {
				bad(f, "不得小于 "+strconv.FormatFloat(*f.Minimum, 'f', -1, 64), "at least "+strconv.FormatFloat(*f.Minimum, 'f', -1, 64))
				continue
			}
			if f.Maximum != nil && n > *f.Maximum {
				bad(f, "不得大于 "+strconv.FormatFloat(*f.Maximum, 'f', -1, 64), "at most "+strconv.FormatFloat(*f.Maximum, 'f', -1, 64))
				continue
			}
			if f.Type == "integer" {
				out[f.Name] = int64(n)
			} else {
				out[f.Name] = n
			}
		default:
			n := utf8.RuneCountInString(val)
			if f.MinLength != nil && n < *f.MinLength {
				bad(f, "至少 "+strconv.Itoa(*f.MinLength)+" 个字", "at least "+strconv.Itoa(*f.MinLength)+" characters")
				continue
			}
			if f.MaxLength != nil && n > *f.MaxLength {
				bad(f, "最多 "+strconv.Itoa(*f.MaxLength)+" 个字", "at most "+strconv.Itoa(*f.MaxLength)+" characters")
				continue
			}
			if f.Format == "date" || f.Widget == "date" {
				if _, err := time.Parse("2006-01-02", val); err != nil {
					bad(f, "日期格式应为 年-月-日", "a date is YYYY-MM-DD")
					continue
				}
			}
			if len(f.Options) > 0 {
				ok := false
				for _, o := range f.Options {
					ok = ok || o.Value == val
				}
				if !ok {
					bad(f, "请从选项中选择", "choose one of the options")
					continue
				}
			}
			out[f.Name] = val
		}
	}
	if len(p.Errors) > 0 {
		return nil, p
	}
	return out, nil
}
