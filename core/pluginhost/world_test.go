package pluginhost

import (
	"bytes"
	"context"
	"testing"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/pii"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/store/storetest"
	"github.com/fengqiao/fengqiao/core/tenant"
)

// hostWorld is the fixture of the host API's database tests: a fresh real store with Putuo
// (310107) and Wujiang (320509) onboarded, the case and registry services over it, and the
// HostDeps a Manager is built with.
type hostWorld struct {
	ctx   context.Context // acting as system:test
	st    *store.Store
	cases *cases.Service
	orgs  *orgs.Service
	deps  HostDeps
}

func newHostWorld(t *testing.T) hostWorld {
	t.Helper()
	st, _ := storetest.Open(t)
	ctx := audit.WithActor(context.Background(), audit.Actor{Subject: "system:test"})
	plan, err := tenant.PlanOnboarding("000000", []string{"310107", "320509"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tenant.NewService(st, []string{"default"}, nil).Execute(ctx, "000000", plan); err != nil {
		t.Fatal(err)
	}
	ring, _ := pii.NewKeyring(map[string][]byte{"k": bytes.Repeat([]byte{1}, 32)}, "k")
	idx, _ := pii.NewIndexer(bytes.Repeat([]byte{2}, 32))
	w := hostWorld{ctx: ctx, st: st, cases: cases.NewService(st, pii.NewProtector(ring, idx)), orgs: orgs.NewService(st)}
	w.deps = HostDeps{Cases: w.cases, Orgs: w.orgs, Store: st, Stats: stats.NewService(st, nil)}
	return w
}
