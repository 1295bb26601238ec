package index

import (
	"fmt"
	"unsafe"
)

// Strings is an immutable list of strings kept as one blob and n+1 offsets: a million strings
// cost two allocations (none when mapped from an index file) instead of a million headers and
// the batches they would pin.
type Strings struct {
	data string
	offs []uint64
}

// Len returns the number of strings.
func (s *Strings) Len() int {
	if len(s.offs) == 0 {
		return 0
	}
	return len(s.offs) - 1
}

// At returns string i. The result aliases the blob (mapped memory when loaded from a file).
// Offsets that decrease or overrun the blob (a damaged or miswritten index file) give "":
// they are checked here, where they are read anyway, not at load, where a pass over every
// offset of a variant-sized table made ready O(rows).
func (s *Strings) At(i int) string {
	a, b := s.offs[i], s.offs[i+1]
	if a > b || b > uint64(len(s.data)) {
		return ""
	}
	return s.data[a:b]
}

// Raw returns the blob and the n+1 offsets into it, for a writer that splices lists whole
// (the partition merge, engine/partitionsplice.go). Callers must not modify the offsets.
func (s *Strings) Raw() (data string, offs []uint64) { return s.data, s.offs }

// StringsBuilder appends strings to a blob.
type StringsBuilder struct {
	data []byte
	offs []uint64
}

// Add appends s.
func (b *StringsBuilder) Add(s string) {
	if b.offs == nil {
		b.offs = append(b.offs, 0)
	}
	if need := len(b.data) + len(s); need > cap(b.data) {
		// Double: append grows large slices by a quarter, copying a blob of records four
		// times over while it is built.
		grown := make([]byte, len(b.data), max(2*cap(b.data), need, 4096))
		copy(grown, b.data)
		b.data = grown
	}
	b.data = append(b.data, s...)
	b.offs = append(b.offs, uint64(len(b.data)))
}

// AddAll appends every string of l.
func (b *StringsBuilder) AddAll(l Strings) {
	for i := range l.Len() {
		b.Add(l.At(i))
	}
}

// AddBytes appends p as a string.
func (b *StringsBuilder) AddBytes(p []byte) { b.Add(unsafe.String(unsafe.SliceData(p), len(p))) }

// Len returns the number of strings added.
func (b *StringsBuilder) Len() int { return max(len(b.offs)-1, 0) }

// At returns string i added so far; valid until the next Add.
func (b *StringsBuilder) At(i int) string {
	return unsafe.String(unsafe.SliceData(b.data[b.offs[i]:]), int(b.offs[i+1]-b.offs[i]))
}

// Build returns the list, trimmed of spare capacity. The builder must not be used afterwards.
func (b *StringsBuilder) Build() Strings {
	data, offs := trimmed(b.data), trimmed(b.offs)
	b.data, b.offs = nil, nil
	return Strings{data: unsafe.String(unsafe.SliceData(data), len(data)), offs: offs}
}

// trimmed returns s, or a copy without its spare capacity when that is over an eighth.
func trimmed[T any](s []T) []T {
	if cap(s)-len(s) <= len(s)/8 {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}

// StringsFrom returns the list of strings held in data at offs, a blob and its n+1 offsets
// built elsewhere (by a builder that wrote the blob to a file, say).
func StringsFrom(data string, offs []uint64) (Strings, error) {
	if len(offs) == 0 {
		if len(data) != 0 {
			return Strings{}, fmt.Errorf("%w: string blob without offsets", ErrCorrupt)
		}
		return Strings{}, nil
	}
	if offs[0] != 0 || offs[len(offs)-1] != uint64(len(data)) {
		return Strings{}, fmt.Errorf("%w: string offsets do not span their blob", ErrCorrupt)
	}
	return Strings{data: data, offs: offs}, nil
}
