package api

import (
	"slices"
	"testing"
)

// TestCodedFieldsHaveCatalogues: every field or parameter named like a code (status, kind,
// role, …) names its catalogue in fieldCodes/queryCodes, or says in notCoded why it is free.
func TestCodedFieldsHaveCatalogues(t *testing.T) {
	cc := &codeCheck{}
	if _, err := New(Deps{}).document(cc); err != nil {
		t.Fatal(err)
	}
	slices.Sort(cc.missing)
	for _, key := range cc.missing {
		t.Errorf("%s carries a coded name but no catalogue: add it to fieldCodes or queryCodes (or to notCoded, saying why)", key)
	}
	// Entries naming a field or parameter the document no longer has are stale.
	for _, table := range []map[string]string{fieldCodes, queryCodes, notCoded} {
		for key := range table {
			if !cc.seen[key] {
				t.Errorf("%s names no field or parameter of the document: remove it", key)
			}
		}
	}
}
