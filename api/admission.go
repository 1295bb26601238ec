package api

import (
	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ops"
)

// Heavy-query admission by plan. The engine makes a query heavy once it has run
// heavyAfterTime or spent heavyAfter units (guard.go), and data.go makes a large POST body
// heavy before it is read; both bound only the tail of a query. Until then the query runs
// beside the others, and four clients looping on queries that each stay just under those
// bounds (ontology filters on /g_variants: milliseconds of roaring unions apiece) held both
// cores of a 2-core replica: the cheap queries queued behind them (BenchmarkHostileP99
// measured their p99 at 20-80x). A query whose plan alone is costly therefore waits for a
// heavy-query slot before its evaluation starts, and evaluates on a thread of its own at the
// lowest priority (ops.RunLowPriority; data.go does the same for a big body's decoding): a
// slot bounds the cores heavy queries hold, but on cores shared with other processes (and
// with the kernel grouping a process's threads) a heavy query at the normal priority still
// charged the process for its core, and the cheap queries waited for the CPU behind it
// (BenchmarkHostileP99's median attacked p99 13-18 ms at load 15; 2.2-4.1 ms at nice 19).
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

// evaluateLowPriority evaluates an admitted heavy query on a thread of the lowest priority.
// (A function of its own, so that the closure's variables stay off the heap of the cheap
// path.)
func evaluateLowPriority(snap *engine.Snapshot, q *engine.Query, res *engine.Result) (err error) {
	ops.RunLowPriority(func() { err = snap.EvaluateInto(q, res) })
	return err
}

// parseLowPriority parses a big body, which holds a heavy-query slot, on a thread of the
// lowest priority.
func (s *Server) parseLowPriority(ctx *fasthttp.RequestCtx, st *requestState) (req *Request, err error) {
	ops.RunLowPriority(func() { req, err = s.parse(ctx, st) })
	return req, err
}
