//go:build !unix

package engine

import (
	"io"
	"os"
	"unsafe"
)

// mapReadOnly reads the file into memory where there is no mmap: 8-byte aligned, as index
// files need.
func mapReadOnly(f *os.File, size int) ([]byte, error) {
	words := make([]uint64, (size+7)/8)
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, err
	}
	return b, nil
}

func unmapBytes([]byte) error { return nil }

// removeWhileOpen: not everywhere can an open file be removed; spill files are removed once
// read.
const removeWhileOpen = false
