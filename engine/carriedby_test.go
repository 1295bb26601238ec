package engine

import (
	"math/rand/v2"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestCarriedByBuilderMatchesInversion builds carriedBy through windows of several sizes
// (one row, a few rows, roaring's 2^16-row container, across containers, all rows in one
// window) and compares it with the carrier lists inverted directly.
func TestCarriedByBuilderMatchesInversion(t *testing.T) {
	const biosamples, variants = 40, 140_000
	rng := rand.New(rand.NewPCG(1, 2))
	carriers := make([][]uint32, variants)
	for v := range carriers {
		// Biosample 0 carries nothing, 1 every variant (runs), every fourth one a quarter
		// of them (bitmap containers), the others few (arrays).
		for c := uint32(1); c < biosamples; c++ {
			odds := 200
			if c%4 == 0 {
				odds = 4
			}
			if c == 1 || rng.IntN(odds) == 0 {
				carriers[v] = append(carriers[v], c)
			}
		}
	}
	for _, window := range []uint32{1, 7, 1 << 16, 100_000, 1 << 20} {
		n := variants
		if window == 1 {
			n = 3000 // a run per row and biosample: slow beyond a few thousand
		}
		want := make([]*roaring.Bitmap, biosamples)
		for v, cs := range carriers[:n] {
			for _, c := range cs {
				if want[c] == nil {
					want[c] = roaring.New()
				}
				want[c].Add(uint32(v))
			}
		}
		mp := &mapping{}
		b := newCarriedByBuilder(biosamples, newSpiller(t.TempDir(), mp), window)
		for v, cs := range carriers[:n] {
			b.add(uint32(v), cs)
		}
		got, image, err := b.build()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != biosamples || len(image)%8 != 0 {
			t.Fatalf("window %d: %d bitmaps, image of %d bytes", window, len(got), len(image))
		}
		for c, w := range want {
			switch {
			case w == nil:
				if got[c] != nil {
					t.Errorf("window %d: biosample %d carries nothing, got %d rows", window, c, got[c].GetCardinality())
				}
			case got[c] == nil || !got[c].Equals(w):
				t.Errorf("window %d: biosample %d: bitmaps differ", window, c)
			}
		}
		mp.unmap()
	}
}
