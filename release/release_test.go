package release

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
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
	if i%2 == 0 {
		v.Carriers = []string{"HG00096", "HG00097"}
		v.Zygosity = []string{"GENO:0000458", ""}
	}
	return v
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
	i := 0
	var kept []*Variant
	err := r.ReadVariants(ds, func(got *Variant) error {
		if want := testVariant(ds, i); !reflect.DeepEqual(got, want) {
			return fmt.Errorf("variant %d: got %+v, want %+v", i, got, want)
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
		if want := testVariant(ds, i); !reflect.DeepEqual(v, want) {
			t.Fatalf("variant %d changed after the scan", i)
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
