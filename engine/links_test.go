package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// The tiny graph shared by the translate and Evaluate tests. Two datasets reuse the same
// ids, so any link that leaks across datasets shows up.
//
//	D1: I1 ← B1, B2      I2 ← B3      I3 (no biosample)      B4 (no individual)
//	    R1 → B1, I1      R2 → B3 (no individualId)   R3 → B2, I1   R4 → I3 only   R5 → B1, I1
//	    A1 → R1 only     A2 → B3, I2   A3 → R2 only   A4 → B4 only   A5 → B1 (no run)
//	    V1 {B1, B2}  V2 {B3}  V3 {BX: no such biosample}  V4 {B1, BX}  V5 {B4}
//	    dataset D1, cohort C1
//	D2: I1 ← B1, I9;  R1 → B1;  A1 → R1;  V1 {B1};  V6 {B3: exists only in D1}; dataset D2
//
// The ontology: HP:0000118 > HP:0001626 > {HP:0000822, HP:0001635}; HP:0000118 > HP:0009999
// (defined but held by no record); UBERON:0000178 and UBERON:0001836 without parents.

var graphOntology = []release.OntologyTerm{
	{ID: "HP:0000118", Label: "Phenotypic abnormality"},
	{ID: "HP:0001626", Label: "Abnormality of the cardiovascular system", Parents: []string{"HP:0000118"}},
	{ID: "HP:0000822", Label: "Hypertension", Parents: []string{"HP:0001626"}},
	{ID: "HP:0001635", Label: "Congestive heart failure", Parents: []string{"HP:0001626"}},
	{ID: "HP:0009999", Label: "held by nobody", Parents: []string{"HP:0000118"}},
	{ID: "UBERON:0000178", Label: "blood"},
	{ID: "UBERON:0001836", Label: "saliva"},
}

func graphDatasets() []dsData {
	d1 := dsData{id: "D1", assembly: "GRCh38", records: map[release.Entity][]release.Record{
		release.Individual: {
			rec("I1", "NCIT:C16576", "HP:0000822", "age.iso8601duration=P40Y", "measures.value=180"),
			rec("I2", "NCIT:C20197", "HP:0001635", "age.iso8601duration=P25Y", "measures.value=150"),
			rec("I3", "NCIT:C16576", "age.iso8601duration=P70Y", "measures.value=95"),
		},
		release.Biosample: {
			rec("B1", "I:I1", "UBERON:0001836"),
			rec("B2", "I:I1"),
			rec("B3", "I:I2", "UBERON:0000178"),
			rec("B4"),
		},
		release.Run: {
			rec("R1", "B:B1", "I:I1", "UBERON:0000178", "libraryStrategy=WGS"),
			rec("R2", "B:B3", "libraryStrategy=WES"),
			rec("R3", "B:B2", "I:I1", "libraryStrategy=WGS"),
			rec("R4", "I:I3", "libraryStrategy=WGS"),
			rec("R5", "B:B1", "I:I1", "libraryStrategy=WGS"), // a second run of B1
		},
		release.Analysis: {
			rec("A1", "R:R1"),
			rec("A2", "B:B3", "I:I2"),
			rec("A3", "R:R2"),
			rec("A4", "B:B4"),
			rec("A5", "B:B1"), // no runId: belongs to every run of B1
		},
		release.Dataset: {rec("D1")},
		release.Cohort:  {rec("C1")},
	}, variants: []release.Variant{
		variant("V1", "GRCh38", "22", 100, 101, "A", "G", "SNP", "B1", "B2"),
		variant("V2", "GRCh38", "22", 200, 201, "C", "T", "SNP", "B3"),
		variant("V3", "GRCh38", "22", 300, 301, "G", "A", "SNP", "BX"),
		variant("V4", "GRCh38", "22", 400, 402, "AT", "A", "INDEL", "B1", "BX"),
		variant("V5", "GRCh38", "X", 500, 501, "T", "C", "SNP", "B4"),
	}}
	d2 := dsData{id: "D2", assembly: "GRCh38", records: map[release.Entity][]release.Record{
		release.Individual: {
			rec("I1", "NCIT:C20197", "age.iso8601duration=P30Y", "measures.value=170"),
			rec("I9", "NCIT:C16576"),
		},
		release.Biosample: {rec("B1", "I:I1")},
		release.Run:       {rec("R1", "B:B1")},
		release.Analysis:  {rec("A1", "R:R1")},
		release.Dataset:   {rec("D2")},
	}, variants: []release.Variant{
		variant("V1", "GRCh38", "22", 100, 101, "A", "G", "SNP", "B1"),
		variant("V6", "GRCh38", "22", 600, 601, "A", "C", "SNP", "B3"),
	}}
	return []dsData{d1, d2}
}

