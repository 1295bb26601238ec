package engine

import "syscall"

// dontNeed advises the kernel that the mapped pages of b (starting on a page) are not
// needed: they leave the resident set, and a later read faults them in from the file.
func dontNeed(b []byte) error { return syscall.Madvise(b, syscall.MADV_DONTNEED) }
