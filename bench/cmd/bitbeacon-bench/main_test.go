package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bitbeacon/bitbeacon/bench/suite"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
)

// run executes bitbeacon-bench in process and returns its standard output.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := benchCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(io.Discard)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), err
}

var (
	serverOnce sync.Once
	serverPath string
	serverErr  error
)

// serverBin builds cmd/bitbeacon once, for the step that serves a release under a memory
// limit.
func serverBin(t *testing.T) string {
	serverOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bitbeacon-bench-test-")
		if err != nil {
			serverErr = err
			return
		}
		serverPath = filepath.Join(dir, "bitbeacon")
		c := exec.Command("go", "build", "-o", serverPath, "./cmd/bitbeacon")
		c.Dir = testenv.RepoRoot(t)
		if out, err := c.CombinedOutput(); err != nil {
			serverErr = fmt.Errorf("go build ./cmd/bitbeacon: %v\n%s", err, out)
		}
	})
	if serverErr != nil {
		t.Fatal(serverErr)
	}
	return serverPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if serverPath != "" {
		os.RemoveAll(filepath.Dir(serverPath))
	}
	os.Exit(code)
}

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

// bench runs end to end on a tiny population and writes its report, serving the release in
// a memory cgroup where one can be made; a bad --scale fails before anything runs.
func TestBench(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report")
	stdout, err := run(t, "--scale", "1200x40", "--no-compare", "--conns", "1",
		"--duration", "100ms", "--warmup", "10ms", "--per-kind", "2", "--engine-iters", "10", "--out", out,
		"--serve-memory-limit-mib", "512", "--serve-bin", serverBin(t))
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, stdout)
	}
	var res suite.Results
	if b, err := os.ReadFile(filepath.Join(out, "results.json")); err != nil || json.Unmarshal(b, &res) != nil || len(res.Scales) != 1 {
		t.Fatalf("results.json: %v", err)
	}
	sr := res.Scales[0]
	// The index build ran as `bitbeacon index`, a process of its own, and its peak RSS is
	// in the results and the report.
	if sr.Load.IndexPeakRSS <= 0 || sr.Load.IndexElapsed <= 0 || sr.Load.IndexSecondsPerMVar <= 0 || sr.Load.IndexCPU <= 0 || sr.Load.IndexCPUSecondsPerMVar <= 0 {
		t.Errorf("index build %+v: want its time, CPU time and the peak RSS of the bitbeacon index process", sr.Load)
	}
	if md, err := os.ReadFile(filepath.Join(out, "report.md")); err != nil || !strings.Contains(string(md), "a process of its own) | built in") || !strings.Contains(string(md), " s CPU, peak RSS") {
		t.Errorf("report.md has no index build peak RSS row (%v)", err)
	}
	if cgroups := canMakeMemCgroup(); cgroups {
		sl := sr.ServeLimit
		if sl == nil || len(sl.HTTP) != 2 || sl.HTTP[0].QPS <= 0 || sl.OOMKills != 0 || sl.PeakBytes <= 0 || sl.PeakBytes > 512<<20 || sl.RSSAnon <= 0 {
			t.Errorf("serve under a 512 MiB limit: %+v (skipped: %q)", sl, sr.ServeLimitSkipped)
		}
		// A limit the server cannot start in is a failure of the run, reported, not a hang.
		_, err := run(t, "--scale", "1200x40", "--no-compare", "--conns", "1",
			"--duration", "100ms", "--warmup", "10ms", "--per-kind", "2", "--engine-iters", "10", "--out", t.TempDir(),
			"--serve-memory-limit-mib", "4", "--serve-bin", serverBin(t))
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
	// --rewrite-report writes the report again from results.json, measuring nothing.
	if err := os.Remove(filepath.Join(out, "report.md")); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "--rewrite-report", "--out", out); err != nil {
		t.Fatalf("--rewrite-report: %v", err)
	}
	if again, err := os.ReadFile(filepath.Join(out, "report.md")); err != nil || !strings.Contains(string(again), "## 1200 variants × 40 samples") || !strings.Contains(string(again), "peak RSS") {
		t.Errorf("rewritten report.md: %v\n%s", err, again)
	}
	if _, err := run(t, "--rewrite-report", "--out", t.TempDir()); err == nil || !strings.Contains(err.Error(), "results.json") {
		t.Errorf("--rewrite-report without results.json: %v", err)
	}
	for _, bad := range []string{"0", "1e4x", "ten", "1.5x2000"} {
		if _, err := run(t, "--scale", bad, "--out", t.TempDir()); err == nil || !strings.Contains(err.Error(), "--scale") {
			t.Errorf("--scale %s: %v", bad, err)
		}
	}
}

func TestParseScales(t *testing.T) {
	got, err := parseScales("1e4, 1e4x100000,1e4/1000split,1e4x100/1000shared,2000/30")
	if err != nil {
		t.Fatal(err)
	}
	want := []suite.Scale{
		{Variants: 10_000, Samples: 2504}, {Variants: 10_000, Samples: 100_000},
		{Variants: 10_000, Samples: 2504, Datasets: 1000, Layout: suite.LayoutSplit},
		{Variants: 10_000, Samples: 100, Datasets: 1000, Layout: suite.LayoutShared},
		{Variants: 2000, Samples: 2504, Datasets: 30, Layout: suite.LayoutSplit},
	}
	if !slices.Equal(got, want) {
		t.Errorf("%+v, want %+v", got, want)
	}
	for _, bad := range []string{"1e4/1split", "1e4/shared", "1e4/10other", "x/10"} {
		if _, err := parseScales(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
