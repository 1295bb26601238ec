package index

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"
)

// A table's postings grow with its rows: at 10^7 variants the term and value postings
// builders held about 4 GB, most of it keys held by one row each (a position, an HGVS id).
// Given a Spill, a builder writes what it holds as a sorted run to a file whenever it passes
// postingsSpillBytes, and build merges the runs, writing the keys, their offsets and the
// one-row entries to files that it maps; only the bitmaps of keys with several rows stay on
// the heap. The index file format does not change.

// Spill gives builders files for what grows with the rows. A builder that meets an error
// (its files report theirs when read back or mapped) hands it to Fail and leaves its index
// empty: the owner of the Spill must check for errors before using what was built.
type Spill interface {
	// Create starts a file; what names it in errors.
	Create(what string) SpillFile
	// Fail records an error of a build.
	Fail(err error)
	// Drop says the maps handed out so far have been read through for now: their pages may
	// leave the resident set (a later read faults them back in). A builder calls it after
	// each index it built read its keys back, so that one index's pages are resident at a
	// time, not every index's until the table is done.
	Drop()
}

// SpillFile is one file being written, then read back or mapped.
type SpillFile interface {
	io.Writer
	// Size is the number of bytes written.
	Size() int64
	// ReadBack ends writing and returns the file to read.
	ReadBack() (io.ReaderAt, error)
	// Map ends writing and maps the file read-only (page-aligned; nil when empty); the map
	// lives as long as the Spill's owner keeps it. The file is closed.
	Map() ([]byte, error)
	// Close closes and removes the file (a map of it lives on).
	Close()
}

// postingsSpillBytes is how much a spilling builder holds before writing a sorted run: with
// twenty builders (a variant table's paths and term indexes) at most a few hundred MB.
var postingsSpillBytes = 8 << 20 // a variable for the tests

// Spill sends the builder's postings through sp from now on (what names its files).
func (b *TermIndexBuilder) Spill(sp Spill, what string) { b.b.spill, b.b.what = sp, what }

// Spill sends the postings of every path through sp from now on.
func (b *ValueIndexBuilder) Spill(sp Spill) { b.spill = sp }

// writeSorted appends what the builder holds to its sorted runs and empties it. A run is a
// sequence of groups, ascending by key: the key's length and bytes, the number of rows, the
// rows as deltas, all unsigned varints.
func (b *postingsBuilder) writeSorted() {
	if len(b.start) == 0 {
		return
	}
	if b.sorted == nil {
		b.sorted = b.spill.Create(b.what + "-postings-runs")
		b.bounds = []int64{0}
	}
	w := bufio.NewWriterSize(b.sorted, 256<<10)
	var tmp [binary.MaxVarintLen64]byte
	uv := func(v uint64) { w.Write(tmp[:binary.PutUvarint(tmp[:], v)]) }
	b.groups(func(k string, rows []uint32) {
		uv(uint64(len(k)))
		w.WriteString(k)
		uv(uint64(len(rows)))
		prev := uint32(0)
		for _, r := range rows {
			uv(uint64(r - prev))
			prev = r
		}
	})
	w.Flush() // errors surface when the runs are read back
	b.bounds = append(b.bounds, b.sorted.Size())
	b.keys.data, b.keys.offs = b.keys.data[:0], b.keys.offs[:1] // offs[0] is 0
	b.start, b.rows = b.start[:0], b.rows[:0]
}

// runReader reads one sorted run group by group: the key first, its rows when the merge
// takes them (readRows), a chunk at a time. Read with their keys, the rows of a key most
// rows hold were all on the heap at once, in every run's reader: 4 bytes a row.
type runReader struct {
	r     *bufio.Reader
	idx   int // the run's place: runs are merged in the order written (row order)
	key   []byte
	left  uint64 // rows of key not read yet
	chunk []uint32
	err   error
}

func (rr *runReader) fail(err error) bool {
	rr.err = fmt.Errorf("postings run: %w", err)
	return false
}

