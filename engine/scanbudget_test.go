package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// scanRows is how many rows each long scan of scanSnapshot visits: three meter periods, so a
// scan that checks its budget inside stops after the first and one that checks only at its
// end (or never) is caught.
const scanRows = 3 * scanEvery

// scanSnapshot is one dataset of scanRows individuals (female), a biosample each (the
// samples in biosample order) and scanRows variants on chr1, variant i carried by biosample i
// and by biosample 0, every call heterozygous.
func scanSnapshot(t *testing.T) *Snapshot {
	t.Helper()
	d := dsData{id: "D", assembly: "GRCh38", records: map[release.Entity][]release.Record{}}
	for i := range scanRows {
		d.records[release.Individual] = append(d.records[release.Individual], rec(fmt.Sprintf("I%d", i), "NCIT:C16576"))
		d.records[release.Biosample] = append(d.records[release.Biosample], rec(fmt.Sprintf("B%d", i), fmt.Sprintf("I:I%d", i)))
		d.samples = append(d.samples, fmt.Sprintf("B%d", i))
		carriers := roaring.BitmapOf(0, uint32(i))
		d.variants = append(d.variants, release.Variant{Record: release.Record{ID: fmt.Sprintf("V%d", i), Terms: []string{"GENO:0000458"}},
			Assembly: "GRCh38", Chrom: "1", Start: int64(1000 + i), End: int64(1001 + i), Ref: "A", Alt: "G",
			CarrierBits: carriers, CaseLevelFromCarriers: true,
			Zygosity: []release.ZygositySet{{ID: "GENO:0000458", Label: "simple heterozygous", Bits: carriers.Clone()}}})
	}
	root := t.TempDir()
	writeRelease(t, root, []release.OntologyTerm{{ID: "GENO:0000458", Label: "simple heterozygous"}}, d)
	return openRelease(t, root)
}

// checkStopped asserts that b ended its scan at the budget, well before the scan's end.
func checkStopped(t *testing.T, name string, b *Budget, err error) {
	t.Helper()
	if err == nil {
		err = b.Err()
	}
	if r := limitReason(err); r != LimitBudget {
		t.Errorf("%s: error %v, want the budget's LimitError", name, err)
	}
	if b.Spent() > 2*scanEvery {
		t.Errorf("%s: %d units spent with a budget of %d: the scan did not stop within %d rows", name, b.Spent(), b.Units, scanEvery)
	}
}

