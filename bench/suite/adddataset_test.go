package suite

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/popgen"
)

// addDatasets is how many datasets BenchmarkAddDataset ingests one after the other.
var addDatasets = flag.Int("add-datasets", 300, "BenchmarkAddDataset: datasets ingested one by one")

// BenchmarkAddDataset measures what adding the k-th dataset to a root costs, the way an
// archive's Beacon grows: the suite's 1e4/1000split population, one `ingest` run per
// dataset, each carrying the earlier ones over. It reports the median time of the runs
// around a few k (k-2..k+2), so that the growth with k, not one noisy run, is what shows:
// a flat ms/ds<k> means adding a dataset does not get dearer as the root grows.
//
//	go test ./bench/suite -run '^$' -bench AddDataset -benchtime 1x -add-datasets 300
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
		}
		for _, k := range []int{10, 100, 200, 300, 500, 1000} {
			if k+2 <= n {
				w := append([]time.Duration(nil), took[k-3:k+2]...) // runs k-2..k+2, 1-based
				sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
				b.ReportMetric(float64(w[2])/1e6, fmt.Sprintf("ms/ds%d", k))
			}
		}
	}
}
