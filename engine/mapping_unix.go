//go:build unix

package engine

import (
	"os"
	"syscall"
)

// mapReadOnly maps size bytes of f read-only and shared: pages come from the page cache, and
// a write through the mapping faults instead of changing the file.
func mapReadOnly(f *os.File, size int) ([]byte, error) {
	return syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
}

func unmapBytes(b []byte) error { return syscall.Munmap(b) }

// removeWhileOpen: an open file's name can be removed, its data living on until closed and
// unmapped.
const removeWhileOpen = true
