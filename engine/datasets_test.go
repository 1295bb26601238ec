package engine

import (
	"fmt"
	"slices"
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
)

// TestManyDatasets: a release of more datasets than once fitted the stack buffers (256)
// answers positional variant counts per dataset, as the general path does, and a
// restriction to named datasets in manifest order, each once, both without allocating
// once the Result is reused.
func TestManyDatasets(t *testing.T) {
	const n = 300
	var ds []dsData
	for i := range n {
		d := dsData{id: fmt.Sprintf("D%03d", i), assembly: "GRCh38"}
		for j := range i%3 + 1 { // dataset i holds i%3+1 variants in [1000, 2000)
			d.variants = append(d.variants, release.Variant{Record: release.Record{ID: fmt.Sprintf("V%d_%d", i, j)},
				Assembly: "GRCh38", Chrom: "1", Start: int64(1000 + 10*j), End: int64(1001 + 10*j), Ref: "A", Alt: "G"})
		}
		d.variants = append(d.variants, release.Variant{Record: release.Record{ID: fmt.Sprintf("W%d", i)},
			Assembly: "GRCh38", Chrom: "1", Start: 5000, End: 5001, Ref: "A", Alt: "G"}) // outside the range
		ds = append(ds, d)
	}
	root := t.TempDir()
	writeRelease(t, root, nil, ds...)
	s := openRelease(t, root)
	rangeQuery := func(ids ...string) Query {
		return Query{Target: release.GenomicVariation, DatasetIDs: ids, Variant: &VariantQuery{
			ReferenceName: "1", Start: []int64{999}, End: []int64{2000}, VariantMinLength: -1, VariantMaxLength: -1}}
	}
	for _, ids := range [][]string{nil, {"D299", "D005", "D299"}} {
		q := rangeQuery(ids...)
		full, err := s.Evaluate(&q)
		if err != nil {
			t.Fatal(err)
		}
		q.CountOnly = true
		var res Result
		allocs := testing.AllocsPerRun(50, func() {
			if err := s.EvaluateInto(&q, &res); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("datasets %v: %.1f allocations per count, want 0", ids, allocs)
		}
		var got, want []string
		var total uint64
		for i, d := range res.PerDataset {
			var idx int
			fmt.Sscanf(d.DatasetID, "D%d", &idx)
			if wantCount := uint64(idx%3 + 1); d.Count != wantCount || full.PerDataset[i].Count != wantCount {
				t.Errorf("datasets %v: %s counts %d (general path %d), want %d", ids, d.DatasetID, d.Count, full.PerDataset[i].Count, wantCount)
			}
			got = append(got, d.DatasetID)
			total += d.Count
		}
		if ids == nil {
			for i := range n {
				want = append(want, fmt.Sprintf("D%03d", i))
			}
		} else {
			want = []string{"D005", "D299"}
		}
		if !slices.Equal(got, want) || res.Total != total || res.Total != full.Total {
			t.Errorf("datasets %v: result sets %v, total %d (general path %d), want %v summing to %d", ids, got, res.Total, full.Total, want, total)
		}
	}
}
