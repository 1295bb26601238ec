package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/bitbeacon/bitbeacon/index"
)

// TestIDLookupIn checks lookupIn against a scan of the rows: ids repeated in many spans
// (one cohort in many datasets), ids repeated within a span, colliding-free misses, and
// spans at both ends and empty.
func TestIDLookupIn(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var b index.StringsBuilder
	const n = 5000
	for range n {
		b.Add(fmt.Sprintf("id%d", rng.IntN(40)))
	}
	ids := b.Build()
	l := newIDLookup(&ids)
	for q := range 2000 {
		id := fmt.Sprintf("id%d", rng.IntN(45)) // some never present
		lo := uint32(rng.IntN(n + 1))
		hi := lo + uint32(rng.IntN(n+1-int(lo)))
		if q%10 == 0 {
			hi = lo
		}
		want, wantOK := uint32(0), false
		for r := lo; r < hi; r++ {
			if ids.At(int(r)) == id {
				want, wantOK = r, true
				break
			}
		}
		got, ok := l.lookupIn(&ids, id, lo, hi)
		if ok != wantOK || got != want {
			t.Fatalf("lookupIn(%q, %d, %d) = %d, %v; want %d, %v", id, lo, hi, got, ok, want, wantOK)
		}
	}
}
