package engine

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/release"
)

// writeSmallIndex writes a small release and its index files and returns the index directory.
func writeSmallIndex(t *testing.T, root string) string {
	t.Helper()
	onto := []release.OntologyTerm{{ID: "NCIT:C16576", Label: "female", Parents: []string{"NCIT:C17357"}}}
	writeRelease(t, root, onto, smallDataset("d1", "i1", "i2"), smallDataset("d2", "i3"))
	dir, err := WriteIndex(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return release.IndexDir(dir)
}

// stateOf returns the state of the file at p.
func stateOf(t *testing.T, p string) release.FileState {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := release.StateOf(fi)
	if !ok {
		t.Skip("no file state on this platform: every open checks every file")
	}
	return st
}

// The writer records every index file it wrote, so the first open does not read them to
// check them; a file the record vouches for is used as it is (here damaged behind the
// record's back, which only damage below the filesystem could do); and any write to a file
// changes its state, even at once after the build, so the damage is found and the release
// built from Parquet.
func TestIndexVerifiedRecord(t *testing.T) {
	root := t.TempDir()
	dir := writeSmallIndex(t, root)
	var im indexManifest
	editManifest(t, dir, func(m *indexManifest) { im = *m })
	rec := readIndexVerified(dir)
	if len(rec) != len(im.Files) {
		t.Fatalf("the writer recorded %d files of %d", len(rec), len(im.Files))
	}
	for name, want := range im.Files {
		if !rec[name].vouches(stateOf(t, filepath.Join(dir, name)), want) {
			t.Fatalf("the writer's record does not vouch for %s as written", name)
		}
	}

	// Damage a record's JSON inside the individuals' table, at once (the same timestamp
	// tick as the build, as likely as not): found, and built from Parquet.
	p := filepath.Join(dir, tableFileName(release.Individual))
	orig := readFile(t, p)
	i := bytes.Index(orig, []byte(`{"id":"i2"}`))
	if i < 0 {
		t.Fatal("no record JSON of i2 in the individuals' table")
	}
	damaged := bytes.Clone(orig)
	damaged[i+7] = 'X' // {"id":"X2"}
	writeFile(t, p, damaged)
	s, err := Open(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.mapping != nil {
		t.Fatal("a file written after the build was used on the strength of the build's record")
	}

	// A record forged for the damaged file: the file is not read to be checked.
	rec[tableFileName(release.Individual)] = indexStamp{CRC32C: im.Files[tableFileName(release.Individual)].CRC32C, FileState: stateOf(t, p)}
	writeIndexVerified(dir, rec)
	if s, err = Open(root, Options{}); err != nil || s.mapping == nil {
		t.Fatalf("with a record vouching for every file: mapped %v, %v", s != nil && s.mapping != nil, err)
	}
	row := s.rowsOf(t, release.Individual, "d1/i2").Minimum()
	if got := string(s.RecordJSON(release.Individual, row)); got != `{"id":"X2"}` {
		t.Fatalf("record of i2 %s: the damaged file was checked after all", got)
	}
}

// An open that checks a file in full records it once its times are settled, so the next open
// does not check it again; a file not settled (just written) is not recorded.
func TestIndexVerifiedByOpen(t *testing.T) {
	root := t.TempDir()
	dir := writeSmallIndex(t, root)
	if err := os.Remove(filepath.Join(dir, indexVerifiedName)); err != nil {
		t.Fatal(err)
	}
	// Just written (the build set the mtimes back, but the ctimes are now): not recorded.
	if s, err := Open(root, Options{}); err != nil || s.mapping == nil {
		t.Fatalf("mapped %v, %v", s != nil && s.mapping != nil, err)
	}
	if rec := readIndexVerified(dir); len(rec) != 0 {
		t.Fatalf("files changed just now were recorded: %v", rec)
	}
	defer func(d time.Duration) { indexSettleTime = d }(indexSettleTime)
	indexSettleTime = 0
	time.Sleep(10 * time.Millisecond) // past the ctimes' tick
	if s, err := Open(root, Options{}); err != nil || s.mapping == nil {
		t.Fatalf("mapped %v, %v", s != nil && s.mapping != nil, err)
	}
	rec := readIndexVerified(dir)
	var im indexManifest
	editManifest(t, dir, func(m *indexManifest) { im = *m })
	if len(rec) != len(im.Files) {
		t.Fatalf("the open recorded %d files of %d", len(rec), len(im.Files))
	}
	for name, want := range im.Files {
		if !rec[name].vouches(stateOf(t, filepath.Join(dir, name)), want) {
			t.Fatalf("the open's record does not vouch for %s", name)
		}
	}
}
