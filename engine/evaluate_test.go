package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

func onto(id string, desc bool) Filter {
	return Filter{Kind: OntologyFilter, ID: id, IncludeDescendants: desc}
}

func alpha(id, op, value string) Filter {
	return Filter{Kind: AlphanumericFilter, ID: id, Operator: op, Value: value}
}

func TestEvaluateFilters(t *testing.T) {
	s := graphSnapshot(t)
	cases := []struct {
		name     string
		q        Query
		want     []string
		warnings int
	}{
		{"no filter", Query{Target: release.Individual},
			[]string{"D1/I1", "D1/I2", "D1/I3", "D2/I1", "D2/I9"}, 0},
		{"one term", Query{Target: release.Individual, Filters: []Filter{onto("NCIT:C16576", true)}},
			[]string{"D1/I1", "D1/I3", "D2/I9"}, 0},
		{"AND of two terms", Query{Target: release.Individual, Filters: []Filter{
			onto("NCIT:C16576", true), onto("HP:0001626", true)}},
			[]string{"D1/I1"}, 0},
		{"AND of three, term + alphanumeric + other entity", Query{Target: release.Individual, Filters: []Filter{
			onto("NCIT:C16576", true), alpha("age.iso8601duration", "<", "P50Y"), onto("UBERON:0001836", true)}},
			[]string{"D1/I1"}, 0},
		{"AND of disjoint terms", Query{Target: release.Individual, Filters: []Filter{
			onto("NCIT:C16576", true), onto("NCIT:C20197", true)}},
			[]string{}, 0},
		// Descendants: the parent finds both children only when asked to.
		{"parent with descendants", Query{Target: release.Individual, Filters: []Filter{onto("HP:0001626", true)}},
			[]string{"D1/I1", "D1/I2"}, 0},
		{"grandparent with descendants", Query{Target: release.Individual, Filters: []Filter{onto("HP:0000118", true)}},
			[]string{"D1/I1", "D1/I2"}, 0},
		{"parent without descendants", Query{Target: release.Individual, Filters: []Filter{onto("HP:0001626", false)}},
			[]string{}, 0},
		{"leaf without descendants", Query{Target: release.Individual, Filters: []Filter{onto("HP:0000822", false)}},
			[]string{"D1/I1"}, 0},
		{"custom filter never folds", Query{Target: release.Individual, Filters: []Filter{
			{Kind: CustomFilter, ID: "HP:0001626", IncludeDescendants: true}}},
			[]string{}, 0},
		// Scope: the queried entity first, then the first entity (in release.Entities order)
		// that holds the term. UBERON:0000178 is on biosample B3 and on run R1.
		{"scope: not on target, first holder is biosample", Query{Target: release.Individual, Filters: []Filter{
			onto("UBERON:0000178", true)}},
			[]string{"D1/I2"}, 0},
		{"scope: target holds it", Query{Target: release.Run, Filters: []Filter{onto("UBERON:0000178", true)}},
			[]string{"D1/R1"}, 0},
		{"scope: analysis goes to biosample before run", Query{Target: release.Analysis, Filters: []Filter{
			onto("UBERON:0000178", true)}},
			[]string{"D1/A2", "D1/A3"}, 0},
		{"scope: explicit run", Query{Target: release.Analysis, Filters: []Filter{
			{Kind: OntologyFilter, ID: "UBERON:0000178", Scope: release.Run, IncludeDescendants: true}}},
			[]string{"D1/A1", "D1/A5"}, 0}, // R1's own analysis and B1's run-less one
		{"scope: explicit entity that lacks the term", Query{Target: release.Individual, Filters: []Filter{
			{Kind: OntologyFilter, ID: "UBERON:0000178", Scope: release.Individual, IncludeDescendants: true}}},
			[]string{}, 0},
		{"scope: a biosample term on variants", Query{Target: release.GenomicVariation, Filters: []Filter{
			onto("UBERON:0001836", true)}},
			[]string{"D1/V1", "D1/V4"}, 0},
		// Unknown and ontology-only terms.
		{"unknown term warns", Query{Target: release.Individual, Filters: []Filter{onto("XX:0000001", true)}},
			[]string{}, 1},
		{"unknown term ANDed", Query{Target: release.Individual, Filters: []Filter{
			onto("NCIT:C16576", true), onto("XX:0000001", true)}},
			[]string{}, 1},
		{"ontology-known but absent term", Query{Target: release.Individual, Filters: []Filter{onto("HP:0009999", true)}},
			[]string{}, 0},
		{"ontology-known but absent term, no descendants", Query{Target: release.Individual, Filters: []Filter{onto("HP:0009999", false)}},
			[]string{}, 0},
		// Alphanumeric filters.
		{"duration <", Query{Target: release.Individual, Filters: []Filter{alpha("age.iso8601duration", "<", "P40Y")}},
			[]string{"D1/I2", "D2/I1"}, 0},
		{"duration <= in months", Query{Target: release.Individual, Filters: []Filter{alpha("age.iso8601duration", "<=", "P480M")}},
			[]string{"D1/I1", "D1/I2", "D2/I1"}, 0},
		{"number >=", Query{Target: release.Individual, Filters: []Filter{alpha("measures.value", ">=", "150")}},
			[]string{"D1/I1", "D1/I2", "D2/I1"}, 0},
		{"number > is numeric, not text", Query{Target: release.Individual, Filters: []Filter{alpha("measures.value", ">", "100")}},
			[]string{"D1/I1", "D1/I2", "D2/I1"}, 0},
		{"equal", Query{Target: release.Individual, Filters: []Filter{alpha("measures.value", "=", "95")}},
			[]string{"D1/I3"}, 0},
		{"default operator is =", Query{Target: release.Individual, Filters: []Filter{alpha("measures.value", "", "95.0")}},
			[]string{"D1/I3"}, 0},
		{"not: rows without the value too", Query{Target: release.Individual, Filters: []Filter{alpha("measures.value", "!", "95")}},
			[]string{"D1/I1", "D1/I2", "D2/I1", "D2/I9"}, 0},
		{"wildcard on another entity", Query{Target: release.Individual, Filters: []Filter{alpha("libraryStrategy", "=", "%ES")}},
			[]string{"D1/I2"}, 0},
		{"alphanumeric target first", Query{Target: release.Run, Filters: []Filter{alpha("libraryStrategy", "=", "WGS")}},
			[]string{"D1/R1", "D1/R3", "D1/R4", "D1/R5"}, 0},
		{"unknown field warns", Query{Target: release.Individual, Filters: []Filter{alpha("no.such.field", "=", "1")}},
			[]string{}, 1},
		// Filters with variants and anchors.
		{"term AND variant", Query{Target: release.Individual,
			Filters: []Filter{onto("NCIT:C16576", true)},
			Variant: &VariantQuery{ReferenceName: "22", Start: []int64{0}, End: []int64{1000}, VariantMinLength: -1, VariantMaxLength: -1}},
			[]string{"D1/I1"}, 0},
		{"variant on individuals", Query{Target: release.Individual,
			Variant: &VariantQuery{ReferenceName: "22", Start: []int64{150}, End: []int64{250}, VariantMinLength: -1, VariantMaxLength: -1}},
			[]string{"D1/I2"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, res := evalKeys(t, s, &c.q)
			if !slices.Equal(got, c.want) {
				t.Errorf("rows = %v, want %v", got, c.want)
			}
			if len(res.Warnings) != c.warnings {
				t.Errorf("warnings = %q, want %d", res.Warnings, c.warnings)
			}
			if res.Total != uint64(len(c.want)) {
				t.Errorf("Total = %d, want %d", res.Total, len(c.want))
			}
			var sum uint64
			for _, d := range res.PerDataset {
				sum += d.Count
				if d.Count != d.Rows.GetCardinality() {
					t.Errorf("dataset %s: Count %d, rows %d", d.DatasetID, d.Count, d.Rows.GetCardinality())
				}
				for _, k := range s.keys(c.q.Target, d.Rows) {
					if !strings.HasPrefix(k, d.DatasetID+"/") {
						t.Errorf("dataset %s holds row %s", d.DatasetID, k)
					}
				}
			}
			if sum != res.Total {
				t.Errorf("per-dataset counts sum to %d, Total %d", sum, res.Total)
			}
		})
	}
}

