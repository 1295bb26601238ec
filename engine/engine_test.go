package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
)

func smallDataset(id string, individuals ...string) dsData {
	d := dsData{id: id, assembly: "GRCh38", records: map[release.Entity][]release.Record{}}
	for _, i := range individuals {
		d.records[release.Individual] = append(d.records[release.Individual], rec(i, "NCIT:C16576"))
		d.records[release.Biosample] = append(d.records[release.Biosample], rec("B"+i, "I:"+i))
	}
	d.records[release.Dataset] = []release.Record{rec(id)}
	d.variants = []release.Variant{variant(id+"-v1", "GRCh38", "1", 10, 11, "A", "T", "SNP", "B"+individuals[0])}
	return d
}

func datasetIDs(s *Snapshot) []string {
	var out []string
	for _, d := range s.Datasets() {
		out = append(out, d.ID)
	}
	return out
}

func countFemales(t testing.TB, s *Snapshot) uint64 {
	t.Helper()
	res, err := s.Evaluate(&Query{Target: release.Individual, Filters: []Filter{onto("NCIT:C16576", true)}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

func TestEngineReload(t *testing.T) {
	root := t.TempDir()
	writeRelease(t, root, nil, smallDataset("A", "a1", "a2"))
	eng, err := NewEngine(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := eng.Snapshot()
	if got := datasetIDs(old); !slices.Equal(got, []string{"A"}) {
		t.Fatalf("datasets %v", got)
	}
	// Nothing new on disk: no swap.
	if swapped, err := eng.Reload(); err != nil || swapped {
		t.Fatalf("Reload without a new release = %v, %v; want false, nil", swapped, err)
	}
	if eng.Snapshot() != old {
		t.Fatal("Reload without a new release replaced the snapshot")
	}

	// A second release adds dataset B and carries A over.
	m := writeRelease(t, root, nil, smallDataset("B", "b1", "b2", "b3"))
	if len(m.Datasets) != 2 {
		t.Fatalf("manifest has %d datasets, want 2 (carry-over)", len(m.Datasets))
	}
	swapped, err := eng.Reload()
	if err != nil || !swapped {
		t.Fatalf("Reload = %v, %v; want true, nil", swapped, err)
	}
	cur := eng.Snapshot()
	if got := datasetIDs(cur); !slices.Equal(got, []string{"A", "B"}) {
		t.Errorf("after reload datasets %v, want [A B]", got)
	}
	if cur.ReleaseID != m.ReleaseID || cur.ReleaseID == old.ReleaseID {
		t.Errorf("release ids: old %s, current %s, manifest %s", old.ReleaseID, cur.ReleaseID, m.ReleaseID)
	}
	if got := countFemales(t, cur); got != 5 {
		t.Errorf("new snapshot: %d females, want 5", got)
	}
	// A snapshot taken before the reload (an in-flight request) still answers from the old
	// release.
	if got := countFemales(t, old); got != 2 {
		t.Errorf("old snapshot: %d females, want 2", got)
	}
	if got := datasetIDs(old); !slices.Equal(got, []string{"A"}) {
		t.Errorf("old snapshot datasets %v", got)
	}
	// An unknown dataset matches nothing and says so (networks send every id to every member).
	if res, err := old.Evaluate(&Query{Target: release.Individual, DatasetIDs: []string{"B"}}); err != nil || res.Total != 0 || len(res.Warnings) == 0 {
		t.Errorf("old snapshot knows dataset B: %v", err)
	}
	// Again: nothing newer.
	if swapped, err := eng.Reload(); err != nil || swapped {
		t.Errorf("second Reload = %v, %v; want false, nil", swapped, err)
	}
	if eng.Snapshot() != cur {
		t.Error("second Reload replaced the snapshot")
	}
}

// TestEngineReloadCorrupt: a release whose file does not match its manifest is refused and
// the old snapshot keeps serving.
func TestEngineReloadCorrupt(t *testing.T) {
	root := t.TempDir()
	writeRelease(t, root, nil, smallDataset("A", "a1"))
	eng, err := NewEngine(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := eng.Snapshot()

	m := writeRelease(t, root, nil, smallDataset("C", "c1", "c2"))
	// Flip one byte of a file of the new dataset (its own file, not a hard link shared with
	// the release the engine is serving).
	entry, ok := m.Dataset("C")
	if !ok {
		t.Fatal("no dataset C in the manifest")
	}
	p := filepath.Join(release.ReleaseDir(root, m.ReleaseID), filepath.FromSlash(entry.Files[release.Individual]))
	flipByte(t, p)

	swapped, err := eng.Reload()
	if err == nil || swapped {
		t.Fatalf("Reload of a corrupted release = %v, %v; want an error", swapped, err)
	}
	t.Logf("Reload error: %v", err)
	if eng.Snapshot() != old {
		t.Fatal("a failed Reload replaced the snapshot")
	}
	if got := countFemales(t, eng.Snapshot()); got != 1 {
		t.Errorf("old snapshot after failed reload: %d females, want 1", got)
	}
	if _, err := NewEngine(root, Options{}); err == nil {
		t.Error("NewEngine on the corrupted release succeeded")
	}

	// The next release would carry the damaged C over: the writer checks what it carries
	// and refuses to publish it, and the engine keeps refusing the damaged one.
	if m2, err := tryWriteRelease(t, root, nil, smallDataset("D", "d1")); err == nil {
		t.Errorf("release %s carrying the damaged file was published", m2.ReleaseID)
	}
	if _, err := eng.Reload(); err == nil {
		t.Error("Reload after the refused release succeeded")
	}
	if eng.Snapshot() != old {
		t.Fatal("a failed Reload replaced the snapshot")
	}
}

// TestEngineReloadPointCurrent: CURRENT pointed by hand at a copy of a release with one
// flipped byte.
func TestEngineReloadPointCurrent(t *testing.T) {
	root := t.TempDir()
	m1 := writeRelease(t, root, nil, smallDataset("A", "a1", "a2"))
	eng, err := NewEngine(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := eng.Snapshot()
	// Make release 000099 a byte-for-byte copy of the current one, then damage it.
	src := release.ReleaseDir(root, m1.ReleaseID)
	dst := release.ReleaseDir(root, "000099")
	copyDir(t, src, dst)
	// The manifest names its release id; rewrite it for the copy.
	mfPath := filepath.Join(dst, "manifest.json")
	raw, err := os.ReadFile(mfPath)
	if err != nil {
		t.Fatal(err)
	}
	var mf map[string]any
	if err := json.Unmarshal(raw, &mf); err != nil {
		t.Fatal(err)
	}
	mf["releaseId"] = "000099"
	if raw, err = json.Marshal(mf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mfPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	// Undamaged, the copy loads: the damage below is what Reload must refuse.
	if _, err := Open(dst, Options{}); err != nil {
		t.Fatalf("undamaged copy does not open: %v", err)
	}
	entry, _ := m1.Dataset("A")
	flipByte(t, filepath.Join(dst, filepath.FromSlash(entry.Files[release.Biosample])))
	if err := os.WriteFile(filepath.Join(root, "CURRENT"), []byte("000099\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	swapped, err := eng.Reload()
	if err == nil || swapped {
		t.Fatalf("Reload = %v, %v; want an error for the damaged release", swapped, err)
	}
	if eng.Snapshot() != old || countFemales(t, eng.Snapshot()) != 2 {
		t.Fatal("the old snapshot does not keep serving")
	}
}

// TestEngineReloadConcurrent runs queries while releases are published and swapped in: every
// query sees one complete snapshot (run with -race).
func TestEngineReloadConcurrent(t *testing.T) {
	root := t.TempDir()
	writeRelease(t, root, nil, smallDataset("A", "a1"))
	eng, err := NewEngine(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var queries atomic.Int64
	for range 2 {
		wg.Go(func() {
			for !stop.Load() {
				s := eng.Snapshot()
				n := countFemales(t, s)
				// Each release i holds datasets with 1 + ... individuals; the count must be
				// the one of this snapshot's datasets.
				want := uint64(0)
				for _, d := range s.Datasets() {
					want += uint64(s.Manifest.Datasets[indexOf(s, d.ID)].Rows[release.Individual])
				}
				if n != want {
					t.Errorf("snapshot %s: %d females, manifest says %d", s.ReleaseID, n, want)
					return
				}
				queries.Add(1)
			}
		})
	}
	names := []string{"B", "C", "D", "E"}
	for i, name := range names {
		inds := make([]string, i+1)
		for j := range inds {
			inds[j] = name + string(rune('a'+j))
		}
		writeRelease(t, root, nil, smallDataset(name, inds...))
		if swapped, err := eng.Reload(); err != nil || !swapped {
			t.Errorf("Reload %s = %v, %v", name, swapped, err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if got := len(eng.Snapshot().Datasets()); got != 5 {
		t.Errorf("%d datasets at the end, want 5", got)
	}
	t.Logf("%d queries during the reloads", queries.Load())
}

func indexOf(s *Snapshot, id string) int {
	for i, d := range s.Manifest.Datasets {
		if d.ID == id {
			return i
		}
	}
	return -1
}

func flipByte(t testing.TB, p string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	// Release files are read-only (0444): replace the file rather than write into it, so a
	// hard-linked twin in another release stays intact.
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o444); err != nil {
		t.Fatal(err)
	}
}

// copyDir copies the files under src to dst, the contents of symlinked directories too.
func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		if d.Type()&os.ModeSymlink != 0 { // a dataset stored once for all releases: copy it
			copyDir(t, p+string(filepath.Separator), out)
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEngineClose checks that Close unmaps the snapshot's index files at once.
func TestEngineClose(t *testing.T) {
	root := t.TempDir()
	writeRelease(t, root, nil, smallDataset("A", "a1", "a2"))
	if _, err := WriteIndex(root, Options{}); err != nil {
		t.Fatal(err)
	}
	eng, err := NewEngine(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mp := eng.Snapshot().mapping
	if mp == nil || len(mp.files) == 0 {
		t.Fatal("not mapped from index files")
	}
	eng.Close()
	if eng.Snapshot() != nil || len(mp.files) != 0 {
		t.Errorf("after Close: snapshot %v, %d files still mapped", eng.Snapshot() != nil, len(mp.files))
	}
	eng.Close() // twice is harmless
}
