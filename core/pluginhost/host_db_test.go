package pluginhost

import (
	"encoding/json"
	"slices"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/plugins"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

// TestHostAPIOnTheStore: the host API's writes against the real store give the access the
// regional plugins rely on — a linked agency (Jinan's linkage) gains the "linked"
// relationship, a joint mediation (border mediation) the "partner" one for the other tenant —
// and a plugin's own case fields are merged, kept per plugin and in the case's history.
func TestHostAPIOnTheStore(t *testing.T) {
	w := newHostWorld(t)
	ctx, st, caseSvc, orgSvc := w.ctx, w.st, w.cases, w.orgs
	c, _, err := caseSvc.Create(ctx, "310107", cases.NewCase{Title: "两地交界纠纷", DisputeType: "neighbour", Source: "walk_in",
		Parties: []cases.NewParty{{Role: "applicant", Name: "张三"}, {Role: "respondent", Name: "李四"}}, CreatedBy: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	police, err := orgSvc.CreateOrganisation(ctx, "310107", orgs.NewOrganisation{Kind: "police_station", Name: "长寿路派出所"})
	if err != nil {
		t.Fatal(err)
	}
	cat := &memCatalog{
		recs: []plugins.Record{{Name: "border", Manifest: manifest("border", "cases.link", "cases.joint", "cases.fields", "cases.read")}},
		ens:  []plugins.Enablement{{Plugin: "border", TenantCode: "310107", Enabled: true}},
	}
	m := New(cat, w.deps, Options{})
	if err := m.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	rec, _ := m.Record("border")
	tok := m.host.begin(rec, "310107", "req-1", false, nil)
	call := &pluginv1.HostCall{CallToken: tok, Tenant: "310107"}

	if _, err := m.host.LinkAgency(ctx, &pluginv1.LinkAgencyRequest{Call: call, CaseId: c.ID, OrganisationId: police.ID}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		name string
		req  *pluginv1.SetJointRequest
	}{
		{"an unknown tenant", &pluginv1.SetJointRequest{Call: call, CaseId: c.ID, JointId: "j1", Lead: "310107", Tenants: []string{"310107", "330421"}}},
		{"without this tenant", &pluginv1.SetJointRequest{Call: call, CaseId: c.ID, JointId: "j1", Lead: "320509", Tenants: []string{"320509", "330421"}}},
		{"a participant twice", &pluginv1.SetJointRequest{Call: call, CaseId: c.ID, JointId: "j1", Lead: "310107", Tenants: []string{"310107", "310107"}}},
	} {
		if _, err := m.host.SetJoint(ctx, bad.req); status.Code(err) != codes.InvalidArgument {
			t.Errorf("joint with %s: %v", bad.name, err)
		}
	}
	if _, err := m.host.SetJoint(ctx, &pluginv1.SetJointRequest{Call: call, CaseId: c.ID, JointId: "border-2026-1", Lead: "320509", Tenants: []string{"310107", "320509"}}); err != nil {
		t.Fatal(err)
	}
	facts, err := st.CaseAccess(ctx, "310107", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(facts.LinkedOrgs, police.ID) || !slices.Contains(facts.JointTenants, "320509") {
		t.Fatalf("facts %+v: the police station is not linked, or Wujiang not a partner", facts)
	}
	wujiang := access.Principal{Subject: "user:w", Kind: "user", ID: "w", Tenant: "320509"}
	station := access.Principal{Subject: "user:p", Kind: "user", ID: "p", Tenant: "310107", Org: police.ID}
	if rels := access.Relationships(wujiang, facts, m.host.deps.Cases.Now()); !slices.Contains(rels, access.Partner) {
		t.Errorf("Wujiang's staff stand to the case as %v, want partner", rels)
	}
	if rels := access.Relationships(station, facts, m.host.deps.Cases.Now()); !slices.Contains(rels, access.Linked) {
		t.Errorf("the police station stands to the case as %v, want linked", rels)
	}

	// Fields: merged, a null removes one, kept per plugin, in the history.
	for _, f := range []string{`{"stage":"joint","count":1}`, `{"count":2,"stage":null}`} {
		if _, err := m.host.UpdateCaseFields(ctx, &pluginv1.UpdateCaseFieldsRequest{Call: call, CaseId: c.ID, Fields: []byte(f)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := m.host.GetCase(ctx, &pluginv1.GetCaseRequest{Call: call, CaseId: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	var view struct {
		Fields map[string]any `json:"fields"`
	}
	if err := json.Unmarshal(got.GetCase(), &view); err != nil || len(view.Fields) != 1 || view.Fields["count"] != float64(2) {
		t.Errorf("fields %v (%v): want {count: 2}", view.Fields, err)
	}
	if f, _ := st.PluginFields(ctx, "310107", c.ID, "other"); string(f) != "{}" {
		t.Errorf("another plugin sees fields %s", f)
	}
	if _, err := m.host.UpdateCaseFields(ctx, &pluginv1.UpdateCaseFieldsRequest{Call: call, CaseId: c.ID, Fields: []byte(`[1]`)}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("fields not an object: %v", err)
	}
	hist, err := caseSvc.History(ctx, "310107", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var byPlugin int
	for _, ev := range hist {
		if ev.Actor == "plugin:border" {
			byPlugin++
		}
	}
	if byPlugin != 2 {
		t.Errorf("%d history events by plugin:border, want 2 (the field updates)", byPlugin)
	}
	// ListCases filters by committee in the query, not after the page: none is assigned here.
	for _, c := range []struct {
		committee string
		want      int
	}{{"", 1}, {police.ID, 0}} {
		res, err := m.host.ListCases(ctx, &pluginv1.ListCasesRequest{Call: call, CommitteeId: c.committee, Limit: 1})
		if err != nil || len(res.GetCases()) != c.want {
			t.Errorf("ListCases committee %q: %d cases, %v; want %d", c.committee, len(res.GetCases()), err, c.want)
		}
	}
	// Create-only documents: the first write wins, the second finds it.
	for i, want := range []codes.Code{codes.OK, codes.AlreadyExists} {
		_, err := m.host.PutDocument(ctx, &pluginv1.PutDocumentRequest{Call: call, IfAbsent: true,
			Document: &pluginv1.Document{Kind: "events", Id: "e1", Data: []byte(`{"n":` + string(rune('0'+i)) + `}`)}})
		if status.Code(err) != want {
			t.Errorf("create-only write %d: %v, want %s", i+1, err, want)
		}
	}
	if d, err := st.PluginDocument(ctx, "310107", "border", "events", "e1"); err != nil || string(d.Data) != `{"n": 0}` {
		t.Errorf("the first create-only write is not the one kept: %s %v", d.Data, err)
	}
	// Ending the joint mediation removes Wujiang's access.
	if _, err := m.host.SetJoint(ctx, &pluginv1.SetJointRequest{Call: call, CaseId: c.ID}); err != nil {
		t.Fatal(err)
	}
	facts, _ = st.CaseAccess(ctx, "310107", c.ID)
	if rels := access.Relationships(wujiang, facts, m.host.deps.Cases.Now()); slices.Contains(rels, access.Partner) {
		t.Errorf("Wujiang is still a partner after the joint mediation ended: %v", rels)
	}
	// A case of another tenant is not found through this call.
	if _, err := m.host.SetJoint(ctx, &pluginv1.SetJointRequest{Call: call, CaseId: "00000000-0000-0000-0000-000000000000", JointId: "x", Lead: "310107", Tenants: []string{"310107", "320509"}}); status.Code(err) != codes.NotFound {
		t.Errorf("joint of an unknown case: %v", err)
	}
}
