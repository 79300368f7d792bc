package authz

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/fengqiao/fengqiao/core/store"
	"github.com/fengqiao/fengqiao/core/store/storetest"
)

func sortRows(rows [][]string) [][]string {
	out := append([][]string(nil), rows...)
	sort.Slice(out, func(i, j int) bool { return strings.Join(out[i], "\x00") < strings.Join(out[j], "\x00") })
	return out
}

func sameRows(got, want [][]string) bool {
	if len(got) == 0 && len(want) == 0 {
		return true
	}
	return reflect.DeepEqual(sortRows(got), sortRows(want))
}

func mustModel(t testing.TB, text string) model.Model {
	t.Helper()
	m, err := model.NewModelFromString(text)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// memoryRows returns an enforcer's rules as storage rows (ptype first).
func memoryRows(t testing.TB, e *casbin.Enforcer) [][]string {
	t.Helper()
	var out [][]string
	for _, sec := range []string{"p", "g"} {
		for ptype, ast := range e.GetModel()[sec] {
			for _, r := range ast.Policy {
				out = append(out, append([]string{ptype}, r...))
			}
		}
	}
	return out
}

// adapterModel is RBAC with domains, rules of four values: the adapter's tests store rules
// narrower than the storage's six values.
const adapterModel = `
[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub, r.dom) && (p.dom == "*" || p.dom == r.dom) && p.obj == r.obj && p.act == r.act
`

// A model with shorter rules than Fengqiao's, for rules with fewer fields.
const shortModel = `
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
`

var (
	pA = []string{"district-admin", "*", "users", "create"}
	pB = []string{"district-admin", "*", "users", "read"}
	pC = []string{"district-staff", "*", "tenants", "read"}
	pD = []string{"district-staff", "310107", "offices", "read"}
	gA = []string{"user:a", "district-admin", "310107"}
	gB = []string{"user:b", "district-staff", "310107"}
)

func withType(ptype string, rules ...[]string) [][]string {
	out := make([][]string, 0, len(rules))
	for _, r := range rules {
		out = append(out, append([]string{ptype}, r...))
	}
	return out
}

func concat(parts ...[][]string) [][]string {
	var out [][]string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestAdapter(t *testing.T) {
	ctx := context.Background()
	seedAll := concat(withType("p", pA, pB, pC, pD), withType("g", gA, gB))
	tests := []struct {
		name  string
		model string     // adapterModel when empty
		seed  [][]string // stored before the enforcer loads
		do    func(t *testing.T, e *casbin.Enforcer, a *Adapter)
		want  [][]string // stored afterwards, and what a fresh enforcer loads
	}{
		{name: "load empty", do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
			if n := len(memoryRows(t, e)); n != 0 {
				t.Fatalf("loaded %d rules from an empty store", n)
			}
		}},
		{name: "load seeded", seed: seedAll, want: seedAll, do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
			if got := memoryRows(t, e); !sameRows(got, seedAll) {
				t.Fatalf("loaded %q", got)
			}
		}},
		{name: "add single", want: withType("p", pA), do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
			mustOK(t)(e.AddPolicy(pA))
		}},
		{name: "add batch", seed: withType("p", pA), want: withType("p", pA, pB, pC), do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
			mustOK(t)(e.AddPolicies([][]string{pB, pC}))
		}},
		{name: "add grouping", want: withType("g", gA, gB), do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
			mustOK(t)(e.AddGroupingPolicies([][]string{gA, gB}))
		}},
		{name: "duplicates ignored", seed: withType("p", pA), want: withType("p", pA, pB), do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
			if err := a.AddPolicies("p", "p", [][]string{pA, pB, pB}); err != nil {
				t.Fatal(err)
			}
			if err := a.AddPolicy("p", "p", pA); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "remove single", seed: seedAll, want: concat(withType("p", pB, pC, pD), withType("g", gA, gB)), do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
			mustOK(t)(e.RemovePolicy(pA))
		}},
		{name: "remove batch", seed: seedAll, want: concat(withType("p", pB, pD), withType("g", gB)), do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
			mustOK(t)(e.RemovePolicies([][]string{pA, pC}))
			mustOK(t)(e.RemoveGroupingPolicies([][]string{gA}))
		}},
		{name: "remove filtered by v0", seed: seedAll, want: concat(withType("p", pC, pD), withType("g", gA, gB)), do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
			mustOK(t)(e.RemoveFilteredPolicy(0, "district-admin"))
		}},
		{name: "remove filtered by v1 (field index 1)", seed: seedAll, want: concat(withType("p", pD), withType("g", gA, gB)), do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
			mustOK(t)(e.RemoveFilteredPolicy(1, "*"))
		}},
		{name: "remove filtered by several values", seed: seedAll, want: concat(withType("p", pB, pC, pD), withType("g", gA, gB)), do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
			mustOK(t)(e.RemoveFilteredPolicy(1, "*", "users", "create"))
		}},
		{name: "remove filtered with empty meaning any", seed: seedAll, want: concat(withType("p", pC, pD), withType("g", gA, gB)), do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
			mustOK(t)(e.RemoveFilteredPolicy(0, "", "", "users"))
		}},
		{name: "remove filtered grouping by subject", seed: seedAll, want: concat(withType("p", pA, pB, pC, pD), withType("g", gB)), do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
			mustOK(t)(e.RemoveFilteredGroupingPolicy(0, "user:a"))
		}},
		{name: "save policy replaces all", seed: seedAll, want: concat(withType("p", pD), withType("g", gB, gA)), do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
			e.EnableAutoSave(false)
			e.ClearPolicy()
			mustOK(t)(e.AddPolicy(pD))
			mustOK(t)(e.AddGroupingPolicies([][]string{gB, gA}))
			if err := e.SavePolicy(); err != nil {
				t.Fatal(err)
			}
		}},
		{
			name:  "rules with fewer fields round-trip",
			model: shortModel,
			want:  concat(withType("p", []string{"alice", "data", "read"}), withType("g", []string{"bob", "alice"})),
			do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
				mustOK(t)(e.AddPolicy("alice", "data", "read"))
				mustOK(t)(e.AddGroupingPolicy("bob", "alice"))
				if ok, err := e.Enforce("bob", "data", "read"); err != nil || !ok {
					t.Fatalf("bob read data = %v, %v", ok, err)
				}
			},
		},
		{
			name: "trailing empty values are padded on load",
			seed: [][]string{{"p", "district-staff", "*", "tenants", ""}},
			want: [][]string{{"p", "district-staff", "*", "tenants", ""}},
			do: func(t *testing.T, e *casbin.Enforcer, a *Adapter) {
				if got := memoryRows(t, e); !sameRows(got, [][]string{{"p", "district-staff", "*", "tenants", ""}}) {
					t.Fatalf("loaded %q", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := storetest.Open(t)
			if len(tt.seed) > 0 {
				if err := s.AddPolicyRules(ctx, tt.seed); err != nil {
					t.Fatal(err)
				}
			}
			text := tt.model
			if text == "" {
				text = adapterModel
			}
			a := NewAdapter(s)
			e, err := casbin.NewEnforcer(mustModel(t, text), a)
			if err != nil {
				t.Fatalf("enforcer: %v", err)
			}
			tt.do(t, e, a)

			stored, err := s.PolicyRules(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !sameRows(stored, trimRows(tt.want)) {
				t.Fatalf("stored\n got %q\nwant %q", sortRows(stored), sortRows(trimRows(tt.want)))
			}
			// Persistence: a fresh enforcer on the same store sees the changes.
			e2, err := casbin.NewEnforcer(mustModel(t, text), NewAdapter(s))
			if err != nil {
				t.Fatalf("fresh enforcer: %v", err)
			}
			if got := memoryRows(t, e2); !sameRows(got, tt.want) {
				t.Fatalf("fresh enforcer loaded\n got %q\nwant %q", sortRows(got), sortRows(tt.want))
			}
		})
	}
}

// trimRows drops trailing empty values, as storage returns rows.
func trimRows(rows [][]string) [][]string {
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		n := len(r)
		for n > 1 && r[n-1] == "" {
			n--
		}
		out = append(out, r[:n])
	}
	return out
}

func mustOK(t *testing.T) func(bool, error) {
	return func(ok bool, err error) {
		t.Helper()
		if err != nil || !ok {
			t.Fatalf("got %v, %v; want true, nil", ok, err)
		}
	}
}

func TestAdapterLoadRefusesMisfits(t *testing.T) {
	for _, tt := range []struct {
		name string
		rows [][]string
		fits bool // Fengqiao's own model holds it (its rules are wider than adapterModel's)
	}{
		{"undefined rule type", [][]string{{"p99", "a", "b"}}, false},
		{"too many values", [][]string{{"p", "a", "*", "users", "read", "extra"}}, true},
		{"grouping with too many values", [][]string{{"g", "user:a", "r", "310107", "x"}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := storetest.Open(t)
			if err := s.AddPolicyRules(context.Background(), tt.rows); err != nil {
				t.Fatal(err)
			}
			if err := NewAdapter(s).LoadPolicy(mustModel(t, adapterModel)); err == nil {
				t.Fatal("loaded a rule the model cannot hold")
			}
			if _, err := New(context.Background(), s); !tt.fits && err == nil {
				t.Fatal("New accepted a rule the model cannot hold")
			}
		})
	}
}

var _ PolicyStore = (*store.Store)(nil)
