package index

import (
	"math/bits"

	"github.com/RoaringBitmap/roaring/v2"
)

// The set operations a query runs on posting bitmaps: the engine plans which one to use
// (engine/plan.go), these carry it out, and index_bench_test.go measures them.

// empty is returned for absent keys so callers never need a nil check. It must not be
// modified.
var empty = roaring.New()

// Intersect ANDs the parts, smallest first, starting from base; it returns a new bitmap and
// modifies none of its inputs (base alone when there are no parts).
func Intersect(base *roaring.Bitmap, parts []*roaring.Bitmap) *roaring.Bitmap {
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

// RowRun reports whether rows are one run [lo, hi), as the variants of a range are unless a
// long variant starting before it overlaps, and every row of a release of one dataset is.
func RowRun(rows *roaring.Bitmap) (lo, hi uint64, ok bool) {
	if rows.IsEmpty() {
		return 0, 0, false
	}
	lo, hi = uint64(rows.Minimum()), uint64(rows.Maximum())+1
	return lo, hi, rows.GetCardinality() == hi-lo
}

// CountIn returns how many of rows are in set: by rank when set is one run, where
// AndCardinality would visit every value of rows. The variants an individual carries at
// 10^7 variants are 460,000 rows: 160 µs.
func CountIn(rows, set *roaring.Bitmap) uint64 {
	lo, hi, ok := RowRun(set)
	if !ok {
		return rows.AndCardinality(set)
	}
	n := rows.Rank(uint32(hi - 1))
	if lo > 0 {
		n -= rows.Rank(uint32(lo - 1))
	}
	return n
}

// DenseAnd is the intersection of a few bitmaps held as words, counted without building a
// bitmap. Dense parts (bitmap and run containers) are copied word by word; sparse ones are
// written a row at a time, so it pays only for a small target with few sparse rows (the
// engine decides: countScratch.count). Its buffers are kept across uses.
type DenseAnd struct{ acc, tmp []uint64 }

// And sets d to the intersection of parts: at least one, none empty, every row below n.
func (d *DenseAnd) And(parts []*roaring.Bitmap, n uint32) {
	words := (int(n) + 63) / 64
	first := 0 // the part ending first bounds the AND
	for i, p := range parts {
		if p.Maximum() < parts[first].Maximum() {
			first = i
		}
	}
	if cap(d.acc) < words {
		d.acc, d.tmp = make([]uint64, words), make([]uint64, words)
	}
	d.acc, d.tmp = d.acc[:parts[first].DenseSize()], d.tmp[:words]
	clear(d.acc)
	parts[first].WriteDenseTo(d.acc)
	for i, p := range parts {
		if i != first {
			t := d.words(p)
			m := min(len(d.acc), len(t))
			for j := range d.acc[:m] {
				d.acc[j] &= t[j]
			}
			clear(d.acc[m:])
		}
	}
}

// Words returns the intersection as words (row r is bit r%64 of word r/64); it may end
// before the rows And was given. Read only, valid until the next And.
func (d *DenseAnd) Words() []uint64 { return d.acc }

// Count returns the rows of the intersection.
func (d *DenseAnd) Count() uint64 {
	var c int
	for _, w := range d.acc {
		c += bits.OnesCount64(w)
	}
	return uint64(c)
}

// CountIn returns the rows of the intersection that are also in bm (not empty, every row
// below And's n).
func (d *DenseAnd) CountIn(bm *roaring.Bitmap) uint64 {
	t := d.words(bm)
	var c int
	for i := range d.acc[:min(len(d.acc), len(t))] {
		c += bits.OnesCount64(d.acc[i] & t[i])
	}
	return uint64(c)
}

// words writes bm (not empty, ending within tmp) into tmp as words and returns them.
func (d *DenseAnd) words(bm *roaring.Bitmap) []uint64 {
	t := d.tmp[:bm.DenseSize()]
	clear(t)
	bm.WriteDenseTo(t)
	return t
}
