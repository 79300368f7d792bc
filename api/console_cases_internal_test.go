package api

import (
	"net/url"
	"slices"
	"testing"

	"github.com/fengqiao/fengqiao/core/cases"
)

// TestActionRequest: the case page's forms become the action route's bodies, field for field.
func TestActionRequest(t *testing.T) {
	m1, m2 := "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
	req, err := actionRequest(cases.ActionAssign, url.Values{"version": {"7"}, "committee_id": {"c"}, "lead": {m2}, "mediators": {m1, m2}, "reason": {" 就近 "}})
	if err != nil || req.Version != 7 || req.CommitteeID != "c" || !slices.Equal(req.Mediators, []string{m2, m1}) || req.Reason != "就近" {
		t.Errorf("assign: %+v %v", req, err)
	}
	req, err = actionRequest(cases.ActionSucceed, url.Values{"agreement.form": {"written"}, "agreement.terms": {"赔偿三千元\r\n\r\n  三日内付清 \n"}})
	if err != nil || req.Agreement.Form != "written" || len(req.Agreement.Terms) != 2 || req.Agreement.Terms[1].Text != "三日内付清" {
		t.Errorf("succeed: %+v %v", req.Agreement, err)
	}
	req, err = actionRequest(cases.ActionRecordSession, url.Values{"session.at": {"2026-01-05T09:30"}, "session.mode": {"phone"}})
	if err != nil || req.Session.At.UTC().Format("2006-01-02 15:04") != "2026-01-05 01:30" || req.Session.Mode != "phone" {
		t.Errorf("record_session: %+v %v", req.Session, err)
	}
	if _, err := actionRequest(cases.ActionRecordSession, url.Values{"session.at": {"明天"}}); toProblem(err).Field != "session.at" {
		t.Errorf("a bad session time: %v", err)
	}
	if _, err := actionRequest(cases.ActionClose, url.Values{"version": {"x"}}); toProblem(err).Field != "version" {
		t.Errorf("a bad version: %v", err)
	}
	req, _ = actionRequest(cases.ActionFollowUp, url.Values{"follow_up_id": {"f"}, "result": {"not_performed"}, "reopen": {"true"}})
	if req.FollowUpID != "f" || req.Result != "not_performed" || !req.Reopen {
		t.Errorf("follow_up: %+v", req)
	}
	errs := fieldErrors(&Problem{Errors: []FieldProblem{{Field: "agreement.terms[0].text", Detail: "a"}, {Field: "agreement.terms[1].text", Detail: "b"}, {Field: "mediators[0]", Detail: "c"}}})
	if errs["agreement.terms"] != "a；b" || errs["mediators"] != "c" {
		t.Errorf("field errors: %v", errs)
	}
}
