package engine

import (
	"math/bits"

	"github.com/RoaringBitmap/roaring/v2"
)

// denseCountMaxWords bounds the dense count: targets of up to 2^20 rows (128 KiB per buffer)
// are counted in words; larger ones build the intersection (roaring skips the empty
// containers of sparse parts, which words cannot).
const denseCountMaxWords = 1 << 14

// denseCountMaxSparse bounds the rows of sparse parts (roaring array containers, at most
// 4,096 rows per 65,536) the dense count takes: those are written to words one row at a
// time, which is slower than roaring's merge of sorted arrays once they are many (about
// 3,000 such rows: 5.5 µs in words against 4.0 µs intersected, docs/benchmarks.md#tuned-constants);
// dense parts (bitmap and run containers) are copied word by word.
const denseCountMaxSparse = 1024

// countScratch holds the word buffers a reused Result lends to count queries of several
// parts, so that they allocate nothing after the first.
type countScratch struct{ acc, tmp []uint64 }

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
