package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/index"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
	"github.com/bitbeacon/bitbeacon/release"
)

// dump renders everything a snapshot answers from, one fact a line, so a snapshot mapped
// from index files can be compared with one built from Parquet.
func (s *Snapshot) dump() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	arr := func(bm *roaring.Bitmap) []uint32 {
		if bm == nil {
			return nil
		}
		return bm.ToArray()
	}
	terms := func(name string, ti *index.TermIndex) {
		for _, term := range ti.Terms() {
			add("%s term %s exact %v folded %v count %d/%d", name, term, arr(ti.Exact(term)), arr(ti.Folded(term)), ti.Count(term, false), ti.Count(term, true))
		}
		for _, term := range s.labelKeys() { // ancestors present only as folded terms
			if ti.Has(term) {
				add("%s has %s folded %v", name, term, arr(ti.Folded(term)))
			}
		}
	}
	for _, k := range s.labelKeys() {
		add("label %s=%s anc %v", k, s.labels[k], s.onto.Ancestors(k))
	}
	add("ontology %d", s.onto.Len())
	add("datasets %v", s.datasets)
	ents := slices.Sorted(func(yield func(release.Entity) bool) {
		for e := range s.tables {
			if !yield(e) {
				return
			}
		}
	})
	for _, e := range ents {
		t := s.tables[e]
		add("%s n=%d all=%d", e, t.n, t.all.GetCardinality())
		for d, bm := range t.byDataset {
			add("%s dataset %d rows %v", e, d, arr(bm))
		}
		for r := range t.n {
			add("%s row %d id %s ds %d rows %v json %s", e, r, t.id(r), t.dataset[r], t.rowsOf(t.id(r)), s.RecordJSON(e, r))
			for i, l := range t.linkArrays() {
				if *l != nil {
					add("%s row %d link %d = %d", e, r, i, (*l)[r])
				}
			}
		}
		terms(string(e), t.terms)
		for _, p := range t.values.Paths() {
			for _, v := range t.values.Values(p, 0) {
				bm, err := t.values.Match(p, "=", v)
				add("%s value %s=%s %v %v", e, p, v, arr(bm), err)
			}
			for _, op := range []string{"<", ">="} {
				bm, err := t.values.Match(p, op, "50")
				add("%s value %s%s50 %v %v", e, p, op, arr(bm), err)
			}
		}
	}
	vt := s.variants
	for r := range vt.n {
		add("variant %d %d-%d %s>%s carriers %v", r, vt.start[r], vt.end[r], vt.ref.At(int(r)), vt.alt.At(int(r)), vt.carriers.appendTo(nil, r))
		bios, alleles := vt.calls.exceptions(r)
		add("variant %d genotyped %v calls %v %v", r, vt.calls.genotyped.Contains(r), bios, alleles)
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range vt.seqs {
			if !yield(k) {
				return
			}
		}
	}) {
		sq := vt.seqs[k]
		add("seq %q base %d len %d", k, sq.base, sq.iv.Len())
	}
	for i, bm := range vt.carriedBy {
		add("carriedBy %d %v", i, arr(bm))
	}
	for i, ti := range []*index.TermIndex{vt.types, vt.genes, vt.aaChanges, vt.hgvs} {
		terms(fmt.Sprint("variant index ", i), ti)
	}
	add("biosamplesOfIndividual %v", s.biosamplesOfIndividual)
	return out
}

