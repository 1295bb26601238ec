package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// TestMatchPositionsFastPath checks that a position-only query (range, or start alone), which
// matchPositions answers with the interval index's ranges, matches what visiting every row
// gives, on variants of random lengths (structural variants among them).
func TestMatchPositionsFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 2))
	var vs []release.Variant
	for v := range 600 {
		start := rng.Int64N(100_000)
		length := int64(1 + rng.IntN(3))
		if rng.IntN(20) == 0 {
			length = rng.Int64N(20_000) // a structural variant
		}
		vs = append(vs, variant(fmt.Sprintf("v%03d", v), "GRCh38", "1", start, start+length, "A", "G", "SNP"))
	}
	slices.SortFunc(vs, func(a, b release.Variant) int { return compareVariants(&a, &b) })
	root := t.TempDir()
	writeRelease(t, root, nil, dsData{id: "D", assembly: "GRCh38", variants: vs})
	s := openRelease(t, root)
	sq := s.variants.seqs[seqKey("GRCh38", "1")]
	for range 500 {
		qs := rng.Int64N(100_000)
		q := &VariantQuery{AssemblyID: "GRCh38", ReferenceName: "1", Start: []int64{qs}, VariantMinLength: -1, VariantMaxLength: -1}
		if rng.IntN(4) != 0 {
			q.End = []int64{qs + rng.Int64N(5_000)}
		}
		got := roaring.New()
		s.variants.matchPositions(sq, q, got, &scanMeter{})
		want := roaring.New()
		s.variants.visitPositions(sq, q, &scanMeter{}, func(row uint32) { want.Add(row) })
		if !got.Equals(want) {
			t.Fatalf("start %v end %v: %v, visiting every row %v", q.Start, q.End, got.ToArray(), want.ToArray())
		}
	}
}
