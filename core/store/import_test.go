package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/google/uuid"
)

func importedCase(tenantCode, number string, received time.Time) cases.Case {
	return cases.Case{ID: uuid.NewString(), TenantCode: tenantCode, Number: number, Title: "历史案件", DisputeType: "neighbour",
		Source: cases.SourceWalkIn, Status: cases.StatusReceived, Risk: cases.Assessment{Level: cases.RiskNone, Signals: []cases.Signal{}},
		ReceivedAt: received, DueAt: received.Add(30 * 24 * time.Hour), CreatedBy: "system:test",
		Parties: []cases.Party{{ID: uuid.NewString(), Role: cases.RoleApplicant, Kind: cases.KindPerson, Name: "张三"}}}
}

// batches returns a next function handing out the batches in turn.
func batches(bs ...[]cases.Case) func() ([]cases.Case, error) {
	return func() ([]cases.Case, error) {
		if len(bs) == 0 {
			return nil, nil
		}
		b := bs[0]
		bs = bs[1:]
		return b, nil
	}
}

// TestImportCases: batches of several tenants land in one transaction, each tenant's rows under
// its own row-level security, numbered from blocks of the (tenant, year) counters; any failure
// leaves nothing behind, counters included.
func TestImportCases(t *testing.T) {
	s := seedTwoDistricts(t)
	ctx := testCtx(t)
	owner := ownerConn(t, s.owner)
	y2023 := time.Date(2023, 5, 1, 10, 0, 0, 0, time.UTC)
	// 2023-12-31 20:00 UTC is 2024-01-01 in Beijing: a case of 2024.
	newYear := time.Date(2023, 12, 31, 20, 0, 0, 0, time.UTC)
	first := []cases.Case{importedCase("310107", "", y2023), importedCase("370104", "", y2023), importedCase("310107", "旧-1", y2023)}
	second := []cases.Case{importedCase("310107", "", y2023), importedCase("310107", "", newYear)}
	counts, err := s.st.ImportCases(ctx, cases.ImportMeta{File: "a.csv"}, batches(first, second))
	if err != nil || counts["310107"] != 4 || counts["370104"] != 1 {
		t.Fatalf("import: %v %v", err, counts)
	}
	for _, c := range []struct {
		tenant, number string
		seq            int
	}{
		{"310107", "(2023)沪0107调字第00001号", 1}, {"310107", "旧-1", 2}, {"310107", "(2023)沪0107调字第00003号", 3},
		{"310107", "(2024)沪0107调字第00001号", 1}, {"370104", "(2023)鲁0104调字第00001号", 1},
	} {
		if n := count(t, owner, "SELECT count(*) FROM cases WHERE tenant_id = $1 AND number = $2 AND seq = $3", c.tenant, c.number, c.seq); n != 1 {
			t.Errorf("%s %s (seq %d) not found", c.tenant, c.number, c.seq)
		}
	}
	if n := count(t, owner, "SELECT count(*) FROM case_parties"); n != 5 {
		t.Errorf("%d parties, want 5", n)
	}
	if n := count(t, owner, "SELECT count(*) FROM case_events WHERE action = 'import' AND after->>'file' = 'a.csv'"); n != 5 {
		t.Errorf("%d import events, want 5", n)
	}
	if n := count(t, owner, "SELECT count(*) FROM audit_events WHERE action = 'case.import' AND (after->>'imported')::int IN (4, 1)"); n != 2 {
		t.Errorf("%d audit entries, want one per tenant", n)
	}
	counters := func() int64 { return count(t, owner, "SELECT coalesce(sum(last_seq), 0) FROM case_counters") }
	before := counters()

	// A legacy number already used (say, by an intake since validation): the whole import fails.
	_, err = s.st.ImportCases(ctx, cases.ImportMeta{}, batches([]cases.Case{importedCase("310107", "", y2023)}, []cases.Case{importedCase("310107", "旧-1", y2023)}))
	if !errors.Is(err, cases.ErrNumberTaken) {
		t.Fatalf("duplicate legacy number: %v", err)
	}
	// A tenant suspended since validation: the whole import fails.
	if _, err := owner.Exec(ctx, "UPDATE tenants SET status = 'suspended' WHERE code = '370104'"); err != nil {
		t.Fatal(err)
	}
	_, err = s.st.ImportCases(ctx, cases.ImportMeta{}, batches([]cases.Case{importedCase("310107", "", y2023), importedCase("370104", "", y2023)}))
	if !errors.Is(err, tenant.ErrSuspended) {
		t.Fatalf("suspended tenant: %v", err)
	}
	// A tenant that is not onboarded.
	_, err = s.st.ImportCases(ctx, cases.ImportMeta{}, batches([]cases.Case{importedCase("110101", "", y2023)}))
	if !errors.Is(err, tenant.ErrNotFound) {
		t.Fatalf("tenant not onboarded: %v", err)
	}
	// The source of batches failing.
	boom := errors.New("disk on fire")
	_, err = s.st.ImportCases(ctx, cases.ImportMeta{}, func() ([]cases.Case, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("failing source: %v", err)
	}
	if n := count(t, owner, "SELECT count(*) FROM cases"); n != 5 || counters() != before {
		t.Errorf("failed imports left %d cases (want 5) and counters at %d (want %d)", n, counters(), before)
	}
	// Nothing lingers: the staging tables went with their transactions.
	if n := count(t, owner, "SELECT count(*) FROM pg_class WHERE relname IN ('import_cases', 'import_parties')"); n != 0 {
		t.Errorf("%d staging tables left", n)
	}
	// ExistingNumbers sees only its tenant's numbers.
	got, err := s.st.ExistingNumbers(ctx, "310107", []string{"旧-1", "(2023)鲁0104调字第00001号"})
	if err != nil || len(got) != 1 || got[0] != "旧-1" {
		t.Errorf("ExistingNumbers: %v %v", got, err)
	}
}
