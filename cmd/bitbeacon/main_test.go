package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	"github.com/bitbeacon/bitbeacon/internal/testenv"
)

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
	if out, err := run(t, ctx, "index", "--data", rel, "--memory-limit-mib", "-1"); err == nil || !strings.Contains(out+err.Error(), "--memory-limit-mib") {
		t.Errorf("index accepted a negative memory limit: %v\n%s", err, out)
	}
	if out, err := run(t, ctx, "index", "--data", rel); err != nil || !strings.Contains(out, "wrote index files") {
		t.Fatalf("index: %v\n%s", err, out)
	}
	if _, err := os.Stat(idx2); err != nil {
		t.Errorf("index wrote no index files: %v", err)
	}

	if n := queryFemaleCount(t, ctx, rel); n != 6 {
		t.Errorf("query over two datasets: %d female individuals, want 6", n)
	}
	if _, err := run(t, ctx, "query", "--data", rel, "/g_variants?start=1"); err == nil || !strings.Contains(err.Error(), "HTTP 400") {
		t.Errorf("a bad query must fail with its status, got %v", err)
	}

	addr := freeAddr(t)
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := run(t, sctx, "serve", "--data", rel, "--listen", addr, "--drain", "0s", "--read-timeout", "1s")
		done <- err
	}()
	body := getWhenUp(t, "http://"+addr+"/individuals?filters=NCIT:C16576&requestedGranularity=count")
	var resp struct {
		ResponseSummary struct{ NumTotalResults int } `json:"responseSummary"`
	}
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
	// --read-timeout cuts a connection that sends nothing long before the default 30 s.
	if c, err := net.Dial("tcp", addr); err != nil {
		t.Error(err)
	} else {
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, err := io.ReadAll(c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("serve --read-timeout 1s: a silent connection still open after 20 s")
		}
		c.Close()
	}
	if _, err := run(t, ctx, "serve", "--data", rel, "--listen", freeAddr(t), "--write-timeout", "-1s"); err == nil || !strings.Contains(err.Error(), "--write-timeout") {
		t.Errorf("serve accepted a negative --write-timeout: %v", err)
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

// queryFemaleCount is `bitbeacon query`'s count of female individuals in the release.
func queryFemaleCount(t *testing.T, ctx context.Context, rel string) int {
	t.Helper()
	out, err := run(t, ctx, "query", "--data", rel, "/individuals?filters=NCIT:C16576&requestedGranularity=count")
	if err != nil {
		t.Fatalf("query: %v\n%s", err, out)
	}
	var resp struct {
		ResponseSummary struct{ NumTotalResults int } `json:"responseSummary"`
	}
	if err := json.Unmarshal([]byte(out), &resp); err != nil {
		t.Fatalf("query: %v\n%s", err, out)
	}
	return resp.ResponseSummary.NumTotalResults
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

// bench hands its arguments and its exit status over to bitbeacon-bench (here a script
// on PATH standing in for it), which holds the suite so the server links no plotting.
func TestBenchRunsBitbeaconBench(t *testing.T) {
	if _, err := run(t, context.Background(), "bench", "--scale", "1e4"); err == nil || !strings.Contains(err.Error(), "bitbeacon-bench not found") {
		t.Errorf("without bitbeacon-bench: %v", err)
	}
	dir := t.TempDir()
	script := "#!/bin/sh\necho \"suite got: $*\"\nexit 3\n"
	if err := os.WriteFile(filepath.Join(dir, "bitbeacon-bench"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := run(t, context.Background(), "bench", "--scale", "1e4", "--out", "x y")
	if out != "suite got: --scale 1e4 --out x y\n" || err == nil || !strings.Contains(err.Error(), "status 3") {
		t.Errorf("bench: %q, %v", out, err)
	}
}
