package engine

import (
	"sync"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// The buckets of an aggregation concept do not depend on the query: a term's rows, a bin's
// rows, the rows with any value. They are cut once, when the catalog is built, and moved to
// each entry type once, when an aggregation over it first asks; an aggregation is then one
// And cardinality per bucket. Cutting them per request was most of an aggregation's time
// (the union of a concept's values alone was 80% of it over 2,504 individuals).

// termRows holds the buckets of one concept: their ids and labels, their rows in the
// concept's own scope, and those rows moved to other entry types.
type termRows struct {
	buckets []Bucket // Count unused
	own     bucketRows

	mu    sync.Mutex
	moved map[release.Entity]*bucketRows
}

// bucketRows is the rows of each bucket (parallel to termRows.buckets) and of any value, in
// one entry type. The bitmaps are shared: readers must not modify them.
type bucketRows struct {
	buckets []*roaring.Bitmap
	with    *roaring.Bitmap
}

// cutTermRows cuts the buckets of concept at of table t: each distinct value (in value
// order) of an ontology-term concept, each bin of a numeric one.
func (s *Snapshot) cutTermRows(t *table, at AggregationTerm) *termRows {
	tr := &termRows{}
	var values []*roaring.Bitmap
	t.values.EachValue(at.path, func(v string, bm *roaring.Bitmap) bool {
		values = append(values, bm)
		if !at.Numeric {
			tr.buckets = append(tr.buckets, Bucket{ID: v, Label: s.Label(v)})
			tr.own.buckets = append(tr.own.buckets, bm)
		}
		return true
	})
	if at.Numeric {
		edges, labels := s.bins(t, at)
		tr.own.buckets = t.values.BinRows(at.path, at.durations, edges)
		for _, l := range labels {
			tr.buckets = append(tr.buckets, Bucket{ID: l[0], Label: l[1]})
		}
	}
	tr.own.with = roaring.FastOr(values...)
	return tr
}

// movedTermRows returns the buckets of tr (of concept scope) as rows of target, moving them
// when first asked.
func (s *Snapshot) movedTermRows(tr *termRows, scope, target release.Entity) *bucketRows {
	if scope == target {
		return &tr.own
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if m := tr.moved[target]; m != nil {
		return m
	}
	m := &bucketRows{buckets: make([]*roaring.Bitmap, len(tr.own.buckets)), with: s.translate(scope, tr.own.with, target)}
	for i, bm := range tr.own.buckets {
		m.buckets[i] = s.translate(scope, bm, target)
	}
	if tr.moved == nil {
		tr.moved = map[release.Entity]*bucketRows{}
	}
	tr.moved[target] = m
	return m
}
