package compare

import (
	"fmt"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/bench/compare/results"
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
	eng, err := engine.NewEngine(dir, engine.Options{})
	if err != nil {
		return nil, err
	}
	cfg := api.DefaultConfig()
	return &bitbeacon{h: api.NewServer(eng, &cfg, nil).Handler()}, nil
}

// serve runs one POST through the handler and returns the response body (valid until the
// next call).
func (b *bitbeacon) serve(q *workload.Query) ([]byte, error) {
	workload.Serve(b.h, &b.ctx, q)
	if code := b.ctx.Response.StatusCode(); code != fasthttp.StatusOK {
		return nil, fmt.Errorf("bitbeacon: HTTP %d: %.300s", code, b.ctx.Response.Body())
	}
	return b.ctx.Response.Body(), nil
}

// answer returns bitbeacon's answer to q.
func (b *bitbeacon) answer(q *workload.Query, granularity string) (*Answer, error) {
	body, err := b.serve(q)
	if err != nil {
		return nil, err
	}
	return results.ParseAnswer(body, granularity)
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
