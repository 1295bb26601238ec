package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestRepoRootHasGoMod(t *testing.T) {
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("RepoRoot %s has no go.mod: %v", root, err)
	}
	wd, _ := os.Getwd()
	if rel, err := filepath.Rel(root, wd); err != nil || strings.HasPrefix(rel, "..") {
		t.Fatalf("RepoRoot %s is not an ancestor of %s", root, wd)
	}
}

func TestDefaultLocations(t *testing.T) {
	// Hermetic layout: <tmp>/repo/go.mod, <tmp>/shared/{data,beacon-v2},
	// working directory <tmp>/repo/pkg/sub.
	tmp, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(tmp, "repo")
	shared := filepath.Join(tmp, "shared")
	for _, d := range []string{filepath.Join(repo, "pkg", "sub"), filepath.Join(shared, "data"), filepath.Join(shared, "beacon-v2")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(repo, "pkg", "sub"))
	t.Setenv(EnvShared, "")
	t.Setenv(EnvSchemas, "")
	if got := RepoRoot(t); got != repo {
		t.Fatalf("RepoRoot = %s, want %s", got, repo)
	}
	if got := SharedDir(t); got != shared {
		t.Fatalf("SharedDir = %s, want %s", got, shared)
	}
	if got, want := DataDir(t), filepath.Join(shared, "data"); got != want {
		t.Fatalf("DataDir = %s, want %s", got, want)
	}
	if got, want := SchemaDir(t), filepath.Join(shared, "beacon-v2"); got != want {
		t.Fatalf("SchemaDir = %s, want %s", got, want)
	}
}

// TestRealSchemaDir checks the environment the other packages' tests use.
func TestRealSchemaDir(t *testing.T) {
	schemas := SchemaDir(t)
	if _, err := os.Stat(filepath.Join(schemas, "framework", "json", "responses", "beaconResultsetsResponse.json")); err != nil {
		t.Fatalf("SchemaDir %s does not hold the framework schemas: %v", schemas, err)
	}
	if _, err := os.Stat(filepath.Join(DataDir(t), "cineca_uk1_ega_ri_api")); err != nil {
		t.Fatalf("DataDir does not hold the reference data: %v", err)
	}
}

func TestEnvOverrides(t *testing.T) {
	tmp := t.TempDir()
	for _, d := range []string{"data", "beacon-v2", "other-schemas"} {
		if err := os.Mkdir(filepath.Join(tmp, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(EnvShared, tmp)
	t.Setenv(EnvSchemas, "")
	if got := SharedDir(t); got != tmp {
		t.Fatalf("SharedDir = %s, want %s", got, tmp)
	}
	if got, want := DataDir(t), filepath.Join(tmp, "data"); got != want {
		t.Fatalf("DataDir = %s, want %s", got, want)
	}
	if got, want := SchemaDir(t), filepath.Join(tmp, "beacon-v2"); got != want {
		t.Fatalf("SchemaDir = %s, want %s", got, want)
	}
	other := filepath.Join(tmp, "other-schemas")
	t.Setenv(EnvSchemas, other)
	if got := SchemaDir(t); got != other {
		t.Fatalf("SchemaDir with %s = %s, want %s", EnvSchemas, got, other)
	}
}

// fatalTB records Fatalf calls; Fatalf ends the calling goroutine like the
// real testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// runFatal calls fn with a fatalTB in its own goroutine and returns the
// Fatalf message ("" if fn returned normally).
func runFatal(t *testing.T, fn func(testing.TB)) string {
	tb := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(tb)
	}()
	<-done
	return tb.msg
}

func TestMissingDirFailsWithHint(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	t.Setenv(EnvShared, missing)
	t.Setenv(EnvSchemas, "")
	for name, fn := range map[string]func(testing.TB){
		"SharedDir": func(tb testing.TB) { SharedDir(tb) },
		"DataDir":   func(tb testing.TB) { DataDir(tb) },
		"SchemaDir": func(tb testing.TB) { SchemaDir(tb) },
	} {
		msg := runFatal(t, fn)
		if msg == "" {
			t.Errorf("%s: no t.Fatalf for missing %s", name, missing)
			continue
		}
		if !strings.Contains(msg, EnvShared) || !strings.Contains(msg, missing) {
			t.Errorf("%s: message %q does not name %s and the missing path", name, msg, EnvShared)
		}
	}

	t.Setenv(EnvShared, "")
	t.Setenv(EnvSchemas, missing)
	msg := runFatal(t, func(tb testing.TB) { SchemaDir(tb) })
	if !strings.Contains(msg, EnvSchemas) {
		t.Errorf("SchemaDir with bad %s: message %q does not name it", EnvSchemas, msg)
	}
}
