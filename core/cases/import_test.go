package cases

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/tenant"
)

// stubImportRepo knows one usable district, 310107, with one committee.
type stubImportRepo struct{}

func (stubImportRepo) ImportRules(_ context.Context, code string) (ImportRules, error) {
	if code != "310107" {
		return ImportRules{}, tenant.ErrNotFound
	}
	return ImportRules{Types: []DisputeType{{Code: "rural_land", NameZH: "农村土地"}},
		Committees: []Committee{{ID: "00000000-0000-0000-0000-000000000001", Name: "长寿路街道人民调解委员会"}}}, nil
}

func (stubImportRepo) ExistingNumbers(context.Context, string, []string) ([]string, error) {
	return nil, nil
}

func (stubImportRepo) ImportCases(context.Context, ImportMeta, func() ([]Case, error)) (map[string]int, error) {
	return nil, nil
}

func newTestImporter() *importer {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, chinaTime)
	return &importer{s: &Service{now: func() time.Time { return now }}, repo: stubImportRepo{}, now: now,
		opt: ImportOptions{Scope: "000000"}, rules: map[string]*tenantRules{}, seen: map[uint64]int{}}
}

func TestImportCheckValid(t *testing.T) {
	im := newTestImporter()
	c, errs := im.check(context.Background(), ImportRow{Line: 2, Tenant: "310107", Title: "宅基地纠纷", DisputeType: "rural_land",
		Source: "petition", ReceivedAt: "2025-02-03 09:30", Status: "mediating", Committee: "长寿路街道人民调解委员会", RiskLevel: "orange",
		AmountYuan: "1,200.5", Parties: []ImportParty{{NewParty: NewParty{Name: "张三", Role: "applicant"}, Gender: "男", BirthYear: "1950", Prefix: "applicant_"}}})
	if len(errs) != 0 {
		t.Fatalf("errors: %+v", errs)
	}
	received := time.Date(2025, 2, 3, 9, 30, 0, 0, chinaTime)
	if !c.ReceivedAt.Equal(received) || !c.DueAt.Equal(received.Add(30*24*time.Hour)) || c.AmountFen != 120050 ||
		c.CommitteeID != "00000000-0000-0000-0000-000000000001" || c.Risk.Level != RiskOrange || c.FirstContactDueAt != nil ||
		c.Parties[0].Gender != "male" || c.Parties[0].BirthYear != 1950 || c.Status != StatusMediating {
		t.Errorf("case %+v", c)
	}
}

// FuzzImportCheck: no row, however malformed, makes the checks panic, and every error names a
// field and says what is wrong in both languages, at the row's line.
func FuzzImportCheck(f *testing.F) {
	f.Add("310107", "(2025)沪0107调字第00001号", "标题", "neighbour", "walk_in", "2025-01-02", "", "succeeded", "2025-01-03", "", "performed", "310107015", "12.5", "", "red", "张三", "110105194912310029", "13800138000", "男", "1949")
	f.Add("", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "")
	f.Add("310100", "(", "\x00", "x", "y", "2025-13-40", "0000-00-00", "failed", "-", "fax", "?", "3101070", "NaN", "id", "purple", "", "x", "+86", "?", "99999999999999999999")
	f.Fuzz(func(t *testing.T, tenantCode, number, title, disputeType, source, received, due, status, concluded, channel, performance,
		place, amount, committee, risk, name, idNumber, phone, gender, birthYear string) {
		im := newTestImporter()
		row := ImportRow{Line: 7, Tenant: tenantCode, Number: number, Title: title, DisputeType: disputeType, Source: source,
			ReceivedAt: received, DueAt: due, Status: status, ConcludedAt: concluded, OutcomeChannel: channel, Performance: performance,
			PlaceCode: place, AmountYuan: amount, Committee: committee, RiskLevel: risk,
			Parties: []ImportParty{{NewParty: NewParty{Name: name, Role: "applicant", IDNumber: idNumber, Phone: phone}, Gender: gender, BirthYear: birthYear, Prefix: "applicant_"}}}
		_, errs := im.check(context.Background(), row)
		// The same row with the gender's text as the document type (id_type): any text there is
		// read by the vocabulary and the number by that type's rule.
		row.Parties[0].IDType = gender
		_, more := im.check(context.Background(), row)
		for _, e := range append(errs, more...) {
			if e.Line != 7 || e.Field == "" || !strings.Contains(e.Message, " / ") {
				t.Fatalf("bad error %+v", e)
			}
		}
	})
}
