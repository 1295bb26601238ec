package index

import "testing"

// Offsets are not checked at load, so At must turn offsets that decrease or overrun the blob
// (a damaged index file) into "", not a panic, and still read the good ones around them.
func TestStringsAtBadOffsets(t *testing.T) {
	s := Strings{data: "abcdef", offs: []uint64{0, 4, 2, 6, 9}}
	for i, want := range []string{"abcd", "", "cdef", ""} {
		if got := s.At(i); got != want {
			t.Errorf("At(%d) = %q, want %q", i, got, want)
		}
	}
}
