package engine

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
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
	b, err := mp.mapFile(path)
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
