package api

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/codes"
	"github.com/fengqiao/fengqiao/core/division"
	"github.com/labstack/echo/v4"
)

// Cases: the list with filters and search, and the case page with its actions. Every figure
// comes from the API's operations (console_invoke.go); what the user may do on a case is the
// case's caller.actions, decided by the API.
func consoleCasePages() []page {
	return []page{
		{method: http.MethodGet, path: "/cases", handler: (*Server).casesListPage},
		{method: http.MethodGet, path: "/cases/:code/:id", handler: (*Server).caseShowPage},
		{method: http.MethodPost, path: "/cases/:code/:id/reveal", handler: (*Server).caseRevealSubmit},
		{method: http.MethodGet, path: "/cases/:code/:id/agreement", handler: (*Server).caseAgreementDocument},
		{method: http.MethodPost, path: "/cases/:code/:id/actions/:action", handler: (*Server).caseActionSubmit},
		{method: http.MethodPost, path: "/cases/:code/:id/shares", handler: (*Server).caseShareSubmit},
		{method: http.MethodPost, path: "/cases/:code/:id/shares/:share/revoke", handler: (*Server).caseShareRevoke},
		{method: http.MethodPost, path: "/cases/:code/:id/links", handler: (*Server).caseLinkSubmit},
		{method: http.MethodPost, path: "/cases/:code/:id/district-transfer", handler: (*Server).caseDistrictTransferSubmit},
		{method: http.MethodPost, path: "/cases/:code/:id/edit", handler: (*Server).caseEditSubmit},
	}
}

const casesPageSize = 20

// caseFilterFields are the list's filters: the list operation's query parameters.
var caseFilterFields = []string{"status", "source", "dispute_type", "committee_id", "mediator_id", "risk_level", "overdue", "from", "to"}

// choice is one option of a select.
type choice struct {
	Code, ZH, EN string
	Selected     bool
}

func choicesOf(set codes.Set, selected string) []choice {
	out := make([]choice, len(set))
	for i, n := range set {
		out[i] = choice{Code: n.Code, ZH: n.ZH, EN: n.EN, Selected: n.Code == selected}
	}
	return out
}

// caseRow is one line of the list.
type caseRow struct {
	ID, Number, Title, Snippet string
	Type, Status, Risk         choice
	StatusBadge, RiskBadge     string
	Committee                  string
	ReceivedAt, DueAt          time.Time
	Overdue, Concluded         bool
	Summary                    bool // a summary share: no description
}

type casesListData struct {
	Code       string   // the tenant listed
	Districts  []choice // a city's or province's districts to pick from
	Query      url.Values
	Q          string
	Terms      []string // the search's words
	Statuses   []choice
	Sources    []choice
	Types      []choice
	Risks      []choice
	Committees []choice // when the user may read the organisations
	Mediators  []choice // when the user may read the registry
	Overdue    bool
	From, To   string
	Rows       []caseRow
	Search     bool
	NextURL    string
	PrevURL    string
	FirstURL   string
	Filtered   bool
	CanIntake  bool
	TenantName string
}

var statusBadges = map[string]string{"received": "badge-blue", "assigned": "badge-blue", "mediating": "badge-yellow",
	"succeeded": "badge-green", "failed": "badge-orange", "guided": "badge-grey", "closed": "badge-grey"}

var riskBadges = map[string]string{"none": "badge-grey", "blue": "badge-blue", "yellow": "badge-yellow", "orange": "badge-orange", "red": "badge-red"}

func named(set codes.Set, code string) choice {
	if n, ok := set.Lookup(code); ok {
		return choice{Code: code, ZH: n.ZH, EN: n.EN}
	}
	return choice{Code: code, ZH: code, EN: code}
}

// caseNames are the names a tenant's pages show for codes: dispute types and committees.
type caseNames struct {
	types codes.Set
	orgs  map[string]organisationDTO
}

// committees are the tenant's committees (and studios) by name.
func (n caseNames) committees(selected string) []choice {
	var out []choice
	for _, o := range n.orgs {
		if strings.HasSuffix(o.Kind, "_committee") || o.Kind == "brand_studio" {
			out = append(out, choice{Code: o.ID, ZH: o.Name, EN: o.Name, Selected: o.ID == selected})
		}
	}
	slices.SortFunc(out, func(a, b choice) int { return strings.Compare(a.ZH, b.ZH) })
	return out
}

// namesFor reads the tenant's dispute types and (when the user may read them) organisations.
func (s *Server) namesFor(v *view, code string) caseNames {
	n := caseNames{types: cases.DisputeTypeNames(), orgs: map[string]organisationDTO{}}
	if tl, err := opValue[disputeTypeList](s, v.c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/dispute-types", params: map[string]string{"code": code}}); err == nil {
		n.types = nil
		for _, t := range tl.Items {
			n.types = append(n.types, codes.Name{Code: t.Code, ZH: t.NameZH, EN: t.NameEN})
		}
	}
	if ol, err := opValue[organisationList](s, v.c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/organisations",
		params: map[string]string{"code": code}, query: url.Values{"limit": {"500"}}}); err == nil {
		for _, o := range ol.Items {
			n.orgs[o.ID] = o
		}
	}
	return n
}