func TestEvaluateWarningText(t *testing.T) {
	s := graphSnapshot(t)
	_, res := evalKeys(t, s, &Query{Target: release.Individual, Filters: []Filter{onto("XX:0000001", true), alpha("nope", "=", "x")}})
	if len(res.Warnings) != 2 || !strings.Contains(res.Warnings[0], "XX:0000001") || !strings.Contains(res.Warnings[1], "nope") {
		t.Errorf("warnings = %q, want one naming XX:0000001 and one naming nope", res.Warnings)
	}
}

func TestEvaluateErrors(t *testing.T) {
	s := graphSnapshot(t)
	cases := map[string]Query{
		"bad operator":     {Target: release.Individual, Filters: []Filter{alpha("measures.value", "~", "1")}},
		"bad operator 2":   {Target: release.Individual, Filters: []Filter{alpha("measures.value", "=<", "1")}},
		"empty filter id":  {Target: release.Individual, Filters: []Filter{onto("", true)}},
		"unknown scope":    {Target: release.Individual, Filters: []Filter{{ID: "NCIT:C16576", Scope: "patient"}}},
		"unknown entity":   {Target: "patient"},
		"bad variant":      {Target: release.GenomicVariation, Variant: &VariantQuery{Start: []int64{1}, VariantMinLength: -1, VariantMaxLength: -1}},
		"bad chromosome":   {Target: release.GenomicVariation, Variant: &VariantQuery{ReferenceName: "chr23", Start: []int64{1}, End: []int64{2}, VariantMinLength: -1, VariantMaxLength: -1}},
		"refseq/assembly":  {Target: release.GenomicVariation, Variant: &VariantQuery{AssemblyID: "GRCh38", ReferenceName: "NC_000022.10", Start: []int64{1}, End: []int64{2}, VariantMinLength: -1, VariantMaxLength: -1}},
		"min > max length": {Target: release.GenomicVariation, Variant: &VariantQuery{ReferenceName: "22", Start: []int64{1}, End: []int64{2}, VariantMinLength: 5, VariantMaxLength: 2}},
	}
	for name, q := range cases {
		res, err := s.Evaluate(&q)
		if err == nil {
			t.Errorf("%s: no error (total %d)", name, res.Total)
			continue
		}
		if !IsQueryError(err) {
			t.Errorf("%s: error %v is not a QueryError", name, err)
		}
	}
}

