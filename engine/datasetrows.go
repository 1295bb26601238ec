package engine

import (
	"math/bits"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
)

// Splitting an answer by dataset. A release of thousands of datasets (an archive's Beacon)
// must not pay one bitmap operation per dataset for every query: the rows of a dataset are
// contiguous in every table built in load order (all but variants, and variants too when
// datasets hold disjoint stretches of the genome), so one pass over the answer with the
// dataset boundaries (spans) counts every dataset; elsewhere the row → dataset column does,
// in one pass over the answer's rows. Few datasets keep one CountIn per dataset, which is
// cheaper for large answers.

// fewDatasets is the most allowed datasets that are counted one by one (CountIn each).
const fewDatasets = 4

// datasetSpans returns the first row of each dataset and the end, when the rows of each
// dataset are one run and the runs are in dataset order (dataset d holds rows
// [start[d], start[d+1])); nil otherwise. It reads the per-dataset bitmaps, not the rows.
func datasetSpans(byDataset []*roaring.Bitmap, n uint32) []uint32 {
	start := make([]uint32, len(byDataset)+1)
	next := uint32(0)
	for d, bm := range byDataset {
		start[d] = next
		if bm.IsEmpty() {
			continue
		}
		lo, hi := bm.Minimum(), bm.Maximum()
		if lo != next || bm.GetCardinality() != uint64(hi-lo)+1 {
			return nil
		}
		next = hi + 1
	}
	if next != n {
		return nil
	}
	start[len(byDataset)] = n
	return start
}

// spanOf returns the dataset whose span holds row.
func spanOf(start []uint32, row uint32) int {
	// The last d with start[d] <= row whose span is not empty.
	return sort.Search(len(start)-1, func(d int) bool { return start[d+1] > row })
}

// countByDataset adds to counts[d] the rows of rows in dataset d, for every dataset that
// allowed may hold: with spans, for an answer of few rows per dataset in one ordered pass,
// else by one range cardinality per allowed dataset (a binary search of rows's containers
// and a count within one or two); without spans, by reading the row → dataset column for
// each row. m meters one unit per dataset or per 64 rows read.
func (t *table) countByDataset(rows *roaring.Bitmap, allowed []uint16, counts []uint64, m *scanMeter) {
	if t.spans != nil {
		if rows.GetCardinality() <= uint64(len(allowed))*spanStepRows {
			t.countSpansInOrder(rows, counts, m)
			return
		}
		for _, d := range allowed {
			if !m.add(1) {
				return
			}
			counts[d] = rows.CardinalityInRange(uint64(t.spans[d]), uint64(t.spans[d+1]))
		}
		return
	}
	it := rows.ManyIterator()
	var buf [256]uint32
	for {
		k := it.NextMany(buf[:])
		if k == 0 {
			return
		}
		if !m.add(int64(k+63) / 64) {
			return
		}
		for _, r := range buf[:k] {
			counts[t.dataset[r]]++
		}
	}
}

// spanStepRows is how many rows cost about as much as one range cardinality: an answer of
// fewer rows per allowed dataset is counted in one ordered pass instead.
const spanStepRows = 32

// countSpansInOrder counts rows by dataset in one pass over the rows in order, moving through
// the spans as it goes: O(rows + datasets).
func (t *table) countSpansInOrder(rows *roaring.Bitmap, counts []uint64, m *scanMeter) {
	it := rows.ManyIterator()
	var buf [256]uint32
	d := 0
	for {
		k := it.NextMany(buf[:])
		if k == 0 {
			return
		}
		if !m.add(int64(k+63) / 64) {
			return
		}
		for _, r := range buf[:k] {
			for r >= t.spans[d+1] {
				d++
			}
			counts[d]++
		}
	}
}

// walkCheaper reports whether counting rows by dataset in one pass beats one CountIn per
// allowed dataset, each of which visits rows's containers: a pass over the row → dataset
// column reads every row.
func (t *table) walkCheaper(rows *roaring.Bitmap, allowed int) bool {
	if allowed <= fewDatasets {
		return false
	}
	if t.spans != nil || rows.IsEmpty() {
		return true
	}
	keys := uint64(rows.Maximum()>>16-rows.Minimum()>>16) + 1
	return rows.GetCardinality() <= uint64(allowed)*(32+16*keys)
}

// countDenseByDataset adds to counts[d] the set bits of words (rows 0..) in dataset d, in
// one pass over the words: by popcounts within each span, or bit by bit through the row →
// dataset column.
func (t *table) countDenseByDataset(words []uint64, counts []uint64) {
	if t.spans != nil {
		end := uint32(len(words)) * 64
		for d := 0; d+1 < len(t.spans) && t.spans[d] < end; d++ {
			counts[d] = popcountRange(words, t.spans[d], min(t.spans[d+1], end))
		}
		return
	}
	for i, w := range words {
		for w != 0 {
			counts[t.dataset[uint32(i)*64+uint32(bits.TrailingZeros64(w))]]++
			w &= w - 1
		}
	}
}

// popcountRange counts the set bits of words in [lo, hi).
func popcountRange(words []uint64, lo, hi uint32) uint64 {
	if lo >= hi {
		return 0
	}
	first, last := lo/64, (hi-1)/64
	loMask, hiMask := ^uint64(0)<<(lo%64), ^uint64(0)>>(63-(hi-1)%64)
	if first == last {
		return uint64(bits.OnesCount64(words[first] & loMask & hiMask))
	}
	c := bits.OnesCount64(words[first]&loMask) + bits.OnesCount64(words[last]&hiMask)
	for _, w := range words[first+1 : last] {
		c += bits.OnesCount64(w)
	}
	return uint64(c)
}

// splitRows fills res with the rows of each allowed dataset: one And for each dataset the
// rows touch, the others sharing one empty bitmap (read only, like every result bitmap), and
// res.Rows the rows themselves when every dataset is allowed. rows is res's to keep.
func (s *Snapshot) splitRows(res *Result, target *table, rows *roaring.Bitmap, allowed []uint16) {
	if !target.walkCheaper(rows, len(allowed)) {
		res.Rows = roaring.New()
		for _, d := range allowed {
			dr := roaring.And(rows, target.byDataset[d])
			c := dr.GetCardinality()
			res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: s.datasets[d].ID, Index: d, Rows: dr, Count: c})
			res.Total += c
			res.Rows.Or(dr)
		}
		return
	}
	counts := res.scratch.datasetCounts(len(s.datasets))
	target.countByDataset(rows, allowed, counts, &scanMeter{})
	empty := roaring.New()
	var touched []*roaring.Bitmap
	for _, d := range allowed {
		dr := empty
		if c := counts[d]; c > 0 {
			dr = roaring.And(rows, target.byDataset[d])
			touched = append(touched, dr)
		}
		res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: s.datasets[d].ID, Index: d, Rows: dr, Count: counts[d]})
		res.Total += counts[d]
	}
	switch {
	case len(allowed) == len(s.datasets):
		res.Rows = rows
	case len(touched) == 0:
		res.Rows = empty
	default:
		res.Rows = roaring.FastOr(touched...)
	}
}
