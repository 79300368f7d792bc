package pluginhost

import (
	"github.com/fengqiao/fengqiao/core/plugins"
	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// The one place where the protocol's manifest (generated code) meets the platform's model
// (core/plugins.Manifest): the host converts what a plugin serves on receipt, and nothing
// beyond this package reads the generated types.

// manifestFromProto converts a manifest a plugin served; nil stays nil (no manifest).
func manifestFromProto(p *pluginv1.Manifest) *plugins.Manifest {
	if p == nil {
		return nil
	}
	m := &plugins.Manifest{Name: p.GetName(), Version: p.GetVersion(), ProtocolVersion: p.GetProtocolVersion(),
		Description: textFromProto(p.GetDescription()), Regions: p.GetRegions(), Permissions: p.GetPermissions(),
		SettingsSchema: p.GetSettingsSchema(), Events: p.GetEvents(), OpenAPI: p.GetOpenapi()}
	for _, h := range p.GetHooks() {
		m.Hooks = append(m.Hooks, plugins.Hook{Name: h.GetName(), TimeoutMS: h.GetTimeoutMs(), FailOpen: h.GetFailOpen()})
	}
	for _, r := range p.GetRoutes() {
		m.Routes = append(m.Routes, plugins.Route{Method: r.GetMethod(), Path: r.GetPath(), Summary: textFromProto(r.GetSummary()),
			Public: r.GetPublic(), TimeoutMS: r.GetTimeoutMs()})
	}
	for _, j := range p.GetJobs() {
		m.Jobs = append(m.Jobs, plugins.Job{Name: j.GetName(), Schedule: j.GetSchedule(), Description: textFromProto(j.GetDescription()),
			TimeoutMS: j.GetTimeoutMs()})
	}
	for _, c := range p.GetConsole() {
		m.Console = append(m.Console, plugins.ConsoleEntry{Menu: textFromProto(c.GetMenu()), Path: c.GetPath(), Kind: c.GetKind(),
			RoleHint: c.GetRoleHint()})
	}
	return m
}

// manifestToProto converts the platform's manifest back into the protocol's; nil stays nil.
// Texts are always present, as the SDK sends them.
func manifestToProto(m *plugins.Manifest) *pluginv1.Manifest {
	if m == nil {
		return nil
	}
	p := &pluginv1.Manifest{Name: m.Name, Version: m.Version, ProtocolVersion: m.ProtocolVersion,
		Description: textToProto(m.Description), Regions: m.Regions, Permissions: m.Permissions,
		SettingsSchema: m.SettingsSchema, Events: m.Events, Openapi: m.OpenAPI}
	for _, h := range m.Hooks {
		p.Hooks = append(p.Hooks, &pluginv1.HookSpec{Name: h.Name, TimeoutMs: h.TimeoutMS, FailOpen: h.FailOpen})
	}
	for _, r := range m.Routes {
		p.Routes = append(p.Routes, &pluginv1.RouteSpec{Method: r.Method, Path: r.Path, Summary: textToProto(r.Summary),
			Public: r.Public, TimeoutMs: r.TimeoutMS})
	}
	for _, j := range m.Jobs {
		p.Jobs = append(p.Jobs, &pluginv1.JobSpec{Name: j.Name, Schedule: j.Schedule, Description: textToProto(j.Description),
			TimeoutMs: j.TimeoutMS})
	}
	for _, c := range m.Console {
		p.Console = append(p.Console, &pluginv1.ConsoleEntry{Menu: textToProto(c.Menu), Path: c.Path, Kind: c.Kind, RoleHint: c.RoleHint})
	}
	return p
}

func textFromProto(t *pluginv1.Text) plugins.Text {
	return plugins.Text{Zh: t.GetZh(), En: t.GetEn()}
}

func textToProto(t plugins.Text) *pluginv1.Text { return &pluginv1.Text{Zh: t.Zh, En: t.En} }

// ManifestJSON is the manifest the plugin served, in the protocol's JSON form, every field
// present under its protocol name (protojson, UseProtoNames, EmitUnpopulated): what
// `fengqiao plugin check --json` shows plugin authors, who know their manifest by the
// protocol's names. Nil when the check got no valid manifest.
func (r *Report) ManifestJSON() ([]byte, error) {
	if r.served == nil {
		return nil, nil
	}
	return protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true}.Marshal(r.served)
}
