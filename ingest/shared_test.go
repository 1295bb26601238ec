package ingest

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDir locates the shared data folder: $BITBEACON_SHARED, or ../shared next to the
// repository root (found by walking up to go.mod). The data is never copied into the repo;
// a missing folder fails the test rather than skipping it, so a broken setup is noticed.
func sharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("BITBEACON_SHARED"); d != "" {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			t.Fatalf("BITBEACON_SHARED=%s is not a directory: %v", d, err)
		}
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared")
			if st, err := os.Stat(d); err != nil || !st.IsDir() {
				t.Fatalf("shared data folder %s not found (set BITBEACON_SHARED): %v", d, err)
			}
			return d
		}
		if filepath.Dir(dir) == dir {
			t.Fatalf("no go.mod above %s; set BITBEACON_SHARED to the shared data folder", wd)
		}
	}
}

// sharedFile returns the path of a file under the shared folder, failing if it is missing.
func sharedFile(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(sharedDir(t), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared file missing: %v", err)
	}
	return p
}
