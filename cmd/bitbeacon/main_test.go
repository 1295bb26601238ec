package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/bench/suite"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
)

// canMakeMemCgroup reports whether this process can make a memory cgroup (v1 or v2), the
// way the benchmark's serve step does.
func canMakeMemCgroup() bool {
	for _, parent := range []string{"/sys/fs/cgroup/memory", "/sys/fs/cgroup"} {
		if parent == "/sys/fs/cgroup" {
			if c, err := os.ReadFile("/sys/fs/cgroup/cgroup.subtree_control"); err != nil || !strings.Contains(string(c), "memory") {
				continue
			}
		}
		dir := filepath.Join(parent, fmt.Sprintf("bitbeacon-probe-%d", os.Getpid()))
		if os.Mkdir(dir, 0o755) == nil {
			os.Remove(dir)
			return true
		}
	}
	return false
}

// runMainEnv makes the test binary run main instead of the tests: bench starts the binary it
// runs in as `bitbeacon serve`, which in a test is this binary.
const runMainEnv = "BITBEACON_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// run executes the CLI in process and returns its standard output.
func run(t *testing.T, ctx context.Context, args ...string) (string, error) {
	t.Helper()
	root := rootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(io.Discard)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

func fixtureFiles(t *testing.T) []string {
	dir := filepath.Join(testenv.RepoRoot(t), "testdata", "fixture")
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("fixture files: %v", err)
	}
	return files
}

// The command names and flags of the issue are a contract other tooling relies on: ingest
// with --out/--dataset/--assembly (and --no-index), index with --data, then query and serve
// with --data/--listen.
func TestIngestQueryServe(t *testing.T) {
	ctx := context.Background()
	rel := filepath.Join(t.TempDir(), "rel")
	out, err := run(t, ctx, append([]string{"ingest", "--out", rel + "/", "--dataset", "FIXTURE", "--assembly", "GRCh38"}, fixtureFiles(t)...)...)
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	if !strings.Contains(out, "published release 000001") || !strings.Contains(out, "individual        6") {
		t.Errorf("ingest summary:\n%s", out)
	}
	// A second dataset into the same --out publishes a release that keeps the first.
	if out, err := run(t, ctx, append([]string{"ingest", "--out", rel, "--dataset", "OTHER", "--assembly", "GRCh38", "--no-index"}, fixtureFiles(t)...)...); err != nil {
		t.Fatalf("second ingest: %v\n%s", err, out)
	}
	// ingest writes the index files of release 1; --no-index left release 2 without; index
	// writes them.
	idx2 := filepath.Join(rel, "releases", "000002", "index", "manifest.json")
	if _, err := os.Stat(filepath.Join(rel, "releases", "000001", "index", "manifest.json")); err != nil {
		t.Errorf("ingest wrote no index files: %v", err)
	}
	if _, err := os.Stat(idx2); !os.IsNotExist(err) {
		t.Errorf("ingest --no-index wrote index files: %v", err)
	}
	if out, err := run(t, ctx, "index", "--data", rel); err != nil || !strings.Contains(out, "wrote index files") {
		t.Fatalf("index: %v\n%s", err, out)
	}
	if _, err := os.Stat(idx2); err != nil {
		t.Errorf("index wrote no index files: %v", err)
	}

	out, err = run(t, ctx, "query", "--data", rel, "/individuals?filters=NCIT:C16576&requestedGranularity=count")
	if err != nil {
		t.Fatalf("query: %v\n%s", err, out)
	}
	var resp struct {
		ResponseSummary struct{ NumTotalResults int } `json:"responseSummary"`
	}
	if err := json.Unmarshal([]byte(out), &resp); err != nil || resp.ResponseSummary.NumTotalResults != 6 {
		t.Errorf("query over two datasets: %v\n%s", err, out)
	}
	if _, err := run(t, ctx, "query", "--data", rel, "/g_variants?start=1"); err == nil || !strings.Contains(err.Error(), "HTTP 400") {
		t.Errorf("a bad query must fail with its status, got %v", err)
	}

	addr := freeAddr(t)
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := run(t, sctx, "serve", "--data", rel, "--listen", addr)
		done <- err
	}()
	body := getWhenUp(t, "http://"+addr+"/individuals?filters=NCIT:C16576&requestedGranularity=count")
	if err := json.Unmarshal(body, &resp); err != nil || resp.ResponseSummary.NumTotalResults != 6 {
		t.Errorf("serve: %v\n%s", err, body)
	}
	// Without --config a real release is served under bitbeacon's default identity, not the
	// demo's, and /info and /service-info report the version `bitbeacon version` prints.
	var info struct {
		Response struct{ ID, Name, Environment, Version string } `json:"response"`
	}
	if err := json.Unmarshal(getWhenUp(t, "http://"+addr+"/info"), &info); err != nil ||
		info.Response.ID != api.DefaultConfig().BeaconID || strings.Contains(info.Response.Name, "demo") ||
		info.Response.Environment != "prod" || info.Response.Version != api.Version {
		t.Errorf("/info without --config: %+v %v", info.Response, err)
	}
	var si struct{ ID, Version string }
	if err := json.Unmarshal(getWhenUp(t, "http://"+addr+"/service-info"), &si); err != nil || si.Version != api.Version || si.ID != info.Response.ID {
		t.Errorf("/service-info: %+v %v", si, err)
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve did not shut down cleanly: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after its context was cancelled")
	}
}

