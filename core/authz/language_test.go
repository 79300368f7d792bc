package authz

import (
	"testing"

	"github.com/fengqiao/fengqiao/core/codes"
)

// TestDescribeSpeaksChinese: the policy explainer names every role, resource, action,
// relationship and tenant of the default rules (and of a tenant's own rule) in Chinese, with no
// code inside its sentences (可以写入插件接口, not 可以writeplugin_routes; 在上海市普陀区, not
// 在租户 310107).
func TestDescribeSpeaksChinese(t *testing.T) {
	rules := []Rule{
		{Role: "district-staff", Tenant: "310107", Obj: ObjPluginRoutes, Act: ActWrite, Rel: "*", Effect: Deny},
	}
	for _, row := range DefaultPolicies() {
		if r, ok := RuleOf(row); ok {
			rules = append(rules, r)
		}
	}
	if len(rules) < 50 {
		t.Fatalf("only %d rules", len(rules))
	}
	for _, r := range rules {
		if text := Describe(r); len(codes.Leaks(text, nil)) > 0 {
			t.Errorf("%v: %q leaks %q", r.Row(), text, codes.Leaks(text, nil))
		}
	}
	if got, want := Describe(rules[0]), "在上海市普陀区，区县工作人员不得写入插件接口"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
}
