package cases

import (
	"errors"
	"testing"
	"time"
)

// TestConfirmationRules holds the rules of judicial confirmation (司法确认): a written agreement
// only, once (a correction is its own action, with a reason), a registry court given by its id
// (an agency in its own name only), a date neither in the future nor before the agreement; and
// reopening a confirmed case needs a reason and tells the court.
func TestConfirmationRules(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC) // 18:00 in Beijing
	signed := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	const court, police = "c0000000-0000-0000-0000-000000000001", "p0000000-0000-0000-0000-000000000002"
	written := &Agreement{Form: "written", Terms: []Term{{Text: "赔偿"}}, Signed: signed}
	oral := &Agreement{Form: "oral", Terms: []Term{{Text: "赔偿"}}, Signed: signed}
	done := &Confirmation{CourtID: court, Court: "上海市普陀区人民法院", Reference: "(2026)沪0107民特1号", Date: "2026-11-25"}
	cf := func(date string) *Confirmation {
		return &Confirmation{CourtID: court, Reference: "(2026)沪0107民特1号", Date: date}
	}
	succeeded := Case{Status: StatusSucceeded, Agreement: written}
	confirmed := Case{Status: StatusSucceeded, Agreement: written, Confirmation: done}
	for _, tc := range []struct {
		name   string
		c      Case
		in     ActionInput
		err    error  // a sentinel the error wraps
		field  string // or the field a validation error names
		notify bool
	}{
		{name: "a written agreement, today, by a registry court", c: succeeded, in: ActionInput{Action: ActionConfirm, Confirm: cf("2026-12-03")}},
		{name: "on the day of the agreement", c: succeeded, in: ActionInput{Action: ActionConfirm, Confirm: cf("2026-11-20")}},
		{name: "an oral agreement", c: Case{Status: StatusSucceeded, Agreement: oral}, in: ActionInput{Action: ActionConfirm, Confirm: cf("2026-12-01")}, err: ErrNotWritten},
		{name: "dated in 2030", c: succeeded, in: ActionInput{Action: ActionConfirm, Confirm: cf("2030-01-01")}, field: "confirmation.date"},
		{name: "dated tomorrow in Beijing", c: succeeded, in: ActionInput{Action: ActionConfirm, Confirm: cf("2026-12-04")}, field: "confirmation.date"},
		{name: "before the agreement", c: succeeded, in: ActionInput{Action: ActionConfirm, Confirm: cf("2026-11-19")}, field: "confirmation.date"},
		{name: "not a date", c: succeeded, in: ActionInput{Action: ActionConfirm, Confirm: cf("30/11/2026")}, field: "confirmation.date"},
		{name: "a free-text court", c: succeeded, in: ActionInput{Action: ActionConfirm, Confirm: &Confirmation{Court: "北京市朝阳区人民法院", Reference: "x", Date: "2026-12-01"}}, field: "confirmation.court_id"},
		{name: "no reference", c: succeeded, in: ActionInput{Action: ActionConfirm, Confirm: &Confirmation{CourtID: court, Date: "2026-12-01"}}, field: "confirmation.reference"},
		{name: "no confirmation", c: succeeded, in: ActionInput{Action: ActionConfirm}, field: "confirmation"},
		{name: "the court in its own name", c: succeeded, in: ActionInput{Action: ActionConfirm, Confirm: cf("2026-12-01"), By: &Intaker{Org: court, AgencyRole: true}}},
		{name: "an agency in a court's name", c: succeeded, in: ActionInput{Action: ActionConfirm, Confirm: cf("2026-12-01"), By: &Intaker{Org: police, AgencyRole: true}}, err: &ConfirmationForbiddenError{}},
		{name: "twice", c: confirmed, in: ActionInput{Action: ActionConfirm, Confirm: cf("2026-12-01")}, err: ErrAlreadyConfirmed},
		{name: "a correction with a reason", c: confirmed, in: ActionInput{Action: ActionCorrectConfirmation, Reason: "文号录入错误", Confirm: cf("2026-11-25")}},
		{name: "a correction without a reason", c: confirmed, in: ActionInput{Action: ActionCorrectConfirmation, Confirm: cf("2026-11-25")}, field: "reason"},
		{name: "a correction of nothing", c: succeeded, in: ActionInput{Action: ActionCorrectConfirmation, Reason: "更正", Confirm: cf("2026-11-25")}, err: ErrNotConfirmed},
		{name: "reopening a confirmed case tells the court", c: confirmed, in: ActionInput{Action: ActionReopen, Reason: "当事人反悔"}, notify: true},
		{name: "reopening a confirmed case needs a reason", c: confirmed, in: ActionInput{Action: ActionReopen}, field: "reason"},
		{name: "a follow-up reopening a confirmed case tells the court", c: confirmed, in: ActionInput{Action: ActionFollowUp, FollowUpID: "f", Result: "not_performed", Reopen: true, Reason: "未履行"}, notify: true},
		{name: "a follow-up reopening a confirmed case needs a reason", c: confirmed, in: ActionInput{Action: ActionFollowUp, FollowUpID: "f", Result: "not_performed", Reopen: true}, field: "reason"},
		{name: "a follow-up reopening an unconfirmed case", c: succeeded, in: ActionInput{Action: ActionFollowUp, FollowUpID: "f", Result: "not_performed", Reopen: true}},
		{name: "reopening an unconfirmed case tells no court", c: succeeded, in: ActionInput{Action: ActionReopen, Reason: "未履行"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Plan(tc.c, tc.in, now)
			switch {
			case tc.err != nil:
				var forbidden *ConfirmationForbiddenError
				if errors.As(tc.err, &forbidden) {
					if !errors.As(err, &forbidden) {
						t.Fatalf("err %v, want %T", err, tc.err)
					}
				} else if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
			case tc.field != "":
				var v *ValidationError
				if !errors.As(err, &v) || v.Errors[0].Field != tc.field {
					t.Fatalf("err %v, want a validation error of %s", err, tc.field)
				}
			case err != nil:
				t.Fatalf("unexpected %v", err)
			case e.NotifyCourt != tc.notify:
				t.Fatalf("NotifyCourt %v, want %v", e.NotifyCourt, tc.notify)
			}
		})
	}
}

