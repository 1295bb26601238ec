package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// TestCarryingAnyMatchesTranslate checks, on random carriers, candidates and matches, the two
// ways of moving variants to their carriers: the planner's probe of candidates' carried
// variants (carryingAny: interval probes for a run of variant rows, bitmap probes otherwise)
// against translate, and translate's block unions (orCarriers) against ORing every
// variant's carriers; and the planner's cost of the latter (moveCostAbove).
func TestCarryingAnyMatchesTranslate(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	const nInd, nVar = 40, 1100 // 4 full blocks of 256 rows, and a partial one
	recs := map[release.Entity][]release.Record{}
	var bioIDs []string
	for i := range nInd {
		id := fmt.Sprintf("I%02d", i)
		recs[release.Individual] = append(recs[release.Individual], rec(id))
		for j := range 1 + i%2 { // every other individual has two biosamples
			b := fmt.Sprintf("B%02d_%d", i, j)
			recs[release.Biosample] = append(recs[release.Biosample], rec(b, "I:"+id))
			bioIDs = append(bioIDs, b)
		}
	}
	var vs []release.Variant
	for v := range nVar {
		var carriers []string
		for _, b := range bioIDs {
			if rng.IntN(12) == 0 {
				carriers = append(carriers, b)
			}
		}
		vs = append(vs, variant(fmt.Sprintf("v%03d", v), "GRCh38", "1", int64(100*v), int64(100*v+1), "A", "G", "SNP", carriers...))
	}
	root := t.TempDir()
	writeRelease(t, root, nil, dsData{id: "D", assembly: "GRCh38", records: recs, variants: vs})
	s := openRelease(t, root)

	c := &s.variants.carriers
	if size := 1 << c.blockShift; size != 256 || len(c.blocks) != nVar/size*c.blockWords {
		t.Fatalf("blocks of %d rows, %d words: not the fixture's 4 full blocks", size, len(c.blocks))
	}
	for iter := range 600 {
		vrows := roaring.New()
		switch iter % 4 {
		case 0: // a run of rows: interval probes
			lo := rng.Uint64N(nVar)
			vrows.AddRange(lo, lo+1+rng.Uint64N(min(20, nVar-lo)))
		case 3: // a long run: full blocks, and the partial last block
			lo := rng.Uint64N(300)
			vrows.AddRange(lo, lo+256+rng.Uint64N(nVar-lo-255))
			if rng.IntN(2) == 0 {
				vrows.Remove(uint32(lo + rng.Uint64N(vrows.GetCardinality()))) // a hole in one block
			}
		case 1: // a run plus a row from elsewhere: bitmap probes
			lo := rng.Uint64N(nVar - 30)
			vrows.AddRange(lo+5, lo+10+rng.Uint64N(20))
			vrows.Add(uint32(rng.Uint64N(lo + 3)))
		default: // scattered rows
			for range 1 + rng.IntN(8) {
				vrows.Add(rng.Uint32N(nVar))
			}
		}
		bios := s.tables[release.Biosample]
		got, want := make([]uint64, (bios.n+63)/64), make([]uint64, (bios.n+63)/64)
		c.orCarriers(vrows, got, &scanMeter{})
		var calls uint64
		vrows.Iterate(func(v uint32) bool { c.orWords(v, want); calls += uint64(c.count(v)); return true })
		if !slices.Equal(got, want) {
			t.Fatalf("iteration %d: variants %v: carriers by blocks %x, want %x", iter, vrows.ToArray(), got, want)
		}
		if cost := moveCost(c, vrows); !c.moveCostAbove(vrows, cost-1) || c.moveCostAbove(vrows, cost) || cost > calls {
			t.Fatalf("iteration %d: move cost %d (%d calls): above %d %v, above %d %v", iter, cost, calls, cost-1, c.moveCostAbove(vrows, cost-1), cost, c.moveCostAbove(vrows, cost))
		}
		for _, e := range []release.Entity{release.Individual, release.Biosample} {
			tb := s.tables[e]
			cand := roaring.New()
			for r := range tb.n {
				if rng.IntN(3) == 0 {
					cand.Add(r)
				}
			}
			want := roaring.And(s.translate(release.GenomicVariation, vrows, e), cand)
			if got := s.carryingAny(e, cand, vrows, nil); !got.Equals(want) {
				t.Fatalf("iteration %d, %s: variants %v, candidates %v: carrying %v, want %v", iter, e, vrows.ToArray(), cand.ToArray(), got.ToArray(), want.ToArray())
			}
		}
	}
}

// moveCost is what moveCostAbove counts, by the definition: a block's words for each full
// block the variants cover, a variant's calls for every other variant.
func moveCost(c *carrierLists, variants *roaring.Bitmap) uint64 {
	size := uint32(1) << c.blockShift
	var n uint64
	covered := map[uint32]bool{}
	for k := range uint32(len(c.blocks) / c.blockWords) {
		if variants.Contains(k*size) && variants.Rank((k+1)*size-1)-variants.Rank(k*size) == uint64(size-1) {
			covered[k] = true
			n += uint64(c.blockWords)
		}
	}
	variants.Iterate(func(v uint32) bool {
		if !covered[v/size] {
			n += uint64(c.count(v))
		}
		return true
	})
	return n
}