func variant(id, asm, chrom string, start, end int64, ref, alt, typ string, carriers ...string) release.Variant {
	return release.Variant{
		Record:   release.Record{ID: id},
		Assembly: asm, Chrom: chrom, Start: start, End: end, Ref: ref, Alt: alt, VariantType: typ,
		Carriers: carriers,
	}
}

// graphHub is the expected resolution of every record of the graph to its individual and
// biosample ("" when none), written by hand from the picture above.
var graphHub = map[release.Entity]map[string][2]string{
	release.Individual: {
		"D1/I1": {"I1", ""}, "D1/I2": {"I2", ""}, "D1/I3": {"I3", ""},
		"D2/I1": {"I1", ""}, "D2/I9": {"I9", ""},
	},
	release.Biosample: {
		"D1/B1": {"I1", "B1"}, "D1/B2": {"I1", "B2"}, "D1/B3": {"I2", "B3"}, "D1/B4": {"", "B4"},
		"D2/B1": {"I1", "B1"},
	},
	release.Run: {
		"D1/R1": {"I1", "B1"}, "D1/R2": {"I2", "B3"}, "D1/R3": {"I1", "B2"}, "D1/R4": {"I3", ""}, "D1/R5": {"I1", "B1"},
		"D2/R1": {"I1", "B1"},
	},
	release.Analysis: {
		"D1/A1": {"I1", "B1"}, "D1/A2": {"I2", "B3"}, "D1/A3": {"I2", "B3"}, "D1/A4": {"", "B4"}, "D1/A5": {"I1", "B1"},
		"D2/A1": {"I1", "B1"},
	},
}

// graphAnalysisRun is the runId of the analyses that have one.
var graphAnalysisRun = map[string]string{"D1/A1": "R1", "D1/A3": "R2", "D2/A1": "R1"}

// graphCarriers are the biosamples each variant resolves to (unknown ids dropped, same
// dataset only).
var graphCarriers = map[string][]string{
	"D1/V1": {"B1", "B2"}, "D1/V2": {"B3"}, "D1/V3": nil, "D1/V4": {"B1"}, "D1/V5": {"B4"},
	"D2/V1": {"B1"}, "D2/V6": nil,
}

var graphCollections = map[release.Entity][]string{
	release.Dataset: {"D1/D1", "D2/D2"},
	release.Cohort:  {"D1/C1"},
}

// allKeys lists every record key of an entity in the graph.
func allKeys(e release.Entity) []string {
	var out []string
	switch {
	case e == release.GenomicVariation:
		for k := range graphCarriers {
			out = append(out, k)
		}
	case e.IsCollection():
		out = append(out, graphCollections[e]...)
	default:
		for k := range graphHub[e] {
			out = append(out, k)
		}
	}
	return sortedCopy(out)
}

func dsOf(k string) string { d, _, _ := strings.Cut(k, "/"); return d }

// expectTranslate is the oracle for translate of one record: the documented link semantics
// applied to the hand-written hub table.
func expectTranslate(from release.Entity, k string, to release.Entity) []string {
	if from == to {
		return []string{k}
	}
	ds := dsOf(k)
	var out []string
	if from.IsCollection() || to.IsCollection() {
		for _, x := range allKeys(to) {
			if dsOf(x) == ds {
				out = append(out, x)
			}
		}
		return sortedCopy(out)
	}
	// bios: the biosamples (within ds) the record stands for; inds likewise for individuals.
	var bios []string
	switch from {
	case release.GenomicVariation:
		bios = graphCarriers[k]
	case release.Individual:
		for x, h := range graphHub[release.Biosample] {
			if dsOf(x) == ds && h[0] == graphHub[from][k][0] {
				bios = append(bios, h[1])
			}
		}
	default:
		if b := graphHub[from][k][1]; b != "" {
			bios = []string{b}
		}
	}
	switch {
	case from == release.Run && to == release.Analysis:
		// analysis.runId where present, else the analysis's biosample
		for x, h := range graphHub[to] {
			if dsOf(x) != ds {
				continue
			}
			if r, ok := graphAnalysisRun[x]; ok {
				if ds+"/"+r == k {
					out = append(out, x)
				}
			} else if h[1] != "" && slices.Contains(bios, h[1]) {
				out = append(out, x)
			}
		}
	case from == release.Analysis && to == release.Run:
		if r, ok := graphAnalysisRun[k]; ok {
			out = append(out, ds+"/"+r)
			break
		}
		for x, h := range graphHub[to] {
			if dsOf(x) == ds && h[1] != "" && slices.Contains(bios, h[1]) {
				out = append(out, x)
			}
		}
	case to == release.Individual && from != release.GenomicVariation:
		if i := graphHub[from][k][0]; i != "" {
			out = append(out, ds+"/"+i)
		}
	case to == release.Individual: // variant → carriers' individuals
		for _, b := range bios {
			if i := graphHub[release.Biosample][ds+"/"+b][0]; i != "" {
				out = append(out, ds+"/"+i)
			}
		}
	case from == release.Individual && to != release.GenomicVariation:
		for x, h := range graphHub[to] {
			if dsOf(x) == ds && h[0] == graphHub[from][k][0] {
				out = append(out, x)
			}
		}
	case to == release.GenomicVariation:
		for x, cs := range graphCarriers {
			if dsOf(x) != ds {
				continue
			}
			for _, c := range cs {
				if slices.Contains(bios, c) {
					out = append(out, x)
					break
				}
			}
		}
	default: // to biosample, run or analysis through the biosample
		for x, h := range graphHub[to] {
			if dsOf(x) == ds && h[1] != "" && slices.Contains(bios, h[1]) {
				out = append(out, x)
			}
		}
	}
	return sortedCopy(dedup(out))
}

