package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fengqiao/fengqiao/core/codes"
	"github.com/getkin/kin-openapi/openapi3"
)

// apiNames are the names of the document's fields and parameters: what a message may name in
// its Chinese half (the interface), unlike a code's value.
func apiNames(t *testing.T) func(string) bool {
	t.Helper()
	names, err := DocumentNames()
	if err != nil {
		t.Fatal(err)
	}
	return func(w string) bool { return names[w] }
}

// DocumentNames lists the names of the OpenAPI document's fields and parameters (the API rows
// of package api_test use it too).
func DocumentNames() (map[string]bool, error) {
	doc, err := New(Deps{}).Document()
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		for name, ref := range s.Properties {
			names[name] = true
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
				names[p.Value.Name] = true
			}
		}
	}
	return names, nil
}

// TestNoCodesInChineseSentences scans every Chinese message of the product — each string
// literal of the non-test Go files (problems, validation messages, catalogues, the policy
// explainer's words, warnings' texts, the command line's) — for codes where a Chinese name
// belongs (codes.Leaks). Messages built at run time are scanned where they are made: problems
// in every API row test (runRows), the policy explainer and warnings in their packages.
func TestNoCodesInChineseSentences(t *testing.T) {
	fields := apiNames(t)
	n := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(x ast.Node) bool {
			lit, ok := x.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			n++
			if leaks := codes.Leaks(s, fields); len(leaks) > 0 {
				t.Errorf("%s: %q in the Chinese of %.100q", fset.Position(lit.Pos()), leaks, s)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 1000 {
		t.Errorf("only %d strings scanned", n)
	}
}
