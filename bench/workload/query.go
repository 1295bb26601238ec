// Package workload is the benchmark's query mix: Beacon requests drawn from a release's own
// data by a seeded generator, so every run asks the same questions and every question has an
// answer. bitbeacon (in process and over HTTP) and the SQL comparators run the same list.
package workload

import (
	"encoding/json"

	"github.com/valyala/fasthttp"
)

// Query is one Beacon request of the mix.
type Query struct {
	// Name is unique within a mix, "<kind>/<n>", e.g. "filters-3/07".
	Name string `json:"name"`
	// Kind groups queries for the report (latency per kind), e.g. "count-filters-1",
	// "boolean-sequence", "record-page", "cross-entry"; see Kinds.
	Kind string `json:"kind"`
	// Path is the Beacon endpoint without any prefix: "/individuals", "/g_variants",
	// "/biosamples", "/individuals/<id>/g_variants", ...
	Path string `json:"path"`
	// Body is the POST request body: {"meta":{...},"query":{"requestParameters":{...},
	// "filters":[...],"requestedGranularity":"count","pagination":{"skip":0,"limit":10}}}.
	Body json.RawMessage `json:"body"`
	// Granularity is the requested granularity ("boolean", "count", "record" or, for an
	// aggregation, "aggregated", which answers as a count does), as in Body.
	Granularity string `json:"granularity"`
}

// Mix is a generated query list with what it was drawn from.
type Mix struct {
	Seed    int64   `json:"seed"`
	Release string  `json:"release"` // release id the queries were drawn from
	Queries []Query `json:"queries"`
}

// Serve runs q through h on ctx as a POST, the way fasthttp's server loop would (ctx is
// reset first, so one context serves many queries).
func Serve(h fasthttp.RequestHandler, ctx *fasthttp.RequestCtx, q *Query) {
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.Request.Header.SetMethod(fasthttp.MethodPost)
	ctx.Request.Header.SetContentType("application/json")
	ctx.Request.SetRequestURI(q.Path)
	ctx.Request.SetBodyRaw(q.Body)
	h(ctx)
}
