package index

import "math/bits"

// bsi is a bit-sliced index (O'Neil and Quass) of one rank per row: bit j of a row's rank is
// set exactly when the row's bit is set in slice j. A range predicate is one pass over the
// words doing a few operations per bit of the rank, whatever the number of distinct values it
// covers, where a union of per-value bitmaps grows with the rows selected.
//
// It is stored dense and interleaved, word w of the existence bitmap and of every slice side
// by side, because it is only built for paths most rows have a value at, where roaring would
// use bitmap containers of the same size anyway.
type bsi struct {
	nb   int      // bits per rank
	data []uint64 // data[w*(nb+1)+j]: word w of slice j; j == nb is existence
}

// noRank marks a row without a value in the per-row rank arrays used to build a bsi.
const noRank = ^uint32(0)

// newBSI builds the index of rank[row] (noRank for none), ranks being below n.
func newBSI(rank []uint32, n uint32) *bsi {
	b := &bsi{nb: rankBits(n)}
	stride := b.nb + 1
	b.data = make([]uint64, (len(rank)+63)/64*stride)
	for w := 0; w*64 < len(rank); w++ {
		fillBSIWords(b.data[w*stride:(w+1)*stride], rank[w*64:min(w*64+64, len(rank))])
	}
	return b
}

// rankBits is the bits a rank below n takes.
func rankBits(n uint32) int {
	if n == 0 {
		return 0
	}
	return bits.Len32(n - 1)
}

// fillBSIWords sets in words (zero, one word of every slice and the existence word last)
// the bits of up to 64 rows' ranks.
func fillBSIWords(words []uint64, rank []uint32) {
	nb := len(words) - 1
	for i, r := range rank {
		if r == noRank {
			continue
		}
		m := uint64(1) << i
		words[nb] |= m
		for r != 0 {
			words[bits.TrailingZeros32(r)] |= m
			r &= r - 1
		}
	}
}

// masks returns, for each bit j of t, all ones when the bit is set and zero otherwise, so
// the per-word loops below need no branch on t.
func (b *bsi) masks(t uint32) (m [32]uint64) {
	for j := range b.nb {
		m[j] = -uint64(t >> j & 1)
	}
	return m
}

// below writes to out (one word per 64 rows, every word written) the rows with rank < t.
func (b *bsi) below(t uint32, out []uint64) {
	stride := b.nb + 1
	if bits.Len32(t) > b.nb { // every rank is below t
		for w := range out {
			out[w] = b.data[w*stride+b.nb]
		}
		return
	}
	m := b.masks(t)
	for w := range out {
		row := b.data[w*stride : w*stride+stride]
		eq, lt := row[b.nb], uint64(0)
		// From the high bit: rows still equal to t's prefix are below t where t has a 1 and
		// they have a 0; they stay equal where their bit matches t's.
		for j := b.nb - 1; j >= 0 && eq != 0; j-- {
			lt |= eq &^ row[j] & m[j]
			eq &^= row[j] ^ m[j]
		}
		out[w] = lt
	}
}

// atLeast writes to out (every word written) the rows with rank >= t.
func (b *bsi) atLeast(t uint32, out []uint64) {
	stride := b.nb + 1
	if bits.Len32(t) > b.nb { // no rank reaches t
		clear(out)
		return
	}
	m := b.masks(t)
	for w := range out {
		row := b.data[w*stride : w*stride+stride]
		eq, gt := row[b.nb], uint64(0)
		for j := b.nb - 1; j >= 0 && eq != 0; j-- {
			gt |= eq & row[j] &^ m[j]
			eq &^= row[j] ^ m[j]
		}
		out[w] = gt | eq
	}
}
