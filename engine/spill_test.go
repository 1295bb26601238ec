package engine

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// spillRelease writes a small release with variants whose carriers and zygosity go through
// every spill file.
func spillRelease(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	writeRelease(t, root, nil, dsData{id: "d", assembly: "GRCh38",
		records: map[release.Entity][]release.Record{
			release.Individual: {rec("i1"), rec("i2")},
			release.Biosample:  {rec("b1", "I:i1"), rec("b2", "I:i2")},
		},
		samples: []string{"b1", "b2"},
		variants: []release.Variant{
			{Record: release.Record{ID: "v1"}, Chrom: "1", Start: 10, End: 11, Ref: "A", Alt: "G", CarrierBits: roaring.BitmapOf(0, 1), CaseLevelFromCarriers: true,
				Zygosity: []release.ZygositySet{{ID: "GENO:0000136", Label: "homozygous", Bits: roaring.BitmapOf(1)}}},
			{Record: release.Record{ID: "v2"}, Chrom: "1", Start: 20, End: 21, Ref: "C", Alt: "T", CarrierBits: roaring.BitmapOf(1)},
		},
	})
	return root
}

// TestBuildLeavesNoSpillFiles checks that a build from Parquet leaves nothing in its spill
// directory, and that what it spilled reads back.
func TestBuildLeavesNoSpillFiles(t *testing.T) {
	root := spillRelease(t)
	spillDir := t.TempDir()
	r, err := release.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	s, err := load(r, Options{SpillDir: spillDir})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.variants.carriers.appendTo(nil, 0); len(got) != 2 {
		t.Errorf("variant 0 carriers %v, want 2", got)
	}
	if got := string(s.variants.record(1)); got != `{"variantInternalId":"v2"}` {
		t.Errorf("variant 1 record %s", got)
	}
	if _, err := WriteIndex(root, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{spillDir, root} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.Contains(d.Name(), ".bitbeacon-build-") {
				t.Errorf("spill file left behind: %s", p)
			}
			return nil
		})
	}
}

// TestSpillFailureIsAnError checks that a spill directory that cannot be written fails the
// build with an error naming the spill file, not a crash.
func TestSpillFailureIsAnError(t *testing.T) {
	root := spillRelease(t)
	r, err := release.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	_, err = load(r, Options{SpillDir: filepath.Join(t.TempDir(), "missing")})
	if err == nil || !strings.Contains(err.Error(), "spill file") {
		t.Fatalf("load with a missing spill directory: %v", err)
	}
}

// loadSpilled builds spillRelease's snapshot from Parquet, spilling, and unmaps its spill
// files when the test ends.
func loadSpilled(t *testing.T) *Snapshot {
	t.Helper()
	r, err := release.Open(spillRelease(t))
	if err != nil {
		t.Fatal(err)
	}
	s, err := load(r, Options{SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.spilled.unmap)
	return s
}

// inSpillMap reports whether the data of s lies inside one of mp's maps.
func inSpillMap[T any](mp *mapping, s []T) bool {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	mp.mu.Lock()
	defer mp.mu.Unlock()
	for _, b := range mp.files {
		if lo := uintptr(unsafe.Pointer(unsafe.SliceData(b))); len(s) > 0 && p >= lo && p < lo+uintptr(len(b)) {
			return true
		}
	}
	return false
}

// TestBuildMapsPerVariantArrays checks that the arrays of a variant table built from Parquet
// that hold an entry per variant are spill files' maps, not heap that grows with the
// variants (the id lookup below idBucketPairs ids is sorted in memory, so it is made small).
func TestBuildMapsPerVariantArrays(t *testing.T) {
	defer func(n int) { idBucketPairs = n }(idBucketPairs)
	idBucketPairs = 1
	s := loadSpilled(t)
	vt := s.variants
	for what, mapped := range map[string]bool{
		"start":            inSpillMap(s.spilled, vt.start),
		"end":              inSpillMap(s.spilled, vt.end),
		"carrier offsets":  inSpillMap(s.spilled, vt.carriers.offs),
		"zygosity offsets": inSpillMap(s.spilled, vt.cl.at),
		"id hashes":        inSpillMap(s.spilled, vt.byID.hashes),
		"id rows":          inSpillMap(s.spilled, vt.byID.rows),
	} {
		if !mapped {
			t.Errorf("%s: not in a spill file's map", what)
		}
	}
	if got := vt.rowsOf("v2"); len(got) != 1 || got[0] != 1 {
		t.Errorf("rows of v2 %v, want [1]", got)
	}
}