func (s *Server) casesListPage(c echo.Context, v *view) error {
	v.Title = v.T("案件", "Cases")
	q := c.QueryParams()
	home := v.User.TenantCode
	code := q.Get("tenant")
	if code == "" || !division.Contains(home, code) {
		code = home
	}
	d := &casesListData{Code: code, Query: q, Q: strings.TrimSpace(q.Get("q")), Overdue: q.Get("overdue") == "true",
		From: q.Get("from"), To: q.Get("to"), CanIntake: code == home && v.Can("cases", "create"), TenantName: v.User.TenantName}
	if lvl, err := division.LevelOf(home); err == nil && lvl != division.LevelDistrict {
		if tl, err := opValue[tenantList](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants",
			query: url.Values{"within": {home}, "level": {"district"}, "limit": {"500"}}}); err == nil {
			for _, t := range tl.Items {
				d.Districts = append(d.Districts, choice{Code: t.Code, ZH: t.FullName, EN: t.FullName, Selected: t.Code == code})
				if t.Code == code {
					d.TenantName = t.FullName
				}
			}
		}
	}
	names := s.namesFor(v, code)
	d.Statuses = choicesOf(cases.StatusNames(), q.Get("status"))
	d.Sources = choicesOf(cases.SourceNames(), q.Get("source"))
	d.Types = choicesOf(names.types, q.Get("dispute_type"))
	d.Risks = choicesOf(cases.RiskLevelNames(), q.Get("risk_level"))
	d.Committees = names.committees(q.Get("committee_id"))
	d.Mediators = s.mediatorChoices(v, code, names, q.Get("mediator_id"))
	for _, f := range caseFilterFields {
		d.Filtered = d.Filtered || q.Get(f) != ""
	}
	v.Data = d

	// The pages before this one: the cursors that led here ("-" is the first page).
	after := q.Get("after")
	var trail []string
	if t := q.Get("trail"); t != "" {
		trail = strings.Split(t, ",")
	}
	link := func(after string, trail []string) string {
		u := url.Values{}
		for k, vs := range q {
			if k != "after" && k != "trail" {
				u[k] = vs
			}
		}
		if after != "" && after != "-" {
			u.Set("after", after)
			u.Set("trail", strings.Join(trail, ","))
		}
		if len(u) == 0 {
			return "/cases"
		}
		return "/cases?" + u.Encode()
	}
	params := map[string]string{"code": code}
	var err error
	if d.Q != "" {
		d.Search = true
		query := url.Values{"q": {d.Q}, "limit": {strconv.Itoa(casesPageSize)}}
		if after != "" {
			query.Set("after", after)
		}
		var res caseSearchResult
		res, err = opValue[caseSearchResult](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/search", params: params, query: query})
		if err == nil {
			d.Terms = res.Terms
			for _, h := range res.Items {
				d.Rows = append(d.Rows, caseRow{ID: h.ID, Number: h.Number, Title: h.TitleHighlight, Snippet: h.Snippet,
					Type: named(names.types, h.DisputeType), Status: named(cases.StatusNames(), h.Status), StatusBadge: statusBadges[h.Status], ReceivedAt: h.ReceivedAt})
			}
			if res.NextAfter != "" {
				d.NextURL = link(res.NextAfter, append(slices.Clone(trail), orFirst(after)))
			}
		}
	} else {
		query := url.Values{"limit": {strconv.Itoa(casesPageSize)}}
		for _, f := range caseFilterFields {
			if val := strings.TrimSpace(q.Get(f)); val != "" {
				query.Set(f, val)
			}
		}
		if after != "" {
			query.Set("after", after)
		}
		var res caseList
		res, err = opValue[caseList](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/cases", params: params, query: query})
		if err == nil {
			for _, cs := range res.Items {
				r := caseRow{ID: cs.ID, Number: cs.Number, Title: cs.Title, Type: named(names.types, cs.DisputeType),
					Status: named(cases.StatusNames(), cs.Status), StatusBadge: statusBadges[cs.Status],
					Risk: named(cases.RiskLevelNames(), cs.RiskLevel), RiskBadge: riskBadges[cs.RiskLevel],
					ReceivedAt: cs.ReceivedAt, DueAt: cs.DueAt, Overdue: cs.Overdue, Concluded: cases.Concluded(cases.Status(cs.Status))}
				if o, ok := names.orgs[cs.CommitteeID]; ok {
					r.Committee = o.Name
				}
				d.Rows = append(d.Rows, r)
			}
			if res.NextAfter != "" {
				d.NextURL = link(res.NextAfter, append(slices.Clone(trail), orFirst(after)))
			}
		}
	}
	status := http.StatusOK
	if err != nil {
		p := toProblem(err)
		if p.Status >= 500 || p.Status == http.StatusNotFound || p.Status == http.StatusForbidden {
			return err
		}
		v.Problem, status = p, p.Status
	}
	if after != "" {
		d.FirstURL = link("", nil)
		if n := len(trail); n > 0 {
			d.PrevURL = link(trail[n-1], trail[:n-1])
		}
	}
	return s.renderList(c, v, status)
}

func orFirst(after string) string {
	if after == "" {
		return "-"
	}
	return after
}

// renderList writes the list page, or only its results for the filter form's htmx request
// (a history restore gets the whole page).
func (s *Server) renderList(c echo.Context, v *view, status int) error {
	h := c.Request().Header
	switch {
	case h.Get("HX-History-Restore-Request") == "true":
		return s.renderBlock(c, v, status, "cases_list", "layout")
	case h.Get("HX-Request") == "true" && h.Get("HX-Target") == "cases-results":
		return s.renderBlock(c, v, status, "cases_list", "cases_results")
	}
	return s.render(c, v, status, "cases_list")
}

// ---- the case page ----

// caseAction is one action the user may take.
type caseAction struct {
	Code, ZH, EN string
	Open         bool // its form shows the problem of the last attempt
	values       url.Values
	errors       map[string]string
}

// V is the value the user last submitted in the action's form (its problem shown).
func (a caseAction) V(field string) string { return a.values.Get(field) }

// Set tells whether the form has a value for the field (the last submission's, or the
// case's own for the correction of the intake).
func (a caseAction) Set(field string) bool { _, ok := a.values[field]; return ok }

// Has tells whether the user last submitted value among the values of a field.
func (a caseAction) Has(field, value string) bool { return slices.Contains(a.values[field], value) }

// E is the problem's message for one field of the action's form.
func (a caseAction) E(field string) string { return a.errors[field] }

// fieldErrors groups a problem's messages by form field: the per-term fields of an agreement
// are its terms' textarea.
func fieldErrors(p *Problem) map[string]string {
	out := map[string]string{}
	add := func(field, msg string) {
		if field == "" {
			return
		}
		if strings.HasPrefix(field, "agreement.terms") {
			field = "agreement.terms"
		}
		if strings.HasPrefix(field, "mediators[") {
			field = "mediators"
		}
		if field == "session" {
			field = "session.at"
		}
		if out[field] != "" {
			out[field] += "；"
		}
		out[field] += msg
	}
	add(p.Field, p.Detail)
	for _, e := range p.Errors {
		add(e.Field, e.Detail)
	}
	return out
}

type partyView struct {
	partyDTO
	RoleName, KindName choice
}

type eventView struct {
	caseEventDTO
	ActionName choice
	Reason     string // the reason the change gave, if any
}

type caseShowData struct {
	Code                   string
	TenantName             string
	Case                   caseDTO
	Type                   choice
	Status                 choice
	Risk                   choice
	StatusBadge, RiskBadge string
	Source                 choice
	Committee              string
	Parties                []partyView
	Revealed               bool
	History                []eventView
	Similar                []similarItem
	Links                  []linkView
	Shares                 []shareView
	Sessions               []sessionView
	FollowUps              []followView
	Records                []performanceView
	// Share, Link and Move are the forms to share the case, to link an agency and to transfer
	// it to another district (nil: not allowed).
	Share, Link, Move *caseAction
	// Edit corrects the intake (the PATCH), its form filled with the case's values.
	Edit        *caseAction
	Types       []choice
	Districts   []choice           // the other districts of the city
	Mediators   []choice           // the registry's active mediators (assign, transfer, start)
	Transfers   []districtTransfer // of this case between districts
	Grantees    []choice           // whom the case may be shared with
	Agencies    []choice           // whom it may be linked to
	LinkReasons []choice
	Scopes      []choice
	Actions     []caseAction
	Flash       string
	// Choices of the action forms.
	Committees    []choice
	Courts        []choice
	OwnCourt      string // an agency clerk confirms in its own court's name
	Channels      []choice
	Modes         []choice
	Forms         []choice
	RiskLevels    []choice
	Performances  []choice
	FollowResults []choice
	DueFollowUps  []choice
	Now           string // datetime-local of now, Beijing time
	Today         string
	Performance   choice
	Outcome       string
}

type linkView struct {
	access.Link
	Name   string
	Reason choice
}

type sessionView struct {
	cases.Session
	ModeName choice
}

type followView struct {
	cases.FollowUp
	ResultName choice
}

type performanceView struct {
	cases.PerformanceRecord
	ResultName choice
}

type shareView struct {
	access.CaseShare
	Grantee   string // the tenant's name (and the organisation's)
	ScopeName choice
}

var linkReasons = codes.Set{
	{Code: access.ReasonWarning, ZH: "预警推送", EN: "A warning"}, {Code: access.ReasonJoint, ZH: "联合调解", EN: "Joint handling"},
	{Code: access.ReasonLinkage, ZH: "联动机制", EN: "A regional linkage"}, {Code: access.ReasonMediator, ZH: "承办调解员", EN: "Mediates the case"},
	{Code: access.ReasonManual, ZH: "工作人员关联", EN: "Linked by staff"},
}

var shareScopes = codes.Set{{Code: access.ScopeSummary, ZH: "仅摘要", EN: "Summary only"}, {Code: access.ScopeParties, ZH: "含当事人信息", EN: "With the parties"}}

// divisionName names a tenant by its division ("" when the code is unknown).
func divisionName(code string) string {
	if d, err := division.Lookup(code); err == nil {
		return d.Name
	}
	return ""
}

var actionOrder = []cases.Action{cases.ActionRecordContact, cases.ActionAssign, cases.ActionStartMediation, cases.ActionRecordSession,
	cases.ActionSucceed, cases.ActionFail, cases.ActionGuide, cases.ActionTransfer, cases.ActionConfirm, cases.ActionCorrectConfirmation,
	cases.ActionRecordPerformed, cases.ActionRecordRecant, cases.ActionFollowUp, cases.ActionExtendTimeLimit, cases.ActionAdjustRisk,
	cases.ActionReopen, cases.ActionClose}

func (s *Server) caseShowPage(c echo.Context, v *view) error {
	d, err := s.loadCase(c, v, false)
	if err != nil {
		return err
	}
	if a := c.QueryParam("done"); a != "" {
		if _, ok := append(cases.ActionNames(actionOrder), otherForms...).Lookup(a); ok {
			d.Flash = doneMessage(v, a)
		}
	}
	return s.render(c, v, http.StatusOK, "cases_show")
}

func doneMessage(v *view, key string) string {
	n := named(append(cases.ActionNames(actionOrder), otherForms...), key)
	return v.T("已完成："+n.ZH, "Done: "+n.EN)
}

// otherForms are the case page's forms besides the actions.
var otherForms = codes.Set{{Code: "share", ZH: "共享", EN: "Share"}, {Code: "revoke", ZH: "撤销共享", EN: "Revoke the share"}, {Code: "link", ZH: "关联单位", EN: "Link an agency"},
	{Code: "edit", ZH: "更正受理信息", EN: "Intake corrected"}, {Code: "district_transfer", ZH: "提议移交其他区县（待对方接收）", EN: "Transfer proposed to another district (until it accepts)"}}

// loadCase reads the case and what its page shows, as the user; the API answers 404 (or 403)
// for a case the user may not see, and so does the page.
func (s *Server) loadCase(c echo.Context, v *view, reveal bool) (*caseShowData, error) {
	code, id := c.Param("code"), c.Param("id")
	params := map[string]string{"code": code, "id": id}
	query := url.Values{}
	if reveal {
		query.Set("reveal", "pii")
	}
	cs, err := opValue[caseDTO](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/:id", params: params, query: query})
	if err != nil {
		return nil, err
	}
	names := s.namesFor(v, code)
	now := time.Now().In(chinaTime)
	d := &caseShowData{Code: code, TenantName: v.User.TenantName, Case: cs, Revealed: reveal,
		Type: named(names.types, cs.DisputeType), Status: named(cases.StatusNames(), cs.Status), StatusBadge: statusBadges[cs.Status],
		Risk: named(cases.RiskLevelNames(), cs.RiskLevel), RiskBadge: riskBadges[cs.RiskLevel], Source: named(cases.SourceNames(), cs.Source),
		Channels: choicesOf(cases.ChannelNames(), ""), Modes: choicesOf(cases.SessionModeNames(), ""), Forms: choicesOf(cases.AgreementFormNames(), ""),
		RiskLevels: choicesOf(cases.RiskLevelNames(), cs.RiskLevel), Performances: choicesOf(cases.PerformanceNames()[:3], ""),
		FollowResults: choicesOf(cases.FollowUpResultNames(), ""),
		Now:           now.Format("2006-01-02T15:04"), Today: now.Format("2006-01-02"), Performance: named(cases.PerformanceNames(), cs.Performance)}
	if code != v.User.TenantCode {
		if t, err := opValue[tenantDTO](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code", params: map[string]string{"code": code}}); err == nil {
			d.TenantName = t.FullName
		}
	}
	if o, ok := names.orgs[cs.CommitteeID]; ok {
		d.Committee = o.Name
	}
	if ch, ok := cs.Outcome["channel"].(string); ok {
		d.Outcome = named(cases.ChannelNames(), ch).ZH
		if v.Lang == "en" {
			d.Outcome = named(cases.ChannelNames(), ch).EN
		}
	}
	for _, p := range cs.Parties {
		d.Parties = append(d.Parties, partyView{partyDTO: p, RoleName: named(cases.PartyRoleNames(), p.Role), KindName: named(cases.PartyKindNames(), p.Kind)})
	}
	d.Committees = names.committees("")
	for _, o := range names.orgs {
		if o.Kind == "court" {
			d.Courts = append(d.Courts, choice{Code: o.ID, ZH: o.Name, EN: o.Name})
		}
	}
	slices.SortFunc(d.Courts, func(a, b choice) int { return strings.Compare(a.ZH, b.ZH) })
	d.OwnCourt = v.principal().OrganisationID
	for _, f := range cs.FollowUps {
		if f.DoneAt == nil {
			due := f.DueAt.In(chinaTime).Format("2006-01-02")
			d.DueFollowUps = append(d.DueFollowUps, choice{Code: f.ID, ZH: "应于 " + due + " 回访", EN: "due " + due})
		}
	}
	if cs.Caller != nil && cs.Caller.Share && cs.TransferredTo == "" {
		d.Share = &caseAction{Code: "share", ZH: "共享", EN: "Share"}
		d.Scopes = choicesOf(shareScopes, access.ScopeSummary)
		d.Grantees = shareGrantees(names, code)
	}
	if cs.Caller != nil && cs.Caller.Share {
		if tl, err := opValue[transferList](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/transfers", params: map[string]string{"code": code}}); err == nil {
			for _, t := range tl.Items {
				if t.CaseID == cs.ID {
					d.Transfers = append(d.Transfers, districtTransfer{Transfer: t, ToName: divisionName(t.To), StatusName: named(cases.TransferStatusNames(), t.Status)})
				}
			}
		}
		if cs.TransferredTo == "" && !cases.Concluded(cases.Status(cs.Status)) && !slices.ContainsFunc(d.Transfers, func(t districtTransfer) bool { return t.Status == cases.TransferProposed }) {
			d.Move = &caseAction{Code: "district_transfer", ZH: "移交其他区县", EN: "Transfer to another district"}
			for _, g := range d.Grantees {
				if code, ok := strings.CutPrefix(g.Code, "tenant:"); ok {
					d.Districts = append(d.Districts, choice{Code: code, ZH: g.ZH, EN: g.EN})
				}
			}
		}
	}
	if cs.Caller != nil && cs.Caller.Link && cs.TransferredTo == "" {
		d.Link = &caseAction{Code: "link", ZH: "关联单位", EN: "Link an agency"}
		d.LinkReasons = choicesOf(codes.Set{linkReasons[1], linkReasons[4]}, access.ReasonManual)
		for _, o := range names.orgs {
			if agencyKinds[o.Kind] || strings.HasSuffix(o.Kind, "_committee") {
				d.Agencies = append(d.Agencies, choice{Code: o.ID, ZH: o.Name, EN: o.Name})
			}
		}
		slices.SortFunc(d.Agencies, func(a, b choice) int { return strings.Compare(a.ZH, b.ZH) })
	}
	if cs.Caller != nil && slices.ContainsFunc(cs.Caller.Actions, func(a string) bool {
		return a == string(cases.ActionAssign) || a == string(cases.ActionTransfer) || a == string(cases.ActionStartMediation)
	}) {
		d.Mediators = s.mediatorChoices(v, code, names, "")
	}
	if cs.Caller != nil && slices.Contains(cs.Caller.Actions, string(cases.ActionEdit)) {
		d.Edit = &caseAction{Code: "edit", ZH: "更正受理信息", EN: "Correct the intake", values: url.Values{
			"title": {cs.Title}, "description": {cs.Description}, "dispute_type": {cs.DisputeType}, "amount": {strconv.FormatFloat(cs.Amount, 'f', -1, 64)}}}
		d.Types = choicesOf(names.types, "")
	}
	if cs.Caller != nil {
		for _, a := range actionOrder {
			if slices.Contains(cs.Caller.Actions, string(a)) {
				n := named(cases.ActionNames([]cases.Action{a}), string(a))
				d.Actions = append(d.Actions, caseAction{Code: string(a), ZH: n.ZH, EN: n.EN})
			}
		}
	}
	for _, ss := range cs.Sessions {
		d.Sessions = append(d.Sessions, sessionView{Session: ss, ModeName: named(cases.SessionModeNames(), ss.Mode)})
	}
	for _, f := range cs.FollowUps {
		fv := followView{FollowUp: f}
		if f.Result != "" {
			fv.ResultName = named(cases.FollowUpResultNames(), f.Result)
		}
		d.FollowUps = append(d.FollowUps, fv)
	}
	for _, r := range cs.PerformanceRecords {
		d.Records = append(d.Records, performanceView{PerformanceRecord: r, ResultName: named(cases.PerformanceNames(), string(r.Result))})
	}
	if h, err := opValue[caseHistory](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/:id/history", params: params}); err == nil {
		for _, e := range h.Items {
			n := named(cases.ActionNames([]cases.Action{cases.Action(e.Action)}), e.Action)
			if e.Action == "create" {
				n = choice{Code: "create", ZH: "受理", EN: "Taken in"}
			}
			ev := eventView{caseEventDTO: e, ActionName: n}
			var after struct {
				Reason string `json:"reason"`
			}
			if len(e.After) > 0 && json.Unmarshal(e.After, &after) == nil {
				ev.Reason = after.Reason
			}
			d.History = append(d.History, ev)
		}
	} else if toProblem(err).Status >= 500 {
		return nil, err
	}
	if sim, err := opValue[similarResult](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/:id/similar", params: params}); err == nil {
		d.Similar = sim.Items
	}
	if ll, err := opValue[linkList](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/:id/links", params: params}); err == nil {
		for _, l := range ll.Items {
			lv := linkView{Link: l, Reason: named(linkReasons, l.Reason)}
			if o, ok := names.orgs[l.PartyID]; ok {
				lv.Name = o.Name
			}
			d.Links = append(d.Links, lv)
		}
	}
	if cs.Caller != nil && cs.Caller.Share {
		if sl, err := opValue[shareList](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/:id/shares", params: params}); err == nil {
			for _, sh := range sl.Items {
				sv := shareView{CaseShare: sh, Grantee: divisionName(sh.GranteeTenant), ScopeName: named(shareScopes, sh.Scope)}
				if o, ok := names.orgs[sh.GranteeOrg]; ok {
					sv.Grantee += " " + o.Name
				}
				d.Shares = append(d.Shares, sv)
			}
		}
	}
	v.Title = cs.Number
	v.Data = d
	return d, nil
}

// caseRevealSubmit shows the parties' personal data: the API's reveal=pii, which it allows
// only to users holding cases.pii read on the case and records in the audit trail.
func (s *Server) caseRevealSubmit(c echo.Context, v *view) error {
	if _, err := s.loadCase(c, v, true); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	if c.Request().Header.Get("HX-Request") == "true" && c.Request().Header.Get("HX-Target") == "case-parties" {
		return s.renderBlock(c, v, http.StatusOK, "cases_show", "case_parties")
	}
	return s.render(c, v, http.StatusOK, "cases_show")
}

// caseActionSubmit performs an action through the API's action route, with the version of the
// case the form was shown with: a problem re-renders the page with the form open and the
// message beside its field; success re-renders it (htmx) or redirects to it, with a flash.
func (s *Server) caseActionSubmit(c echo.Context, v *view) error {
	action := cases.Action(c.Param("action"))
	if !slices.Contains(actionOrder, action) {
		return echo.ErrNotFound
	}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	req, perr := actionRequest(action, form)
	params := map[string]string{"code": c.Param("code"), "id": c.Param("id"), "action": string(action)}
	if perr == nil {
		_, perr = v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/cases/:id/actions/:action", params: params, body: req})
	}
	return s.caseFormDone(c, v, string(action), form, perr)
}

// caseFormDone ends a form of the case page (an action, a share, a link): a problem
// re-renders the page with that form open and the messages beside its fields; success
// re-renders the page with a flash (htmx) or redirects to it (a plain form post).
func (s *Server) caseFormDone(c echo.Context, v *view, key string, form url.Values, perr error) error {
	if perr != nil {
		p := toProblem(perr)
		if p.Status >= 500 || p.Status == http.StatusNotFound {
			return perr
		}
		d, err := s.loadCase(c, v, false)
		if err != nil {
			return err
		}
		v.Problem = p
		for _, a := range d.forms() {
			if a.Code == key {
				a.Open, a.values, a.errors = true, form, fieldErrors(p)
			}
		}
		return s.render(c, v, p.Status, "cases_show")
	}
	if c.Request().Header.Get("HX-Request") != "true" {
		return c.Redirect(http.StatusSeeOther, "/cases/"+url.PathEscape(c.Param("code"))+"/"+url.PathEscape(c.Param("id"))+"?done="+key)
	}
	d, err := s.loadCase(c, v, false)
	if err != nil {
		return err
	}
	d.Flash = doneMessage(v, key)
	return s.render(c, v, http.StatusOK, "cases_show")
}

// forms are the page's forms: its actions, the share and the link.
func (d *caseShowData) forms() []*caseAction {
	var out []*caseAction
	for i := range d.Actions {
		out = append(out, &d.Actions[i])
	}
	for _, a := range []*caseAction{d.Edit, d.Share, d.Link, d.Move} {
		if a != nil {
			out = append(out, a)
		}
	}
	return out
}

// caseShareSubmit shares the case with a partner agency of the district or another district
// (the API's share route: a purpose, a scope, an end date; audited).
func (s *Server) caseShareSubmit(c echo.Context, v *view) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	req := createShareRequest{Scope: form.Get("scope"), Purpose: strings.TrimSpace(form.Get("purpose"))}
	var perr error
	switch to := form.Get("grantee"); {
	case strings.HasPrefix(to, "org:"):
		req.GranteeTenant, req.GranteeOrg = c.Param("code"), strings.TrimPrefix(to, "org:")
	case strings.HasPrefix(to, "tenant:"):
		req.GranteeTenant = strings.TrimPrefix(to, "tenant:")
	default:
		perr = invalid("grantee", "请选择共享给哪个单位或区县 / choose whom to share the case with")
	}
	if perr == nil {
		if day, err := time.ParseInLocation("2006-01-02", form.Get("expires_at"), chinaTime); err != nil {
			perr = invalid("expires_at", "请填写共享截止日期 / give the last day of the share")
		} else {
			req.ExpiresAt = day.AddDate(0, 0, 1).Add(-time.Second)
		}
	}
	if perr == nil {
		_, perr = v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/cases/:id/shares", params: map[string]string{"code": c.Param("code"), "id": c.Param("id")}, body: req})
	}
	return s.caseFormDone(c, v, "share", form, perr)
}

// caseShareRevoke revokes a share at once (audited by the API).
func (s *Server) caseShareRevoke(c echo.Context, v *view) error {
	_, err := v.op(opCall{method: http.MethodDelete, path: "/api/v1/tenants/:code/cases/:id/shares/:share",
		params: map[string]string{"code": c.Param("code"), "id": c.Param("id"), "share": c.Param("share")}})
	return s.caseFormDone(c, v, "revoke", nil, err)
}

// caseLinkSubmit links a partner agency or a committee to the case (the API's link route).
func (s *Server) caseLinkSubmit(c echo.Context, v *view) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	req := linkRequest{Kind: "organisation", PartyID: form.Get("party_id"), Reason: form.Get("reason"), Note: strings.TrimSpace(form.Get("note"))}
	_, perr := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/cases/:id/links", params: map[string]string{"code": c.Param("code"), "id": c.Param("id")}, body: req})
	return s.caseFormDone(c, v, "link", form, perr)
}

