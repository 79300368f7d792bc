package api_test

import (
	"sync"
	"testing"

	"github.com/fengqiao/fengqiao/api"
	"github.com/fengqiao/fengqiao/core/codes"
	"github.com/getkin/kin-openapi/openapi3"
)

var (
	fieldNamesOnce sync.Once
	fieldNames     map[string]bool
)

// isAPIName tells the names of the document's fields and parameters, which a problem may name.
func isAPIName(name string) bool {
	fieldNamesOnce.Do(func() {
		fieldNames = map[string]bool{}
		doc, err := api.New(api.Deps{Logger: discardLogger()}).Document()
		if err != nil {
			panic(err)
		}
		seen := map[*openapi3.Schema]bool{}
		var walk func(s *openapi3.Schema)
		walk = func(s *openapi3.Schema) {
			if s == nil || seen[s] {
				return
			}
			seen[s] = true
			for name, ref := range s.Properties {
				fieldNames[name] = true
				walk(ref.Value)
			}
			if s.Items != nil {
				walk(s.Items.Value)
			}
		}
		for _, ref := range doc.Components.Schemas {
			walk(ref.Value)
		}
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				for _, p := range op.Parameters {
					fieldNames[p.Value.Name] = true
				}
			}
		}
	})
	return fieldNames[name]
}

// checkProblemLanguage fails a row whose problem puts a code inside its Chinese sentences: every
// problem the API rows meet is scanned as it is made, values filled in.
func checkProblemLanguage(t *testing.T, title, detail string) {
	t.Helper()
	for _, text := range []string{title, detail} {
		if leaks := codes.Leaks(text, isAPIName); len(leaks) > 0 {
			t.Errorf("codes %q inside the Chinese of the problem %q", leaks, text)
		}
	}
}
