package release

import (
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/apache/arrow-go/v18/parquet"
)

// rowBatch holds rows on their way to a file, column by column in the form the Parquet
// column writers take (values plus definition and repetition levels), so that encoding
// them is one WriteBatch per leaf column. Strings are referenced, not copied (they are
// immutable); byte slices the caller owns (JSON, serialised bitmaps) are copied once into
// the batch's arena. Appending this way costs a fraction of Arrow builders, whose values
// pqarrow then copied a second time and whose list levels it recomputed.
type rowBatch struct {
	cols     []leafCol
	arena    arena
	vals     []uint32 // scratch of appendRunOptimized
	callsBuf []byte   // scratch of appendCallsColumn
	rows     int
	endGroup bool // close the row group after this batch
}

// leafCol is one leaf column's pending values; def and rep stay nil for a column whose
// maximum level is 0.
type leafCol struct {
	bytes []parquet.ByteArray
	ints  []int64
	bools []bool
	def   []int16
	rep   []int16
}

func newRowBatch(leaves int) *rowBatch { return &rowBatch{cols: make([]leafCol, leaves)} }

// reset empties the batch for reuse, dropping its references to the strings of the rows.
func (b *rowBatch) reset() {
	for i := range b.cols {
		c := &b.cols[i]
		clear(c.bytes)
		c.bytes, c.ints, c.bools = c.bytes[:0], c.ints[:0], c.bools[:0]
		c.def, c.rep = c.def[:0], c.rep[:0] // nil stays nil
	}
	b.arena.reset()
	b.rows, b.endGroup = 0, false
}

// strBytes is s as the bytes of a Parquet value, without a copy: the column writers only
// read values (they copy them into pages and statistics).
func strBytes(s string) parquet.ByteArray {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// str appends a required string.
func (b *rowBatch) str(c int, s string) {
	b.cols[c].bytes = append(b.cols[c].bytes, strBytes(s))
}

// optStr appends an optional string, null when empty.
func (b *rowBatch) optStr(c int, s string) {
	col := &b.cols[c]
	if s == "" {
		col.def = append(col.def, 0)
		return
	}
	col.def = append(col.def, 1)
	col.bytes = append(col.bytes, strBytes(s))
}

// strList appends a list of strings (a required list of required elements).
func (b *rowBatch) strList(c int, ss []string) {
	col := &b.cols[c]
	if len(ss) == 0 {
		col.def = append(col.def, 0)
		col.rep = append(col.rep, 0)
		return
	}
	for i, s := range ss {
		col.def = append(col.def, 1)
		col.rep = append(col.rep, min(int16(i), 1))
		col.bytes = append(col.bytes, strBytes(s))
	}
}

// listLevels appends the levels of a row with n elements to the leaf columns cols of a
// required list of required structs; the values go in separately.
func (b *rowBatch) listLevels(n int, cols ...int) {
	for _, c := range cols {
		col := &b.cols[c]
		if n == 0 {
			col.def = append(col.def, 0)
			col.rep = append(col.rep, 0)
			continue
		}
		for i := range n {
			col.def = append(col.def, 1)
			col.rep = append(col.rep, min(int16(i), 1))
		}
	}
}

// binary appends a copy of p as a required value (the level of an optional or list column
// is up to the caller).
func (b *rowBatch) binary(c int, p []byte) {
	b.cols[c].bytes = append(b.cols[c].bytes, b.arena.copy(p))
}

// bitmap appends the portable serialisation of bm, run-optimised, as a value of column c;
// it returns the bytes, valid as long as the batch's rows. A bitmap of one array container
// (the usual carriers) is serialised by appendRunOptimized and left as it is; others are
// run-optimised in place by roaring.
func (b *rowBatch) bitmap(c int, bm *roaring.Bitmap) (parquet.ByteArray, error) {
	if card := bm.GetCardinality(); card <= roaringMaxArray {
		b.arena.grow(16 + 2*int(card)) // the most appendRunOptimized writes
		start := len(b.arena.cur)
		out, vals, ok := appendRunOptimized(b.arena.cur, bm, b.vals)
		b.vals = vals
		if ok {
			b.arena.cur = out
			v := out[start:len(out):len(out)]
			b.cols[c].bytes = append(b.cols[c].bytes, v)
			return v, nil
		}
	}
	bm.RunOptimize()
	buf := b.arena.take(int(bm.GetSerializedSizeInBytes()))
	if _, err := bm.WriteTo(buf); err != nil {
		return nil, err
	}
	v := b.arena.done(buf)
	b.cols[c].bytes = append(b.cols[c].bytes, v)
	return v, nil
}
