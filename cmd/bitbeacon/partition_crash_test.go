package main

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kill -9 of a partition build (bitbeacon index --partition 1/2) at random points: until
// the partition is built again the release's index is incomplete, and query says which
// partition is missing instead of answering from the other one (or from Parquet); the
// rerun removes what the killed build left, and the answers are then those of the whole
// index. The test goes on until at least two kills came while the partition's temporary
// directory existed.
func TestKillNinePartitionBuild(t *testing.T) {
	rel := fixtureRelease(t)
	want := countFemales(t, rel)
	dirs, _ := filepath.Glob(filepath.Join(rel, "releases", "*", "index"))
	for _, d := range dirs {
		if err := os.RemoveAll(d); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := run(t, context.Background(), "index", "--data", rel, "--partition", "0/2"); err != nil {
		t.Fatalf("partition 0/2: %v\n%s", err, out)
	}
	args := []string{"index", "--data", rel, "--partition", "1/2"}
	proc, log := command(t, args...)
	start := time.Now()
	if err := proc.Run(); err != nil {
		t.Fatalf("partition 1/2: %v\n%s", err, logOf(log))
	}
	length := time.Since(start)
	parts, _ := filepath.Glob(filepath.Join(rel, "releases", "*", "index.parts", "00001-of-00002"))
	if len(parts) != 1 {
		t.Fatalf("partition 1/2 not written: %v", parts)
	}
	rng := rand.New(rand.NewPCG(15, uint64(time.Now().UnixNano())))
	midWrite := 0
	for i := 0; i < 40 && (i < 6 || midWrite < 2); i++ {
		if err := os.RemoveAll(parts[0]); err != nil {
			t.Fatal(err)
		}
		onTemp := i%2 == 1
		delay := time.Duration(rng.Int64N(int64(length)))
		if onTemp {
			delay = time.Duration(rng.Int64N(int64(2 * time.Millisecond)))
		}
		when, log := killAt(t, rel, args, delay, onTemp)
		if len(leftovers(rel)) > 0 {
			midWrite++
		}
		out, err := run(t, context.Background(), "query", "--data", rel, "/individuals?filters=NCIT:C16576&requestedGranularity=count")
		if _, built := os.Stat(parts[0]); built == nil {
			// Killed after its rename: the partition is complete.
			if err != nil || out != want {
				t.Fatalf("killed %s after the partition was renamed into place: query %v\n%s", when, err, out)
			}
		} else if err == nil || !strings.Contains(out+err.Error(), "missing 1/2") {
			t.Fatalf("killed %s: query with partition 1/2 missing answered (%v)\n%s\nlog:\n%s", when, err, out, logOf(log))
		}
		if out, err := run(t, context.Background(), args...); err != nil {
			t.Fatalf("rerun after kill -9 %s: %v\n%s", when, err, out)
		}
		if left := leftovers(rel); len(left) > 0 {
			t.Fatalf("rerun after kill -9 %s left %v", when, left)
		}
		if got := countFemales(t, rel); got != want {
			t.Fatalf("after the rerun: %s, want %s", got, want)
		}
	}
	if midWrite < 2 {
		t.Errorf("the partition build was killed mid-write %d times; the test did not reach the state it is about", midWrite)
	}
}