func TestEvaluateDatasets(t *testing.T) {
	s := graphSnapshot(t)
	// All datasets, in manifest order, with a result set even when empty.
	_, res := evalKeys(t, s, &Query{Target: release.Individual, Filters: []Filter{onto("HP:0001626", true)}})
	if len(res.PerDataset) != 2 || res.PerDataset[0].DatasetID != "D1" || res.PerDataset[1].DatasetID != "D2" {
		t.Fatalf("PerDataset = %+v, want D1 and D2", res.PerDataset)
	}
	if res.PerDataset[0].Count != 2 || res.PerDataset[1].Count != 0 {
		t.Errorf("counts = %d, %d, want 2, 0", res.PerDataset[0].Count, res.PerDataset[1].Count)
	}
	// Restricted to D2: the result sets, the total and Rows hold D2's records only.
	got, res := evalKeys(t, s, &Query{Target: release.Individual, DatasetIDs: []string{"D2"}})
	if len(res.PerDataset) != 1 || res.PerDataset[0].DatasetID != "D2" || res.Total != 2 {
		t.Errorf("D2 only: PerDataset %+v, Total %d; want D2 with 2", res.PerDataset, res.Total)
	}
	if want := []string{"D2/I1", "D2/I9"}; !slices.Equal(got, want) {
		t.Errorf("D2 only: Rows %v, want %v", got, want)
	}
	// An unknown dataset is skipped with a warning (networks send every id to every member);
	// naming only unknown ones leaves no dataset to answer from.
	got, res = evalKeys(t, s, &Query{Target: release.Individual, DatasetIDs: []string{"D3", "D2", "D4"}})
	if want := []string{"D2/I1", "D2/I9"}; !slices.Equal(got, want) || len(res.PerDataset) != 1 || len(res.Warnings) != 1 ||
		!strings.Contains(res.Warnings[0], "'D3', 'D4'") {
		t.Errorf("D3,D2,D4: rows %v, %d result sets, warnings %q; want D2's and one warning naming D3 and D4", got, len(res.PerDataset), res.Warnings)
	}
	got, res = evalKeys(t, s, &Query{Target: release.Individual, DatasetIDs: []string{"D3"}})
	if len(got) != 0 || len(res.PerDataset) != 0 || res.Total != 0 || len(res.Warnings) != 1 {
		t.Errorf("D3 only: rows %v, %d result sets, total %d, warnings %q; want none and a warning", got, len(res.PerDataset), res.Total, res.Warnings)
	}
	// Several datasets, in any order, and a repeated one.
	_, res = evalKeys(t, s, &Query{Target: release.Individual, DatasetIDs: []string{"D2", "D1"}})
	if res.Total != 5 || len(res.PerDataset) != 2 {
		t.Errorf("D2,D1: Total %d, %d result sets; want 5 in 2", res.Total, len(res.PerDataset))
	}
	for _, ds := range res.PerDataset {
		for _, k := range s.keys(release.Individual, ds.Rows) {
			if !strings.HasPrefix(k, ds.DatasetID+"/") {
				t.Errorf("%s result set holds %s", ds.DatasetID, k)
			}
		}
	}
	// Restricted to D1 for variants.
	_, res = evalKeys(t, s, &Query{Target: release.GenomicVariation, DatasetIDs: []string{"D1"}})
	if res.Total != 5 {
		t.Errorf("D1 variants: Total %d, want 5", res.Total)
	}
	// A dataset filter (collection) selects that dataset's records.
	got, _ = evalKeys(t, s, &Query{Target: release.Individual, Anchor: &Anchor{Entity: release.Dataset, ID: "D2"}})
	if want := []string{"D2/I1", "D2/I9"}; !slices.Equal(got, want) {
		t.Errorf("/datasets/D2/individuals = %v, want %v", got, want)
	}
	got, _ = evalKeys(t, s, &Query{Target: release.Individual, Anchor: &Anchor{Entity: release.Cohort, ID: "C1"}})
	if want := []string{"D1/I1", "D1/I2", "D1/I3"}; !slices.Equal(got, want) {
		t.Errorf("/cohorts/C1/individuals = %v, want %v", got, want)
	}
	if ds := s.CohortDatasets("C1"); !slices.Equal(ds, []string{"D1"}) {
		t.Errorf("CohortDatasets(C1) = %v", ds)
	}
	if !s.HasDataset("D2") || s.HasDataset("D3") {
		t.Errorf("HasDataset wrong")
	}
}

