package engine

import (
	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/index"
	"github.com/bitbeacon/bitbeacon/release"
)

// The planner's cost constants: each weighs one way of answering a part of a query against
// another, measured on popgen data (the stories behind them: docs/benchmarks.md#tuned-constants).
const (
	// probePerCall is what testing one candidate's carried variants against the match costs
	// (a roaring Intersects, a few hundred ns) in units of what moving one carrier call of a
	// matching variant costs (one word OR, under a ns). Weighed so, women carrying a variant in
	// 1 Mb of popgen 2,504 × 10^6 count in 270 µs instead of 860.
	probePerCall = 512

	// probeRunPerCall is the same for a match that is one run of rows (a range or bracket with
	// no long variant from elsewhere), where a probe is a roaring IntersectsWithInterval, a
	// binary search instead of a walk over both bitmaps' containers: about 225 ns a probe
	// against 1 ns a moved call at popgen 10^6.
	probeRunPerCall = 256

	// denseCountMaxWords bounds the dense count (countScratch.count): targets of up to 2^20
	// rows (128 KiB per buffer) are counted in words; larger ones build the intersection
	// (roaring skips the empty containers of sparse parts, which words cannot).
	denseCountMaxWords = 1 << 14

	// denseCountMaxSparse bounds the rows of sparse parts (roaring array containers, at most
	// 4,096 rows per 65,536) the dense count takes: those are written to words one row at a
	// time, which is slower than roaring's merge of sorted arrays once they are many (about
	// 3,000 such rows: 5.5 µs in words against 4.0 µs intersected); dense parts (bitmap and
	// run containers) are copied word by word.
	denseCountMaxSparse = 1024

	// fewRowsToIndividuals bounds the rows that translate moves to individuals one Add at a
	// time; more are set in a dense word buffer and made one bitmap at the end.
	fewRowsToIndividuals = 256
	// fewIndividualsToBiosamples is the same bound the other way: more individuals have
	// their biosamples set in dense words (a filter on 1,271 women, added one by one, was
	// 70% of a count of one variant among them).
	fewIndividualsToBiosamples = 256
)

// addVariantPart ANDs the matching variants into the query, planned cheapest-first. Moving
// the variants to the target sets one bit per carrier call of the matching variants; when the
// other parts already narrow individuals or biosamples to few candidates, it is cheaper to
// test each candidate's carried variants against the match instead.
func (s *Snapshot) addVariantPart(e release.Entity, target *table, parts []*roaring.Bitmap, vrows *roaring.Bitmap, b *Budget) []*roaring.Bitmap {
	if (e == release.Individual || e == release.Biosample) && len(parts) > 0 {
		cand := index.Intersect(target.all, parts)
		perProbe := uint64(probePerCall)
		if _, _, ok := index.RowRun(vrows); ok {
			perProbe = probeRunPerCall
		}
		if s.variants != nil && s.variants.carriers.moveCostAbove(vrows, cand.GetCardinality()*perProbe) {
			return []*roaring.Bitmap{s.carryingAny(e, cand, vrows, b)}
		}
	}
	return append(parts, s.moveRows(release.GenomicVariation, vrows, e, b))
}

// narrowVariantsByCarriers plans variant queries with filters on individuals or biosamples
// cheapest-first, the mirror of addVariantPart: moving such a filter to variants ORs one
// carried-variants bitmap per matching biosample; when fewer variants match than the filter
// has rows, each matching variant's carriers are tested against the filter instead. Filters
// handled that way are removed from scoped. It stops early, with partial rows, when b is
// past a bound.
func (s *Snapshot) narrowVariantsByCarriers(scoped []scopedRows, vrows *roaring.Bitmap, b *Budget) ([]scopedRows, *roaring.Bitmap) {
	m := scanMeter{b: b}
	kept := scoped[:0]
	for _, sr := range scoped {
		if (sr.entity != release.Individual && sr.entity != release.Biosample) ||
			vrows.GetCardinality() >= sr.rows.GetCardinality() {
			kept = append(kept, sr)
			continue
		}
		bios := s.moveRows(sr.entity, sr.rows, release.Biosample, b)
		narrowed := roaring.New()
		it := vrows.Iterator()
		for it.HasNext() && m.add(1) {
			v := it.Next()
			if s.variants.carriers.intersects(v, bios) {
				narrowed.Add(v)
			}
		}
		vrows = narrowed
	}
	return kept, vrows
}

// carryingAny returns the candidate individuals or biosamples that carry any of the variants;
// some of them only when b is past a bound (a stopped scan).
func (s *Snapshot) carryingAny(e release.Entity, cand, vrows *roaring.Bitmap, b *Budget) *roaring.Bitmap {
	m := scanMeter{b: b}
	out := roaring.New()
	lo, hi, run := index.RowRun(vrows)
	carries := func(b uint32) bool {
		v := s.variants.carriedBy
		if int(b) >= len(v) || v[b] == nil {
			return false
		}
		if run {
			return v[b].IntersectsWithInterval(lo, hi)
		}
		return v[b].Intersects(vrows)
	}
	it := cand.Iterator()
	for it.HasNext() && m.add(1) {
		r := it.Next()
		if e == release.Biosample {
			if carries(r) {
				out.Add(r)
			}
			continue
		}
		for _, b := range s.biosamplesOfIndividual[r] {
			if carries(b) {
				out.Add(r)
				break
			}
		}
	}
	return out
}
