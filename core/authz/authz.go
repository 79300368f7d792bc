// Package authz owns Fengqiao's authorization decisions: may a subject ("user:<id>",
// "token:<id>") do an action on an object in a tenant? Casbin lives only here: RBAC with
// domains, the domain being a tenant code. A role is granted in the subject's home tenant
// ("g, user:<id>, district-admin, 310107") and applies in that tenant and every tenant below it;
// permissions are "p" rules shared by all tenants (dom "*", never copied per tenant) or, later,
// rules of one tenant. The reach down the tenant tree is the domain matching function
// subtreeMatch registered on "g", applied by this package's role manager (rolemanager.go), which
// answers as Casbin's domain role manager would at a fraction of its cost. Decisions are cached
// (Casbin's SyncedCachedEnforcer); every change of the rules clears the cache.
//
// Rules are stored through a PolicyStore (the store's casbin_rule table). The authorizer never
// writes storage behind its callers' backs except in New (seeding the default rules) and
// RevokeSubject; grants made inside another transaction are announced with Granted/Revoked once
// that transaction has committed.
package authz

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist/cache"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/division"
)

// maxCachedDecisions bounds the decision cache; when full it starts over.
const maxCachedDecisions = 1 << 18

// ErrBadRule reports a rule that does not fit the model.
var ErrBadRule = errors.New("authz: rule does not fit the model")

// RoleGrant is a role a subject holds in a tenant (its home tenant).
type RoleGrant struct {
	Role   string
	Tenant string
}

// Authorizer decides requests. It is safe for concurrent use.
type Authorizer struct {
	ps      PolicyStore
	adapter *Adapter

	reloadMu sync.Mutex // one Reload at a time

	// mu: decisions hold it shared, changes exclusively, so a decision computed before a change
	// can never be cached after it.
	mu        sync.RWMutex
	e         *casbin.SyncedCachedEnforcer
	rm        *roleManager    // e's role manager of "g"
	cache     *decisionCache  // decisions, keyed by key
	byRoles   bool            // decisions depend on the subject's roles only (see index)
	overrides map[string]bool // tenants with rules of their own
	reloading bool            // a Reload is reading storage: record changes in journal
	journal   []change        // changes applied meanwhile, replayed on the reloaded model
}

// change is one in-memory change of the rules.
type change struct {
	add     bool
	rows    [][]string // ptype first
	subject string     // when set (and rows nil): remove every grant of subject
}

// subtreeMatch is the domain matching function of "g": a grant stored in tenant D applies to a
// request in tenant R when R lies in D's subtree. Casbin's domain role manager calls it as
// fn(requestDomain, storedDomain), both when it builds the role manager of a request domain
// from the stored grants (getRoleManager: Match(domain, domain2)) and when a new grant in a
// stored domain reaches existing request domains (rangeAffectedRoleManagers: Match(domain2,
// domain)); roleManager, which replaces it, calls it the same way.
func subtreeMatch(requestDomain, grantDomain string) bool {
	return division.Contains(grantDomain, requestDomain)
}

