package main

// The import walls of the module (issue 13, item 5): each framework lives in one room, core
// knows no edge, the plugin SDK knows no host, a plugin knows only the SDK. The test reads the
// packages with `go list` and fails on any import that crosses a wall, naming the package, the
// import and the rule — so that the walls hold by themselves, not by review.
//
// The walls govern the code that ships (a package's non-test imports). Test files are held to
// the walls whose rows say tests: true; the others let tests reach across on purpose: the
// command line's key test reads the database as its owner with pgx (it plays a dump's
// attacker), the fault-test plugin's test launches it with go-plugin as the host would, the
// example plugin's test drives it with the protocol's messages.

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/fengqiao/fengqiao"

// listedPackage is what `go list -json` says of one package of the module.
type listedPackage struct {
	ImportPath   string
	Imports      []string // direct, non-test
	TestImports  []string // of its _test.go files in the package
	XTestImports []string // of its external _test package
	Deps         []string // every package it depends on, transitively (non-test)
}

// wall is one import rule.
type wall struct {
	name string // the rule, as the failure states it
	why  string
	// applies says which packages of the module the rule governs.
	applies func(pkg string) bool
	// forbids says whether pkg may not import imp.
	forbids func(pkg, imp string) bool
	// closure: the rule holds for every dependency, not only the direct imports.
	closure bool
	// tests: the packages' test files are held to the rule too (their direct imports).
	tests bool
	// alive is a package outside the rule's reach that imports what the rule forbids: proof
	// that the rule's matcher matches a real import path (a typo would make it hold vacuously).
	alive string
}

// walls are the rules, one row each.
var walls = []wall{
	{
		name:    "Echo lives only in api/",
		why:     "HTTP is the edge's concern; cmd/fengqiao may build the api package's server but uses no Echo itself",
		applies: not(in("api")),
		forbids: imports("github.com/labstack/echo"),
		tests:   true,
		alive:   "api",
	},
	{
		name:    "viper lives only in core/config",
		why:     "the configuration is read and validated in one place; everything else receives a config.Config",
		applies: not(in("core/config")),
		forbids: imports("github.com/spf13/viper"),
		tests:   true,
		alive:   "core/config",
	},
	{
		name:    "Casbin lives only in core/authz",
		why:     "authorization decisions have one owner; others ask core/authz",
		applies: not(in("core/authz")),
		forbids: imports("github.com/casbin"),
		tests:   true,
		alive:   "core/authz",
	},
	{
		name:    "the PostgreSQL driver (pgx) lives only in core/store and core/jobs",
		why:     "SQL and driver errors stay in the store, which translates them; domain packages know no SQL",
		applies: not(in("core/store", "core/jobs")),
		forbids: imports("github.com/jackc/"),
		alive:   "core/store",
	},
	{
		name:    "goose (migrations) lives only in core/store and core/jobs",
		why:     "the schema is the store's",
		applies: not(in("core/store", "core/jobs")),
		forbids: imports("github.com/pressly/goose"),
		tests:   true,
		alive:   "core/store",
	},
	{
		name:    "River (the job queue) lives only in core/store and core/jobs",
		why:     "the queue is run by the jobs package on the store's pool; others enqueue through them",
		applies: not(in("core/store", "core/jobs")),
		forbids: imports("github.com/riverqueue/river"),
		tests:   true,
		alive:   "core/store",
	},
	{
		name:    "go-plugin lives only in core/pluginhost and plugins/sdk",
		why:     "the plugin protocol's transport is the host's and the SDK's; plugins are written with the SDK",
		applies: not(in("core/pluginhost", "plugins/sdk")),
		forbids: imports("github.com/hashicorp/go-plugin"),
		alive:   "core/pluginhost",
	},
	{
		name: "the generated protocol (plugins/sdk/proto) is imported only by core/pluginhost, plugins/sdk and the fault-test plugin",
		why: "the wire types are converted at the host's and the SDK's edge; the platform has its own plugin model (core/plugins); " +
			"the fault-test plugin (plugins/internal/faulty) speaks the raw protocol to misbehave",
		applies: not(in("core/pluginhost", "plugins/sdk", "plugins/internal")),
		forbids: imports(module + "/plugins/sdk/proto"),
		alive:   "core/pluginhost",
	},
	{
		name:    "nothing in core/ depends on api or cmd/",
		why:     "core is the domain and its adapters; the HTTP edge and the composition root (cmd/fengqiao/app) sit above it",
		applies: in("core"),
		forbids: imports(module+"/api", module+"/cmd"),
		closure: true,
		tests:   true,
	},
	{
		name:    "plugins/sdk depends on nothing of the host",
		why:     "plugins build against the SDK alone, and the SDK must not drag the host (core/, api, cmd/) into every plugin",
		applies: in("plugins/sdk"),
		forbids: func(_, imp string) bool { return inModule(imp) && !in("plugins/sdk")(rel(imp)) },
		closure: true,
		tests:   true,
	},
	{
		name: "a plugin imports nothing of this module but plugins/sdk and its own packages",
		why: "a plugin is built against the SDK only, as a regional plugin in its own repository would be; " +
			"plugins/internal/<name> (the fault-test plugin) is a plugin like the others",
		applies: func(pkg string) bool { return in("plugins")(pkg) && !in("plugins/sdk")(pkg) },
		forbids: func(pkg, imp string) bool {
			return inModule(imp) && !in("plugins/sdk", pluginRoot(pkg))(rel(imp))
		},
		tests: true,
	},
}

