package warnings

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/orgs"
)

func caseAt(level cases.RiskLevel) *cases.Case {
	return &cases.Case{Risk: cases.Assessment{Level: level}}
}

func TestRaises(t *testing.T) {
	rows := []struct {
		before *cases.Case
		after  cases.RiskLevel
		want   bool
	}{
		{nil, cases.RiskNone, false},
		{nil, cases.RiskYellow, false},
		{nil, cases.RiskOrange, true},
		{nil, cases.RiskRed, true},
		{caseAt(cases.RiskNone), cases.RiskOrange, true},
		{caseAt(cases.RiskYellow), cases.RiskOrange, true},
		{caseAt(cases.RiskOrange), cases.RiskRed, true},
		{caseAt(cases.RiskOrange), cases.RiskOrange, false},
		{caseAt(cases.RiskRed), cases.RiskRed, false},
		{caseAt(cases.RiskRed), cases.RiskOrange, false},
		{caseAt(cases.RiskRed), cases.RiskNone, false},
		{caseAt(cases.RiskBlue), cases.RiskYellow, false},
		{caseAt("unknown"), cases.RiskOrange, true},
	}
	for _, r := range rows {
		before := "intake"
		if r.before != nil {
			before = string(r.before.Risk.Level)
		}
		if got := Raises(r.before, caseAt(r.after)); got != r.want {
			t.Errorf("%s → %s raises %v, want %v", before, r.after, got, r.want)
		}
	}
	if Raises(nil, nil) {
		t.Error("no case raises a warning")
	}
}

func TestStateAndDeadline(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	s := DefaultSettings("310107")
	if s.AckWindow(cases.RiskRed) != 2*time.Hour || s.AckWindow(cases.RiskOrange) != 24*time.Hour {
		t.Errorf("default windows: %v %v", s.AckWindow(cases.RiskRed), s.AckWindow(cases.RiskOrange))
	}
	w := Warning{DeadlineAt: now.Add(time.Hour)}
	rows := []struct {
		name    string
		w       Warning
		at      time.Time
		state   State
		overdue bool
	}{
		{"open", w, now, StateOpen, false},
		{"open past its deadline", w, now.Add(2 * time.Hour), StateOpen, true},
		{"acknowledged", Warning{DeadlineAt: w.DeadlineAt, AcknowledgedAt: &now}, now.Add(2 * time.Hour), StateAcknowledged, false},
		{"escalated", Warning{DeadlineAt: w.DeadlineAt, EscalatedAt: &now}, now.Add(2 * time.Hour), StateEscalated, false},
		{"acknowledged late", Warning{DeadlineAt: w.DeadlineAt, EscalatedAt: &now, AcknowledgedAt: &now}, now, StateAcknowledged, false},
	}
	for _, r := range rows {
		if r.w.State() != r.state || r.w.Overdue(r.at) != r.overdue {
			t.Errorf("%s: state %s overdue %v, want %s %v", r.name, r.w.State(), r.w.Overdue(r.at), r.state, r.overdue)
		}
	}
}

func TestRecipients(t *testing.T) {
	rows := []struct {
		police, gov string
		want        []Recipient
	}{
		{"", "", []Recipient{"tenant:310107"}},
		{"p", "", []Recipient{"org:p"}},
		{"", "g", []Recipient{"org:g"}},
		{"p", "g", []Recipient{"org:p", "org:g"}},
	}
	for _, r := range rows {
		s := DefaultSettings("310107")
		s.PoliceOrgID, s.GovernmentOrgID = r.police, r.gov
		got := s.Recipients()
		if strings.Join(toStrings(got), ",") != strings.Join(toStrings(r.want), ",") {
			t.Errorf("police %q gov %q: recipients %v, want %v", r.police, r.gov, got, r.want)
		}
	}
	if Recipient("org:abc").OrgID() != "abc" || Recipient("tenant:310107").OrgID() != "" {
		t.Error("OrgID")
	}
	for _, r := range []struct {
		name   string
		reader Reader
		want   string
	}{
		{"staff user", Reader{TenantCode: "370104", UserID: "u", Staff: true}, "tenant:370104,user:u"},
		{"staff token", Reader{TenantCode: "370104", Staff: true}, "tenant:370104"},
		{"agency user", Reader{TenantCode: "370104", UserID: "u", OrgID: "o"}, "org:o,user:u"},
		{"agency token", Reader{TenantCode: "370104", OrgID: "o"}, "org:o"},
		{"user of no organisation, not staff", Reader{TenantCode: "370104", UserID: "u"}, "user:u"},
		{"token of no organisation, not staff", Reader{TenantCode: "370104"}, ""},
	} {
		if got := strings.Join(r.reader.Recipients(), ","); got != r.want {
			t.Errorf("%s: recipients %q, want %q", r.name, got, r.want)
		}
	}
}

func toStrings(rs []Recipient) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

