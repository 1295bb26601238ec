package engine

import (
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// frequencyRelease is a release whose allele counts are worked out by hand in the test
// below: D1's samples are its biosamples in order (a shift space), D2's are out of order, one
// of them an individual with two biosamples and one matching no record.
func frequencyRelease(t *testing.T) *Snapshot {
	root := t.TempDir()
	zyg := func(id string, bits ...uint32) release.ZygositySet {
		return release.ZygositySet{ID: id, Label: release.ZygosityLabel(id), Bits: roaring.BitmapOf(bits...)}
	}
	const hom, het, hemi = "GENO:0000136", "GENO:0000458", "GENO:0000604"
	called := func(alleles uint32, bits ...uint32) release.CalledSet {
		return release.CalledSet{Alleles: alleles, Bits: roaring.BitmapOf(bits...)}
	}
	variant := func(id, chrom string, start int64, genotyped bool, carriers []uint32, calls []release.CalledSet, z ...release.ZygositySet) release.Variant {
		return release.Variant{Record: release.Record{ID: id}, Assembly: "GRCh38", Chrom: chrom, Start: start, End: start + 1,
			Ref: "T", Alt: "C", CarrierBits: roaring.BitmapOf(carriers...), Zygosity: z, CaseLevelFromCarriers: true,
			Genotyped: genotyped, CalledAlleles: calls}
	}
	const female, male, t1d = "NCIT:C16576", "NCIT:C20197", "MONDO:0005147"
	d1 := dsData{id: "D1", assembly: "GRCh38", records: map[release.Entity][]release.Record{
		release.Individual: {rec("P0", female, t1d), rec("P1", female), rec("P2", male), rec("P3", male, t1d), rec("P4", female), rec("P5", male)},
		release.Biosample:  {rec("S0", "I:P0"), rec("S1", "I:P1"), rec("S2", "I:P2"), rec("S3", "I:P3"), rec("S4", "I:P4"), rec("S5", "I:P5")},
	}, samples: []string{"S0", "S1", "S2", "S3", "S4", "S5"}, variants: []release.Variant{
		// S0 1/1, S1 0/1, S2 1 (haploid), S3 0 (haploid), S4 ./., S5 0/0
		variant("VX", "X", 100, true, []uint32{0, 1, 2}, []release.CalledSet{called(1, 2, 3), called(0, 4)},
			zyg(hom, 0), zyg(het, 1), zyg(hemi, 2)),
		// every call diploid: S4 0/1, S5 1/1
		variant("V2", "1", 200, true, []uint32{4, 5}, nil, zyg(het, 4), zyg(hom, 5)),
		// carriers only (a BFF record): no allele number
		variant("VB", "1", 300, false, []uint32{0}, nil, zyg(het, 0)),
	}}
	d2 := dsData{id: "D2", assembly: "GRCh38", records: map[release.Entity][]release.Record{
		release.Individual: {rec("Q1", female), rec("Q2", female), rec("Q3", male)},
		release.Biosample:  {rec("T1", "I:Q1"), rec("T2a", "I:Q2"), rec("T2b", "I:Q2", "UBERON:0000178"), rec("T3", "I:Q3")},
	}, samples: []string{"T3", "Q2", "T1", "NOBODY"}, variants: []release.Variant{
		// T3 1/1, Q2 0/1, T1 0/., NOBODY 0/1 (no record: not in any cohort)
		variant("W", "1", 400, true, []uint32{0, 1, 3}, []release.CalledSet{called(1, 2)}, zyg(hom, 0), zyg(het, 1, 3)),
	}}
	writeRelease(t, root, nil, d1, d2)
	s := openRelease(t, root)
	if !s.variants.cl.spaces[0].invertible() || s.variants.cl.spaces[1].invertible() {
		t.Fatal("D1 must be a shift space and D2 not: the test would miss a storage form")
	}
	return s
}

// TestFrequencies checks the counts of each variant against hand-computed ones, for the
// whole cohort and for subgroups by sex, disease and a biosample term.
func TestFrequencies(t *testing.T) {
	s := frequencyRelease(t)
	const female, t1d = "NCIT:C16576", "MONDO:0005147"
	type want struct {
		ok                 bool
		samples, ac, an    uint64
		hom, het, hemi     uint64
		frequency          float64
		subgroupExpected   bool
		subOK              bool
		sSamples, sAC, sAN uint64
		sHom, sHet, sHemi  uint64
	}
	for _, c := range []struct {
		name    string
		variant string
		filters []Filter
		want    want
	}{
		// Cohort: 6 samples, AN 12-1-1-2 = 8, AC 2+1+1 = 4. Women S0 S1 S4: AN 2+2+0, AC 2+1.
		{"X women", "D1/VX", []Filter{onto1(female)}, want{true, 6, 4, 8, 1, 1, 1, 0.5, true, true, 3, 3, 4, 1, 1, 0}},
		// Women with type 1 diabetes: S0 only.
		{"X women T1D", "D1/VX", []Filter{onto1(female), onto1(t1d)}, want{true, 6, 4, 8, 1, 1, 1, 0.5, true, true, 1, 2, 2, 1, 0, 0}},
		// Type 1 diabetes: S0 1/1 and S3 0 (haploid reference).
		{"X T1D", "D1/VX", []Filter{onto1(t1d)}, want{true, 6, 4, 8, 1, 1, 1, 0.5, true, true, 2, 2, 3, 1, 0, 0}},
		{"2 no filter", "D1/V2", nil, want{true, 6, 3, 12, 1, 1, 0, 0.25, false, false, 0, 0, 0, 0, 0, 0}},
		// A variant filter selects no people: no subgroup.
		{"2 variant filter", "D1/V2", []Filter{onto1("GENO:0000136")}, want{true, 6, 3, 12, 1, 1, 0, 0.25, false, false, 0, 0, 0, 0, 0, 0}},
		{"BFF", "D1/VB", []Filter{onto1(female)}, want{subgroupExpected: true}},
		// D2: T3, Q2 (through T2a) and T1 have records: AN 6-1, AC 2+1 (NOBODY not counted).
		// Women Q1 (T1) and Q2: AN 1+2, AC 1.
		{"W women", "D2/W", []Filter{onto1(female)}, want{true, 3, 3, 5, 1, 1, 0, 0.6, true, true, 2, 1, 3, 0, 1, 0}},
		// The biosample term is on T2b, Q2's second biosample: Q2 counts once, at T2a.
		{"W tissue", "D2/W", []Filter{onto1("UBERON:0000178")}, want{true, 3, 3, 5, 1, 1, 0, 0.6, true, true, 1, 1, 2, 0, 1, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := &Query{Target: release.GenomicVariation, Filters: c.filters}
			f, err := s.Frequencies(q)
			if err != nil {
				t.Fatal(err)
			}
			v := s.rowsOf(t, release.GenomicVariation, c.variant).Minimum()
			if f.HasSubgroup() != c.want.subgroupExpected {
				t.Fatalf("HasSubgroup %v, want %v", f.HasSubgroup(), c.want.subgroupExpected)
			}
			got, ok := f.Cohort(v)
			w := c.want
			if ok != w.ok || got != (AlleleCounts{w.samples, w.ac, w.an, w.hom, w.het, w.hemi}) {
				t.Fatalf("cohort %+v %v, want %+v %v", got, ok, AlleleCounts{w.samples, w.ac, w.an, w.hom, w.het, w.hemi}, w.ok)
			}
			if ok && got.AlleleFrequency() != w.frequency {
				t.Fatalf("frequency %v, want %v", got.AlleleFrequency(), w.frequency)
			}
			sub, ok := f.Subgroup(v)
			if ok != w.subOK || sub != (AlleleCounts{w.sSamples, w.sAC, w.sAN, w.sHom, w.sHet, w.sHemi}) {
				t.Fatalf("subgroup %+v %v, want %+v %v", sub, ok, AlleleCounts{w.sSamples, w.sAC, w.sAN, w.sHom, w.sHet, w.sHemi}, w.subOK)
			}
		})
	}
}

// TestFrequenciesSpendTheBudget: preparing a subgroup spends the query's budget (each
// filter and its rows), so a budget of a few units stops it with the budget's LimitError.
func TestFrequenciesSpendTheBudget(t *testing.T) {
	s := frequencyRelease(t)
	q := &Query{Target: release.GenomicVariation, Filters: []Filter{onto1("NCIT:C16576")}, Budget: &Budget{Units: 10}}
	if _, err := s.Frequencies(q); limitReason(err) != LimitBudget {
		t.Errorf("error %v, want the budget's LimitError", err)
	}
	q.Budget = &Budget{}
	if _, err := s.Frequencies(q); err != nil || q.Budget.Spent() <= filterCost {
		t.Errorf("unbounded: error %v, %d units spent, want more than a filter's %d", err, q.Budget.Spent(), filterCost)
	}
}

// TestCountRange compares countRange with a bit-by-bit count over ranges across, inside and
// at the edges of words.
func TestCountRange(t *testing.T) {
	words := []uint64{0xF0F0F0F0F0F0F0F1, ^uint64(0), 0x8000000000000001}
	for _, r := range [][2]uint32{{0, 0}, {0, 191}, {3, 63}, {63, 64}, {64, 127}, {60, 130}, {128, 128}, {191, 191}, {100, 300}} {
		var want uint64
		for i := r[0]; i <= r[1] && int(i>>6) < len(words); i++ {
			want += words[i>>6] >> (i & 63) & 1
		}
		if got := countRange(words, r[0], r[1]); got != want {
			t.Errorf("countRange %v: %d, want %d", r, got, want)
		}
	}
}
