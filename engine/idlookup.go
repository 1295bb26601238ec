package engine

import (
	"slices"
	"sort"

	"github.com/bitbeacon/bitbeacon/index"
)

// idLookup finds the rows of a record id through a sorted array of (hash, row) pairs
// checked against the ids themselves: 12 bytes a row, flat (mappable), where a map from id
// to rows cost over a hundred bytes and one allocation per row.
type idLookup struct {
	hashes []uint64 // ascending
	rows   []uint32 // rows[i] has hashes[i]; ascending within one hash
}

// idHash is 64-bit FNV-1a: stable across processes, since index files store it.
func idHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func newIDLookup(ids *index.Strings) idLookup {
	n := ids.Len()
	type pair struct {
		h   uint64
		row uint32
	}
	ps := make([]pair, n)
	sorted := true
	for i := range ps {
		ps[i] = pair{idHash(ids.At(i)), uint32(i)}
		if i > 0 && ps[i].h < ps[i-1].h {
			sorted = false
		}
	}
	if !sorted {
		slices.SortFunc(ps, func(a, b pair) int {
			if a.h != b.h {
				if a.h < b.h {
					return -1
				}
				return 1
			}
			return int(a.row) - int(b.row)
		})
	}
	l := idLookup{hashes: make([]uint64, n), rows: make([]uint32, n)}
	for i, p := range ps {
		l.hashes[i], l.rows[i] = p.h, p.row
	}
	return l
}

// lookup appends to dst the rows whose id is id, ascending.
func (l *idLookup) lookup(ids *index.Strings, id string, dst []uint32) []uint32 {
	h := idHash(id)
	i := sort.Search(len(l.hashes), func(i int) bool { return l.hashes[i] >= h })
	for ; i < len(l.hashes) && l.hashes[i] == h; i++ {
		if r := l.rows[i]; int(r) < ids.Len() && ids.At(int(r)) == id {
			dst = append(dst, r)
		}
	}
	return dst
}

// lookupIn returns the first row in [lo, hi) whose id is id. Rows of one hash are ascending,
// so the candidates before lo are skipped by a binary search instead of compared: an id that
// a thousand datasets share (one cohort) has a thousand rows, and a lookup within one
// dataset's span then compares one of them, not all.
func (l *idLookup) lookupIn(ids *index.Strings, id string, lo, hi uint32) (uint32, bool) {
	h := idHash(id)
	i := sort.Search(len(l.hashes), func(i int) bool { return l.hashes[i] >= h })
	end := i + sort.Search(len(l.hashes)-i, func(k int) bool { return l.hashes[i+k] > h })
	i += sort.Search(end-i, func(k int) bool { return l.rows[i+k] >= lo })
	for ; i < end && l.rows[i] < hi; i++ {
		if r := l.rows[i]; int(r) < ids.Len() && ids.At(int(r)) == id {
			return r, true
		}
	}
	return 0, false
}