// New builds an authorizer loading every rule from ps through the adapter, and makes the
// default rules (dom "*", owned by the code: DefaultPolicies) exactly those stored: missing ones
// are added, and "*" rules the code no longer has (an older version's defaults) removed, from
// storage and memory. On a fresh database that seeds them all.
func New(ctx context.Context, ps PolicyStore) (*Authorizer, error) {
	a := &Authorizer{ps: ps, adapter: NewAdapter(ps), cache: newDecisionCache(maxCachedDecisions)}
	e, err := a.build(ctx)
	if err != nil {
		return nil, err
	}
	var missing, stale [][]string
	m := e.GetModel()
	defaults := map[string]bool{}
	for _, d := range DefaultPolicies() {
		defaults[strings.Join(d, "\x00")] = true
		has, err := m.HasPolicy("p", d[0], d[1:])
		if err != nil {
			return nil, fmt.Errorf("authz: %w", err)
		}
		if !has {
			missing = append(missing, d)
		}
	}
	for ptype, ast := range m["p"] {
		for _, r := range ast.Policy {
			row := append([]string{ptype}, r...)
			if len(r) > 1 && r[1] == AnyTenant && !defaults[strings.Join(row, "\x00")] {
				stale = append(stale, row)
			}
		}
	}
	if len(stale) > 0 {
		if err := ps.RemovePolicyRules(ctx, stored(stale)); err != nil {
			return nil, fmt.Errorf("authz: remove former default rules: %w", err)
		}
		if err := apply(e, change{rows: stale}); err != nil {
			return nil, err
		}
	}
	if len(missing) > 0 {
		if err := ps.AddPolicyRules(ctx, missing); err != nil {
			return nil, fmt.Errorf("authz: seed default rules: %w", err)
		}
		if err := apply(e, change{add: true, rows: missing}); err != nil {
			return nil, err
		}
	}
	a.e = e
	a.index()
	return a, nil
}

// index notes what decisions depend on, after every change of the rules, and clears the
// decision cache. A decision depends on the subject only through the roles it holds where its
// roles are looked up — unless a rule names a subject instead of a role, or a role holds
// another role (then the cache keys on the whole request). It depends on the tenant acted in
// only where that tenant has rules of its own. So, keyed on (roles, tenant or "*", object,
// action, relationship), one decision serves every user of the same roles in every tenant
// without overrides: a few thousand keys for a whole country. The caller holds a.mu
// exclusively (or owns a alone).
func (a *Authorizer) index() {
	a.rm, _ = a.e.GetNamedRoleManager("g").(*roleManager)
	a.overrides = map[string]bool{}
	bySubject := false
	for _, ast := range a.e.GetModel()["p"] {
		for _, p := range ast.Policy {
			if len(p) > 1 && p[1] != AnyTenant {
				a.overrides[p[1]] = true
			}
			bySubject = bySubject || strings.IndexByte(p[0], ':') >= 0
		}
	}
	a.byRoles = a.rm != nil && !bySubject && a.rm.roleLinks() == 0
	_ = a.cache.Clear()
}

// key is the decision cache's key of r (see index).
func (a *Authorizer) key(r Request) string {
	if !a.byRoles {
		return "s$" + r.Sub + "$" + r.RoleTenant + "$" + r.Tenant + "$" + r.Obj + "$" + r.Act + "$" + r.Rel
	}
	b := make([]byte, 0, 96)
	b = append(b, "r$"...)
	b = a.rm.appendRoles(b, r.Sub, r.RoleTenant)
	b = append(b, '$')
	if a.overrides[r.Tenant] {
		b = append(b, r.Tenant...)
	} else {
		b = append(b, AnyTenant...)
	}
	for _, v := range [...]string{r.Obj, r.Act, r.Rel} {
		b = append(b, '$')
		b = append(b, v...)
	}
	return string(b)
}

// stored returns rows as storage holds them: trailing empty values trimmed (a rule loaded from
// a shorter stored row was padded).
func stored(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		n := len(r)
		for n > 1 && r[n-1] == "" {
			n--
		}
		out[i] = r[:n]
	}
	return out
}

// build returns an enforcer holding every stored rule. It has no adapter, so it can never write
// storage: changes are stored by the caller (or RevokeSubject) and applied with Self* calls.
func (a *Authorizer) build(ctx context.Context) (*casbin.SyncedCachedEnforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("authz: model: %w", err)
	}
	if err := a.adapter.LoadPolicyCtx(ctx, m); err != nil {
		return nil, fmt.Errorf("authz: load rules: %w", err)
	}
	e, err := casbin.NewSyncedCachedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("authz: enforcer: %w", err)
	}
	e.EnableAutoSave(false)
	e.EnableAutoNotifyWatcher(false)
	e.SetNamedRoleManager("g", newRoleManager())
	if !e.AddNamedDomainMatchingFunc("g", "subtree", subtreeMatch) {
		return nil, errors.New("authz: the model has no role manager for g")
	}
	if err := e.BuildRoleLinks(); err != nil {
		return nil, fmt.Errorf("authz: role links: %w", err)
	}
	// Decisions are cached by the Authorizer (see key), not by Casbin.
	e.EnableCache(false)
	return e, nil
}

