package engine

import (
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// rssFileKiB reads the process's resident file-backed memory.
func rssFileKiB(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "RssFile:" {
			n, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

// TestDropPagesLeavesResidentMemory maps a file, reads it all, drops the pages written out
// and checks that they left the resident set and still read back the same.
func TestDropPagesLeavesResidentMemory(t *testing.T) {
	const size = 64 << 20
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	mp := &mapping{}
	b, _, err := mp.mapFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mp.unmap()
	sum := 0
	for i := 0; i < size; i += 4096 {
		sum += int(b[i+1])
	}
	touched := rssFileKiB(t)
	mp.dropPages(b[100 : size-100]) // not page-aligned: the pages around go too
	mp.dropPages(data[:1<<20])      // not in a map: nothing happens
	dropped := rssFileKiB(t)
	if touched-dropped < size/1024*3/4 {
		t.Errorf("RssFile %d KiB after reading the map, %d after dropping its %d KiB", touched, dropped, size>>10)
	}
	for i := range b {
		if b[i] != data[i] {
			t.Fatalf("byte %d reads %d after dropping, want %d", i, b[i], data[i])
		}
	}
	if sum == 0 {
		t.Error("the map reads zeros")
	}
}

// mapRssKiB reads the resident memory of the map starting at b from /proc/self/smaps.
func mapRssKiB(t *testing.T, b []byte) int {
	t.Helper()
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	start := strconv.FormatUint(uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b)))), 16)
	in := false
	for _, l := range strings.Split(string(smaps), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		if lo, _, ok := strings.Cut(f[0], "-"); ok && !strings.HasSuffix(f[0], ":") {
			in = strings.TrimLeft(lo, "0") == start
			continue
		}
		if in && f[0] == "Rss:" && len(f) >= 2 {
			n, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no map at %s in /proc/self/smaps", start)
	return 0
}

// TestBuildLeavesNoSpillPagesResident builds a release from Parquet and checks that none of
// the pages of its spill files that the build read back (ids hashed, postings merged, the
// carriedBy image decoded) are left resident: at 10^7 variants they were 3 GB of the peak.
func TestBuildLeavesNoSpillPagesResident(t *testing.T) {
	s := loadSpilled(t)
	s.spilled.mu.Lock()
	files := maps.Clone(s.spilled.files)
	s.spilled.mu.Unlock()
	if len(files) < 5 {
		t.Fatalf("%d spill files mapped, want the ids, records, carriers, carriedBy image and more", len(files))
	}
	for name, b := range files {
		if kib := mapRssKiB(t, b); kib != 0 {
			t.Errorf("%s: %d KiB of its map resident after the build", filepath.Base(name), kib)
		}
	}
	if got := s.variants.carriedBy[1].GetCardinality(); got != 2 { // b2 carries v1 and v2
		t.Errorf("biosample row 1 carries %d variants after the drop, want 2", got)
	}
}
