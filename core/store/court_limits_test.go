package store_test

import (
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
)

// TestCourtLimitExtensionKeepsFigures: a court-entrusted case falls due by its kind's limit, an
// extension moves its due date, and the maintained figures (the overdue counts fall on the day a
// case falls due) stay equal to the ones recomputed from the cases.
func TestCourtLimitExtensionKeepsFigures(t *testing.T) {
	ctx, f := newStatsFixture(t, "310107")
	c, _, err := f.cases.Create(ctx, "310107", cases.NewCase{Title: "法院诉中委托", DisputeType: "contract", Source: "court",
		Referral: &cases.Referral{Agency: "上海市普陀区人民法院", Reference: "(2026)沪0107民初1号", Kind: "in_litigation"},
		Parties:  []cases.NewParty{{Role: "applicant", Kind: "person", Name: "甲某"}}, CreatedBy: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.DueAt.Sub(c.ReceivedAt); got != 30*24*time.Hour {
		t.Fatalf("an in-litigation case's limit: %v", got)
	}
	out, err := f.cases.Act(ctx, "310107", c.ID, cases.ActionInput{Action: cases.ActionExtendTimeLimit, Reason: "委托鉴定"})
	if err != nil || out.DueExtendedAt == nil || out.DueAt.Sub(c.DueAt.AddDate(0, 0, 30)).Abs() > time.Millisecond {
		t.Fatalf("extended: due %v (was %v), %v", out.DueAt, c.DueAt, err)
	}
	if r, err := f.st.RebuildStats(ctx, "310107", true); err != nil || r.Differences != 0 {
		t.Errorf("maintained figures differ from recomputed ones after the extension: %+v %v", r, err)
	}
}
