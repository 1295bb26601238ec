package api

import "github.com/bitbeacon/bitbeacon/engine"

// Heavy-query admission by plan. The engine makes a query heavy once it has run
// heavyAfterTime or spent heavyAfter units (guard.go), and data.go makes a large POST body
// heavy before it is read; both bound only the tail of a query. Until then the query runs
// beside the others, and four clients looping on queries that each stay just under those
// bounds (64 ontology filters on /g_variants: milliseconds of roaring unions apiece) held
// both cores of a 2-core replica: the cheap queries queued behind them (BenchmarkHostileP99
// measured their p99 at 20-80x). A query whose plan alone is large therefore waits for a
// heavy-query slot before its evaluation starts.

// heavyFilters is the most distinct filters (OR-group members included) a query has and
// still starts at once. The example queries of the CINECA test set carry at most two; a
// query's cost grows with each filter's move between entry types (an ontology filter on
// /g_variants ORs the carried variants of every matching biosample), so past a handful
// the plan is heavy whatever the filters are.
const heavyFilters = 4

// heavyByPlan reports whether a guarded query (its filters deduplicated) is heavy before
// it runs.
func heavyByPlan(q *engine.Query) bool {
	return len(q.Filters)+groupMembers(q.Groups, heavyFilters+1) > heavyFilters
}

// groupMembers counts the filters of groups, nested ones included, stopping at limit.
func groupMembers(groups []engine.FilterGroup, limit int) int {
	n := 0
	for i := range groups {
		if n += len(groups[i].Filters); n >= limit {
			return n
		}
		n += groupMembers(groups[i].Groups, limit-n)
	}
	return n
}
