package engine

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// The engine tests build small releases directly with the release writer (no ingest), so
// every link, term and coordinate is exactly what the test says.

// dsData is the content of one dataset of a hand-made release.
type dsData struct {
	id, assembly string
	records      map[release.Entity][]release.Record
	variants     []release.Variant
	samples      []string // the sample list, if set (DatasetWriter.SetSamples)
}

// rec is a compact record constructor: links are "I:<id>", "B:<id>", "R:<id>", "A:<id>",
// terms are CURIEs (anything with a ':' after a prefix that is not a link tag) and fields
// are "path=value".
func rec(id string, parts ...string) release.Record {
	r := release.Record{ID: id, JSON: []byte(fmt.Sprintf(`{"id":%q}`, id))}
	for _, p := range parts {
		switch {
		case strings.HasPrefix(p, "I:"):
			r.IndividualID = p[2:]
		case strings.HasPrefix(p, "B:"):
			r.BiosampleID = p[2:]
		case strings.HasPrefix(p, "R:"):
			r.RunID = p[2:]
		case strings.HasPrefix(p, "A:"):
			r.AnalysisID = p[2:]
		case strings.Contains(p, "="):
			k, v, _ := strings.Cut(p, "=")
			r.Fields = append(r.Fields, release.Field{Path: k, Value: v})
		default:
			r.Terms = append(r.Terms, p)
		}
	}
	sort.Strings(r.Terms)
	return r
}

// writeRelease publishes one release under root holding the given datasets (the datasets of
// the current release are carried over unless replaced) and the ontology terms.
func writeRelease(t testing.TB, root string, onto []release.OntologyTerm, datasets ...dsData) *release.Manifest {
	t.Helper()
	m, err := tryWriteRelease(t, root, onto, datasets...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// tryWriteRelease is writeRelease returning the error of the commit (the release writer's
// own checks), for tests of what it refuses.
func tryWriteRelease(t testing.TB, root string, onto []release.OntologyTerm, datasets ...dsData) (*release.Manifest, error) {
	t.Helper()
	w, err := release.Create(root)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if len(onto) > 0 {
		w.AddOntologyTerms(onto)
	}
	for _, d := range datasets {
		dw, err := w.Dataset(d.id, d.assembly)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range release.Entities {
			for i := range d.records[e] {
				r := d.records[e][i]
				r.DatasetID = d.id
				if err := dw.WriteRecord(e, &r); err != nil {
					t.Fatal(err)
				}
			}
		}
		if d.samples != nil {
			if err := dw.SetSamples(d.samples); err != nil {
				t.Fatal(err)
			}
		}
		for i := range d.variants {
			v := d.variants[i]
			v.DatasetID = d.id
			if v.JSON == nil {
				v.JSON = []byte(fmt.Sprintf(`{"variantInternalId":%q}`, v.ID))
			}
			if err := dw.WriteVariant(&v); err != nil {
				t.Fatal(err)
			}
		}
	}
	return w.Commit()
}

// openRelease opens the current release under root from its index files, which it writes
// first, so every test that uses it runs on a mapped snapshot (and checks it was mapped).
func openRelease(t testing.TB, root string) *Snapshot {
	t.Helper()
	if _, err := WriteIndex(root, Options{}); err != nil {
		t.Fatal(err)
	}
	s, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.mapping == nil {
		t.Fatal("snapshot not loaded from its index files")
	}
	return s
}

// key names one record of a snapshot as "dataset/id".
func (s *Snapshot) key(e release.Entity, row uint32) string {
	t := s.tables[e]
	return s.datasets[t.dataset[row]].ID + "/" + t.id(row)
}

// keys returns the sorted "dataset/id" keys of the rows.
func (s *Snapshot) keys(e release.Entity, bm *roaring.Bitmap) []string {
	out := []string{}
	it := bm.Iterator()
	for it.HasNext() {
		out = append(out, s.key(e, it.Next()))
	}
	sort.Strings(out)
	return out
}

// rowsOf returns the rows of the records named by "dataset/id" keys; it fails the test on a
// key that does not exist.
func (s *Snapshot) rowsOf(t testing.TB, e release.Entity, keys ...string) *roaring.Bitmap {
	t.Helper()
	bm := roaring.New()
	for _, k := range keys {
		ds, id, _ := strings.Cut(k, "/")
		d, ok := s.datasetIndex[ds]
		if !ok {
			t.Fatalf("no dataset %q", ds)
		}
		r := s.tables[e].rowOf(id, d)
		if r < 0 {
			t.Fatalf("no %s %q", e, k)
		}
		bm.Add(uint32(r))
	}
	return bm
}

// evalKeys evaluates q and returns the sorted keys of the matching target rows.
func evalKeys(t testing.TB, s *Snapshot, q *Query) ([]string, *Result) {
	t.Helper()
	res, err := s.Evaluate(q)
	if err != nil {
		t.Fatalf("Evaluate(%+v): %v", q, err)
	}
	checkCountOnly(t, s, q, res)
	return s.keys(q.Target, res.Rows), res
}

// checkCountOnly asserts that the counting path agrees with the full evaluation, so every
// test that evaluates through evalKeys also checks CountOnly.
func checkCountOnly(t testing.TB, s *Snapshot, q *Query, full *Result) {
	t.Helper()
	cq := *q
	cq.CountOnly = true
	res, err := s.Evaluate(&cq)
	if err != nil {
		t.Fatalf("CountOnly Evaluate(%+v): %v", q, err)
	}
	if res.Rows != nil || res.Total != full.Total || len(res.PerDataset) != len(full.PerDataset) {
		t.Fatalf("CountOnly: rows %v total %d (%d sets), full total %d (%d sets)", res.Rows != nil, res.Total, len(res.PerDataset), full.Total, len(full.PerDataset))
	}
	for i, d := range res.PerDataset {
		if f := full.PerDataset[i]; d.DatasetID != f.DatasetID || d.Count != f.Count || d.Rows != nil {
			t.Fatalf("CountOnly dataset %d: %s %d, full %s %d", i, d.DatasetID, d.Count, f.DatasetID, f.Count)
		}
	}
}

func sortedCopy(ss []string) []string {
	out := append([]string{}, ss...)
	sort.Strings(out)
	return out
}

func sameKeys(got, want []string) bool { return slices.Equal(sortedCopy(got), sortedCopy(want)) }

// id returns the record id of a row: the tests' way to name rows (the engine itself reads
// t.ids where it needs them).
func (t *table) id(row uint32) string { return t.ids.At(int(row)) }
