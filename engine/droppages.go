package engine

import (
	"os"
	"unsafe"
)

// An index build copies the spill files (spill.go) into the index files through their maps,
// and every page it reads stays in its resident memory while mapped: at 10^7 variants ×
// 2,504 samples that was about 9 GB of the build's 18.8 GB peak. The build drops each span
// of a map from its resident set once written (the page cache keeps the data, and a later
// read faults it back in), so the copy costs a few spans, not the files.

// dropPages drops the pages of p from the process's resident memory when p lies inside one
// of m's maps; otherwise, and for spans smaller than a page, it does nothing.
func (m *mapping) dropPages(p []byte) {
	page := os.Getpagesize()
	if len(p) < page {
		return
	}
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range m.files {
		if len(b) == 0 {
			continue
		}
		base := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		if addr < base || addr+uintptr(len(p)) > base+uintptr(len(b)) {
			continue
		}
		lo := int(addr-base) &^ (page - 1) // maps start on a page
		hi := min(int(addr-base)+len(p), len(b))
		_ = dontNeed(b[lo:hi])
		return
	}
}

// dropAll drops every page of m's maps from the process's resident memory.
func (m *mapping) dropAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range m.files {
		if len(b) > 0 {
			_ = dontNeed(b)
		}
	}
}
