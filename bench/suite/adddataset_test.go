package suite

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/popgen"
)

// addDatasets is how many datasets BenchmarkAddDataset ingests one after the other.
var addDatasets = flag.Int("add-datasets", 300, "BenchmarkAddDataset: datasets ingested one by one")

// addDatasetsIndex makes BenchmarkAddDataset also build the index files after the k-th
// ingest, as `bitbeacon ingest` without --no-index does after every one.
var addDatasetsIndex = flag.Bool("add-datasets-index", false, "BenchmarkAddDataset: also time the index build (engine.WriteIndex) after the k-th dataset")

// addDatasetsAt are the k whose runs BenchmarkAddDataset reports.
var addDatasetsAt = []int{10, 100, 200, 300, 500, 1000}

// BenchmarkAddDataset measures what adding the k-th dataset to a root costs, the way an
// archive's Beacon grows: the suite's 1e4/1000split population, one `ingest` run per
// dataset, each carrying the earlier ones over. It reports the median time of the runs
// around a few k (k-2..k+2), so that the growth with k, not one noisy run, is what shows:
// a flat ms/ds<k> means adding a dataset does not get dearer as the root grows. With
// -add-datasets-index it also builds the index files right after the k-th ingest, once per
// reported k (index-ms/ds<k>): the whole index is rebuilt at every ingest that writes it, so
// that figure growing with k is what adding a dataset costs then.
//
//	go test ./bench/suite -run '^$' -bench AddDataset -benchtime 1x -add-datasets 300 [-add-datasets-index]
func BenchmarkAddDataset(b *testing.B) {
	dir := b.TempDir()
	ds, err := popgen.WriteDatasets(filepath.Join(dir, "input"), popgen.Config{Seed: 1, Individuals: 2504, Variants: 10_000, SkipBFFVariants: true}, popgen.Split{Datasets: 1000})
	if err != nil {
		b.Fatal(err)
	}
	n := min(*addDatasets, len(ds))
	for i := 0; i < b.N; i++ {
		out := filepath.Join(dir, fmt.Sprintf("release-%d", i))
		took := make([]time.Duration, n)
		for k, d := range ds[:n] {
			t0 := time.Now()
			if _, err := ingest.Run(context.Background(), ingest.Options{Out: out, DatasetID: d.DatasetID, Assembly: popgen.DefaultAssembly}, d.Paths); err != nil {
				b.Fatalf("ingest %s: %v", d.DatasetID, err)
			}
			took[k] = time.Since(t0)
			if *addDatasetsIndex && slices.Contains(addDatasetsAt, k+1) {
				t0 := time.Now()
				if _, err := engine.WriteIndex(out, engine.Options{}); err != nil {
					b.Fatalf("index after %d datasets: %v", k+1, err)
				}
				b.ReportMetric(float64(time.Since(t0))/1e6, fmt.Sprintf("index-ms/ds%d", k+1))
			}
		}
		for _, k := range addDatasetsAt {
			if k+2 <= n {
				w := append([]time.Duration(nil), took[k-3:k+2]...) // runs k-2..k+2, 1-based
				sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
				b.ReportMetric(float64(w[2])/1e6, fmt.Sprintf("ms/ds%d", k))
			}
		}
	}
}
