package engine

import (
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
)

// Boolean and count queries of one condition (and two filters in a one-dataset release)
// allocate nothing when the caller reuses its Result: the hot path of a Beacon under load.
func TestCountOnlyAllocatesNothing(t *testing.T) {
	root := t.TempDir()
	d := dsData{id: "D1", assembly: "GRCh38", records: map[release.Entity][]release.Record{
		release.Individual: {rec("I1", "NCIT:C16576", "HP:0000002"), rec("I2", "NCIT:C20197"), rec("I3", "NCIT:C16576", "HP:0000002")},
		release.Biosample:  {rec("B1", "I:I1"), rec("B2", "I:I2"), rec("B3", "I:I3")},
	}}
	for i := range 50 {
		v := release.Variant{Record: release.Record{ID: "V" + string(rune('a'+i%26)) + string(rune('a'+i/26)), JSON: []byte(`{}`)},
			Assembly: "GRCh38", Chrom: "1", Start: int64(1000 * i), End: int64(1000*i + 1), Ref: "A", Alt: "G",
			GeneIDs: []string{"GENE" + string(rune('A'+i%3))}, Carriers: []string{"B1", "B3"}}
		d.variants = append(d.variants, v)
	}
	onto := []release.OntologyTerm{{ID: "HP:0000001"}, {ID: "HP:0000002", Parents: []string{"HP:0000001"}}}
	writeRelease(t, root, onto, d)
	s := openRelease(t, root)
	ref, alt := "A", "G"
	vq := func(v VariantQuery) *VariantQuery {
		v.VariantMinLength, v.VariantMaxLength = -1, -1
		return &v
	}
	for name, q := range map[string]Query{
		"all":         {Target: release.Individual},
		"one term":    {Target: release.Individual, Filters: []Filter{onto1("NCIT:C16576")}},
		"parent term": {Target: release.Individual, Filters: []Filter{onto1("HP:0000001")}},
		"two terms":   {Target: release.Individual, Filters: []Filter{onto1("NCIT:C16576"), onto1("HP:0000002")}},
		"sequence":    {Target: release.GenomicVariation, Variant: vq(VariantQuery{AssemblyID: "GRCh38", ReferenceName: "1", Start: []int64{5000}, ReferenceBases: &ref, AlternateBases: &alt})},
		"range":       {Target: release.GenomicVariation, Variant: vq(VariantQuery{ReferenceName: "chr1", Start: []int64{0}, End: []int64{20000}})},
		"bracket":     {Target: release.GenomicVariation, Variant: vq(VariantQuery{ReferenceName: "1", Start: []int64{0, 9000}, End: []int64{0, 9001}})},
		"gene":        {Target: release.GenomicVariation, Variant: vq(VariantQuery{GeneID: "GENEB"})},
	} {
		q.CountOnly = true
		var res Result
		if err := s.EvaluateInto(&q, &res); err != nil || res.Total == 0 {
			t.Fatalf("%s: %v, total %d: the query must answer something", name, err, res.Total)
		}
		allocs := testing.AllocsPerRun(100, func() {
			if err := s.EvaluateInto(&q, &res); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per query, want 0", name, allocs)
		}
	}
}

func onto1(id string) Filter { return Filter{Kind: OntologyFilter, ID: id, IncludeDescendants: true} }
