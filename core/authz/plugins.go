package authz

import (
	"fmt"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

// PluginGrants decides what regional plugins may do through the host API. Each plugin is a
// Casbin subject ("plugin:<name>") holding host permissions (cases.read, cases.share…) in the
// tenants where it is enabled: the tenant whose enablement governs the call (the tenant itself,
// or the ancestor that enabled its subtree). The grants are derived from the catalog and the
// enablements (the manifest's permissions, narrowed by what the tenant granted) and replaced
// whenever those change; a plugin holds nothing anywhere else.
type PluginGrants struct {
	mu sync.RWMutex
	e  *casbin.Enforcer
}

const pluginModel = `
[request_definition]
r = sub, dom, obj

[policy_definition]
p = sub, dom, obj

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub == p.sub && r.dom == p.dom && r.obj == p.obj
`

// PluginGrant lets Plugin use Permission in Tenant.
type PluginGrant struct{ Plugin, Tenant, Permission string }

// PluginSubject is a plugin's subject in decisions and in the audit trail.
func PluginSubject(name string) string { return "plugin:" + name }

// NewPluginGrants returns grants holding nothing.
func NewPluginGrants() (*PluginGrants, error) {
	g := &PluginGrants{}
	return g, g.Replace(nil)
}

// Replace makes grants exactly what the plugins hold.
func (g *PluginGrants) Replace(grants []PluginGrant) error {
	m, err := model.NewModelFromString(pluginModel)
	if err != nil {
		return err
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return err
	}
	rules := make([][]string, 0, len(grants))
	for _, x := range grants {
		rules = append(rules, []string{PluginSubject(x.Plugin), x.Tenant, x.Permission})
	}
	if len(rules) > 0 {
		if _, err := e.AddPoliciesEx(rules); err != nil {
			return fmt.Errorf("authz: plugin grants: %w", err)
		}
	}
	g.mu.Lock()
	g.e = e
	g.mu.Unlock()
	return nil
}

// Allowed reports whether plugin may use permission in tenant.
func (g *PluginGrants) Allowed(plugin, tenant, permission string) (bool, error) {
	g.mu.RLock()
	e := g.e
	g.mu.RUnlock()
	return e.Enforce(PluginSubject(plugin), tenant, permission)
}
