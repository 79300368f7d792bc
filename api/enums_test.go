package api_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/api"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/identity"
	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/fengqiao/fengqiao/core/stats"
	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/getkin/kin-openapi/openapi3"
)

func strs[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

var hanText = regexp.MustCompile(`\p{Han}`)

// TestOpenAPIEnums walks the document: every schema or parameter naming a catalogue (x-codes)
// lists exactly the catalogue's codes, each with a Chinese and an English name; the catalogues
// the domain lists are the ones shown; and the contract's coded fields carry their enum.
func TestOpenAPIEnums(t *testing.T) {
	doc, err := api.New(api.Deps{Logger: discardLogger()}).Document()
	if err != nil {
		t.Fatal(err)
	}
	sets := api.Catalogues()
	// The domain's own lists, independently of the names tables.
	domain := map[string][]string{
		"case_status":   strs(cases.Statuses()),
		"risk_level":    strs(cases.RiskLevels()),
		"role":          identity.Roles(),
		"warning_state": strs(warnings.States()),
		"group_by":      stats.Groupings(),
		"expert_field":  orgs.Fields(),
		"industry":      orgs.Industries(),
	}
	var sources, kinds, types []string
	for _, s := range cases.Sources() {
		sources = append(sources, string(s.Code))
	}
	for _, k := range orgs.Kinds() {
		kinds = append(kinds, string(k.Code))
	}
	for _, d := range cases.BuiltInTypes() {
		types = append(types, d.Code)
	}
	domain["case_source"], domain["org_kind"], domain["dispute_type"] = sources, kinds, types
	for name, want := range domain {
		if got := sets[name].Codes(); !slices.Equal(got, want) {
			t.Errorf("catalogue %s lists %v, the domain %v", name, got, want)
		}
	}
	for name, set := range sets {
		for _, n := range set {
			if !hanText.MatchString(n.ZH) || n.EN == "" || n.EN == n.Code || hanText.MatchString(n.EN) {
				t.Errorf("catalogue %s: %q needs a Chinese and an English name, has %q / %q", name, n.Code, n.ZH, n.EN)
			}
		}
	}

	// check verifies one coded schema against its catalogue; it returns the catalogue's name.
	check := func(where string, s *openapi3.Schema) string {
		name, _ := s.Extensions["x-codes"].(string)
		if name == "" {
			return ""
		}
		set, ok := sets[name]
		if !ok {
			t.Errorf("%s: unknown catalogue %q", where, name)
			return name
		}
		vals := s.Enum
		if len(vals) == 0 {
			vals, _ = s.Extensions["x-known-values"].([]any)
		}
		desc, _ := s.Extensions["x-enum-descriptions"].([]any)
		if len(vals) > 0 && vals[0] == "" { // an optional field: "" is "not applicable"
			vals, desc = vals[1:], desc[1:]
		}
		if len(vals) != len(set) || len(desc) != len(set) {
			t.Errorf("%s: %d values and %d descriptions, catalogue %s has %d", where, len(vals), len(desc), name, len(set))
			return name
		}
		for i, n := range set {
			if vals[i] != n.Code || desc[i] != n.ZH+" / "+n.EN {
				t.Errorf("%s: value %d is %v (%v), catalogue %s says %s (%s / %s)", where, i, vals[i], desc[i], name, n.Code, n.ZH, n.EN)
			}
		}
		return name
	}
	found := map[string]string{} // "Schema.path" → catalogue
	var walk func(path string, s *openapi3.Schema, depth int)
	walk = func(path string, s *openapi3.Schema, depth int) {
		if s == nil || depth > 8 {
			return
		}
		if name := check(path, s); name != "" {
			found[path] = name
		}
		for prop, ref := range s.Properties {
			walk(path+"."+prop, ref.Value, depth+1)
		}
		if s.Items != nil {
			walk(path+"[]", s.Items.Value, depth+1)
		}
	}
	for name, ref := range doc.Components.Schemas {
		walk(name, ref.Value, 0)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, p := range op.Parameters {
				s := p.Value.Schema.Value
				if s.Items != nil {
					s = s.Items.Value
				}
				if name := check(fmt.Sprint(method, " ", path, " ?", p.Value.Name), s); name != "" {
					found[op.OperationID+"?"+p.Value.Name] = name
				}
			}
		}
	}
	// The contract: where integrators meet codes.
	for key, want := range map[string]string{
		"Case.status": "case_status", "Case.source": "case_source", "Case.dispute_type": "dispute_type", "Case.risk_level": "risk_level",
		"Case.parties[].role": "party_role", "Case.sessions[].mode": "session_mode", "Case.allowed_actions[]": "case_action",
		"CreateCaseRequest.source": "case_source", "CaseActionRequest.channel": "channel", "Tenant.status": "tenant_status",
		"Tenant.level": "tenant_level", "User.roles[]": "role", "CreateUserRequest.roles[]": "role", "Organisation.kind": "org_kind",
		"Mediator.kind": "mediator_kind", "Expert.field": "expert_field", "Warning.level": "risk_level", "Warning.state": "warning_state",
		"Problem.allowed_actions[]": "case_action", "Stats.breakdowns[].by": "group_by",
		"listCases?status": "case_status", "listCases?risk_level": "risk_level", "listTenants?status": "tenant_status",
		"getStats?group_by": "group_by", "listOrganisations?kind": "org_kind", "actOnCase?action": "case_action",
		"listWarnings?level": "risk_level", "exportCases?format": "export_format",
	} {
		if found[key] != want {
			t.Errorf("%s: catalogue %q, want %q", key, found[key], want)
		}
	}
	if n := len(found); n < 60 {
		t.Errorf("only %d coded fields and parameters", n)
	}
	var names []string
	for k := range sets {
		names = append(names, k)
	}
	slices.Sort(names)
	t.Logf("%d coded fields and parameters; catalogues: %s", len(found), strings.Join(names, ", "))
}
