package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeLayoutListsEveryPackage keeps the README's layout table true (issue 13, item 10):
// every package of the module is named, in backquotes, in the table, so that a new package
// comes with its line.
func TestReadmeLayoutListsEveryPackage(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, layout, ok := strings.Cut(string(readme), "\n## Layout\n")
	if !ok {
		t.Fatal("README.md has no \"## Layout\" section")
	}
	if next := strings.Index(layout, "\n## "); next >= 0 {
		layout = layout[:next]
	}
	for _, p := range listPackages(t) {
		pkg := rel(p.ImportPath)
		if pkg == "" {
			continue
		}
		if !strings.Contains(layout, "`"+pkg+"`") {
			t.Errorf("the README's layout table does not name `%s`: add a line saying what it holds", pkg)
		}
	}
}
