package pluginhost

import (
	"context"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/plugins"
	"github.com/fengqiao/fengqiao/core/warnings"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

// memCatalog is a catalog of records and enablements in memory.
type memCatalog struct {
	recs []plugins.Record
	ens  []plugins.Enablement
}

func (c *memCatalog) Plugins(context.Context) ([]plugins.Record, error) { return c.recs, nil }
func (c *memCatalog) PluginEnablements(context.Context) ([]plugins.Enablement, error) {
	return c.ens, nil
}

// memDocs is the document part of HostStore in memory; the rest is not called here.
type memDocs struct {
	HostStore
	docs map[string]plugins.Document
}

func (s *memDocs) PutPluginDocument(_ context.Context, tenant, plugin string, d plugins.Document, _ int64) (plugins.Document, error) {
	d.Version++
	s.docs[tenant+"/"+plugin+"/"+d.Kind+"/"+d.ID] = d
	return d, nil
}

func (s *memDocs) CreatePluginDocument(ctx context.Context, tenant, plugin string, d plugins.Document) (plugins.Document, error) {
	if _, ok := s.docs[tenant+"/"+plugin+"/"+d.Kind+"/"+d.ID]; ok {
		return d, plugins.ErrDocExists
	}
	return s.PutPluginDocument(ctx, tenant, plugin, d, 0)
}

func (s *memDocs) PluginDocument(_ context.Context, tenant, plugin, kind, id string) (plugins.Document, error) {
	d, ok := s.docs[tenant+"/"+plugin+"/"+kind+"/"+id]
	if !ok {
		return d, plugins.ErrDocNotFound
	}
	return d, nil
}

func (s *memDocs) SendMessage(context.Context, string, warnings.Message) (string, error) {
	return "m1", nil
}

func (s *memDocs) LinkCase(_ context.Context, _, _ string, l access.Link) (access.Link, error) {
	return l, nil
}

func manifest(name string, perms ...string) *plugins.Manifest {
	return &plugins.Manifest{Name: name, Version: "1.0.0", ProtocolVersion: 1, Regions: []string{"31"}, Permissions: perms}
}

// TestHostAPIAuthorization: a host call acts only with a live token, in the token's tenant,
// with a permission the plugin holds there (Casbin grants: requested by the manifest and
// granted by the governing enablement), and a public route's call writes nothing.
func TestHostAPIAuthorization(t *testing.T) {
	cat := &memCatalog{
		recs: []plugins.Record{
			{Name: "example", Manifest: manifest("example", "cases.link", "notifications.send")},
			{Name: "other", Manifest: manifest("other", "notifications.send")},
		},
		ens: []plugins.Enablement{
			{Plugin: "example", TenantCode: "310107", Enabled: true, Permissions: []string{"cases.link"}}, // narrowed
			{Plugin: "example", TenantCode: "310000", Subtree: true, Enabled: true},                       // all it requests
			{Plugin: "other", TenantCode: "310107", Enabled: true},
		},
	}
	m := New(cat, HostDeps{Store: &memDocs{docs: map[string]plugins.Document{}}}, Options{})
	if err := m.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec := func(name string) plugins.Record { r, _ := m.Record(name); return r }
	putuo := m.host.begin(rec("example"), "310107", "r1", false, nil)
	qingpu := m.host.begin(rec("example"), "310118", "r2", false, nil) // governed by 310000's subtree
	public := m.host.begin(rec("example"), "310107", "r3", true, nil)
	other := m.host.begin(rec("other"), "310107", "r4", false, nil)
	finished := m.host.begin(rec("example"), "310107", "r5", false, nil)
	m.host.end(finished)
	doc := &pluginv1.Document{Kind: "k", Id: "1", Data: []byte(`{}`)}

	ctx := context.Background()
	for _, c := range []struct {
		name string
		call func() error
		want codes.Code
	}{
		{"document in its tenant", func() error {
			_, err := m.host.PutDocument(ctx, &pluginv1.PutDocumentRequest{Call: &pluginv1.HostCall{CallToken: putuo, Tenant: "310107"}, Document: doc})
			return err
		}, codes.OK},
		{"create-only over an existing document", func() error {
			_, err := m.host.PutDocument(ctx, &pluginv1.PutDocumentRequest{Call: &pluginv1.HostCall{CallToken: putuo, Tenant: "310107"}, Document: doc, IfAbsent: true})
			return err
		}, codes.AlreadyExists},
		{"create-only of a new document", func() error {
			_, err := m.host.PutDocument(ctx, &pluginv1.PutDocumentRequest{Call: &pluginv1.HostCall{CallToken: putuo, Tenant: "310107"},
				Document: &pluginv1.Document{Kind: "k", Id: "new", Data: []byte(`{}`)}, IfAbsent: true})
			return err
		}, codes.OK},
		{"document in another tenant", func() error {
			_, err := m.host.PutDocument(ctx, &pluginv1.PutDocumentRequest{Call: &pluginv1.HostCall{CallToken: putuo, Tenant: "310118"}, Document: doc})
			return err
		}, codes.PermissionDenied},
		{"no token", func() error {
			_, err := m.host.GetDocument(ctx, &pluginv1.GetDocumentRequest{Call: &pluginv1.HostCall{Tenant: "310107"}, Kind: "k", Id: "1"})
			return err
		}, codes.Unauthenticated},
		{"a finished call's token", func() error {
			_, err := m.host.GetDocument(ctx, &pluginv1.GetDocumentRequest{Call: &pluginv1.HostCall{CallToken: finished, Tenant: "310107"}, Kind: "k", Id: "1"})
			return err
		}, codes.Unauthenticated},
		{"another plugin's document is not found", func() error {
			_, err := m.host.GetDocument(ctx, &pluginv1.GetDocumentRequest{Call: &pluginv1.HostCall{CallToken: other, Tenant: "310107"}, Kind: "k", Id: "1"})
			return err
		}, codes.NotFound},
		{"granted here", func() error {
			_, err := m.host.LinkAgency(ctx, &pluginv1.LinkAgencyRequest{Call: &pluginv1.HostCall{CallToken: putuo, Tenant: "310107"}, CaseId: "c", OrganisationId: "o"})
			return err
		}, codes.OK},
		{"requested but not granted here", func() error {
			_, err := m.host.Notify(ctx, &pluginv1.NotifyRequest{Call: &pluginv1.HostCall{CallToken: putuo, Tenant: "310107"}, Recipient: "tenant", Title: "x"})
			return err
		}, codes.PermissionDenied},
		{"granted by the province's subtree", func() error {
			_, err := m.host.Notify(ctx, &pluginv1.NotifyRequest{Call: &pluginv1.HostCall{CallToken: qingpu, Tenant: "310118"}, Recipient: "tenant", Title: "x"})
			return err
		}, codes.OK},
		{"never requested", func() error {
			_, err := m.host.ShareCase(ctx, &pluginv1.ShareCaseRequest{Call: &pluginv1.HostCall{CallToken: putuo, Tenant: "310107"}, CaseId: "c"})
			return err
		}, codes.PermissionDenied},
		{"public route reads", func() error {
			_, err := m.host.GetDocument(ctx, &pluginv1.GetDocumentRequest{Call: &pluginv1.HostCall{CallToken: public, Tenant: "310107"}, Kind: "k", Id: "1"})
			return err
		}, codes.OK},
		{"public route writes", func() error {
			_, err := m.host.PutDocument(ctx, &pluginv1.PutDocumentRequest{Call: &pluginv1.HostCall{CallToken: public, Tenant: "310107"}, Document: doc})
			return err
		}, codes.PermissionDenied},
		{"document not JSON", func() error {
			_, err := m.host.PutDocument(ctx, &pluginv1.PutDocumentRequest{Call: &pluginv1.HostCall{CallToken: putuo, Tenant: "310107"},
				Document: &pluginv1.Document{Kind: "k", Id: "2", Data: []byte(`{`)}})
			return err
		}, codes.InvalidArgument},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := status.Code(c.call()); got != c.want {
				t.Errorf("code %s, want %s", got, c.want)
			}
		})
	}
	// The invalid argument carries a Problem naming the field, for the SDK.
	_, err := m.host.PutDocument(ctx, &pluginv1.PutDocumentRequest{Call: &pluginv1.HostCall{CallToken: putuo, Tenant: "310107"},
		Document: &pluginv1.Document{Kind: "k", Id: "2", Data: []byte(`{`)}})
	st, _ := status.FromError(err)
	var found bool
	for _, d := range st.Details() {
		if p, ok := d.(*pluginv1.Problem); ok && len(p.GetFields()) == 1 && p.GetFields()[0].GetField() == "document.data" {
			found = true
		}
	}
	if !found {
		t.Errorf("no Problem detail naming document.data: %v", st.Details())
	}
}
