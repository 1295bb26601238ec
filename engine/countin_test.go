package engine

import (
	"math/rand/v2"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestCountIn checks the per-dataset count by rank against AndCardinality, for datasets that
// are one run of rows (from row 0, or not) and datasets that are not.
func TestCountIn(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	for iter := range 500 {
		rows := roaring.New()
		for range rng.IntN(300) {
			rows.Add(rng.Uint32N(200_000))
		}
		if rng.IntN(3) == 0 {
			lo := rng.Uint64N(150_000)
			rows.AddRange(lo, lo+rng.Uint64N(50_000))
		}
		ds := roaring.New()
		lo := uint64(0)
		if iter%2 == 1 {
			lo = rng.Uint64N(100_000)
		}
		ds.AddRange(lo, lo+1+rng.Uint64N(100_000))
		if iter%5 == 4 {
			ds.Remove(uint32(lo + 1)) // not a run
		}
		ds.RunOptimize()
		if got, want := countIn(rows, ds), rows.AndCardinality(ds); got != want {
			t.Fatalf("iteration %d: %d rows in the dataset, want %d", iter, got, want)
		}
	}
}
