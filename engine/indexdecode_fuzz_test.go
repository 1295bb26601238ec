package engine

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unsafe"

	"github.com/bitbeacon/bitbeacon/release"
)

// The engine's index files (the snapshot file and one table file per entity) pass their
// size and CRC-32C checks before they are decoded, so only a writer bug or a hand-made file
// reaches Snapshot.decode with bad bytes. Even then it must fail with an error, not panic:
// openIndexed's recover is the last guard, not the first.

// FuzzSnapshotDecode replaces one index file of a small release (carriers, zygosity, two
// datasets) with the fuzzer's bytes and decodes the set.
func FuzzSnapshotDecode(f *testing.F) {
	root := f.TempDir()
	onto := []release.OntologyTerm{{ID: "NCIT:C16576", Label: "female", Parents: []string{"NCIT:C17357"}}}
	writeRelease(f, root, onto, smallDataset("d1", "i1", "i2"), smallDataset("d2", "i3"))
	dir, err := WriteIndex(root, Options{})
	if err != nil {
		f.Fatal(err)
	}
	r, err := release.Open(root)
	if err != nil {
		f.Fatal(err)
	}
	idx := release.IndexDir(dir)
	names, err := filepath.Glob(filepath.Join(idx, "*"))
	if err != nil {
		f.Fatal(err)
	}
	files := map[string][]byte{}
	var order []string
	for _, p := range names {
		if filepath.Base(p) == indexManifestName {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		files[filepath.Base(p)] = b
		order = append(order, filepath.Base(p))
	}
	slices.Sort(order)
	if len(order) < 3 {
		f.Fatalf("index files %v: want the snapshot file and table files", order)
	}
	decode := func(files map[string][]byte) error {
		s, err := newSnapshot(r)
		if err != nil {
			f.Fatal(err)
		}
		return s.decode(files)
	}
	// The files as written decode: the fuzzer starts from valid ones.
	if err := decode(alignedFiles(files, "", nil)); err != nil {
		f.Fatalf("the written index files do not decode: %v", err)
	}
	for i, name := range order {
		f.Add(uint8(i), files[name])
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		_ = decode(alignedFiles(files, order[int(which)%len(order)], data)) // a panic fails
	})
}

// alignedFiles copies files into 8-byte aligned memory, as their mappings are, with the file
// named replace holding data instead.
func alignedFiles(files map[string][]byte, replace string, data []byte) map[string][]byte {
	out := make(map[string][]byte, len(files))
	for name, b := range files {
		if name == replace {
			b = data
		}
		w := make([]uint64, (len(b)+7)/8)
		a := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), len(b))
		copy(a, b)
		out[name] = a
	}
	return out
}
