package engine

import (
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
)

// Boolean and count queries allocate nothing when the caller reuses its Result: the hot
// path of a Beacon under load. That holds for one condition, for several filters (counted in
// the Result's word buffers when their rows are few or dense, as here), for parent terms
// and for dataset restrictions, in a release of one dataset and of two; the reused Result
// answers what a fresh Evaluate does.
func TestCountOnlyAllocatesNothing(t *testing.T) {
	d := dsData{id: "D1", assembly: "GRCh38", records: map[release.Entity][]release.Record{
		release.Individual: {
			rec("I1", "NCIT:C16576", "HP:0000002", "GAZ:00002641"), rec("I2", "NCIT:C20197"),
			rec("I3", "NCIT:C16576", "HP:0000002", "GAZ:00002641"), rec("I4", "NCIT:C16576", "GAZ:00002641"),
		},
		release.Biosample: {rec("B1", "I:I1"), rec("B2", "I:I2"), rec("B3", "I:I3")},
	}}
	for i := range 50 {
		v := release.Variant{Record: release.Record{ID: "V" + string(rune('a'+i%26)) + string(rune('a'+i/26)), JSON: []byte(`{}`)},
			Assembly: "GRCh38", Chrom: "1", Start: int64(1000 * i), End: int64(1000*i + 1), Ref: "A", Alt: "G",
			GeneIDs: []string{"GENE" + string(rune('A'+i%3))}, Carriers: []string{"B1", "B3"}}
		d.variants = append(d.variants, v)
	}
	// D2 holds some of the terms too: counts over two datasets cannot take the one-dataset
	// shortcuts.
	d2 := dsData{id: "D2", assembly: "GRCh38", records: map[release.Entity][]release.Record{
		release.Individual: {rec("J1", "NCIT:C16576", "HP:0000002", "GAZ:00002641"), rec("J2", "NCIT:C16576")},
	}}
	onto := []release.OntologyTerm{{ID: "HP:0000001"}, {ID: "HP:0000002", Parents: []string{"HP:0000001"}}}
	one, two := t.TempDir(), t.TempDir()
	writeRelease(t, one, onto, d)
	writeRelease(t, two, onto, d, d2)
	ref, alt := "A", "G"
	vq := func(v VariantQuery) *VariantQuery {
		v.VariantMinLength, v.VariantMaxLength = -1, -1
		return &v
	}
	female, parent := onto1("NCIT:C16576"), onto1("HP:0000001")
	three := []Filter{female, onto1("HP:0000002"), onto1("GAZ:00002641")}
	for _, rel := range []struct {
		name string
		s    *Snapshot
	}{{"one dataset", openRelease(t, one)}, {"two datasets", openRelease(t, two)}} {
		for name, q := range map[string]Query{
			"all":               {Target: release.Individual},
			"one term":          {Target: release.Individual, Filters: []Filter{female}},
			"parent term":       {Target: release.Individual, Filters: []Filter{parent}},
			"two terms":         {Target: release.Individual, Filters: []Filter{female, onto1("HP:0000002")}},
			"three terms":       {Target: release.Individual, Filters: three},
			"parent and two":    {Target: release.Individual, Filters: []Filter{female, parent, onto1("GAZ:00002641")}},
			"three terms in D1": {Target: release.Individual, Filters: three, DatasetIDs: []string{"D1"}},
			"one term in D1":    {Target: release.Individual, Filters: []Filter{female}, DatasetIDs: []string{"D1"}},
			"sequence":          {Target: release.GenomicVariation, Variant: vq(VariantQuery{AssemblyID: "GRCh38", ReferenceName: "1", Start: []int64{5000}, ReferenceBases: &ref, AlternateBases: &alt})},
			"range":             {Target: release.GenomicVariation, Variant: vq(VariantQuery{ReferenceName: "chr1", Start: []int64{0}, End: []int64{20000}})},
			"bracket":           {Target: release.GenomicVariation, Variant: vq(VariantQuery{ReferenceName: "1", Start: []int64{0, 9000}, End: []int64{0, 9001}})},
			"gene":              {Target: release.GenomicVariation, Variant: vq(VariantQuery{GeneID: "GENEB"})},
		} {
			name = rel.name + ": " + name
			s := rel.s
			want, err := s.Evaluate(&q)
			if err != nil || want.Total == 0 {
				t.Fatalf("%s: %v, total %d: the query must answer something", name, err, want.Total)
			}
			q.CountOnly = true
			var res Result
			allocs := testing.AllocsPerRun(100, func() {
				if err := s.EvaluateInto(&q, &res); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%s: %.1f allocations per query, want 0", name, allocs)
			}
			if res.Total != want.Total || len(res.PerDataset) != len(want.PerDataset) {
				t.Fatalf("%s: reused Result counts %d in %d datasets, Evaluate %d in %d", name, res.Total, len(res.PerDataset), want.Total, len(want.PerDataset))
			}
			for i, d := range res.PerDataset {
				if w := want.PerDataset[i]; d.DatasetID != w.DatasetID || d.Count != w.Count {
					t.Errorf("%s: dataset %d: %s %d, want %s %d", name, i, d.DatasetID, d.Count, w.DatasetID, w.Count)
				}
			}
		}
	}
}

func onto1(id string) Filter { return Filter{Kind: OntologyFilter, ID: id, IncludeDescendants: true} }
