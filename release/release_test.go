package release

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

func testRecord(e Entity, ds string, i int) *Record {
	r := &Record{
		ID:        fmt.Sprintf("%s-%d", e, i),
		DatasetID: ds,
		Fields:    []Field{{Path: "sex.id", Value: "NCIT:C20197"}, {Path: "measures.value", Value: fmt.Sprint(i)}},
		JSON:      []byte(fmt.Sprintf(`{"id":"%s-%d"}`, e, i)),
	}
	if i%3 != 0 {
		r.Terms = []string{"NCIT:C20197", fmt.Sprintf("HP:%07d", i)}
	}
	if e != Individual {
		r.IndividualID = fmt.Sprintf("ind-%d", i)
	}
	if i%2 == 0 {
		r.BiosampleID = fmt.Sprintf("bio-%d", i)
		r.RunID = "run-ü"
	}
	return r
}

func testVariant(ds string, i int) *Variant {
	v := &Variant{
		Record:      Record{ID: fmt.Sprintf("var-%d", i), DatasetID: ds, JSON: []byte(fmt.Sprintf(`{"variantInternalId":"var-%d"}`, i))},
		Assembly:    GRCh37,
		Chrom:       "22",
		Start:       int64(16050074 + i),
		End:         int64(16050075 + i),
		Ref:         "A",
		Alt:         "G",
		VariantType: "SNP",
	}
	if i%5 == 0 {
		v.GeneIDs = []string{"DUXAP8"}
		v.AminoacidChanges = []string{"V600E"}
		v.HGVSIDs = []string{fmt.Sprintf("22:g.%dA>G", 16050075+i)}
		v.Terms = []string{"GENO:0000458"}
	}
	switch {
	case i%2 == 0:
		// Carriers as bitmaps over the sample list of writeDataset.
		v.CarrierBits = roaring.BitmapOf(0, 1)
		v.Zygosity = []ZygositySet{{ID: "GENO:0000458", Label: "simple heterozygous", Bits: roaring.BitmapOf(0)}}
		v.CaseLevelFromCarriers = i%4 == 0
	case i%6 == 1:
		// Carriers as lists (the BFF path): one id of the sample list, one new.
		v.Carriers = []string{fmt.Sprintf("NEW-%d", i%5), "HG00098"}
		v.CarrierZygosity = []ZygosityTerm{{ID: "GENO:0000136", Label: "homozygous"}, {}}
	}
	return v
}

// testSamples is the sample list writeDataset sets.
var testSamples = []string{"HG00096", "HG00097", "HG00098"}

// carrierView lists the carriers of a variant by sample id, in sample-index order, with the
// zygosity of each, from either form.
func carrierView(t testing.TB, v *Variant, samples []string) ([]string, []ZygosityTerm) {
	t.Helper()
	if v.CarrierBits == nil {
		if len(v.Carriers) == 0 {
			return nil, nil
		}
		// Lists: ordered as the writer numbers them (ids of the sample list first).
		type pair struct {
			id string
			z  ZygosityTerm
		}
		var ps []pair
		for i, id := range v.Carriers {
			var z ZygosityTerm
			if len(v.CarrierZygosity) > 0 {
				z = v.CarrierZygosity[i]
			}
			ps = append(ps, pair{id, z})
		}
		idx := func(id string) int {
			if i := slices.Index(samples, id); i >= 0 {
				return i
			}
			return 1 << 30
		}
		slices.SortStableFunc(ps, func(a, b pair) int { return idx(a.id) - idx(b.id) })
		var ids []string
		var zs []ZygosityTerm
		for _, p := range ps {
			ids, zs = append(ids, p.id), append(zs, p.z)
		}
		return ids, zs
	}
	var ids []string
	var zs []ZygosityTerm
	v.CarrierBits.Iterate(func(x uint32) bool {
		if int(x) >= len(samples) {
			t.Fatalf("variant %s: sample %d of %d", v.ID, x, len(samples))
		}
		ids = append(ids, samples[x])
		var z ZygosityTerm
		for _, s := range v.Zygosity {
			if s.Bits.Contains(x) {
				z = ZygosityTerm{s.ID, s.Label}
			}
		}
		zs = append(zs, z)
		return true
	})
	return ids, zs
}

