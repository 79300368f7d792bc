package cases

import (
	"slices"
	"testing"
)

func TestAfterEvents(t *testing.T) {
	at := func(s Status, committee string) *Case { return &Case{Status: s, CommitteeID: committee} }
	tests := []struct {
		name          string
		before, after *Case
		want          []string
	}{
		{"intake", nil, at(StatusReceived, ""), []string{EventReceived}},
		{"assigned", at(StatusReceived, ""), at(StatusAssigned, "c1"), []string{EventAssigned, EventUpdated}},
		{"transferred", at(StatusMediating, "c1"), at(StatusAssigned, "c2"), []string{EventAssigned, EventUpdated}},
		{"unassigned is no assignment", at(StatusAssigned, "c1"), at(StatusAssigned, ""), []string{EventUpdated}},
		{"succeeded", at(StatusMediating, "c1"), at(StatusSucceeded, "c1"), []string{EventConcluded, EventUpdated}},
		{"guided", at(StatusReceived, ""), at(StatusGuided, ""), []string{EventConcluded, EventUpdated}},
		{"closed after an outcome", at(StatusSucceeded, "c1"), at(StatusClosed, "c1"), []string{EventClosed, EventUpdated}},
		{"reopened", at(StatusFailed, "c1"), at(StatusMediating, "c1"), []string{EventReopened, EventUpdated}},
		{"edited", at(StatusMediating, "c1"), at(StatusMediating, "c1"), []string{EventUpdated}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AfterEvents(tt.before, tt.after); !slices.Equal(got, tt.want) {
				t.Errorf("AfterEvents = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReportsOutcome(t *testing.T) {
	referred := func(s Status) *Case { return &Case{Status: s, Referral: &Referral{AgencyID: "a1"}} }
	tests := []struct {
		name          string
		before, after *Case
		want          bool
	}{
		{"intake", nil, referred(StatusReceived), false},
		{"succeeded", referred(StatusMediating), referred(StatusSucceeded), true},
		{"failed", referred(StatusMediating), referred(StatusFailed), true},
		{"guided", referred(StatusReceived), referred(StatusGuided), true},
		{"closed is no outcome", referred(StatusSucceeded), referred(StatusClosed), false},
		{"already concluded", referred(StatusFailed), referred(StatusSucceeded), false},
		{"not referred", &Case{Status: StatusMediating}, &Case{Status: StatusSucceeded}, false},
		{"no agency", &Case{Status: StatusMediating, Referral: &Referral{}}, &Case{Status: StatusSucceeded, Referral: &Referral{}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReportsOutcome(tt.before, tt.after); got != tt.want {
				t.Errorf("ReportsOutcome = %v, want %v", got, tt.want)
			}
		})
	}
}
