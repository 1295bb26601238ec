package api

import (
	"testing"

	"github.com/valyala/fasthttp"
)

// Boolean and count requests through the whole handler, steady state (the fasthttp context
// reused, as its server loop does): a GET allocates nothing (pooled request state, values
// in one arena, the envelope appended by hand); a POST body is still decoded into generic
// JSON values, 12 allocations plus 4 per filter object. One and two filters: the engine
// counts those without allocating (three filters of this cohort's size are intersected, 9
// more; engine.TestCountOnlyAllocatesNothing).
func TestCountRequestAllocations(t *testing.T) {
	h := testHandler(t, "cineca")
	for _, c := range []struct {
		name, method, uri, body string
		max                     float64
	}{
		{"count", "GET", "/individuals?filters=NCIT:C16576&requestedGranularity=count", "", 0},
		{"boolean", "GET", "/individuals?filters=NCIT:C16576&requestedGranularity=boolean", "", 0},
		{"comma list", "GET", "/individuals?filters=NCIT:C16576,NCIT:C41261&requestedGranularity=count", "", 0},
		{"repeated filters", "GET", "/individuals?filters=NCIT:C16576&filters=NCIT:C41261&requestedGranularity=count&skip=0&limit=10", "", 0},
		{"prefix and slash", "GET", "/api/individuals/?filters=NCIT:C16576&requestedGranularity=count", "", 0},
		{"count", "POST", "/individuals", `{"meta":{"apiVersion":"2.0"},"query":{"filters":[{"id":"NCIT:C16576"}],"requestedGranularity":"count"}}`, 16},
		{"two filters", "POST", "/individuals", `{"meta":{"apiVersion":"2.0"},"query":{"filters":[{"id":"NCIT:C16576"},{"id":"NCIT:C41261"}],"requestedGranularity":"count"}}`, 20},
	} {
		var ctx fasthttp.RequestCtx
		serve := func() {
			ctx.Request.Reset()
			ctx.Response.Reset()
			ctx.Request.Header.SetMethod(c.method)
			ctx.Request.SetRequestURI(c.uri)
			if c.body != "" {
				ctx.Request.Header.SetContentType("application/json")
				ctx.Request.SetBodyString(c.body)
			}
			h(&ctx)
		}
		serve()
		if ctx.Response.StatusCode() != fasthttp.StatusOK {
			t.Fatalf("%s %s: status %d: %s", c.method, c.name, ctx.Response.StatusCode(), ctx.Response.Body())
		}
		allocs := testing.AllocsPerRun(200, serve)
		if allocs > c.max {
			t.Errorf("%s %s: %.1f allocations per request, want at most %.0f", c.method, c.name, allocs, c.max)
		}
		t.Logf("%s %s: %.1f allocations", c.method, c.name, allocs)
	}
}
