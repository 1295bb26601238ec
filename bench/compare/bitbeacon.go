package compare

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/bench/workload"
	"github.com/bitbeacon/bitbeacon/engine"
)

// bitbeacon answers queries through the server's own handler, in process, with the default
// configuration (skip counts pages, record granularity allowed).
type bitbeacon struct {
	h   fasthttp.RequestHandler
	ctx fasthttp.RequestCtx
}

func newBitbeacon(dir string) (*bitbeacon, error) {
	eng, err := engine.NewEngine(dir)
	if err != nil {
		return nil, err
	}
	cfg := api.DefaultConfig()
	return &bitbeacon{h: api.NewServer(eng, &cfg, nil).Handler()}, nil
}

// serve runs one POST through the handler and returns the response body (valid until the
// next call).
func (b *bitbeacon) serve(q *workload.Query) ([]byte, error) {
	ctx := &b.ctx
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.Request.Header.SetMethod(fasthttp.MethodPost)
	ctx.Request.Header.SetContentType("application/json")
	ctx.Request.SetRequestURI(q.Path)
	ctx.Request.SetBody(q.Body)
	b.h(ctx)
	if code := ctx.Response.StatusCode(); code != fasthttp.StatusOK {
		return nil, fmt.Errorf("bitbeacon: HTTP %d: %.300s", code, ctx.Response.Body())
	}
	return ctx.Response.Body(), nil
}

// beaconResponse is the part of a Beacon response the comparison reads.
type beaconResponse struct {
	ResponseSummary struct {
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

// answer returns bitbeacon's answer to q.
func (b *bitbeacon) answer(q *workload.Query, granularity string) (*Answer, error) {
	body, err := b.serve(q)
	if err != nil {
		return nil, err
	}
	var resp beaconResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("bitbeacon: response: %v", err)
	}
	a := &Answer{Exists: resp.ResponseSummary.Exists}
	if granularity != "boolean" {
		a.Count = resp.ResponseSummary.NumTotalResults
	}
	if granularity == "record" {
		a.IDs = []string{}
		for _, rs := range resp.Response.ResultSets {
			for _, r := range rs.Results {
				a.IDs = append(a.IDs, r.ID)
			}
		}
	}
	return a, nil
}

// time runs q repeat times through the handler and returns the latencies.
func (b *bitbeacon) time(q *workload.Query, repeat int) ([]time.Duration, error) {
	out := make([]time.Duration, 0, repeat)
	for range repeat {
		t0 := time.Now()
		if _, err := b.serve(q); err != nil {
			return nil, err
		}
		out = append(out, time.Since(t0))
	}
	return out, nil
}