// actionRequest is the action route's body from the form, whose fields are named as the
// API's (so that a problem's field is the form's).
func actionRequest(a cases.Action, f url.Values) (caseActionRequest, error) {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	req := caseActionRequest{Reason: get("reason"), Note: get("note")}
	if v := get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return req, invalid("version", "页面已过期，请刷新后重试 / the page is out of date: reload it and try again")
		}
		req.Version = n
	}
	switch a {
	case cases.ActionAssign, cases.ActionTransfer, cases.ActionStartMediation:
		if a != cases.ActionStartMediation {
			req.CommitteeID = get("committee_id")
		}
		// The lead mediator (主办) first, then the others, each once.
		for _, id := range append([]string{get("lead")}, f["mediators"]...) {
			if id = strings.TrimSpace(id); id != "" && !slices.Contains(req.Mediators, id) {
				req.Mediators = append(req.Mediators, id)
			}
		}
	case cases.ActionFail, cases.ActionGuide:
		req.Channel = get("channel")
	case cases.ActionRecordSession:
		ss := &cases.Session{Mode: get("session.mode"), Summary: get("session.summary")}
		if at := get("session.at"); at != "" {
			t, err := time.ParseInLocation("2006-01-02T15:04", at, chinaTime)
			if err != nil {
				return req, invalid("session.at", "请填写调解时间，如 2026-12-01 09:30 / give the session's date and time")
			}
			ss.At = t
		}
		req.Session = ss
	case cases.ActionSucceed:
		ag := &cases.Agreement{Form: get("agreement.form")}
		for _, line := range strings.Split(f.Get("agreement.terms"), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				ag.Terms = append(ag.Terms, cases.Term{Text: line})
			}
		}
		req.Agreement = ag
	case cases.ActionConfirm, cases.ActionCorrectConfirmation:
		req.Confirmation = &cases.Confirmation{CourtID: get("confirmation.court_id"), Reference: get("confirmation.reference"), Date: get("confirmation.date")}
	case cases.ActionRecordPerformed:
		req.Result = get("result")
		if d := get("performance.date"); d != "" {
			req.Performance = &cases.PerformanceInput{Date: d}
		}
	case cases.ActionRecordRecant:
		if d := get("performance.date"); d != "" {
			req.Performance = &cases.PerformanceInput{Date: d}
		}
	case cases.ActionFollowUp:
		req.FollowUpID, req.Result, req.Reopen = get("follow_up_id"), get("result"), get("reopen") == "true"
	case cases.ActionAdjustRisk:
		req.RiskLevel = get("risk_level")
	}
	return req, nil
}

