package cases

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestTransferRules: a case moves between districts of one city only, with a reason, and only
// while open, not jointly mediated and not transferred already.
func TestTransferRules(t *testing.T) {
	for _, tc := range []struct {
		name, from, to, reason string
		field, says            string
	}{
		{name: "two districts of Shanghai", from: "310107", to: "310118", reason: "当事人迁居"},
		{name: "two districts of Jinan", from: "370104", to: "370102", reason: "当事人迁居"},
		{name: "another city, named", from: "310107", to: "370104", reason: "当事人迁居", field: "to_tenant", says: "普陀区与槐荫区不属于同一城市"},
		{name: "the same district", from: "310107", to: "310107", reason: "x", field: "to_tenant"},
		{name: "a city", from: "310107", to: "310100", reason: "x", field: "to_tenant"},
		{name: "not a code", from: "310107", to: "putuo", reason: "x", field: "to_tenant"},
		{name: "no reason", from: "310107", to: "310118", reason: "  ", field: "reason"},
		{name: "a reason too long", from: "310107", to: "310118", reason: strings.Repeat("因", 501), field: "reason"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckTransfer(tc.from, tc.to, tc.reason)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) || v.Errors[0].Field != tc.field || !strings.Contains(v.Errors[0].Message, tc.says) {
				t.Fatalf("err %v, want %s saying %q", err, tc.field, tc.says)
			}
		})
	}
	for _, tc := range []struct {
		name string
		c    Case
		err  error
	}{
		{"received", Case{Status: StatusReceived}, nil},
		{"mediating", Case{Status: StatusMediating}, nil},
		{"succeeded", Case{Status: StatusSucceeded}, ErrTransferNotOpen},
		{"closed", Case{Status: StatusClosed}, ErrTransferNotOpen},
		{"jointly mediated", Case{Status: StatusMediating, Joint: &Joint{ID: "j"}}, ErrTransferNotOpen},
		{"transferred already", Case{Status: StatusAssigned, TransferredTo: "310118"}, ErrTransferred},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := CanTransfer(tc.c); !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
		})
	}
	// A transferred case is a read-only record: every action is refused.
	if _, err := Plan(Case{Status: StatusMediating, TransferredTo: "310118"}, ActionInput{Action: ActionRecordContact}, time.Now()); !errors.Is(err, ErrTransferred) {
		t.Errorf("an action on a transferred case: %v", err)
	}
	r := Case{ID: "c", TenantCode: "310107", Number: "n", Status: StatusMediating, CommitteeID: "k", FollowUps: []FollowUp{{}}}.Received("310118")
	if r.TenantCode != "310118" || r.Status != StatusReceived || r.CommitteeID != "" || r.Number != "" || r.ID != "c" || r.FollowUps != nil {
		t.Errorf("the received copy: %+v", r)
	}
}

func TestAvailable(t *testing.T) {
	written := &Agreement{Form: "written", Terms: []Term{{Text: "赔偿"}}}
	for _, tc := range []struct {
		name string
		c    Case
		want []Action
	}{
		{"received", Case{Status: StatusReceived}, []Action{ActionAdjustRisk, ActionAssign, ActionEdit, ActionGuide, ActionRecordContact}},
		{"court-entrusted received", Case{Status: StatusReceived, Source: SourceCourt, Referral: &Referral{Kind: "pre_filing"}},
			[]Action{ActionAdjustRisk, ActionAssign, ActionEdit, ActionExtendTimeLimit, ActionGuide, ActionRecordContact}},
		{"oral agreement", Case{Status: StatusSucceeded, Agreement: &Agreement{Form: "oral"}},
			[]Action{ActionAdjustRisk, ActionClose, ActionFollowUp, ActionRecordPerformed, ActionRecordRecant, ActionReopen}},
		{"written agreement", Case{Status: StatusSucceeded, Agreement: written},
			[]Action{ActionAdjustRisk, ActionClose, ActionConfirm, ActionFollowUp, ActionRecordPerformed, ActionRecordRecant, ActionReopen}},
		{"confirmed", Case{Status: StatusSucceeded, Agreement: written, Confirmation: &Confirmation{CourtID: "x"}},
			[]Action{ActionAdjustRisk, ActionClose, ActionCorrectConfirmation, ActionFollowUp, ActionRecordPerformed, ActionRecordRecant, ActionReopen}},
		{"closed", Case{Status: StatusClosed}, []Action{ActionReopen}},
		{"transferred", Case{Status: StatusMediating, TransferredTo: "310118"}, nil},
	} {
		if got := Available(tc.c); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
