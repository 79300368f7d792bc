package api

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/labstack/echo/v4"
)

// The agency view (/agency): what an agency's clerk works on. A court's clerk sees the cases
// its court referred with their outcome (诉调对接 feedback: status, result, agreement, judicial
// confirmation) and records judicial confirmation of a written agreement in its court's name;
// a police station's clerk sees the warnings addressed to the station and acknowledges them.
// Both lists are the API's, so each sees exactly what the API lets it see.

type agencyData struct {
	Cases                                                    []caseDTO
	CasesAfter                                               string
	CasesNext                                                string
	Warnings                                                 []warningDTO
	WarningsAfter                                            string
	WarningsNext                                             string
	Org                                                      string
	ShowCases                                                bool
	ShowWarnings                                             bool
	CaseSectionTitle                                         string
	CaseSectionIntro                                         string
	WarningsBack                                             string
	CasesFirst, CasesNextURL, WarningsFirst, WarningsNextURL string
}

// agencyRow is one case of the agency's list (and its confirmation cell as an htmx fragment).
type agencyRow struct {
	V         *view
	C         caseDTO
	Org       string
	Problem   *Problem
	Reference string
	Date      string
}

// CanConfirm: the case's written agreement awaits judicial confirmation, and the clerk's
// organisation is the court that referred it (the API decides again when it is recorded).
func (r agencyRow) CanConfirm() bool {
	c := r.C
	return c.Confirmation == nil && c.Agreement != nil && c.Agreement.Form == "written" && c.Referral != nil &&
		r.Org != "" && c.Referral.AgencyID == r.Org && slices.Contains(c.AllowedActions, string(cases.ActionConfirm))
}

// DateValue is the date the form shows: the one entered, or today (China time).
func (r agencyRow) DateValue() string {
	if r.Date != "" {
		return r.Date
	}
	return time.Now().In(chinaTime).Format("2006-01-02")
}

// Performance names how the agreement was carried out (履行), "" when nobody reported it.
func (r agencyRow) Performance() string {
	switch r.C.Performance {
	case "performed":
		return r.V.T("履行完毕", "performed")
	case "partly_performed":
		return r.V.T("部分履行", "partly performed")
	case "not_performed":
		return r.V.T("未履行", "not performed")
	case "recanted":
		return r.V.T("反悔", "recanted")
	}
	return ""
}

// FieldError is the problem's message for one field of the confirmation form.
func (r agencyRow) FieldError(field string) string {
	if r.Problem == nil {
		return ""
	}
	v := &view{Problem: r.Problem}
	return v.FieldError(field)
}

// AgencyRows pairs each case with the view and the clerk's organisation.
func (v *view) AgencyRows(cs []caseDTO) []agencyRow {
	out := make([]agencyRow, len(cs))
	for i, c := range cs {
		out[i] = agencyRow{V: v, C: c, Org: v.principal().OrganisationID}
	}
	return out
}

func agencyURL(casesAfter, warningsAfter string) string {
	q := url.Values{}
	if casesAfter != "" {
		q.Set("after", casesAfter)
	}
	if warningsAfter != "" {
		q.Set("wafter", warningsAfter)
	}
	if len(q) == 0 {
		return "/agency"
	}
	return "/agency?" + q.Encode()
}

