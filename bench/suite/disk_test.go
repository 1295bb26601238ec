package suite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// buildFits refuses a scale when either the memory or the disk estimate exceeds what is
// there, naming which, and lets it through when the figures are unknown (0).
func TestBuildFits(t *testing.T) {
	ten := Scale{Variants: 10_000_000, Samples: 2504}
	const gb = 1 << 30
	for _, c := range []struct {
		mem, disk uint64
		want      string // "" fits
	}{
		{32 * gb, 40 * gb, ""},
		{0, 0, ""},
		{4 * gb, 40 * gb, "takes about 9.0 GiB"},
		{32 * gb, 14 * gb, "needs about 27.9 GiB of disk at its peak (3.0 KB per variant, measured at 10^6), 14.0 GiB is free under /work"},
		{32 * gb, 0, ""},
	} {
		err := buildFits(ten, c.mem, c.disk, "/work")
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("memory %d, disk %d: %v, want %q", c.mem, c.disk, err, c.want)
		}
	}
	if err := buildFits(Scale{Variants: 10_000, Samples: 2504}, 1*gb, 1*gb, "/work"); err != nil {
		t.Errorf("10^4 in 1 GiB: %v", err)
	}
}

// freeDisk reads the filesystem of the nearest existing parent of a directory not made yet.
func TestFreeDisk(t *testing.T) {
	dir := t.TempDir()
	if free := freeDisk(dir); free == 0 {
		t.Fatal("no free space read for a temporary directory")
	}
	if got, want := freeDisk(filepath.Join(dir, "not", "yet")), freeDisk(dir); got == 0 || got > want+want/10 || got < want-want/10 {
		t.Errorf("free under a directory not made yet: %d, its parent's %d", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "not")); err == nil {
		t.Error("freeDisk made the directory")
	}
}