// TestLongScansStopAtTheBudget: every long scan of an evaluation checks the query's budget
// while it runs, so a budget of a few units stops it after at most scanEvery rows.
func TestLongScansStopAtTheBudget(t *testing.T) {
	s := scanSnapshot(t)
	tiny := func() *Budget { return &Budget{Units: 10} }
	variantRows := s.tables[release.GenomicVariation].all
	everyOther := roaring.New() // no full block of rows: every variant's carriers are read
	for i := uint32(1); i < scanRows; i += 2 {
		everyOther.Add(i)
	}
	vq := func(v VariantQuery) *VariantQuery {
		v.VariantMinLength, v.VariantMaxLength = -1, -1
		return &v
	}
	ref := "A"
	het := Filter{Kind: OntologyFilter, ID: "GENO:0000458"}
	scoped := func(f Filter, target release.Entity) []scopedRows {
		sr, _, err := s.filterRows(&f, target)
		if err != nil {
			t.Fatal(err)
		}
		return []scopedRows{sr}
	}

	// Interval scans: a positional count (no bitmap) and a match with per-row conditions.
	for name, q := range map[string]Query{
		"position count": {Target: release.GenomicVariation, CountOnly: true, Variant: vq(VariantQuery{ReferenceName: "1", Start: []int64{0}, End: []int64{1 << 40}, ReferenceBases: &ref})},
		"position match": {Target: release.GenomicVariation, Variant: vq(VariantQuery{ReferenceName: "1", Start: []int64{0}, End: []int64{1 << 40}, ReferenceBases: &ref})},
	} {
		q.Budget = tiny()
		var res Result
		checkStopped(t, name, q.Budget, s.EvaluateInto(&q, &res))
	}

	// Carrier scans: moving variants to their carriers, testing candidates' carried variants,
	// testing variants' carriers against a filter.
	b := tiny()
	s.moveRows(release.GenomicVariation, everyOther, release.Biosample, b)
	checkStopped(t, "carriers of variants", b, nil)
	b = tiny()
	s.carryingAny(release.Biosample, s.tables[release.Biosample].all, variantRows, b)
	checkStopped(t, "candidates carrying variants", b, nil)
	b = tiny()
	few := roaring.New()
	few.AddRange(0, scanRows-1) // fewer variants than the filter has individuals
	if _, narrowed := s.narrowVariantsByCarriers(scoped(onto1("NCIT:C16576"), release.GenomicVariation), few, b); narrowed.GetCardinality() >= scanRows-1 {
		t.Errorf("narrowing variants by carriers: %d of %d variants kept, want a stopped scan", narrowed.GetCardinality(), scanRows-1)
	}
	checkStopped(t, "variants carried in a filter", b, nil)

	// Zygosity scans: the calls of many variants, and an anchor's calls on many candidates.
	q := Query{Target: release.Individual, Filters: []Filter{het}}
	sc := scoped(het, release.Individual)
	b = tiny()
	s.zygosityPart(variantRows, s.zygosityFilters(&q, sc), b)
	checkStopped(t, "zygosity calls", b, nil)
	q = Query{Target: release.GenomicVariation, Filters: []Filter{het}, Anchor: &Anchor{Entity: release.Individual, ID: "I0"}, Budget: tiny()}
	sc = scoped(het, release.GenomicVariation)
	s.applyAnchorZygosity(&q, sc, s.zygosityFilters(&q, sc))
	checkStopped(t, "an anchor's zygosity calls", q.Budget, nil)

	// Counts over many datasets: by rank after an intersection, and in words.
	target := s.tables[release.Individual]
	many := make([]uint16, scanRows) // the one dataset, named scanRows times
	small := roaring.New()
	small.AddRange(0, 100)
	for name, parts := range map[string][]*roaring.Bitmap{
		"rank counts":  {target.all, target.all, target.all},
		"dense counts": {small, small.Clone()},
	} {
		var res Result
		b := tiny()
		countOnly(&res, target, parts, many, s.datasets, b)
		checkStopped(t, name, b, nil)
		if len(res.PerDataset) >= len(many) {
			t.Errorf("%s: all %d datasets counted, want a stopped count", name, len(res.PerDataset))
		}
	}

	// With room to spare, the same scans answer in full.
	var res Result
	full := Query{Target: release.GenomicVariation, CountOnly: true, Budget: &Budget{Units: 1 << 40},
		Variant: vq(VariantQuery{ReferenceName: "1", Start: []int64{0}, End: []int64{1 << 40}, ReferenceBases: &ref})}
	if err := s.EvaluateInto(&full, &res); err != nil || res.Total != scanRows {
		t.Errorf("an ample budget: %v, %d variants, want %d", err, res.Total, scanRows)
	}
}

// TestBudgetErrorSticks: once past a bound, every later spend and Err report it, so a scan
// stopped inside a step cannot be followed by an answer.
func TestBudgetErrorSticks(t *testing.T) {
	b := &Budget{Units: 5}
	first := b.Spend(6)
	if limitReason(first) != LimitBudget || b.Spend(0) != first || b.Err() != first {
		t.Errorf("after passing the budget: Spend %v, then %v, Err %v; want the same LimitError", first, b.Spend(0), b.Err())
	}
	var none *Budget
	if none.Err() != nil {
		t.Error("a nil budget has no error")
	}
}

// TestVariantsOfStopsAtTheDeadline: the union of many biosamples' carried variants checks
// the query's budget every unionStep bitmaps, so a query past its deadline stops inside it
// (partial rows, the deadline left in the budget) instead of after the whole union.
func TestVariantsOfStopsAtTheDeadline(t *testing.T) {
	s := scanSnapshot(t)
	bios := s.tables[release.Biosample].all.Clone()
	bios.Remove(0) // biosample 0 carries every variant; each other one its own
	if got := s.variantsOf(bios, nil).GetCardinality(); got != scanRows-1 {
		t.Fatalf("unbounded union: %d variants, want %d", got, scanRows-1)
	}
	if got := s.variantsOf(bios, &Budget{Units: 1 << 40}).GetCardinality(); got != scanRows-1 {
		t.Fatalf("union within its budget: %d variants, want %d", got, scanRows-1)
	}
	b := &Budget{Deadline: time.Now().Add(-time.Second)}
	got := s.variantsOf(bios, b).GetCardinality()
	if r := limitReason(b.Err()); r != LimitDeadline {
		t.Errorf("union past its deadline: error %v, want the deadline's LimitError", b.Err())
	}
	if got > unionStep {
		t.Errorf("union past its deadline: %d variants, want at most %d (the first step)", got, unionStep)
	}
}
