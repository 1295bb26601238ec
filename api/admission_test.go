package api

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
)

// A query is heavy before it starts by its estimated cost, not by its number of filters:
// six term filters on individuals are cheap, two wildcards moved to variants (a union of
// carried variants per matching biosample) are not; so is one filter there that matches
// few, and the ten ontology filters of the hostile benchmark are heavy.
func TestHeavyByPlan(t *testing.T) {
	cfg := DefaultConfig()
	eng, err := engine.NewEngine(testRelease(t, "demo"), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(eng, &cfg, nil)
	snap := eng.Snapshot()
	var onto []string
	for _, ft := range snap.FilteringTerms(release.Individual, "") {
		if ft.Type == "ontologyTerm" && len(onto) < 10 {
			onto = append(onto, ft.ID)
		}
	}
	if len(onto) < 6 {
		t.Fatalf("the demo has %d ontology terms", len(onto))
	}
	terms := func(ids []string) string {
		var fs []string
		for _, id := range ids {
			fs = append(fs, `{"id":"`+id+`"}`)
		}
		return strings.Join(fs, ",")
	}
	wild := `{"id":"geographicOrigin","operator":"=","value":"%a%"},{"id":"geographicOrigin","operator":"=","value":"%e%"}`
	for _, c := range []struct {
		name    string
		target  release.Entity
		filters string
		n       int // distinct filters
		want    bool
	}{
		{"six term filters on individuals", release.Individual, terms(onto[:6]), 6, false},
		{"two wildcards on variants", release.GenomicVariation, wild, 2, true},
		{"two wildcards on individuals", release.Individual, wild, 2, false},
		{"one term on variants", release.GenomicVariation, terms(onto[:1]), 1, false},
		{"ten terms on variants", release.GenomicVariation, terms(onto), len(onto), true},
		{"two wildcards in an OR group on variants", release.GenomicVariation, "[" + wild + "]", 2, true},
	} {
		req, err := ParsePOST([]byte(`{"query":{"filters":[`+c.filters+`]}}`), cfg.Defaults())
		if err == nil {
			err = srv.guard(req)
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		q := req.Query
		q.Target = c.target
		if n := len(q.Filters) + len(groupedFilters(q.Groups, nil)); n != c.n {
			t.Fatalf("%s: %d filters, want %d", c.name, n, c.n)
		}
		cost := snap.PlanCost(&q)
		if got := srv.heavyByPlan(snap, &q); got != c.want {
			t.Errorf("%s: heavy %v (estimated %d units, heavy past %d), want %v", c.name, got, cost, heavyPlan(cfg.Limits.WorkBudget), c.want)
		}
		t.Log(c.name, fmt.Sprint(cost))
	}
}
