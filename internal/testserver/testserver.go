// Package testserver is the test harness the api, network and bench tests share: one
// temporary directory per test process (removed when the tests end), test releases built
// in it once per process (the fixture, popgen populations, or any build a test names), and
// servers on loopback. It imports no server package (api's own tests use it): only ingest
// and popgen, to build releases.
package testserver

import (
	"cmp"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
	"github.com/bitbeacon/bitbeacon/popgen"
)

var (
	tmpOnce sync.Once
	tmpDir  string
	tmpErr  error
	builds  sync.Map // name → *build
)

// Main runs the tests and then removes the temporary directory; a test package's TestMain
// is `func TestMain(m *testing.M) { testserver.Main(m) }`.
func Main(m *testing.M) {
	code := m.Run()
	if tmpDir != "" {
		os.RemoveAll(tmpDir)
	}
	os.Exit(code)
}

// TempDir is the test process's temporary directory, made on first use.
func TempDir(tb testing.TB) string {
	tmpOnce.Do(func() { tmpDir, tmpErr = os.MkdirTemp("", "bitbeacon-test-") })
	if tmpErr != nil {
		tb.Fatal(tmpErr)
	}
	return tmpDir
}

type build struct {
	once sync.Once
	dir  string
	err  error
}

// Release returns the release root that buildIn builds for name, once per process: buildIn
// gets the directory TempDir/name to build in and returns the root. A failed build fails
// every test that asks for it.
func Release(tb testing.TB, name string, buildIn func(dir string) (string, error)) string {
	tb.Helper()
	v, _ := builds.LoadOrStore(name, &build{})
	b := v.(*build)
	b.once.Do(func() {
		// Stays the error if buildIn ends the goroutine (a t.Fatal inside it).
		b.err = errors.New("the build was aborted earlier")
		b.dir, b.err = buildIn(filepath.Join(TempDir(tb), name))
	})
	if b.err != nil {
		tb.Fatalf("building test release %s: %v", name, b.err)
	}
	return b.dir
}

// FixtureInputs lists the files of testdata/fixture, the small release most tests query.
func FixtureInputs(tb testing.TB) []string {
	fx := filepath.Join(testenv.RepoRoot(tb), "testdata", "fixture")
	var in []string
	for _, f := range []string{"individuals.json", "biosamples.json", "runs.json", "analyses.json",
		"genomicVariations.json", "datasets.json", "cohorts.json", "fixture.obo"} {
		in = append(in, filepath.Join(fx, f))
	}
	return in
}

// Fixture is the release of testdata/fixture ingested as dataset id (GRCh38), once per
// process and id.
func Fixture(tb testing.TB, id string) string {
	return Release(tb, "fixture-"+id, func(dir string) (string, error) {
		out := filepath.Join(dir, "release")
		_, err := ingest.Run(context.Background(), ingest.Options{Out: out, DatasetID: id, Assembly: "GRCh38"}, FixtureInputs(tb))
		return out, err
	})
}

// Popgen is the release of the synthetic population cfg describes (popgen's BFF, ingested),
// once per process and name; the BFF is removed once ingested (at benchmark scales it is
// about 1 GB of JSON).
func Popgen(tb testing.TB, name string, cfg popgen.Config) string {
	return Release(tb, name, func(dir string) (string, error) {
		files, err := popgen.WriteBFF(filepath.Join(dir, "bff"), cfg)
		if err != nil {
			return "", err
		}
		out := filepath.Join(dir, "release")
		opts := ingest.Options{Out: out, DatasetID: cmp.Or(cfg.DatasetID, popgen.DefaultDatasetID), Assembly: cmp.Or(cfg.Assembly, popgen.DefaultAssembly)}
		if _, err := ingest.Run(context.Background(), opts, files.Paths); err != nil {
			return "", err
		}
		return out, os.RemoveAll(files.Dir)
	})
}

// Serve serves srv on a loopback port until the test ends and returns its URL.
func Serve(tb testing.TB, srv *fasthttp.Server) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go srv.Serve(ln)
	tb.Cleanup(func() {
		// fasthttp's Shutdown waits for idle keep-alive connections: close the clients' first.
		http.DefaultClient.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.ShutdownWithContext(ctx)
	})
	return "http://" + ln.Addr().String()
}
