//go:build !linux

package engine

// dontNeed does nothing where madvise is not used: the pages stay until unmapped.
func dontNeed([]byte) error { return nil }
