package suite

import (
	"context"
	"io/fs"
	"maps"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/bench/workload"
)

// listTree maps every path under root to its size and modification time.
func listTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out[path] = info.ModTime().String() + " " + info.Mode().String() + " " + strconv.FormatInt(info.Size(), 10)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A release built by an earlier run is queried with Config.Release: the query steps run
// on it, nothing is generated, ingested or built, and nothing is written into it.
func TestRunGivenRelease(t *testing.T) {
	sc := Scale{Variants: 800, Samples: 40}
	quick := Config{Scales: []Scale{sc}, Seed: 5, PerKind: 2, EngineIters: 10,
		Conns: []int{1}, Duration: 50 * time.Millisecond, Warmup: 10 * time.Millisecond}
	built := quick
	built.Work, built.Keep = t.TempDir(), true
	if res, err := Run(context.Background(), built); err != nil || len(res.Failures) > 0 {
		t.Fatalf("building the release: %v %v", err, res.Failures)
	}
	rel := filepath.Join(built.Work, sc.dirName(), "release")
	before := listTree(t, rel)

	given := quick
	given.Work, given.Release = t.TempDir(), rel
	res, err := Run(context.Background(), given)
	if err != nil || len(res.Failures) > 0 || len(res.Scales) != 1 {
		t.Fatalf("querying the given release: %v %v", err, res.Failures)
	}
	sr := res.Scales[0]
	if sr.ReleaseGiven != rel || sr.Ingest.Lines != 0 || sr.Generate != 0 || sr.Load.Elapsed != 0 || sr.Load.IndexElapsed != 0 {
		t.Errorf("given release: %q, ingest %+v, load %+v: want nothing built", sr.ReleaseGiven, sr.Ingest, sr.Load)
	}
	if sr.Load.VariantsLoaded < sc.Variants || sr.Load.IndividualsRows != sc.Samples || sr.Load.ReadyFromIndex <= 0 {
		t.Errorf("ready step %+v", sr.Load)
	}
	for _, k := range workload.Kinds {
		if e, ok := sr.Engine[k]; !ok || e.N != 10 || e.P50 <= 0 {
			t.Errorf("in process %s: %+v", k, e)
		}
	}
	if len(sr.HTTP) == 0 {
		t.Error("no HTTP levels")
	}
	if after := listTree(t, rel); !maps.Equal(before, after) {
		t.Errorf("the given release changed:\nbefore %v\nafter  %v", before, after)
	}

	// It is one scale of one dataset.
	two := given
	two.Scales = []Scale{sc, {Variants: 1600, Samples: 40}}
	if _, err := Run(context.Background(), two); err == nil || !strings.Contains(err.Error(), "one scale") {
		t.Errorf("two scales with a given release: %v", err)
	}
}
