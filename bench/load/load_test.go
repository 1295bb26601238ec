package load

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

func TestSummarize(t *testing.T) {
	var d []time.Duration
	for i := 1000; i >= 1; i-- { // unsorted on purpose
		d = append(d, time.Duration(i))
	}
	s := Summarize(d)
	want := Summary{N: 1000, Mean: 500, P50: 500, P90: 900, P99: 990, P999: 999, Max: 1000}
	if s != want {
		t.Errorf("got %+v, want %+v", s, want)
	}
	if (Summarize(nil) != Summary{}) {
		t.Error("empty input gave a non-zero summary")
	}
	if one := Summarize([]time.Duration{7}); one.P50 != 7 || one.P999 != 7 || one.Max != 7 {
		t.Errorf("one sample: %+v", one)
	}
}

// TestRun drives a server that fails one kind of request and checks the loop's accounting:
// the request bound, errors per kind, and that POST bodies arrive.
func TestRun(t *testing.T) {
	var posts atomic.Int64
	srv, err := Serve(&fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		switch string(ctx.Path()) {
		case "/bad":
			ctx.SetStatusCode(fasthttp.StatusBadRequest)
		case "/post":
			if string(ctx.PostBody()) == `{"q":1}` && ctx.IsPost() {
				posts.Add(1)
			} else {
				ctx.SetStatusCode(fasthttp.StatusTeapot)
			}
		}
		ctx.SetBodyString("ok")
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	reqs := []Request{
		{Kind: "good", Method: "GET", URI: "/good"},
		{Kind: "post", Method: "POST", URI: "/post", Body: []byte(`{"q":1}`)},
		{Kind: "bad", Method: "GET", URI: "/bad"},
	}
	res, err := Run(context.Background(), srv.Addr, reqs, Options{Conns: 3, Duration: 10 * time.Second, MaxRequests: 300})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests+res.Errors != 300 {
		t.Errorf("%d ok + %d errors, want 300 in all", res.Requests, res.Errors)
	}
	if res.Errors == 0 || !strings.Contains(res.FirstErr, "status 400") {
		t.Errorf("errors %d, first %q", res.Errors, res.FirstErr)
	}
	if _, ok := res.ByKind["bad"]; ok {
		t.Error("failed requests recorded as latencies")
	}
	if res.ByKind["good"].N == 0 || res.ByKind["post"].N == 0 || int(posts.Load()) < res.ByKind["post"].N {
		t.Errorf("by kind %+v, posts seen %d", res.ByKind, posts.Load())
	}
	if res.Overall.N != res.Requests || res.QPS <= 0 || res.Overall.P50 <= 0 || res.Overall.P50 > res.Overall.Max {
		t.Errorf("overall %+v, qps %v", res.Overall, res.QPS)
	}
}

func TestRunRejects(t *testing.T) {
	if _, err := Run(context.Background(), "127.0.0.1:1", nil, Options{Conns: 1, Duration: time.Second}); err == nil {
		t.Error("no requests accepted")
	}
	if _, err := Run(context.Background(), "127.0.0.1:1", []Request{{Method: "GET", URI: "/"}}, Options{}); err == nil {
		t.Error("zero options accepted")
	}
}

func TestCeiling(t *testing.T) {
	srv, err := Serve(Ceiling([]byte(`{"fixed":true}`)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var req fasthttp.Request
	var resp fasthttp.Response
	req.SetRequestURI("http://" + srv.Addr + "/anything")
	if err := fasthttp.Do(&req, &resp); err != nil {
		t.Fatal(err)
	}
	if string(resp.Body()) != `{"fixed":true}` || resp.StatusCode() != 200 {
		t.Errorf("%d %s", resp.StatusCode(), resp.Body())
	}
}

// TestCeilingLogsThroughSlog: the ceiling's fasthttp messages are slog records of the
// default logger, like the server's, not lines of the standard log package.
func TestCeilingLogsThroughSlog(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(old)
	srv := Ceiling(nil)
	if srv.Logger == nil {
		t.Fatal("no logger: fasthttp would print through the standard log package")
	}
	srv.Logger.Printf("accept failed: %s", "boom")
	if got := buf.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, `msg="accept failed: boom"`) || !strings.Contains(got, "component=fasthttp") {
		t.Errorf("logged %q, want a slog warning from component fasthttp", got)
	}
}

// TestRunRecordsAfterSlowWarmup: the first answer outlasts warm-up and duration together
// (as on a loaded machine); every connection must still record one answer.
func TestRunRecordsAfterSlowWarmup(t *testing.T) {
	var first atomic.Bool
	srv, err := Serve(&fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		if first.CompareAndSwap(false, true) {
			time.Sleep(80 * time.Millisecond)
		}
		ctx.SetBodyString("ok")
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	res, err := Run(context.Background(), srv.Addr, []Request{{Kind: "k", Method: "GET", URI: "/"}},
		Options{Conns: 1, Duration: 10 * time.Millisecond, Warmup: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests < 1 || res.Errors != 0 || res.ByKind["k"].N < 1 {
		t.Errorf("a run whose warm-up outlasted it recorded %+v", res)
	}
}
