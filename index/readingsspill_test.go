package index

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSpilledReadingsAsInMemory builds a value index of paths with many distinct readings
// (numbers, some repeated, negative zero, durations) in memory and through a Spill with
// small sorted runs of readings, and requires the same keys, readings and bit-sliced
// indexes, the spilled ones from files (bsispill.go too, in buckets of rows).
func TestSpilledReadingsAsInMemory(t *testing.T) {
	defer func(n, b int) { readingsRunKeys, bsiBucketRows = n, b }(readingsRunKeys, bsiBucketRows)
	readingsRunKeys, bsiBucketRows = 300, 640
	const rows = 5000
	rng := rand.New(rand.NewPCG(5, 6))
	sp := &memSpill{}
	pv, sv := NewValueIndexBuilder(), NewValueIndexBuilder()
	sv.Spill(sp)
	for r := uint32(0); r < rows; r++ {
		vals := [][2]string{
			{"start", fmt.Sprint(rng.IntN(3 * rows))},
			{"age", fmt.Sprintf("P%dY", rng.IntN(400))},
		}
		if r%5 != 0 { // rows without a reading, in an index of highest ranks
			vals = append(vals, [2]string{"qual", fmt.Sprintf("%.1f", rng.Float64()*20-10)})
		}
		if r%97 == 0 {
			vals = append(vals, [2]string{"qual", "-0"}, [2]string{"qual", "0"}, [2]string{"start", "x"})
		}
		for _, f := range vals {
			pv.Add(f[0], f[1], r)
			sv.Add(f[0], f[1], r)
		}
	}
	pvi, svi := pv.Build(rows), sv.Build(rows)
	if sp.err != nil {
		t.Fatal(sp.err)
	}
	for _, want := range []string{"values-readings-keys", "values-durations-readings-keys", "values-bsi"} {
		if !slices.Contains(sp.names, want) {
			t.Fatalf("spill files %v: no %s, the readings were not spilled", sp.names, want)
		}
	}
	same := func(a, b numIndex) bool {
		if !slices.Equal(a.keys, b.keys) || !slices.Equal(a.ranks, b.ranks) || (a.lo == nil) != (b.lo == nil) || (a.hi == a.lo) != (b.hi == b.lo) {
			return false
		}
		return a.lo == nil || slices.Equal(a.lo.data, b.lo.data) && slices.Equal(a.hi.data, b.hi.data)
	}
	for _, path := range pvi.paths {
		a, b := pvi.fields[path], svi.fields[path]
		if !same(a.nums, b.nums) || !same(a.durs, b.durs) {
			t.Errorf("spilled readings differ at %q", path)
		}
	}
	if a := pvi.fields["start"]; a.nums.lo == nil || len(a.nums.keys) <= readingsRunKeys {
		t.Fatalf("start: %d keys, bit-sliced %v: the test covers too little", len(a.nums.keys), a.nums.lo != nil)
	}
	if q := pvi.fields["qual"]; q.nums.lo == nil || q.nums.hi == q.nums.lo {
		t.Fatal("qual: no index of highest ranks: the test covers too little")
	}
	if !bytes.Equal(encoded(t, pvi.Encode), encoded(t, svi.Encode)) {
		t.Error("spilled value index encodes differently")
	}
}
