package engine

import (
	"slices"
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
)

func termIDs(fts []FilteringTerm, typ string) []string {
	out := []string{}
	for _, ft := range fts {
		if ft.Type == typ {
			out = append(out, ft.ID)
		}
	}
	return out
}

func TestFilteringTerms(t *testing.T) {
	s := graphSnapshot(t)
	all := s.FilteringTerms("", "")
	for _, want := range []string{"NCIT:C16576", "HP:0000822", "UBERON:0000178"} {
		if !slices.Contains(termIDs(all, "ontologyTerm"), want) {
			t.Errorf("%s not listed", want)
		}
	}
	// Terms held only through a descendant find records too, so they are listed (issue 11:
	// networks skip members whose terms do not include the query's).
	if !slices.Contains(termIDs(all, "ontologyTerm"), "HP:0001626") {
		t.Errorf("HP:0001626 (held only through descendants) is not listed")
	}
	if got := s.FilteringTerms(release.Individual, ""); !slices.Contains(termIDs(got, "ontologyTerm"), "HP:0001626") {
		t.Errorf("HP:0001626 not listed for individuals")
	}
	if slices.Contains(termIDs(s.FilteringTerms(release.Run, ""), "ontologyTerm"), "HP:0001626") {
		t.Errorf("HP:0001626 listed for runs, which hold no descendant of it")
	}
	for _, ft := range all {
		if ft.ID == "UBERON:0000178" {
			if !slices.Equal(ft.Scopes, []release.Entity{release.Biosample, release.Run}) {
				t.Errorf("UBERON:0000178 scopes %v, want [biosample run]", ft.Scopes)
			}
			if ft.Label != "blood" {
				t.Errorf("label %q", ft.Label)
			}
		}
		if ft.ID == "libraryStrategy" && !slices.Equal(ft.Values, []string{"WES", "WGS"}) {
			t.Errorf("libraryStrategy values %v", ft.Values)
		}
	}
	if !slices.IsSortedFunc(all, func(a, b FilteringTerm) int {
		if a.ID != b.ID {
			if a.ID < b.ID {
				return -1
			}
			return 1
		}
		return 0
	}) {
		t.Errorf("not sorted by id")
	}
	if got := s.FilteringTerms("", "nope"); got != nil {
		t.Errorf("unknown dataset: %v", got)
	}
	// Scoped to one entity.
	runs := s.FilteringTerms(release.Run, "")
	if got := termIDs(runs, "ontologyTerm"); !slices.Equal(got, []string{"UBERON:0000178"}) {
		t.Errorf("run terms %v", got)
	}
}

// TestFilteringTermsPerDataset: /datasets/{id}/filtering_terms lists what that dataset
// holds. D2's records have no HP terms and its runs no libraryStrategy field.
func TestFilteringTermsPerDataset(t *testing.T) {
	s := graphSnapshot(t)
	d2 := s.FilteringTerms("", "D2")
	if got := termIDs(d2, "ontologyTerm"); slices.Contains(got, "HP:0000822") || !slices.Contains(got, "NCIT:C20197") {
		t.Errorf("D2 ontology terms %v", got)
	}
	for _, ft := range d2 {
		if ft.Type != "alphanumeric" {
			continue
		}
		switch ft.ID {
		case "libraryStrategy":
			t.Errorf("D2 lists field %q (scopes %v, values %v), which only dataset D1 holds: the "+
				"dataset filter of FilteringTerms applies to ontology terms only", ft.ID, ft.Scopes, ft.Values)
		case "measures.value":
			if slices.Contains(ft.Values, "95") {
				t.Errorf("D2 lists values %v of %s; 95, 150 and 180 are D1's", ft.Values, ft.ID)
			}
		}
	}
}

func TestPrefixes(t *testing.T) {
	s := graphSnapshot(t)
	got := Prefixes(s.FilteringTerms("", ""))
	if want := []string{"HP", "NCIT", "UBERON"}; !slices.Equal(got, want) {
		t.Errorf("Prefixes = %v, want %v", got, want)
	}
}