// enforceContext selects the policy type (and its request, effect and matcher) of obj.
func enforceContext(obj string) casbin.EnforceContext {
	return casbin.NewEnforceContext(keyOf(obj))
}

// Request is one question: may Sub do Act on Obj?
type Request struct {
	Sub string
	// RoleTenant is where Sub's roles are looked up: the tenant acted in (a role held above it
	// reaches it), or Sub's home tenant when it acts on a case of another tenant through a share
	// or a joint mediation.
	RoleTenant string
	// Tenant is the tenant acted in (the case's tenant): its overrides apply besides the
	// defaults.
	Tenant   string
	Obj, Act string
	// Rel is Sub's relationship to the case (package access), access.None for requests about
	// no particular case.
	Rel string
}

// validRequest refuses requests that cannot name anything: a subject that is no principal
// ("<kind>:<id>"; a bare role name would match its own rules, g(x, x, dom) being true), a
// tenant that is not a 6-digit tenant code (notably "*"), an empty field, a relationship "*",
// or "$" (the separator of the cache key).
func validRequest(r Request) bool {
	if strings.IndexByte(r.Sub, ':') <= 0 || r.Rel == access.Any {
		return false
	}
	for _, dom := range [...]string{r.RoleTenant, r.Tenant} {
		if len(dom) != 6 {
			return false
		}
		if _, err := division.LevelOf(dom); err != nil {
			return false
		}
	}
	for _, s := range [...]string{r.Sub, r.Obj, r.Act, r.Rel} {
		if s == "" || strings.IndexByte(s, '$') >= 0 {
			return false
		}
	}
	return true
}

// Allowed tells whether sub may do act on obj in tenant dom, for a request about no particular
// case (relationship access.None). It errs only on internal failures; a malformed request (see
// validRequest) is simply not allowed.
func (a *Authorizer) Allowed(sub, dom, obj, act string) (bool, error) {
	return a.Decide(Request{Sub: sub, RoleTenant: dom, Tenant: dom, Obj: obj, Act: act, Rel: access.None})
}

// Decide tells whether r is allowed: some rule allows it and no rule denies it.
func (a *Authorizer) Decide(r Request) (bool, error) {
	if !validRequest(r) {
		return false, nil
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	key := a.key(r)
	if ok, err := a.cache.Get(key); err == nil {
		return ok, nil
	}
	ok, err := a.e.Enforce(enforceContext(r.Obj), r.Sub, r.RoleTenant, r.Tenant, r.Obj, r.Act, r.Rel)
	if err != nil {
		return false, fmt.Errorf("authz: enforce: %w", err)
	}
	_ = a.cache.Set(key, ok)
	return ok, nil
}

// AllowedRelationships returns those of rels for which r (its Rel ignored) is allowed, in the
// order given: the relationships a list may show a case for.
func (a *Authorizer) AllowedRelationships(r Request, rels []string) ([]string, error) {
	var out []string
	for _, rel := range rels {
		r.Rel = rel
		ok, err := a.Decide(r)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, rel)
		}
	}
	return out, nil
}

// Explanation is a decision with its reasons.
type Explanation struct {
	Allowed bool
	// Rel is the relationship decided on: the one allowed, or denied by a rule; "" when no rule
	// matched any relationship.
	Rel string
	// Rule is the rule that decided (ptype first): the allowing rule, the denying rule, or nil
	// when nothing matched.
	Rule []string
}

