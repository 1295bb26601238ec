package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// manyData is a release of 1,000 datasets built for the oracle below: individuals with
// terms drawn at random (some datasets hold none: empty spans), and variants of every
// dataset interleaved on one chromosome (their rows are not one run per dataset), so both
// ways of splitting an answer by dataset are exercised.
type manyData struct {
	ds []dsData
	// terms[dataset][i] are the terms of individual i, variantTerms[dataset][j] of variant j.
	terms, variantTerms [][][]string
}

var manyTerms = []string{"T:a", "T:b", "T:c"}

func newManyData(n int, rng *rand.Rand) *manyData {
	md := &manyData{}
	for d := range n {
		dd := dsData{id: fmt.Sprintf("D%04d", d), assembly: "GRCh38", records: map[release.Entity][]release.Record{}}
		var its, vts [][]string
		for i := range rng.IntN(12) { // 0..11 individuals
			// T:a dense (most individuals), T:b sparse: two filters are counted in words;
			// T:c too common for a third to be.
			var ts []string
			for k, term := range manyTerms {
				if p := [...]int{7, 1, 4}[k]; rng.IntN(8) < p {
					ts = append(ts, term)
				}
			}
			dd.records[release.Individual] = append(dd.records[release.Individual], rec(fmt.Sprintf("I%d", i), ts...))
			its = append(its, ts)
		}
		for j := range rng.IntN(4) {
			var ts []string
			if rng.IntN(2) == 0 {
				ts = []string{"T:v"}
			}
			dd.variants = append(dd.variants, release.Variant{Record: release.Record{ID: fmt.Sprintf("V%d_%d", d, j), Terms: ts},
				Assembly: "GRCh38", Chrom: "1", Start: int64(1000 + rng.IntN(400)*10), End: 0, Ref: "A", Alt: "G"})
			dd.variants[j].End = dd.variants[j].Start + 1
			vts = append(vts, ts)
		}
		md.ds = append(md.ds, dd)
		md.terms, md.variantTerms = append(md.terms, its), append(md.variantTerms, vts)
	}
	return md
}

// want returns the naive answer of q, dataset by dataset: the ids of the matching records of
// each dataset q allows, in record order.
func (md *manyData) want(q *Query) map[string][]string {
	allowed := map[string]bool{}
	for _, id := range q.DatasetIDs {
		allowed[id] = true
	}
	out := map[string][]string{}
	for d, dd := range md.ds {
		if len(allowed) > 0 && !allowed[dd.id] {
			continue
		}
		ids := []string{}
		if q.Target == release.Individual {
			for i, ts := range md.terms[d] {
				if hasAll(ts, q.Filters) {
					ids = append(ids, dd.records[release.Individual][i].ID)
				}
			}
		} else {
			// In row order: by position, then in the order written.
			var vs []release.Variant
			for j, v := range dd.variants {
				lo, hi := q.Variant.Start[0], q.Variant.End[0]
				if v.Start < hi && v.End > lo && hasAll(md.variantTerms[d][j], q.Filters) {
					vs = append(vs, v)
				}
			}
			slices.SortStableFunc(vs, func(a, b release.Variant) int { return int(a.Start - b.Start) })
			for _, v := range vs {
				ids = append(ids, v.ID)
			}
		}
		out[dd.id] = ids
	}
	return out
}

func hasAll(terms []string, filters []Filter) bool {
	for _, f := range filters {
		if !slices.Contains(terms, f.ID) {
			return false
		}
	}
	return true
}

