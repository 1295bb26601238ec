package engine

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// zygosityRelease opens a release of one dataset whose variants' calls take every storage
// form of zygosity: V one code per carrier (samples out of biosample order), W one code for
// all carriers, X caseLevelData stored in the record, Y no zygosity.
func zygosityRelease(t *testing.T) *Snapshot {
	root := t.TempDir()
	het := func(bits ...uint32) release.ZygositySet {
		return release.ZygositySet{ID: "GENO:0000458", Label: "simple heterozygous", Bits: roaring.BitmapOf(bits...)}
	}
	hom := func(bits ...uint32) release.ZygositySet {
		return release.ZygositySet{ID: "GENO:0000136", Label: "homozygous", Bits: roaring.BitmapOf(bits...)}
	}
	variant := func(id string, start int64, rendered bool, carriers []uint32, zyg ...release.ZygositySet) release.Variant {
		v := release.Variant{Record: release.Record{ID: id, JSON: []byte(`{"variantInternalId":"` + id + `"}`)},
			Assembly: "GRCh38", Chrom: "1", Start: start, End: start + 1, Ref: "A", Alt: "G",
			CarrierBits: roaring.BitmapOf(carriers...), Zygosity: zyg, CaseLevelFromCarriers: rendered}
		for _, z := range zyg {
			v.Terms = append(v.Terms, z.ID) // as ingest indexes them
		}
		return v
	}
	d := dsData{id: "D1", assembly: "GRCh38", records: map[release.Entity][]release.Record{
		release.Individual: {rec("P1", "NCIT:C16576"), rec("P2"), rec("P3", "NCIT:C16576")},
		release.Biosample:  {rec("S1", "I:P1"), rec("S2a", "I:P2"), rec("S2b", "I:P2"), rec("S3", "I:P3")},
	}, samples: []string{"S3", "P2", "NAME9", "S1"}, variants: []release.Variant{
		// S3 hom, P2 (both S2a and S2b) het, NAME9 no zygosity, S1 het.
		variant("V", 10, true, []uint32{0, 1, 2, 3}, het(1, 3), hom(0)),
		// every carrier homozygous: one code.
		variant("W", 20, true, []uint32{1, 3}, hom(1, 3)),
		// caseLevelData stored in the record, not rendered: S3 hom, S1 het.
		variant("X", 30, false, []uint32{0, 3}, hom(0), het(3)),
		// no zygosity at all
		variant("Y", 40, true, []uint32{0, 1}),
	}}
	onto := []release.OntologyTerm{
		{ID: "GENO:0000391", Label: "disomic zygosity"},
		{ID: "GENO:0000135", Label: "heterozygous", Parents: []string{"GENO:0000391"}},
		{ID: "GENO:0000458", Label: "simple heterozygous", Parents: []string{"GENO:0000135"}},
		{ID: "GENO:0000136", Label: "homozygous", Parents: []string{"GENO:0000391"}},
	}
	writeRelease(t, root, onto, d)
	s := openRelease(t, root)
	return s
}

// A zygosity filter on individuals or biosamples keeps the carriers whose call has that
// zygosity, on every storage form of the calls: one code per carrier with samples out of
// biosample order (kept sample bitmaps), one code for all carriers, a record whose
// caseLevelData is stored as is (not rendered), and a parent term folding its descendants.
func TestZygosityFilter(t *testing.T) {
	s := zygosityRelease(t)
	if s.variants.cl.spaces[0].invertible() {
		t.Fatal("samples out of biosample order must not be an invertible space: the test would miss kept sample bitmaps")
	}
	at := func(start int64) *VariantQuery {
		return &VariantQuery{ReferenceName: "1", Start: []int64{start}, End: []int64{start + 1}, VariantMinLength: -1, VariantMaxLength: -1}
	}
	for _, c := range []struct {
		target  release.Entity
		variant *VariantQuery
		filters []Filter
		want    []string
	}{
		{release.Individual, at(10), []Filter{onto1("GENO:0000136")}, []string{"D1/P3"}},
		{release.Individual, at(10), []Filter{onto1("GENO:0000458")}, []string{"D1/P1", "D1/P2"}},
		{release.Biosample, at(10), []Filter{onto1("GENO:0000458")}, []string{"D1/S1", "D1/S2a", "D1/S2b"}},
		// the parent term folds simple heterozygous in; without descendants it matches no call
		{release.Individual, at(10), []Filter{onto1("GENO:0000135")}, []string{"D1/P1", "D1/P2"}},
		{release.Individual, at(10), []Filter{{Kind: OntologyFilter, ID: "GENO:0000135"}}, nil},
		{release.Individual, at(10), []Filter{onto1("GENO:0000391")}, []string{"D1/P1", "D1/P2", "D1/P3"}},
		// and with an individual filter: the women among V's heterozygous carriers
		{release.Individual, at(10), []Filter{onto1("GENO:0000458"), onto1("NCIT:C16576")}, []string{"D1/P1"}},
		{release.Individual, at(20), []Filter{onto1("GENO:0000136")}, []string{"D1/P1", "D1/P2"}},
		{release.Individual, at(20), []Filter{onto1("GENO:0000458")}, nil},
		{release.Individual, at(30), []Filter{onto1("GENO:0000136")}, []string{"D1/P3"}},
		{release.Individual, at(30), []Filter{onto1("GENO:0000458")}, []string{"D1/P1"}},
		{release.Individual, at(40), []Filter{onto1("GENO:0000136")}, nil},
		// without variant parameters: every call of the release
		{release.Individual, nil, []Filter{onto1("GENO:0000136")}, []string{"D1/P1", "D1/P2", "D1/P3"}},
		{release.Biosample, nil, []Filter{onto1("GENO:0000136")}, []string{"D1/S1", "D1/S2a", "D1/S2b", "D1/S3"}},
		// two zygosities on one call
		{release.Individual, at(10), []Filter{onto1("GENO:0000136"), onto1("GENO:0000458")}, nil},
		// on variants a zygosity filter keeps its per-variant meaning
		{release.GenomicVariation, nil, []Filter{onto1("GENO:0000136")}, []string{"D1/V", "D1/W", "D1/X"}},
	} {
		q := &Query{Target: c.target, Variant: c.variant, Filters: c.filters}
		got, _ := evalKeys(t, s, q)
		name := fmt.Sprintf("%s %v %+v", c.target, c.variant != nil, c.filters)
		if !sameKeys(got, c.want) {
			t.Errorf("%s: got %v, want %v", name, got, c.want)
		}
	}
}

