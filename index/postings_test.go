package index

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPostingsBuilderProperty builds postings from random pairs, with runs of one key as a
// table's repeated fields give, rows both ascending and not, and repeated pairs, and checks
// them against a map.
func TestPostingsBuilderProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for iter := range 300 {
		var b postingsBuilder
		want := map[string]map[uint32]bool{}
		keys := []string{"", "a", "b", "PASS", "SequenceLocation", "x1", "x2", "zz"}
		row := uint32(0)
		ascending := iter%2 == 0
		for range rng.IntN(200) {
			k := keys[rng.IntN(len(keys))]
			for range 1 + rng.IntN(4) { // a run of the same key
				if ascending {
					row += uint32(rng.IntN(3)) // 0: the same row again
				} else {
					row = uint32(rng.IntN(1000))
				}
				if rng.IntN(50) == 0 {
					row |= 1 << 31 // a row with the multi flag's bit set
				}
				b.add(k, row)
				if want[k] == nil {
					want[k] = map[uint32]bool{}
				}
				want[k][row] = true
			}
		}
		p, maxRow := b.build()
		var wantMax uint32
		wantKeys := make([]string, 0, len(want))
		for k, rows := range want {
			wantKeys = append(wantKeys, k)
			for r := range rows {
				wantMax = max(wantMax, r)
			}
		}
		slices.Sort(wantKeys)
		if p.keys.Len() != len(wantKeys) {
			t.Fatalf("iteration %d: %d keys, want %d", iter, p.keys.Len(), len(wantKeys))
		}
		if maxRow != wantMax {
			t.Fatalf("iteration %d: max row %d, want %d", iter, maxRow, wantMax)
		}
		for i, k := range wantKeys {
			if p.keys.At(i) != k {
				t.Fatalf("iteration %d: key %d is %q, want %q", iter, i, p.keys.At(i), k)
			}
			var got []uint32
			p.iterate(i, func(r uint32) { got = append(got, r) })
			var rows []uint32
			for r := range want[k] {
				rows = append(rows, r)
			}
			slices.Sort(rows)
			if !slices.Equal(got, rows) {
				t.Fatalf("iteration %d: key %q rows %v, want %v", iter, k, got, rows)
			}
		}
	}
}
