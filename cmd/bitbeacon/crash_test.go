package main

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
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
// by the next one.
func TestIndexLeftoversRemovedAndFilesReadOnly(t *testing.T) {
	rel := fixtureRelease(t)
	dir := filepath.Join(rel, "releases", "000001")
	// What a build killed before its rename leaves behind.
	left := filepath.Join(dir, "index.tmp-123456")
	if err := os.MkdirAll(left, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(left, "snapshot.bin"), make([]byte, 1<<16), 0o444)
	if out, err := run(t, context.Background(), "index", "--data", rel); err != nil {
		t.Fatalf("index: %v\n%s", err, out)
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("the leftover %s is still there (%v)", left, err)
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

// kill -9 of ingest and of index at random points: afterwards the current release serves
// its answer, the rerun succeeds and leaves no temporary directory.
func TestKillNineIngestAndIndex(t *testing.T) {
	rel := fixtureRelease(t)
	want := countFemales(t, rel)
	rng := rand.New(rand.NewPCG(12, uint64(time.Now().UnixNano())))
	for i := range 6 {
		var args []string
		if i%2 == 0 {
			args = append([]string{"ingest", "--out", rel, "--dataset", "FIXTURE", "--assembly", "GRCh38"}, fixtureFiles(t)...)
		} else {
			args = []string{"index", "--data", rel}
		}
		proc, log := command(t, args...)
		if err := proc.Start(); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(rng.IntN(600)) * time.Millisecond
		time.Sleep(delay)
		proc.Process.Kill()
		proc.Wait()
		if got := countFemales(t, rel); got != want {
			t.Fatalf("%s killed after %s: the current release answers\n%s\nwant\n%s\nlog:\n%s", args[0], delay, got, want, logOf(log))
		}
		// The rerun completes and cleans up.
		if out, err := run(t, context.Background(), args...); err != nil {
			t.Fatalf("%s rerun after kill -9 at %s: %v\n%s", args[0], delay, err, out)
		}
		tmps, _ := filepath.Glob(filepath.Join(rel, "releases", "*.tmp-*"))
		itmps, _ := filepath.Glob(filepath.Join(rel, "releases", "*", "index.tmp-*"))
		if len(tmps)+len(itmps) > 0 {
			t.Errorf("%s rerun after kill -9 at %s left %v %v", args[0], delay, tmps, itmps)
		}
		if got := countFemales(t, rel); got != want {
			t.Fatalf("after the rerun of %s: %s", args[0], got)
		}
	}
}
