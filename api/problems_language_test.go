package api_test

import (
	"sync"
	"testing"

	"github.com/fengqiao/fengqiao/api"
	"github.com/fengqiao/fengqiao/core/codes"
)

var (
	fieldNamesOnce sync.Once
	fieldNames     map[string]bool
)

// isAPIName tells the names of the document's fields and parameters, which a problem may name.
func isAPIName(name string) bool {
	fieldNamesOnce.Do(func() {
		var err error
		if fieldNames, err = api.DocumentNames(); err != nil {
			panic(err)
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