func (s *Server) agencyPage(c echo.Context, v *view) error {
	v.Title = v.T("协作单位工作台", "Agency desk")
	d := &agencyData{CasesAfter: c.QueryParam("after"), WarningsAfter: c.QueryParam("wafter"), Org: v.principal().OrganisationID}
	v.Data = d
	code := map[string]string{"code": v.User.TenantCode}
	q := url.Values{"limit": {queuePageSize}}
	if d.CasesAfter != "" {
		q.Set("after", d.CasesAfter)
	}
	cl, err := opValue[caseList](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/cases", params: code, query: q})
	if err != nil {
		return err
	}
	d.Cases, d.CasesNext = cl.Items, cl.NextAfter
	wq := url.Values{"limit": {queuePageSize}} // every state: what was acknowledged stays in view
	if d.WarningsAfter != "" {
		wq.Set("after", d.WarningsAfter)
	}
	// An agency reads the warnings of the cases linked to it; a role that may not is shown none.
	if res, err := v.op(opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/warnings", params: code, query: wq}); err == nil {
		if wl, ok := res.Value.(warningList); ok {
			d.Warnings, d.WarningsNext = wl.Items, wl.NextAfter
		}
	} else if p := toProblem(err); p.Status >= 500 {
		return err
	}
	referred := false
	for _, cs := range d.Cases {
		referred = referred || (cs.Referral != nil && cs.Referral.AgencyID == d.Org)
	}
	// A court's clerk works on the cases it referred; a police station's on its warnings (and
	// the cases linked to it by them). Each section shows where it has something, or when
	// neither has.
	d.ShowCases = referred || len(d.Warnings) == 0 || d.CasesAfter != ""
	d.ShowWarnings = len(d.Warnings) > 0 || !referred || d.WarningsAfter != ""
	if referred {
		d.CaseSectionTitle = v.T("本单位委派、委托的案件", "Cases we referred")
		d.CaseSectionIntro = v.T("调解结果反馈：状态、结果、协议与司法确认。书面协议可在此登记司法确认。", "Feedback on the referrals: status, result, agreement and judicial confirmation. Record the judicial confirmation of a written agreement here.")
	} else {
		d.CaseSectionTitle = v.T("与本单位关联的案件", "Cases linked to us")
	}
	d.WarningsBack = agencyURL(d.CasesAfter, d.WarningsAfter)
	d.CasesFirst, d.CasesNextURL = agencyURL("", d.WarningsAfter), agencyURL(d.CasesNext, d.WarningsAfter)
	d.WarningsFirst, d.WarningsNextURL = agencyURL(d.CasesAfter, ""), agencyURL(d.CasesAfter, d.WarningsNext)
	return s.render(c, v, http.StatusOK, "agency")
}

// agencyConfirm records judicial confirmation in the clerk's court's name (never a court the
// form names) by the case action route.
func (s *Server) agencyConfirm(c echo.Context, v *view) error {
	ref, date := c.FormValue("reference"), c.FormValue("date")
	params := map[string]string{"code": v.User.TenantCode, "id": c.Param("id")}
	res, err := v.op(opCall{method: http.MethodPost, path: "/api/v1/tenants/:code/cases/:id/actions/:action",
		params: map[string]string{"code": params["code"], "id": params["id"], "action": string(cases.ActionConfirm)},
		body:   caseActionRequest{Confirmation: &cases.Confirmation{CourtID: v.principal().OrganisationID, Reference: ref, Date: date}}})
	htmx := c.Request().Header.Get("HX-Request") == "true"
	if err != nil {
		p := toProblem(err)
		if p.Status >= 500 || !htmx {
			return err
		}
		// The case as the clerk may read it, for the row; refused: the problem alone.
		cs, gerr := opValue[caseDTO](s, c, v.principal(), opCall{method: http.MethodGet, path: "/api/v1/tenants/:code/cases/:id", params: params})
		if gerr != nil {
			return err
		}
		v.Data = agencyRow{V: v, C: cs, Org: v.principal().OrganisationID, Problem: p, Reference: ref, Date: date}
		return s.renderBlock(c, v, p.Status, "agency", "agency-confirm-fragment")
	}
	cs, ok := res.Value.(caseDTO)
	if !ok {
		return errors.New("console: confirm answered no case")
	}
	if !htmx {
		return c.Redirect(http.StatusSeeOther, "/agency")
	}
	v.Data = agencyRow{V: v, C: cs, Org: v.principal().OrganisationID}
	return s.renderBlock(c, v, http.StatusOK, "agency", "agency-confirm-fragment")
}