func TestEvaluateAnchor(t *testing.T) {
	s := graphSnapshot(t)
	cases := []struct {
		name string
		q    Query
		want []string
	}{
		{"single entry: same id in two datasets", Query{Target: release.Individual, Anchor: &Anchor{Entity: release.Individual, ID: "I1"}},
			[]string{"D1/I1", "D2/I1"}},
		{"single entry restricted to a dataset", Query{Target: release.Individual, DatasetIDs: []string{"D1"}, Anchor: &Anchor{Entity: release.Individual, ID: "I1"}},
			[]string{"D1/I1"}},
		{"single entry unknown id", Query{Target: release.Individual, Anchor: &Anchor{Entity: release.Individual, ID: "nobody"}},
			[]string{}},
		{"single entry AND filter", Query{Target: release.Individual, Anchor: &Anchor{Entity: release.Individual, ID: "I1"},
			Filters: []Filter{onto("NCIT:C16576", true)}},
			[]string{"D1/I1"}},
		{"cross entry: individual's variants", Query{Target: release.GenomicVariation, Anchor: &Anchor{Entity: release.Individual, ID: "I1"}},
			[]string{"D1/V1", "D1/V4", "D2/V1"}},
		{"cross entry with a variant range", Query{Target: release.GenomicVariation, Anchor: &Anchor{Entity: release.Individual, ID: "I1"},
			Variant: &VariantQuery{ReferenceName: "22", Start: []int64{350}, End: []int64{1000}, VariantMinLength: -1, VariantMaxLength: -1}},
			[]string{"D1/V4"}},
		{"cross entry: variant's individuals", Query{Target: release.Individual, Anchor: &Anchor{Entity: release.GenomicVariation, ID: "V1"}},
			[]string{"D1/I1", "D2/I1"}},
		{"cross entry: variant's biosamples", Query{Target: release.Biosample, Anchor: &Anchor{Entity: release.GenomicVariation, ID: "V1"}},
			[]string{"D1/B1", "D1/B2", "D2/B1"}},
		{"cross entry: biosample's runs", Query{Target: release.Run, Anchor: &Anchor{Entity: release.Biosample, ID: "B3"}},
			[]string{"D1/R2"}},
		{"cross entry: run's analyses via runId", Query{Target: release.Analysis, Anchor: &Anchor{Entity: release.Run, ID: "R1"}},
			[]string{"D1/A1", "D1/A5", "D2/A1"}},
		{"cross entry to unknown id", Query{Target: release.GenomicVariation, Anchor: &Anchor{Entity: release.Individual, ID: "nobody"}},
			[]string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, res := evalKeys(t, s, &c.q)
			if !slices.Equal(got, c.want) {
				t.Errorf("rows = %v, want %v", got, c.want)
			}
			var inAllowed []string
			for _, d := range res.PerDataset {
				inAllowed = append(inAllowed, s.keys(c.q.Target, d.Rows)...)
			}
			if inAllowed == nil {
				inAllowed = []string{}
			}
			if !slices.Equal(sortedCopy(inAllowed), c.want) {
				t.Errorf("rows of the allowed datasets = %v, want %v", inAllowed, c.want)
			}
		})
	}
}

