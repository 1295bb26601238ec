package api

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
)

// BenchmarkHostileP99 holds defect 2 of issue 12: hostile requests must not raise other
// callers' p99 beyond 2x. Four clients send count queries over loopback to the demo
// release, first alone, then while four hostile clients loop on the worst requests the
// limits let through (64 distinct ontology filters on /g_variants; 10,000 copies of one
// filter; 64 distinct wildcard filters). It reports both p99s and their ratio (p99-ratio,
// to stay under 2), and how the hostile requests ended.
//
//	go test ./api -run '^$' -bench HostileP99 -benchtime 1x
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
	hs := srv.HTTPServer()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go hs.Serve(ln)
	defer hs.Shutdown()
	addr := ln.Addr().String()

	// The hostile bodies, from the demo's own filtering terms.
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
	for i := range 64 {
		wild = append(wild, fmt.Sprintf(`{"id":"geographicOrigin","operator":"=","value":"%%%s%%"}`, strings.Repeat("a", i%8+1)+fmt.Sprint(i)))
	}
	for range 10000 {
		copies = append(copies, `{"id":"NCIT:C16576"}`)
	}
	hostile := []string{}
	for _, fs := range [][]string{onto, copies, wild} {
		hostile = append(hostile, `{"query":{"filters":[`+strings.Join(fs, ",")+`],"requestedGranularity":"count"}}`)
	}
	const normalURI = "/individuals?filters=NCIT:C16576&requestedGranularity=count"
	const perClient = 400
	measure := func(attack bool) (p99 time.Duration, hostileDone map[int]int) {
		stop := make(chan struct{})
		var hwg sync.WaitGroup
		var mu sync.Mutex
		hostileDone = map[int]int{}
		var started atomic.Int32
		if attack {
			for i := range 4 {
				hwg.Add(1)
				go func() {
					defer hwg.Done()
					c := &fasthttp.HostClient{Addr: addr, MaxConns: 1, ReadTimeout: 30 * time.Second}
					for j := 0; ; j++ {
						select {
						case <-stop:
							return
						default:
						}
						req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
						req.SetRequestURI("http://" + addr + "/g_variants")
						req.Header.SetMethod("POST")
						req.Header.SetContentType("application/json")
						req.SetBodyString(hostile[pick(i+j, len(hostile))])
						err := c.Do(req, resp)
						started.Add(1)
						mu.Lock()
						if err != nil {
							hostileDone[-1]++
						} else {
							hostileDone[resp.StatusCode()]++
						}
						mu.Unlock()
						fasthttp.ReleaseRequest(req)
						fasthttp.ReleaseResponse(resp)
					}
				}()
			}
			for started.Load() < 4 {
				time.Sleep(time.Millisecond)
			}
		}
		var lat []time.Duration
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := &fasthttp.HostClient{Addr: addr, MaxConns: 1}
				mine := make([]time.Duration, 0, perClient)
				for range perClient {
					req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
					req.SetRequestURI("http://" + addr + normalURI)
					t0 := time.Now()
					err := c.Do(req, resp)
					d := time.Since(t0)
					if err != nil || resp.StatusCode() != 200 {
						b.Errorf("normal request: %v %d", err, resp.StatusCode())
					}
					mine = append(mine, d)
					fasthttp.ReleaseRequest(req)
					fasthttp.ReleaseResponse(resp)
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		close(stop)
		hwg.Wait()
		slices.Sort(lat)
		return lat[len(lat)*99/100], hostileDone
	}
	b.ResetTimer()
	for range b.N {
		base, _ := measure(false)
		under, ends := measure(true)
		b.ReportMetric(float64(base.Microseconds()), "p99-alone-µs")
		b.ReportMetric(float64(under.Microseconds()), "p99-attacked-µs")
		b.ReportMetric(float64(under)/float64(base), "p99-ratio")
		b.Logf("p99 alone %s, under attack %s (%.2fx); hostile requests ended: %v", base, under, float64(under)/float64(base), ends)
	}
}

var onlyHostile = os.Getenv("BITBEACON_HOSTILE_ONLY")

func pick(i, n int) int {
	if onlyHostile != "" {
		k, _ := strconv.Atoi(onlyHostile)
		return k
	}
	return i % n
}
