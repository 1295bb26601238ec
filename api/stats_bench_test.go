package api

import (
	"testing"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
)

// Cohort statistics from bitmaps over the CINECA VCF release (2,504 individuals): an
// aggregation of sex, ethnicity and diseases over every individual, and the frequency of
// chr22:16051249 T>C among women with type 1 diabetes, in the engine and through the handler.
func BenchmarkCohortStats(b *testing.B) {
	dir := testRelease(b, "cineca-vcf")
	eng, err := engine.NewEngine(dir, engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	snap := eng.Snapshot()
	b.Run("engine/aggregate-2504", func(b *testing.B) {
		res, err := snap.Evaluate(&engine.Query{Target: release.Individual})
		if err != nil || res.Total != 2504 {
			b.Fatalf("%v %d", err, res.Total)
		}
		var terms []engine.AggregationTerm
		for _, n := range []string{"sex", "ethnicity", "diseases"} {
			at, _ := snap.FindAggregationTerm(n, release.Individual)
			terms = append(terms, at)
		}
		b.ResetTimer()
		for b.Loop() {
			for _, at := range terms {
				snap.Aggregate(release.Individual, res.Rows, at)
			}
		}
	})
	q := func() *engine.Query {
		ref, alt := "T", "C"
		return &engine.Query{Target: release.GenomicVariation,
			Filters: []engine.Filter{{ID: "NCIT:C16576", IncludeDescendants: true}, {ID: "ICD10:E10", IncludeDescendants: true}},
			Variant: &engine.VariantQuery{AssemblyID: "GRCh37", ReferenceName: "22", Start: []int64{16051248}, ReferenceBases: &ref, AlternateBases: &alt, VariantMinLength: -1, VariantMaxLength: -1}}
	}
	b.Run("engine/subgroup-frequency", func(b *testing.B) {
		res, err := snap.Evaluate(q())
		if err != nil || res.Total != 1 {
			b.Fatalf("%v %d", err, res.Total)
		}
		v := res.Rows.Minimum()
		b.ResetTimer()
		for b.Loop() {
			f, _ := snap.Frequencies(q())
			f.Cohort(v)
			if _, ok := f.Subgroup(v); !ok {
				b.Fatal("no subgroup")
			}
		}
	})
	h := testHandler(b, "cineca-vcf")
	for name, uri := range map[string]string{
		"api/aggregated-2504":    "/individuals?requestedGranularity=aggregated&aggregators=sex,ethnicity,diseases",
		"api/subgroup-frequency": "/g_variants?assemblyId=GRCh37&referenceName=22&start=16051248&referenceBases=T&alternateBases=C&filters=NCIT:C16576,ICD10:E10&requestedGranularity=count",
		"api/count-same-no-freq": "/individuals?filters=NCIT:C16576,ICD10:E10&requestedGranularity=count",
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if st, out := do(h, "GET", uri, nil); st != 200 {
					b.Fatalf("%d %s", st, out)
				}
			}
		})
	}
}