func TestCheckSettings(t *testing.T) {
	known := map[string]*orgs.Organisation{
		"police":   {Kind: orgs.KindPoliceStation, Status: orgs.StatusActive},
		"closed":   {Kind: orgs.KindPoliceStation, Status: orgs.StatusInactive},
		"petition": {Kind: orgs.KindPetitionOffice, Status: orgs.StatusActive},
		"dept":     {Kind: orgs.KindDepartment, Status: orgs.StatusActive},
		"court":    {Kind: orgs.KindCourt, Status: orgs.StatusActive},
	}
	lookup := func(id string) (*orgs.Organisation, error) { return known[id], nil }
	rows := []struct {
		name  string
		in    Settings
		field string // "" valid
	}{
		{"defaults", Settings{OrangeAckHours: 24, RedAckHours: 2}, ""},
		{"police and petition office", Settings{PoliceOrgID: "police", GovernmentOrgID: "petition", OrangeAckHours: 24, RedAckHours: 2}, ""},
		{"department", Settings{GovernmentOrgID: "dept", OrangeAckHours: 24, RedAckHours: 2}, ""},
		{"police is a court", Settings{PoliceOrgID: "court", OrangeAckHours: 24, RedAckHours: 2}, "police_org_id"},
		{"police inactive", Settings{PoliceOrgID: "closed", OrangeAckHours: 24, RedAckHours: 2}, "police_org_id"},
		{"police unknown", Settings{PoliceOrgID: "nobody", OrangeAckHours: 24, RedAckHours: 2}, "police_org_id"},
		{"government is police", Settings{GovernmentOrgID: "police", OrangeAckHours: 24, RedAckHours: 2}, "government_org_id"},
		{"orange too long", Settings{OrangeAckHours: 721, RedAckHours: 2}, "orange_ack_hours"},
		{"orange zero", Settings{OrangeAckHours: 0, RedAckHours: 2}, "orange_ack_hours"},
		{"red zero", Settings{OrangeAckHours: 24, RedAckHours: 0}, "red_ack_hours"},
		{"red negative", Settings{OrangeAckHours: 24, RedAckHours: -1}, "red_ack_hours"},
		{"red absurd", Settings{OrangeAckHours: 24, RedAckHours: 1 << 40}, "red_ack_hours"},
		{"red slower than orange", Settings{OrangeAckHours: 4, RedAckHours: 5}, "red_ack_hours"},
		{"red as fast as orange", Settings{OrangeAckHours: 4, RedAckHours: 4}, ""},
	}
	for _, r := range rows {
		err := CheckSettings(r.in, lookup)
		var ve *ValidationError
		switch {
		case r.field == "" && err != nil:
			t.Errorf("%s: %v", r.name, err)
		case r.field != "" && (!errors.As(err, &ve) || ve.Errors[0].Field != r.field || !strings.Contains(ve.Errors[0].Message, " / ")):
			t.Errorf("%s: %v, want a bilingual error on %s", r.name, err, r.field)
		case r.field != "" && !errors.Is(err, ErrInvalid):
			t.Errorf("%s: does not wrap ErrInvalid", r.name)
		}
	}
	if d := DefaultSettings("310107"); d.OrangeAckHours != 24 || d.RedAckHours != 2 {
		t.Errorf("defaults: %+v", d)
	}
}

func TestMessagesCarryNoCaseText(t *testing.T) {
	w := Warning{ID: "w", TenantCode: "370104", CaseID: "c", CaseNumber: "(2026)鲁0104调字第00001号", Level: cases.RiskRed, Score: 90,
		Signals: []cases.Signal{{Code: "threat", Label: "扬言报复、威胁 / threats", Weight: 40, Detail: "“同归于尽”"},
			{Code: "manual", Label: "人工调整 / adjusted by staff", Detail: "张三情绪激动"}},
		RaisedAt: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), DeadlineAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	for name, text := range map[string]func(Warning) (string, string){"raised": RaisedMessage, "escalated": EscalatedMessage} {
		title, body := text(w)
		all := title + body
		for _, want := range []string{w.CaseNumber, "扬言报复、威胁 / threats", "人工调整 / adjusted by staff", "2026-03-01 18:00", " / "} {
			if !strings.Contains(all, want) {
				t.Errorf("%s message lacks %q: %s", name, want, all)
			}
		}
		for _, never := range []string{"同归于尽", "张三"} {
			if strings.Contains(all, never) {
				t.Errorf("%s message carries %q: %s", name, never, all)
			}
		}
	}
	p := RaisedPayload(w)
	if p.Event != KindWarningRaised || p.Case.Number != w.CaseNumber || len(p.Warning.Signals) != 2 || p.Warning.Signals[0] != "扬言报复、威胁 / threats" {
		t.Errorf("payload: %+v", p)
	}
}

func TestNewSecret(t *testing.T) {
	secret, err := NewSecret()
	if err != nil || !strings.HasPrefix(string(secret), "whsec_") || len(secret) < 40 {
		t.Fatalf("secret %q: %v", secret, err)
	}
	other, _ := NewSecret()
	if string(other) == string(secret) {
		t.Fatal("two secrets are equal")
	}
}

func TestNotices(t *testing.T) {
	for _, r := range []struct {
		name string
		in   Settings
		want []string
	}{
		{"neither", Settings{}, []string{NoticeNoPolice, NoticeNoGovernment}},
		{"police only", Settings{PoliceOrgID: "p"}, []string{NoticeNoGovernment}},
		{"government only", Settings{GovernmentOrgID: "g"}, []string{NoticeNoPolice}},
		{"both", Settings{PoliceOrgID: "p", GovernmentOrgID: "g"}, nil},
	} {
		var got []string
		for _, n := range r.in.Notices() {
			got = append(got, n.Code)
			zh, _, ok := strings.Cut(n.Message, " / ")
			if !ok || strings.ContainsFunc(zh, func(r rune) bool { return r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }) {
				t.Errorf("%s: %q is not Chinese first, without codes", r.name, n.Message)
			}
		}
		if !slices.Equal(got, r.want) {
			t.Errorf("%s: %v, want %v", r.name, got, r.want)
		}
	}
}
