package release

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestAppendRunOptimizedMatchesRoaring serialises random bitmaps both ways and expects the
// bytes of RunOptimize and WriteTo, or a refusal for the bitmaps left to roaring.
func TestAppendRunOptimizedMatchesRoaring(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var vals []uint32
	fast := 0
	for round := range 20000 {
		bm := roaring.New()
		base := uint32(0)
		if r.IntN(8) == 0 {
			base = uint32(1+r.IntN(3)) << 16
		}
		span := 1 + r.IntN(1<<r.IntN(17))
		switch n := 1 + r.IntN(1<<r.IntN(13)); r.IntN(4) {
		case 0: // runs of consecutive indexes
			for range 1 + n/4 {
				start := base + uint32(r.IntN(span))
				bm.AddRange(uint64(start), uint64(start)+uint64(1+r.IntN(8)))
			}
		default: // scattered, sometimes over several containers
			for range n {
				bm.Add(base + uint32(r.IntN(span)))
			}
		}
		if round%7 == 0 {
			bm.RunOptimize() // run containers: left to roaring
		}
		got, v, ok := appendRunOptimized([]byte("x"), bm, vals)
		vals = v
		want := bm.Clone()
		want.RunOptimize()
		var buf bytes.Buffer
		buf.WriteString("x")
		if _, err := want.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		simple := bm.GetCardinality() <= roaringMaxArray && !bm.HasRunCompression() && bm.Minimum()>>16 == bm.Maximum()>>16
		if ok != simple {
			t.Fatalf("round %d: ok %v for %d values, runs %v, %d..%d", round, ok, bm.GetCardinality(), bm.HasRunCompression(), bm.Minimum(), bm.Maximum())
		}
		if !ok {
			if string(got) != "x" {
				t.Fatalf("round %d: refused but appended %d bytes", round, len(got)-1)
			}
			continue
		}
		fast++
		if !bytes.Equal(got, buf.Bytes()) {
			t.Fatalf("round %d (%d values from %d): got %x, want %x", round, bm.GetCardinality(), bm.Minimum(), got, buf.Bytes())
		}
	}
	if fast < 10000 {
		t.Fatalf("only %d bitmaps took the fast path", fast)
	}
}
