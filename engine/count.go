package engine

import (
	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/index"
)

// countOnly fills the per-dataset counts. No filter or a single one (the common case) is
// counted straight from the shared index bitmap, two over one dataset with one
// AndCardinality, more in res's reused word buffers when that is cheaper than building
// their intersection (countScratch.count). Many datasets are metered on b: it stops early
// when b is past a bound (the caller checks b.Err).
func countOnly(res *Result, target *table, parts []*roaring.Bitmap, allowed []uint16, datasets []DatasetInfo, b *Budget) {
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
			res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: datasets[allowed[0]].ID, Index: allowed[0], Count: c})
			res.Total = c
			return
		}
		if res.scratch.count(res, target, parts, allowed, datasets, b) {
			return
		}
		rows = index.Intersect(target.all, parts)
	}
	m := scanMeter{b: b}
	if target.walkCheaper(rows, len(allowed)) {
		counts := res.scratch.datasetCounts(len(datasets))
		target.countByDataset(rows, allowed, counts, &m)
		res.appendCounts(allowed, datasets, counts, &m)
		return
	}
	for _, d := range allowed {
		if !m.add(1) {
			return
		}
		c := index.CountIn(rows, target.byDataset[d])
		res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: datasets[d].ID, Index: d, Count: c})
		res.Total += c
	}
}

// appendCounts adds the allowed datasets' results from their counts, one unit of m each.
func (res *Result) appendCounts(allowed []uint16, datasets []DatasetInfo, counts []uint64, m *scanMeter) {
	for _, d := range allowed {
		if !m.add(1) {
			return
		}
		res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: datasets[d].ID, Index: d, Count: counts[d]})
		res.Total += counts[d]
	}
}

// countScratch holds the buffers a reused Result lends to count queries, so that they
// allocate nothing after the first: words for ANDing several parts, and one counter per
// dataset for counting variants as the interval index visits them.
type countScratch struct {
	dense      index.DenseAnd
	perDataset []uint64
}

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
func (sc *countScratch) count(res *Result, target *table, parts []*roaring.Bitmap, allowed []uint16, datasets []DatasetInfo, b *Budget) bool {
	words := (int(target.n) + 63) / 64
	if words > denseCountMaxWords {
		return false
	}
	var sparse uint64
	for _, p := range parts {
		if p.IsEmpty() {
			for _, d := range allowed {
				res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: datasets[d].ID, Index: d})
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
	}
	sc.dense.And(parts, target.n)
	m := scanMeter{b: b}
	if len(allowed) > fewDatasets {
		// One pass over the words counts every dataset.
		if m.add(int64(words)) {
			counts := sc.datasetCounts(len(datasets))
			target.countDenseByDataset(sc.dense.Words(), counts)
			res.appendCounts(allowed, datasets, counts, &m)
		}
		return true
	}
	for _, d := range allowed {
		if !m.add(int64(words)) { // a count in words reads every word
			return true
		}
		var c uint64
		if bd := target.byDataset[d]; bd.GetCardinality() == uint64(target.n) {
			c = sc.dense.Count()
		} else {
			c = sc.dense.CountIn(bd)
		}
		res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: datasets[d].ID, Index: d, Count: c})
		res.Total += c
	}
	return true
}
