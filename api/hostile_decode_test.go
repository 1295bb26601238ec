package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// The converter shares the items of long arrays with the same JSON text (json_decode.go):
// the values must still be encoding/json's, with nested long arrays inside shared items,
// items that differ only late in their text, and more distinct items than it memoises.
func TestRepeatedItemsDecodeAsEncodingJSON(t *testing.T) {
	rep := func(item string, n int) string { return strings.TrimSuffix(strings.Repeat(item+",", n), ",") }
	var distinct []string
	for i := range maxMemo + 40 {
		distinct = append(distinct, fmt.Sprintf(`{"id":"T:%d"}`, i%(maxMemo+20)))
	}
	nested := `[` + rep(`{"a":[`+rep(`"x"`, 20)+`],"b":1}`, 3) + `,{"a":[` + rep(`"x"`, 19) + `,"y"],"b":1}]`
	for _, body := range []string{
		`{"query":{"filters":[` + rep(`{"id":"NCIT:C16576"}`, 40) + `]}}`,
		`{"query":{"filters":[` + rep(`{"id":"A"},{"id":"B"},{"id":"A","scope":"individual"}`, 10) + `]}}`,
		`{"query":{"filters":[` + strings.Join(distinct, ",") + `]}}`,
		`{"filters":[` + rep(`[{"id":"A"},{"id":"B"}]`, 20) + `,` + rep(`"C"`, 20) + `]}`,
		`{"l":[` + rep(nested, 17) + `]}`,
		`[` + rep(`[[`+rep(`{"k":[1,2]}`, 17)+`]]`, 18) + `]`,
		`{"n":[` + rep(`1`, 20) + `,1.0,1e0,` + rep(`true`, 20) + `,null]}`,
	} {
		want, _ := stdDecode([]byte(body))
		got, err := decodeBody([]byte(body))
		if err != nil {
			t.Fatalf("%.60s…: %v", body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%.60s…: decoded differently from encoding/json", body)
		}
	}
}

// A body of 10,000 copies of one filter is answered with the filter once in the echo and
// with about as many allocations as a handful of filters, not tens of thousands (42,000
// and 8.5 MB a request before: the garbage drove the collections other callers waited
// out, BenchmarkHostileP99).
func TestRepeatedFilterBodyGarbage(t *testing.T) {
	h := testHandler(t, "cineca")
	body := `{"query":{"filters":[` + strings.TrimSuffix(strings.Repeat(`{"id":"NCIT:C16576"},`, 10000), ",") + `],"requestedGranularity":"count"}}`
	var ctx fasthttp.RequestCtx
	serve := func() {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.Header.SetMethod("POST")
		ctx.Request.SetRequestURI("/individuals")
		ctx.Request.Header.SetContentType("application/json")
		ctx.Request.SetBodyString(body)
		h(&ctx)
	}
	serve()
	if ctx.Response.StatusCode() != fasthttp.StatusOK {
		t.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
	}
	var resp struct {
		Meta struct {
			ReceivedRequestSummary struct{ Filters []string } `json:"receivedRequestSummary"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(ctx.Response.Body(), &resp); err != nil {
		t.Fatal(err)
	}
	if got := resp.Meta.ReceivedRequestSummary.Filters; !reflect.DeepEqual(got, []string{"NCIT:C16576"}) {
		t.Errorf("echoed filters %.100q, want the filter once", got)
	}
	if allocs := testing.AllocsPerRun(20, serve); allocs > 500 {
		t.Errorf("%.0f allocations a request; want at most 500", allocs)
	}
}