// next reads the next group's key, skipping the rows of this one not read; false at the
// end of the run or on an error (err).
func (rr *runReader) next() bool {
	for rr.left > 0 && rr.readRows(func([]uint32) {}) {
	}
	if rr.err != nil {
		return false
	}
	if _, err := rr.r.Peek(1); err == io.EOF {
		return false
	}
	kl, err := binary.ReadUvarint(rr.r)
	if err != nil {
		return rr.fail(err)
	}
	rr.key = slices.Grow(rr.key[:0], int(kl))[:kl]
	if _, err := io.ReadFull(rr.r, rr.key); err != nil {
		return rr.fail(err)
	}
	if rr.left, err = binary.ReadUvarint(rr.r); err != nil {
		return rr.fail(err)
	}
	return true
}

// readRows hands fn the rows of the current key, ascending, in chunks (reused after fn
// returns); false on an error (err).
func (rr *runReader) readRows(fn func(rows []uint32)) bool {
	prev := uint64(0)
	for rr.left > 0 && rr.err == nil {
		rr.chunk = rr.chunk[:0]
		for ; rr.left > 0 && len(rr.chunk) < 4096; rr.left-- {
			d, err := binary.ReadUvarint(rr.r)
			if err != nil {
				return rr.fail(err)
			}
			prev += d
			rr.chunk = append(rr.chunk, uint32(prev))
		}
		fn(rr.chunk)
	}
	return rr.err == nil
}

// runHeap orders the runs by their current key, then by their place.
type runHeap []*runReader

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(i, j int) bool {
	if c := strings.Compare(unsafe.String(unsafe.SliceData(h[i].key), len(h[i].key)), unsafe.String(unsafe.SliceData(h[j].key), len(h[j].key))); c != 0 {
		return c < 0
	}
	return h[i].idx < h[j].idx
}
func (h runHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(*runReader)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// buildSpilled merges the sorted runs into postings whose keys and one-row entries are
// mapped spill files.
func (b *postingsBuilder) buildSpilled() (postings, uint32) {
	b.writeSorted()
	b.keys, b.start, b.rows = StringsBuilder{}, nil, nil
	defer b.sorted.Close()
	ra, err := b.sorted.ReadBack()
	if err != nil {
		b.spill.Fail(err)
		return postings{}, 0
	}
	var h runHeap
	for i := range len(b.bounds) - 1 {
		sr := io.NewSectionReader(ra, b.bounds[i], b.bounds[i+1]-b.bounds[i])
		rr := &runReader{r: bufio.NewReaderSize(sr, 64<<10), idx: i}
		if rr.next() {
			h = append(h, rr)
		}
	}
	heap.Init(&h)
	o := newPostingsOut(b.spill, b.what)
	var key []byte
	var rows []uint32
	var bm *roaring.Bitmap // the rows of key taken so far, once they were many
	add := func(rs []uint32) {
		rows = append(rows, rs...)
		if len(rows) >= mergeFoldRows {
			if bm == nil {
				bm = roaring.New()
			}
			bm.AddMany(rows)
			rows = rows[:0]
		}
	}
	emit := func() {
		k := unsafe.String(unsafe.SliceData(key), len(key))
		if bm != nil { // the postings are the same as from the rows (Compact)
			bm.AddMany(rows)
			o.addBitmap(k, bm)
			bm = nil
			return
		}
		if !slices.IsSorted(rows) {
			slices.Sort(rows)
		}
		o.addRows(k, slices.Compact(rows))
	}
	n := 0
	for h.Len() > 0 {
		rr := h[0]
		if n == 0 || string(rr.key) != string(key) {
			if n > 0 {
				emit()
			}
			key, rows = append(key[:0], rr.key...), rows[:0]
			n++
		}
		rr.readRows(add)
		if rr.next() {
			heap.Fix(&h, 0)
		} else {
			if rr.err != nil && err == nil {
				err = rr.err
			}
			heap.Pop(&h)
		}
	}
	if n > 0 {
		emit()
	}
	p, maxRow, oerr := o.finish()
	if err == nil {
		err = oerr
	}
	if err != nil {
		b.spill.Fail(err)
		return postings{}, 0
	}
	return p, maxRow
}

// mergeFoldRows is how many rows of one key the merge of runs holds as a slice before it
// adds them to the key's bitmap: a key most rows hold (a FILTER of PASS, a location type)
// was 4 bytes a row, 40 MB at 10^7, on top of its bitmap.
var mergeFoldRows = 1 << 16 // a variable for the tests

// mappedWords views mapped bytes (page-aligned) as an array of T.
func mappedWords[T uint32 | uint64 | float64](b []byte) []T {
	var z T
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/int(unsafe.Sizeof(z)))
}
