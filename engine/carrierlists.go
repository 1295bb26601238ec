package engine

import (
	"github.com/RoaringBitmap/roaring/v2"
	"github.com/bitbeacon/bitbeacon/index"
)

// carrierLists holds the carriers of every variant as biosample rows, one sorted list per
// variant in one flat array with offsets: 2 bytes a carrier when the biosample rows fit 16
// bits (4 otherwise) and no object per variant, where a roaring bitmap each cost about a
// hundred bytes of headers on top. An index file maps the arrays as they are.
type carrierLists struct {
	offs []uint64 // variant v's carriers are [offs[v], offs[v+1])
	r16  []uint16 // rows, when every biosample row fits 16 bits
	r32  []uint32 // rows otherwise
}

// count returns the number of carriers of variant v.
func (c *carrierLists) count(v uint32) int { return int(c.offs[v+1] - c.offs[v]) }

// appendTo appends the carrier rows of variant v to dst.
func (c *carrierLists) appendTo(dst []uint32, v uint32) []uint32 {
	a, b := c.offs[v], c.offs[v+1]
	if c.r32 != nil {
		return append(dst, c.r32[a:b]...)
	}
	for _, r := range c.r16[a:b] {
		dst = append(dst, uint32(r))
	}
	return dst
}

// orWords sets the bits of variant v's carriers in a dense buffer over biosample rows.
func (c *carrierLists) orWords(v uint32, words []uint64) {
	a, b := c.offs[v], c.offs[v+1]
	if c.r32 != nil {
		for _, r := range c.r32[a:b] {
			words[r>>6] |= 1 << (r & 63)
		}
		return
	}
	for _, r := range c.r16[a:b] {
		words[r>>6] |= 1 << (r & 63)
	}
}

// intersects reports whether any carrier of variant v is in rows.
func (c *carrierLists) intersects(v uint32, rows *roaring.Bitmap) bool {
	a, b := c.offs[v], c.offs[v+1]
	if c.r32 != nil {
		for _, r := range c.r32[a:b] {
			if rows.Contains(r) {
				return true
			}
		}
		return false
	}
	for _, r := range c.r16[a:b] {
		if rows.Contains(uint32(r)) {
			return true
		}
	}
	return false
}

// carrierListsBuilder appends the carriers of variants in row order to a spill file
// (spill.go).
type carrierListsBuilder struct {
	offs []uint64
	wide bool
	f    *spillFile
	n    uint64   // carriers added
	r16  []uint16 // scratch: one variant's rows, narrowed
}

func newCarrierListsBuilder(biosampleRows uint32, n int, f *spillFile) *carrierListsBuilder {
	return &carrierListsBuilder{offs: make([]uint64, 1, n+1), wide: biosampleRows > 1<<16, f: f}
}

// add appends the next variant's carriers (sorted biosample rows).
func (b *carrierListsBuilder) add(rows []uint32) {
	if b.wide {
		spillArray(b.f, rows)
	} else {
		b.r16 = b.r16[:0]
		for _, r := range rows {
			b.r16 = append(b.r16, uint16(r))
		}
		spillArray(b.f, b.r16)
	}
	b.n += uint64(len(rows))
	b.offs = append(b.offs, b.n)
}

func (b *carrierListsBuilder) build() (carrierLists, error) {
	data, err := b.f.finish()
	if err != nil {
		return carrierLists{}, err
	}
	c := carrierLists{offs: clipped(b.offs)}
	if b.wide {
		c.r32 = mappedArray[uint32](data)
		if c.r32 == nil {
			c.r32 = []uint32{} // non-nil says wide
		}
	} else {
		c.r16 = mappedArray[uint16](data)
	}
	return c, nil
}

// carriedByBuilder inverts the carrier lists into one bitmap of variant rows per biosample,
// buffering rows per biosample and adding them in batches (variants arrive in row order, so
// each batch appends to the end of its bitmap).
type carriedByBuilder struct {
	out  []*roaring.Bitmap
	pend [][]uint32
}

const carriedByBatch = 4096

func newCarriedByBuilder(biosampleRows uint32) *carriedByBuilder {
	return &carriedByBuilder{out: make([]*roaring.Bitmap, biosampleRows), pend: make([][]uint32, biosampleRows)}
}

func (b *carriedByBuilder) add(variant uint32, carriers []uint32) {
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
	if b.out[c] == nil {
		b.out[c] = roaring.New()
	}
	b.out[c].AddMany(rows)
}

func (b *carriedByBuilder) build() []*roaring.Bitmap {
	for c, p := range b.pend {
		if len(p) > 0 {
			b.flush(uint32(c), p)
		}
	}
	b.pend = nil
	for i, bm := range b.out {
		if bm != nil {
			// Grown in batches: the clone drops the spare capacity (Compact may already
			// have built a new bitmap; cloning that again is cheap and keeps this simple).
			b.out[i] = index.Compact(bm).Clone()
		}
	}
	return b.out
}
