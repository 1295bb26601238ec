package suite

import (
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/bench/compare/results"
	"github.com/bitbeacon/bitbeacon/bench/load"
	"github.com/bitbeacon/bitbeacon/bench/workload"
)

// EngineKind is one query kind answered by the API handler in process: request parsing,
// evaluation and the response body, without the network.
type EngineKind struct {
	load.Summary
	AllocsPerQuery float64 `json:"allocsPerQuery"`
	BytesPerQuery  float64 `json:"bytesPerQuery"`
}

// Answer is bitbeacon's answer to a query, with the response it came in.
type Answer struct {
	results.Answer
	Body []byte `json:"-"` // the response, for the ceiling server's body
}

// bitbeaconAnswers asks every query of the mix once and keeps the answers.
func bitbeaconAnswers(h fasthttp.RequestHandler, mix *workload.Mix) (map[string]Answer, error) {
	out := map[string]Answer{}
	var ctx fasthttp.RequestCtx
	for i := range mix.Queries {
		q := &mix.Queries[i]
		workload.Serve(h, &ctx, q)
		if ctx.Response.StatusCode() != fasthttp.StatusOK {
			return nil, fmt.Errorf("%s: status %d: %.300s", q.Name, ctx.Response.StatusCode(), ctx.Response.Body())
		}
		a, err := results.ParseAnswer(ctx.Response.Body(), q.Granularity)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", q.Name, err)
		}
		out[q.Name] = Answer{Answer: *a, Body: slices.Clone(ctx.Response.Body())}
	}
	return out, nil
}

// measureInProcess answers iters requests of each kind (the kind's queries in turn) and
// records every latency and the allocations per request.
func measureInProcess(h fasthttp.RequestHandler, mix *workload.Mix, iters int) map[string]EngineKind {
	byKind := map[string][]*workload.Query{}
	for i := range mix.Queries {
		q := &mix.Queries[i]
		byKind[q.Kind] = append(byKind[q.Kind], q)
	}
	out := map[string]EngineKind{}
	var ctx fasthttp.RequestCtx
	lat := make([]time.Duration, iters)
	for kind, qs := range byKind {
		for _, q := range qs { // warm: first-use allocations are not the steady state
			workload.Serve(h, &ctx, q)
		}
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		for i := range iters {
			t0 := time.Now()
			workload.Serve(h, &ctx, qs[i%len(qs)])
			lat[i] = time.Since(t0)
		}
		runtime.ReadMemStats(&m1)
		out[kind] = EngineKind{
			Summary:        load.Summarize(lat),
			AllocsPerQuery: float64(m1.Mallocs-m0.Mallocs) / float64(iters),
			BytesPerQuery:  float64(m1.TotalAlloc-m0.TotalAlloc) / float64(iters),
		}
	}
	return out
}
