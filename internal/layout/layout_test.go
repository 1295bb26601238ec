// Package layout holds no code: its test enforces the package import rules of
// docs/architecture.md ("Packages and imports") on the source tree, so a shortcut through
// the layers fails `go test ./...` instead of slipping in unnoticed.
package layout

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// rules maps each package (path relative to the module root) to the packages of this module
// its non-test files may import. A package missing from the map is a violation too: a new
// package needs a rule here (and a line in docs/architecture.md). anything marks the
// packages with no restriction.
var rules = map[string][]string{
	"release/lexical":     {},
	"index":               {"release/lexical"},
	"release":             {"release/lexical"},
	"engine":              {"index", "release"},
	"ingest":              {"release", "release/lexical"},
	"api":                 {"engine", "auth", "release", "release/lexical", "ops", "ui"},
	"auth":                {},
	"ops":                 {},
	"ui":                  {},
	"network":             {"api", "release"},
	"popgen":              {"release"},
	"internal/testenv":    {"release"},
	"internal/schematest": {"internal/testenv", "release"},
	"internal/sibling":    {},
	"internal/oidctest":   {},
	"internal/layout":     {},
}

// testExtra maps a package to what its test files (package p and p_test) may import beyond
// what its non-test files may: the packages the tests build their fixtures or drive the code
// with. Test files may also import their own package and any internal/ helper. Anything not
// listed is a test reaching through the layers, which the check reports as for other files.
var testExtra = map[string][]string{
	"ingest":  {"popgen"},                                    // generated populations as input
	"engine":  {"ingest"},                                    // releases ingested from BFF and VCF files
	"api":     {"ingest", "popgen"},                          // releases to serve
	"network": {"engine", "ingest"},                          // member Beacons served in-process
	"ui":      {"api", "auth", "engine", "ingest", "popgen"}, // the page driven against a real server
}

// anything lists the package prefixes that may import any package of the module: the CLI,
// and benchmark code, which sits above the engine ("cmd → api/ingest/bench → engine → index").
var anything = []string{"cmd", "bench"}

// internalForBinaries are the internal packages the commands (cmd/, bench/cmd/) may use in
// their non-test files; every other internal package is test-only. The rules above keep
// the library packages from importing them.
var internalForBinaries = []string{"internal/sibling"}

// sqlDrivers (DuckDB, PostgreSQL's pgx) are kept out of the server binary: only the
// benchmark comparators in sqlDriversHome may import them.
var sqlDrivers = []string{"github.com/marcboeker/go-duckdb", "github.com/jackc/pgx"}

const sqlDriversHome = "bench/compare"

// sqlDriver reports whether an import path belongs to one of sqlDrivers.
func sqlDriver(ip string) bool {
	return slices.ContainsFunc(sqlDrivers, func(d string) bool { return ip == d || strings.HasPrefix(ip, d+"/") })
}

// pkgImports is what the files of one package import, its non-test and its test files apart.
type pkgImports struct {
	rel         string              // package directory relative to the module root, slash-separated
	imports     map[string][]string // import path → non-test files importing it
	testImports map[string][]string // import path → _test.go files importing it
	sources     int                 // non-test files
}

