//go:build unix

package suite

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// freeDisk is the space free to an unprivileged writer on the filesystem holding dir (or
// its nearest existing parent: the work directory may not exist yet); 0 when unknown.
func freeDisk(dir string) uint64 {
	for dir != "" {
		var st unix.Statfs_t
		if err := unix.Statfs(dir, &st); err == nil {
			return uint64(st.Bavail) * uint64(st.Bsize)
		} else if !os.IsNotExist(err) {
			return 0
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return 0
		}
		dir = parent
	}
	return 0
}
