package release

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// commitDatasets writes one release holding the given datasets (3 records, 4 variants each).
func commitDatasets(t *testing.T, root string, ids ...string) *Manifest {
	t.Helper()
	w, err := Create(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		writeDataset(t, w, id, 3, 4)
	}
	return mustCommit(t, w)
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func linkOf(t *testing.T, root, release, dir string) string {
	t.Helper()
	target, err := os.Readlink(filepath.Join(root, "releases", release, dir))
	if err != nil {
		t.Fatalf("release %s, dataset directory %s: %v", release, dir, err)
	}
	return target
}

// TestReleasesShareStoredDatasets checks the store: a dataset's files are written once, in
// the generation of the release that wrote them, and later releases refer to them; a
// replaced dataset gets a new generation; old release directories can go without taking
// data a later release uses.
func TestReleasesShareStoredDatasets(t *testing.T) {
	root := t.TempDir()
	commitDatasets(t, root, "a", "b")
	commitDatasets(t, root, "c")
	commitDatasets(t, root, "a") // replaces a
	for _, c := range []struct{ release, dir, want string }{
		{"000001", "a", "../../datasets/000001/a"},
		{"000002", "a", "../../datasets/000001/a"},
		{"000002", "c", "../../datasets/000002/c"},
		{"000003", "a", "../../datasets/000003/a"},
		{"000003", "b", "../../datasets/000001/b"},
		{"000003", "c", "../../datasets/000002/c"},
	} {
		if got := linkOf(t, root, c.release, c.dir); got != c.want {
			t.Errorf("release %s: %s -> %s, want %s", c.release, c.dir, got, c.want)
		}
	}
	if got := strings.Join(dirNames(t, filepath.Join(root, "datasets")), " "); got != "000001 000002 000003" {
		t.Errorf("datasets/ holds %s", got)
	}
	if got := strings.Join(dirNames(t, filepath.Join(root, "datasets", "000001")), " "); got != "a b" {
		t.Errorf("datasets/000001 holds %s", got)
	}
	// The old release still serves the old a (3 records), the new one too, from its own.
	old, err := Open(filepath.Join(root, "releases", "000002"))
	if err != nil {
		t.Fatal(err)
	}
	checkDataset(t, old, "a", 3, 4)
	for _, id := range []string{"000001", "000002"} {
		if err := os.RemoveAll(filepath.Join(root, "releases", id)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Open(root)
	if err != nil {
		t.Fatalf("after deleting the older releases: %v", err)
	}
	for _, id := range []string{"a", "b", "c"} {
		checkDataset(t, r, id, 3, 4)
	}
	// A fourth release still carries b from generation 1 and verifies it.
	commitDatasets(t, root, "d")
	if got := linkOf(t, root, "000004", "b"); got != "../../datasets/000001/b" {
		t.Errorf("release 4: b -> %s", got)
	}
}

// TestCarryOverFromUnstoredRelease carries over a dataset of a release written before the
// store (its files in a directory of the release): the next release moves it into its own
// generation, and from then on refers to it.
func TestCarryOverFromUnstoredRelease(t *testing.T) {
	root := t.TempDir()
	commitDatasets(t, root, "a")
	// Turn release 1 into the old layout: a real directory, no store.
	rel := filepath.Join(root, "releases", "000001")
	stored := filepath.Join(root, "datasets", "000001", "a")
	if err := os.Remove(filepath.Join(rel, "a")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(stored, filepath.Join(rel, "a")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(root, "datasets")); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(root); err != nil {
		t.Fatalf("the old layout does not open: %v", err)
	}
	commitDatasets(t, root, "b")
	if got := linkOf(t, root, "000002", "a"); got != "../../datasets/000002/a" {
		t.Errorf("a -> %s, want it moved into generation 2", got)
	}
	r, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	checkDataset(t, r, "a", 3, 4)
	checkDataset(t, r, "b", 3, 4)
	s1, _ := os.Stat(filepath.Join(rel, "a", "individual.parquet"))
	s2, err := os.Stat(filepath.Join(root, "datasets", "000002", "a", "individual.parquet"))
	if err != nil || !os.SameFile(s1, s2) {
		t.Errorf("a not hard-linked into the store: %v", err)
	}
}

// TestCarryOverRefusesForeignLink: a release's dataset directory that links anywhere but
// into the root's store is not carried over.
func TestCarryOverRefusesForeignLink(t *testing.T) {
	root := t.TempDir()
	commitDatasets(t, root, "a")
	p := filepath.Join(root, "releases", "000001", "a")
	os.Remove(p)
	if err := os.Symlink(filepath.Join(root, "datasets", "000001", "a"), p); err != nil { // absolute
		t.Fatal(err)
	}
	if w, err := Create(root); err == nil || !strings.Contains(err.Error(), "not into the root's datasets/") {
		w.Abort()
		t.Fatalf("Create over a foreign link: %v", err)
	}
}

// TestOrphanGenerationsRemoved: the store's temporary directories and a generation newer
// than every release (an ingest that died between renaming its generation and its release)
// are removed by the next Create; a generation of a complete but unpublished release stays,
// and its id is not reused.
func TestOrphanGenerationsRemoved(t *testing.T) {
	root := t.TempDir()
	commitDatasets(t, root, "a")
	commitDatasets(t, root, "b")
	// Release 2 complete but unpublished: CURRENT back to 1.
	if err := os.WriteFile(filepath.Join(root, "CURRENT"), []byte("000001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"000007/x", "000003.tmp-99/y"} {
		if err := os.MkdirAll(filepath.Join(root, "datasets", filepath.FromSlash(d)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	m := commitDatasets(t, root, "c")
	if m.ReleaseID != "000003" {
		t.Errorf("release id %s, want 000003", m.ReleaseID)
	}
	if got := strings.Join(dirNames(t, filepath.Join(root, "datasets")), " "); got != "000001 000002 000003" {
		t.Errorf("datasets/ holds %s", got)
	}
}

// TestVerifiedOnce checks the verification record: a settled file hashed right once is not
// hashed again while its inode is unchanged; a file just written is hashed every time (its
// times may not tick on a write that follows at once); damage is found either way.
func TestVerifiedOnce(t *testing.T) {
	root := t.TempDir()
	m := commitDatasets(t, root, "a")
	e, _ := m.Dataset("a")
	files := map[string]FileEntry{}
	for _, rel := range e.paths() {
		files[rel] = m.Files[rel]
	}
	dsDir := filepath.Join(root, "datasets", "000001", "a")
	for i := 0; i < 2; i++ {
		if n, err := verifyStored(dsDir, files); err != nil || n != len(files) {
			t.Fatalf("just written, pass %d: %d of %d hashed, %v", i, n, len(files), err)
		}
	}
	defer func(s time.Duration) { settleTime = s }(settleTime)
	settleTime = 0
	time.Sleep(20 * time.Millisecond)
	if n, err := verifyStored(dsDir, files); err != nil || n != len(files) {
		t.Fatalf("settled, first: %d of %d hashed, %v", n, len(files), err)
	}
	recorded := 0
	if runtime.GOOS != "linux" { // no stamps there: always hashed
		recorded = len(files)
	}
	if n, err := verifyStored(dsDir, files); err != nil || n != recorded {
		t.Fatalf("settled, recorded: %d of %d hashed, %v", n, len(files), err)
	}
	p := filepath.Join(dsDir, "individual.parquet")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := verifyStored(dsDir, files); err == nil || !strings.Contains(err.Error(), "individual.parquet") || !strings.Contains(err.Error(), "sha256") {
			t.Fatalf("damaged, pass %d: %v", i, err)
		}
	}
	w, err := Create(root)
	if err != nil {
		t.Fatal(err)
	}
	writeDataset(t, w, "b", 1, 1)
	if m, err := w.Commit(); err == nil {
		t.Fatalf("release %s carrying the damaged file was published", m.ReleaseID)
	}
}
