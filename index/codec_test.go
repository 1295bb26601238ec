package index

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"
)

// aligned copies b into 8-byte aligned memory, as a mapping is.
func aligned(b []byte) []byte {
	w := make([]uint64, (len(b)+7)/8)
	out := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), len(b))
	copy(out, b)
	return out
}

func TestCodecRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	e := NewEncoder(&buf)
	var sb StringsBuilder
	for _, s := range []string{"a", "", "bcd"} {
		sb.Add(s)
	}
	s := sb.Build()
	s.Encode(e)
	Array(e, []int64{-1, 1 << 40})
	e.Bitmaps([]*roaring.Bitmap{roaring.BitmapOf(1, 70000), nil, roaring.New()})
	e.Uint(7)
	n, crcs, err := e.Flush()
	if err != nil || n != int64(buf.Len()) || len(crcs) != 1 || n%SectionAlign != 0 {
		t.Fatalf("flush: %d bytes of %d, %d crcs, %v", n, buf.Len(), len(crcs), err)
	}
	d := NewDecoder(aligned(buf.Bytes()))
	got := DecodeStrings(d)
	ints := DecodeArray[int64](d)
	bms := d.Bitmaps()
	v := d.Uint()
	if err := d.Done(); err != nil {
		t.Fatal(err)
	}
	if got.Len() != 3 || got.At(0) != "a" || got.At(1) != "" || got.At(2) != "bcd" {
		t.Errorf("strings: %d", got.Len())
	}
	if !slices.Equal(ints, []int64{-1, 1 << 40}) || v != 7 {
		t.Errorf("ints %v, uint %d", ints, v)
	}
	if len(bms) != 3 || !slices.Equal(bms[0].ToArray(), []uint32{1, 70000}) || bms[1] != nil || bms[2] == nil || !bms[2].IsEmpty() {
		t.Errorf("bitmaps %v", bms)
	}
	// A view copies before changing: the buffer is untouched.
	before := slices.Clone(d.buf)
	bms[0].Add(5)
	if !bytes.Equal(before, d.buf) {
		t.Error("modifying a decoded bitmap wrote into the buffer")
	}
}

// TestDecoderRejects feeds malformed input: every case must fail with ErrCorrupt, not panic.
func TestDecoderRejects(t *testing.T) {
	var buf bytes.Buffer
	e := NewEncoder(&buf)
	Array(e, []uint64{1, 2, 3})
	e.Bitmap(roaring.BitmapOf(1, 2, 3))
	if _, _, err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	cases := map[string]func(d *Decoder){
		"truncated length": func(d *Decoder) { d.buf = d.buf[:4]; DecodeArray[uint64](d) },
		"truncated body":   func(d *Decoder) { d.buf = d.buf[:20]; DecodeArray[uint64](d) },
		"wrong element":    func(d *Decoder) { DecodeArray[[5]byte](d) },
		"bad bitmap":       func(d *Decoder) { DecodeArray[uint64](d); d.buf[40] ^= 0xff; d.Bitmap() },
		"trailing bytes":   func(d *Decoder) { DecodeArray[uint64](d) },
		"not a number":     func(d *Decoder) { d.Uint() },
		"bad strings": func(d *Decoder) {
			var b bytes.Buffer
			e := NewEncoder(&b)
			e.String("abc")
			Array(e, []uint64{0, 5})
			e.Flush()
			*d = *NewDecoder(aligned(b.Bytes()))
			DecodeStrings(d)
		},
	}
	for name, fn := range cases {
		t.Run(name, func(t *testing.T) {
			d := NewDecoder(aligned(good))
			fn(d)
			if err := d.Done(); !errors.Is(err, ErrCorrupt) {
				t.Errorf("got %v, want ErrCorrupt", err)
			}
		})
	}
}

// TestEncoderWrittenAndEncoded checks that Written sees every byte written, in order, in
// spans of at most WrittenSpan, and that sections copied with Encoded decode as written.
func TestEncoderWrittenAndEncoded(t *testing.T) {
	var inner bytes.Buffer
	ie := NewEncoder(&inner)
	big := make([]byte, 2*WrittenSpan+3)
	for i := range big {
		big[i] = byte(i)
	}
	ie.Bytes(big)
	ie.Bitmaps([]*roaring.Bitmap{roaring.BitmapOf(1, 5), nil})
	if _, _, err := ie.Flush(); err != nil {
		t.Fatal(err)
	}

	var buf, seen bytes.Buffer
	e := NewEncoder(&buf)
	spans := 0
	e.Written = func(p []byte) {
		if len(p) > WrittenSpan {
			t.Errorf("span of %d bytes", len(p))
		}
		spans++
		seen.Write(p)
	}
	e.Uint(7)
	e.Encoded(inner.Bytes())
	n, _, err := e.Flush()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(seen.Bytes(), buf.Bytes()) || int64(buf.Len()) != n {
		t.Fatalf("Written saw %d bytes, the file has %d (n %d)", seen.Len(), buf.Len(), n)
	}
	if spans < 3 {
		t.Errorf("%d spans for %d bytes", spans, buf.Len())
	}
	d := NewDecoder(aligned(buf.Bytes()))
	if d.Uint() != 7 || !bytes.Equal(d.Bytes(), big) {
		t.Fatal("sections before or in the encoded ones differ")
	}
	bms := d.Bitmaps()
	if err := d.Done(); err != nil || len(bms) != 2 || !bms[0].Equals(roaring.BitmapOf(1, 5)) || bms[1] != nil {
		t.Fatalf("encoded bitmaps: %v %v", bms, err)
	}

	e = NewEncoder(&buf)
	e.Encoded([]byte{1, 2, 3})
	if _, _, err := e.Flush(); err == nil {
		t.Error("Encoded accepted 3 bytes, not whole sections")
	}
}
