package cases

import (
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/valid"
)

// TestPlanPerformance holds the rules of performance reports (履行): each row an action on an
// agreed case, the field refused (if any), and the record it makes.
func TestPlanPerformance(t *testing.T) {
	now := time.Date(2026, 3, 10, 4, 0, 0, 0, time.UTC) // 12:00 in China
	signed := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	agreed := Case{Status: StatusSucceeded, Parties: []Party{{ID: "p1"}, {ID: "p2"}},
		Agreement: &Agreement{Form: "written", Signed: signed, Terms: []Term{{Text: "赔偿", Amount: 8000}}}}
	failed := Case{Status: StatusFailed}
	type want struct {
		field     string // refused field; "" when accepted
		result    Performance
		remaining float64
		due, date string
		party     string
		noRecord  bool
	}
	rows := []struct {
		name string
		c    Case
		in   ActionInput
		want want
	}{
		{"performed by default", agreed, ActionInput{Action: ActionRecordPerformed}, want{result: PerformancePerformed, date: "2026-03-10"}},
		{"performed on a day", agreed, ActionInput{Action: ActionRecordPerformed, Result: "performed", Performance: &PerformanceInput{Date: "2026-03-05"}}, want{result: PerformancePerformed, date: "2026-03-05"}},
		{"unknown result", agreed, ActionInput{Action: ActionRecordPerformed, Result: "maybe"}, want{field: "result"}},
		{"recanted is its own action", agreed, ActionInput{Action: ActionRecordPerformed, Result: "recanted"}, want{field: "result"}},
		{"not performed", agreed, ActionInput{Action: ActionRecordPerformed, Result: "not_performed"}, want{result: PerformanceNot, date: "2026-03-10"}},
		{"partly: amount and due", agreed, ActionInput{Action: ActionRecordPerformed, Result: "partly_performed", Performance: &PerformanceInput{RemainingAmount: 3000, RemainingDue: "2026-04-30"}}, want{result: PerformancePartly, remaining: 3000, due: "2026-04-30", date: "2026-03-10"}},
		{"partly: text only", agreed, ActionInput{Action: ActionRecordPerformed, Result: "partly_performed", Performance: &PerformanceInput{Remaining: "尚未赔礼道歉", RemainingDue: "2026-03-20"}}, want{result: PerformancePartly, due: "2026-03-20", date: "2026-03-10"}},
		{"partly without what is left", agreed, ActionInput{Action: ActionRecordPerformed, Result: "partly_performed", Performance: &PerformanceInput{RemainingDue: "2026-04-30"}}, want{field: "performance.remaining"}},
		{"partly without by when", agreed, ActionInput{Action: ActionRecordPerformed, Result: "partly_performed", Performance: &PerformanceInput{RemainingAmount: 3000}}, want{field: "performance.remaining_due"}},
		{"partly due before the record", agreed, ActionInput{Action: ActionRecordPerformed, Result: "partly_performed", Performance: &PerformanceInput{RemainingAmount: 3000, RemainingDue: "2026-03-09"}}, want{field: "performance.remaining_due"}},
		{"partly more than agreed", agreed, ActionInput{Action: ActionRecordPerformed, Result: "partly_performed", Performance: &PerformanceInput{RemainingAmount: 9000, RemainingDue: "2026-04-30"}}, want{field: "performance.remaining_amount"}},
		{"partly negative amount", agreed, ActionInput{Action: ActionRecordPerformed, Result: "partly_performed", Performance: &PerformanceInput{RemainingAmount: -1, Remaining: "x", RemainingDue: "2026-04-30"}}, want{field: "performance.remaining_amount"}},
		{"partly bad due", agreed, ActionInput{Action: ActionRecordPerformed, Result: "partly_performed", Performance: &PerformanceInput{RemainingAmount: 1, RemainingDue: "30/04/2026"}}, want{field: "performance.remaining_due"}},
		{"what is left on a performed", agreed, ActionInput{Action: ActionRecordPerformed, Result: "performed", Performance: &PerformanceInput{RemainingAmount: 100}}, want{field: "performance.remaining_amount"}},
		{"by when on a not performed", agreed, ActionInput{Action: ActionRecordPerformed, Result: "not_performed", Performance: &PerformanceInput{RemainingDue: "2026-04-30"}}, want{field: "performance.remaining_due"}},
		{"date in the future", agreed, ActionInput{Action: ActionRecordPerformed, Performance: &PerformanceInput{Date: "2026-03-11"}}, want{field: "performance.date"}},
		{"date before the agreement", agreed, ActionInput{Action: ActionRecordPerformed, Performance: &PerformanceInput{Date: "2026-02-28"}}, want{field: "performance.date"}},
		{"date not a date", agreed, ActionInput{Action: ActionRecordPerformed, Performance: &PerformanceInput{Date: "yesterday"}}, want{field: "performance.date"}},
		{"a party on a performed", agreed, ActionInput{Action: ActionRecordPerformed, Performance: &PerformanceInput{PartyID: "p1"}}, want{field: "performance.party_id"}},
		{"recant: who and when", agreed, ActionInput{Action: ActionRecordRecant, Reason: "被申请人不认可协议", Performance: &PerformanceInput{PartyID: "p2", Date: "2026-03-08"}}, want{result: PerformanceRecanted, party: "p2", date: "2026-03-08"}},
		{"recant without who", agreed, ActionInput{Action: ActionRecordRecant, Reason: "不认可"}, want{field: "performance.party_id"}},
		{"recant by a stranger", agreed, ActionInput{Action: ActionRecordRecant, Reason: "不认可", Performance: &PerformanceInput{PartyID: "p9"}}, want{field: "performance.party_id"}},
		{"recant without reason", agreed, ActionInput{Action: ActionRecordRecant, Performance: &PerformanceInput{PartyID: "p1"}}, want{field: "reason"}},
		{"follow-up performed", agreed, ActionInput{Action: ActionFollowUp, FollowUpID: "f1", Result: "performed"}, want{result: PerformancePerformed, date: "2026-03-10"}},
		{"follow-up partly, with what is left", agreed, ActionInput{Action: ActionFollowUp, FollowUpID: "f1", Result: "partly_performed", Performance: &PerformanceInput{RemainingAmount: 2000, RemainingDue: "2026-04-01"}}, want{result: PerformancePartly, remaining: 2000, due: "2026-04-01", date: "2026-03-10"}},
		{"follow-up partly, nothing said of the rest", agreed, ActionInput{Action: ActionFollowUp, FollowUpID: "f1", Result: "partly_performed"}, want{field: "performance.remaining"}},
		{"follow-up not performed, reopened", agreed, ActionInput{Action: ActionFollowUp, FollowUpID: "f1", Result: "not_performed", Reopen: true}, want{result: PerformanceNot, date: "2026-03-10"}},
		{"follow-up unreachable", agreed, ActionInput{Action: ActionFollowUp, FollowUpID: "f1", Result: "unreachable"}, want{noRecord: true}},
		{"follow-up unreachable with performance", agreed, ActionInput{Action: ActionFollowUp, FollowUpID: "f1", Result: "unreachable", Performance: &PerformanceInput{Date: "2026-03-09"}}, want{field: "performance"}},
		{"performance on another action", agreed, ActionInput{Action: ActionClose, Performance: &PerformanceInput{Date: "2026-03-09"}}, want{field: "performance"}},
		{"follow-up of a failure: no agreement to perform", failed, ActionInput{Action: ActionFollowUp, FollowUpID: "f1", Result: "performed"}, want{noRecord: true}},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			e, err := Plan(r.c, r.in, now)
			if r.want.field != "" {
				fe, ok := valid.First(err)
				if !ok || fe.Field != r.want.field {
					t.Fatalf("err %v, want the field %s refused", err, r.want.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p := e.PerformanceRecord
			if r.want.noRecord {
				if p != nil || e.Performance != "" {
					t.Fatalf("record %+v, performance %q; want none", p, e.Performance)
				}
				return
			}
			if p == nil {
				t.Fatal("no performance record")
			}
			got := want{result: p.Result, remaining: p.RemainingAmount, due: p.RemainingDue, date: p.Date, party: p.PartyID}
			if got != r.want || e.Performance != string(r.want.result) {
				t.Errorf("record %+v (current %q), want %+v", got, e.Performance, r.want)
			}
			if r.in.Action == ActionFollowUp && p.FollowUpID != r.in.FollowUpID {
				t.Errorf("follow_up_id %q", p.FollowUpID)
			}
		})
	}
}

// TestUnknownResultListsTheAllowed: the problem names the allowed results, Chinese names first.
func TestUnknownResultListsTheAllowed(t *testing.T) {
	_, err := Plan(Case{Status: StatusSucceeded}, ActionInput{Action: ActionRecordPerformed, Result: "maybe"}, time.Now())
	fe, _ := valid.First(err)
	for _, s := range []string{"履行完毕", "部分履行", "未履行", "performed, partly_performed, not_performed"} {
		if !strings.Contains(fe.Message, s) {
			t.Errorf("message %q lacks %q", fe.Message, s)
		}
	}
}
