package index

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"slices"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"
)

// postingsOut assembles postings key by key, ascending: into memory, or, given a Spill, with
// the keys, their offsets and the one-row entries written to files it maps at the end (only
// the bitmaps of keys with several rows stay on the heap). A build from pairs
// (postingsBuilder) and a merge of built postings (postingsmerge.go) both end here, so
// the postings they make are the same for the same rows.
type postingsOut struct {
	spill Spill // nil: in memory
	what  string

	keys       StringsBuilder // in memory
	one        []uint32       // in memory
	kf, of, rf SpillFile
	kw, ow, rw *bufio.Writer
	at         uint64 // bytes of keys written
	pb         postingsAppender
	maxRow     uint32
	n          int
	scratch    []uint32
}

// newPostingsOut starts postings, spilled through sp unless it is nil (what names the files).
func newPostingsOut(sp Spill, what string) *postingsOut {
	o := &postingsOut{spill: sp, what: what}
	if sp != nil {
		o.kf = sp.Create(what + "-postings-keys")
		o.of = sp.Create(what + "-postings-offsets")
		o.rf = sp.Create(what + "-postings-rows")
		o.kw, o.ow, o.rw = bufio.NewWriterSize(o.kf, 256<<10), bufio.NewWriterSize(o.of, 64<<10), bufio.NewWriterSize(o.rf, 64<<10)
		o.put(o.ow, 0, 8)
	}
	return o
}

func (o *postingsOut) put(w *bufio.Writer, v uint64, size int) {
	var x [8]byte
	binary.LittleEndian.PutUint64(x[:], v)
	w.Write(x[:size])
}

// addKey appends key with its entry (a row, or multiFlag and a bitmap's index).
func (o *postingsOut) addKey(key string, entry uint32) {
	o.n++
	if o.spill == nil {
		o.keys.Add(key)
		o.one = append(o.one, entry)
		return
	}
	o.kw.WriteString(key)
	o.at += uint64(len(key))
	o.put(o.ow, o.at, 8)
	o.put(o.rw, uint64(entry), 4)
}

// addRows appends key held by rows (sorted, distinct, not empty).
func (o *postingsOut) addRows(key string, rows []uint32) {
	o.maxRow = max(o.maxRow, rows[len(rows)-1])
	o.addKey(key, o.pb.add(rows))
}

// addBitmap appends key held by the rows of bm (not empty), which it takes over.
func (o *postingsOut) addBitmap(key string, bm *roaring.Bitmap) {
	o.maxRow = max(o.maxRow, bm.Maximum())
	if bm.GetCardinality() == 1 {
		o.addRow(key, bm.Minimum())
		return
	}
	o.addKey(key, o.pb.addBitmap(bm))
}

// addRow appends key held by one row.
func (o *postingsOut) addRow(key string, row uint32) {
	o.scratch = append(o.scratch[:0], row)
	o.addRows(key, o.scratch)
}

// finish returns the postings and the largest row; err when a spill file failed (the
// caller hands it to the Spill).
func (o *postingsOut) finish() (postings, uint32, error) {
	if o.spill == nil {
		p := postings{keys: o.keys.Build(), one: slices.Clip(o.one), multi: heldBitmaps(o.pb.multi), plain: o.pb.plain}
		return p, o.maxRow, nil
	}
	for _, w := range []*bufio.Writer{o.kw, o.ow, o.rw} {
		w.Flush()
	}
	kb, err := o.kf.Map()
	ob, oerr := o.of.Map()
	rb, rerr := o.rf.Map()
	for _, e := range []error{oerr, rerr} {
		if err == nil {
			err = e
		}
	}
	p := postings{one: mappedWords[uint32](rb), multi: heldBitmaps(o.pb.multi), plain: o.pb.plain}
	if err == nil {
		p.keys, err = StringsFrom(unsafe.String(unsafe.SliceData(kb), len(kb)), mappedWords[uint64](ob))
	}
	if err == nil && (p.keys.Len() != len(p.one) || len(p.one) != o.n) {
		err = fmt.Errorf("postings of %s: %d keys, %d entries", o.what, p.keys.Len(), len(p.one))
	}
	if err != nil {
		return postings{}, 0, err
	}
	return p, o.maxRow, nil
}
