package suite

import (
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// evictFromPageCache asks the kernel to drop the cached pages of every file under dir (clean,
// unmapped pages go; the index files were fsynced when written). Otherwise the pages the
// index build wrote would stay charged to this process's cgroup, and the server would map
// them for free.
func evictFromPageCache(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
	})
}
