package index

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"
)

// The index file codec: a file is a sequence of sections, each a little-endian uint64 byte
// length, the bytes, and zero padding to a multiple of 8. Every array is written as its
// memory image, so a Decoder over a mapped file hands out slices of the mapping itself
// (8-byte aligned, which the mapping's page alignment guarantees) instead of decoding them.
// Readers and writers call the same sequence of methods; the structure is in that order,
// not in tags.

// SectionAlign is the alignment of every section in a file.
const SectionAlign = 8

// Castagnoli is the CRC-32C table index files are checked with (hardware-assisted).
var Castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt reports index file contents that do not decode.
var ErrCorrupt = errors.New("index file corrupt")

func init() {
	// Mapped arrays are the host's memory image; files are defined as little-endian.
	x := uint16(1)
	if *(*byte)(unsafe.Pointer(&x)) != 1 {
		panic("index: index files need a little-endian host")
	}
}

// CRCChunk is the span of each CRC-32C of a file: chunks are checked in parallel.
const CRCChunk = 64 << 20

// Encoder writes sections to a file, keeping its size and the CRC-32C of each CRCChunk.
type Encoder struct {
	w    *bufio.Writer
	crcs []uint32
	n    int64
	err  error
	bm   []byte // scratch for bitmap serialization

	// Written, when set, is called with each span (at most WrittenSpan bytes) of the data
	// written once the writer has it, so that a caller writing out of mapped files can drop
	// their pages from its resident memory as it goes.
	Written func(p []byte)
}

// WrittenSpan is the most bytes handed to Encoder.Written at once.
const WrittenSpan = 8 << 20

// NewEncoder writes to w.
func NewEncoder(w io.Writer) *Encoder {
	return &Encoder{w: bufio.NewWriterSize(w, 1<<20)}
}

// Flush writes buffered data and returns the first error, the bytes written and the
// CRC-32C of each CRCChunk of them.
func (e *Encoder) Flush() (n int64, crcs []uint32, err error) {
	if e.err == nil {
		e.err = e.w.Flush()
	}
	return e.n, e.crcs, e.err
}

func (e *Encoder) write(p []byte) {
	for len(p) > 0 && e.err == nil {
		k := min(len(p), WrittenSpan)
		e.writeSpan(p[:k])
		if e.Written != nil && e.err == nil {
			e.Written(p[:k])
		}
		p = p[k:]
	}
}

func (e *Encoder) writeSpan(p []byte) {
	if _, e.err = e.w.Write(p); e.err != nil {
		return
	}
	for len(p) > 0 {
		in := int(e.n % CRCChunk)
		if in == 0 {
			e.crcs = append(e.crcs, 0)
		}
		k := min(len(p), CRCChunk-in)
		e.crcs[len(e.crcs)-1] = crc32.Update(e.crcs[len(e.crcs)-1], Castagnoli, p[:k])
		e.n += int64(k)
		p = p[k:]
	}
}

var zeros [SectionAlign]byte

// Bytes writes one section.
func (e *Encoder) Bytes(p []byte) {
	var l [8]byte
	binary.LittleEndian.PutUint64(l[:], uint64(len(p)))
	e.write(l[:])
	e.write(p)
	if r := len(p) % SectionAlign; r != 0 {
		e.write(zeros[:SectionAlign-r])
	}
}

// Encoded writes p, sections written by another Encoder (its whole output), as they are.
func (e *Encoder) Encoded(p []byte) {
	if len(p)%SectionAlign != 0 && e.err == nil {
		e.err = fmt.Errorf("index: encoded sections of %d bytes, not a multiple of %d", len(p), SectionAlign)
	}
	e.write(p)
}

// String writes s as a section.
func (e *Encoder) String(s string) { e.Bytes(unsafe.Slice(unsafe.StringData(s), len(s))) }

// Uint writes one number (as an 8-byte section).
func (e *Encoder) Uint(v uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	e.Bytes(b[:])
}

// Bool writes a flag.
func (e *Encoder) Bool(v bool) {
	if v {
		e.Uint(1)
	} else {
		e.Uint(0)
	}
}

// Array writes the memory image of s (numbers or structs of numbers) as a section.
func Array[T any](e *Encoder, s []T) {
	var z T
	e.Bytes(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(z))))
}

// Bitmap writes bm in roaring's portable serialization; nil is an empty section.
func (e *Encoder) Bitmap(bm *roaring.Bitmap) {
	if bm == nil {
		e.Bytes(nil)
		return
	}
	b := e.bm[:0]
	if sz := int(bm.GetSerializedSizeInBytes()); cap(b) < sz {
		b = make([]byte, 0, sz)
	}
	w := sliceWriter{b}
	if _, err := bm.WriteTo(&w); err != nil && e.err == nil {
		e.err = err
	}
	e.bm = w.b
	e.Bytes(w.b)
}

