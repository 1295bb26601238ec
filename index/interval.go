package index

import (
	"fmt"
	"math"
	"math/bits"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
)

const (
	blockShift = 6
	blockSize  = 1 << blockShift // entries per block, and fan-out of the max-end tree
	// maxShortLen caps the short-interval length bound, which is also the width of the start
	// window a query scans row by row.
	maxShortLen = 1024
)

// Intervals indexes the half-open intervals [start, end) of one chromosome's rows, sorted by
// start.
//
// Rows whose length is at most a bound L (chosen at build time from the length histogram, at
// most 1024) are found through their start alone: one that overlaps [qs, qe) starts in
// [qs-L, qe). The few longer rows (structural variants) live in a side list with a tree of
// per-block maximum ends, so one that starts megabases before the query is found without
// walking the rows in between, and a dense set of SNVs does not pay for them.
//
// An interval with end <= start (a zero-length insertion in some conventions) overlaps as if
// it were [start, start+1): it covers the base it is anchored on. Bracket compares raw ends.
//
// Intervals is immutable and safe for concurrent use.
type Intervals struct {
	starts, ends []int64
	shortMax     int64 // L: every row with effective length <= L is short
	// ordered is true when no end is below its start, so Bracket may stop at start >= e1.
	ordered bool
	// The long rows, ascending, their effective ends, and the max tree over those ends.
	longRows []uint32
	longEnds []int64
	long     maxTree
}

// NewIntervals takes the starts and ends of rows already sorted by start; row i of the index
// is row base+i of the caller's row space (base is given to the *To methods, and base+Len()
// must fit in a uint32). The slices are
// kept, not copied: the caller must not modify them. It panics if their lengths differ or the
// starts are not sorted, which is a caller bug.
func NewIntervals(starts, ends []int64) *Intervals {
	if len(starts) != len(ends) {
		panic(fmt.Sprintf("index: NewIntervals: %d starts but %d ends", len(starts), len(ends)))
	}
	iv := &Intervals{starts: starts, ends: ends, ordered: true}
	// hist[b] counts rows with effective length in (2^(b-1), 2^b].
	var hist [65]int
	for i, s := range starts {
		if i > 0 && s < starts[i-1] {
			panic(fmt.Sprintf("index: NewIntervals: starts not sorted at row %d (%d < %d)", i, s, starts[i-1]))
		}
		if ends[i] < s {
			iv.ordered = false
		}
		hist[bits.Len64(effLen(s, ends[i])-1)]++
	}
	// The smallest power of two that leaves at most 1/64 of the rows long, capped.
	b, long := 0, len(starts)-hist[0]
	for long > len(starts)/blockSize && b < 64 {
		b++
		long -= hist[b]
	}
	iv.shortMax = min(int64(1)<<min(b, 62), maxShortLen)
	for i, s := range starts {
		if effLen(s, ends[i]) > uint64(iv.shortMax) {
			iv.longRows = append(iv.longRows, uint32(i))
			iv.longEnds = append(iv.longEnds, effEnd(s, ends[i]))
		}
	}
	iv.long = newMaxTree(iv.longEnds)
	return iv
}

// effEnd is the end used for overlap: zero-length (or inverted) intervals cover their start base.
func effEnd(start, end int64) int64 {
	if end <= start {
		return start + 1
	}
	return end
}

func effLen(start, end int64) uint64 { return uint64(effEnd(start, end) - start) }

// satSub returns a-b without wrapping below MinInt64 (b >= 0).
func satSub(a, b int64) int64 {
	if a < math.MinInt64+b {
		return math.MinInt64
	}
	return a - b
}

// Len returns the number of rows.
func (iv *Intervals) Len() int { return len(iv.starts) }

// StartRange returns the rows [lo, hi) with s0 <= start < s1.
func (iv *Intervals) StartRange(s0, s1 int64) (lo, hi int) {
	lo = iv.searchStart(0, s0)
	if s1 <= s0 {
		return lo, lo
	}
	return lo, iv.searchStart(lo, s1)
}

