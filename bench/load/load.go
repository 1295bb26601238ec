// Package load is the benchmark's HTTP load generator: a closed loop of N connections over
// loopback, each sending its next request as soon as the previous answer is read, with every
// latency kept so percentiles are exact. The same loop measures a fixed-body server in the
// same run, which is the ceiling of this machine (see Ceiling).
package load

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/api"
)

// Request is one request of the loop's round robin.
type Request struct {
	Kind   string // groups latencies in Result.ByKind
	Method string // GET or POST
	URI    string // path and query, e.g. "/individuals?filters=NCIT:C16576"
	Body   []byte // POST body (JSON)
}

// Options bound one run: it stops at Duration or MaxRequests, whichever comes first, but
// each connection records at least one answer: on a loaded machine a warm-up request can
// outlast a short Duration, and a run that measured nothing is no reading.
type Options struct {
	Conns       int
	Duration    time.Duration
	MaxRequests int           // 0: no bound but Duration
	Warmup      time.Duration // sent but not recorded, before Duration starts
}

// Result is one run at one connection count.
type Result struct {
	Conns    int                `json:"conns"`
	Requests int                `json:"requests"`
	Errors   int                `json:"errors"`
	FirstErr string             `json:"firstError,omitempty"`
	Elapsed  time.Duration      `json:"elapsedNs"`
	QPS      float64            `json:"qps"`
	Overall  Summary            `json:"overall"`
	ByKind   map[string]Summary `json:"byKind"`
}

// Summary is a latency distribution, from every sample.
type Summary struct {
	N    int           `json:"n"`
	Mean time.Duration `json:"meanNs"`
	P50  time.Duration `json:"p50Ns"`
	P90  time.Duration `json:"p90Ns"`
	P99  time.Duration `json:"p99Ns"`
	P999 time.Duration `json:"p999Ns"`
	Max  time.Duration `json:"maxNs"`
}

// Summarize sorts d in place and returns its percentiles (nearest rank).
func Summarize(d []time.Duration) Summary {
	if len(d) == 0 {
		return Summary{}
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(d))+0.999999) - 1
		return d[min(max(i, 0), len(d)-1)]
	}
	return Summary{
		N: len(d), Mean: sum / time.Duration(len(d)),
		P50: rank(0.50), P90: rank(0.90), P99: rank(0.99), P999: rank(0.999), Max: d[len(d)-1],
	}
}

// Run drives addr with reqs in a closed loop of opt.Conns connections. Connection i starts
// at request i and steps through the list, so every kind is sent at its share of the mix.
// A response other than 200 counts as an error; the loop goes on.
func Run(ctx context.Context, addr string, reqs []Request, opt Options) (*Result, error) {
	if len(reqs) == 0 {
		return nil, errors.New("load: no requests")
	}
	if opt.Conns < 1 || opt.Duration <= 0 {
		return nil, fmt.Errorf("load: need conns ≥ 1 and a duration (got %d, %v)", opt.Conns, opt.Duration)
	}
	client := &fasthttp.HostClient{
		Addr:                          addr,
		MaxConns:                      opt.Conns,
		ReadTimeout:                   10 * time.Second,
		WriteTimeout:                  10 * time.Second,
		NoDefaultUserAgentHeader:      true,
		DisableHeaderNamesNormalizing: true,
	}
	defer client.CloseIdleConnections()

	var budget chan struct{}
	if opt.MaxRequests > 0 {
		budget = make(chan struct{}, opt.MaxRequests)
		for range opt.MaxRequests {
			budget <- struct{}{}
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	measureFrom := time.Now().Add(opt.Warmup)
	deadline := measureFrom.Add(opt.Duration)

	type worker struct {
		lat      map[string][]time.Duration
		all      []time.Duration
		errs     int
		firstErr error
	}
	workers := make([]*worker, opt.Conns)
	var wg sync.WaitGroup
	for w := range workers {
		wk := &worker{lat: map[string][]time.Duration{}, all: make([]time.Duration, 0, 1<<14)}
		workers[w] = wk
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			for i := w; ctx.Err() == nil; i++ {
				now := time.Now()
				if now.After(deadline) && (len(wk.all) > 0 || wk.errs > 0) {
					return
				}
				measured := !now.Before(measureFrom)
				if measured && budget != nil {
					select {
					case <-budget:
					default:
						return
					}
				}
				r := &reqs[i%len(reqs)]
				req.Reset()
				req.Header.SetMethod(r.Method)
				req.SetRequestURI(r.URI)
				req.Header.SetHost(addr)
				if r.Body != nil {
					req.Header.SetContentType("application/json")
					req.SetBodyRaw(r.Body)
				}
				t0 := time.Now()
				err := client.Do(req, resp)
				d := time.Since(t0)
				if err == nil && resp.StatusCode() != fasthttp.StatusOK {
					err = fmt.Errorf("%s %s: status %d: %.200s", r.Method, r.URI, resp.StatusCode(), resp.Body())
				}
				if !measured {
					continue
				}
				if err != nil {
					wk.errs++
					if wk.firstErr == nil {
						wk.firstErr = err
					}
					continue
				}
				wk.all = append(wk.all, d)
				wk.lat[r.Kind] = append(wk.lat[r.Kind], d)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(measureFrom)

	res := &Result{Conns: opt.Conns, Elapsed: elapsed, ByKind: map[string]Summary{}}
	var all []time.Duration
	byKind := map[string][]time.Duration{}
	for _, wk := range workers {
		all = append(all, wk.all...)
		for k, d := range wk.lat {
			byKind[k] = append(byKind[k], d...)
		}
		res.Errors += wk.errs
		if res.FirstErr == "" && wk.firstErr != nil {
			res.FirstErr = wk.firstErr.Error()
		}
	}
	res.Requests = len(all)
	res.QPS = float64(len(all)) / elapsed.Seconds()
	res.Overall = Summarize(all)
	for k, d := range byKind {
		res.ByKind[k] = Summarize(d)
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

// Server serves h on a free loopback port until Close.
type Server struct {
	Addr string
	srv  *fasthttp.Server
	done chan error
}

// Serve starts srv (its Handler set by the caller) on 127.0.0.1 at a free port.
func Serve(srv *fasthttp.Server) (*Server, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: ln.Addr().String(), srv: srv, done: make(chan error, 1)}
	go func() { s.done <- srv.Serve(ln) }()
	return s, nil
}

// Close stops the server and waits for it.
func (s *Server) Close() error {
	if err := s.srv.Shutdown(); err != nil {
		return err
	}
	return <-s.done
}

// Ceiling is a server that answers every request with body: the fastest any handler can be
// served here, so bitbeacon's QPS is reported as a share of it. Its own messages go through
// slog.Default() as the server's do (api.FasthttpLogger), not fasthttp's standard-log lines.
func Ceiling(body []byte) *fasthttp.Server {
	return &fasthttp.Server{
		Name:   "ceiling",
		Logger: api.FasthttpLogger(slog.Default()),
		Handler: func(ctx *fasthttp.RequestCtx) {
			ctx.SetContentType("application/json")
			ctx.SetBody(body)
		},
	}
}
