package caseimport_test

// Imports end to end against a real PostgreSQL: file → validation → sealing → store.

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/caseimport"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/fengqiao/fengqiao/core/tenant"
)

type env struct {
	t         testing.TB
	ctx       context.Context
	store     *store.Store
	owner     string
	cases     *cases.Service
	committee orgs.Organisation
}

func newEnv(t testing.TB) *env {
	t.Helper()
	st, owner := storetest.Open(t)
	ctx := audit.WithActor(context.Background(), audit.Actor{Subject: "system:test"})
	plan, err := tenant.PlanOnboarding("000000", []string{"310107", "310118", "370104"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tenant.NewService(st, []string{"default"}, nil).Execute(ctx, "000000", plan); err != nil {
		t.Fatal(err)
	}
	com, err := orgs.NewService(st).CreateOrganisation(ctx, "310107", orgs.NewOrganisation{Kind: "street_committee", Name: "长寿路街道人民调解委员会", StreetCode: "310107015"})
	if err != nil {
		t.Fatal(err)
	}
	ring, err := pii.NewKeyring(map[string][]byte{"k1": bytes.Repeat([]byte{7}, 32)}, "k1")
	if err != nil {
		t.Fatal(err)
	}
	idx, err := pii.NewIndexer(bytes.Repeat([]byte{8}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, store: st, owner: owner, cases: cases.NewService(st, pii.NewProtector(ring, idx)), committee: com}
}

func idNumber(t testing.TB, district, birth string, seq int) string {
	first := fmt.Sprintf("%s%s%03d", district, birth, seq)
	d, ok := pii.IDCheckDigit(first)
	if !ok {
		t.Fatalf("bad ID base %q", first)
	}
	return first + string(d)
}

var header = []string{"tenant", "number", "title", "description", "dispute_type", "source", "received_at", "due_at", "status",
	"concluded_at", "outcome_channel", "performance", "place_code", "amount_yuan", "committee", "risk_level",
	"applicant_name", "applicant_id_number", "applicant_phone", "applicant_gender", "applicant_birth_year", "applicant_occupation",
	"respondent_name", "respondent_phone", "parties"}

// validRow is a concluded historical case of Putuo.
func validRow(t testing.TB, i int) map[string]string {
	return map[string]string{
		"tenant": "310107", "title": fmt.Sprintf("历史案件 %d：楼上漏水", i), "description": "楼上漏水导致楼下天花板受损。",
		"dispute_type": "neighbour", "source": "walk_in", "received_at": "2024-03-15", "status": "succeeded",
		"concluded_at": "2024-04-01", "performance": "performed", "place_code": "310107015", "amount_yuan": "3500.50",
		"applicant_name": "张三", "applicant_id_number": idNumber(t, "310107", "19800101", i%1000), "applicant_phone": "13800138000",
		"applicant_occupation": "教师", "respondent_name": "李四", "respondent_phone": "13900139000",
	}
}

func csvOf(t testing.TB, rows ...map[string]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(header)
	for _, r := range rows {
		rec := make([]string, len(header))
		for i, h := range header {
			rec[i] = r[h]
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return b.Bytes()
}

func with(r map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range r {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func (e *env) importCSV(data []byte, opt cases.ImportOptions) (cases.ImportReport, error) {
	if opt.Scope == "" {
		opt.Scope = "000000"
	}
	return e.cases.Import(e.ctx, caseimport.BytesSource{Data: data, Format: caseimport.CSV}, opt)
}

// count runs a query as the owner (no row-level security) and returns the number.
func (e *env) count(sql string, args ...any) int {
	e.t.Helper()
	return int(storetest.QueryInt(e.t, e.owner, sql, args...))
}

// TestImportErrorsByLineAndField: each bad row is reported at its line with the field at fault,
// and nothing at all is imported.
func TestImportErrorsByLineAndField(t *testing.T) {
	e := newEnv(t)
	v := func() map[string]string { return validRow(t, 1) }
	bad := []struct {
		name  string
		row   map[string]string
		field string
	}{
		{"no title", with(v(), "title", ""), "title"},
		{"unknown dispute type", with(v(), "dispute_type", "alien_abduction"), "dispute_type"},
		{"unknown source", with(v(), "source", "pigeon"), "source"},
		{"bad received_at", with(v(), "received_at", "15/03/2024"), "received_at"},
		{"received in the future", with(v(), "received_at", "2999-01-01"), "received_at"},
		{"unknown status", with(v(), "status", "lost"), "status"},
		{"concluded without date", with(v(), "concluded_at", ""), "concluded_at"},
		{"concluded before received", with(v(), "concluded_at", "2024-01-01"), "concluded_at"},
		{"open case with concluded_at", with(v(), "status", "received", "performance", ""), "concluded_at"},
		{"failed without channel", with(v(), "status", "failed", "performance", ""), "outcome_channel"},
		{"bad performance", with(v(), "performance", "maybe"), "performance"},
		{"place outside tenant", with(v(), "place_code", "370104001"), "place_code"},
		{"negative amount", with(v(), "amount_yuan", "-5"), "amount_yuan"},
		{"amount not a number", with(v(), "amount_yuan", "三千"), "amount_yuan"},
		{"unknown committee", with(v(), "committee", "不存在的调委会"), "committee"},
		{"bad risk level", with(v(), "risk_level", "purple"), "risk_level"},
		{"bad applicant ID", with(v(), "applicant_id_number", "310107198001010001"), "applicant_id_number"},
		{"bad respondent phone", with(v(), "respondent_phone", "12345"), "respondent_phone"},
		{"gender against ID", with(v(), "applicant_gender", "女"), "applicant_gender"},
		{"no parties", with(v(), "applicant_name", "", "applicant_id_number", "", "applicant_phone", "", "applicant_occupation", "", "respondent_name", "", "respondent_phone", ""), "parties"},
		{"bad parties JSON", with(v(), "parties", "[{"), "parties"},
		{"parties JSON bad role", with(v(), "parties", `[{"name":"王五","role":"judge"}]`), "parties[0].role"},
		{"tenant not onboarded", with(v(), "tenant", "110101"), "tenant"},
		{"tenant malformed", with(v(), "tenant", "31010"), "tenant"},
		{"tenant a city", with(v(), "tenant", "310100", "place_code", ""), "tenant"},
		{"legacy number used twice", with(v(), "number", "(2024)沪0107民调字第1号"), "number"},
		{"legacy number in the platform's form", with(v(), "number", "(2019)沪0107调字第00007号"), "number"},
	}
	rows := []map[string]string{v(), with(v(), "number", "(2024)沪0107民调字第1号")}
	for _, b := range bad {
		rows = append(rows, b.row)
	}
	rep, err := e.importCSV(csvOf(t, rows...), cases.ImportOptions{File: "bad.csv", Actor: "system:test"})
	if !errors.Is(err, cases.ErrImportInvalid) {
		t.Fatalf("import of bad rows: %v", err)
	}
	if rep.Imported != 0 || rep.Validated != len(rows) || rep.Rejected != len(bad) {
		t.Errorf("report: validated %d imported %d rejected %d; want %d, 0, %d", rep.Validated, rep.Imported, rep.Rejected, len(rows), len(bad))
	}
	byLine := map[int][]cases.RowError{}
	for _, re := range rep.Errors {
		byLine[re.Line] = append(byLine[re.Line], re)
		if !strings.Contains(re.Message, " / ") {
			t.Errorf("line %d %s: message %q is not 中文 / English", re.Line, re.Field, re.Message)
		}
	}
	for i, b := range bad {
		line := i + 4 // header, two valid rows
		found := false
		for _, re := range byLine[line] {
			found = found || re.Field == b.field
		}
		if !found {
			t.Errorf("%s (line %d): no error on %s; got %+v", b.name, line, b.field, byLine[line])
		}
	}
	if len(byLine[2])+len(byLine[3]) != 0 {
		t.Errorf("valid rows reported: %+v %+v", byLine[2], byLine[3])
	}
	if n := e.count("SELECT count(*) FROM cases"); n != 0 {
		t.Errorf("%d cases stored after a refused import", n)
	}
	if n := e.count("SELECT count(*) FROM case_counters"); n != 0 {
		t.Errorf("counters touched by a refused import: %d rows", n)
	}
}

// TestImportAtomic: a single bad row among many refuses the whole file; fixed, the file imports
// with numbers continuing those of earlier intakes, readable like any case.
func TestImportAtomic(t *testing.T) {
	e := newEnv(t)
	created, _, err := e.cases.Create(e.ctx, "310107", cases.NewCase{Title: "现场受理", DisputeType: "neighbour", Source: "walk_in",
		Parties: []cases.NewParty{{Name: "赵六", Role: "applicant"}}, CreatedBy: "system:test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for i := range 12 {
		r := validRow(t, i)
		r["received_at"] = created.ReceivedAt.In(cstZone).Format("2006-01-02")
		r["concluded_at"] = ""
		r["status"], r["performance"] = "received", ""
		rows = append(rows, r)
	}
	rows[7]["source"] = "carrier_pigeon"
	rep, err := e.importCSV(csvOf(t, rows...), cases.ImportOptions{BatchSize: 5})
	if !errors.Is(err, cases.ErrImportInvalid) || rep.Rejected != 1 || len(rep.Errors) != 1 || rep.Errors[0].Line != 9 {
		t.Fatalf("one bad row: %v %+v", err, rep)
	}
	if n := e.count("SELECT count(*) FROM cases"); n != 1 {
		t.Fatalf("%d cases after a refused import, want the 1 created", n)
	}
	if n := e.count("SELECT last_seq FROM case_counters WHERE tenant_id = '310107'"); n != 1 {
		t.Fatalf("counter at %d after a refused import, want 1", n)
	}
	rows[7]["source"] = "hotline"
	rep, err = e.importCSV(csvOf(t, rows...), cases.ImportOptions{BatchSize: 5, File: "fixed.csv"})
	if err != nil || rep.Imported != 12 || rep.PerTenant["310107"].Imported != 12 {
		t.Fatalf("fixed file: %v %+v", err, rep)
	}
	list, err := e.cases.List(e.ctx, "310107", cases.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 13 {
		t.Fatalf("%d cases listed, want 13", len(list))
	}
	numbers := map[string]bool{}
	for _, c := range list {
		numbers[c.Number] = true
	}
	year := created.ReceivedAt.In(cstZone).Year()
	for seq := 1; seq <= 13; seq++ {
		if n := cases.Number("310107", year, seq); !numbers[n] {
			t.Errorf("number %s missing; have %v", n, numbers)
		}
	}
	if n := e.count("SELECT count(*) FROM audit_events WHERE tenant_id = '310107' AND action = 'case.import' AND after->>'file' = 'fixed.csv' AND (after->>'imported')::int = 12"); n != 1 {
		t.Errorf("%d audit entries for the import, want 1", n)
	}
}

var cstZone = time.FixedZone("CST", 8*3600)

// TestImportSkipInvalid: valid rows are imported, rejected ones written with their errors.
func TestImportSkipInvalid(t *testing.T) {
	e := newEnv(t)
	rows := []map[string]string{validRow(t, 1), with(validRow(t, 2), "title", ""), validRow(t, 3), with(validRow(t, 4), "tenant", "370104", "place_code", "")}
	rows[2]["number"] = "旧系统-0003"
	rows[2]["committee"] = e.committee.Name
	rows[2]["status"], rows[2]["performance"], rows[2]["concluded_at"] = "mediating", "", ""
	var rejected bytes.Buffer
	rw := caseimport.NewRejectWriter(&rejected, caseimport.CSV)
	rep, err := e.importCSV(csvOf(t, rows...), cases.ImportOptions{SkipInvalid: true, Reject: rw.Reject, Tenant: "310107"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 2 || rep.Rejected != 2 || rep.Validated != 4 {
		t.Fatalf("report %+v", rep)
	}
	recs, err := csv.NewReader(&rejected).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][len(recs[0])-1] != "errors" || recs[1][2] != "" || !strings.Contains(recs[1][len(recs[1])-1], "title") ||
		!strings.Contains(recs[2][len(recs[2])-1], "line 5") || !strings.Contains(recs[2][len(recs[2])-1], "tenant") {
		t.Fatalf("rejected file:\n%s", rejected.String())
	}
	list, err := e.cases.List(e.ctx, "310107", cases.Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var legacy cases.Case
	for _, c := range list {
		if c.Number == "旧系统-0003" {
			legacy = c
		}
	}
	if legacy.ID == "" || legacy.Status != cases.StatusMediating || legacy.CommitteeID != e.committee.ID {
		t.Fatalf("legacy case %+v", legacy)
	}
	got, err := e.cases.Get(e.ctx, "310107", legacy.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if got.Parties[0].IDNumber != idNumber(t, "310107", "19800101", 3) || got.Parties[0].Phone != "13800138000" || got.Parties[0].Gender != "male" {
		t.Errorf("parties read back: %+v", got.Parties[0])
	}
	hist, err := e.cases.History(e.ctx, "310107", legacy.ID)
	if err != nil || len(hist) != 1 || hist[0].Action != "import" {
		t.Errorf("history %v %+v", err, hist)
	}
	// Personal data is sealed: no clear ID number or phone anywhere in the parties' table.
	if n := e.count(`SELECT count(*) FROM case_parties WHERE position(convert_to($1, 'UTF8') IN coalesce(id_number_enc, '')) > 0
		OR position(convert_to('13800138000', 'UTF8') IN coalesce(phone_enc, '')) > 0 OR name = $1`, idNumber(t, "310107", "19800101", 3)); n != 0 {
		t.Errorf("%d parties hold personal data in clear", n)
	}
	if n := e.count("SELECT count(*) FROM case_parties WHERE id_number_enc IS NOT NULL AND id_number_idx IS NOT NULL AND phone_idx IS NOT NULL"); n != 2 {
		t.Errorf("%d applicants sealed with blind indexes, want 2", n)
	}
	// The same legacy number again is an error of its line, not a failure.
	rep, err = e.importCSV(csvOf(t, rows[2]), cases.ImportOptions{})
	if !errors.Is(err, cases.ErrImportInvalid) || len(rep.Errors) != 1 || rep.Errors[0].Field != "number" || rep.Errors[0].Line != 2 {
		t.Fatalf("reimport of a legacy number: %v %+v", err, rep)
	}
}

// TestImportScope: a district's import cannot reach a neighbour; a city's reaches its districts only.
func TestImportScope(t *testing.T) {
	e := newEnv(t)
	putuo, qingpu, huaiyin := validRow(t, 1), with(validRow(t, 2), "tenant", "310118", "place_code", ""), with(validRow(t, 3), "tenant", "370104", "place_code", "")
	rep, err := e.importCSV(csvOf(t, putuo, qingpu), cases.ImportOptions{Scope: "310107"})
	if !errors.Is(err, cases.ErrImportInvalid) || len(rep.Errors) != 1 || rep.Errors[0].Line != 3 || rep.Errors[0].Field != "tenant" {
		t.Fatalf("district into neighbour: %v %+v", err, rep)
	}
	rep, err = e.importCSV(csvOf(t, putuo, qingpu, huaiyin), cases.ImportOptions{Scope: "310100", SkipInvalid: true})
	if err != nil || rep.Imported != 2 || rep.Rejected != 1 || rep.Errors[0].Line != 4 {
		t.Fatalf("city import: %v %+v", err, rep)
	}
	if n := e.count("SELECT count(*) FROM cases WHERE tenant_id = '370104'"); n != 0 {
		t.Errorf("%d cases imported outside the scope", n)
	}
	if n := e.count("SELECT count(*) FROM cases WHERE tenant_id = '310118'"); n != 1 {
		t.Errorf("%d cases in Qingpu, want 1", n)
	}
}

// TestImportNDJSON: the same through NDJSON, with a parties array and Chinese field names.
func TestImportNDJSON(t *testing.T) {
	e := newEnv(t)
	id := idNumber(t, "310107", "19751203", 42)
	data := `{"tenant":"310107","title":"劳务费纠纷","dispute_type":"labour","source":"hotline","received_at":"2023-06-01T10:00:00+08:00","status":"failed","concluded_at":"2023-06-20","outcome_channel":"arbitration","amount_yuan":12000,"parties":[{"name":"王五","role":"applicant","id_number":"` + id + `"},{"name":"某公司","role":"respondent","kind":"organisation"}]}

{"租户":"310107","标题":"相邻通行","纠纷类型":"neighbour","来源":"screening","受理时间":"2022-01-05","状态":"closed","办结时间":"2022-02-01","申请人姓名":"钱七","申请人性别":"女","申请人出生年份":1960}
not json
{"tenant":"310107","title":"x","colour":"blue"}
`
	var rejected bytes.Buffer
	rw := caseimport.NewRejectWriter(&rejected, caseimport.NDJSON)
	rep, err := e.cases.Import(e.ctx, caseimport.BytesSource{Data: []byte(data), Format: caseimport.NDJSON}, cases.ImportOptions{Scope: "310107", SkipInvalid: true, Reject: rw.Reject})
	if err != nil || rep.Imported != 2 || rep.Rejected != 2 {
		t.Fatalf("ndjson: %v %+v", err, rep)
	}
	lines := map[int]string{}
	for _, re := range rep.Errors {
		lines[re.Line] += re.Field + " "
	}
	if !strings.Contains(lines[4], "-") || !strings.Contains(lines[5], "colour") {
		t.Errorf("errors by line: %v", lines)
	}
	out := strings.Split(strings.TrimSpace(rejected.String()), "\n")
	if len(out) != 2 || !strings.Contains(out[0], `"raw":"not json"`) || !strings.HasPrefix(out[1], `{"tenant":"310107","title":"x","colour":"blue","errors":[`) {
		t.Errorf("rejected NDJSON:\n%s", rejected.String())
	}
	list, err := e.cases.List(e.ctx, "310107", cases.Filter{Limit: 10})
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v %d", err, len(list))
	}
	for _, c := range list {
		switch c.Title {
		case "劳务费纠纷":
			if c.Outcome["channel"] != "arbitration" || c.AmountFen != 1_200_000 || len(c.Parties) != 2 || c.Parties[0].IDNumber != id {
				t.Errorf("labour case %+v", c)
			}
		case "相邻通行":
			if c.Status != cases.StatusClosed || c.Parties[0].Gender != "female" || c.Parties[0].BirthYear != 1960 {
				t.Errorf("closed case %+v", c)
			}
		}
	}
}

// TestImportManyRows: rows checked on several cores still report in file order, and a legacy
// number repeating an earlier row's is caught across batches.
func TestImportManyRows(t *testing.T) {
	e := newEnv(t)
	var rows []map[string]string
	for i := range 1500 {
		r := validRow(t, i)
		r["number"] = fmt.Sprintf("旧-%04d", i)
		rows = append(rows, r)
	}
	rows[1200]["number"] = "旧-0003" // repeats line 5 (row 3), in another batch
	rows[1300]["source"] = "fax"
	rows[1301]["number"] = "旧-1300" // the number of an invalid row: free to use
	rep, err := e.importCSV(csvOf(t, rows...), cases.ImportOptions{SkipInvalid: true, BatchSize: 600})
	if err != nil || rep.Imported != 1498 || rep.Rejected != 2 || len(rep.Errors) != 2 {
		t.Fatalf("%v %+v", err, rep)
	}
	if e1, e2 := rep.Errors[0], rep.Errors[1]; e1.Line != 1202 || e1.Field != "number" || !strings.Contains(e1.Message, "5") || e2.Line != 1302 || e2.Field != "source" {
		t.Errorf("errors out of order or misplaced: %+v", rep.Errors)
	}
	if n := e.count("SELECT count(*) FROM cases WHERE number = '旧-1300'"); n != 1 {
		t.Errorf("%d cases numbered 旧-1300, want 1", n)
	}
}
