package api

import (
	"testing"

	"github.com/bitbeacon/bitbeacon/engine"
)

// A plan past heavyFilters distinct filters, counted at the top level and in OR groups at
// any depth, is heavy before it starts; one at the bound is not.
func TestHeavyByPlan(t *testing.T) {
	fs := func(n int) []engine.Filter { return make([]engine.Filter, n) }
	for _, c := range []struct {
		name string
		q    engine.Query
		want bool
	}{
		{"none", engine.Query{}, false},
		{"at the bound", engine.Query{Filters: fs(heavyFilters)}, false},
		{"past the bound", engine.Query{Filters: fs(heavyFilters + 1)}, true},
		{"split with a group", engine.Query{Filters: fs(2), Groups: []engine.FilterGroup{{Filters: fs(heavyFilters - 1)}}}, true},
		{"nested groups", engine.Query{Groups: []engine.FilterGroup{{Filters: fs(1), Groups: []engine.FilterGroup{{Filters: fs(heavyFilters)}}}}}, true},
		{"small groups", engine.Query{Filters: fs(1), Groups: []engine.FilterGroup{{Filters: fs(1)}, {Filters: fs(2)}}}, false},
	} {
		if got := heavyByPlan(&c.q); got != c.want {
			t.Errorf("%s: heavyByPlan = %v, want %v", c.name, got, c.want)
		}
	}
}