// scan parses the imports of every .go file under root (skipping testdata, hidden
// and underscore directories and nested modules) and returns the module path and the
// packages found, sorted.
func scan(root string) (string, []pkgImports, error) {
	modData, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", nil, err
	}
	module := ""
	for _, line := range strings.Split(string(modData), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
			module = strings.Trim(f[1], `"`)
		}
	}
	if module == "" {
		return "", nil, fmt.Errorf("%s/go.mod names no module", root)
	}
	byDir := map[string]*pkgImports{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root {
				if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
					return filepath.SkipDir
				}
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
					return filepath.SkipDir // another module
				}
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(p))
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		pi := byDir[rel]
		if pi == nil {
			pi = &pkgImports{rel: rel, imports: map[string][]string{}, testImports: map[string][]string{}}
			byDir[rel] = pi
		}
		into := pi.testImports
		if !strings.HasSuffix(name, "_test.go") {
			into = pi.imports
			pi.sources++
		}
		for _, is := range f.Imports {
			ip, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				return fmt.Errorf("%s: %v", p, err)
			}
			into[ip] = append(into[ip], name)
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	var out []pkgImports
	for _, pi := range byDir {
		out = append(out, *pi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return module, out, nil
}

func underAny(rel string, prefixes []string) bool {
	for _, p := range prefixes {
		if rel == p || strings.HasPrefix(rel, p+"/") {
			return true
		}
	}
	return false
}

// check returns one message per broken rule.
func check(module string, pkgs []pkgImports) []string {
	var bad []string
	for _, pi := range pkgs {
		bad = append(bad, checkFiles(module, pi.rel, pi.imports, false)...)
		bad = append(bad, checkFiles(module, pi.rel, pi.testImports, true)...)
		if _, ok := rules[pi.rel]; !ok && !underAny(pi.rel, anything) {
			bad = append(bad, fmt.Sprintf("package %s has no import rule: add it to internal/layout and docs/architecture.md", path.Join(module, pi.rel)))
		}
	}
	return bad
}

// checkFiles checks the imports of one package's non-test files, or of its test files.
func checkFiles(module, rel string, imports map[string][]string, tests bool) []string {
	var bad []string
	ips := make([]string, 0, len(imports))
	for ip := range imports {
		ips = append(ips, ip)
	}
	sort.Strings(ips)
	for _, ip := range ips {
		files := strings.Join(imports[ip], ", ")
		if sqlDriver(ip) && !underAny(rel, []string{sqlDriversHome}) {
			bad = append(bad, fmt.Sprintf("%s (%s) imports %s: SQL drivers stay out of the server binary (%s only)", rel, files, ip, sqlDriversHome))
		}
		if ip != module && !strings.HasPrefix(ip, module+"/") {
			continue
		}
		dep := strings.TrimPrefix(strings.TrimPrefix(ip, module), "/")
		internal := dep == "internal" || strings.HasPrefix(dep, "internal/")
		if tests && (internal || dep == rel) {
			continue // test helpers, and an external test package importing its package
		}
		if internal && !slices.Contains(internalForBinaries, dep) && !underAny(rel, []string{"internal"}) {
			bad = append(bad, fmt.Sprintf("%s (%s) imports %s: internal/ is test-only, import it from _test.go files", rel, files, dep))
			continue
		}
		allowed, ok := rules[rel]
		if !ok {
			continue // unrestricted, or reported once by check
		}
		if tests {
			allowed = append(slices.Clip(allowed), testExtra[rel]...)
		}
		if !slices.Contains(allowed, dep) {
			which := "allows"
			if tests {
				which = "allows its tests"
			}
			bad = append(bad, fmt.Sprintf("%s (%s) imports %s; docs/architecture.md %s %s", rel, files, dep, which, describe(allowed)))
		}
	}
	return bad
}

func describe(allowed []string) string {
	if len(allowed) == 0 {
		return "no package of this module"
	}
	return strings.Join(allowed, ", ")
}

// repoRoot walks up from the working directory to the directory holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			t.Fatalf("no go.mod above %s", wd)
		}
	}
}

func TestImportRules(t *testing.T) {
	root := repoRoot(t)
	module, pkgs, err := scan(root)
	if err != nil {
		t.Fatal(err)
	}
	// The scan must see the packages the rules talk about, or it proves nothing.
	seen := map[string]bool{}
	for _, pi := range pkgs {
		seen[pi.rel] = true
	}
	for rel := range rules {
		if !seen[rel] {
			t.Errorf("package %s of the rules has no Go file under %s", rel, root)
		}
	}
	if !seen["cmd/bitbeacon"] {
		t.Errorf("cmd/bitbeacon not found under %s", root)
	}
	for _, msg := range check(module, pkgs) {
		t.Error(msg)
	}
}

