package release

import (
	"encoding/binary"

	"github.com/RoaringBitmap/roaring/v2"
)

// Roaring's portable format (RoaringFormatSpec): the cookies, and the largest array
// container.
const (
	roaringCookieNoRuns = 12346
	roaringCookieRuns   = 12347
	roaringMaxArray     = 4096
)

// appendRunOptimized appends what bm.RunOptimize followed by bm.WriteTo writes, byte for
// byte, for the usual carrier bitmap: one array container (at most 4,096 sample indexes,
// all below 65,536 apart from the key). RunOptimize counts the runs of every array container
// in a loop that was a third of a variant's appending, and converting and serialising
// allocated twice more; here the values are read once, into vals (scratch, returned for
// reuse). ok is false for other bitmaps (run or bitmap containers, several containers),
// which the caller hands to roaring; bm is left as it is.
func appendRunOptimized(dst []byte, bm *roaring.Bitmap, vals []uint32) (out []byte, scratch []uint32, ok bool) {
	card := bm.GetCardinality()
	if card == 0 || card > roaringMaxArray || bm.HasRunCompression() {
		return dst, vals, false
	}
	if bm.Minimum()>>16 != bm.Maximum()>>16 {
		return dst, vals, false
	}
	if uint64(cap(vals)) < card {
		vals = make([]uint32, card)
	}
	vals = vals[:card]
	if n := bm.ManyIterator().NextMany(vals); uint64(n) != card {
		return dst, vals, false
	}
	runs := 1
	for i := 1; i < len(vals); i++ {
		if vals[i] != vals[i-1]+1 {
			runs++
		}
	}
	key := uint16(vals[0] >> 16)
	le := binary.LittleEndian
	if 2+4*runs < min(8192, 2*len(vals)) {
		// Cookie with the container count less one, the run flags (one byte), key and
		// cardinality less one, no offsets below four containers; then the runs as start
		// and length less one.
		dst = le.AppendUint16(dst, roaringCookieRuns)
		dst = le.AppendUint16(dst, 0)
		dst = append(dst, 1)
		dst = le.AppendUint16(dst, key)
		dst = le.AppendUint16(dst, uint16(len(vals)-1))
		dst = le.AppendUint16(dst, uint16(runs))
		start := 0
		for i := 1; i <= len(vals); i++ {
			if i == len(vals) || vals[i] != vals[i-1]+1 {
				dst = le.AppendUint16(dst, uint16(vals[start]))
				dst = le.AppendUint16(dst, uint16(vals[i-1]-vals[start]))
				start = i
			}
		}
		return dst, vals, true
	}
	// Cookie, container count, key and cardinality less one, the container's offset; then
	// the values.
	dst = le.AppendUint32(dst, roaringCookieNoRuns)
	dst = le.AppendUint32(dst, 1)
	dst = le.AppendUint16(dst, key)
	dst = le.AppendUint16(dst, uint16(len(vals)-1))
	dst = le.AppendUint32(dst, 16)
	for _, x := range vals {
		dst = le.AppendUint16(dst, uint16(x))
	}
	return dst, vals, true
}