func (s *Snapshot) labelKeys() []string {
	keys := make([]string, 0, len(s.labels))
	for k := range s.labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sameDump fails the test at the first fact that differs.
func sameDump(t *testing.T, got, want []string) {
	t.Helper()
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("fact %d differs:\n got %.300s\nwant %.300s", i, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d facts, want %d", len(got), len(want))
	}
}

// openParquet builds the snapshot of root's current release from Parquet.
func openParquet(t *testing.T, root string) *Snapshot {
	t.Helper()
	r, err := release.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	s, err := load(r, Options{SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestIndexFilesMatchParquet maps a snapshot with every kind of data (ontology, links,
// carriers, caseLevelData rendered from codes) and compares it fact by fact with the one
// built from Parquet.
func TestIndexFilesMatchParquet(t *testing.T) {
	data := testenv.DataDir(t)
	out := t.TempDir()
	_, err := ingest.Run(context.Background(), ingest.Options{Out: out, DatasetID: "cineca", Assembly: "GRCh37"}, []string{
		filepath.Join(data, "cineca_uk1_ega_ri_api", "individuals.json"),
		filepath.Join(data, "cineca_uk1_ega_ri_api", "biosamples.json"),
		filepath.Join(data, "cineca_uk1_cnag_vcf", "cineca_uk1_chr22_5002.genomicVariations.bff.json.gz")})
	if err != nil {
		t.Fatal(err)
	}
	want := openParquet(t, out).dump()
	got := openRelease(t, out)
	sameDump(t, got.dump(), want)
	if got.variants.cl.from.IsEmpty() {
		t.Fatal("fixture renders no caseLevelData: the test covers less than it should")
	}
}

// TestIndexFilesRejected damages the index files in each way and checks that Open builds
// from Parquet instead, answering as before.
func TestIndexFilesRejected(t *testing.T) {
	onto := []release.OntologyTerm{{ID: "NCIT:C16576", Label: "female", Parents: []string{"NCIT:C17357"}}}
	damage := map[string]func(t *testing.T, dir string){
		"truncated": func(t *testing.T, dir string) {
			p := filepath.Join(dir, tableFileName(release.Individual))
			b := readFile(t, p)
			writeFile(t, p, b[:len(b)-8])
		},
		"flipped byte": func(t *testing.T, dir string) {
			p := filepath.Join(dir, tableFileName(release.GenomicVariation))
			b := readFile(t, p)
			b[len(b)/2] ^= 0x10
			writeFile(t, p, b)
		},
		"wrong release": func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *indexManifest) { m.ReleaseID = "000099" })
		},
		"old format": func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *indexManifest) { m.FormatVersion = IndexFormatVersion - 1 })
		},
		"other manifest": func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *indexManifest) { m.ReleaseManifestSHA256 = strings.Repeat("0", 64) })
		},
		"missing file": func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, snapshotFileName)); err != nil {
				t.Fatal(err)
			}
		},
		"bad manifest": func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, indexManifestName), []byte("{"))
		},
		"valid checksums, bad content": func(t *testing.T, dir string) {
			// A writer bug, not damage: the decoder still refuses it instead of crashing.
			p := filepath.Join(dir, tableFileName(release.Individual))
			writeFile(t, p, []byte{1, 0, 0, 0, 0, 0, 0, 0, 9})
			editManifest(t, dir, func(m *indexManifest) {
				e := m.Files[tableFileName(release.Individual)]
				e.Bytes = 9
				e.CRC32C = []uint32{crc32c(readFile(t, p))}
				m.Files[tableFileName(release.Individual)] = e
			})
		},
	}
	for name, fn := range damage {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			writeRelease(t, root, onto, smallDataset("d1", "i1", "i2"), smallDataset("d2", "i3"))
			want := openParquet(t, root).dump()
			dir, err := WriteIndex(root, Options{})
			if err != nil {
				t.Fatal(err)
			}
			fn(t, release.IndexDir(dir))
			s, err := Open(root, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if s.mapping != nil {
				t.Fatal("damaged index files were used")
			}
			sameDump(t, s.dump(), want)
			// Rebuilding the index files makes them usable again.
			if _, err := WriteIndex(root, Options{}); err != nil {
				t.Fatal(err)
			}
			if s, err = Open(root, Options{}); err != nil || s.mapping == nil {
				t.Fatalf("after rebuilding: mapped %v, %v", s != nil && s.mapping != nil, err)
			}
			sameDump(t, s.dump(), want)
		})
	}
}

// TestIndexFilesOfOlderRelease checks that a new release is not served from the index files
// of the previous one, and that Reload maps a release's own.
func TestIndexFilesOfOlderRelease(t *testing.T) {
	root := t.TempDir()
	writeRelease(t, root, nil, smallDataset("d1", "i1"))
	if _, err := WriteIndex(root, Options{}); err != nil {
		t.Fatal(err)
	}
	eng, err := NewEngine(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if eng.Snapshot().mapping == nil {
		t.Fatal("not mapped")
	}
	writeRelease(t, root, nil, smallDataset("d2", "i2", "i3"))
	if swapped, err := eng.Reload(); err != nil || !swapped {
		t.Fatalf("Reload: %v %v", swapped, err)
	}
	s := eng.Snapshot()
	if s.mapping != nil || s.Count(release.Individual) != 3 {
		t.Fatalf("new release: mapped %v, %d individuals", s.mapping != nil, s.Count(release.Individual))
	}
	if _, err := WriteIndex(root, Options{}); err != nil {
		t.Fatal(err)
	}
	s, err = Open(root, Options{})
	if err != nil || s.mapping == nil || s.Count(release.Individual) != 3 {
		t.Fatalf("after indexing: %v", err)
	}
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func editManifest(t *testing.T, dir string, fn func(m *indexManifest)) {
	t.Helper()
	p := filepath.Join(dir, indexManifestName)
	var m indexManifest
	if err := json.Unmarshal(readFile(t, p), &m); err != nil {
		t.Fatal(err)
	}
	fn(&m)
	b, err := json.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, p, b)
}

func crc32c(b []byte) uint32 { return crc32.Checksum(b, index.Castagnoli) }