// TestCourtTimeLimits holds the court time limits: by the referral's kind (诉前委派, 诉中委托),
// from the tenant's settings, extended once by the tenant's extension with a reason; invalid
// settings are refused.
func TestCourtTimeLimits(t *testing.T) {
	days := func(n int) *int { return &n }
	st := Settings{CourtTimeLimitDays: map[string]int{"pre_filing": 20}, CourtExtensionDays: days(15)}.Merged()
	for _, tc := range []struct {
		name string
		src  Source
		ref  *Referral
		want int
	}{
		{"pre-filing follows the tenant's court limit", SourceCourt, &Referral{Kind: "pre_filing"}, 20},
		{"in-litigation follows the platform's court limit", SourceCourt, &Referral{Kind: "in_litigation"}, 30},
		{"a court referral without its kind follows the source", SourceCourt, &Referral{}, 30},
		{"a police referral follows the source", SourcePolice, &Referral{}, 15},
		{"a walk-in follows the source", SourceWalkIn, nil, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := st.CaseTimeLimit(tc.src, tc.ref); got != time.Duration(tc.want)*24*time.Hour {
				t.Fatalf("limit %v, want %d days", got, tc.want)
			}
		})
	}

	due := time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)
	extended := due.AddDate(0, 0, -3)
	court := Case{Status: StatusMediating, Source: SourceCourt, Referral: &Referral{Kind: "in_litigation"}, DueAt: due}
	for _, tc := range []struct {
		name  string
		c     Case
		in    ActionInput
		err   error
		field string
		want  time.Time
	}{
		{name: "extended once by the tenant's days", c: court, in: ActionInput{Action: ActionExtendTimeLimit, Reason: "当事人申请延期", ExtensionDays: 15}, want: due.AddDate(0, 0, 15)},
		{name: "needs a reason", c: court, in: ActionInput{Action: ActionExtendTimeLimit, ExtensionDays: 15}, field: "reason"},
		{name: "not twice", c: func() Case { c := court; c.DueExtendedAt = &extended; return c }(), in: ActionInput{Action: ActionExtendTimeLimit, Reason: "再次延期"}, err: ErrAlreadyExtended},
		{name: "not a court case", c: Case{Status: StatusMediating, Source: SourceWalkIn, DueAt: due}, in: ActionInput{Action: ActionExtendTimeLimit, Reason: "延期"}, err: ErrNoCourtLimit},
		{name: "not after the outcome", c: func() Case { c := court; c.Status = StatusSucceeded; return c }(), in: ActionInput{Action: ActionExtendTimeLimit, Reason: "延期"}, err: ErrActionNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Plan(tc.c, tc.in, due)
			switch {
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
			case tc.field != "":
				var v *ValidationError
				if !errors.As(err, &v) || v.Errors[0].Field != tc.field {
					t.Fatalf("err %v, want a validation error of %s", err, tc.field)
				}
			case err != nil:
				t.Fatalf("unexpected %v", err)
			case e.ExtendDue == nil || !e.ExtendDue.Equal(tc.want):
				t.Fatalf("due %v, want %v", e.ExtendDue, tc.want)
			}
		})
	}

	for _, tc := range []struct {
		name  string
		st    Settings
		field string
	}{
		{"valid", Settings{CourtTimeLimitDays: map[string]int{"pre_filing": 30, "in_litigation": 60}, CourtExtensionDays: days(30)}, ""},
		{"zero days", Settings{CourtTimeLimitDays: map[string]int{"pre_filing": 0}}, "court_time_limit_days.pre_filing"},
		{"negative days", Settings{CourtTimeLimitDays: map[string]int{"in_litigation": -5}}, "court_time_limit_days.in_litigation"},
		{"unknown kind", Settings{CourtTimeLimitDays: map[string]int{"appeal": 30}}, "court_time_limit_days.appeal"},
		{"zero extension", Settings{CourtExtensionDays: days(0)}, "court_extension_days"},
		{"extension too long", Settings{CourtExtensionDays: days(400)}, "court_extension_days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.st.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) || v.Errors[0].Field != tc.field {
				t.Fatalf("err %v, want a validation error of %s", err, tc.field)
			}
		})
	}
}