func dedup(ss []string) []string {
	slices.Sort(ss)
	return slices.Compact(ss)
}

func graphSnapshot(t testing.TB) *Snapshot {
	t.Helper()
	root := t.TempDir()
	writeRelease(t, root, graphOntology, graphDatasets()...)
	return openRelease(t, root)
}

// TestTranslateEveryPair moves every single record of every entity to every other entity
// and compares with the oracle; then every whole table, and the empty set.
func TestTranslateEveryPair(t *testing.T) {
	s := graphSnapshot(t)
	for _, from := range release.Entities {
		for _, to := range release.Entities {
			for _, k := range allKeys(from) {
				got := s.keys(to, s.translate(from, s.rowsOf(t, from, k), to))
				want := expectTranslate(from, k, to)
				if !slices.Equal(got, want) {
					t.Errorf("translate %s %s → %s = %v, want %v", from, k, to, got, want)
				}
			}
			// A set is the union of its members (translate distributes over union).
			var want []string
			for _, k := range allKeys(from) {
				want = append(want, expectTranslate(from, k, to)...)
			}
			want = dedup(want)
			if want == nil {
				want = []string{}
			}
			if got := s.keys(to, s.translate(from, s.rowsOf(t, from, allKeys(from)...), to)); !slices.Equal(got, want) {
				t.Errorf("translate all %s → %s = %v, want %v", from, to, got, want)
			}
			if got := s.translate(from, roaring.New(), to); !got.IsEmpty() {
				t.Errorf("translate empty %s → %s = %v", from, to, s.keys(to, got))
			}
		}
	}
}