func TestImportWalls(t *testing.T) {
	pkgs := listPackages(t)
	byPath := map[string]listedPackage{}
	for _, p := range pkgs {
		byPath[rel(p.ImportPath)] = p
	}
	for _, must := range []string{"api", "core/config", "core/store", "core/pluginhost", "plugins/sdk", "cmd/fengqiao/app"} {
		if _, ok := byPath[must]; !ok {
			t.Fatalf("go list did not list %s: the test reads the wrong packages", must)
		}
	}
	for _, w := range walls {
		t.Run(w.name, func(t *testing.T) {
			if w.alive != "" {
				p, ok := byPath[w.alive]
				if !ok || !slices.ContainsFunc(p.Imports, func(imp string) bool { return w.forbids("", imp) }) {
					t.Fatalf("%s imports nothing this rule forbids elsewhere: its import path is wrong", w.alive)
				}
			}
			governed := 0
			for _, p := range pkgs {
				pkg := rel(p.ImportPath)
				if !w.applies(pkg) {
					continue
				}
				governed++
				for _, b := range breaches(w, p) {
					t.Errorf("%s %s %s\n\trule: %s (%s)", pkg, b.how, rel(b.imp), w.name, w.why)
					if b.how == "depends on" {
						t.Logf("\t%s: %s", pkg, strings.Join(importChain(byPath, pkg, rel(b.imp)), " → "))
					}
				}
			}
			if governed == 0 {
				t.Errorf("the rule governs no package: its scope is wrong")
			}
		})
	}
}

// breach is one forbidden import of a package.
type breach struct{ how, imp string }

// breaches are p's imports that w forbids.
func breaches(w wall, p listedPackage) []breach {
	pkg := rel(p.ImportPath)
	var out []breach
	seen := map[string]bool{}
	add := func(how string, imps []string) {
		for _, imp := range imps {
			if !seen[imp] && imp != p.ImportPath && w.forbids(pkg, imp) {
				seen[imp] = true
				out = append(out, breach{how, imp})
			}
		}
	}
	add("imports", p.Imports)
	if w.tests {
		add("imports in its tests", p.TestImports)
		add("imports in its tests", p.XTestImports)
	}
	if w.closure {
		add("depends on", p.Deps)
	}
	return out
}

// importChain is a shortest chain of direct imports from one package of the module to another.
func importChain(byPath map[string]listedPackage, from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			var chain []string
			for c := to; c != ""; c = prev[c] {
				chain = append(chain, c)
			}
			slices.Reverse(chain)
			return chain
		}
		for _, imp := range byPath[cur].Imports {
			if n := rel(imp); inModule(imp) {
				if _, ok := prev[n]; !ok {
					prev[n] = cur
					queue = append(queue, n)
				}
			}
		}
	}
	return []string{from, "…", to}
}

// listPackages lists every package of the module with its imports.
func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,TestImports,XTestImports,Deps", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found %d packages: the test reads the wrong tree", len(pkgs))
	}
	return pkgs
}

// inModule tells whether an import path is a package of this module.
func inModule(imp string) bool { return imp == module || strings.HasPrefix(imp, module+"/") }

// rel is a module package's path relative to the module (others unchanged).
func rel(imp string) string {
	if inModule(imp) {
		return strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
	}
	return imp
}

// in matches the module packages (relative paths) at or below one of dirs.
func in(dirs ...string) func(pkg string) bool {
	return func(pkg string) bool {
		return slices.ContainsFunc(dirs, func(d string) bool { return pkg == d || strings.HasPrefix(pkg, d+"/") })
	}
}

func not(f func(string) bool) func(string) bool { return func(s string) bool { return !f(s) } }

// imports forbids the import paths at or below one of prefixes (full import paths; a prefix
// ending in "/" matches any path that starts with it).
func imports(prefixes ...string) func(pkg, imp string) bool {
	return func(_, imp string) bool {
		return slices.ContainsFunc(prefixes, func(p string) bool {
			return imp == p || strings.HasPrefix(imp, strings.TrimSuffix(p, "/")+"/")
		})
	}
}

// pluginRoot is the folder of the plugin a package belongs to: plugins/<name>, or
// plugins/internal/<name> for the repository's own test plugins.
func pluginRoot(pkg string) string {
	parts := strings.Split(pkg, "/")
	n := 2
	if len(parts) > 2 && parts[1] == "internal" {
		n = 3
	}
	return strings.Join(parts[:min(n, len(parts))], "/")
}
