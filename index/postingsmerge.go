package index

import (
	"container/heap"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// Indexes built over consecutive ranges of one row space (the partitions of a release,
// engine/partitionmerge.go) are merged without going back to their (key, row) pairs: the
// keys of every part are sorted, so one pass over them in key order meets each key once,
// and its rows are the union of its parts' rows shifted by their first rows. Replaying the
// pairs through a builder sorted and spilled every pair again and took over a third of a
// 10^6-variant merge. The postings are made by the same postingsOut as a build's, so they
// are those a build over the whole row space makes, down to the bytes of an index file.

// postingsCursor walks the keys of one part's postings.
type postingsCursor struct {
	p    *postings
	base uint32 // the part's first row in the merged row space
	i    int    // the current key
	part int
}

func (c *postingsCursor) key() string { return c.p.key(c.i) }

// cursorHeap orders the cursors by their current key, then by part.
type cursorHeap []*postingsCursor

func (h cursorHeap) Len() int { return len(h) }
func (h cursorHeap) Less(i, j int) bool {
	if c := strings.Compare(h[i].key(), h[j].key()); c != 0 {
		return c < 0
	}
	return h[i].part < h[j].part
}
func (h cursorHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)   { *h = append(*h, x.(*postingsCursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// mergePostings returns the postings of parts laid end to end, part i's rows shifted by
// bases[i] (ascending, the parts' row ranges disjoint), spilled through sp unless it is nil.
func mergePostings(parts []*postings, bases []uint32, sp Spill, what string) (postings, uint32, error) {
	var h cursorHeap
	for i, p := range parts {
		if p.len() > 0 {
			h = append(h, &postingsCursor{p: p, base: bases[i], part: i})
		}
	}
	heap.Init(&h)
	o := newPostingsOut(sp, what)
	for h.Len() > 0 {
		key := h[0].key()
		var first uint32 // the key's row while it has one
		var bm *roaring.Bitmap
		for n := 0; h.Len() > 0 && h[0].key() == key; n++ {
			c := h[0]
			r := c.p.one[c.i]
			switch {
			case n == 0 && r&multiFlag == 0:
				first = c.base + r
			default:
				if bm == nil {
					bm = roaring.New()
					if n > 0 {
						bm.Add(first)
					}
				}
				if r&multiFlag == 0 {
					bm.Add(c.base + r)
				} else {
					bm.Or(roaring.AddOffset(c.p.multi.get(int(r&^multiFlag)), c.base))
				}
			}
			if c.i++; c.i < c.p.len() {
				heap.Fix(&h, 0)
			} else {
				heap.Pop(&h)
			}
		}
		if bm == nil {
			o.addRow(key, first)
		} else {
			o.addBitmap(key, bm)
		}
	}
	return o.finish()
}

// MergeTermIndexes returns the term index of parts laid end to end, part i's rows shifted
// by bases[i] (ascending; the parts cover consecutive row ranges), folded through onto as
// Build folds: the index a builder given every part's pairs would build. Its postings are
// spilled through sp unless it is nil (what names the files); when a spill file fails, sp
// gets the error and the index is empty.
func MergeTermIndexes(parts []*TermIndex, bases []uint32, onto *Ontology, sp Spill, what string) *TermIndex {
	exact := make([]*postings, len(parts))
	for i, t := range parts {
		exact[i] = &t.exact
	}
	p, _, err := mergePostings(exact, bases, sp, what)
	if err != nil {
		sp.Fail(err)
		p = postings{}
	}
	t := newTermIndex(p, onto)
	if sp != nil {
		sp.Drop() // as Build does
	}
	return t
}

// MergeValueIndexes returns the value index over rows 0..universe-1 of parts laid end to
// end, as MergeTermIndexes does for term indexes: path by path, the numeric readings taken
// again from the merged values as Build takes them.
func MergeValueIndexes(parts []*ValueIndex, bases []uint32, universe uint32, sp Spill) *ValueIndex {
	x := &ValueIndex{universe: universe, fields: map[string]*field{}}
	for _, part := range parts {
		x.paths = append(x.paths, part.paths...)
	}
	slices.Sort(x.paths)
	x.paths = slices.Compact(x.paths)
	for i, p := range x.paths {
		x.paths[i] = strings.Clone(p) // not views of a part's files
	}
	var sc rankScratch
	var ps []*postings
	var bs []uint32
	for _, path := range x.paths {
		ps, bs = ps[:0], bs[:0]
		for i, part := range parts {
			if f := part.fields[path]; f != nil {
				ps, bs = append(ps, &f.p), append(bs, bases[i])
			}
		}
		p, _, err := mergePostings(ps, bs, sp, "values")
		if err != nil {
			sp.Fail(err)
			return &ValueIndex{universe: universe, fields: map[string]*field{}}
		}
		x.fields[path] = newField(p, &sc, universe, sp)
		if sp != nil {
			sp.Drop() // as Build does
		}
	}
	return x
}