// Explain decides r for each of rels in turn (r.Rel ignored), like a list or a case decision
// does, and says why: the first relationship allowed and its rule; otherwise the first
// relationship a deny rule refused and that rule; otherwise nothing matched. It bypasses the
// decision cache.
func (a *Authorizer) Explain(r Request, rels []string) (Explanation, error) {
	var denied *Explanation
	for _, rel := range rels {
		r.Rel = rel
		if !validRequest(r) {
			continue
		}
		a.mu.RLock()
		ok, rule, err := a.e.EnforceEx(enforceContext(r.Obj), r.Sub, r.RoleTenant, r.Tenant, r.Obj, r.Act, r.Rel)
		a.mu.RUnlock()
		if err != nil {
			return Explanation{}, fmt.Errorf("authz: enforce: %w", err)
		}
		if ok {
			return Explanation{Allowed: true, Rel: rel, Rule: append([]string{ptypeOf(r.Obj)}, rule...)}, nil
		}
		if len(rule) > 0 && denied == nil {
			denied = &Explanation{Rel: rel, Rule: append([]string{ptypeOf(r.Obj)}, rule...)}
		}
	}
	if denied != nil {
		return *denied, nil
	}
	return Explanation{}, nil
}

// HasRole tells whether sub holds role in tenant dom itself (its own "g" rule there, not one
// of an ancestor reaching down).
func (a *Authorizer) HasRole(sub, role, dom string) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	rules, _ := a.e.GetFilteredNamedGroupingPolicy("g", 0, sub, role, dom)
	return len(rules) > 0
}

// RolesOf returns the roles sub holds (its "g" rules), sorted by role then tenant.
func (a *Authorizer) RolesOf(sub string) []RoleGrant {
	a.mu.RLock()
	rules, _ := a.e.GetFilteredNamedGroupingPolicy("g", 0, sub)
	a.mu.RUnlock()
	out := make([]RoleGrant, 0, len(rules))
	for _, r := range rules {
		if len(r) >= 3 {
			out = append(out, RoleGrant{Role: r[1], Tenant: r[2]})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Role != out[j].Role {
			return out[i].Role < out[j].Role
		}
		return out[i].Tenant < out[j].Tenant
	})
	return out
}

// Granted adds rows (ptype first, e.g. from GrantRows) to the in-memory rules after the caller
// stored them; it does not touch storage. Rows held already are ignored.
func (a *Authorizer) Granted(rows [][]string) error {
	return a.change(change{add: true, rows: rows})
}

// Revoked removes rows (ptype first) from the in-memory rules after the caller deleted them
// from storage; it does not touch storage. Rows not held are ignored.
func (a *Authorizer) Revoked(rows [][]string) error {
	return a.change(change{rows: rows})
}

// RevokeSubject deletes every grant of sub, from storage (through the PolicyStore, in its own
// statement) and from memory: for a token being revoked or a user removed outside any other
// transaction. Code that removes the grants inside its own transaction deletes them there and
// calls Revoked with the deleted rows instead.
func (a *Authorizer) RevokeSubject(ctx context.Context, sub string) error {
	if sub == "" {
		return fmt.Errorf("%w: empty subject", ErrBadRule)
	}
	if err := a.ps.RemoveFilteredPolicyRules(ctx, "g", 0, sub); err != nil {
		return fmt.Errorf("authz: revoke %s: %w", sub, err)
	}
	return a.change(change{subject: sub})
}

// Reload re-reads every rule from storage (after another server instance changed them) and
// replaces the in-memory rules and the decision cache. Decisions continue on the old rules while
// storage is read; Granted/Revoked calls made meanwhile are applied to both.
func (a *Authorizer) Reload(ctx context.Context) error {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()

	a.mu.Lock()
	a.reloading, a.journal = true, nil
	a.mu.Unlock()

	e, err := a.build(ctx)

	a.mu.Lock()
	defer a.mu.Unlock()
	journal := a.journal
	a.reloading, a.journal = false, nil
	if err != nil {
		return err
	}
	for _, ch := range journal {
		if err := apply(e, ch); err != nil {
			return err
		}
	}
	a.e = e
	a.index()
	return nil
}