// searchStart returns the first row >= from with start >= s.
func (iv *Intervals) searchStart(from int, s int64) int {
	i, j := from, len(iv.starts)
	for i < j {
		h := int(uint(i+j) >> 1)
		if iv.starts[h] < s {
			i = h + 1
		} else {
			j = h
		}
	}
	return i
}

// searchLong returns the number of long rows below row.
func (iv *Intervals) searchLong(row int) int {
	i, j := 0, len(iv.longRows)
	for i < j {
		h := int(uint(i+j) >> 1)
		if int(iv.longRows[h]) < row {
			i = h + 1
		} else {
			j = h
		}
	}
	return i
}

// Overlap calls fn for each row i with start < qe && effEnd > qs, in ascending i, and stops
// when fn returns false. The query is taken as given: a caller that wants a zero-length query
// to hit the base at qs passes qe = qs+1.
func (iv *Intervals) Overlap(qs, qe int64, fn func(i int) bool) {
	lo := iv.searchStart(0, qs)
	hi := lo
	if qe > qs {
		hi = iv.searchStart(lo, qe)
	} else {
		lo = iv.searchStart(0, qe) // only rows starting before qe can overlap
		hi = lo
	}
	// Rows below lo start before qs and overlap only if they reach past it: short ones start
	// in [qs-L, qs), long ones anywhere before that.
	w := iv.searchStart(0, satSub(qs, iv.shortMax))
	w = min(w, lo)
	if !iv.scanLong(0, iv.searchLong(w), qs, fn) {
		return
	}
	for i := w; i < lo; i++ {
		if effEnd(iv.starts[i], iv.ends[i]) > qs && !fn(i) {
			return
		}
	}
	// Rows in [lo, hi) start inside the query and so overlap whatever their end.
	for i := lo; i < hi; i++ {
		if !fn(i) {
			return
		}
	}
}

// OverlapTo adds base+i to dst for each row i that Overlap would report. The rows starting
// inside the query go in as one range. It allocates nothing itself; dst may allocate when it
// grows new containers.
func (iv *Intervals) OverlapTo(qs, qe int64, base uint32, dst *roaring.Bitmap) {
	lo := iv.searchStart(0, qs)
	hi := lo
	if qe > qs {
		hi = iv.searchStart(lo, qe)
	} else {
		lo = iv.searchStart(0, qe)
		hi = lo
	}
	w := min(iv.searchStart(0, satSub(qs, iv.shortMax)), lo)
	iv.scanLong(0, iv.searchLong(w), qs, func(i int) bool {
		dst.Add(base + uint32(i))
		return true
	})
	for i := w; i < lo; i++ {
		if effEnd(iv.starts[i], iv.ends[i]) > qs {
			dst.Add(base + uint32(i))
		}
	}
	if lo < hi {
		dst.AddRange(uint64(base)+uint64(lo), uint64(base)+uint64(hi))
	}
}

// Bracket calls fn for each row i with s0 <= start < s1 && e0 <= end < e1 (raw end), in
// ascending i, and stops when fn returns false.
func (iv *Intervals) Bracket(s0, s1, e0, e1 int64, fn func(i int) bool) {
	if e1 <= e0 {
		return
	}
	lo, hi := iv.StartRange(s0, s1)
	if iv.ordered {
		hi = min(hi, iv.searchStart(lo, e1)) // start <= end < e1
	}
	if lo >= hi {
		return
	}
	// end <= effEnd <= start+L for short rows, so below w only long rows can reach e0.
	w := min(max(iv.searchStart(lo, satSub(e0, iv.shortMax)), lo), hi)
	in := func(i int) bool { e := iv.ends[i]; return e >= e0 && e < e1 }
	thr := int64(math.MinInt64)
	if e0 > math.MinInt64 {
		thr = e0 - 1 // effEnd > e0-1 is necessary for end >= e0
	}
	if !iv.scanLong(iv.searchLong(lo), iv.searchLong(w), thr, func(i int) bool {
		return !in(i) || fn(i)
	}) {
		return
	}
	for i := w; i < hi; i++ {
		if in(i) && !fn(i) {
			return
		}
	}
}

