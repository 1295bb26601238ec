package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ReadDirFiles returns the contents of every file in dir by name: what a test compares two
// builds' index directories by. Dot files are left out: an index directory's .verified.json
// records the state (inode, times) of its files on this machine, which two builds never
// share.
func ReadDirFiles(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

// SameDirFiles fails unless got holds the files of want, byte for byte, naming the first
// differing offset; what names the comparison in the message.
func SameDirFiles(t testing.TB, what string, got, want map[string][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d files, want %d", what, len(got), len(want))
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Fatalf("%s: lacks %s", what, name)
		}
		if i := firstDiff(g, w); i >= 0 {
			t.Fatalf("%s: %s (%d bytes) differs from the wanted file (%d bytes) at byte %d", what, name, len(g), len(w), i)
		}
	}
}

// firstDiff returns the first offset at which a and b differ, -1 when they are equal.
func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}
