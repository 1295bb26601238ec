package engine

import (
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/index"
)

// carriedByBuilder inverts the carrier lists into one bitmap of variant rows per biosample
// (variantTable.carriedBy) without holding the bitmaps, which at 10^7 variants × 2,504
// samples are 2.3 GB (and twice that of heap with the garbage collector's headroom).
//
// Variants arrive in row order. Rows are buffered per biosample and added in batches to a
// bitmap of the current window of carriedByWindow rows; when the rows pass the window, each
// biosample's bitmap of it is written to a spill file (a run) and emptied. build merges
// each biosample's runs (in row order, so each run extends the bitmap) into its bitmap, one
// biosample at a time, and writes the bitmaps encoded as index file sections
// (index.Encoder.Bitmaps) to a second spill file, which it maps and decodes as a loaded
// index file is: the table holds views of the map, and an index file copies its bytes.
type carriedByBuilder struct {
	sp     *spiller
	window uint32 // rows per window
	at     uint32 // first row of the current window
	cur    []*roaring.Bitmap
	pend   [][]uint32
	runs   *spillFile
	spans  [][]runSpan // each biosample's runs, in row order
}

// runSpan is where one run is in the run file.
type runSpan struct{ off, n int64 }

// carriedByBatch is how many rows a biosample buffers before adding them to its bitmap.
const carriedByBatch = 4096

// carriedByWindow is the rows of a window: its bitmaps take about 60 MB at 2,504 samples
// (popgen's 230 bytes a variant), and a biosample has a run per window (38 at 10^7).
const carriedByWindow = 1 << 18

func newCarriedByBuilder(biosampleRows uint32, sp *spiller, window uint32) *carriedByBuilder {
	return &carriedByBuilder{
		sp: sp, window: window,
		cur:   make([]*roaring.Bitmap, biosampleRows),
		pend:  make([][]uint32, biosampleRows),
		spans: make([][]runSpan, biosampleRows),
		runs:  sp.create("carriedBy-runs"),
	}
}

// add records that the biosample rows carriers carry variant (rows in ascending order).
func (b *carriedByBuilder) add(variant uint32, carriers []uint32) {
	if variant-b.at >= b.window {
		b.endWindow()
		b.at = variant - variant%b.window
	}
	for _, c := range carriers {
		p := append(b.pend[c], variant)
		if len(p) == carriedByBatch {
			b.flush(c, p)
			p = p[:0]
		}
		b.pend[c] = p
	}
}

func (b *carriedByBuilder) flush(c uint32, rows []uint32) {
	if b.cur[c] == nil {
		b.cur[c] = roaring.New()
	}
	b.cur[c].AddMany(rows)
}

// endWindow writes each biosample's bitmap of the window as a run and empties it.
func (b *carriedByBuilder) endWindow() {
	for c, p := range b.pend {
		if len(p) > 0 {
			b.flush(uint32(c), p)
			b.pend[c] = p[:0]
		}
		bm := b.cur[c]
		if bm == nil || bm.IsEmpty() {
			continue
		}
		bm.RunOptimize()
		off := b.runs.n
		if _, err := bm.WriteTo(b.runs); err != nil {
			b.sp.fail(fmt.Errorf("spill file for carriedBy: %w", err))
		}
		b.spans[c] = append(b.spans[c], runSpan{off, b.runs.n - off})
		bm.Clear()
	}
}

// build merges the runs and returns the bitmaps (nil for a biosample carrying nothing),
// viewing the map of their encoded form, which it returns too.
func (b *carriedByBuilder) build() ([]*roaring.Bitmap, []byte, error) {
	b.endWindow()
	b.cur, b.pend = nil, nil
	runs, err := b.runs.readBack()
	if err != nil {
		return nil, nil, err
	}
	out := b.sp.create("carriedBy")
	e := index.NewEncoder(out)
	e.Uint(uint64(len(b.spans)))
	var buf []byte
	for _, spans := range b.spans {
		if len(spans) == 0 {
			e.Bitmap(nil)
			continue
		}
		var n int64
		for _, s := range spans {
			n += s.n
		}
		buf = buf[:0]
		if int64(cap(buf)) < n {
			buf = make([]byte, 0, n)
		}
		buf = buf[:n]
		bm, at := roaring.New(), int64(0)
		for _, s := range spans {
			p := buf[at : at+s.n]
			if _, err := runs.ReadAt(p, s.off); err != nil {
				b.sp.fail(fmt.Errorf("spill file for carriedBy: %w", err))
				return nil, nil, b.sp.err
			}
			run := roaring.New()
			if _, err := run.FromBuffer(p); err != nil {
				return nil, nil, fmt.Errorf("spill file for carriedBy: %w", err)
			}
			bm.Or(run)
			at += s.n
		}
		// bm may share containers with buf: it is written out before buf is reused.
		e.Bitmap(index.Compact(bm))
	}
	b.spans = nil
	if _, _, err := e.Flush(); err != nil {
		b.sp.fail(fmt.Errorf("spill file for carriedBy: %w", err))
	}
	b.runs.close()
	image, err := out.finish()
	if err != nil {
		return nil, nil, err
	}
	bms := b.decode(image)
	if err := b.sp.err; err != nil {
		return nil, nil, err
	}
	return bms, image, nil
}

// decodeDropSpan is how much of the carriedBy image is decoded before its pages are dropped.
const decodeDropSpan = 64 << 20

// decode views the bitmaps of the image. Reading a bitmap touches every container (the
// count of a run container is in its bytes), and the kernel maps the pages around each
// touch: at 10^7 variants the whole 2.2 GB image became resident at once, raising the peak
// by as much. The pages are dropped every decodeDropSpan bytes, as the index file copy does.
func (b *carriedByBuilder) decode(image []byte) []*roaring.Bitmap {
	d := index.NewDecoder(image)
	bms := make([]*roaring.Bitmap, d.Count(uint64(len(image))/8))
	dropped := 0
	for i := range bms {
		bms[i] = d.Bitmap()
		if off := d.Offset(); off-dropped >= decodeDropSpan {
			b.sp.mp.dropPages(image[dropped:off])
			dropped = off
		}
	}
	b.sp.mp.dropPages(image[dropped:d.Offset()])
	if err := d.Done(); err != nil {
		b.sp.fail(fmt.Errorf("spill file for carriedBy: %w", err))
		return nil
	}
	return bms
}
