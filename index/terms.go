package index

import (
	"slices"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// TermIndexBuilder collects term postings as (term, row) pairs. It is not safe for concurrent use.
type TermIndexBuilder struct {
	b postingsBuilder
}

// NewTermIndexBuilder returns an empty builder.
func NewTermIndexBuilder() *TermIndexBuilder { return &TermIndexBuilder{} }

// Add records that row holds term.
func (b *TermIndexBuilder) Add(term string, row uint32) { b.b.add(term, row) }

// foldedEntry is the folded posting of a term some present term descends from.
type foldedEntry struct {
	bm *roaring.Bitmap
	n  uint64
}

// TermIndex maps ontology terms to row bitmaps, with descendants folded in at build time so a
// parent term costs one bitmap per query, not a union. The exact postings are flat (a term
// held by one row, such as an HGVS id, costs a few bytes); only terms with present
// descendants get a folded bitmap. It is immutable and safe for concurrent use.
type TermIndex struct {
	exact  postings
	folded map[string]foldedEntry

	termsOnce sync.Once
	terms     []string

	foldedOnce  sync.Once
	foldedTerms []string
}

// Build folds each term's rows into all of its ancestors in onto (which may be nil) and
// returns the index. A term whose folded set has a single contributor shares that bitmap
// instead of copying it. The builder must not be used afterwards.
func (b *TermIndexBuilder) Build(onto *Ontology) *TermIndex {
	exact, _ := b.b.build()
	t := newTermIndex(exact, onto)
	if b.b.spill != nil {
		b.b.spill.Drop() // folding read every key
	}
	return t
}

// newTermIndex returns the index of the exact postings, folded through onto (may be nil).
func newTermIndex(exact postings, onto *Ontology) *TermIndex {
	t := &TermIndex{exact: exact, folded: map[string]foldedEntry{}}
	if onto.Len() == 0 {
		return t
	}
	// contrib lists the exact terms (by index) that make up each ancestor's folded set.
	contrib := map[string][]int{}
	for i := range t.exact.len() {
		for _, a := range onto.Ancestors(t.exact.key(i)) {
			contrib[a] = append(contrib[a], i)
		}
	}
	for a, is := range contrib {
		parts := make([]*roaring.Bitmap, 0, len(is)+1)
		if j, ok := t.exact.find(a); ok {
			parts = append(parts, t.exact.bitmap(j))
		}
		for _, i := range is {
			parts = append(parts, t.exact.bitmap(i))
		}
		var bm *roaring.Bitmap
		if len(parts) == 1 {
			bm = parts[0]
		} else {
			bm = Compact(roaring.FastOr(parts...))
		}
		t.folded[a] = foldedEntry{bm: bm, n: bm.GetCardinality()}
	}
	return t
}

// Exact returns the rows holding exactly term. The bitmap may be shared and is never nil
// (Empty when absent); callers must not modify it.
func (t *TermIndex) Exact(term string) *roaring.Bitmap {
	if i, ok := t.exact.find(term); ok {
		return t.exact.bitmap(i)
	}
	return empty
}

// Folded returns the rows holding term or any of its descendants. The bitmap may be shared
// and is never nil (Empty when absent); callers must not modify it.
func (t *TermIndex) Folded(term string) *roaring.Bitmap {
	if f, ok := t.folded[term]; ok {
		return f.bm
	}
	return t.Exact(term)
}

// Has reports whether any row holds term or one of its descendants.
func (t *TermIndex) Has(term string) bool {
	if _, ok := t.folded[term]; ok {
		return true
	}
	_, ok := t.exact.find(term)
	return ok
}

// Terms returns the terms present exactly, sorted. The slice is shared: callers must not modify it.
func (t *TermIndex) Terms() []string {
	t.termsOnce.Do(func() {
		t.terms = make([]string, t.exact.len())
		for i := range t.terms {
			t.terms[i] = t.exact.key(i)
		}
	})
	return t.terms
}

// FoldedTerms returns the terms whose rows come (also) from their descendants: the ancestors
// of the present terms in the loaded ontologies, sorted. /filtering_terms lists them, since
// they find something (a network skips a member whose terms do not include the query's).
// The slice is shared: callers must not modify it.
func (t *TermIndex) FoldedTerms() []string {
	t.foldedOnce.Do(func() {
		t.foldedTerms = make([]string, 0, len(t.folded))
		for k := range t.folded {
			t.foldedTerms = append(t.foldedTerms, k)
		}
		slices.Sort(t.foldedTerms)
	})
	return t.foldedTerms
}

// Count returns the number of rows holding term (and, if descendants, any descendant).
func (t *TermIndex) Count(term string, descendants bool) uint64 {
	if descendants {
		if f, ok := t.folded[term]; ok {
			return f.n
		}
	}
	if i, ok := t.exact.find(term); ok {
		return t.exact.card(i)
	}
	return 0
}
