package cases

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// The lifecycle written out independently of the transitions map: "from action → to".
var wantTransitions = `
received assign → assigned
received guide → guided
received adjust_risk → received
received edit → received
received record_contact → received
received extend_time_limit → received
assigned transfer → assigned
assigned start_mediation → mediating
assigned guide → guided
assigned adjust_risk → assigned
assigned edit → assigned
assigned record_contact → assigned
assigned extend_time_limit → assigned
mediating record_session → mediating
mediating transfer → assigned
mediating succeed → succeeded
mediating fail → failed
mediating adjust_risk → mediating
mediating edit → mediating
mediating record_contact → mediating
mediating extend_time_limit → mediating
succeeded confirm → succeeded
succeeded record_performed → succeeded
succeeded record_recant → succeeded
succeeded follow_up → succeeded
succeeded reopen → mediating
succeeded close → closed
succeeded adjust_risk → succeeded
succeeded correct_confirmation → succeeded
failed follow_up → failed
failed reopen → mediating
failed close → closed
failed adjust_risk → failed
guided follow_up → guided
guided close → closed
guided adjust_risk → guided
closed reopen → mediating
`

var allActions = []Action{ActionAssign, ActionTransfer, ActionStartMediation, ActionRecordSession, ActionSucceed, ActionFail,
	ActionGuide, ActionConfirm, ActionRecordPerformed, ActionRecordRecant, ActionFollowUp, ActionReopen, ActionClose,
	ActionAdjustRisk, ActionEdit, ActionRecordContact, ActionCorrectConfirmation, ActionExtendTimeLimit}

// TestEveryTransition checks every status × action pair: allowed ones lead where the table
// says, every other is refused with the allowed actions.
func TestEveryTransition(t *testing.T) {
	want := map[Status]map[Action]Status{}
	for _, line := range strings.Split(strings.TrimSpace(wantTransitions), "\n") {
		var from, action, arrow, to string
		f := strings.Fields(line)
		from, action, arrow, to = f[0], f[1], f[2], f[3]
		if arrow != "→" {
			t.Fatalf("bad line %q", line)
		}
		if want[Status(from)] == nil {
			want[Status(from)] = map[Action]Status{}
		}
		want[Status(from)][Action(action)] = Status(to)
	}
	n := 0
	for _, from := range Statuses() {
		for _, a := range allActions {
			n++
			to, err := Next(from, a)
			wantTo, ok := want[from][a]
			switch {
			case ok && (err != nil || to != wantTo):
				t.Errorf("%s %s: got %s, %v; want %s", from, a, to, err, wantTo)
			case !ok && err == nil:
				t.Errorf("%s %s: allowed (→ %s), want refused", from, a, to)
			case !ok:
				var te *TransitionError
				if !errors.As(err, &te) || !errors.Is(err, ErrActionNotAllowed) || te.From != from || te.Action != a {
					t.Errorf("%s %s: error %v", from, a, err)
				}
				if len(te.Allowed) != len(want[from]) {
					t.Errorf("%s %s: allowed %v, want %d actions", from, a, te.Allowed, len(want[from]))
				}
				for _, x := range te.Allowed {
					if _, ok := want[from][x]; !ok {
						t.Errorf("%s: %s listed as allowed", from, x)
					}
				}
			}
		}
	}
	if n != len(Statuses())*len(allActions) || n != 126 {
		t.Errorf("checked %d pairs", n)
	}
}

func TestAllowedIsSortedAndConcluded(t *testing.T) {
	for _, s := range Statuses() {
		if a := Allowed(s); !slices.IsSorted(a) || len(a) == 0 {
			t.Errorf("%s: %v", s, a)
		}
	}
	for s, want := range map[Status]bool{StatusReceived: false, StatusAssigned: false, StatusMediating: false,
		StatusSucceeded: true, StatusFailed: true, StatusGuided: true, StatusClosed: true} {
		if Concluded(s) != want {
			t.Errorf("Concluded(%s) = %v", s, !want)
		}
	}
}

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		tenant    string
		year, seq int
		want      string
	}{
		{"310107", 2026, 1, "(2026)沪0107调字第00001号"},
		{"370104", 2026, 12345, "(2026)鲁0104调字第12345号"},
		{"320509", 2027, 7, "(2027)苏0509调字第00007号"},
		{"330421", 2026, 100000, "(2026)浙0421调字第100000号"},
	} {
		if got := Number(c.tenant, c.year, c.seq); got != c.want {
			t.Errorf("Number(%s, %d, %d) = %s, want %s", c.tenant, c.year, c.seq, got, c.want)
		}
	}
}

