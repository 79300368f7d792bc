package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/jackc/pgerrcode"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/library"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/fengqiao/fengqiao/core/tenant"
	"github.com/jackc/pgx/v5"
)

// searchEnv is two districts with case and library services on a fresh database.
type searchEnv struct {
	st    *store.Store
	owner string
	cases *cases.Service
	lib   *library.Service
	ids   map[string]string // corpus key → case id
}

func newSearchEnv(t *testing.T) *searchEnv {
	t.Helper()
	st, owner := storetest.Open(t)
	ctx := testCtx(t)
	plan, err := tenant.PlanOnboarding("000000", []string{"310107", "370104"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Onboard(ctx, "000000", plan); err != nil {
		t.Fatal(err)
	}
	ring, err := pii.NewKeyring(map[string][]byte{"t1": bytes.Repeat([]byte{1}, 32)}, "t1")
	if err != nil {
		t.Fatal(err)
	}
	idx, err := pii.NewIndexer(bytes.Repeat([]byte{2}, 32))
	if err != nil {
		t.Fatal(err)
	}
	cs := cases.NewService(st, pii.NewProtector(ring, idx))
	return &searchEnv{st: st, owner: owner, cases: cs, lib: library.NewService(st, cs), ids: map[string]string{}}
}

type doc struct {
	key, tenant, title, description, disputeType string
	parties                                      []string // applicant, respondent
}

// corpus is a small Chinese corpus of disputes: two about noise, two about property fees, two
// about unpaid wages, two about traffic, a family one, and one of another district that
// matches the same words.
var corpus = []doc{
	{"noise-title", "310107", "邻里噪音纠纷", "楼上住户深夜噪音不断，楼下住户多次投诉噪音问题，要求停止噪音侵扰。", "neighbour", []string{"赵一", "钱二"}},
	{"noise-renovation", "310107", "装修扰民纠纷", "邻居装修时电钻噪音影响休息。", "neighbour", []string{"孙三", "李四"}},
	{"fee-title", "310107", "物业费纠纷", "业主以小区绿化差为由拒交物业费两年，物业公司要求补缴。", "property_management", []string{"周五", "上海某物业管理有限公司"}},
	{"fee-parking", "310107", "停车位纠纷", "业主与物业公司就车位收费发生争议，业主拒交物业费。", "property_management", []string{"吴六", "上海某物业管理有限公司"}},
	{"wage-title", "310107", "拖欠工资纠纷", "某餐馆拖欠三名员工工资共计二万元，员工要求支付。", "labour", []string{"郑七", "某餐馆"}},
	{"wage-desc", "310107", "劳务报酬争议", "装修工人完工后工资被包工头拖欠。", "labour", []string{"王八", "冯九"}},
	{"traffic-title", "310107", "交通事故赔偿纠纷", "电动车与轿车相撞，电动车驾驶人受伤，就医疗费赔偿协商。", "traffic_accident", []string{"陈十", "褚十一"}},
	{"traffic-desc", "310107", "车辆剐蹭纠纷", "小区内两车剐蹭，未报交通事故处理。", "traffic_accident", []string{"卫十二", "蒋十三"}},
	{"family", "310107", "赡养纠纷", "子女因赡养老人问题发生争执。", "marriage_family", []string{"张伟", "王芳"}},
	{"other-district", "370104", "邻里噪音纠纷", "噪音扰民，物业费、拖欠工资、交通事故一并投诉。张伟到场。", "neighbour", []string{"张伟", "刘强"}},
}

func (e *searchEnv) load(t *testing.T, docs []doc) {
	t.Helper()
	ctx := testCtx(t)
	for _, d := range docs {
		in := cases.NewCase{Title: d.title, Description: d.description, DisputeType: d.disputeType, Source: "walk_in", CreatedBy: "user:test"}
		for i, name := range d.parties {
			role, kind := "applicant", "person"
			if i > 0 {
				role = "respondent"
			}
			if strings.Contains(name, "公司") || strings.Contains(name, "餐馆") {
				kind = "organisation"
			}
			in.Parties = append(in.Parties, cases.NewParty{Role: role, Kind: kind, Name: name})
		}
		c, _, err := e.cases.Create(ctx, d.tenant, in, nil)
		if err != nil {
			t.Fatalf("create %s: %v", d.key, err)
		}
		e.ids[d.key] = c.ID
	}
}

func (e *searchEnv) search(t *testing.T, tenantCode, q string, names bool) []string {
	t.Helper()
	query, err := library.ParseQuery(q)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	hits, err := e.lib.SearchCases(testCtx(t), tenantCode, library.CaseSearch{Query: query, Names: names, Limit: 20})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	byID := map[string]string{}
	for k, id := range e.ids {
		byID[id] = k
	}
	var out []string
	for _, h := range hits {
		if h.Case.TenantCode != tenantCode {
			t.Errorf("search in %s returned a case of %s", tenantCode, h.Case.TenantCode)
		}
		out = append(out, byID[h.Case.ID])
	}
	return out
}

func TestSearchRanking(t *testing.T) {
	e := newSearchEnv(t)
	e.load(t, corpus)
	for _, c := range []struct {
		q    string
		want []string // in rank order
	}{
		// a match in the title (weight A) outranks matches in the description (C) only
		{"噪音", []string{"noise-title", "noise-renovation"}},
		{"物业费", []string{"fee-title", "fee-parking"}},
		// the compound in the title outranks its parts apart in a description
		{"拖欠工资", []string{"wage-title", "wage-desc"}},
		{"工资拖欠", []string{"wage-title", "wage-desc"}},
		{"交通事故", []string{"traffic-title", "traffic-desc"}},
		// every word is required
		{"噪音 装修", []string{"noise-renovation"}},
		{"物业费 车位", []string{"fee-parking"}},
		{"赡养 老人", []string{"family"}},
		{"离婚", nil},
		// party names are not searched without the permission
		{"张伟", nil},
	} {
		t.Run(c.q, func(t *testing.T) {
			if got := e.search(t, "310107", c.q, false); !slices.Equal(got, c.want) {
				t.Errorf("search %q = %v, want %v", c.q, got, c.want)
			}
		})
	}
	// The other district's case matches every query above, and is found only there.
	for _, q := range []string{"噪音", "物业费", "拖欠工资", "交通事故"} {
		if got := e.search(t, "370104", q, false); !slices.Equal(got, []string{"other-district"}) {
			t.Errorf("370104: search %q = %v", q, got)
		}
	}
	if got := e.search(t, "370104", "张伟", true); !slices.Equal(got, []string{"other-district"}) {
		t.Errorf("370104: name search = %v", got)
	}
}

func TestSearchByPartyName(t *testing.T) {
	e := newSearchEnv(t)
	e.load(t, corpus)
	ctx := testCtx(t)
	if got := e.search(t, "310107", "张伟", true); !slices.Equal(got, []string{"family"}) {
		t.Errorf("name search = %v, want [family]", got)
	}
	if got := e.search(t, "310107", "张伟 赡养", true); !slices.Equal(got, []string{"family"}) {
		t.Errorf("name and word = %v, want [family]", got)
	}
	if got := e.search(t, "310107", "张伟 噪音", true); len(got) != 0 {
		t.Errorf("name of another case = %v, want none", got)
	}
	// The name search is audited with the case it found; a search by words only is not.
	events, err := e.st.AuditEvents(ctx, "310107", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range events {
		if ev.Action == "case.pii.search" {
			n++
			if !strings.Contains(string(ev.After), e.ids["family"]) || !strings.Contains(string(ev.After), "张伟") {
				t.Errorf("audit event %s", ev.After)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d name searches audited, want 2 (the third found nothing)", n)
	}
	e.search(t, "310107", "噪音", true)
	events, _ = e.st.AuditEvents(ctx, "310107", 0, 100)
	m := 0
	for _, ev := range events {
		if ev.Action == "case.pii.search" {
			m++
		}
	}
	if m != n {
		t.Errorf("a search that matched no name was audited")
	}
}

func TestSearchFollowsEdits(t *testing.T) {
	e := newSearchEnv(t)
	e.load(t, corpus[:1])
	ctx := testCtx(t)
	title, desc := "宠物伤人纠纷", "邻居的狗咬伤了孩子。"
	if _, err := e.cases.Edit(ctx, "310107", e.ids["noise-title"], cases.EditInput{Title: &title, Description: &desc}); err != nil {
		t.Fatal(err)
	}
	if got := e.search(t, "310107", "噪音", false); len(got) != 0 {
		t.Errorf("old words still found: %v", got)
	}
	if got := e.search(t, "310107", "宠物", false); !slices.Equal(got, []string{"noise-title"}) {
		t.Errorf("new words not found: %v", got)
	}
	// Reindexing rebuilds the same documents.
	if n, err := e.st.ReindexSearch(ctx, "310107"); err != nil || n != 1 {
		t.Fatalf("reindex: %d, %v", n, err)
	}
	if got := e.search(t, "310107", "狗", false); !slices.Equal(got, []string{"noise-title"}) {
		t.Errorf("after reindex: %v", got)
	}
}

// TestSearchSurvivesHostileQueries sends queries built to break a tsquery to the database.
func TestSearchSurvivesHostileQueries(t *testing.T) {
	e := newSearchEnv(t)
	e.load(t, corpus[:2])
	for _, q := range []string{`'`, `''`, `\`, `\'`, `a' | 'b`, `!噪音`, `噪音:*`, `噪音:A`, `(噪音`, `噪音)`, `<->`, `a <2> b`, `'噪音' & !'装修'`,
		"噪音\x00", "噪\u200b音", strings.Repeat(`\'`, 40), `$$`, `E'\x41'`, `);SELECT 1;--`} {
		query, err := library.ParseQuery(q)
		if err != nil {
			continue
		}
		if _, err := e.lib.SearchCases(testCtx(t), "310107", library.CaseSearch{Query: query, Names: true, Limit: 5}); err != nil {
			t.Errorf("query %q (%s): %v", q, query.All(), err)
		}
	}
}

// conclude guides a case to another channel, which concludes it.
func (e *searchEnv) conclude(t *testing.T, tenantCode, key string) {
	t.Helper()
	if _, err := e.cases.Act(testCtx(t), tenantCode, e.ids[key], cases.ActionInput{Action: cases.ActionGuide, Channel: "litigation", Reason: "需诉讼解决"}); err != nil {
		t.Fatalf("conclude %s: %v", key, err)
	}
}

func TestLibrarySubmitReviewAndPush(t *testing.T) {
	e := newSearchEnv(t)
	e.load(t, corpus)
	e.load(t, []doc{{"new-noise", "310107", "夜间噪音扰民", "楼上邻居夜间噪音，多次协商无果。", "neighbour", []string{"沈甲", "韩乙"}}})
	ctx := testCtx(t)
	_, err := e.lib.Submit(ctx, "310107", library.Submission{CaseID: e.ids["noise-title"], SubmittedBy: "user:mediator"})
	if !errors.Is(err, library.ErrNotConcluded) {
		t.Fatalf("submitting an open case: %v", err)
	}
	for _, k := range []string{"noise-title", "noise-renovation", "fee-title", "wage-title", "traffic-title"} {
		e.conclude(t, "310107", k)
	}
	e.conclude(t, "370104", "other-district")
	entries := map[string]library.Entry{}
	for _, k := range []string{"noise-title", "noise-renovation", "fee-title", "wage-title", "traffic-title"} {
		en, err := e.lib.Submit(ctx, "310107", library.Submission{CaseID: e.ids[k], Tags: []string{"典型案例"}, SubmittedBy: "user:mediator"})
		if err != nil {
			t.Fatalf("submit %s: %v", k, err)
		}
		if en.Status != library.StatusSubmitted || en.Outcome != cases.StatusGuided {
			t.Errorf("entry %+v", en)
		}
		entries[k] = en
	}
	// Anonymised: no party name is left in what the library stores.
	for k, en := range entries {
		for _, d := range corpus {
			if d.key != k {
				continue
			}
			for _, name := range d.parties {
				if strings.Contains(en.Title+en.Summary, name) {
					t.Errorf("entry %s holds the name %s: %s %s", k, name, en.Title, en.Summary)
				}
			}
		}
	}
	if !strings.Contains(entries["noise-title"].Summary, "噪音") || !strings.Contains(entries["noise-title"].Summary, "调解结果") {
		t.Errorf("summary %q", entries["noise-title"].Summary)
	}
	if _, err := e.lib.Submit(ctx, "310107", library.Submission{CaseID: e.ids["noise-title"], SubmittedBy: "user:mediator"}); !errors.Is(err, library.ErrAlreadyInLibrary) {
		t.Errorf("second submission: %v", err)
	}
	// Another district can neither submit nor read these.
	if _, err := e.lib.Submit(ctx, "370104", library.Submission{CaseID: e.ids["fee-parking"], SubmittedBy: "user:x"}); !errors.Is(err, cases.ErrNotFound) {
		t.Errorf("submit another district's case: %v", err)
	}
	if _, err := e.lib.Get(ctx, "370104", entries["fee-title"].ID); !errors.Is(err, library.ErrNotFound) {
		t.Errorf("read another district's entry: %v", err)
	}
	if _, err := e.lib.Review(ctx, "370104", entries["fee-title"].ID, library.DecisionPublish, "", "user:x"); !errors.Is(err, library.ErrNotFound) {
		t.Errorf("review another district's entry: %v", err)
	}
	// Review: not by the submitter; a rejection needs a reason; once only.
	if _, err := e.lib.Review(ctx, "310107", entries["fee-title"].ID, library.DecisionPublish, "", "user:mediator"); !errors.Is(err, library.ErrOwnSubmission) {
		t.Errorf("self-review: %v", err)
	}
	if _, err := e.lib.Review(ctx, "310107", entries["fee-title"].ID, library.DecisionReject, " ", "user:reviewer"); !errors.Is(err, library.ErrInvalid) {
		t.Errorf("rejection without reason: %v", err)
	}
	if en, err := e.lib.Review(ctx, "310107", entries["fee-title"].ID, library.DecisionReject, "事实不清", "user:reviewer"); err != nil || en.Status != library.StatusRejected || en.ReviewReason != "事实不清" {
		t.Errorf("reject: %+v %v", en, err)
	}
	for _, k := range []string{"noise-title", "noise-renovation", "wage-title", "traffic-title"} {
		if _, err := e.lib.Review(ctx, "310107", entries[k].ID, library.DecisionPublish, "", "user:reviewer"); err != nil {
			t.Fatalf("publish %s: %v", k, err)
		}
	}
	if _, err := e.lib.Review(ctx, "310107", entries["noise-title"].ID, library.DecisionReject, "x", "user:reviewer"); !errors.Is(err, library.ErrAlreadyReviewed) {
		t.Errorf("second review: %v", err)
	}
	// A rejected case may be submitted again.
	if _, err := e.lib.Submit(ctx, "310107", library.Submission{CaseID: e.ids["fee-title"], Summary: "重写的案情：周五拒交物业费。", SubmittedBy: "user:mediator"}); err != nil {
		t.Errorf("resubmit after rejection: %v", err)
	}
	// Listing: published by default, by relevance with a query.
	pub, err := e.lib.List(ctx, "310107", library.Filter{Limit: 10})
	if err != nil || len(pub) != 4 {
		t.Fatalf("published: %d %v", len(pub), err)
	}
	q, _ := library.ParseQuery("噪音")
	found, err := e.lib.List(ctx, "310107", library.Filter{Query: &q, Limit: 10})
	if err != nil || len(found) != 2 || found[0].CaseID != e.ids["noise-title"] {
		t.Errorf("library search: %v %v", found, err)
	}
	if sub, _ := e.lib.List(ctx, "310107", library.Filter{Status: library.StatusSubmitted, Limit: 10}); len(sub) != 1 {
		t.Errorf("submitted: %d", len(sub))
	}
	if other, _ := e.lib.List(ctx, "370104", library.Filter{Limit: 10}); len(other) != 0 {
		t.Errorf("another district lists %d entries", len(other))
	}
	// Push: a new noise case is offered the noise entries first, with the reasons.
	sim, terms, err := e.lib.Similar(ctx, "310107", e.ids["new-noise"])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(terms, "噪音") {
		t.Errorf("terms of the case: %q", terms)
	}
	var got []string
	for _, s := range sim {
		got = append(got, s.Entry.CaseID)
	}
	if len(sim) < 2 || sim[0].Entry.CaseID != e.ids["noise-title"] || sim[1].Entry.CaseID != e.ids["noise-renovation"] {
		t.Fatalf("similar to a noise case: %v (noise entries %s, %s)", got, e.ids["noise-title"], e.ids["noise-renovation"])
	}
	if !slices.Contains(sim[0].SharedTerms, "噪音") || !sim[0].SameDisputeType {
		t.Errorf("reasons: %+v", sim[0])
	}
	for _, s := range sim {
		if s.Entry.Status != library.StatusPublished || s.Entry.TenantCode != "310107" {
			t.Errorf("pushed %+v", s.Entry)
		}
		if len(s.SharedTerms) == 0 && !s.SameDisputeType {
			t.Errorf("pushed without a reason: %+v", s)
		}
	}
	// A case is not offered its own entry.
	own, _, _ := e.lib.Similar(ctx, "310107", e.ids["noise-title"])
	for _, s := range own {
		if s.Entry.CaseID == e.ids["noise-title"] {
			t.Error("a case is offered its own entry")
		}
	}
	// Another district's push never offers these entries (its case matches the same words).
	other, _, err := e.lib.Similar(ctx, "370104", e.ids["other-district"])
	if err != nil || len(other) != 0 {
		t.Errorf("370104 push: %v %v", other, err)
	}
	if _, _, err := e.lib.Similar(ctx, "370104", e.ids["new-noise"]); !errors.Is(err, cases.ErrNotFound) {
		t.Errorf("push for another district's case: %v", err)
	}
}

// TestSearchTiming logs how long a search takes over a few thousand cases (not a benchmark
// gate: a figure for docs).
func TestSearchTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	e := newSearchEnv(t)
	var docs []doc
	for i := range 150 {
		for _, d := range corpus[:9] {
			d.key = fmt.Sprintf("%s-%d", d.key, i)
			docs = append(docs, d)
		}
	}
	start := time.Now()
	e.load(t, docs)
	t.Logf("%d cases taken in and indexed in %v (%v each)", len(docs), time.Since(start), time.Since(start)/time.Duration(len(docs)))
	q, _ := library.ParseQuery("拖欠工资")
	ctx := context.Background()
	start = time.Now()
	for range 20 {
		hits, err := e.lib.SearchCases(ctx, "310107", library.CaseSearch{Query: q, Limit: 20})
		if err != nil || len(hits) != 20 {
			t.Fatalf("%d hits, %v", len(hits), err)
		}
	}
	t.Logf("search %q over %d cases, first 20 of 300 hits: %v each", "拖欠工资", len(docs), time.Since(start)/20)
}

// TestSearchTablesIsolatedInTheDatabase checks case_search and library_entries from inside
// the database, as the application role: a tenant sees and writes only its own rows.
func TestSearchTablesIsolatedInTheDatabase(t *testing.T) {
	e := newSearchEnv(t)
	e.load(t, corpus)
	e.conclude(t, "370104", "other-district")
	ctx := testCtx(t)
	en, err := e.lib.Submit(ctx, "370104", library.Submission{CaseID: e.ids["other-district"], SubmittedBy: "user:x"})
	if err != nil {
		t.Fatal(err)
	}
	owner := ownerConn(t, e.owner)
	if n := count(t, owner, "SELECT count(*) FROM case_search WHERE tenant_id = '370104'"); n != 1 {
		t.Fatalf("370104 has %d search documents, want 1", n)
	}
	pool := appPool(t, e.owner, 1)
	inTenantTx(t, pool, "310107", func(tx pgx.Tx) {
		if n := count(t, tx, "SELECT count(*) FROM case_search"); n != 9 {
			t.Errorf("310107 sees %d search documents, want its 9", n)
		}
		for _, q := range []string{"SELECT count(*) FROM case_search WHERE tenant_id = '370104'", "SELECT count(*) FROM library_entries",
			"SELECT count(*) FROM case_search WHERE doc @@ '噪音'::tsquery AND tenant_id <> '310107'"} {
			if n := count(t, tx, q); n != 0 {
				t.Errorf("%s: %d, want 0", q, n)
			}
		}
		_, err := tx.Exec(ctx, `UPDATE library_entries SET status = 'published', reviewed_at = now() WHERE id = $1`, en.ID)
		if err != nil {
			t.Fatal(err)
		}
	})
	inTenantTx(t, pool, "310107", func(tx pgx.Tx) {
		_, err := tx.Exec(ctx, `INSERT INTO case_search (tenant_id, case_id, doc, names) VALUES ('370104', $1, '', '')`, e.ids["fee-title"])
		if got := sqlState(err); got != pgerrcode.InsufficientPrivilege {
			t.Errorf("writing another tenant's search document: %v", err)
		}
	})
	if got, _ := e.lib.Get(ctx, "370104", en.ID); got.Status != library.StatusSubmitted {
		t.Errorf("another tenant's update reached the entry: %s", got.Status)
	}
}
