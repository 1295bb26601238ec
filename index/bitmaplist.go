package index

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
)

// bitmapList is the bitmaps of a postings' multi-row keys. Built in memory they are held;
// decoded from an index file, each is read from its section (roaring's FromBuffer, which
// allocates a header pointing into the mapping) when first asked for, not at load: a
// variant table's value index holds about a million of them at 10^7 variants, and reading
// them all was more than half of ready's CPU (docs/benchmarks.md). Safe for concurrent use.
type bitmapList struct {
	bms []atomic.Pointer[roaring.Bitmap]
	// buf and at: bitmap j not yet read is the section whose length prefix is at buf[at[j]:]
	// (Decoder.sections checked that it lies within buf and is not empty).
	buf []byte
	at  []uint64
}

// heldBitmaps returns a list of bms, held as they are.
func heldBitmaps(bms []*roaring.Bitmap) bitmapList {
	l := bitmapList{bms: make([]atomic.Pointer[roaring.Bitmap], len(bms))}
	for j, bm := range bms {
		l.bms[j].Store(bm)
	}
	return l
}

func (l *bitmapList) len() int { return len(l.bms) }

// get returns bitmap j, reading it from its section the first time. A j beyond the list or
// a section roaring does not accept (only a miswritten or damaged index file has either)
// reads as an empty bitmap. Callers must not modify it.
func (l *bitmapList) get(j int) *roaring.Bitmap {
	if j >= len(l.bms) {
		return empty
	}
	if bm := l.bms[j].Load(); bm != nil {
		return bm
	}
	off := l.at[j]
	n := binary.LittleEndian.Uint64(l.buf[off:])
	p := l.buf[off+8 : off+8+n : off+8+n]
	bm := roaring.New()
	if read, err := bm.FromBuffer(p); err != nil || read != int64(len(p)) {
		bm = roaring.New()
	}
	if l.bms[j].CompareAndSwap(nil, bm) {
		return bm
	}
	return l.bms[j].Load()
}

// all returns every bitmap (reading those not yet read), for writing them out again.
func (l *bitmapList) all() []*roaring.Bitmap {
	out := make([]*roaring.Bitmap, l.len())
	for j := range out {
		out[j] = l.get(j)
	}
	return out
}

// bitmapList returns the bitmaps written by Encoder.Bitmaps without reading them: only their
// sections' length prefixes are walked, each checked to lie within the buffer and not to be
// empty (a nil bitmap, which postings never hold).
func (d *Decoder) bitmapList() bitmapList {
	n := d.Count(uint64(len(d.buf)-d.off) / 8)
	if d.err != nil {
		return bitmapList{}
	}
	l := bitmapList{bms: make([]atomic.Pointer[roaring.Bitmap], n), buf: d.buf, at: make([]uint64, n)}
	for j := range n {
		l.at[j] = uint64(d.off)
		if p := d.Bytes(); d.err == nil && len(p) == 0 {
			d.Fail(fmt.Errorf("%w: posting bitmap %d missing", ErrCorrupt, j))
		}
		if d.err != nil {
			return bitmapList{}
		}
	}
	return l
}
