package authz

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
)

// PolicyStore is what the adapter needs from storage; *store.Store implements it. A row is the
// rule type ("p", "g") followed by up to six values, trailing empty values trimmed.
type PolicyStore interface {
	// PolicyRules returns every rule.
	PolicyRules(ctx context.Context) ([][]string, error)
	// AddPolicyRules inserts rows, ignoring those that exist already.
	AddPolicyRules(ctx context.Context, rows [][]string) error
	// RemovePolicyRules deletes exactly rows; missing ones are ignored.
	RemovePolicyRules(ctx context.Context, rows [][]string) error
	// RemoveFilteredPolicyRules deletes the rows of ptype whose values from fieldIndex on equal
	// fieldValues ("" matches anything).
	RemoveFilteredPolicyRules(ctx context.Context, ptype string, fieldIndex int, fieldValues ...string) error
	// ReplacePolicyRules replaces every rule with rows in one transaction.
	ReplacePolicyRules(ctx context.Context, rows [][]string) error
}

// Adapter is a Casbin adapter over a PolicyStore. The context-free methods Casbin calls use
// context.Background(); prefer the ...Ctx methods where a context exists.
type Adapter struct {
	ps PolicyStore
}

var (
	_ persist.Adapter             = (*Adapter)(nil)
	_ persist.BatchAdapter        = (*Adapter)(nil)
	_ persist.ContextAdapter      = (*Adapter)(nil)
	_ persist.ContextBatchAdapter = (*Adapter)(nil)
)

// NewAdapter returns an adapter persisting to ps.
func NewAdapter(ps PolicyStore) *Adapter { return &Adapter{ps: ps} }

// maxValues is how many values (v0..v5) a stored rule holds.
const maxValues = 6

// row joins ptype and a rule's values into a storage row.
func row(ptype string, rule []string) ([]string, error) {
	if ptype == "" {
		return nil, errors.New("authz: empty rule type")
	}
	if len(rule) > maxValues {
		return nil, fmt.Errorf("authz: rule %s %q has more than %d values", ptype, rule, maxValues)
	}
	r := make([]string, 0, len(rule)+1)
	return append(append(r, ptype), rule...), nil
}