// TestDatasetsOracle: at 1,000 datasets, counts, per-dataset rows and pages of individuals
// (rows one run per dataset) and variants (interleaved) equal a naive per-dataset
// computation from the data written, for every dataset, a few (counted one by one), many,
// none and one filter, and two (counted in words).
func TestDatasetsOracle(t *testing.T) {
	const n = 1000
	rng := rand.New(rand.NewPCG(15, 1000))
	md := newManyData(n, rng)
	root := t.TempDir()
	writeRelease(t, root, nil, md.ds...)
	s := openRelease(t, root)
	if s.tables[release.Individual].spans == nil {
		t.Fatal("individuals: no spans, though each dataset's rows are one run")
	}
	if s.tables[release.GenomicVariation].spans != nil {
		t.Fatal("variants: spans, though the datasets' variants are interleaved")
	}
	var few, many []string
	for d := range n {
		if d%300 == 7 {
			few = append(few, md.ds[d].id)
		}
		if rng.IntN(3) > 0 {
			many = append(many, md.ds[d].id)
		}
	}
	filters := [][]Filter{nil, {onto1("T:a")}, {onto1("T:a"), onto1("T:b")}, {onto1("T:a"), onto1("T:b"), onto1("T:c")}}
	var res Result // reused, as the API reuses its Results
	for _, target := range []release.Entity{release.Individual, release.GenomicVariation} {
		for _, fs := range filters {
			for _, ids := range [][]string{nil, few, many} {
				q := Query{Target: target, Filters: fs, DatasetIDs: ids}
				if target == release.GenomicVariation {
					if len(fs) > 0 {
						q.Filters = []Filter{onto1("T:v")}
					}
					q.Variant = &VariantQuery{ReferenceName: "1", Start: []int64{1500}, End: []int64{3500}, VariantMinLength: -1, VariantMaxLength: -1}
				}
				name := fmt.Sprintf("%s, %d filters, %d datasets named", target, len(q.Filters), len(ids))
				want := md.want(&q)
				for _, mode := range []struct{ countOnly, rowsOnly bool }{{false, false}, {true, false}, {false, true}} {
					q.CountOnly, q.RowsOnly = mode.countOnly, mode.rowsOnly
					if err := s.EvaluateInto(&q, &res); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					checkOracle(t, s, name, &q, &res, want)
				}
			}
		}
	}
}

// checkOracle compares res with want: one set per wanted dataset in manifest order, its
// count, and without CountOnly its rows, every page of 2 and the union.
func checkOracle(t *testing.T, s *Snapshot, name string, q *Query, res *Result, want map[string][]string) {
	t.Helper()
	if len(res.PerDataset) != len(want) {
		t.Fatalf("%s (countOnly %v): %d result sets, want %d", name, q.CountOnly, len(res.PerDataset), len(want))
	}
	// RowsOnly over every dataset gives the rows whole, not split by dataset.
	unsplit := q.RowsOnly && len(q.DatasetIDs) == 0
	var total uint64
	union := roaring.New()
	prev := ""
	for _, d := range res.PerDataset {
		w, ok := want[d.DatasetID]
		if !ok || d.DatasetID <= prev {
			t.Fatalf("%s: result set %s not wanted or out of order", name, d.DatasetID)
		}
		prev = d.DatasetID
		total += uint64(len(w))
		if d.Count != uint64(len(w)) {
			t.Fatalf("%s (countOnly %v): %s counts %d, want %d", name, q.CountOnly, d.DatasetID, d.Count, len(w))
		}
		if q.CountOnly || unsplit {
			if d.Rows != nil {
				t.Fatalf("%s (countOnly %v, rowsOnly %v): set %s has rows", name, q.CountOnly, q.RowsOnly, d.DatasetID)
			}
			continue
		}
		var got []string
		for off := 0; ; off += 2 {
			page := Page(d.Rows, off, 2, nil)
			if len(page) == 0 {
				break
			}
			for _, r := range page {
				got = append(got, s.tables[q.Target].id(r))
			}
		}
		if !slices.Equal(got, w) {
			t.Fatalf("%s: %s pages %v, want %v", name, d.DatasetID, got, w)
		}
		union.Or(d.Rows)
	}
	if res.Total != total {
		t.Fatalf("%s (countOnly %v): total %d, want %d", name, q.CountOnly, res.Total, total)
	}
	if unsplit {
		var got, all []string
		for _, r := range res.Rows.ToArray() {
			got = append(got, s.tables[q.Target].id(r))
		}
		for _, w := range want {
			all = append(all, w...)
		}
		slices.Sort(got)
		slices.Sort(all)
		if !slices.Equal(got, all) {
			t.Fatalf("%s (rowsOnly): Rows holds %d records, want %d", name, len(got), len(all))
		}
		return
	}
	if !q.CountOnly && !res.Rows.Equals(union) {
		t.Fatalf("%s: Rows holds %d rows, the sets %d", name, res.Rows.GetCardinality(), union.GetCardinality())
	}
}

