package index

import (
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// TermIndexBuilder collects term postings. It is not safe for concurrent use.
type TermIndexBuilder struct {
	m map[string]*roaring.Bitmap
}

// NewTermIndexBuilder returns an empty builder.
func NewTermIndexBuilder() *TermIndexBuilder {
	return &TermIndexBuilder{m: make(map[string]*roaring.Bitmap)}
}

// Add records that row holds term.
func (b *TermIndexBuilder) Add(term string, row uint32) {
	bm := b.m[term]
	if bm == nil {
		bm = roaring.New()
		b.m[term] = bm
	}
	bm.Add(row)
}

// termEntry keeps both postings of a term with their cardinalities, so a count costs a lookup.
type termEntry struct {
	exact, folded   *roaring.Bitmap // exact is nil for terms present only via descendants
	nExact, nFolded uint64
}

// TermIndex maps ontology terms to row bitmaps, with descendants folded in at build time so a
// parent term costs one bitmap per query, not a union. It is immutable and safe for concurrent use.
type TermIndex struct {
	slot    map[string]int32
	entries []termEntry
	terms   []string // exact terms, sorted; entries[i] belongs to terms[i] for i < len(terms)
}

// Build folds each term's rows into all of its ancestors in onto (which may be nil) and
// returns the index. A term whose folded set has a single contributor shares that bitmap
// instead of copying it. The builder must not be used afterwards: its bitmaps move into the index.
func (b *TermIndexBuilder) Build(onto *Ontology) *TermIndex {
	terms := make([]string, 0, len(b.m))
	for t := range b.m {
		terms = append(terms, t)
	}
	slices.Sort(terms)

	t := &TermIndex{
		slot:    make(map[string]int32, len(terms)),
		entries: make([]termEntry, len(terms)),
		terms:   terms,
	}
	// contrib[s] lists the exact bitmaps that make up slot s's folded set.
	contrib := make([][]*roaring.Bitmap, len(terms))
	for i, term := range terms {
		bm := b.m[term]
		bm.RunOptimize()
		t.slot[term] = int32(i)
		t.entries[i] = termEntry{exact: bm, nExact: bm.GetCardinality()}
		contrib[i] = append(contrib[i], bm)
	}
	for i, term := range terms {
		for _, a := range onto.Ancestors(term) {
			s, ok := t.slot[a]
			if !ok {
				s = int32(len(t.entries))
				t.slot[a] = s
				t.entries = append(t.entries, termEntry{})
				contrib = append(contrib, nil)
			}
			contrib[s] = append(contrib[s], t.entries[i].exact)
		}
	}
	for s, bs := range contrib {
		e := &t.entries[s]
		if len(bs) == 1 {
			e.folded = bs[0]
		} else {
			e.folded = roaring.FastOr(bs...)
			e.folded.RunOptimize()
		}
		e.nFolded = e.folded.GetCardinality()
	}
	b.m = nil
	return t
}

// Exact returns the rows holding exactly term. The bitmap is shared and never nil (Empty when
// absent); callers must not modify it.
func (t *TermIndex) Exact(term string) *roaring.Bitmap {
	if s, ok := t.slot[term]; ok && t.entries[s].exact != nil {
		return t.entries[s].exact
	}
	return empty
}

// Folded returns the rows holding term or any of its descendants. The bitmap is shared and
// never nil (Empty when absent); callers must not modify it.
func (t *TermIndex) Folded(term string) *roaring.Bitmap {
	if s, ok := t.slot[term]; ok {
		return t.entries[s].folded
	}
	return empty
}

// Has reports whether any row holds term or one of its descendants.
func (t *TermIndex) Has(term string) bool {
	_, ok := t.slot[term]
	return ok
}

// Terms returns the terms present exactly, sorted. The slice is shared: callers must not modify it.
func (t *TermIndex) Terms() []string { return t.terms }

// Count returns the number of rows holding term (and, if descendants, any descendant).
func (t *TermIndex) Count(term string, descendants bool) uint64 {
	s, ok := t.slot[term]
	if !ok {
		return 0
	}
	if descendants {
		return t.entries[s].nFolded
	}
	return t.entries[s].nExact
}
