package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/engine"
)

// Crash safety of the release files (issue 12, defects 5 and 6, and kill -9 at random
// points of ingest and index).

func current(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(rel, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// damage flips one byte in the middle of a release file.
func damage(t *testing.T, p string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// countFemales answers the fixture's count query from the current release under rel.
func countFemales(t *testing.T, rel string) string {
	t.Helper()
	out, err := run(t, context.Background(), "query", "--data", rel, "/individuals?filters=NCIT:C16576&requestedGranularity=count")
	if err != nil {
		t.Fatalf("query after the crash: %v\n%s", err, out)
	}
	return out
}

// Defect 5: ingest verifies the datasets it carries over; a damaged file of the current
// release fails the next ingest (nothing published), and re-ingesting that dataset mends it.
func TestIngestVerifiesCarriedOverDatasets(t *testing.T) {
	ctx := context.Background()
	rel := fixtureRelease(t)
	damage(t, filepath.Join(rel, "releases", "000001", "FIXTURE", "individual.parquet"))
	_, err := run(t, ctx, append([]string{"ingest", "--out", rel, "--dataset", "OTHER", "--assembly", "GRCh38"}, fixtureFiles(t)...)...)
	if err == nil || !strings.Contains(err.Error(), "individual.parquet") || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("ingest over a damaged current release: %v, want a sha256 error naming the file", err)
	}
	if c := current(t, rel); c != "000001" {
		t.Errorf("a failed ingest published release %s", c)
	}
	if out, err := run(t, ctx, append([]string{"ingest", "--out", rel, "--dataset", "FIXTURE", "--assembly", "GRCh38"}, fixtureFiles(t)...)...); err != nil {
		t.Fatalf("re-ingesting the damaged dataset: %v\n%s", err, out)
	}
	if c := current(t, rel); c != "000002" {
		t.Errorf("re-ingest published %s", c)
	}
	if out := countFemales(t, rel); !strings.Contains(out, `"numTotalResults":3`) {
		t.Errorf("after the re-ingest: %s", out)
	}
}

// Defect 5: a running server never swaps to a release it cannot open; it keeps serving the
// one it has.
func TestReloadKeepsServingWhenNewReleaseIsBroken(t *testing.T) {
	ctx := context.Background()
	rel := fixtureRelease(t)
	eng, err := engine.NewEngine(rel, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, ctx, append([]string{"ingest", "--out", rel, "--dataset", "OTHER", "--assembly", "GRCh38", "--no-index"}, fixtureFiles(t)...)...); err != nil {
		t.Fatalf("second ingest: %v\n%s", err, out)
	}
	damage(t, filepath.Join(rel, "releases", "000002", "OTHER", "individual.parquet"))
	swapped, err := eng.Reload()
	if err == nil || swapped {
		t.Fatalf("reload onto a damaged release: swapped %v, err %v", swapped, err)
	}
	if id := eng.Snapshot().ReleaseID; id != "000001" {
		t.Errorf("serving %s after a failed reload, want 000001", id)
	}
}

// Defect 6: index files are read-only, and a killed index build's index.tmp-* is removed
// by the next one, and so is a spill file of a build killed before it unlinked it.
func TestIndexLeftoversRemovedAndFilesReadOnly(t *testing.T) {
	rel := fixtureRelease(t)
	dir := filepath.Join(rel, "releases", "000001")
	// What a build killed before its rename leaves behind.
	left := filepath.Join(dir, "index.tmp-123456")
	if err := os.MkdirAll(left, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(left, "snapshot.bin"), make([]byte, 1<<16), 0o444)
	spill := filepath.Join(dir, ".bitbeacon-build-carriedBy-123456")
	os.WriteFile(spill, make([]byte, 1<<16), 0o600)
	if out, err := run(t, context.Background(), "index", "--data", rel); err != nil {
		t.Fatalf("index: %v\n%s", err, out)
	}
	for _, p := range []string{left, spill} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("the leftover %s is still there (%v)", p, err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "index", "*"))
	if len(files) < 3 {
		t.Fatalf("index files: %v", files)
	}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil || st.Mode().Perm()&0o222 != 0 {
			t.Errorf("%s: mode %v (%v), want read-only", f, st.Mode(), err)
		}
	}
}