// Zygosity codes are not checked at load (that would read every carrier call's byte), so a
// code no term has, as a damaged index file could hold, must read as no zygosity wherever
// codes are read (a filter, a rendered record, the cohort's frequencies), never index out
// of range.
func TestZygosityCodeBeyondTerms(t *testing.T) {
	s := zygosityRelease(t)
	cl := s.variants.cl
	if len(cl.terms) != 2 {
		t.Fatalf("%d zygosity terms, want 2 (hom and het)", len(cl.terms))
	}
	v, w := s.rowsOf(t, release.GenomicVariation, "D1/V").Minimum(), s.rowsOf(t, release.GenomicVariation, "D1/W").Minimum()
	if n, m := cl.at[v+1]-cl.at[v], cl.at[w+1]-cl.at[w]; n != 4 || m != 1 {
		t.Fatalf("V has %d codes and W %d, want one per carrier (4) and one for all", n, m)
	}
	codes := slices.Clone(cl.codes)
	for i := range codes {
		codes[i] = byte(200 + i%56)
	}
	cl.codes = codes
	for _, start := range []int64{10, 20} {
		q := &Query{Target: release.Individual, Filters: []Filter{onto1("GENO:0000136")},
			Variant: &VariantQuery{ReferenceName: "1", Start: []int64{start}, End: []int64{start + 1}, VariantMinLength: -1, VariantMaxLength: -1}}
		if got, _ := evalKeys(t, s, q); len(got) != 0 {
			t.Errorf("homozygous carriers at %d with codes beyond the terms: %v, want none", start, got)
		}
	}
	for _, row := range []uint32{v, w} {
		js := string(s.RecordJSON(release.GenomicVariation, row))
		if !strings.Contains(js, `"caseLevelData":[{`) || strings.Contains(js, "zygosity") {
			t.Errorf("record of row %d: %s, want caseLevelData without a zygosity", row, js)
		}
	}
	// The cohort's frequencies, on a release whose variants were read from genotypes.
	s = frequencyRelease(t)
	x := s.rowsOf(t, release.GenomicVariation, "D1/VX").Minimum()
	s.variants.cl.codes = bytes.Repeat([]byte{255}, len(s.variants.cl.codes))
	f, err := s.Frequencies(&Query{Target: release.GenomicVariation})
	if err != nil {
		t.Fatal(err)
	}
	c, ok := f.Cohort(x)
	if !ok || c.AlleleCount == 0 || c.Homozygous+c.Heterozygous+c.Hemizygous != 0 {
		t.Errorf("cohort counts of VX with codes beyond the terms %+v %v, want carriers counted without a zygosity class", c, ok)
	}
}

// Rows kept in the fallback form (more than 255 distinct zygosity terms in the release)
// filter by term id.
func TestZygosityFilterFallback(t *testing.T) {
	root := t.TempDir()
	d := dsData{id: "D", assembly: "GRCh38", records: map[release.Entity][]release.Record{release.Biosample: {rec("S1"), rec("S2")}}}
	for i := range 300 {
		id := fmt.Sprintf("V%d", i)
		d.variants = append(d.variants, release.Variant{Record: release.Record{ID: id, JSON: []byte(`{"variantInternalId":"` + id + `"}`), Terms: []string{fmt.Sprintf("GENO:%07d", i)}},
			Assembly: "GRCh38", Chrom: "1", Start: int64(i), End: int64(i + 1), Ref: "A", Alt: "G", CaseLevelFromCarriers: true,
			Carriers: []string{"S1", "S2"}, CarrierZygosity: []release.ZygosityTerm{{ID: fmt.Sprintf("GENO:%07d", i), Label: "z"}, {}}})
	}
	writeRelease(t, root, nil, d)
	s := openRelease(t, root)
	if len(s.variants.cl.fallback) == 0 {
		t.Fatal("no row in the fallback form")
	}
	for _, i := range []int{3, 299} { // in the code table and in the fallback
		q := &Query{Target: release.Biosample, Filters: []Filter{{Kind: OntologyFilter, ID: fmt.Sprintf("GENO:%07d", i), IncludeDescendants: true}},
			Variant: &VariantQuery{ReferenceName: "1", Start: []int64{0}, End: []int64{300}, VariantMinLength: -1, VariantMaxLength: -1}}
		if got, _ := evalKeys(t, s, q); !sameKeys(got, []string{"D/S1"}) {
			t.Errorf("GENO:%07d: %v, want [D/S1]", i, got)
		}
	}
}