// sameVariant compares a variant read back with the one written (before the writer converted
// its carrier lists).
func sameVariant(t testing.TB, got, want *Variant, samples []string) error {
	t.Helper()
	gi, gz := carrierView(t, got, samples)
	wi, wz := carrierView(t, want, testSamples)
	if !slices.Equal(gi, wi) || !slices.Equal(gz, wz) {
		return fmt.Errorf("variant %s: carriers %v %v, want %v %v", want.ID, gi, gz, wi, wz)
	}
	g, w := *got, *want
	g.CarrierBits, g.Zygosity, w.CarrierBits, w.Zygosity = nil, nil, nil, nil
	w.Carriers, w.CarrierZygosity = nil, nil
	if !reflect.DeepEqual(g, w) {
		return fmt.Errorf("got %+v, want %+v", g, w)
	}
	return nil
}

func writeDataset(t *testing.T, w *Writer, ds string, nRec, nVar int) {
	t.Helper()
	d, err := w.Dataset(ds, "hg19")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range Entities {
		if e == GenomicVariation {
			continue
		}
		for i := 0; i < nRec; i++ {
			if err := d.WriteRecord(e, testRecord(e, ds, i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if nVar > 0 {
		if err := d.SetSamples(testSamples); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < nVar; i++ {
		if err := d.WriteVariant(testVariant(ds, i)); err != nil {
			t.Fatal(err)
		}
	}
}

func mustCommit(t *testing.T, w *Writer) *Manifest {
	t.Helper()
	m, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func checkDataset(t *testing.T, r *Reader, ds string, nRec, nVar int) {
	t.Helper()
	for _, e := range Entities {
		if e == GenomicVariation {
			continue
		}
		i := 0
		err := r.ReadRecords(ds, e, func(got *Record) error {
			if want := testRecord(e, ds, i); !reflect.DeepEqual(got, want) {
				return fmt.Errorf("%s %d: got %+v, want %+v", e, i, got, want)
			}
			i++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if i != nRec {
			t.Fatalf("%s %s: read %d records, want %d", ds, e, i, nRec)
		}
	}
	samples, err := r.ReadSamples(ds)
	if err != nil {
		t.Fatal(err)
	}
	if nVar == 0 && samples != nil || nVar > 0 && (len(samples) < len(testSamples) || !slices.Equal(samples[:len(testSamples)], testSamples)) {
		t.Fatalf("%s: samples %v", ds, samples)
	}
	// Ids the carrier lists named were appended once each, in the order first seen.
	for i, id := range samples {
		if slices.Index(samples, id) != i {
			t.Fatalf("%s: sample %q twice: %v", ds, id, samples)
		}
	}
	if nVar > 7 && !slices.Equal(samples[len(testSamples):min(len(samples), 5)], []string{"NEW-1", "NEW-2"}) {
		t.Fatalf("%s: samples %v", ds, samples)
	}
	i := 0
	var kept []*Variant
	err = r.ReadVariants(ds, func(got *Variant) error {
		if err := sameVariant(t, got, testVariant(ds, i), samples); err != nil {
			return fmt.Errorf("variant %d: %w", i, err)
		}
		kept = append(kept, got)
		i++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if i != nVar {
		t.Fatalf("%s: read %d variants, want %d", ds, i, nVar)
	}
	// Values handed out are fresh: they must still be intact after the whole scan.
	for i, v := range kept {
		if err := sameVariant(t, v, testVariant(ds, i), samples); err != nil {
			t.Fatalf("variant %d changed after the scan: %v", i, err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	root := t.TempDir()
	w, err := Create(root)
	if err != nil {
		t.Fatal(err)
	}
	// Enough variants for two row groups.
	const nRec, nVar = 257, rowGroupRows + 1000
	writeDataset(t, w, "ds1", nRec, nVar)
	w.AddOntologyTerms([]OntologyTerm{
		{ID: "GENO:0000458", Label: "simple heterozygous", Parents: []string{"GENO:0000135"}},
		{ID: "GENO:0000135", Label: "heterozygous", Parents: []string{"GENO:0000391"}},
		{ID: "GENO:0000458", Parents: []string{"GENO:0000135", "GENO:0000999"}},
	})
	m := mustCommit(t, w)
	if m.ReleaseID != "000001" || len(m.Datasets) != 1 || m.Datasets[0].Assembly != GRCh37 {
		t.Fatalf("manifest: %+v", m)
	}
	if got := m.Datasets[0].Rows[GenomicVariation]; got != nVar {
		t.Fatalf("rows: %d", got)
	}
	if err := w.Abort(); err != nil {
		t.Fatalf("Abort after Commit: %v", err)
	}
	cur, _ := os.ReadFile(filepath.Join(root, "CURRENT"))
	if string(cur) != "000001\n" {
		t.Fatalf("CURRENT = %q", cur)
	}
	r, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	checkDataset(t, r, "ds1", nRec, nVar)
	var terms []OntologyTerm
	if err := r.ReadOntology(func(o *OntologyTerm) error { terms = append(terms, *o); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []OntologyTerm{
		{ID: "GENO:0000135", Label: "heterozygous", Parents: []string{"GENO:0000391"}},
		{ID: "GENO:0000458", Label: "simple heterozygous", Parents: []string{"GENO:0000135", "GENO:0000999"}},
	}
	if !reflect.DeepEqual(terms, want) {
		t.Fatalf("ontology: %+v", terms)
	}
	if err := r.ReadRecords("nope", Individual, func(*Record) error { return nil }); err == nil {
		t.Fatal("unknown dataset: no error")
	}
	// Opening the release directory itself works too.
	r2, err := Open(r.Dir())
	if err != nil || r2.Manifest().ReleaseID != "000001" {
		t.Fatalf("Open(dir): %v", err)
	}
}

func TestMissingEntityFile(t *testing.T) {
	root := t.TempDir()
	w, err := Create(root)
	if err != nil {
		t.Fatal(err)
	}
	d, err := w.Dataset("only-individuals", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.WriteRecord(Individual, testRecord(Individual, "only-individuals", 1)); err != nil {
		t.Fatal(err)
	}
	m := mustCommit(t, w)
	if m.OntologyFile != "" || len(m.Datasets[0].Files) != 1 {
		t.Fatalf("manifest: %+v", m)
	}
	r, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	if err := r.ReadVariants("only-individuals", func(*Variant) error { calls++; return nil }); err != nil || calls != 0 {
		t.Fatalf("ReadVariants: %v, %d calls", err, calls)
	}
	if err := r.ReadRecords("only-individuals", Run, func(*Record) error { calls++; return nil }); err != nil || calls != 0 {
		t.Fatalf("ReadRecords: %v, %d calls", err, calls)
	}
	if err := r.ReadOntology(func(*OntologyTerm) error { calls++; return nil }); err != nil || calls != 0 {
		t.Fatalf("ReadOntology: %v, %d calls", err, calls)
	}
}

func TestCarryOverAndReplace(t *testing.T) {
	root := t.TempDir()
	w, _ := Create(root)
	writeDataset(t, w, "a", 10, 20)
	w.AddOntologyTerms([]OntologyTerm{{ID: "X:1", Label: "one", Parents: []string{"X:0"}}})
	mustCommit(t, w)

	w, err := Create(root)
	if err != nil {
		t.Fatal(err)
	}
	writeDataset(t, w, "b", 5, 7)
	m2 := mustCommit(t, w)
	if m2.ReleaseID != "000002" || len(m2.Datasets) != 2 || m2.OntologyFile == "" {
		t.Fatalf("manifest 2: %+v", m2)
	}
	r, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	checkDataset(t, r, "a", 10, 20)
	checkDataset(t, r, "b", 5, 7)
	// Carried-over files are hard links of the previous release's files.
	a1 := filepath.Join(root, "releases", "000001", "a", "individual.parquet")
	a2 := filepath.Join(root, "releases", "000002", "a", "individual.parquet")
	s1, _ := os.Stat(a1)
	s2, err := os.Stat(a2)
	if err != nil || !os.SameFile(s1, s2) {
		t.Fatalf("a not hard-linked: %v", err)
	}

	// Replace a with fewer records and extend the ontology.
	w, _ = Create(root)
	writeDataset(t, w, "a", 3, 4)
	w.AddOntologyTerms([]OntologyTerm{{ID: "X:1", Parents: []string{"X:9"}}, {ID: "X:2", Label: "two"}})
	m3 := mustCommit(t, w)
	if len(m3.Datasets) != 2 {
		t.Fatalf("manifest 3: %+v", m3)
	}
	r, err = Open(root)
	if err != nil {
		t.Fatal(err)
	}
	checkDataset(t, r, "a", 3, 4)
	checkDataset(t, r, "b", 5, 7)
	var terms []OntologyTerm
	r.ReadOntology(func(o *OntologyTerm) error { terms = append(terms, *o); return nil })
	want := []OntologyTerm{{ID: "X:1", Label: "one", Parents: []string{"X:0", "X:9"}}, {ID: "X:2", Label: "two"}}
	if !reflect.DeepEqual(terms, want) {
		t.Fatalf("merged ontology: %+v", terms)
	}
	// Older releases stay intact and openable.
	if old, err := Open(filepath.Join(root, "releases", "000001")); err != nil {
		t.Fatal(err)
	} else {
		checkDataset(t, old, "a", 10, 20)
	}
}

func TestOpenDetectsCorruption(t *testing.T) {
	for _, mode := range []string{"flip", "truncate", "remove"} {
		t.Run(mode, func(t *testing.T) {
			root := t.TempDir()
			w, _ := Create(root)
			writeDataset(t, w, "ds", 20, 20)
			mustCommit(t, w)
			p := filepath.Join(root, "releases", "000001", "ds", "biosample.parquet")
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			os.Chmod(p, 0o644)
			switch mode {
			case "flip":
				b[len(b)/2] ^= 0xff
				err = os.WriteFile(p, b, 0o644)
			case "truncate":
				err = os.WriteFile(p, b[:len(b)-1], 0o644)
			case "remove":
				err = os.Remove(p)
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = Open(root)
			if err == nil || !strings.Contains(err.Error(), "biosample.parquet") {
				t.Fatalf("Open: %v, want an error naming biosample.parquet", err)
			}
		})
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	root := t.TempDir()
	w, _ := Create(root)
	writeDataset(t, w, "keep", 2, 2)
	mustCommit(t, w)

	w, err := Create(root)
	if err != nil {
		t.Fatal(err)
	}
	writeDataset(t, w, "keep", 9, 9) // would replace
	writeDataset(t, w, "gone", 3, 3)
	w.AddOntologyTerms([]OntologyTerm{{ID: "A:1"}})
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatalf("second Abort: %v", err)
	}
	if _, err := w.Commit(); err == nil {
		t.Fatal("Commit after Abort succeeded")
	}
	ents, _ := os.ReadDir(filepath.Join(root, "releases"))
	if len(ents) != 1 || ents[0].Name() != "000001" {
		t.Fatalf("releases/ holds %v", ents)
	}
	r, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if r.Manifest().ReleaseID != "000001" || len(r.Manifest().Datasets) != 1 {
		t.Fatalf("published release changed: %+v", r.Manifest())
	}
	checkDataset(t, r, "keep", 2, 2)
	// The lock was released.
	w, err = Create(root)
	if err != nil {
		t.Fatal(err)
	}
	w.Abort()
}

func TestLocked(t *testing.T) {
	root := t.TempDir()
	w, err := Create(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Create(root); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Create: %v, want ErrLocked", err)
	}
	mustCommit(t, w)
	w, err = Create(root)
	if err != nil {
		t.Fatalf("Create after Commit: %v", err)
	}
	w.Abort()
}

func TestCrashBeforeCommit(t *testing.T) {
	root := t.TempDir()
	w, _ := Create(root)
	writeDataset(t, w, "ds", 4, 4)
	mustCommit(t, w)

	// An ingest dies mid-way: its temp dir stays, its flock goes with the process.
	w, _ = Create(root)
	writeDataset(t, w, "ds", 1, 1)
	tmp := w.tmp
	w.lock.unlock()
	if _, err := os.Stat(tmp); err != nil {
		t.Fatal(err)
	}
	cur, _ := os.ReadFile(filepath.Join(root, "CURRENT"))
	if string(cur) != "000001\n" {
		t.Fatalf("CURRENT = %q", cur)
	}
	r, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	checkDataset(t, r, "ds", 4, 4)

	w2, err := Create(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("stale temp dir not removed: %v", err)
	}
	writeDataset(t, w2, "ds", 6, 6)
	if m := mustCommit(t, w2); m.ReleaseID != "000002" {
		t.Fatalf("release id %s", m.ReleaseID)
	}
	r, _ = Open(root)
	checkDataset(t, r, "ds", 6, 6)
}

func TestDatasetDirName(t *testing.T) {
	taken := map[string]bool{}
	seen := map[string]string{}
	for _, id := range []string{"CINECA_synthetic_cohort_EUROPE_UK1", "a/b", "a_b", "A_B", "..", ".hidden", "manifest.json", "x y", "x_y", "ü", strings.Repeat("z", 100), strings.Repeat("z", 64)} {
		n := datasetDirName(id, taken)
		if prev, ok := seen[strings.ToLower(n)]; ok {
			t.Fatalf("%q and %q share directory %q", prev, id, n)
		}
		if n == "" || n == "." || n == ".." || strings.ContainsAny(n, "/\\ ") || strings.HasPrefix(n, ".") {
			t.Fatalf("%q → unsafe name %q", id, n)
		}
		seen[strings.ToLower(n)] = id
		taken[strings.ToLower(n)] = true
	}
	if n := datasetDirName("CINECA_synthetic_cohort_EUROPE_UK1", map[string]bool{}); n != "CINECA_synthetic_cohort_EUROPE_UK1" {
		t.Fatalf("plain id renamed to %q", n)
	}
}

func TestDatasetWithUnsafeID(t *testing.T) {
	root := t.TempDir()
	w, _ := Create(root)
	writeDataset(t, w, "../escape", 2, 0)
	writeDataset(t, w, "manifest.json", 2, 0)
	mustCommit(t, w)
	r, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range r.Manifest().Datasets {
		for _, rel := range d.Files {
			if !filepath.IsLocal(rel) || strings.HasPrefix(rel, "manifest.json/") {
				t.Fatalf("dataset %q file %q", d.ID, rel)
			}
		}
	}
	checkDataset(t, r, "../escape", 2, 0)
}

// Carriers as bitmaps and as lists in one dataset: SetSamples fixes the first indexes, list
// ids are looked up there or appended, and the rendered caseLevelData follows sample order.
func TestCarrierBitmapsAndSamples(t *testing.T) {
	root := t.TempDir()
	w, _ := Create(root)
	d, err := w.Dataset("ds", "GRCh38")
	if err != nil {
		t.Fatal(err)
	}
	// A VCF header may name one biosample twice: two samples, one id.
	if err := d.SetSamples([]string{"S2", "S1", "S\"3", "S1"}); err != nil {
		t.Fatal(err)
	}
	het := ZygositySet{ID: "GENO:0000458", Label: "simple heterozygous", Bits: roaring.BitmapOf(1, 3)}
	hom := ZygositySet{ID: "GENO:0000136", Label: "homozygous", Bits: roaring.BitmapOf(2)}
	vs := []*Variant{
		{Record: Record{ID: "a", JSON: []byte(`{"variantInternalId":"a"}`)}, CarrierBits: roaring.BitmapOf(0, 1, 2, 3),
			Zygosity: []ZygositySet{het, hom}, CaseLevelFromCarriers: true},
		{Record: Record{ID: "b", JSON: []byte(`{"variantInternalId":"b","caseLevelData":[{"biosampleId":"S1","x":1}]}`)},
			Carriers: []string{"S1", "I7", "S\"3"}, CarrierZygosity: []ZygosityTerm{{}, {ID: "GENO:0000136", Label: "1/1"}, {}}},
		{Record: Record{ID: "c", JSON: []byte(`{"variantInternalId":"c"}`)}, Carriers: []string{"I8", "I7"}, CaseLevelFromCarriers: true},
		{Record: Record{ID: "d", JSON: []byte(`{"variantInternalId":"d"}`)}},
	}
	for _, v := range vs {
		if err := d.WriteVariant(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.SetSamples([]string{"X"}); err == nil {
		t.Error("SetSamples after variants with carriers: no error")
	}
	for _, bad := range []*Variant{
		{Record: Record{ID: "e"}, CarrierBits: roaring.BitmapOf(99)},
		{Record: Record{ID: "f"}, CarrierBits: roaring.BitmapOf(0), Carriers: []string{"S1"}},
		{Record: Record{ID: "g", JSON: []byte(`{}`)}, Carriers: []string{"S1", "S1"}, CaseLevelFromCarriers: true},
		{Record: Record{ID: "h"}, Carriers: []string{"S1"}, CarrierZygosity: []ZygosityTerm{{}, {}}},
	} {
		if err := d.WriteVariant(bad); err == nil {
			t.Errorf("variant %s: no error", bad.ID)
		}
	}
	m := mustCommit(t, w)
	if e := m.Datasets[0]; e.Samples != "ds/samples.parquet" || e.SampleCount != 6 || m.Files[e.Samples].Bytes == 0 {
		t.Fatalf("manifest entry %+v", e)
	}
	r, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	samples, err := r.ReadSamples("ds")
	if want := []string{"S2", "S1", "S\"3", "S1", "I7", "I8"}; err != nil || !slices.Equal(samples, want) {
		t.Fatalf("samples %v (%v), want %v", samples, err, want)
	}
	got := map[string]*Variant{}
	if err := r.ReadVariants("ds", func(v *Variant) error { got[v.ID] = v; return nil }); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]struct {
		bits      []uint32
		caseLevel bool
		json      string
	}{
		"a": {[]uint32{0, 1, 2, 3}, true, `{"variantInternalId":"a","caseLevelData":[{"biosampleId":"S2"},` +
			`{"biosampleId":"S1","zygosity":{"id":"GENO:0000458","label":"simple heterozygous"}},` +
			`{"biosampleId":"S\"3","zygosity":{"id":"GENO:0000136","label":"homozygous"}},` +
			`{"biosampleId":"S1","zygosity":{"id":"GENO:0000458","label":"simple heterozygous"}}]}`},
		"b": {[]uint32{1, 2, 4}, false, `{"variantInternalId":"b","caseLevelData":[{"biosampleId":"S1","x":1}]}`},
		"c": {[]uint32{4, 5}, true, `{"variantInternalId":"c","caseLevelData":[{"biosampleId":"I7"},{"biosampleId":"I8"}]}`},
		"d": {nil, false, `{"variantInternalId":"d"}`},
	} {
		v := got[id]
		var bits []uint32
		if v.CarrierBits != nil {
			bits = v.CarrierBits.ToArray()
		}
		if !slices.Equal(bits, want.bits) || v.CaseLevelFromCarriers != want.caseLevel {
			t.Errorf("%s: carriers %v caseLevel %v", id, bits, v.CaseLevelFromCarriers)
		}
		js, err := v.FullJSON(samples)
		if err != nil || string(js) != want.json {
			t.Errorf("%s: FullJSON %s (%v), want %s", id, js, err, want.json)
		}
	}
	if z := got["b"].Zygosity; len(z) != 1 || z[0].ID != "GENO:0000136" || z[0].Label != "1/1" || !slices.Equal(z[0].Bits.ToArray(), []uint32{4}) {
		t.Errorf("b zygosity %+v", z)
	}
	// The bitmaps read are copy-on-write views: changing one leaves the others intact.
	got["a"].CarrierBits.Add(5)
	if got["a"].Zygosity[0].Bits.Contains(5) || got["c"].CarrierBits.GetCardinality() != 2 {
		t.Error("bitmaps share state")
	}
}

// A release of format version 1 is refused with a message that says to ingest again, by the
// reader and by an ingest into the same root.
func TestFormatVersion1Refused(t *testing.T) {
	root := t.TempDir()
	w, _ := Create(root)
	writeDataset(t, w, "ds", 1, 0)
	mustCommit(t, w)
	p := filepath.Join(root, "releases", "000001", "manifest.json")
	b, _ := os.ReadFile(p)
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), `"formatVersion": 2`, `"formatVersion": 1`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(root); err == nil || !strings.Contains(err.Error(), "formatVersion 1") || !strings.Contains(err.Error(), "ingest the datasets again") {
		t.Errorf("Open: %v", err)
	}
	if _, err := Create(root); err == nil || !strings.Contains(err.Error(), "ingest the datasets again") {
		t.Errorf("Create: %v", err)
	}
}