// TestEvaluateMissingEntity: a release without cohorts answers cohort queries with empty
// result sets, one per dataset.
func TestEvaluateMissingEntity(t *testing.T) {
	root := t.TempDir()
	writeRelease(t, root, nil, dsData{id: "only", records: map[release.Entity][]release.Record{
		release.Individual: {rec("I1")},
	}})
	s := openRelease(t, root)
	for _, e := range []release.Entity{release.Cohort, release.GenomicVariation, release.Run} {
		res, err := s.Evaluate(&Query{Target: e})
		if err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		if res.Total != 0 || !res.Rows.IsEmpty() || len(res.PerDataset) != 1 {
			t.Errorf("%s: %+v, want empty with one dataset", e, res)
		}
	}
	// A variant query on a release without variants is empty, not an error.
	res, err := s.Evaluate(&Query{Target: release.Individual, Variant: &VariantQuery{ReferenceName: "1", Start: []int64{0}, End: []int64{10}, VariantMinLength: -1, VariantMaxLength: -1}})
	if err != nil || res.Total != 0 {
		t.Errorf("variant query without variants: %v, %v", res, err)
	}
	if got := s.Count(release.Individual); got != 1 {
		t.Errorf("Count = %d", got)
	}
}

func TestEvaluateDoesNotModifyIndexes(t *testing.T) {
	s := graphSnapshot(t)
	q := Query{Target: release.Individual, Filters: []Filter{onto("NCIT:C16576", true)}}
	first, _ := evalKeys(t, s, &q)
	res, _ := s.Evaluate(&q)
	res.Rows.Clear()
	for _, d := range res.PerDataset {
		d.Rows.Clear()
	}
	if again, _ := evalKeys(t, s, &q); !slices.Equal(first, again) {
		t.Errorf("after clearing a result the same query gives %v, first %v", again, first)
	}
	if got, _ := evalKeys(t, s, &Query{Target: release.Individual}); len(got) != 5 {
		t.Errorf("all individuals after clearing results: %v", got)
	}
}

