package suite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/engine"
)

// TestRunManyDatasets runs the suite on both layouts of many datasets: each dataset is
// ingested into one release, and the dataset requests are measured.
func TestRunManyDatasets(t *testing.T) {
	split := Scale{Variants: 400, Samples: 30, Datasets: 12, Layout: LayoutSplit}
	shared := Scale{Variants: 120, Samples: 10, Datasets: 12, Layout: LayoutShared}
	work := t.TempDir()
	res, err := Run(context.Background(), Config{
		Scales: []Scale{split, shared}, Seed: 4, PerKind: 2, EngineIters: 5,
		Conns: []int{1}, Duration: 50 * time.Millisecond, Warmup: 10 * time.Millisecond,
		Work: work, Keep: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failures) > 0 || len(res.Scales) != 2 {
		t.Fatalf("%d scales, failures: %v", len(res.Scales), res.Failures)
	}
	for i, want := range []struct{ individuals, lines int }{{30, -1}, {120, 120}} {
		sr := res.Scales[i]
		di := sr.DatasetsIngest
		if di == nil || di.Datasets != 12 || di.First <= 0 || di.Last <= 0 || sr.Ingest.BcftoolsSkipped == "" {
			t.Errorf("%s: datasets ingest %+v, bcftools note %q", sr.Scale, di, sr.Ingest.BcftoolsSkipped)
		}
		// The split's lines are the variants carried in each dataset: more than 400 in all.
		if sr.Load.IndividualsRows != want.individuals || (want.lines > 0 && sr.Ingest.Lines != want.lines) || (want.lines < 0 && sr.Ingest.Lines <= 400) {
			t.Errorf("%s: %d individuals, %d lines", sr.Scale, sr.Load.IndividualsRows, sr.Ingest.Lines)
		}
		for _, r := range datasetRequests {
			if e := sr.DatasetRequests[r.kind]; e.N != 5 || e.P50 <= 0 {
				t.Errorf("%s: %s measured %+v", sr.Scale, r.kind, e)
			}
		}
		eng, err := engine.NewEngine(filepath.Join(work, sr.Scale.dirName(), "release"), engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(eng.Snapshot().Datasets()); n != 12 {
			t.Errorf("%s: release of %d datasets", sr.Scale, n)
		}
		eng.Close()
	}
}
