package sdktest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/fengqiao/fengqiao/plugins/sdk"
)

func seeded(perms ...string) *Host {
	h := NewHost("310101", perms...)
	h.AddCase(sdk.Case{ID: "c1", Title: "邻里噪音", Status: "received", ReceivedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Parties: []sdk.Party{{ID: "p1", Name: "张三丰", IDNumber: "310101199001011234", Phone: "13800138000", Address: "上海市黄浦区某路1号"}}})
	h.AddCase(sdk.Case{ID: "c3", Title: "物业纠纷", Status: "received", ReceivedAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)})
	h.AddCase(sdk.Case{ID: "c2", TenantCode: "370102", Title: "别处"})
	h.AddOrganisation(sdk.Organisation{ID: "o1", Kind: "agency", Name: "派出所"})
	return h
}

func TestHostPermissionsAndTenant(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		perms []string
		call  func(h *Host) error
		want  error
	}{
		{"read granted", []string{PermCasesRead}, func(h *Host) error { _, err := h.GetCase(ctx, "c1", false); return err }, nil},
		{"read not granted", nil, func(h *Host) error { _, err := h.GetCase(ctx, "c1", false); return err }, sdk.ErrPermission},
		{"another tenant's case", []string{PermCasesRead}, func(h *Host) error { _, err := h.GetCase(ctx, "c2", false); return err }, sdk.ErrNotFound},
		{"unknown case", []string{PermCasesRead}, func(h *Host) error { _, err := h.GetCase(ctx, "zz", false); return err }, sdk.ErrNotFound},
		{"note not granted", []string{PermCasesRead}, func(h *Host) error { _, err := h.AddCaseNote(ctx, "c1", "x", nil); return err }, sdk.ErrPermission},
		{"empty note", []string{PermCasesNote}, func(h *Host) error { _, err := h.AddCaseNote(ctx, "c1", "", nil); return err }, sdk.ErrInvalid},
		{"fields not granted", nil, func(h *Host) error { _, err := h.UpdateCaseFields(ctx, "c1", map[string]any{"a": 1}); return err }, sdk.ErrPermission},
		{"link to an unknown organisation", []string{PermCasesLink}, func(h *Host) error { _, err := h.LinkAgency(ctx, "c1", "o9", "manual"); return err }, sdk.ErrInvalid},
		{"share not granted", []string{PermCasesRead}, func(h *Host) error {
			_, err := h.ShareCase(ctx, sdk.Share{CaseID: "c1", GranteeTenant: "370102", Scope: "summary"})
			return err
		}, sdk.ErrPermission},
		{"share with oneself", []string{PermCasesShare}, func(h *Host) error {
			_, err := h.ShareCase(ctx, sdk.Share{CaseID: "c1", GranteeTenant: "310101", Scope: "summary"})
			return err
		}, sdk.ErrInvalid},
		{"share another tenant's case", []string{PermCasesShare}, func(h *Host) error {
			_, err := h.ShareCase(ctx, sdk.Share{CaseID: "c2", GranteeTenant: "320102", Scope: "summary"})
			return err
		}, sdk.ErrNotFound},
		{"joint not granted", []string{PermCasesShare}, func(h *Host) error {
			return h.SetJoint(ctx, "c1", sdk.Joint{ID: "j1", Lead: "310101", Tenants: []string{"310101", "320509"}})
		}, sdk.ErrPermission},
		{"joint granted", []string{PermCasesJoint}, func(h *Host) error {
			return h.SetJoint(ctx, "c1", sdk.Joint{ID: "j1", Lead: "320509", Tenants: []string{"310101", "320509"}})
		}, nil},
		{"joint without this tenant", []string{PermCasesJoint}, func(h *Host) error {
			return h.SetJoint(ctx, "c1", sdk.Joint{ID: "j1", Lead: "320509", Tenants: []string{"330421", "320509"}})
		}, sdk.ErrInvalid},
		{"joint lead not a participant", []string{PermCasesJoint}, func(h *Host) error {
			return h.SetJoint(ctx, "c1", sdk.Joint{ID: "j1", Lead: "330421", Tenants: []string{"310101", "320509"}})
		}, sdk.ErrInvalid},
		{"joint on another tenant's case", []string{PermCasesJoint}, func(h *Host) error {
			return h.SetJoint(ctx, "c2", sdk.Joint{ID: "j1", Lead: "310101", Tenants: []string{"310101", "370102"}})
		}, sdk.ErrNotFound},
		{"revoke an unknown share", []string{PermCasesShare}, func(h *Host) error { return h.RevokeShare(ctx, "c1", "s9") }, sdk.ErrNotFound},
		{"organisations not granted", nil, func(h *Host) error { _, err := h.ListOrganisations(ctx, ""); return err }, sdk.ErrPermission},
		{"mediators not granted", nil, func(h *Host) error { _, err := h.ListMediators(ctx, ""); return err }, sdk.ErrPermission},
		{"notify not granted", nil, func(h *Host) error { _, err := h.Notify(ctx, sdk.Notification{Recipient: "tenant"}); return err }, sdk.ErrPermission},
		{"notify a bad recipient", []string{PermNotificationsSend}, func(h *Host) error { _, err := h.Notify(ctx, sdk.Notification{Recipient: "x"}); return err }, sdk.ErrInvalid},
		{"stats not granted", nil, func(h *Host) error { _, err := h.Stats(ctx, ""); return err }, sdk.ErrPermission},
		{"documents need no permission", nil, func(h *Host) error {
			_, err := h.Documents().Put(ctx, sdk.Document{Kind: "k", ID: "1", Data: json.RawMessage(`{}`)}, 0)
			return err
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(seeded(tt.perms...))
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestHostMasking(t *testing.T) {
	tests := []struct {
		name    string
		perms   []string
		parties bool
		masked  bool
		refused bool // as the platform refuses it: parties asked for, cases.parties not granted
	}{
		{"not asked", []string{PermCasesRead, PermCasesParties}, false, true, false},
		{"asked without cases.parties", []string{PermCasesRead}, true, true, true},
		{"asked and granted", []string{PermCasesRead, PermCasesParties}, true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := seeded(tt.perms...).GetCase(context.Background(), "c1", tt.parties)
			if tt.refused {
				if !errors.Is(err, sdk.ErrPermission) {
					t.Fatalf("got %v, want ErrPermission", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p := c.Parties[0]
			if p.Masked != tt.masked || (p.Name == "张三丰") == tt.masked || (p.Phone == "13800138000") == tt.masked {
				t.Errorf("party %+v, masked should be %v", p, tt.masked)
			}
			var raw sdk.Case
			if err := json.Unmarshal(c.Raw, &raw); err != nil || raw.Parties[0].Name != p.Name {
				t.Errorf("Raw %s does not match the case", c.Raw)
			}
		})
	}
}

func TestHostListCasesPages(t *testing.T) {
	h := seeded(PermCasesRead)
	first, err := h.ListCases(context.Background(), sdk.CaseQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Cases) != 1 || first.Cases[0].ID != "c3" || first.Next != "c3" {
		t.Fatalf("first page %+v, want c3 (newest) and a next cursor", first)
	}
	second, err := h.ListCases(context.Background(), sdk.CaseQuery{Limit: 1, After: first.Next})
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Cases) != 1 || second.Cases[0].ID != "c1" || second.Next != "" {
		t.Fatalf("second page %+v, want c1 and no next: another tenant's case is never listed", second)
	}
}

func TestHostDocuments(t *testing.T) {
	ctx := context.Background()
	docs := NewHost("310101").Documents()
	put := func(data string, ifVersion int64) (sdk.Document, error) {
		return docs.Put(ctx, sdk.Document{Kind: "tally", ID: "events", Data: json.RawMessage(data)}, ifVersion)
	}
	tests := []struct {
		name      string
		data      string
		ifVersion int64
		version   int64 // the version written; 0: refused
		want      error
	}{
		{"create over a version that does not exist", `{"n":1}`, 1, 0, sdk.ErrConflict},
		{"create", `{"n":1}`, 0, 1, nil},
		{"update over the current version", `{"n":2}`, 1, 2, nil},
		{"update over a stale version", `{"n":3}`, 1, 0, sdk.ErrConflict},
		{"write anyway", `{"n":4}`, 0, 3, nil},
		{"not JSON", `{`, 0, 0, sdk.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := put(tt.data, tt.ifVersion)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if d.Version != tt.version {
				t.Errorf("version %d, want %d", d.Version, tt.version)
			}
		})
	}
	got, err := docs.Get(ctx, "tally", "events")
	if err != nil || string(got.Data) != `{"n":4}` || got.Version != 3 {
		t.Errorf("get %+v %v, want the last write at version 3", got, err)
	}
	if ok, _ := docs.Delete(ctx, "tally", "events"); !ok {
		t.Error("delete of an existing document said none")
	}
	if _, err := docs.Get(ctx, "tally", "events"); !errors.Is(err, sdk.ErrNotFound) {
		t.Errorf("get after delete: %v, want ErrNotFound", err)
	}
	for _, id := range []string{"b", "a", "c"} {
		if _, err := docs.Put(ctx, sdk.Document{Kind: "runs", ID: id, Data: json.RawMessage(`{}`)}, 0); err != nil {
			t.Fatal(err)
		}
	}
	page, next, err := docs.List(ctx, "runs", "", 2)
	if err != nil || len(page) != 2 || page[0].ID != "a" || page[1].ID != "b" || next != "b" {
		t.Fatalf("first page %+v next %q %v", page, next, err)
	}
	page, next, _ = docs.List(ctx, "runs", next, 2)
	if len(page) != 1 || page[0].ID != "c" || next != "" {
		t.Fatalf("second page %+v next %q", page, next)
	}
}

func TestHostRecorders(t *testing.T) {
	ctx := context.Background()
	h := seeded(PermCasesNote, PermCasesLink, PermCasesShare, PermNotificationsSend, PermCasesFields)
	if _, err := h.AddCaseNote(ctx, "c1", "已电话联系", map[string]int{"calls": 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.LinkAgency(ctx, "c1", "o1", "linkage"); err != nil {
		t.Fatal(err)
	}
	id, err := h.ShareCase(ctx, sdk.Share{CaseID: "c1", GranteeTenant: "320102", Scope: "summary", Reason: "联合调解", ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.RevokeShare(ctx, "c1", id); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Notify(ctx, sdk.Notification{Recipient: "org:o1", Title: "联动", CaseID: "c1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.UpdateCaseFields(ctx, "c1", map[string]any{"level": 2}); err != nil {
		t.Fatal(err)
	}
	if n := h.Notes(); len(n) != 1 || n[0].Text != "已电话联系" || string(n[0].Data) != `{"calls":1}` {
		t.Errorf("notes %+v", n)
	}
	if l := h.Links(); len(l) != 1 || l[0].OrganisationID != "o1" {
		t.Errorf("links %+v", l)
	}
	if s := h.Shares(); len(s) != 1 || !s[0].Revoked {
		t.Errorf("shares %+v, want one, revoked", s)
	}
	if n := h.Notifications(); len(n) != 1 || n[0].Recipient != "org:o1" {
		t.Errorf("notifications %+v", n)
	}
	if c, _ := h.Case("c1"); c.Fields["level"] != 2.0 {
		t.Errorf("fields %+v, want level 2 as JSON gives it back", c.Fields)
	}
}