func rows(ptype string, rules [][]string) ([][]string, error) {
	out := make([][]string, 0, len(rules))
	for _, rule := range rules {
		r, err := row(ptype, rule)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// ruleWidth returns how many values a rule of sec/ptype has in m, or 0 when m does not define it.
func ruleWidth(m model.Model, sec, ptype string) int {
	ast, ok := m[sec][ptype]
	if !ok {
		return 0
	}
	if sec == "g" {
		return strings.Count(ast.Value, "_")
	}
	return len(ast.Tokens)
}

// LoadPolicyCtx loads every stored rule into m. Rules shorter than the model's definition are
// padded with "" (storage trims trailing empty values); a rule of an undefined type, or longer
// than its definition, is an error: Casbin would otherwise fail every decision.
func (a *Adapter) LoadPolicyCtx(ctx context.Context, m model.Model) error {
	stored, err := a.ps.PolicyRules(ctx)
	if err != nil {
		return err
	}
	for _, r := range stored {
		padded, err := fitRow(m, r)
		if err != nil {
			return fmt.Errorf("authz: stored rule %w", err)
		}
		if err := persist.LoadPolicyArray(padded, m); err != nil {
			return err
		}
	}
	return nil
}

// fitRow returns a copy of the storage row r (ptype first) padded with "" to the model's width
// for its type (storage trims trailing empty values). A row without a type, of a type m does not
// define, or longer than its definition is an error (its text starts with the row).
func fitRow(m model.Model, r []string) ([]string, error) {
	if len(r) == 0 || r[0] == "" {
		return nil, fmt.Errorf("%q has no type", r)
	}
	ptype := r[0]
	width := ruleWidth(m, ptype[:1], ptype)
	values := r[1:]
	switch {
	case width == 0:
		return nil, fmt.Errorf("%q: the model defines no rule type %q", r, ptype)
	case len(values) > width:
		return nil, fmt.Errorf("%q has %d values, rule type %q takes %d", r, len(values), ptype, width)
	}
	out := make([]string, 1+width)
	copy(out, r)
	return out, nil
}

// SavePolicyCtx replaces every stored rule with the rules of m, in one transaction.
func (a *Adapter) SavePolicyCtx(ctx context.Context, m model.Model) error {
	var all [][]string
	for _, sec := range []string{"p", "g"} {
		ptypes := make([]string, 0, len(m[sec]))
		for ptype := range m[sec] {
			ptypes = append(ptypes, ptype)
		}
		sort.Strings(ptypes)
		for _, ptype := range ptypes {
			r, err := rows(ptype, m[sec][ptype].Policy)
			if err != nil {
				return err
			}
			all = append(all, r...)
		}
	}
	return a.ps.ReplacePolicyRules(ctx, all)
}

// AddPolicyCtx stores one rule.
func (a *Adapter) AddPolicyCtx(ctx context.Context, _ string, ptype string, rule []string) error {
	return a.AddPoliciesCtx(ctx, "", ptype, [][]string{rule})
}

// AddPoliciesCtx stores rules, ignoring those stored already.
func (a *Adapter) AddPoliciesCtx(ctx context.Context, _ string, ptype string, rules [][]string) error {
	r, err := rows(ptype, rules)
	if err != nil {
		return err
	}
	return a.ps.AddPolicyRules(ctx, r)
}

// RemovePolicyCtx deletes one rule.
func (a *Adapter) RemovePolicyCtx(ctx context.Context, _ string, ptype string, rule []string) error {
	return a.RemovePoliciesCtx(ctx, "", ptype, [][]string{rule})
}

// RemovePoliciesCtx deletes rules.
func (a *Adapter) RemovePoliciesCtx(ctx context.Context, _ string, ptype string, rules [][]string) error {
	r, err := rows(ptype, rules)
	if err != nil {
		return err
	}
	return a.ps.RemovePolicyRules(ctx, r)
}

// RemoveFilteredPolicyCtx deletes the rules of ptype matching the filter ("" matches anything).
func (a *Adapter) RemoveFilteredPolicyCtx(ctx context.Context, _ string, ptype string, fieldIndex int, fieldValues ...string) error {
	return a.ps.RemoveFilteredPolicyRules(ctx, ptype, fieldIndex, fieldValues...)
}

// LoadPolicy implements persist.Adapter.
func (a *Adapter) LoadPolicy(m model.Model) error { return a.LoadPolicyCtx(context.Background(), m) }

// SavePolicy implements persist.Adapter.
func (a *Adapter) SavePolicy(m model.Model) error { return a.SavePolicyCtx(context.Background(), m) }

// AddPolicy implements persist.Adapter.
func (a *Adapter) AddPolicy(sec, ptype string, rule []string) error {
	return a.AddPolicyCtx(context.Background(), sec, ptype, rule)
}

// AddPolicies implements persist.BatchAdapter.
func (a *Adapter) AddPolicies(sec, ptype string, rules [][]string) error {
	return a.AddPoliciesCtx(context.Background(), sec, ptype, rules)
}

// RemovePolicy implements persist.Adapter.
func (a *Adapter) RemovePolicy(sec, ptype string, rule []string) error {
	return a.RemovePolicyCtx(context.Background(), sec, ptype, rule)
}

// RemovePolicies implements persist.BatchAdapter.
func (a *Adapter) RemovePolicies(sec, ptype string, rules [][]string) error {
	return a.RemovePoliciesCtx(context.Background(), sec, ptype, rules)
}

// RemoveFilteredPolicy implements persist.Adapter.
func (a *Adapter) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	return a.RemoveFilteredPolicyCtx(context.Background(), sec, ptype, fieldIndex, fieldValues...)
}