// Bitmaps writes a count and each bitmap (nil allowed).
func (e *Encoder) Bitmaps(bms []*roaring.Bitmap) {
	e.Uint(uint64(len(bms)))
	for _, bm := range bms {
		e.Bitmap(bm)
	}
}

type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// Decoder reads sections from a byte slice (usually a read-only mapping) without copying:
// arrays, strings and bitmaps alias it. Errors are sticky: after the first, every read
// returns a zero value and Err reports it.
type Decoder struct {
	buf []byte
	off int
	err error
}

// NewDecoder reads buf, which must start 8-byte aligned.
func NewDecoder(buf []byte) *Decoder {
	d := &Decoder{buf: buf}
	if len(buf) > 0 && uintptr(unsafe.Pointer(&buf[0]))%SectionAlign != 0 {
		d.err = fmt.Errorf("%w: buffer not %d-byte aligned", ErrCorrupt, SectionAlign)
	}
	return d
}

// Err returns the first error.
func (d *Decoder) Err() error { return d.err }

// Offset returns how many bytes of the buffer have been read.
func (d *Decoder) Offset() int { return d.off }

// Fail records err unless an error is already recorded.
func (d *Decoder) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// Done fails unless every byte was read.
func (d *Decoder) Done() error {
	if d.err == nil && d.off != len(d.buf) {
		d.err = fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(d.buf)-d.off)
	}
	return d.err
}

// Bytes returns the next section, capacity-limited to its length.
func (d *Decoder) Bytes() []byte {
	if d.err != nil {
		return nil
	}
	if len(d.buf)-d.off < 8 {
		d.err = fmt.Errorf("%w: truncated at byte %d", ErrCorrupt, d.off)
		return nil
	}
	n := binary.LittleEndian.Uint64(d.buf[d.off:])
	d.off += 8
	padded := (n + SectionAlign - 1) / SectionAlign * SectionAlign
	if n > uint64(len(d.buf)-d.off) || padded > uint64(len(d.buf)-d.off) {
		d.err = fmt.Errorf("%w: section of %d bytes at byte %d overruns the file", ErrCorrupt, n, d.off)
		return nil
	}
	p := d.buf[d.off : d.off+int(n) : d.off+int(n)]
	d.off += int(padded)
	return p
}

// String returns the next section as a string aliasing the buffer.
func (d *Decoder) String() string {
	p := d.Bytes()
	return unsafe.String(unsafe.SliceData(p), len(p))
}

// Uint returns the next number.
func (d *Decoder) Uint() uint64 {
	p := d.Bytes()
	if d.err == nil && len(p) != 8 {
		d.err = fmt.Errorf("%w: number section of %d bytes", ErrCorrupt, len(p))
	}
	if d.err != nil {
		return 0
	}
	return binary.LittleEndian.Uint64(p)
}

// Count returns the next number, failing when it exceeds limit (a sanity bound for sizes).
func (d *Decoder) Count(limit uint64) int {
	v := d.Uint()
	if v > limit {
		d.Fail(fmt.Errorf("%w: count %d exceeds %d", ErrCorrupt, v, limit))
		return 0
	}
	return int(v)
}

// Bool returns the next flag.
func (d *Decoder) Bool() bool { return d.Uint() != 0 }

// DecodeArray returns the next section as a []T aliasing the buffer (nil when empty).
func DecodeArray[T any](d *Decoder) []T {
	p := d.Bytes()
	var z T
	sz := int(unsafe.Sizeof(z))
	if d.err == nil && len(p)%sz != 0 {
		d.err = fmt.Errorf("%w: array section of %d bytes, not a multiple of %d", ErrCorrupt, len(p), sz)
	}
	if d.err != nil || len(p) == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(p))), len(p)/sz)
}

// Bitmap returns the next bitmap, a view of the buffer (modifying it copies the container
// touched, never writing to the buffer); nil for an empty section.
func (d *Decoder) Bitmap() *roaring.Bitmap {
	p := d.Bytes()
	if d.err != nil || len(p) == 0 {
		return nil
	}
	bm := roaring.New()
	n, err := bm.FromBuffer(p)
	if err == nil && n != int64(len(p)) {
		err = fmt.Errorf("bitmap of %d bytes in a section of %d", n, len(p))
	}
	if err != nil {
		d.err = fmt.Errorf("%w: %v", ErrCorrupt, err)
		return nil
	}
	return bm
}

// Bitmaps returns the bitmaps written by Encoder.Bitmaps.
func (d *Decoder) Bitmaps() []*roaring.Bitmap {
	n := d.Count(uint64(len(d.buf)-d.off) / 8)
	if d.err != nil {
		return nil
	}
	out := make([]*roaring.Bitmap, n)
	for i := range out {
		out[i] = d.Bitmap()
	}
	return out
}

// NonNil returns bm, or a new empty bitmap for nil.
func NonNil(bm *roaring.Bitmap) *roaring.Bitmap {
	if bm == nil {
		return roaring.New()
	}
	return bm
}