func TestIngestBadInputLeavesNoRelease(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "individuals.json")
	if err := os.WriteFile(bad, []byte(`[{"id":"A","sex":{"id":"NCIT:C16576"}}, {"sex":{}}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	rel := filepath.Join(dir, "rel")
	_, err := run(t, context.Background(), "ingest", "--out", rel, "--dataset", "D", bad)
	if err == nil || !strings.Contains(err.Error(), "individuals.json") || !strings.Contains(err.Error(), "record 1") {
		t.Fatalf("want an error naming the file and record 1, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(rel, "CURRENT")); !os.IsNotExist(err) {
		t.Errorf("a failed ingest published a release (CURRENT: %v)", err)
	}
}

func TestVersion(t *testing.T) {
	out, err := run(t, context.Background(), "version")
	if err != nil || out != "bitbeacon "+api.Version+"\n" {
		t.Errorf("version: %q %v", out, err)
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// getWhenUp polls url until the server answers (bounded: 10 s).
func getWhenUp(t *testing.T, url string) []byte {
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
			}
			return b
		}
		if time.Now().After(deadline) {
			t.Fatal(fmt.Errorf("server not up: %w", err))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// bench runs end to end on a tiny population and writes its report, serving the release in
// a memory cgroup where one can be made; a bad --scale fails before anything runs.
func TestBench(t *testing.T) {
	t.Setenv(runMainEnv, "1") // for the server bench starts; this process is past TestMain
	out := filepath.Join(t.TempDir(), "report")
	stdout, err := run(t, context.Background(), "bench", "--scale", "1200x40", "--no-compare", "--conns", "1",
		"--duration", "100ms", "--warmup", "10ms", "--per-kind", "2", "--engine-iters", "10", "--out", out,
		"--serve-memory-limit-mib", "512")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, stdout)
	}
	var res suite.Results
	if b, err := os.ReadFile(filepath.Join(out, "results.json")); err != nil || json.Unmarshal(b, &res) != nil || len(res.Scales) != 1 {
		t.Fatalf("results.json: %v", err)
	}
	sr := res.Scales[0]
	if cgroups := canMakeMemCgroup(); cgroups {
		sl := sr.ServeLimit
		if sl == nil || len(sl.HTTP) != 2 || sl.HTTP[0].QPS <= 0 || sl.OOMKills != 0 || sl.PeakBytes <= 0 || sl.PeakBytes > 512<<20 || sl.RSSAnon <= 0 {
			t.Errorf("serve under a 512 MiB limit: %+v (skipped: %q)", sl, sr.ServeLimitSkipped)
		}
		// A limit the server cannot start in is a failure of the run, reported, not a hang.
		_, err := run(t, context.Background(), "bench", "--scale", "1200x40", "--no-compare", "--conns", "1",
			"--duration", "100ms", "--warmup", "10ms", "--per-kind", "2", "--engine-iters", "10", "--out", t.TempDir(),
			"--serve-memory-limit-mib", "4")
		if err == nil || !strings.Contains(err.Error(), "serve under a memory limit") {
			t.Errorf("bench with a 4 MiB serve limit: %v", err)
		}
	} else if !strings.HasPrefix(sr.ServeLimitSkipped, "no memory cgroup can be made here") {
		t.Errorf("no cgroups here, but the step says %q", sr.ServeLimitSkipped)
	}
	if !strings.Contains(stdout, "report: "+filepath.Join(out, "report.md")) || !strings.Contains(stdout, "boolean/count QPS over HTTP") {
		t.Errorf("bench output:\n%s", stdout)
	}
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil || !strings.Contains(string(md), "## 1200 variants × 40 samples") {
		t.Errorf("report.md: %v\n%s", err, md)
	}
	for _, bad := range []string{"0", "1e4x", "ten", "1.5x2000"} {
		if _, err := run(t, context.Background(), "bench", "--scale", bad, "--out", t.TempDir()); err == nil || !strings.Contains(err.Error(), "--scale") {
			t.Errorf("--scale %s: %v", bad, err)
		}
	}
}
