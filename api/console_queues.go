package api

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/labstack/echo/v4"
)

// Queues: warnings to acknowledge, follow-ups due, overdue cases, the inbox — each a tab of
// /queues, paginated by the API's cursor; and the agency view (/agency): the cases an agency
// referred or is linked to with their outcome (诉调对接 feedback), judicial confirmation by a
// court's clerk, and the warnings addressed to a police station. Every list and action is the
// API's operation.
func consoleQueuePages() []page {
	return []page{
		{method: http.MethodGet, path: "/queues", handler: (*Server).queuesPage},
		{method: http.MethodPost, path: "/queues/warnings/:id/acknowledge", handler: (*Server).queueAcknowledge},
		{method: http.MethodPost, path: "/queues/inbox/:id/read", handler: (*Server).queueMarkRead},
		{method: http.MethodGet, path: "/agency", handler: (*Server).agencyPage},
		{method: http.MethodPost, path: "/agency/cases/:id/confirm", handler: (*Server).agencyConfirm},
	}
}

// queuePageSize is how many items a tab shows.
const queuePageSize = "20"

type queueTab struct {
	Key, ZH, EN string
	path        string // the list operation the tab shows
}

var queueTabs = []queueTab{
	{"warnings", "待签收预警", "Warnings to acknowledge", "/api/v1/tenants/:code/warnings"},
	{"follow-ups", "待回访", "Follow-ups due", "/api/v1/tenants/:code/follow-ups"},
	{"overdue", "超期案件", "Overdue cases", "/api/v1/tenants/:code/cases"},
	{"inbox", "站内信", "Inbox", "/api/v1/tenants/:code/inbox"},
}

// usableQueueTabs are the tabs whose list operation the user may call (a mediator reads no
// warning list and has no inbox): the page offers only those, as the API would answer them.
func (s *Server) usableQueueTabs(c echo.Context, v *view) []queueTab {
	var out []queueTab
	for _, t := range queueTabs {
		if _, err := v.op(opCall{method: http.MethodGet, path: t.path, params: map[string]string{"code": v.User.TenantCode}, authorizeOnly: true}); err == nil {
			out = append(out, t)
		}
	}
	return out
}

type queuesData struct {
	Tab          string
	Tabs         []queueTab
	WarningState string // open or escalated
	Warnings     []warningDTO
	FollowUps    []cases.FollowUp
	Cases        []caseDTO
	Messages     []inboxMessageDTO
	After, Next  string // the cursor of this page and of the next
	Unread       bool
	Tenant       string
}

// warningRow is one warning as a row (and its acknowledgement cell as an htmx fragment).
type warningRow struct {
	V       *view
	W       warningDTO
	Problem *Problem
	Note    string
	Back    string // where a form without htmx returns
}

// inboxRow is one message's read cell as an htmx fragment.
type inboxRow struct {
	V *view
	M inboxMessageDTO
}

// QueueWarningRows pairs each warning with the view for the row template.
func (v *view) QueueWarningRows(ws []warningDTO, back string) []warningRow {
	out := make([]warningRow, len(ws))
	for i, w := range ws {
		out[i] = warningRow{V: v, W: w, Back: back}
	}
	return out
}

// QueueInboxRows pairs each message with the view.
func (v *view) QueueInboxRows(ms []inboxMessageDTO) []inboxRow {
	out := make([]inboxRow, len(ms))
	for i, m := range ms {
		out[i] = inboxRow{V: v, M: m}
	}
	return out
}

// QueueLabel picks the user's language of a "中文 / English" label.
// A message's text may quote such labels inside its sentences: there the Chinese part ends
// with its full stop before the separator; text it cannot split is shown whole.
func (v *view) QueueLabel(s string) string {
	if i := strings.Index(s, "。 / "); i >= 0 {
		return v.T(s[:i+len("。")], s[i+len("。 / "):])
	}
	if strings.Count(s, " / ") != 1 {
		return s
	}
	zh, en, _ := strings.Cut(s, " / ")
	return v.T(zh, en)
}

// QueueLevel names a warning level.
func (v *view) QueueLevel(level string) string {
	switch level {
	case "red":
		return v.T("红色", "Red")
	case "orange":
		return v.T("橙色", "Orange")
	case "yellow":
		return v.T("黄色", "Yellow")
	case "blue":
		return v.T("蓝色", "Blue")
	}
	return v.T("无", "None")
}