// TestCheckerCatchesViolations runs the checker on a throw-away module with every kind of
// violation, so a checker that silently passes everything cannot go unnoticed.
func TestCheckerCatchesViolations(t *testing.T) {
	root := t.TempDir()
	write := func(rel, src string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const m = "example.com/x"
	write("go.mod", "module "+m+"\n\ngo 1.26\n")
	write("index/a.go", "package index\n\nimport _ \""+m+"/engine\"\n")                       // index → engine
	write("release/a.go", "package release\n\nimport (\n\t\"fmt\"\n\t_ \""+m+"/index\"\n)\n") // release → index
	write("release/lexical/a.go", "package lexical\n\nimport _ \""+m+"/release\"\n")          // the leaf → release
	write("engine/a.go", "package engine\n\nimport (\n\t_ \""+m+"/index\"\n\t_ \""+m+"/release\"\n)\n")
	write("engine/b.go", "package engine\n\nimport _ \""+m+"/api\"\n")      // engine → api
	write("engine/b_test.go", "package engine\n\nimport _ \""+m+"/api\"\n") // a test reaching up
	write("engine/c_test.go", "package engine_test\n\nimport (\n\t_ \""+m+"/engine\"\n\t_ \""+m+"/ingest\"\n\t_ \""+m+"/internal/testenv\"\n)\n")
	write("index/a_test.go", "package index\n\nimport _ \""+m+"/ingest\"\n")           // engine's tests may, index's not
	write("api/a_test.go", "package api\n\nimport _ \"github.com/jackc/pgx/v5\"\n")    // a driver in a test
	write("ui/a_test.go", "package ui_test\n\nimport _ \""+m+"/api\"\n")               // testExtra
	write("testonly/a_test.go", "package testonly\n")                                  // no rule, tests only
	write("ingest/a.go", "package ingest\n\nimport _ \""+m+"/engine\"\n")              // ingest → engine
	write("api/a.go", "package api\n\nimport _ \""+m+"/ingest\"\n")                    // api → ingest
	write("api/b.go", "package api\n\nimport _ \"github.com/marcboeker/go-duckdb\"\n") // duckdb outside bench
	write("popgen/a.go", "package popgen\n\nimport _ \""+m+"/engine\"\n")              // popgen → engine
	write("bench/duck/a.go", "package duck\n\nimport (\n\t_ \"github.com/marcboeker/go-duckdb/v2\"\n\t_ \""+m+"/engine\"\n)\n")
	write("bench/load/a.go", "package load\n\nimport _ \"github.com/jackc/pgx/v5\"\n") // pgx outside bench/compare
	write("bench/compare/a.go", "package compare\n\nimport (\n\t_ \"github.com/jackc/pgx/v5/stdlib\"\n\t_ \"github.com/marcboeker/go-duckdb\"\n\t_ \""+m+"/engine\"\n)\n")
	write("bench/x/a.go", "package x\n\nimport _ \"github.com/jackc/pgxlike\"\n") // only a name prefix: allowed
	write("cmd/x/main.go", "package main\n\nimport _ \""+m+"/api\"\n")
	write("cmd/y/main.go", "package main\n\nimport _ \""+m+"/internal/testenv\"\n") // internal in a binary
	write("internal/testenv/a.go", "package testenv\n")
	write("newpkg/a.go", "package newpkg\n") // no rule
	write("testdata/a.go", "package bad\n\nimport _ \""+m+"/engine\"\n")
	write("index/testdata/x.go", "package bad\n\nimport _ \""+m+"/engine\"\n")

	module, pkgs, err := scan(root)
	if err != nil {
		t.Fatal(err)
	}
	if module != m {
		t.Fatalf("module %q", module)
	}
	got := check(module, pkgs)
	want := []string{
		"index (a.go) imports engine",
		"release (a.go) imports index",
		"release/lexical (a.go) imports release",
		"engine (b.go) imports api",
		"engine (b_test.go) imports api",
		"index (a_test.go) imports ingest",
		"api (a_test.go) imports github.com/jackc/pgx/v5",
		"package example.com/x/testonly has no import rule",
		"ingest (a.go) imports engine",
		"api (a.go) imports ingest",
		"api (b.go) imports github.com/marcboeker/go-duckdb",
		"popgen (a.go) imports engine",
		"bench/duck (a.go) imports github.com/marcboeker/go-duckdb/v2",
		"bench/load (a.go) imports github.com/jackc/pgx/v5",
		"cmd/y (main.go) imports internal/testenv",
		"package example.com/x/newpkg has no import rule",
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
			t.Errorf("no violation %q reported; got:\n%s", w, strings.Join(got, "\n"))
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d violations, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
}

// plotting is the plotting library of the benchmark report: only bench/cmd/bitbeacon-bench
// links it (520 dependencies and 71 MB when the server did).
const plotting = "gonum.org/v1/plot"

// sqlPackage is the standard library's SQL layer, which every driver registers with. Its
// database/sql/driver (interfaces only) is linked into the server through the Parquet
// library's Thrift code and github.com/google/uuid, and is no SQL engine.
const sqlPackage = "database/sql"

// TestServerBinaryLinksNeitherSQLNorPlotting checks the linked dependencies, not just direct
// imports: nothing cmd/bitbeacon links may pull in database/sql, DuckDB, pgx or the plotting
// library. The comparator and benchmark binaries, which must link them, prove the check sees
// them.
func TestServerBinaryLinksNeitherSQLNorPlotting(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("no go command in PATH: the check reads `go list -deps`")
	}
	root := repoRoot(t)
	deps := func(pkg string) []string {
		cmd := exec.Command(goBin, "list", "-deps", pkg)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	isPlotting := func(d string) bool { return d == plotting || strings.HasPrefix(d, plotting+"/") }
	for _, d := range deps("./cmd/bitbeacon") {
		if sqlDriver(d) || d == sqlPackage {
			t.Errorf("cmd/bitbeacon links %s: SQL belongs to the comparator binary only", d)
		}
		if isPlotting(d) {
			t.Errorf("cmd/bitbeacon links %s: plotting belongs to bitbeacon-bench only", d)
		}
	}
	if !slices.ContainsFunc(deps("./bench/cmd/bitbeacon-bench"), isPlotting) {
		t.Errorf("bench/cmd/bitbeacon-bench does not link %s; the check above would prove nothing", plotting)
	}
	var linked []string
	for _, d := range deps("./bench/cmd/bitbeacon-compare") {
		if sqlDriver(d) || d == sqlPackage {
			linked = append(linked, d)
		}
	}
	for _, want := range append([]string{sqlPackage}, sqlDrivers...) {
		if !slices.ContainsFunc(linked, func(d string) bool { return d == want || strings.HasPrefix(d, want+"/") }) {
			t.Errorf("bench/cmd/bitbeacon-compare does not link %s; the check above would prove nothing", want)
		}
	}
}
