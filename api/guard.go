package api

import (
	"runtime"
	"time"
	"unicode/utf8"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ops"
)

// The request guard: what a parsed request may ask before the engine sees it (limits in
// config_ops.go), and the budget its evaluation runs under.

// maxEcho is the longest filter echoed in receivedRequestSummary.filters; a longer one is
// cut to a prefix ending in "…" (a 4 MiB filter id would otherwise come back in full).
const maxEcho = 128

// guard dedupes the request's filters (identical filters are evaluated once), checks the
// limits on their number and on every value's length, and shortens the echoed filters.
// The error is a *RequestError (400).
func (s *Server) guard(req *Request) (err error) {
	defer func() {
		if err != nil {
			rejected(reasonLimits).Inc()
		}
	}()
	lim := s.cfg.Limits
	q := &req.Query
	q.Filters = dedupeFilters(q.Filters)
	// The members of OR groups (filter_groups.go) count and are checked like other filters.
	grouped := groupedFilters(q.Groups, nil)
	if n := len(q.Filters) + len(grouped); lim.MaxFilters > 0 && n > lim.MaxFilters {
		return reqErrorf("the request has %d distinct filters; this beacon takes at most %d", n, lim.MaxFilters)
	}
	if n := lim.MaxParamLength; n > 0 {
		long := func(what, v string) error {
			if len(v) > n {
				return reqErrorf("%s %s is %d bytes long; this beacon takes at most %d", what, quote(v), len(v), n)
			}
			return nil
		}
		for _, fs := range [][]engine.Filter{q.Filters, grouped} {
			for i := range fs {
				f := &fs[i]
				if err := long("filter id", f.ID); err != nil {
					return err
				}
				if err := long("filter value", f.Value); err != nil {
					return err
				}
			}
		}
		for _, id := range q.DatasetIDs {
			if err := long("dataset id", id); err != nil {
				return err
			}
		}
		for _, rs := range req.RequestedSchemas {
			if err := long("requested schema", rs.Schema); err != nil {
				return err
			}
		}
		if v := q.Variant; v != nil {
			for _, p := range []struct{ name, v string }{
				{ParamAssemblyID, v.AssemblyID}, {ParamReferenceName, v.ReferenceName}, {ParamMateName, v.MateName},
				{ParamVariantType, v.VariantType}, {ParamGeneID, v.GeneID}, {ParamAminoacidChange, v.AminoacidChange},
				{ParamGenomicAllele, v.GenomicAlleleShortForm}, {ParamReferenceBases, deref(v.ReferenceBases)},
				{ParamAlternateBases, deref(v.AlternateBases)},
			} {
				if err := long(p.name, p.v); err != nil {
					return err
				}
			}
		}
	}
	// The echo lists each distinct filter once, as the evaluation takes it.
	req.EchoFilters = dedupe(req.EchoFilters)
	for i, e := range req.EchoFilters {
		req.EchoFilters[i] = shortEcho(e)
	}
	return nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// dedupeFilters drops the filters equal to an earlier one, in place, keeping the order.
func dedupeFilters(fs []engine.Filter) []engine.Filter { return dedupe(fs) }

// dedupe drops the items equal to an earlier one, in place, keeping the order. Small lists
// are compared pairwise; longer ones through a set sized for the distinct items a request
// may carry (not for the copies: 10,000 copies of one filter make a set of one).
func dedupe[T comparable](xs []T) []T {
	if len(xs) < 2 {
		return xs
	}
	out := xs[:0]
	if len(xs) <= 16 {
	next:
		for _, x := range xs {
			for _, o := range out {
				if o == x {
					continue next
				}
			}
			out = append(out, x)
		}
		return out
	}
	seen := make(map[T]struct{}, 64)
	last := xs[0]
	for i, x := range xs {
		if i > 0 && x == last {
			continue // the common repeat, without a hash
		}
		last = x
		if _, ok := seen[x]; ok {
			continue
		}
		seen[x] = struct{}{}
		out = append(out, x)
	}
	return out
}

// shortEcho cuts s to at most maxEcho bytes on a rune boundary, marking the cut.
func shortEcho(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	n := maxEcho
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// startBudget readies the budget of one query in st: the request deadline, the work
// budget, the client check and the heavy-query slots.
func (s *Server) startBudget(ctx *fasthttp.RequestCtx, st *requestState) *engine.Budget {
	lim := s.cfg.Limits
	st.ctx = ctx
	now := time.Now()
	st.budget = engine.Budget{
		Units: lim.WorkBudget, Gone: st.gone, Started: now,
		Heavy: s.life.heavy, HeavyAfter: heavyAfter(lim.WorkBudget), HeavyAfterTime: heavyAfterTime,
	}
	if lim.RequestTimeout > 0 {
		st.budget.Deadline = now.Add(lim.RequestTimeout)
	}
	return &st.budget
}

// heavyAfterTime is how long a query evaluates before it counts as heavy: far above a
// count or boolean query at 10^7 variants (under a millisecond; docs/benchmarks.md).
const heavyAfterTime = 5 * time.Millisecond

// heavyBody is the POST body size from which a request is heavy before it is even read:
// decoding thousands of filters costs milliseconds and garbage, so such bodies wait for a
// heavy-query slot first. Ordinary queries are well under a kilobyte.
const heavyBody = 16 << 10

// heavyAfter is the share of the budget a query spends before it counts as heavy: 2%
// (4 million rows by default), far above what one filter or a gene query touches.
func heavyAfter(budget int64) int64 {
	if budget <= 0 {
		return 4_000_000
	}
	return max(budget/50, 10_000)
}

// heavySlots is the number of heavy queries that may run at once: limits.heavyQueries, or
// half the cores (at least one).
func heavySlots(n int) int {
	if n > 0 {
		return n
	}
	return max(1, gomaxprocs()/2)
}

// clientGone is requestState.gone: whether the client of the request being served has
// left (ops.PeerGone on its connection).
func (st *requestState) clientGone() bool {
	if st.ctx == nil {
		return false
	}
	return ops.PeerGone(st.ctx.Conn())
}

// limitStatus maps a query stopped by its budget to its answer: 400 for the work budget
// (the request asks too much), 503 for the deadline (retry later), 503 for a client that
// left (nobody reads it).
func limitStatus(le *engine.LimitError) int {
	if le.Reason == engine.LimitBudget {
		return fasthttp.StatusBadRequest
	}
	return fasthttp.StatusServiceUnavailable
}

func gomaxprocs() int { return runtime.GOMAXPROCS(0) }

// HeavySlots is the number of heavy queries that may run at once, each on a thread of the
// lowest priority that holds a P of the Go scheduler while it waits for a core: the serve
// command reserves that many Ps beside the cores (ops.ReserveProcs).
func (s *Server) HeavySlots() int { return cap(s.life.heavy) }

// limitError answers a query stopped by its budget, deadline or departed client.
func (s *Server) limitError(ctx *fasthttp.RequestCtx, le *engine.LimitError, req *Request) {
	rejected(le.Reason).Inc()
	status := limitStatus(le)
	if status == fasthttp.StatusServiceUnavailable {
		ctx.Response.Header.Set("Retry-After", "1")
	}
	if le.Reason == engine.LimitGone {
		ctx.SetConnectionClose()
	}
	s.writeError(ctx, status, le.Msg, req)
}