func TestRecordJSON(t *testing.T) {
	s := graphSnapshot(t)
	row := s.rowsOf(t, release.Individual, "D2/I9").Minimum()
	if got := string(s.RecordJSON(release.Individual, row)); got != `{"id":"I9"}` {
		t.Errorf("RecordJSON = %s", got)
	}
	if s.RecordJSON(release.Individual, 1000) != nil || s.RecordJSON("patient", 0) != nil {
		t.Errorf("RecordJSON out of range is not nil")
	}
	if s.Label("HP:0000822") != "Hypertension" {
		t.Errorf("Label = %q", s.Label("HP:0000822"))
	}
}

func TestPage(t *testing.T) {
	bm := roaring.BitmapOf(3, 5, 7, 9, 11, 100000, 100002)
	n := int(bm.GetCardinality())
	all := bm.ToArray()
	cases := []struct {
		offset, limit int
		want          []uint32
	}{
		{0, 3, all[:3]},
		{0, 100, all},
		{2, 2, all[2:4]},
		{5, 10, all[5:]},
		{n - 1, 10, all[n-1:]},
		{n, 10, []uint32{}},      // exactly at the end
		{n + 5, 10, []uint32{}},  // past the end
		{1 << 40, 1, []uint32{}}, // far past the end (overflow of the uint32 Select)
		{0, 0, []uint32{}},       // limit 0
		{3, 0, []uint32{}},
		{0, -1, []uint32{}},
		{-1, 5, []uint32{}},
	}
	for _, c := range cases {
		got := Page(bm, c.offset, c.limit, nil)
		if !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("Page(offset %d, limit %d) = %v, want %v", c.offset, c.limit, got, c.want)
		}
	}
	if got := Page(roaring.New(), 0, 10, nil); len(got) != 0 {
		t.Errorf("Page of empty = %v", got)
	}
	// dst is reused, not appended to.
	buf := make([]uint32, 0, 8)
	buf = Page(bm, 0, 2, buf)
	buf = Page(bm, 4, 2, buf)
	if !slices.Equal(buf, all[4:6]) {
		t.Errorf("reused dst = %v, want %v", buf, all[4:6])
	}
	// Every (offset, limit) pair against slicing.
	for off := 0; off <= n+1; off++ {
		for lim := 0; lim <= n+1; lim++ {
			got := Page(bm, off, lim, nil)
			lo, hi := min(off, n), min(off+lim, n)
			if lim == 0 {
				hi = lo
			}
			if !slices.Equal(got, all[lo:hi]) && !(len(got) == 0 && hi == lo) {
				t.Errorf("Page(%d, %d) = %v, want %v", off, lim, got, all[lo:hi])
			}
		}
	}
}

