package engine

import (
	"math/bits"

	"github.com/RoaringBitmap/roaring/v2"
)

// countOnly fills the per-dataset counts. No filter or a single one (the common case) is
// counted straight from the shared index bitmap, two over one dataset with one
// AndCardinality, more in res's reused word buffers when that is cheaper than building
// their intersection (countScratch.count).
func countOnly(res *Result, target *table, parts []*roaring.Bitmap, allowed []uint16, datasets []DatasetInfo) {
	var rows *roaring.Bitmap
	switch len(parts) {
	case 0:
		rows = target.all
	case 1:
		rows = parts[0]
	default:
		if len(parts) == 2 && len(allowed) == 1 && target.byDataset[allowed[0]].GetCardinality() == uint64(target.n) {
			// One dataset holding every row: the count is one AND of two.
			c := parts[0].AndCardinality(parts[1])
			res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: datasets[allowed[0]].ID, Count: c})
			res.Total = c
			return
		}
		if res.scratch.count(res, target, parts, allowed, datasets) {
			return
		}
		rows = intersect(target.all, parts)
	}
	for _, d := range allowed {
		c := countIn(rows, target.byDataset[d])
		res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: datasets[d].ID, Count: c})
		res.Total += c
	}
}

// countIn returns how many of rows are in a dataset's rows: by rank when those are one run
// (every row of a release of one dataset), where AndCardinality would visit every value of
// rows. The variants an individual carries at 10^7 variants are 460,000 rows: 160 µs.
func countIn(rows, dataset *roaring.Bitmap) uint64 {
	lo, hi, ok := rowRun(dataset)
	if !ok {
		return rows.AndCardinality(dataset)
	}
	n := rows.Rank(uint32(hi - 1))
	if lo > 0 {
		n -= rows.Rank(uint32(lo - 1))
	}
	return n
}

// intersect ANDs the parts, smallest first, starting from base (not modified).
func intersect(base *roaring.Bitmap, parts []*roaring.Bitmap) *roaring.Bitmap {
	if len(parts) == 0 {
		return base.Clone()
	}
	smallest := 0
	for i, p := range parts {
		if p.GetCardinality() < parts[smallest].GetCardinality() {
			smallest = i
		}
	}
	out := parts[smallest].Clone()
	for i, p := range parts {
		if i != smallest {
			out.And(p)
		}
	}
	out.And(base)
	return out
}

// countScratch holds the buffers a reused Result lends to count queries, so that they
// allocate nothing after the first: words for ANDing several parts, and one counter per
// dataset for counting variants as the interval index visits them.
type countScratch struct{ acc, tmp, perDataset []uint64 }

// datasetCounts returns n zeroed counters.
func (sc *countScratch) datasetCounts(n int) []uint64 {
	if cap(sc.perDataset) < n {
		sc.perDataset = make([]uint64, n)
	}
	c := sc.perDataset[:n]
	clear(c)
	return c
}

// count fills res's per-dataset counts of the rows in every part by ANDing the parts as
// words, without building a bitmap; false when that would be slower than intersecting
// (a large target, many sparse rows) or a part holds a row past the target's end, and the
// caller intersects instead.
func (sc *countScratch) count(res *Result, target *table, parts []*roaring.Bitmap, allowed []uint16, datasets []DatasetInfo) bool {
	words := (int(target.n) + 63) / 64
	if words > denseCountMaxWords {
		return false
	}
	first := -1 // the part ending first bounds the AND
	var sparse uint64
	for i, p := range parts {
		if p.IsEmpty() {
			for _, d := range allowed {
				res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: datasets[d].ID})
			}
			return true
		}
		if p.Maximum() >= target.n {
			return false
		}
		c, span := p.GetCardinality(), uint64(p.Maximum()>>16-p.Minimum()>>16)+1
		if c/span <= 4096 { // array containers, most likely
			if sparse += c; sparse > denseCountMaxSparse {
				return false
			}
		}
		if first < 0 || p.Maximum() < parts[first].Maximum() {
			first = i
		}
	}
	if cap(sc.acc) < words {
		sc.acc, sc.tmp = make([]uint64, words), make([]uint64, words)
	}
	w := int(parts[first].DenseSize())
	acc, tmp := sc.acc[:w], sc.tmp[:words]
	clear(acc)
	parts[first].WriteDenseTo(acc)
	for i, p := range parts {
		if i != first {
			andDense(acc, p, tmp)
		}
	}
	for _, d := range allowed {
		var c uint64
		if bd := target.byDataset[d]; bd.GetCardinality() == uint64(target.n) {
			c = popcount(acc)
		} else {
			c = andDensePopcount(acc, bd, tmp)
		}
		res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: datasets[d].ID, Count: c})
		res.Total += c
	}
	return true
}

// andDense ANDs bm into acc, writing bm's words into tmp first.
func andDense(acc []uint64, bm *roaring.Bitmap, tmp []uint64) {
	t := writeDense(bm, tmp)
	n := min(len(acc), len(t))
	for i := range acc[:n] {
		acc[i] &= t[i]
	}
	clear(acc[n:])
}

// andDensePopcount counts the bits of acc that are also in bm.
func andDensePopcount(acc []uint64, bm *roaring.Bitmap, tmp []uint64) uint64 {
	t := writeDense(bm, tmp)
	var c int
	for i := range acc[:min(len(acc), len(t))] {
		c += bits.OnesCount64(acc[i] & t[i])
	}
	return uint64(c)
}

// writeDense writes bm (not empty, ending within tmp) into tmp as words and returns them.
func writeDense(bm *roaring.Bitmap, tmp []uint64) []uint64 {
	t := tmp[:bm.DenseSize()]
	clear(t)
	bm.WriteDenseTo(t)
	return t
}

func popcount(words []uint64) uint64 {
	var c int
	for _, w := range words {
		c += bits.OnesCount64(w)
	}
	return uint64(c)
}