// TestTranslateNotableLinks spells out the cases the brief singles out, by hand.
func TestTranslateNotableLinks(t *testing.T) {
	s := graphSnapshot(t)
	cases := []struct {
		from release.Entity
		keys []string
		to   release.Entity
		want []string
	}{
		// An analysis linked only by runId reaches the run's biosample and individual.
		{release.Analysis, []string{"D1/A1"}, release.Individual, []string{"D1/I1"}},
		{release.Analysis, []string{"D1/A1"}, release.Biosample, []string{"D1/B1"}},
		{release.Analysis, []string{"D1/A1"}, release.GenomicVariation, []string{"D1/V1", "D1/V4"}},
		{release.Individual, []string{"D1/I1"}, release.Analysis, []string{"D1/A1", "D1/A5"}},
		// Two runs of B1: each keeps its own analysis, and share A5, which names no run.
		{release.Run, []string{"D1/R1"}, release.Analysis, []string{"D1/A1", "D1/A5"}},
		{release.Run, []string{"D1/R5"}, release.Analysis, []string{"D1/A5"}},
		{release.Analysis, []string{"D1/A1"}, release.Run, []string{"D1/R1"}},
		{release.Analysis, []string{"D1/A5"}, release.Run, []string{"D1/R1", "D1/R5"}},
		{release.Run, []string{"D1/R2"}, release.Analysis, []string{"D1/A2", "D1/A3"}},
		// A3 → R2 → B3 → I2, R2 having no individualId itself.
		{release.Analysis, []string{"D1/A3"}, release.Individual, []string{"D1/I2"}},
		// A run without individualId still reaches its individual through its biosample.
		{release.Run, []string{"D1/R2"}, release.Individual, []string{"D1/I2"}},
		{release.Individual, []string{"D1/I2"}, release.Run, []string{"D1/R2"}},
		// An individual without biosamples has no variants and no biosamples, but its run.
		{release.Individual, []string{"D1/I3"}, release.Biosample, []string{}},
		{release.Individual, []string{"D1/I3"}, release.GenomicVariation, []string{}},
		{release.Individual, []string{"D1/I3"}, release.Run, []string{"D1/R4"}},
		{release.Individual, []string{"D1/I3"}, release.Analysis, []string{}},
		// A carrier id that names no biosample is ignored.
		{release.GenomicVariation, []string{"D1/V3"}, release.Biosample, []string{}},
		{release.GenomicVariation, []string{"D1/V3"}, release.Individual, []string{}},
		{release.GenomicVariation, []string{"D1/V4"}, release.Biosample, []string{"D1/B1"}},
		// A biosample without an individual still has its variants and analyses.
		{release.Biosample, []string{"D1/B4"}, release.GenomicVariation, []string{"D1/V5"}},
		{release.Biosample, []string{"D1/B4"}, release.Individual, []string{}},
		{release.GenomicVariation, []string{"D1/V5"}, release.Analysis, []string{"D1/A4"}},
		// Same ids in two datasets: links stay within each dataset.
		{release.Individual, []string{"D2/I1"}, release.GenomicVariation, []string{"D2/V1"}},
		{release.Individual, []string{"D1/I1"}, release.GenomicVariation, []string{"D1/V1", "D1/V4"}},
		{release.GenomicVariation, []string{"D2/V1"}, release.Individual, []string{"D2/I1"}},
		{release.GenomicVariation, []string{"D2/V6"}, release.Biosample, []string{}}, // B3 is D1's
		{release.Analysis, []string{"D2/A1"}, release.Individual, []string{"D2/I1"}},
		{release.Biosample, []string{"D2/B1"}, release.Run, []string{"D2/R1"}},
		// Collections select their datasets.
		{release.Cohort, []string{"D1/C1"}, release.Individual, []string{"D1/I1", "D1/I2", "D1/I3"}},
		{release.Dataset, []string{"D2/D2"}, release.GenomicVariation, []string{"D2/V1", "D2/V6"}},
		{release.Individual, []string{"D2/I9"}, release.Dataset, []string{"D2/D2"}},
		{release.Individual, []string{"D2/I9"}, release.Cohort, []string{}},
		{release.GenomicVariation, []string{"D1/V3"}, release.Cohort, []string{"D1/C1"}},
	}
	for _, c := range cases {
		got := s.keys(c.to, s.translate(c.from, s.rowsOf(t, c.from, c.keys...), c.to))
		if !slices.Equal(got, c.want) {
			t.Errorf("translate %s %v → %s = %v, want %v", c.from, c.keys, c.to, got, c.want)
		}
	}
}

// TestTranslateDoesNotModifyInput checks that translate leaves its input bitmap alone (the
// callers pass shared index bitmaps).
func TestTranslateDoesNotModifyInput(t *testing.T) {
	s := graphSnapshot(t)
	for _, from := range release.Entities {
		for _, to := range release.Entities {
			in := s.rowsOf(t, from, allKeys(from)...)
			before := in.Clone()
			s.translate(from, in, to)
			if !in.Equals(before) {
				t.Errorf("translate %s → %s modified its input", from, to)
			}
		}
	}
}

// TestTranslateRunAnalysisDirectLink: an analysis names its run (runId); a second run of the
// same biosample is not that analysis's run. /runs/R5/analyses should not list A1, whose
// runId is R1, and /analyses/A1/runs should not list R5.
func TestTranslateRunAnalysisDirectLink(t *testing.T) {
	root := t.TempDir()
	writeRelease(t, root, nil, dsData{id: "D", records: map[release.Entity][]release.Record{
		release.Individual: {rec("I1")},
		release.Biosample:  {rec("B1", "I:I1")},
		release.Run:        {rec("R1", "B:B1", "I:I1"), rec("R5", "B:B1", "I:I1")},
		release.Analysis:   {rec("A1", "R:R1", "B:B1", "I:I1"), rec("A5", "R:R5", "B:B1", "I:I1")},
	}})
	s := openRelease(t, root)
	for _, c := range []struct {
		from release.Entity
		key  string
		to   release.Entity
		want []string
	}{
		{release.Run, "D/R5", release.Analysis, []string{"D/A5"}},
		{release.Run, "D/R1", release.Analysis, []string{"D/A1"}},
		{release.Analysis, "D/A1", release.Run, []string{"D/R1"}},
	} {
		got := s.keys(c.to, s.translate(c.from, s.rowsOf(t, c.from, c.key), c.to))
		if !slices.Equal(got, c.want) {
			t.Errorf("translate %s %s → %s = %v, want %v (analysis.runId is a direct link, not "+
				"the shared biosample)", c.from, c.key, c.to, got, c.want)
		}
	}
}

func ExamplePage() {
	bm := roaring.BitmapOf(2, 4, 6, 8, 10)
	fmt.Println(Page(bm, 1, 2, nil))
	// Output: [4 6]
}
