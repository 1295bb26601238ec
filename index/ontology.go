package index

import (
	"slices"
	"sync/atomic"
)

// TermParents is one ontology term with its direct is_a parents.
type TermParents struct {
	ID      string
	Parents []string
}

// Ontology is an immutable is_a graph. Closures are computed on first use and memoised per
// term, so a release pays only for the terms its data and queries touch. It is safe for
// concurrent use. Cycles (which do occur in merged ontologies) are tolerated: a term is never
// its own ancestor.
type Ontology struct {
	ids     map[string]int32
	names   []string
	parents [][]int32
	anc     []atomic.Pointer[[]string]
}

// NewOntology builds the graph. A parent that is never listed as a term still becomes a node,
// so cross-ontology parents keep their place in the hierarchy. Repeated IDs merge their parents.
func NewOntology(terms []TermParents) *Ontology {
	o := &Ontology{ids: make(map[string]int32, len(terms))}
	node := func(id string) int32 {
		if n, ok := o.ids[id]; ok {
			return n
		}
		n := int32(len(o.names))
		o.ids[id] = n
		o.names = append(o.names, id)
		o.parents = append(o.parents, nil)
		return n
	}
	for _, t := range terms {
		c := node(t.ID)
		for _, p := range t.Parents {
			pn := node(p)
			if pn != c && !slices.Contains(o.parents[c], pn) {
				o.parents[c] = append(o.parents[c], pn)
			}
		}
	}
	o.anc = make([]atomic.Pointer[[]string], len(o.names))
	return o
}

// Len returns the number of terms, including parents that were only referenced.
func (o *Ontology) Len() int {
	if o == nil {
		return 0
	}
	return len(o.names)
}

// Has reports whether id is a node of the graph.
func (o *Ontology) Has(id string) bool {
	if o == nil {
		return false
	}
	_, ok := o.ids[id]
	return ok
}

// Ancestors returns the transitive is_a parents of id, without id itself, sorted. The slice is
// shared: callers must not modify it. Unknown ids have none.
func (o *Ontology) Ancestors(id string) []string {
	if o == nil {
		return nil
	}
	n, ok := o.ids[id]
	if !ok {
		return nil
	}
	return o.closure(n)
}

// closure walks the parent edges breadth-first from n. Two goroutines may race to fill the same slot;
// both compute the same answer, so the loser's work is merely wasted.
func (o *Ontology) closure(n int32) []string {
	edges, memo := o.parents, o.anc
	if p := memo[n].Load(); p != nil {
		return *p
	}
	var out []string
	if len(edges[n]) > 0 {
		seen := map[int32]struct{}{n: {}}
		queue := append([]int32(nil), edges[n]...)
		for _, e := range queue {
			seen[e] = struct{}{}
		}
		for i := 0; i < len(queue); i++ {
			for _, e := range edges[queue[i]] {
				if _, ok := seen[e]; !ok {
					seen[e] = struct{}{}
					queue = append(queue, e)
				}
			}
		}
		out = make([]string, 0, len(queue))
		for _, e := range queue {
			if e != n {
				out = append(out, o.names[e])
			}
		}
		slices.Sort(out)
	}
	memo[n].Store(&out)
	return out
}
