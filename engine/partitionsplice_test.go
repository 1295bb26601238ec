package engine

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/bitbeacon/bitbeacon/index"
)

// TestSpliceCallsAsWhole splices the call tables of partitions whose rows meet the same
// patterns in different orders, some patterns in one partition only, and checks the result
// encodes to the bytes of the table built over all rows at once: the fixtures of the
// partition tests have too few distinct patterns to tell a wrong renumbering.
func TestSpliceCallsAsWhole(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 1))
	patterns := make([][]callPair, 12)
	for i := range patterns {
		for r := uint32(0); r < 40; r++ {
			if rng.IntN(4) == 0 {
				patterns[i] = append(patterns[i], callPair{r, uint8(1 + rng.IntN(3))})
			}
		}
	}
	const n = 3000
	cuts := []uint32{0, 700, 701, 1900, n} // one partition of one row
	whole := newCallTableBuilder()
	var parts []*variantTable
	var bases []uint32
	for k := range len(cuts) - 1 {
		pb := newCallTableBuilder()
		for row := cuts[k]; row < cuts[k+1]; row++ {
			if rng.IntN(5) == 0 {
				continue // not genotyped
			}
			var pairs []callPair
			if rng.IntN(3) > 0 {
				// Partition k draws from its own window of the patterns, so later
				// partitions meet new ones after old ones.
				pairs = patterns[(2*k+rng.IntN(6))%len(patterns)]
			}
			for _, b := range []*callTableBuilder{whole, pb} {
				r := row
				if b == pb {
					r -= cuts[k]
				}
				b.ct.genotyped.Add(r)
				if len(pairs) > 0 {
					b.pairs = append(b.pairs[:0], pairs...)
					b.addPattern(r)
				}
			}
		}
		parts = append(parts, &variantTable{calls: pb.build()})
		bases = append(bases, cuts[k])
	}
	encode := func(ct callTable) []byte {
		var buf bytes.Buffer
		e := index.NewEncoder(&buf)
		ct.encode(e)
		if _, _, err := e.Flush(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	want := whole.build()
	if len(want.offs) < 10 {
		t.Fatalf("only %d patterns: the test tells little", len(want.offs)-1)
	}
	got := spliceCalls(parts, bases)
	if !bytes.Equal(encode(got), encode(want)) {
		t.Fatalf("spliced call table differs from the whole one: %d rows %d patterns, want %d rows %d patterns; patterns %v, want %v",
			len(got.rows), len(got.offs)-1, len(want.rows), len(want.offs)-1, got.pattern[:min(20, len(got.pattern))], want.pattern[:min(20, len(want.pattern))])
	}
}
