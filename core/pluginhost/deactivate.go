package pluginhost

import (
	"context"
	"fmt"
	"time"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/warnings"
)

// Deactivation must not stop a platform whose intake must go on: a deactivated plugin's
// fail-closed before-hooks are skipped (the action proceeds, the case's history marks it
// unchecked, a metric and an error log line alert) unless the tenant's enablement marks them
// mandatory; the administrators of every tenant that enabled the plugin are told in their
// inbox, once per deactivation; and the host tries the plugin again by itself after a cool-off
// (doubling with every deactivation, capped) with one trial start.

// KindDeactivated is the inbox kind of the message telling a tenant a plugin was deactivated.
const KindDeactivated = "plugin.deactivated"

// mandatory tells whether plugin's hooks must be asked in tenant (its effective enablement).
func (m *Manager) mandatory(plugin, tenant string) bool {
	e, ok := m.Enablement(plugin, tenant)
	return ok && e.Mandatory
}

// announceDeactivation tells the tenants whose enablement of plugin is on — each once, in the
// inbox of its staff — that the plugin was deactivated, what happens meanwhile and when it is
// tried again.
func (m *Manager) announceDeactivation(plugin string, coolOff time.Duration, cause error) {
	if m.host.deps.Store == nil {
		return
	}
	m.mu.RLock()
	ens := m.ens
	m.mu.RUnlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ctx = audit.WithActor(ctx, audit.Actor{Subject: "system:plugins"})
	for _, e := range ens {
		if e.Plugin != plugin || !e.Enabled {
			continue
		}
		meanwhile := "期间其前置检查被跳过，受理和操作照常进行，案件历史记录为“未检查”（unchecked）；如须强制检查，请在启用设置中标记 \"mandatory\" / meanwhile its checks are skipped: intake and actions go on, each case marked unchecked in its history; mark the enablement mandatory to refuse them instead"
		if e.Mandatory {
			meanwhile = "本租户已将其检查标记为必需（mandatory）：期间受其检查的受理和操作将被拒绝（503） / this tenant marks its checks mandatory: meanwhile the intakes and actions it checks are refused (503)"
		}
		body := fmt.Sprintf("插件 %s 因反复崩溃已停用（%v），%s 后自动重试；%s。 / Plugin %s was deactivated after repeated crashes (%v); it is tried again in %s. %s.",
			plugin, cause, coolOff, meanwhile, plugin, cause, coolOff, meanwhile)
		if _, err := m.host.deps.Store.SendMessage(ctx, e.TenantCode, warnings.Message{Recipient: warnings.TenantRecipient(e.TenantCode),
			Kind: KindDeactivated, Title: "插件 " + plugin + " 已停用 / plugin " + plugin + " deactivated", Body: body}); err != nil {
			m.log.Error("could not tell a tenant a plugin was deactivated", "plugin", plugin, "tenant", e.TenantCode, "err", err)
		}
	}
}
