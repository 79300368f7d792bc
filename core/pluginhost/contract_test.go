package pluginhost

import (
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/plugins"
	"github.com/fengqiao/fengqiao/plugins/sdk"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
	"github.com/fengqiao/fengqiao/plugins/sdk/sdktest"
)

// TestHostContract runs the SDK's host-API contract (sdktest.HostCases, also run against
// sdktest.Host) against the platform's host: the Host service over gRPC, through the SDK's
// own client, on the real database. Each case gets a plugin of its own (so its own
// documents), granted what the case says, enabled in the fixture's tenant, acting for no user.
func TestHostContract(t *testing.T) {
	w := newHostWorld(t)
	ctx, caseSvc, orgSvc := w.ctx, w.cases, w.orgs
	mine, _, err := caseSvc.Create(ctx, "310107", cases.NewCase{Title: "两地交界纠纷", DisputeType: "neighbour", Source: "walk_in",
		Parties:   []cases.NewParty{{Role: "applicant", Name: "张三", Phone: "13800000001"}, {Role: "respondent", Name: "李四", Phone: "13800000002"}},
		CreatedBy: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	theirs, _, err := caseSvc.Create(ctx, "320509", cases.NewCase{Title: "另一辖区的案件", DisputeType: "neighbour", Source: "walk_in",
		Parties: []cases.NewParty{{Role: "applicant", Name: "王五"}}, CreatedBy: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	police, err := orgSvc.CreateOrganisation(ctx, "310107", orgs.NewOrganisation{Kind: "police_station", Name: "长寿路派出所"})
	if err != nil {
		t.Fatal(err)
	}
	f := sdktest.Fixture{Tenant: "310107", Other: "320509", Case: mine.ID, OtherCase: theirs.ID,
		Missing: "00000000-0000-4000-8000-0000000000ff", Agency: police.ID}
	deps := w.deps

	var n atomic.Int64
	sdktest.HostContract(t, func(t *testing.T, grant []string) (sdk.Host, sdktest.Fixture) {
		name := fmt.Sprintf("contract-%d", n.Add(1))
		cat := &memCatalog{
			recs: []plugins.Record{{Name: name, Manifest: manifest(name, grant...)}},
			ens:  []plugins.Enablement{{Plugin: name, TenantCode: f.Tenant, Enabled: true}},
		}
		m := New(cat, deps, Options{Logger: slog.New(slog.DiscardHandler)})
		if err := m.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		rec, _ := m.Record(name)
		tok := m.host.begin(rec, f.Tenant, "contract", false, nil)
		t.Cleanup(func() { m.host.end(tok) })

		srv := grpc.NewServer()
		pluginv1.RegisterHostServiceServer(srv, m.host)
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = srv.Serve(lis) }()
		t.Cleanup(srv.Stop)
		conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		return sdk.WireHost(pluginv1.NewHostServiceClient(conn), &pluginv1.HostCall{CallToken: tok, Tenant: f.Tenant}), f
	})
}