func (s *Server) queuesPage(c echo.Context, v *view) error {
	v.Title = v.T("待办", "Queues")
	d := &queuesData{Tab: c.QueryParam("tab"), Tabs: s.usableQueueTabs(c, v), After: c.QueryParam("after"), Tenant: v.User.TenantCode}
	if len(d.Tabs) == 0 {
		return forbidden(v.User.TenantCode, "inbox", "read")
	}
	if d.Tab == "" {
		d.Tab = d.Tabs[0].Key
	}
	v.Data = d
	code := map[string]string{"code": v.User.TenantCode}
	q := url.Values{"limit": {queuePageSize}}
	if d.After != "" {
		q.Set("after", d.After)
	}
	switch d.Tab {
	case "warnings":
		d.WarningState = "open"
		if c.QueryParam("state") == "escalated" {
			d.WarningState = "escalated"
		}
		q.Set("state", d.WarningState)
		l, err := opValue[warningList](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/warnings", params: code, query: q})
		if err != nil {
			return err
		}
		d.Warnings, d.Next = l.Items, l.NextAfter
	case "follow-ups":
		q.Set("state", "due")
		l, err := opValue[followUpList](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/follow-ups", params: code, query: q})
		if err != nil {
			return err
		}
		d.FollowUps, d.Next = l.Items, l.NextAfter
	case "overdue":
		q.Set("overdue", "true")
		l, err := opValue[caseList](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/cases", params: code, query: q})
		if err != nil {
			return err
		}
		d.Cases, d.Next = l.Items, l.NextAfter
	case "inbox":
		if c.QueryParam("unread") == "true" {
			d.Unread = true
			q.Set("unread", "true")
		}
		l, err := opValue[inboxList](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/inbox", params: code, query: q})
		if err != nil {
			return err
		}
		d.Messages, d.Next = l.Items, l.NextAfter
	default:
		return echo.ErrNotFound
	}
	return s.render(c, v, http.StatusOK, "queues")
}

// PageURL is the URL of the tab's page after a cursor ("" the first page).
func (d *queuesData) PageURL(after string) string {
	q := url.Values{"tab": {d.Tab}}
	if d.Tab == "warnings" && d.WarningState != "open" {
		q.Set("state", d.WarningState)
	}
	if d.Unread {
		q.Set("unread", "true")
	}
	if after != "" {
		q.Set("after", after)
	}
	return "/queues?" + q.Encode()
}

// queueAcknowledge acknowledges a warning by the API's operation: htmx gets the row's
// acknowledgement cell (acknowledged, or the form with the problem beside the note); a plain
// form goes back to where it came from, or shows the problem.
func (s *Server) queueAcknowledge(c echo.Context, v *view) error {
	note := c.FormValue("note")
	back := safeNext(c.FormValue("back"))
	res, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/warnings/:id/acknowledge",
		params: map[string]string{"code": v.User.TenantCode, "id": c.Param("id")}, body: acknowledgeWarningRequest{Note: note}})
	htmx := c.Request().Header.Get("HX-Request") == "true"
	if err != nil {
		p := toProblem(err)
		if p.Status >= 500 || !htmx {
			return err
		}
		v.Data = warningRow{V: v, W: warningDTO{ID: c.Param("id"), State: "open"}, Problem: p, Note: note, Back: back}
		return s.renderBlock(c, v, p.Status, "queues", "queues-ack-fragment")
	}
	w, ok := res.Value.(warningDTO)
	if !ok {
		return errors.New("console: acknowledge answered no warning")
	}
	if !htmx {
		return c.Redirect(http.StatusSeeOther, back)
	}
	v.Data = warningRow{V: v, W: w, Back: back}
	return s.renderBlock(c, v, http.StatusOK, "queues", "queues-ack-fragment")
}

func (s *Server) queueMarkRead(c echo.Context, v *view) error {
	res, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/inbox/:id/read",
		params: map[string]string{"code": v.User.TenantCode, "id": c.Param("id")}})
	if err != nil {
		return err
	}
	m, ok := res.Value.(inboxMessageDTO)
	if !ok {
		return errors.New("console: mark read answered no message")
	}
	if c.Request().Header.Get("HX-Request") != "true" {
		return c.Redirect(http.StatusSeeOther, "/queues?tab=inbox")
	}
	v.Data = inboxRow{V: v, M: m}
	return s.renderBlock(c, v, http.StatusOK, "queues", "queues-read-fragment")
}

// queueStatusNames are the case statuses as people say them.
var queueStatusNames = map[string][2]string{
	"received": {"待分流", "Received"}, "assigned": {"已分派", "Assigned"}, "mediating": {"调解中", "Mediating"},
	"succeeded": {"调解成功", "Succeeded"}, "failed": {"调解不成", "Failed"}, "guided": {"已引导", "Guided"}, "closed": {"已结案", "Closed"},
}

// QueueStatus names a case status in the user's language.
func (v *view) QueueStatus(status string) string {
	if n, ok := queueStatusNames[status]; ok {
		return v.T(n[0], n[1])
	}
	return status
}
