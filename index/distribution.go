package index

import (
	"sort"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// DaysPerYear converts years to the days durations read as (ReadingRange, BinRows).
const DaysPerYear = lexical.DaysPerYear

// Distributions (aggregations): how the rows of a set spread over the values of a path, as
// bitmap cardinalities, without materialising the set's values.

// EachValue calls fn with each distinct value at path, in value order, and its rows (shared:
// callers must not modify them); it stops when fn returns false.
func (x *ValueIndex) EachValue(path string, fn func(value string, rows *roaring.Bitmap) bool) {
	f := x.fields[path]
	if f == nil {
		return
	}
	for i := range f.p.len() {
		if !fn(f.p.key(i), f.p.bitmap(i)) {
			return
		}
	}
}

// Readings returns how many distinct values at path read as numbers and as ISO 8601
// durations, and how many distinct values it has.
func (x *ValueIndex) Readings(path string) (numbers, durations, values int) {
	f := x.fields[path]
	if f == nil {
		return 0, 0, 0
	}
	return len(f.nums.keys), len(f.durs.keys), f.p.len()
}

// ReadingRange returns the lowest and highest reading at path: numbers, or durations in days.
func (x *ValueIndex) ReadingRange(path string, durations bool) (lo, hi float64, ok bool) {
	n := x.readingsOf(path, durations)
	if n == nil || len(n.keys) == 0 {
		return 0, 0, false
	}
	return n.keys[0].v, n.keys[len(n.keys)-1].v, true
}

func (x *ValueIndex) readingsOf(path string, durations bool) *numIndex {
	f := x.fields[path]
	if f == nil {
		return nil
	}
	if durations {
		return &f.durs
	}
	return &f.nums
}

// BinRows returns, for each bin [edges[i], edges[i+1]) (the last one closed above), the rows
// with a reading at path in it: numbers, or durations in days. A row with several readings
// is in every bin one of them falls in. The bitmaps are new.
func (x *ValueIndex) BinRows(path string, durations bool, edges []float64) []*roaring.Bitmap {
	out := make([]*roaring.Bitmap, max(len(edges)-1, 0))
	n := x.readingsOf(path, durations)
	f := x.fields[path]
	var slots []int32
	for i := range out {
		slots = slots[:0]
		if n != nil {
			lo := sort.Search(len(n.keys), func(j int) bool { return n.keys[j].v >= edges[i] })
			for _, k := range n.keys[lo:] {
				if k.v > edges[i+1] || k.v == edges[i+1] && i+2 < len(edges) {
					break
				}
				slots = append(slots, k.slot)
			}
		}
		if len(slots) == 0 {
			out[i] = roaring.New()
			continue
		}
		out[i] = x.union(f, slots)
	}
	return out
}
