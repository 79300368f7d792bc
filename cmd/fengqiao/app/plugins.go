package app

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/pluginhost"
)

// startPlugins starts the plugin platform: every installed plugin runs, before-hooks run on
// case changes; the queue (App.Queue, built with the manager) hands plugins their events and
// jobs.
func startPlugins(ctx context.Context, a *App, hooks *pluginHooks, o Options) error {
	po := o.PluginHost
	if po.Logger == nil {
		po.Logger = a.Log
	}
	m := pluginhost.New(a.Store, pluginhost.HostDeps{Cases: a.Cases, Orgs: a.Orgs, Store: a.Store, Stats: a.Stats, Authz: a.Authz, Access: a.Store}, po)
	hooks.m = m // before Start: no plugin runs, no case changes yet
	a.Plugins = m
	reg := o.Registerer
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	if err := m.Register(reg); err != nil {
		return err
	}
	var w pluginhost.Watcher
	if o.WatchPlugins {
		w = a.Store
	}
	if err := m.Start(ctx, w); err != nil {
		return fmt.Errorf("plugins: %w", err)
	}
	return nil
}

// pluginHooks gives the case service the plugins' before-hooks. The case service and the plugin
// manager need each other — the manager's host API reads and changes cases through the service —
// so the service is built with this forwarder, and the manager, built next, is put in it once,
// before either runs.
type pluginHooks struct{ m *pluginhost.Manager }

func (h *pluginHooks) BeforeCase(ctx context.Context, tenantCode, hook string, c cases.Case, input any) (*cases.Unchecked, error) {
	return h.m.BeforeCase(ctx, tenantCode, hook, c, input)
}

func (h *pluginHooks) Hooked(tenantCode, hook string) bool { return h.m.Hooked(tenantCode, hook) }

var _ cases.Hooks = (*pluginHooks)(nil)
