package suite

import (
	"encoding/json"
	"fmt"
	"runtime"
	"time"

	"github.com/valyala/fasthttp"

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

// Answer is what a query answered: exists, the count, and the ids of a record page.
type Answer struct {
	Exists bool     `json:"exists"`
	Count  int64    `json:"count"`
	IDs    []string `json:"ids,omitempty"`
	Body   []byte   `json:"-"` // the response, for the ceiling server's body
}

// serve runs one request through h on a reused RequestCtx, as fasthttp's server loop does.
func serve(h fasthttp.RequestHandler, ctx *fasthttp.RequestCtx, q *workload.Query) {
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.Request.Header.SetMethod(fasthttp.MethodPost)
	ctx.Request.Header.SetContentType("application/json")
	ctx.Request.SetRequestURI(q.Path)
	ctx.Request.SetBodyRaw(q.Body)
	h(ctx)
}

// bitbeaconAnswers asks every query of the mix once and keeps the answers.
func bitbeaconAnswers(h fasthttp.RequestHandler, mix *workload.Mix) (map[string]Answer, error) {
	out := map[string]Answer{}
	var ctx fasthttp.RequestCtx
	for i := range mix.Queries {
		q := &mix.Queries[i]
		serve(h, &ctx, q)
		if ctx.Response.StatusCode() != fasthttp.StatusOK {
			return nil, fmt.Errorf("%s: status %d: %.300s", q.Name, ctx.Response.StatusCode(), ctx.Response.Body())
		}
		a, err := parseAnswer(ctx.Response.Body())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", q.Name, err)
		}
		out[q.Name] = a
	}
	return out, nil
}

func parseAnswer(body []byte) (Answer, error) {
	var r struct {
		Summary struct {
			Exists          bool  `json:"exists"`
			NumTotalResults int64 `json:"numTotalResults"`
		} `json:"responseSummary"`
		Response struct {
			ResultSets []struct {
				Results []struct {
					ID string `json:"id"`
				} `json:"results"`
			} `json:"resultSets"`
		} `json:"response"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return Answer{}, err
	}
	a := Answer{Exists: r.Summary.Exists, Count: r.Summary.NumTotalResults, Body: append([]byte(nil), body...)}
	for _, rs := range r.Response.ResultSets {
		for _, x := range rs.Results {
			a.IDs = append(a.IDs, x.ID)
		}
	}
	return a, nil
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
			serve(h, &ctx, q)
		}
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		for i := range iters {
			t0 := time.Now()
			serve(h, &ctx, qs[i%len(qs)])
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
