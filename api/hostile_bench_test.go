package api

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ops"
)

// BenchmarkHostileP99 holds defect 2 of issue 12: hostile requests must not raise other
// callers' p99 beyond 2x. Four clients send count queries over loopback to the demo
// release, alone and while four hostile clients loop on the worst requests the limits let
// through (every ontology term of the demo as a filter on /g_variants, up to 64; 10,000
// copies of one filter; 64 distinct wildcard filters). The two phases alternate within the run (ABBA: a round
// measures alone then attacked, the next attacked then alone), so that the machine's drift
// (other jobs, frequency, the heap) falls on both sides; each round gives the ratio of its
// two p99s, and p99-ratio is their median (to stay under 2), next to the smallest and the
// largest ratio and the median p99s.
//
//	go test ./api -run '^$' -bench HostileP99 -benchtime 1x
//
// BITBEACON_HOSTILE_ROUNDS sets the number of rounds (default 9); BITBEACON_HOSTILE_ONLY=k
// sends only the k-th hostile body, and k=3 the control: a body rejected at once (a filter
// without an id), which costs the server next to nothing, so that its ratio is what the
// hostile clients' traffic alone does. BITBEACON_HOSTILE_CLIENTS sets the number of hostile
// clients (default 4; 1 is one hostile request at a time). BITBEACON_HOSTILE_PACE (a
// duration, default 0: each hostile client loops as fast as it is answered) paces each
// hostile client like the callers, one request every PACE: then the attack is the same
// offered load as the callers', with every request a hostile one, and what the ratio
// measures is what hostile bodies cost beyond their number (a flood of any requests is a
// rate limit's business, in front of the replicas).
func BenchmarkHostileP99(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Limits.MaxParamLength = 1 << 16
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	eng, err := engine.NewEngine(testRelease(b, "demo"), engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	srv := NewServer(eng, &cfg, nil)
	// As the serve command does: the heavy slots' low-priority threads get Ps of their own.
	// BITBEACON_HOSTILE_NO_RESERVE=1 measures without (GOMAXPROCS at the cores).
	if os.Getenv("BITBEACON_HOSTILE_NO_RESERVE") == "" {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
		ops.ReserveProcs(srv.HeavySlots())
	}
	hs := srv.HTTPServer()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go hs.Serve(ln)
	defer hs.Shutdown()
	addr := ln.Addr().String()
	hostile := hostileBodies(b, srv)
	hostileClients := 4
	if v := os.Getenv("BITBEACON_HOSTILE_CLIENTS"); v != "" {
		if hostileClients, err = strconv.Atoi(v); err != nil || hostileClients < 1 {
			b.Fatalf("BITBEACON_HOSTILE_CLIENTS=%s", v)
		}
	}

	var hostilePace time.Duration
	if v := os.Getenv("BITBEACON_HOSTILE_PACE"); v != "" {
		if hostilePace, err = time.ParseDuration(v); err != nil || hostilePace < 0 {
			b.Fatalf("BITBEACON_HOSTILE_PACE=%s", v)
		}
	}

	rounds := 9
	if v := os.Getenv("BITBEACON_HOSTILE_ROUNDS"); v != "" {
		if rounds, err = strconv.Atoi(v); err != nil || rounds < 1 {
			b.Fatalf("BITBEACON_HOSTILE_ROUNDS=%s", v)
		}
	}
	const normalURI = "/individuals?filters=NCIT:C16576&requestedGranularity=count"
	// The callers are paced, each sending a request every pace (4,000 a second in all,
	// about a tenth of a core here), so that both phases measure latency at the same offered
	// load: closed-loop callers would saturate the cores alone and measure how the cores are
	// shared, not how long a caller waits.
	const clients, perClient, pace = 4, 250, time.Millisecond
	normal := func() []time.Duration {
		var mu sync.Mutex
		lat := make([]time.Duration, 0, clients*perClient)
		var wg sync.WaitGroup
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := &fasthttp.HostClient{Addr: addr, MaxConns: 1}
				mine := make([]time.Duration, 0, perClient)
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(resp)
				start := time.Now()
				for i := range perClient {
					if d := time.Until(start.Add(time.Duration(i) * pace)); d > 0 {
						time.Sleep(d)
					}
					req.SetRequestURI("http://" + addr + normalURI)
					t0 := time.Now()
					err := c.Do(req, resp)
					mine = append(mine, time.Since(t0))
					if err != nil || resp.StatusCode() != 200 {
						b.Errorf("normal request: %v %d", err, resp.StatusCode())
						return
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		return lat
	}
	ends := map[int]int{} // how the hostile requests ended: status, or -1 for a client error
	// gcs counts the collections that ran while the callers were measured, by phase: the
	// hostile requests' garbage drives them, and cheap requests wait out their pauses.
	gcs := map[bool]uint32{}
	numGC := func() uint32 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.NumGC
	}
	measure := func(attack bool) time.Duration {
		runtime.GC() // each phase starts from the same heap, not the other's garbage
		if !attack {
			n := numGC()
			lat := normal()
			gcs[false] += numGC() - n
			return p99(lat)
		}
		stop := make(chan struct{})
		var hwg sync.WaitGroup
		var mu sync.Mutex
		var answered atomic.Int32
		for i := range hostileClients {
			hwg.Add(1)
			go func() {
				defer hwg.Done()
				c := &fasthttp.HostClient{Addr: addr, MaxConns: 1, ReadTimeout: 30 * time.Second}
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(resp)
				start := time.Now()
				for j := 0; ; j++ {
					if d := time.Until(start.Add(time.Duration(j) * hostilePace)); d > 0 {
						select {
						case <-stop:
							return
						case <-time.After(d):
						}
					}
					select {
					case <-stop:
						return
					default:
					}
					req.SetRequestURI("http://" + addr + "/g_variants")
					req.Header.SetMethod("POST")
					req.Header.SetContentType("application/json")
					req.SetBodyString(hostile[pick(i+j, len(hostile)-1)])
					err := c.Do(req, resp)
					answered.Add(1)
					mu.Lock()
					if err != nil {
						ends[-1]++
					} else {
						ends[resp.StatusCode()]++
					}
					mu.Unlock()
				}
			}()
		}
		// The attack is under way once every hostile client has had an answer.
		for answered.Load() < int32(hostileClients) {
			time.Sleep(time.Millisecond)
		}
		n := numGC()
		lat := normal()
		gcs[true] += numGC() - n
		close(stop)
		hwg.Wait()
		return p99(lat)
	}
	measure(true) // the first attack pages in and builds what the hostile queries touch
	clear(gcs)
	b.ResetTimer()
	for range b.N {
		var alone, attacked, ratios []float64
		for r := range rounds {
			var a, h time.Duration
			if r%2 == 0 {
				a = measure(false)
				h = measure(true)
			} else {
				h = measure(true)
				a = measure(false)
			}
			alone = append(alone, float64(a.Microseconds()))
			attacked = append(attacked, float64(h.Microseconds()))
			ratios = append(ratios, float64(h)/float64(a))
			b.Logf("round %d: p99 alone %s, attacked %s (%.2fx)", r+1, a, h, float64(h)/float64(a))
		}
		b.ReportMetric(median(alone), "p99-alone-µs")
		b.ReportMetric(median(attacked), "p99-attacked-µs")
		b.ReportMetric(median(ratios), "p99-ratio")
		b.ReportMetric(slices.Min(ratios), "p99-ratio-min")
		b.ReportMetric(slices.Max(ratios), "p99-ratio-max")
		b.ReportMetric(float64(gcs[false])/float64(rounds), "gc/alone-phase")
		b.ReportMetric(float64(gcs[true])/float64(rounds), "gc/attacked-phase")
		b.Logf("p99 ratios %s (median %.2fx); hostile requests ended: %v; collections while measured: %d alone, %d attacked; GOMAXPROCS %d", fmtRatios(ratios), median(ratios), ends, gcs[false], gcs[true], runtime.GOMAXPROCS(0))
	}
}

// hostileBodies are the POST bodies of the attack, from the demo's own filtering terms, and
// last the control (BITBEACON_HOSTILE_ONLY=3).
func hostileBodies(b *testing.B, srv *Server) []string {
	var terms struct {
		Response struct {
			FilteringTerms []struct{ Type, ID string } `json:"filteringTerms"`
		} `json:"response"`
	}
	_, tb := do(srv.Handler(), "GET", "/filtering_terms", nil)
	if err := json.Unmarshal(tb, &terms); err != nil {
		b.Fatal(err)
	}
	var onto, wild, copies []string
	for _, t := range terms.Response.FilteringTerms {
		if t.Type == "ontologyTerm" && len(onto) < 64 {
			onto = append(onto, `{"id":"`+t.ID+`"}`)
		}
	}
	if len(onto) < 8 {
		b.Fatalf("the demo has %d ontology terms; the attack wants a handful at least", len(onto))
	}
	for i := range 64 {
		wild = append(wild, fmt.Sprintf(`{"id":"geographicOrigin","operator":"=","value":"%%%s%%"}`, strings.Repeat("a", i%8+1)+fmt.Sprint(i)))
	}
	for range 10000 {
		copies = append(copies, `{"id":"NCIT:C16576"}`)
	}
	var out []string
	for _, fs := range [][]string{onto, copies, wild} {
		out = append(out, `{"query":{"filters":[`+strings.Join(fs, ",")+`],"requestedGranularity":"count"}}`)
	}
	return append(out, `{"query":{"filters":[{"id":""}]}}`) // the control, sent only when asked
}

func p99(lat []time.Duration) time.Duration {
	slices.Sort(lat)
	return lat[len(lat)*99/100]
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func fmtRatios(rs []float64) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, fmt.Sprintf("%.2f", r))
	}
	return strings.Join(parts, " ")
}

var onlyHostile = os.Getenv("BITBEACON_HOSTILE_ONLY")

func pick(i, n int) int {
	if onlyHostile != "" {
		k, _ := strconv.Atoi(onlyHostile)
		return k
	}
	return i % n
}
