package index

import (
	"slices"
	"testing"
)

// testOntology is a diamond (A <- B, C <- D <- E), a three-term cycle (X -> Y -> Z -> X)
// with W below it, a self-loop and a parent that is never defined.
func testOntology() *Ontology {
	return NewOntology([]TermParents{
		{ID: "A"},
		{ID: "B", Parents: []string{"A"}},
		{ID: "C", Parents: []string{"A"}},
		{ID: "D", Parents: []string{"B", "C", "B"}},
		{ID: "E", Parents: []string{"D"}},
		{ID: "X", Parents: []string{"Y"}},
		{ID: "Y", Parents: []string{"Z"}},
		{ID: "Z", Parents: []string{"X"}},
		{ID: "W", Parents: []string{"X"}},
		{ID: "S", Parents: []string{"S", "EXT:1"}},
	})
}

func TestOntologyClosure(t *testing.T) {
	o := testOntology()
	tests := []struct {
		id        string
		has       bool
		ancestors []string
	}{
		{"A", true, nil},
		{"B", true, []string{"A"}},
		{"C", true, []string{"A"}},
		{"D", true, []string{"A", "B", "C"}},
		{"E", true, []string{"A", "B", "C", "D"}},
		{"X", true, []string{"Y", "Z"}},
		{"Y", true, []string{"X", "Z"}},
		{"W", true, []string{"X", "Y", "Z"}},
		{"S", true, []string{"EXT:1"}},
		{"EXT:1", true, nil},
		{"nope", false, nil},
	}
	for _, tc := range tests {
		if got := o.Has(tc.id); got != tc.has {
			t.Errorf("Has(%q) = %v; want %v", tc.id, got, tc.has)
		}
		// Twice: the second call must come from the memo and agree.
		for range 2 {
			if got := o.Ancestors(tc.id); !slices.Equal(got, tc.ancestors) {
				t.Errorf("Ancestors(%q) = %q; want %q", tc.id, got, tc.ancestors)
			}
		}
	}
	if got, want := o.Len(), 11; got != want {
		t.Errorf("Len() = %d; want %d", got, want)
	}
	var nilOnto *Ontology
	if nilOnto.Has("A") || nilOnto.Ancestors("A") != nil || nilOnto.Len() != 0 {
		t.Errorf("nil ontology should be empty")
	}
}

func TestOntologyConcurrent(t *testing.T) {
	o := testOntology()
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for _, id := range []string{"E", "A", "W", "X"} {
				o.Ancestors(id)
			}
		}()
	}
	for range 4 {
		<-done
	}
	if got := o.Ancestors("E"); len(got) != 4 {
		t.Errorf("Ancestors(E) = %q", got)
	}
}