// servedCount starts bitbeacon serve on the current release under rel as a process of its
// own, reads the fixture's count of females over HTTP, and stops it with SIGTERM.
func servedCount(t *testing.T, rel string) int {
	t.Helper()
	addr := freeAddr(t)
	proc, log := command(t, "serve", "--data", rel, "--listen", addr, "--drain", "0s")
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	defer proc.Process.Kill()
	waitReady(t, addr, proc, log)
	resp, err := http.Get("http://" + addr + "/individuals?filters=NCIT:C16576&requestedGranularity=count")
	if err != nil {
		t.Fatalf("serve after the crash: %v\n%s", err, logOf(log))
	}
	defer resp.Body.Close()
	var r struct {
		ResponseSummary struct{ NumTotalResults int } `json:"responseSummary"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != 200 {
		t.Fatalf("serve after the crash: %d %v\n%s", resp.StatusCode, err, logOf(log))
	}
	proc.Process.Signal(syscall.SIGTERM)
	if err := proc.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v\n%s", err, logOf(log))
	}
	return r.ResponseSummary.NumTotalResults
}

// leftovers lists the temporary directories of killed ingests and index builds under rel.
func leftovers(rel string) []string {
	var out []string
	for _, pattern := range []string{"*.tmp-*", filepath.Join("*", "index.tmp-*"), filepath.Join("*", ".bitbeacon-build-*"),
		filepath.Join("*", "index.parts", "*.tmp-*"), filepath.Join("*", "index.parts", ".bitbeacon-build-*")} {
		m, _ := filepath.Glob(filepath.Join(rel, "releases", pattern))
		out = append(out, m...)
	}
	return out
}

// killAt starts bitbeacon args and kills it (SIGKILL) after delay or, when onTemp, as soon
// as a temporary directory of a build appears (then after delay). It reports when the kill
// came.
func killAt(t *testing.T, rel string, args []string, delay time.Duration, onTemp bool) (string, *os.File) {
	t.Helper()
	proc, log := command(t, args...)
	exited := make(chan struct{})
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	go func() { proc.Wait(); close(exited) }()
	if onTemp {
	poll:
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
			select {
			case <-exited:
				break poll
			default:
			}
			if len(leftovers(rel)) > 0 {
				break
			}
			time.Sleep(200 * time.Microsecond)
		}
	}
	time.Sleep(delay)
	proc.Process.Kill()
	<-exited
	when := fmt.Sprintf("after %s", time.Since(start).Round(time.Millisecond))
	if onTemp {
		when += fmt.Sprintf(" (%s after its temporary directory appeared)", delay)
	}
	return when, log
}

// kill -9 of ingest and of index at random points of their run: afterwards the current
// release serves its answer (bitbeacon serve, a process of its own, and query), the rerun
// succeeds and leaves no temporary directory. The points are drawn over the measured length
// of a whole run, and the test goes on until each command was killed at least twice while
// its temporary directory existed (mid-write, not before it started or after it ended).
func TestKillNineIngestAndIndex(t *testing.T) {
	rel := fixtureRelease(t)
	want := countFemales(t, rel)
	ingestArgs := append([]string{"ingest", "--out", rel, "--dataset", "FIXTURE", "--assembly", "GRCh38"}, fixtureFiles(t)...)
	indexArgs := []string{"index", "--data", rel}
	// How long a whole run of each takes here, as a process.
	length := map[string]time.Duration{}
	for _, args := range [][]string{ingestArgs, indexArgs} {
		proc, log := command(t, args...)
		start := time.Now()
		if err := proc.Run(); err != nil {
			t.Fatalf("%s: %v\n%s", args[0], err, logOf(log))
		}
		length[args[0]] = time.Since(start)
	}
	// Half the kills come at a time drawn over a whole run's length (anywhere: loading,
	// building, writing, renaming), half within 2 ms of a temporary directory's appearance
	// (mid-write, the state the cleanup is for).
	rng := rand.New(rand.NewPCG(12, uint64(time.Now().UnixNano())))
	midWrite := map[string]int{}
	const tries = 40
	for i := 0; i < tries && (i < 8 || midWrite["ingest"] < 2 || midWrite["index"] < 2); i++ {
		args := ingestArgs
		if i%2 == 1 {
			args = indexArgs
		}
		onTemp := i%4 >= 2
		delay := time.Duration(rng.Int64N(int64(length[args[0]])))
		if onTemp {
			delay = time.Duration(rng.Int64N(int64(2 * time.Millisecond)))
		}
		when, log := killAt(t, rel, args, delay, onTemp)
		left := leftovers(rel)
		if len(left) > 0 {
			midWrite[args[0]]++
		}
		if got := countFemales(t, rel); got != want {
			t.Fatalf("%s killed %s: the current release answers\n%s\nwant\n%s\nlog:\n%s", args[0], when, got, want, logOf(log))
		}
		if n := servedCount(t, rel); n != 3 {
			t.Fatalf("%s killed %s (leaving %v): serve counts %d females, want 3", args[0], when, left, n)
		}
		// The rerun completes and cleans up.
		if out, err := run(t, context.Background(), args...); err != nil {
			t.Fatalf("%s rerun after kill -9 %s: %v\n%s", args[0], when, err, out)
		}
		if left := leftovers(rel); len(left) > 0 {
			t.Errorf("%s rerun after kill -9 %s left %v", args[0], when, left)
		}
		if got := countFemales(t, rel); got != want {
			t.Fatalf("after the rerun of %s: %s", args[0], got)
		}
	}
	t.Logf("runs %v; kills that left a temporary directory: %v", length, midWrite)
	for _, c := range []string{"ingest", "index"} {
		if midWrite[c] < 2 {
			t.Errorf("%s was killed mid-write %d times in %d tries; the test did not reach the states it is about", c, midWrite[c], tries)
		}
	}
}
