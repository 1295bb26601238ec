package engine

import (
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// scopedRows are rows of one entity: a filter's match before it is moved to the target.
type scopedRows struct {
	entity release.Entity
	rows   *roaring.Bitmap
}

// filterRows evaluates one filter on its scope: the entity it names, or else the first entity
// that knows its term or field, the queried entity first. The rows are those of that entity;
// Evaluate moves them to the target. A filter nobody knows matches nothing (on the target)
// and yields a warning.
func (s *Snapshot) filterRows(f *Filter, target release.Entity) (scopedRows, string, error) {
	if f.ID == "" {
		return scopedRows{}, "", badRequest("a filter needs an id")
	}
	if f.Scope != "" && !f.Scope.Known() {
		return scopedRows{}, "", badRequest("filter %q: unknown scope %q", f.ID, f.Scope)
	}
	switch f.Kind {
	case AlphanumericFilter:
		return s.alphanumericRows(f, target)
	default:
		return s.termRows(f, target)
	}
}

// scopes returns the entities to try for a filter, in order, in an array (no allocation per
// filter): out[:n].
func (s *Snapshot) scopes(f *Filter, target release.Entity) (out [8]release.Entity, n int) {
	if f.Scope != "" {
		out[0] = f.Scope
		return out, 1
	}
	out[0], n = target, 1
	for _, e := range release.Entities {
		if e != target && n < len(out) {
			out[n] = e
			n++
		}
	}
	return out, n
}

func (s *Snapshot) termRows(f *Filter, target release.Entity) (scopedRows, string, error) {
	descendants := f.IncludeDescendants && f.Kind == OntologyFilter
	scopes, n := s.scopes(f, target)
	for _, e := range scopes[:n] {
		t := s.tables[e]
		if t == nil {
			continue
		}
		// Without descendants only the term itself counts, so an entity that holds just a
		// descendant is not where this filter applies.
		var bm *roaring.Bitmap
		if descendants {
			bm = t.terms.Folded(f.ID)
		} else {
			bm = t.terms.Exact(f.ID)
		}
		if bm.IsEmpty() {
			continue
		}
		return scopedRows{e, bm}, "", nil
	}
	if s.knowsTerm(f.ID) {
		return scopedRows{target, roaring.New()}, "", nil
	}
	return scopedRows{target, roaring.New()}, "unknown filter term " + quote(f.ID) + ": no record of this beacon holds it and no loaded ontology defines it; it matches nothing", nil
}

// knowsTerm reports whether a term occurs in any table or in a loaded ontology.
func (s *Snapshot) knowsTerm(id string) bool {
	if s.onto != nil && s.onto.Has(id) {
		return true
	}
	for _, t := range s.tables {
		if t.terms.Has(id) {
			return true
		}
	}
	return false
}

func (s *Snapshot) alphanumericRows(f *Filter, target release.Entity) (scopedRows, string, error) {
	op := f.Operator
	if op == "" {
		op = "="
	}
	scopes, n := s.scopes(f, target)
	var buf [4]string
	for _, e := range scopes[:n] {
		t := s.tables[e]
		if t == nil {
			continue
		}
		paths := s.fieldPaths(t, f.ID, buf[:0])
		if len(paths) == 0 {
			continue
		}
		bm, err := t.matchPaths(paths, op, f.Value)
		if err != nil {
			return scopedRows{}, "", badRequest("filter %q: %v", f.ID, err)
		}
		return scopedRows{e, bm}, "", nil
	}
	return scopedRows{target, roaring.New()}, "unknown filter field " + quote(f.ID) + ": no record of this beacon has it (see /filtering_terms); it matches nothing", nil
}

// quote puts a filter id between quotes for a warning, cut to a short prefix: the id is
// client input, and a 4 MiB one must not come back in full.
func quote(s string) string {
	const max = 80
	if len(s) <= max {
		return "'" + s + "'"
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return "'" + s[:n] + "…'"
}
