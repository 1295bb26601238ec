package engine

import (
	"sort"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// FilteringTerm is one filter id a query may use, as /filtering_terms lists it.
type FilteringTerm struct {
	// Type is "ontologyTerm" or "alphanumeric".
	Type   string
	ID     string
	Label  string
	Scopes []release.Entity
	// Values lists the possible values of a categorical alphanumeric field (few distinct ones).
	Values []string
}

// maxListedValues bounds Values: a field with more distinct values is not categorical.
const maxListedValues = 20

// FilteringTerms lists the terms and fields present in the release, optionally only in one
// entity (scope) and one dataset, sorted by id: the terms records hold and the ancestors
// that find them through descendant expansion.
func (s *Snapshot) FilteringTerms(scope release.Entity, datasetID string) []FilteringTerm {
	if datasetID == "" {
		return s.filteringTerms(scope, nil)
	}
	d, ok := s.datasetIndex[datasetID]
	if !ok {
		return nil
	}
	return s.filteringTerms(scope, []uint16{d})
}

// FilteringTermsIn is FilteringTerms of the records of several datasets (positions in
// Datasets, ascending): what a caller who may see only those is told. Each term is tested
// once against the union of the datasets' rows, however many datasets there are.
func (s *Snapshot) FilteringTermsIn(scope release.Entity, datasets []uint16) []FilteringTerm {
	if datasets == nil {
		datasets = []uint16{}
	}
	return s.filteringTerms(scope, datasets)
}

// filteringTerms lists the terms of the records of datasets, nil for all of them.
func (s *Snapshot) filteringTerms(scope release.Entity, datasets []uint16) []FilteringTerm {
	dsFilter := datasets != nil
	byKey := map[string]*FilteringTerm{}
	add := func(typ, id string, e release.Entity, values []string) {
		key := typ + "\x00" + id
		ft := byKey[key]
		if ft == nil {
			ft = &FilteringTerm{Type: typ, ID: id, Label: s.Label(id), Values: values}
			byKey[key] = ft
		}
		ft.Scopes = append(ft.Scopes, e)
	}
	for _, e := range release.Entities {
		t := s.tables[e]
		if t == nil || (scope != "" && e != scope) {
			continue
		}
		var within *roaring.Bitmap
		switch {
		case len(datasets) == 1:
			within = t.byDataset[datasets[0]]
		case dsFilter:
			within = s.byDatasets(datasets, t)
		}
		listed := map[string]bool{}
		for _, term := range t.terms.Terms() {
			if dsFilter && !t.terms.Exact(term).Intersects(within) {
				continue
			}
			listed[term] = true
			add("ontologyTerm", term, e, nil)
		}
		// Ancestors reached by descendant expansion find records too: list them.
		for _, term := range t.terms.FoldedTerms() {
			if listed[term] || (dsFilter && !t.terms.Folded(term).Intersects(within)) {
				continue
			}
			add("ontologyTerm", term, e, nil)
		}
		for _, path := range t.values.Paths() {
			// A field of ontology terms (geographicOrigin) is listed by its own name, which
			// compares the terms' labels and ids (fieldnames.go), with its labels as values.
			id, ok := path, !skipFieldTerm(path)
			if obj, isLabel := strings.CutSuffix(path, ".label"); isLabel && obj != "" && t.values.Has(obj+".id") {
				id, ok = obj, true
			}
			if !ok {
				continue
			}
			var vals []string
			if dsFilter {
				if vals = t.values.ValuesWithin(path, within, maxListedValues+1); len(vals) == 0 {
					continue
				}
			} else {
				vals = t.values.Values(path, maxListedValues+1)
			}
			if len(vals) > maxListedValues {
				vals = nil
			}
			add("alphanumeric", id, e, vals)
		}
	}
	out := make([]FilteringTerm, 0, len(byKey))
	for _, ft := range byKey {
		out = append(out, *ft)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Type < out[j].Type
	})
	return out
}

// skipFieldTerm hides fields that are ontology term ids or labels (the term itself is the
// filter) and free-text notes, which make poor alphanumeric filters.
func skipFieldTerm(path string) bool {
	return path == "id" || strings.HasSuffix(path, ".id") || strings.HasSuffix(path, ".label") ||
		path == "notes" || strings.HasSuffix(path, ".notes") || path == "datasetId"
}

// Prefixes returns the CURIE prefixes of the listed ontology terms, sorted.
func Prefixes(terms []FilteringTerm) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range terms {
		if t.Type != "ontologyTerm" {
			continue
		}
		if i := strings.IndexByte(t.ID, ':'); i > 0 && !seen[t.ID[:i]] {
			seen[t.ID[:i]] = true
			out = append(out, t.ID[:i])
		}
	}
	sort.Strings(out)
	return out
}
