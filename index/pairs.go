package index

// An index built over part of a row space is merged with the others by replaying it: the
// (key, row) pairs it was built from, handed to one builder with the rows shifted by the
// part's first row, build exactly the index a build over the whole row space would have
// (the builders sort the pairs by key and row; engine/partitionmerge.go).

// pairs calls fn with each key, ascending, and each of its rows, ascending.
func (p *postings) pairs(fn func(key string, row uint32)) {
	for i := range p.len() {
		k := p.key(i)
		p.iterate(i, func(r uint32) { fn(k, r) })
	}
}

// Pairs calls fn with every (term, row) pair t was built from (its exact postings; the
// folded ones are derived again by Build).
func (t *TermIndex) Pairs(fn func(term string, row uint32)) { t.exact.pairs(fn) }

// Pairs calls fn with every (path, value, row) triple x was built from, path by path.
func (x *ValueIndex) Pairs(fn func(path, value string, row uint32)) {
	for _, path := range x.paths {
		x.fields[path].p.pairs(func(v string, r uint32) { fn(path, v, r) })
	}
}
