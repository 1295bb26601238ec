package engine

import (
	"fmt"
	"slices"
	"testing"

	"github.com/bitbeacon/bitbeacon/index"
)

// TestSpilledIDLookupAsInMemory builds the id lookup of ids with repeats through spill-file
// buckets and in memory, and requires the same hashes and rows, the spilled ones mapped
// (not on the heap, where they grew with the variants).
func TestSpilledIDLookupAsInMemory(t *testing.T) {
	defer func(n int) { idBucketPairs = n }(idBucketPairs)
	idBucketPairs = 64
	var sb index.StringsBuilder
	for i := range 1000 {
		sb.Add(fmt.Sprintf("chr1_%d_A_G", i%700)) // 300 ids twice
	}
	ids := sb.Build()
	mp := &mapping{}
	defer mp.unmap()
	sp := newSpiller(t.TempDir(), mp)
	got, want := newSpilledIDLookup(&ids, sp), newIDLookup(&ids)
	if sp.err != nil {
		t.Fatal(sp.err)
	}
	if !slices.Equal(got.hashes, want.hashes) || !slices.Equal(got.rows, want.rows) {
		t.Fatal("spilled id lookup differs from the one built in memory")
	}
	if rows := got.lookup(&ids, "chr1_5_A_G", nil); !slices.Equal(rows, []uint32{5, 705}) {
		t.Errorf("rows of chr1_5_A_G %v, want [5 705]", rows)
	}
	if !inSpillMap(mp, got.hashes) || !inSpillMap(mp, got.rows) {
		t.Error("the spilled lookup's hashes or rows are not in a spill file's map")
	}
}