// TestDatasetSpans: spans are found for runs in dataset order, empty datasets included, and
// refused for interleaved or out-of-order runs; popcountRange counts any range of words.
func TestDatasetSpans(t *testing.T) {
	bm := func(lo, hi uint64) *roaring.Bitmap {
		b := roaring.New()
		b.AddRange(lo, hi)
		return b
	}
	if got := datasetSpans([]*roaring.Bitmap{bm(0, 3), roaring.New(), bm(3, 10)}, 10); !slices.Equal(got, []uint32{0, 3, 3, 10}) {
		t.Errorf("spans %v, want [0 3 3 10]", got)
	}
	if spanOf([]uint32{0, 3, 3, 10}, 3) != 2 || spanOf([]uint32{0, 3, 3, 10}, 2) != 0 {
		t.Error("spanOf skips no empty span")
	}
	interleaved := []*roaring.Bitmap{roaring.BitmapOf(0, 2), roaring.BitmapOf(1, 3)}
	if datasetSpans(interleaved, 4) != nil || datasetSpans([]*roaring.Bitmap{bm(5, 10), bm(0, 5)}, 10) != nil {
		t.Error("spans of runs that are not in dataset order")
	}
	// Many rows per dataset are counted by range cardinality dataset by dataset (the hit
	// walk), few in one ordered pass: both as a naive count.
	spanned := &table{n: 3000, byDataset: []*roaring.Bitmap{bm(0, 1000), roaring.New(), bm(1000, 1300), bm(1300, 3000)}}
	spanned.spans = datasetSpans(spanned.byDataset, spanned.n)
	for _, rows := range []*roaring.Bitmap{bm(0, 3000), bm(990, 1310), roaring.BitmapOf(5, 999, 1000, 2999)} {
		counts := make([]uint64, 4)
		spanned.countByDataset(rows, []uint16{0, 1, 2, 3}, counts, &scanMeter{})
		for d, bd := range spanned.byDataset {
			if want := rows.AndCardinality(bd); counts[d] != want {
				t.Errorf("rows %d..%d: dataset %d counts %d, want %d", rows.Minimum(), rows.Maximum(), d, counts[d], want)
			}
		}
	}
	words := []uint64{^uint64(0), 0x5555_5555_5555_5555, ^uint64(0)}
	// Interleaved rows are counted bit by bit through the row → dataset column.
	tb := &table{n: 192, dataset: make([]uint16, 192)}
	for r := range tb.dataset {
		tb.dataset[r] = uint16(r % 3)
	}
	counts := make([]uint64, 3)
	tb.countDenseByDataset(words, counts)
	want := make([]uint64, 3)
	for r := range uint32(192) {
		want[r%3] += words[r/64] >> (r % 64) & 1
	}
	if !slices.Equal(counts, want) {
		t.Errorf("dense counts of interleaved rows %v, want %v", counts, want)
	}
	for _, r := range [][2]uint32{{0, 0}, {0, 192}, {3, 70}, {64, 128}, {65, 66}, {63, 129}, {100, 101}} {
		var want uint64
		for i := r[0]; i < r[1]; i++ {
			want += words[i/64] >> (i % 64) & 1
		}
		if got := popcountRange(words, r[0], r[1]); got != want {
			t.Errorf("popcountRange%v = %d, want %d", r, got, want)
		}
	}
}
