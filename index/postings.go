package index

import (
	"slices"
	"sort"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// postings maps distinct keys, sorted, to their rows. A key held by one row keeps that row
// inline (4 bytes) instead of a bitmap (over a hundred bytes): on a variant-sized table most
// keys of some paths (HGVS ids, positions) are unique, and a bitmap each would dominate the
// heap. Every array is flat, so an index file can hold it as is.
type postings struct {
	keys  Strings
	one   []uint32 // row of key i, or multiFlag|j for multi[j]
	multi bitmapList
	// plain[j] is true when multi[j] has no bitmap container, so orWords ORs it into a dense
	// buffer element by element (WriteDenseTo overwrites the words of a bitmap container).
	plain []bool
}

const multiFlag = 1 << 31

func (p *postings) len() int         { return len(p.one) }
func (p *postings) key(i int) string { return p.keys.At(i) }

// find returns the index of key, by binary search.
func (p *postings) find(key string) (int, bool) {
	i := sort.Search(len(p.one), func(i int) bool { return p.keys.At(i) >= key })
	return i, i < len(p.one) && p.keys.At(i) == key
}

// bitmap returns the rows of key i: shared for a multi-row key, a new bitmap for a single
// row. Callers must not modify it.
func (p *postings) bitmap(i int) *roaring.Bitmap {
	if r := p.one[i]; r&multiFlag == 0 {
		return roaring.BitmapOf(r)
	}
	return p.multi.get(int(p.one[i] &^ multiFlag))
}

func (p *postings) card(i int) uint64 {
	if r := p.one[i]; r&multiFlag == 0 {
		return 1
	}
	return p.multi.get(int(p.one[i] &^ multiFlag)).GetCardinality()
}

func (p *postings) intersects(i int, rows *roaring.Bitmap) bool {
	if r := p.one[i]; r&multiFlag == 0 {
		return rows.Contains(r)
	}
	return p.multi.get(int(p.one[i] &^ multiFlag)).Intersects(rows)
}

// orWords ORs the rows of key i into a dense buffer of one bit per row.
func (p *postings) orWords(i int, words []uint64) {
	r := p.one[i]
	if r&multiFlag == 0 {
		words[r>>6] |= 1 << (r & 63)
		return
	}
	j := r &^ multiFlag
	bm := p.multi.get(int(j))
	if int(j) < len(p.plain) && p.plain[j] {
		bm.WriteDenseTo(words)
		return
	}
	it := bm.Iterator()
	for it.HasNext() {
		v := it.Next()
		words[v>>6] |= 1 << (v & 63)
	}
}

// postingsBuilder collects (key, row) pairs: a key once per run of consecutive pairs with
// that key, and every row. Most fields of a variant table repeat row after row ("PASS",
// "SequenceLocation", the chromosome's RefSeq id), so at 10^7 variants this holds a few
// gigabytes less than a key per pair; build sorts the runs by key and groups them. With a
// Spill, the pairs go to sorted runs on disk and the postings to mapped files
// (postingsspill.go).
type postingsBuilder struct {
	keys  StringsBuilder // the key of each run
	start []int          // the first pair of each run, an index into rows
	rows  []uint32

	spill  Spill
	what   string    // names the spill files
	sorted SpillFile // the sorted runs written so far, nil before the first
	bounds []int64   // sorted run i is bytes [bounds[i], bounds[i+1]) of sorted
}

func (b *postingsBuilder) add(key string, row uint32) {
	if n := b.keys.Len(); n == 0 || b.keys.At(n-1) != key {
		b.keys.Add(key)
		b.start = append(b.start, len(b.rows))
	}
	b.rows = append(b.rows, row)
	if b.spill != nil && b.heldBytes() >= postingsSpillBytes {
		b.writeSorted()
	}
}

// heldBytes is what the pairs held take, roughly.
func (b *postingsBuilder) heldBytes() int {
	return len(b.keys.data) + 16*len(b.start) + 4*len(b.rows)
}

// groups calls fn with each distinct key held, ascending, and its rows, ascending and
// distinct (rows is reused after fn returns).
func (b *postingsBuilder) groups(fn func(key string, rows []uint32)) {
	n := len(b.start)
	order := make([]uint32, n)
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(x, y uint32) int {
		if c := strings.Compare(b.keys.At(int(x)), b.keys.At(int(y))); c != 0 {
			return c
		}
		return int(x) - int(y)
	})
	runRows := func(run uint32) []uint32 {
		end := len(b.rows)
		if int(run)+1 < n {
			end = b.start[run+1]
		}
		return b.rows[b.start[run]:end]
	}
	var rows []uint32
	for i := 0; i < n; {
		k := b.keys.At(int(order[i]))
		rows = rows[:0]
		for ; i < n && b.keys.At(int(order[i])) == k; i++ {
			rows = append(rows, runRows(order[i])...)
		}
		// Rows arrive ascending from every builder here; sort in case one did not.
		if !slices.IsSorted(rows) {
			slices.Sort(rows)
		}
		fn(k, slices.Compact(rows))
	}
}

// build returns the postings; maxRow receives the largest row seen (0 for none). When a
// spill file fails the postings are empty: the Spill reports the error (see Spill).
func (b *postingsBuilder) build() (p postings, maxRow uint32) {
	if b.sorted != nil {
		return b.buildSpilled()
	}
	o := newPostingsOut(nil, b.what)
	b.groups(o.addRows)
	p, maxRow, _ = o.finish() // in memory: no error
	b.keys, b.start, b.rows = StringsBuilder{}, nil, nil
	return p, maxRow
}

// postingsAppender keeps the bitmaps of multi-row keys while postings are assembled.
type postingsAppender struct {
	multi []*roaring.Bitmap
	plain []bool
}

// add returns the entry of one for a key's rows (sorted, distinct, not empty), keeping a
// bitmap when they are several.
func (pb *postingsAppender) add(rows []uint32) uint32 {
	if len(rows) == 1 && rows[0]&multiFlag == 0 {
		return rows[0]
	}
	bm := roaring.New()
	bm.AddMany(rows)
	return pb.addBitmap(bm)
}

// addBitmap returns the entry of one for a key held by the rows of bm (several), which it
// takes over: compacted, its containers are those its contents call for, however it was
// made (from rows, or as a union of shifted bitmaps by a merge).
func (pb *postingsAppender) addBitmap(bm *roaring.Bitmap) uint32 {
	bm = Compact(bm)
	pb.multi = append(pb.multi, bm)
	pb.plain = append(pb.plain, bm.Stats().BitmapContainers == 0)
	return multiFlag | uint32(len(pb.multi)-1)
}

// iterate calls fn with each row of key i, ascending.
func (p *postings) iterate(i int, fn func(row uint32)) {
	if r := p.one[i]; r&multiFlag == 0 {
		fn(r)
		return
	}
	p.multi.get(int(p.one[i] &^ multiFlag)).Iterate(func(r uint32) bool { fn(r); return true })
}