// OpenAction tells whether an action's form shows the last problem (else the page does).
func (d *caseShowData) OpenAction() bool {
	return slices.ContainsFunc(d.forms(), func(a *caseAction) bool { return a.Open })
}

// agencyKinds are the partner agencies' kinds of organisation.
var agencyKinds = map[string]bool{"court": true, "police_station": true, "procuratorate": true, "petition_office": true, "department": true}

// shareGrantees are whom a case of district code may be shared with: the district's partner
// agencies, and the other districts of its city.
func shareGrantees(names caseNames, code string) []choice {
	var out []choice
	for _, o := range names.orgs {
		if agencyKinds[o.Kind] {
			out = append(out, choice{Code: "org:" + o.ID, ZH: o.Name, EN: o.Name})
		}
	}
	slices.SortFunc(out, func(a, b choice) int { return strings.Compare(a.ZH, b.ZH) })
	if ds, err := division.Districts(code[:4] + "00"); err == nil {
		for _, d := range ds {
			if d.Code != code {
				out = append(out, choice{Code: "tenant:" + d.Code, ZH: d.Name, EN: d.Name})
			}
		}
	}
	return out
}

var styleElement = regexp.MustCompile(`(?s)<style>(.*?)</style>`)

// caseAgreementDocument is the printable mediation agreement: the API's document (full
// personal data; the API checks the permission and audits the read), served with a policy that
// admits its own style element by hash, and nothing else.
func (s *Server) caseAgreementDocument(c echo.Context, v *view) error {
	res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/:id/agreement", params: map[string]string{"code": c.Param("code"), "id": c.Param("id")}})
	if err != nil {
		return err
	}
	styles := ""
	for _, m := range styleElement.FindAllSubmatch(res.Blob, -1) {
		sum := sha256.Sum256(m[1])
		styles += " 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src"+orNone(styles)+"; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Cache-Control", "no-store")
	if cd := res.Header.Get("Content-Disposition"); cd != "" {
		h.Set("Content-Disposition", cd)
	}
	return c.HTMLBlob(http.StatusOK, res.Blob)
}

