package authz

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/fengqiao/fengqiao/core/access"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/kind"
	"github.com/fengqiao/fengqiao/core/valid"
)

// Rule is one "p" rule in plain terms: Role may (Effect allow) or may not (deny) do Act on Obj
// in Tenant ("*": every tenant, a default) when it stands in relationship Rel ("*": any) to
// the case.
type Rule struct {
	Role   string `json:"role"`
	Tenant string `json:"tenant"`
	Obj    string `json:"resource"`
	Act    string `json:"action"`
	Rel    string `json:"relationship"`
	Effect string `json:"effect"`
}

// Row is the rule as stored (ptype first).
func (r Rule) Row() []string {
	return []string{ptypeOf(r.Obj), r.Role, r.Tenant, r.Obj, r.Act, r.Rel, r.Effect}
}

// RuleOf reads a stored "p" row (ptype first); ok is false for anything else.
func RuleOf(row []string) (Rule, bool) {
	if len(row) != 7 || !isPolicyType(row[0]) {
		return Rule{}, false
	}
	return Rule{Role: row[1], Tenant: row[2], Obj: row[3], Act: row[4], Rel: row[5], Effect: row[6]}, true
}

// Default tells whether the rule is one of the platform's defaults (held for every tenant).
func (r Rule) Default() bool { return r.Tenant == AnyTenant }

// Errors of rule administration.
var (
	// ErrEscalation: the change would let someone do what its author may not do.
	ErrEscalation = kind.New(kind.Forbidden, "authz: a rule may not grant more than its author holds")
	// ErrDefaultRule: the defaults belong to the platform; a tenant narrows them with deny rules.
	ErrDefaultRule = kind.New(kind.Conflict, "authz: default rules cannot be changed; add a deny rule in the tenant instead")
	// ErrRuleExists and ErrRuleNotFound: adding a rule held already, removing one not held.
	ErrRuleExists   = kind.New(kind.Conflict, "authz: the rule exists already")
	ErrRuleNotFound = kind.New(kind.NotFound, "authz: no such rule")
)

// badRule is the *valid.Error naming the field of a rule at fault, wrapping ErrBadRule.
func badRule(field, message string) error { return valid.New(ErrBadRule, field, message) }

// Vocabulary returns the objects and, for each, the actions rules may name: those of the
// default policy (plus "role:<r>" assign for every role).
func Vocabulary() map[string][]string {
	out := map[string][]string{}
	for _, d := range DefaultPolicies() {
		if !slices.Contains(out[d[3]], d[4]) {
			out[d[3]] = append(out[d[3]], d[4])
		}
	}
	for _, r := range identity.Roles() {
		out[RoleObject(r)] = []string{ActAssign}
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

// CheckRule validates a rule's fields (not who may write it).
func CheckRule(r Rule) error {
	if _, ok := identity.RoleLevel(r.Role); !ok {
		return badRule("role", fmt.Sprintf("未知角色 %q，可选：%s / unknown role; one of: %s", r.Role, strings.Join(identity.Roles(), ", "), strings.Join(identity.Roles(), ", ")))
	}
	voc := Vocabulary()
	actsOf, ok := voc[r.Obj]
	if !ok {
		objs := make([]string, 0, len(voc))
		for o := range voc {
			if !strings.HasPrefix(o, "role:") {
				objs = append(objs, o)
			}
		}
		sort.Strings(objs)
		return badRule("resource", fmt.Sprintf("未知资源 %q，可选：%s 或 role:<角色> / unknown resource; one of: %s or role:<role>", r.Obj, strings.Join(objs, ", "), strings.Join(objs, ", ")))
	}
	if !slices.Contains(actsOf, r.Act) {
		return badRule("action", fmt.Sprintf("资源 %s 的操作可选：%s / actions of %s: %s", r.Obj, strings.Join(actsOf, ", "), r.Obj, strings.Join(actsOf, ", ")))
	}
	if r.Rel != access.Any && !access.IsRelationship(r.Rel) {
		rels := append([]string{access.Any, access.None}, access.CaseRelationships()...)
		return badRule("relationship", fmt.Sprintf("未知关系 %q，可选：%s / unknown relationship; one of: %s", r.Rel, strings.Join(rels, ", "), strings.Join(rels, ", ")))
	}
	if r.Effect != Allow && r.Effect != Deny {
		return badRule("effect", "effect 须为 \"allow\"（允许）或 \"deny\"（拒绝） / effect must be allow or deny")
	}
	return nil
}

// Rules returns the rules that apply in tenant: the defaults and the tenant's own, defaults
// first, each group sorted.
func (a *Authorizer) Rules(tenant string) []Rule {
	a.mu.RLock()
	var out []Rule
	for ptype, ast := range a.e.GetModel()["p"] {
		for _, p := range ast.Policy {
			if r, ok := RuleOf(append([]string{ptype}, p...)); ok && (r.Tenant == AnyTenant || r.Tenant == tenant) {
				out = append(out, r)
			}
		}
	}
	a.mu.RUnlock()
	sort.SliceStable(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if x.Default() != y.Default() {
			return x.Default()
		}
		return strings.Join(x.Row(), "\x00") < strings.Join(y.Row(), "\x00")
	})
	return out
}

// CheckChange tells whether the actor sub may add (add) or remove a
// rule of a tenant, so that no one ends up with more than the actor holds:
//   - defaults are the platform's: never changed here (ErrDefaultRule);
//   - the rule's role must be one the actor may grant in the tenant (no rules for roles above);
//   - a rule that widens (adding an allow, removing a deny) needs the actor itself to hold the
//     action on the resource over the whole tenant: for requests about no case, or as owner of
//     every case of the tenant. (A tenant's rules govern the tenant's own cases only: dom is the
//     case's tenant.) Narrowing (adding a deny, removing an allow) needs no more.
//
// Whether the actor may administer rules of the tenant at all (policies update) is the
// caller's check.
func (a *Authorizer) CheckChange(sub string, r Rule, add bool) error {
	if r.Default() {
		return ErrDefaultRule
	}
	if err := CheckRule(r); err != nil {
		return err
	}
	canGrant, err := a.Decide(Request{Sub: sub, RoleTenant: r.Tenant, Tenant: r.Tenant, Obj: RoleObject(r.Role), Act: ActAssign, Rel: access.None})
	if err != nil {
		return err
	}
	if !canGrant {
		return fmt.Errorf("%w: you may not grant role %s in %s, so you may not write its rules", ErrEscalation, r.Role, r.Tenant)
	}
	widens := (r.Effect == Allow) == add
	if !widens {
		return nil
	}
	for _, rel := range []string{access.None, access.Owner} {
		ok, err := a.Decide(Request{Sub: sub, RoleTenant: r.Tenant, Tenant: r.Tenant, Obj: r.Obj, Act: r.Act, Rel: rel})
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("%w: you do not hold %s:%s in %s yourself", ErrEscalation, r.Obj, r.Act, r.Tenant)
}
