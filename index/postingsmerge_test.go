package index

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestMergedIndexesEncodeAsWhole builds term and value indexes over 140,000 rows whole and
// as parts cut at random rows (not at container boundaries, so the shifted bitmaps straddle
// them), merges the parts, in memory and spilled, and requires the index file bytes of the
// whole build: a key held by every row (run containers), by every other row (bitmap
// containers), by few rows, by one row (inline), in some parts only, and numeric values
// with enough readings for bit-sliced indexes.
func TestMergedIndexesEncodeAsWhole(t *testing.T) {
	const rows = 140_000
	onto := NewOntology([]TermParents{{ID: "T:child", Parents: []string{"T:parent"}}, {ID: "T:parent", Parents: []string{"T:root"}}})
	rng := rand.New(rand.NewPCG(5, 6))
	type pair struct{ k, v string }
	terms := make([][]string, rows)
	values := make([][]pair, rows)
	for r := range rows {
		ts := []string{"PASS", fmt.Sprintf("id%d", r), fmt.Sprintf("g%d", rng.IntN(40))}
		if r%2 == 0 {
			ts = append(ts, "T:child")
		}
		if r > 100_000 && r%5 == 0 {
			ts = append(ts, "late")
		}
		if r == 77 || r == 120_001 {
			ts = append(ts, "two")
		}
		terms[r] = ts
		vs := []pair{{"start", fmt.Sprint(r * 3)}, {"filter", "PASS"}, {"q", fmt.Sprint(rng.IntN(200))}}
		if r%3 == 0 {
			vs = append(vs, pair{"q", fmt.Sprintf("P%dY", rng.IntN(90))}) // a second value, a duration
		}
		if r < 1000 {
			vs = append(vs, pair{"early", "x"})
		}
		values[r] = vs
	}
	build := func(from, to int, sp Spill) (*TermIndex, *ValueIndex) {
		tb, vb := NewTermIndexBuilder(), NewValueIndexBuilder()
		if sp != nil {
			tb.Spill(sp, "terms")
			vb.Spill(sp)
		}
		for r := from; r < to; r++ {
			for _, k := range terms[r] {
				tb.Add(k, uint32(r-from))
			}
			for _, p := range values[r] {
				vb.Add(p.k, p.v, uint32(r-from))
			}
		}
		return tb.Build(onto), vb.Build(uint32(to - from))
	}
	encode := func(fn func(e *Encoder)) []byte { return encoded(t, fn) }
	wt, wv := build(0, rows, nil)
	wantT, wantV := encode(wt.Encode), encode(wv.Encode)
	for _, cuts := range [][]int{{0}, {0, 1, 65_537, 100_003}, {0, 33_333, 33_334, 99_999, 139_999}} {
		var pts []*TermIndex
		var pvs []*ValueIndex
		var bases []uint32
		for i, from := range cuts {
			to := rows
			if i+1 < len(cuts) {
				to = cuts[i+1]
			}
			pt, pv := build(from, to, nil)
			pts, pvs, bases = append(pts, pt), append(pvs, pv), append(bases, uint32(from))
		}
		for _, spilled := range []bool{false, true} {
			var sp Spill
			ms := &memSpill{}
			if spilled {
				sp = ms
			}
			mt := MergeTermIndexes(pts, bases, onto, sp, "terms")
			mv := MergeValueIndexes(pvs, bases, rows, sp)
			if ms.err != nil {
				t.Fatal(ms.err)
			}
			if spilled && ms.files == 0 {
				t.Fatal("the merge spilled nothing")
			}
			if !bytes.Equal(encode(mt.Encode), wantT) {
				t.Errorf("cuts %v, spilled %v: merged term index encodes differently", cuts, spilled)
			}
			if !bytes.Equal(encode(mv.Encode), wantV) {
				t.Errorf("cuts %v, spilled %v: merged value index encodes differently", cuts, spilled)
			}
			if got := mt.Count("T:root", true); got != rows/2 {
				t.Errorf("cuts %v: T:root folded %d rows, want %d", cuts, got, rows/2)
			}
		}
	}
}

// encoded returns what fn encodes.
func encoded(t *testing.T, fn func(e *Encoder)) []byte {
	t.Helper()
	var b bytes.Buffer
	e := NewEncoder(&b)
	fn(e)
	if _, _, err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
