package cases

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// TestPlanPeople: assignments, transfers and the start of mediation name registry mediators and
// experts by id; sessions name who was present by id. Ids are checked for form here (the store
// checks they are active records of the tenant).
func TestPlanPeople(t *testing.T) {
	const (
		m1 = "0b7a1c52-3c1e-4f5a-9d8e-1a2b3c4d5e6f"
		m2 = "1c8b2d63-4d2f-4a6b-8e9f-2b3c4d5e6f70"
		x1 = "2d9c3e74-5e3a-4b7c-9fa0-3c4d5e6f7081"
	)
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	committee := "3ead4f85-6f4b-4c8d-a0b1-4d5e6f708192"
	session := func(s Session) *Session { s.At, s.Mode = now.Add(-time.Hour), "in_person"; return &s }
	rows := []struct {
		name      string
		status    Status
		in        ActionInput
		fields    []string  // invalid fields, in order; nil: accepted
		mediators *[]string // the case's mediators afterwards (nil: unchanged)
		experts   *[]string
	}{
		{name: "assign without mediators", status: StatusReceived, in: ActionInput{Action: ActionAssign, CommitteeID: committee}},
		{name: "assign with a lead and a co-mediator", status: StatusReceived,
			in:        ActionInput{Action: ActionAssign, CommitteeID: committee, Mediators: []string{m1, m2}, Experts: []string{x1}},
			mediators: &[]string{m1, m2}, experts: &[]string{x1}},
		{name: "assign naming a mediator by name", status: StatusReceived,
			in: ActionInput{Action: ActionAssign, CommitteeID: committee, Mediators: []string{m1, "王调解员"}}, fields: []string{"mediators[1]"}},
		{name: "assign naming a mediator twice", status: StatusReceived,
			in: ActionInput{Action: ActionAssign, CommitteeID: committee, Mediators: []string{m1, m1}}, fields: []string{"mediators[1]"}},
		{name: "assign naming an expert by name", status: StatusReceived,
			in: ActionInput{Action: ActionAssign, CommitteeID: committee, Experts: []string{"李律师"}}, fields: []string{"experts[0]"}},
		{name: "assign with eleven mediators", status: StatusReceived,
			in: ActionInput{Action: ActionAssign, CommitteeID: committee, Mediators: make([]string, 11)}, fields: []string{"mediators"}},
		{name: "transfer clears the mediators", status: StatusAssigned,
			in: ActionInput{Action: ActionTransfer, CommitteeID: committee, Reason: "属地调整"}, mediators: &[]string{}},
		{name: "transfer names the new committee's mediator", status: StatusAssigned,
			in: ActionInput{Action: ActionTransfer, CommitteeID: committee, Reason: "属地调整", Mediators: []string{m2}}, mediators: &[]string{m2}},
		{name: "start mediation without mediators keeps them", status: StatusAssigned, in: ActionInput{Action: ActionStartMediation}},
		{name: "start mediation with an empty list clears them", status: StatusAssigned,
			in: ActionInput{Action: ActionStartMediation, Mediators: []string{}}, mediators: &[]string{}},
		{name: "session by registry ids", status: StatusMediating,
			in: ActionInput{Action: ActionRecordSession, Session: session(Session{MediatorIDs: []string{m1}, ExpertIDs: []string{x1}, Participants: []string{"申请人的代理律师"}})}},
		{name: "session naming mediators by name", status: StatusMediating,
			in: ActionInput{Action: ActionRecordSession, Session: session(Session{Mediators: []string{"王调解员"}})}, fields: []string{"session.mediators"}},
		{name: "session with a malformed mediator id", status: StatusMediating,
			in: ActionInput{Action: ActionRecordSession, Session: session(Session{MediatorIDs: []string{m1, "m2"}})}, fields: []string{"session.mediator_ids[1]"}},
		{name: "session with a malformed expert id", status: StatusMediating,
			in: ActionInput{Action: ActionRecordSession, Session: session(Session{ExpertIDs: []string{"专家"}})}, fields: []string{"session.expert_ids[0]"}},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			e, err := Plan(Case{Status: r.status}, r.in, now)
			var ve *ValidationError
			switch {
			case r.fields == nil && err != nil:
				t.Fatalf("refused: %v", err)
			case r.fields != nil && (!errors.As(err, &ve) || !errors.Is(err, ErrInvalid)):
				t.Fatalf("err = %v, want a validation error of %v", err, r.fields)
			case r.fields != nil:
				var got []string
				for _, f := range ve.Errors {
					got = append(got, f.Field)
				}
				if !slices.Equal(got, r.fields) {
					t.Fatalf("fields = %v, want %v", got, r.fields)
				}
				return
			}
			same := func(what string, got, want *[]string) {
				if (got == nil) != (want == nil) || got != nil && !slices.Equal(*got, *want) {
					t.Errorf("%s = %v, want %v", what, deref(got), deref(want))
				}
			}
			same("mediators", e.Mediators, r.mediators)
			same("experts", e.Experts, r.experts)
		})
	}
}

func deref(p *[]string) any {
	if p == nil {
		return "unchanged"
	}
	return *p
}
