package engine

import (
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// carrierLists holds the carriers of every variant as biosample rows, one sorted list per
// variant in one flat array with offsets: 2 bytes a carrier when the biosample rows fit 16
// bits (4 otherwise) and no object per variant, where a roaring bitmap each cost about a
// hundred bytes of headers on top. An index file maps the arrays as they are.
type carrierLists struct {
	offs []uint64 // variant v's carriers are [offs[v], offs[v+1])
	r16  []uint16 // rows, when every biosample row fits 16 bits
	r32  []uint32 // rows otherwise

	// blocks holds, for each full block of 1<<blockShift consecutive variant rows, the union
	// of their carriers as blockWords words over the biosample rows. Moving a range's
	// variants to their carriers then ORs a few words per block instead of every carrier call
	// of the block: at 10^7 variants × 2,504 samples a 1 Mb range is 14,000 variants and 1.6
	// million calls, the block unions at most 2 bytes a variant (blockShiftFor), against a
	// few hundred bytes a variant of carrier lists.
	blocks     []uint64
	blockShift uint
	blockWords int
}

// blockShiftFor picks the block size for a biosample table: a power of two of at least 256
// rows and at least half the block's own bytes, so blocks cost at most 2 bytes a variant
// (1.25 at 2,504 samples: 40 words for 256 rows).
func blockShiftFor(biosampleRows uint32) uint {
	need := max(256, 4*((int(biosampleRows)+63)/64))
	shift := uint(8)
	for 1<<shift < need {
		shift++
	}
	return shift
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

// orCarriers sets the carriers of the variant rows in words (over the biosample rows): full
// blocks of rows from their unions, the rest variant by variant.
func (c *carrierLists) orCarriers(variants *roaring.Bitmap, words []uint64, m *scanMeter) {
	c.walk(variants, func(k uint32) bool {
		for i, w := range c.blocks[int(k)*c.blockWords : int(k+1)*c.blockWords] {
			words[i] |= w
		}
		return m.add(int64(c.blockWords))
	}, func(v uint32) bool {
		c.orWords(v, words)
		return m.add(1)
	})
}

// moveCostAbove reports whether moving the variant rows to their carriers (orCarriers) costs
// more than limit, in carrier calls (a full block counts as its words), counting only
// until it knows.
func (c *carrierLists) moveCostAbove(variants *roaring.Bitmap, limit uint64) bool {
	var n uint64
	c.walk(variants, func(uint32) bool {
		n += uint64(c.blockWords)
		return n <= limit
	}, func(v uint32) bool {
		n += uint64(c.count(v))
		return n <= limit
	})
	return n > limit
}

// walk visits the variant rows in order: each full block of rows with a stored union as
// block(k), every other row as variant(v); it stops when a visit returns false.
func (c *carrierLists) walk(variants *roaring.Bitmap, block func(k uint32) bool, variant func(v uint32) bool) {
	size := uint64(1) << c.blockShift
	stored := uint64(len(c.blocks) / max(c.blockWords, 1))
	it := variants.Iterator()
	for it.HasNext() {
		v := uint64(it.PeekNext())
		k := v >> c.blockShift
		end := (k + 1) << c.blockShift // past the block; uint64: no overflow at the last rows
		if v&(size-1) == 0 && k < stored && variants.Contains(uint32(end-1)) &&
			variants.Rank(uint32(end-1))-variants.Rank(uint32(v)) == size-1 {
			if !block(uint32(k)) {
				return
			}
			it.AdvanceIfNeeded(uint32(end))
			continue
		}
		for it.HasNext() && uint64(it.PeekNext()) < end {
			if !variant(it.Next()) {
				return
			}
		}
	}
}

// position returns the index of biosample row r among variant v's carriers (which are sorted),
// false when r does not carry v.
func (c *carrierLists) position(v, r uint32) (int, bool) {
	a, b := c.offs[v], c.offs[v+1]
	if c.r32 != nil {
		return slices.BinarySearch(c.r32[a:b], r)
	}
	if r > 0xffff {
		return 0, false
	}
	return slices.BinarySearch(c.r16[a:b], uint16(r))
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
// (spill.go), and the carriers' union of each full block of rows to blocks.
type carrierListsBuilder struct {
	offs *spilledArray[uint64]
	v    int // variants added
	wide bool
	f    *spillFile
	n    uint64   // carriers added
	r16  []uint16 // scratch: one variant's rows, narrowed

	shift  uint
	words  int
	blocks []uint64
	cur    []uint64 // the union of the current block so far
}

func newCarrierListsBuilder(biosampleRows uint32, n int, f *spillFile, offs *spilledArray[uint64]) *carrierListsBuilder {
	b := &carrierListsBuilder{offs: offs, wide: biosampleRows > 1<<16, f: f}
	b.offs.add(0)
	b.shift, b.words = blockShiftFor(biosampleRows), (int(biosampleRows)+63)/64
	b.cur = make([]uint64, b.words)
	b.blocks = make([]uint64, 0, (n>>b.shift)*b.words)
	return b
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
	b.offs.add(b.n)
	b.v++
	for _, r := range rows {
		b.cur[r>>6] |= 1 << (r & 63)
	}
	if b.v&(1<<b.shift-1) == 0 { // a block is full
		b.blocks = append(b.blocks, b.cur...)
		clear(b.cur)
	}
}

func (b *carrierListsBuilder) build() (carrierLists, error) {
	data, err := b.f.finish()
	if err != nil {
		return carrierLists{}, err
	}
	offs, err := b.offs.build()
	if err != nil {
		return carrierLists{}, err
	}
	c := carrierLists{offs: offs, blocks: clipped(b.blocks), blockShift: b.shift, blockWords: b.words}
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
