package api

import "github.com/bitbeacon/bitbeacon/engine"

// Heavy-query admission by plan. The engine makes a query heavy once it has run
// heavyAfterTime or spent heavyAfter units (guard.go), and data.go makes a large POST body
// heavy before it is read; both bound only the tail of a query. Until then the query runs
// beside the others, and four clients looping on queries that each stay just under those
// bounds (ontology filters on /g_variants: milliseconds of roaring unions apiece) held both
// cores of a 2-core replica: the cheap queries queued behind them (BenchmarkHostileP99
// measured their p99 at 20-80x). A query whose plan alone is costly therefore waits for a
// heavy-query slot before its evaluation starts.
//
// The cost is the engine's estimate from the plan (engine.Snapshot.PlanCost: each filter's
// rows, a LIKE pattern's distinct values, the unions of moving rows to variants), not the
// number of filters: six sex and disease filters on /individuals cost a few thousand
// units, one wildcard on a field moved to /g_variants hundreds of thousands.

// heavyPlan is the estimated cost from which a query is heavy before it starts: a
// sixteenth of heavyAfter (250,000 units with the default budget), about a millisecond of
// evaluation on the demo (a sex filter on /g_variants, 1,268 unions of carried variants,
// estimates 164,000 and takes 0.6 ms; ten ontology filters there 317,000 and 1.3 ms).
func heavyPlan(budget int64) int64 { return heavyAfter(budget) / 16 }

// heavyByPlan reports whether a guarded query (its filters deduplicated, its target set) is
// heavy before it runs on snap.
func (s *Server) heavyByPlan(snap *engine.Snapshot, q *engine.Query) bool {
	if len(q.Filters) == 0 && len(q.Groups) == 0 {
		return false
	}
	return snap.PlanCost(q) > heavyPlan(s.cfg.Limits.WorkBudget)
}