func orNone(sources string) string {
	if sources == "" {
		return " 'none'"
	}
	return sources
}

type districtTransfer struct {
	cases.Transfer
	ToName     string
	StatusName choice
}

// caseDistrictTransferSubmit proposes to transfer the case to another district of the city
// (the API's transfer route; the case stays here until that district accepts).
func (s *Server) caseDistrictTransferSubmit(c echo.Context, v *view) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	req := transferRequest{ToTenant: form.Get("to_tenant"), Reason: strings.TrimSpace(form.Get("reason"))}
	_, perr := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/cases/:id/transfers", params: map[string]string{"code": c.Param("code"), "id": c.Param("id")}, body: req})
	return s.caseFormDone(c, v, "district_transfer", form, perr)
}

// caseEditSubmit corrects the intake through the API's PATCH, with the case's version: the
// warning is re-assessed and the change recorded in the history.
func (s *Server) caseEditSubmit(c echo.Context, v *view) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	title, desc, typ := strings.TrimSpace(form.Get("title")), strings.TrimSpace(form.Get("description")), form.Get("dispute_type")
	req := updateCaseRequest{Title: &title, Description: &desc, DisputeType: &typ}
	var perr error
	if n, err := strconv.Atoi(form.Get("version")); err == nil {
		req.Version = n
	}
	if a := strings.TrimSpace(form.Get("amount")); a != "" {
		amount, err := strconv.ParseFloat(a, 64)
		if err != nil {
			perr = invalid("amount", "金额须为数字（元），如 3500.50 / the amount is a number of yuan, e.g. 3500.50")
		}
		req.Amount = &amount
	}
	if perr == nil {
		_, perr = v.op(opCall{method: http.MethodPatch, path: "/api/v1/tenants/:code/cases/:id", params: map[string]string{"code": c.Param("code"), "id": c.Param("id")}, body: req})
	}
	return s.caseFormDone(c, v, "edit", form, perr)
}

// mediatorChoices are the registry's active mediators, named with their organisation (none
// when the user may not read the registry).
func (s *Server) mediatorChoices(v *view, code string, names caseNames, selected string) []choice {
	ml, err := opValue[mediatorList](s, v.c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/mediators", params: map[string]string{"code": code}, query: url.Values{"limit": {"500"}}})
	if err != nil {
		return nil
	}
	var out []choice
	for _, m := range ml.Items {
		if m.Status != "active" && m.ID != selected {
			continue
		}
		label := m.Name
		if o, ok := names.orgs[m.OrganisationID]; ok {
			label += "（" + o.Name + "）"
		}
		out = append(out, choice{Code: m.ID, ZH: label, EN: label, Selected: m.ID == selected})
	}
	return out
}