// StartsAt calls fn for each row i with start == s, in ascending i, and stops when fn returns false.
func (iv *Intervals) StartsAt(s int64, fn func(i int) bool) {
	if s == math.MaxInt64 {
		return
	}
	lo, hi := iv.StartRange(s, s+1)
	for i := lo; i < hi; i++ {
		if !fn(i) {
			return
		}
	}
}

// StartsAtTo adds base+i to dst for each row i with start == s.
func (iv *Intervals) StartsAtTo(s int64, base uint32, dst *roaring.Bitmap) {
	if s == math.MaxInt64 {
		return
	}
	lo, hi := iv.StartRange(s, s+1)
	if lo < hi {
		dst.AddRange(uint64(base)+uint64(lo), uint64(base)+uint64(hi))
	}
}

// scanLong calls fn(row), ascending, for the long rows at positions [lo, hi) of the side list
// whose effective end is > thr, skipping blocks (and subtrees) whose max end is not. It
// returns false if fn did.
func (iv *Intervals) scanLong(lo, hi int, thr int64, fn func(i int) bool) bool {
	if lo >= hi {
		return true
	}
	t := &iv.long
	limit := (hi + blockSize - 1) >> blockShift
	b := lo >> blockShift
	// The prefix maximum jumps over the leading blocks that all end at or before thr.
	if t.prefix[b] <= thr {
		b += sort.Search(limit-b, func(k int) bool { return t.prefix[b+k] > thr })
	}
	for b = t.next(b, limit, thr); b < limit; b = t.next(b+1, limit, thr) {
		p0, p1 := max(b<<blockShift, lo), min((b+1)<<blockShift, hi)
		for p := p0; p < p1; p++ {
			if iv.longEnds[p] > thr && !fn(int(iv.longRows[p])) {
				return false
			}
		}
	}
	return true
}

// maxTree summarises a slice of ends: levels[0][b] is the max of block b (64 entries),
// levels[k][j] the max of levels[k-1][j*64 : j*64+64], and the last level has at most 64
// entries. prefix[b] is the max of blocks 0..b (non-decreasing).
type maxTree struct {
	levels [][]int64
	prefix []int64
}

func newMaxTree(vals []int64) maxTree {
	var t maxTree
	lvl := blockMax(vals)
	t.prefix = make([]int64, len(lvl))
	for b, m := range lvl {
		if b > 0 {
			m = max(m, t.prefix[b-1])
		}
		t.prefix[b] = m
	}
	t.levels = append(t.levels, lvl)
	for len(lvl) > blockSize {
		lvl = blockMax(lvl)
		t.levels = append(t.levels, lvl)
	}
	return t
}

// blockMax returns the max of each run of 64 values.
func blockMax(vals []int64) []int64 {
	out := make([]int64, (len(vals)+blockSize-1)>>blockShift)
	for i, v := range vals {
		if b := i >> blockShift; i&(blockSize-1) == 0 || v > out[b] {
			out[b] = v
		}
	}
	return out
}

// next returns the first block b in [from, limit) whose max is > thr, or limit. It climbs
// the tree while the current group holds nothing, then descends into the first subtree that does.
func (t *maxTree) next(from, limit int, thr int64) int {
	if from >= limit {
		return limit
	}
	top := len(t.levels) - 1
	k, j := 0, from
	for {
		lvl := t.levels[k]
		shift := uint(k * blockShift)
		limK := (limit + 1<<shift - 1) >> shift // nodes at level k that cover a block < limit
		end := min((j|(blockSize-1))+1, limK)
		if k == top {
			end = limK
		}
		for ; j < end; j++ {
			if lvl[j] > thr {
				goto down
			}
		}
		// j is now a group boundary: the parent node j>>6 starts right after what was scanned.
		if j >= limK || k == top {
			return limit
		}
		k++
		j >>= blockShift
	}
down:
	for k > 0 {
		k--
		j <<= blockShift
		for lvl := t.levels[k]; lvl[j] <= thr; j++ {
		}
	}
	return min(j, limit)
}
