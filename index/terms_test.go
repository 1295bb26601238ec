package index

import (
	"slices"
	"testing"
)

func TestTermIndex(t *testing.T) {
	b := NewTermIndexBuilder()
	for _, p := range []struct {
		term string
		row  uint32
	}{
		{"D", 1}, {"D", 2}, {"B", 3}, {"A", 4}, {"F", 5}, // diamond + a term outside the ontology
		{"X", 10}, {"Y", 11}, {"W", 12}, // cycle
		{"D", 1}, // duplicate
	} {
		b.Add(p.term, p.row)
	}
	ti := b.Build(testOntology())

	tests := []struct {
		term          string
		has           bool
		exact, folded []uint32
	}{
		{"A", true, []uint32{4}, []uint32{1, 2, 3, 4}},
		{"B", true, []uint32{3}, []uint32{1, 2, 3}},
		{"C", true, nil, []uint32{1, 2}},
		{"D", true, []uint32{1, 2}, []uint32{1, 2}},
		{"E", false, nil, nil},
		{"F", true, []uint32{5}, []uint32{5}},
		{"X", true, []uint32{10}, []uint32{10, 11, 12}},
		{"Z", true, nil, []uint32{10, 11, 12}},
		{"W", true, []uint32{12}, []uint32{12}},
		{"nope", false, nil, nil},
	}
	for _, tc := range tests {
		if got := ti.Has(tc.term); got != tc.has {
			t.Errorf("Has(%q) = %v; want %v", tc.term, got, tc.has)
		}
		if got := ti.Exact(tc.term).ToArray(); !slices.Equal(got, tc.exact) && len(got)+len(tc.exact) > 0 {
			t.Errorf("Exact(%q) = %v; want %v", tc.term, got, tc.exact)
		}
		if got := ti.Folded(tc.term).ToArray(); !slices.Equal(got, tc.folded) && len(got)+len(tc.folded) > 0 {
			t.Errorf("Folded(%q) = %v; want %v", tc.term, got, tc.folded)
		}
		if got, want := ti.Count(tc.term, false), uint64(len(tc.exact)); got != want {
			t.Errorf("Count(%q, false) = %d; want %d", tc.term, got, want)
		}
		if got, want := ti.Count(tc.term, true), uint64(len(tc.folded)); got != want {
			t.Errorf("Count(%q, true) = %d; want %d", tc.term, got, want)
		}
	}
	if got, want := ti.Terms(), []string{"A", "B", "D", "F", "W", "X", "Y"}; !slices.Equal(got, want) {
		t.Errorf("Terms() = %q; want %q", got, want)
	}
	// Sharing: a leaf's folded set is its exact set, and C (one contributor, D) shares D's.
	if ti.Folded("D") != ti.Exact("D") || ti.Folded("C") != ti.Exact("D") {
		t.Errorf("Folded should share the single contributor's bitmap")
	}
	if ti.Exact("nope") != empty || ti.Folded("nope") != empty || ti.Exact("C") != empty {
		t.Errorf("absent terms should return the shared empty bitmap")
	}
}

func TestTermIndexNilOntology(t *testing.T) {
	b := NewTermIndexBuilder()
	b.Add("B", 1)
	b.Add("A", 2)
	ti := b.Build(nil)
	if !ti.Folded("A").Equals(ti.Exact("A")) || ti.Count("A", true) != 1 {
		t.Errorf("without an ontology Folded must equal Exact")
	}
	if got := ti.Terms(); !slices.Equal(got, []string{"A", "B"}) {
		t.Errorf("Terms() = %q", got)
	}
}