// change applies ch to the current rules, clears the decision cache, and records ch for a
// Reload in progress.
func (a *Authorizer) change(ch change) error {
	if err := checkRows(ch.rows); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := apply(a.e, ch); err != nil {
		return err
	}
	a.index()
	if a.reloading {
		a.journal = append(a.journal, ch)
	}
	return nil
}

// checkRows verifies every row fits the model, before anything is applied.
func checkRows(rows [][]string) error {
	for _, r := range rows {
		if len(r) == 0 {
			return fmt.Errorf("%w: empty row", ErrBadRule)
		}
		switch {
		case isPolicyType(r[0]) && len(r) == 7, r[0] == "g" && len(r) == 4:
		default:
			return fmt.Errorf("%w: %q (want p, sub, dom, obj, act, rel, eft or g, sub, role, tenant)", ErrBadRule, r)
		}
		for _, v := range r[1:] {
			if v == "" {
				return fmt.Errorf("%w: %q has an empty value", ErrBadRule, r)
			}
		}
	}
	return nil
}

// apply changes e's rules in memory (e has no adapter, so nothing is stored) and clears its
// decision cache. The caller holds the Authorizer's lock exclusively (or owns e alone), so no
// decision runs meanwhile.
func apply(e *casbin.SyncedCachedEnforcer, ch change) error {
	m := e.GetModel()
	rows := ch.rows
	if ch.subject != "" && rows == nil {
		rules, err := e.GetFilteredNamedGroupingPolicy("g", 0, ch.subject)
		if err != nil {
			return fmt.Errorf("authz: %w", err)
		}
		for _, r := range rules {
			rows = append(rows, append([]string{"g"}, r...))
		}
	}
	byType := map[string][][]string{}
	var types []string
	for _, r := range rows {
		if !ch.add {
			// Only rows held: Casbin's batch removal refuses when some are missing.
			if has, _ := m.HasPolicy(r[0][:1], r[0], r[1:]); !has {
				continue
			}
		}
		if _, ok := byType[r[0]]; !ok {
			types = append(types, r[0])
		}
		byType[r[0]] = append(byType[r[0]], r[1:])
	}
	for _, ptype := range types {
		rules, sec := byType[ptype], ptype[:1]
		var err error
		if ch.add {
			_, err = e.SelfAddPoliciesEx(sec, ptype, rules)
		} else {
			_, err = e.SelfRemovePolicies(sec, ptype, rules)
		}
		if err != nil {
			return fmt.Errorf("authz: apply rules: %w", err)
		}
	}
	if err := e.InvalidateCache(); err != nil {
		return fmt.Errorf("authz: clear decision cache: %w", err)
	}
	return nil
}

// decisionCache is the enforcer's decision cache: a map bounded to max entries (when full it
// starts over), safe for concurrent use. Entries never expire: every rule change clears it.
type decisionCache struct {
	mu  sync.RWMutex
	m   map[string]bool
	max int
}

var _ cache.Cache = (*decisionCache)(nil)

func newDecisionCache(max int) *decisionCache {
	return &decisionCache{m: make(map[string]bool), max: max}
}

func (c *decisionCache) Set(key string, value bool, _ ...interface{}) error {
	c.mu.Lock()
	if len(c.m) >= c.max {
		c.m = make(map[string]bool)
	}
	c.m[key] = value
	c.mu.Unlock()
	return nil
}

func (c *decisionCache) Get(key string) (bool, error) {
	c.mu.RLock()
	v, ok := c.m[key]
	c.mu.RUnlock()
	if !ok {
		return false, cache.ErrNoSuchKey
	}
	return v, nil
}

func (c *decisionCache) Delete(key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; !ok {
		return cache.ErrNoSuchKey
	}
	delete(c.m, key)
	return nil
}

func (c *decisionCache) Clear() error {
	c.mu.Lock()
	c.m = make(map[string]bool)
	c.mu.Unlock()
	return nil
}

func (c *decisionCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