// TestScopeWithoutDescendants: with includeDescendantTerms false, an entity that holds only
// descendants of the term does not hold the term, so the scope search must go on to the
// entity that holds it exactly (docs/architecture.md: "applies to the queried entity if that
// entity holds the term ..., else to the first entity that does").
func TestScopeWithoutDescendants(t *testing.T) {
	root := t.TempDir()
	writeRelease(t, root, graphOntology, dsData{id: "D", records: map[release.Entity][]release.Record{
		// I1 holds a child of HP:0001626; I2's biosample holds HP:0001626 itself.
		release.Individual: {rec("I1", "HP:0000822"), rec("I2")},
		release.Biosample:  {rec("B1", "I:I1"), rec("B2", "I:I2", "HP:0001626")},
	}})
	s := openRelease(t, root)
	got, res := evalKeys(t, s, &Query{Target: release.Individual, Filters: []Filter{onto("HP:0001626", false)}})
	if want := []string{"D/I2"}; !slices.Equal(got, want) {
		t.Errorf("HP:0001626 without descendants on individuals = %v (warnings %q), want %v: the "+
			"individual table holds only a descendant, so the biosample that holds the term itself "+
			"is the scope", got, res.Warnings, want)
	}
	// With descendants the individual table holds the term (through I1's child term).
	got, _ = evalKeys(t, s, &Query{Target: release.Individual, Filters: []Filter{onto("HP:0001626", true)}})
	if want := []string{"D/I1"}; !slices.Equal(got, want) {
		t.Errorf("HP:0001626 with descendants = %v, want %v", got, want)
	}
}

// TestPerDatasetOnceEach: a dataset named twice in DatasetIDs is still one result set and
// its records are counted once ("one entry per dataset ... that the query was allowed to
// see", datasets.go). The API deduplicates datasetIds itself, so only other callers of the
// engine (the query command, future front ends) meet this.
func TestPerDatasetOnceEach(t *testing.T) {
	s := graphSnapshot(t)
	res, err := s.Evaluate(&Query{Target: release.Individual, DatasetIDs: []string{"D1", "D1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.PerDataset) != 1 || res.Total != 3 {
		t.Errorf("DatasetIDs [D1 D1]: %d result sets, Total %d; want 1 result set, Total 3 "+
			"(allowedDatasets keeps repetitions, so Total counts D1's records twice)", len(res.PerDataset), res.Total)
	}
}

// TestPerDatasetManifestOrder: Result.PerDataset is documented as "in manifest order".
func TestPerDatasetManifestOrder(t *testing.T) {
	s := graphSnapshot(t)
	res, err := s.Evaluate(&Query{Target: release.Individual, DatasetIDs: []string{"D2", "D1"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range res.PerDataset {
		got = append(got, d.DatasetID)
	}
	if !slices.Equal(got, []string{"D1", "D2"}) || res.Total != 5 {
		t.Errorf("DatasetIDs [D2 D1]: result sets %v (Total %d), want [D1 D2] as the Result doc "+
			"says (allowedDatasets keeps the request's order)", got, res.Total)
	}
}

// TestEvaluateConcurrent runs the filter cases from several goroutines (meaningful with
// -race: the ontology closures are memoised lazily).
func TestEvaluateConcurrent(t *testing.T) {
	s := graphSnapshot(t)
	qs := []Query{
		{Target: release.Individual, Filters: []Filter{onto("HP:0000118", true)}},
		{Target: release.Individual, Filters: []Filter{onto("HP:0009999", true), onto("NCIT:C16576", false)}},
		{Target: release.Analysis, Filters: []Filter{onto("UBERON:0000178", true), alpha("measures.value", ">", "100")}},
		{Target: release.GenomicVariation, Anchor: &Anchor{Entity: release.Individual, ID: "I1"}},
		{Target: release.Run, Anchor: &Anchor{Entity: release.Analysis, ID: "A5"}},
	}
	want := make([][]string, len(qs))
	for i := range qs {
		want[i], _ = evalKeys(t, s, &qs[i])
	}
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for n := range 200 {
				i := (g + n) % len(qs)
				res, err := s.Evaluate(&qs[i])
				if err != nil {
					t.Error(err)
					return
				}
				if got := s.keys(qs[i].Target, res.Rows); !slices.Equal(got, want[i]) {
					t.Errorf("query %d concurrently: %v, want %v", i, got, want[i])
					return
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}
