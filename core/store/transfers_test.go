package store_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/fengqiao/fengqiao/core/cases"
)

// TestTransferMovesCaseAndFigures: a transfer acts for each district under its own row-level
// security — before acceptance the receiving district reads nothing of the case; after it, the
// case is the receiving district's (parties opened under its tenant) and the proposing
// district's record is read-only; the maintained figures of both equal the figures recomputed
// from their cases (a transferred case counts where it went, once).
func TestTransferMovesCaseAndFigures(t *testing.T) {
	ctx, f := newStatsFixture(t, "310107", "310118")
	rng := rand.New(rand.NewPCG(14, 11))
	c := f.newCase(t, ctx, "310107", rng)
	if _, err := f.cases.ProposeTransfer(ctx, "310107", c.ID, "310118", "当事人迁居"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.CaseDetail(ctx, "310118", c.ID, c.ReceivedAt); !errors.Is(err, cases.ErrNotFound) {
		t.Fatalf("the receiving district reads the case before accepting: %v", err)
	}
	ts, err := f.cases.Transfers(ctx, "310118")
	if err != nil || len(ts) != 1 {
		t.Fatalf("transfers of the receiving district: %v %v", ts, err)
	}
	if _, err := f.cases.DecideTransfer(ctx, "310118", ts[0].ID, true, ""); err != nil {
		t.Fatal(err)
	}
	moved, err := f.cases.Get(ctx, "310118", c.ID, false)
	if err != nil || moved.Status != cases.StatusReceived || len(moved.Parties) != len(c.Parties) || moved.Parties[0].Name != c.Parties[0].Name ||
		moved.Parties[0].Phone != c.Parties[0].Phone {
		t.Fatalf("the moved case: %+v %v", moved, err)
	}
	kept, err := f.cases.Get(ctx, "310107", c.ID, false)
	if err != nil || kept.TransferredTo != "310118" {
		t.Fatalf("the record kept: %+v %v", kept, err)
	}
	if _, err := f.cases.Act(ctx, "310107", c.ID, cases.ActionInput{Action: cases.ActionRecordContact}); !errors.Is(err, cases.ErrTransferred) {
		t.Fatalf("an action on the record kept: %v", err)
	}
	for _, tenant := range []string{"310107", "310118"} {
		if r, err := f.st.RebuildStats(ctx, tenant, true); err != nil || r.Differences != 0 {
			t.Errorf("%s: maintained figures differ from recomputed ones: %+v %v", tenant, r, err)
		}
	}
}
