package index

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// randomRows draws up to max rows below n, sometimes with a dense run, so that parts mix
// array, bitmap and run containers.
func randomRows(rng *rand.Rand, n uint32, most int) *roaring.Bitmap {
	bm := roaring.New()
	for range rng.IntN(most) {
		bm.Add(rng.Uint32N(n))
	}
	if rng.IntN(3) == 0 {
		lo := rng.Uint64N(uint64(n) / 2)
		bm.AddRange(lo, lo+rng.Uint64N(uint64(n)/2))
	}
	if rng.IntN(2) == 0 {
		bm.RunOptimize()
	}
	return bm
}

// TestCountIn checks the count by rank against AndCardinality, for sets that are one run of
// rows (from row 0, or not) and sets that are not.
func TestCountIn(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	for iter := range 500 {
		rows := randomRows(rng, 200_000, 300)
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
		if got, want := CountIn(rows, ds), rows.AndCardinality(ds); got != want {
			t.Fatalf("iteration %d: %d rows in the set, want %d", iter, got, want)
		}
	}
}

// TestIntersectAndDenseAnd: both ways of intersecting agree with roaring.FastAnd, and
// Intersect leaves its inputs as they were.
func TestIntersectAndDenseAnd(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 2))
	var d DenseAnd // reused, as a Result reuses it
	for iter := range 300 {
		n := 1 + rng.Uint32N(300_000)
		base := roaring.New()
		base.AddRange(0, uint64(n))
		var parts []*roaring.Bitmap
		for range 1 + rng.IntN(4) {
			parts = append(parts, randomRows(rng, n, 3000))
		}
		before := make([]uint64, len(parts))
		for i, p := range parts {
			before[i] = p.GetCardinality()
		}
		want := roaring.FastAnd(append([]*roaring.Bitmap{base}, parts...)...)
		got := Intersect(base, parts)
		if !got.Equals(want) {
			t.Fatalf("iteration %d: Intersect has %d rows, want %d", iter, got.GetCardinality(), want.GetCardinality())
		}
		for i, p := range parts {
			if p.GetCardinality() != before[i] {
				t.Fatalf("iteration %d: Intersect changed part %d", iter, i)
			}
		}
		if slices.ContainsFunc(parts, (*roaring.Bitmap).IsEmpty) {
			continue // DenseAnd takes non-empty parts only
		}
		d.And(parts, n)
		if c := d.Count(); c != want.GetCardinality() {
			t.Fatalf("iteration %d: DenseAnd counts %d rows, want %d", iter, c, want.GetCardinality())
		}
		set := randomRows(rng, n, 5000)
		if set.IsEmpty() {
			set.Add(0)
		}
		if c, w := d.CountIn(set), want.AndCardinality(set); c != w {
			t.Fatalf("iteration %d: DenseAnd counts %d rows in the set, want %d", iter, c, w)
		}
	}
}