func TestAssess(t *testing.T) {
	cases := []struct {
		name    string
		in      RiskInput
		level   RiskLevel
		signals []string
	}{
		{"calm", RiskInput{Title: "噪音", Parties: 2}, RiskNone, nil},
		{"wage arrears only", RiskInput{Description: "拖欠工资三个月", Parties: 2}, RiskBlue, []string{"wage_arrears"}},
		// A threat of revenge is a 民转刑 risk, to be reported at once: orange (was yellow before issue 14).
		{"threat", RiskInput{Description: "对方扬言报复", Parties: 2}, RiskOrange, []string{"threat"}},
		{"self-harm", RiskInput{Description: "当事人称要跳楼", Parties: 2}, RiskOrange, []string{"self_harm"}},
		{"self-harm and threat", RiskInput{Description: "要跳楼，还要报复", Parties: 2}, RiskRed, []string{"self_harm", "threat"}},
		{"many parties", RiskInput{Parties: 6}, RiskBlue, []string{"many_parties"}},
		// A collective petition planned by twelve parties: a mass-incident risk (50) and a group
		// dispute (35): red (was orange before issue 14, when the petition weighed 30).
		{"group dispute and petition", RiskInput{Parties: 12, Description: "准备集体上访"}, RiskRed, []string{"group_petition", "group_dispute"}},
		// Issue 14, item 6: negation, phrasings, numbers of people.
		{"negated fight and threat", RiskInput{Description: "双方并未动手，也没有威胁对方。", Parties: 2}, RiskNone, nil},
		{"will not petition", RiskInput{Description: "申请人表示不会上访，同意调解。", Parties: 2}, RiskNone, nil},
		{"threat to petition in Beijing", RiskInput{Description: "王某扬言要去北京上访。", Parties: 2}, RiskOrange, []string{"skip_level_petition"}},
		{"to the city", RiskInput{Description: "协商未果，李某称要到市里上访。", Parties: 2}, RiskOrange, []string{"skip_level_petition"}},
		{"pushing", RiskInput{Description: "双方在楼道发生推搡。", Parties: 2}, RiskOrange, []string{"violence"}},
		{"knife", RiskInput{Description: "男方持刀威胁女方。", Parties: 2}, RiskRed, []string{"threat", "violence"}},
		{"kill threat", RiskInput{Description: "张某扬言要杀了对方全家。", Parties: 2}, RiskRed, []string{"threat"}},
		{"thirty gather", RiskInput{Description: "三十多名业主聚集在售楼处堵门。", Parties: 2}, RiskRed, []string{"group_petition"}},
		{"a dozen gather", RiskInput{Description: "十余名村民在村委会门口聚集。", Parties: 2}, RiskOrange, []string{"group_petition"}},
		{"surgery is no fight", RiskInput{Description: "医生建议动手术，家属犹豫。", Parties: 2}, RiskNone, nil},
		{"hearsay of revenge", RiskInput{Description: "听说对方要找人收拾他。", Parties: 2}, RiskOrange, []string{"threat"}},
		{"amount", RiskInput{Parties: 2, AmountYuan: 150_000}, RiskNone, []string{"amount"}},
		{"large amount and repeat", RiskInput{Parties: 2, AmountYuan: 2_000_000, PriorCases: 1}, RiskYellow, []string{"large_amount", "repeat_dispute"}},
		{"repeat, failed before, petition source", RiskInput{Parties: 2, PriorCases: 2, PriorFailed: 1, Source: SourcePetition}, RiskOrange, []string{"repeat_dispute", "failed_before", "petition"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Assess(c.in)
			var codes []string
			sum := 0
			for _, s := range a.Signals {
				codes = append(codes, s.Code)
				sum += s.Weight
				if s.Label == "" || s.Weight <= 0 {
					t.Errorf("signal without label or weight: %+v", s)
				}
			}
			if a.Level != c.level || !slices.Equal(codes, c.signals) || sum != a.Score {
				t.Errorf("got %s %v (score %d, sum %d), want %s %v", a.Level, codes, a.Score, sum, c.level, c.signals)
			}
			// A signal read in the text names its words and its clause.
			for _, s := range a.Signals {
				if textCode(s.Code) && (len(s.Words) == 0 || s.Clause == "" || !strings.Contains(c.in.Title+c.in.Description, s.Words[len(s.Words)-1])) {
					t.Errorf("signal %s without its words or clause: %+v", s.Code, s)
				}
			}
		})
	}
}

func TestAddWorkingDays(t *testing.T) {
	bj := time.FixedZone("CST", 8*3600)
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-11-23 10:00", 1, "2026-11-24 10:00"}, // Monday → Tuesday
		{"2026-11-27 10:00", 1, "2026-11-30 10:00"}, // Friday → Monday
		{"2026-11-28 10:00", 1, "2026-11-30 10:00"}, // Saturday → Monday
		{"2026-11-23 10:00", 5, "2026-11-30 10:00"},
		{"2026-11-23 10:00", 0, "2026-11-23 10:00"},
	} {
		from, _ := time.ParseInLocation("2006-01-02 15:04", c.from, bj)
		want, _ := time.ParseInLocation("2006-01-02 15:04", c.want, bj)
		if got := AddWorkingDays(from, c.n); !got.Equal(want) {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}

func textCode(code string) bool {
	return slices.Contains([]string{"self_harm", "threat", "skip_level_petition", "petition_threat", "group_petition", "violence", "many_people", "wage_arrears", "demolition"}, code)
}
