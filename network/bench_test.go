package network

import (
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/engine"
)

const benchQuery = "/individuals?filters=NCIT:C16576&requestedGranularity=count"

// benchClient reuses connections like the network's own client does.
var benchClient = &http.Client{Transport: func() http.RoundTripper {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	return tr
}()}

func hit(tb testing.TB, url string) {
	resp, err := benchClient.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		tb.Fatalf("%s: status %d", url, resp.StatusCode)
	}
}

// memberURLs serves one fixture engine on n loopback listeners: n members answering alike.
func memberURLs(tb testing.TB, n int) []string {
	eng, err := engine.NewEngine(fixtureRelease(tb, "FIXTURE"), engine.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	cfg := api.DefaultConfig()
	if err := cfg.Validate(); err != nil {
		tb.Fatal(err)
	}
	h := api.NewServer(eng, &cfg, nil).Handler()
	var urls []string
	for range n {
		urls = append(urls, serveFast(tb, h))
	}
	return urls
}

// BenchmarkFanout measures, in one run, a count query sent straight to one member and the
// same query through a network of 1 to 16 such members on loopback: ns/op each, and for the
// network the latency it adds over the direct query (us-added/op) and the ratio (x-direct).
// The parallel variants give the QPS (1e9 / ns/op) with GOMAXPROCS callers.
//
//	go test ./network -run '^$' -bench Fanout -benchtime 2000x
func BenchmarkFanout(b *testing.B) {
	urls := memberURLs(b, 16)
	var direct float64
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			hit(b, urls[0]+benchQuery)
		}
		direct = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	for _, n := range []int{1, 2, 4, 8, 16} {
		var ms []Member
		for i := range n {
			ms = append(ms, Member{ID: "m" + itoa(i), URL: urls[i]})
		}
		_, net := testNetwork(b, Config{Members: ms})
		b.Run("network-"+itoa(n), func(b *testing.B) {
			for b.Loop() {
				hit(b, net+benchQuery)
			}
			per := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			if direct > 0 {
				b.ReportMetric((per-direct)/1e3, "us-added/op")
				b.ReportMetric(per/direct, "x-direct")
			}
		})
	}
	_, net16 := testNetwork(b, Config{Members: func() []Member {
		var ms []Member
		for i := range 16 {
			ms = append(ms, Member{ID: "m" + itoa(i), URL: urls[i]})
		}
		return ms
	}()})
	var directQPS float64
	b.Run("direct-parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				hit(b, urls[0]+benchQuery)
			}
		})
		directQPS = float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(directQPS, "queries/s")
	})
	b.Run("network-16-parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				hit(b, net16+benchQuery)
			}
		})
		qps := float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(qps, "queries/s")
		if directQPS > 0 {
			b.ReportMetric(qps/directQPS, "x-direct-qps")
		}
	})
}

// BenchmarkMemberUnderLoad: one bitbeacon member answering a network's count queries from
// 100 concurrent callers (the model-member figure); errors/op must stay 0.
//
//	go test ./network -run '^$' -bench MemberUnderLoad -benchtime 5000x
func BenchmarkMemberUnderLoad(b *testing.B) {
	url := memberURLs(b, 1)[0] + benchQuery
	var failed atomic.Int64
	b.SetParallelism(max(1, 100/runtime.GOMAXPROCS(0)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := benchClient.Get(url)
			if err != nil {
				failed.Add(1)
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				failed.Add(1)
			}
		}
	})
	b.ReportMetric(float64(failed.Load())/float64(b.N), "errors/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}

// TestHundredConcurrentQueries: a network of bitbeacon members holds 100 queries at once
// without an error or a member failing.
func TestHundredConcurrentQueries(t *testing.T) {
	urls := memberURLs(t, 2)
	_, net := testNetwork(t, Config{Members: []Member{{ID: "a", URL: urls[0]}, {ID: "b", URL: urls[1]}}})
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for range 100 {
		wg.Go(func() {
			resp, err := benchClient.Get(net + benchQuery)
			if err != nil {
				errs <- err.Error()
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			a := decode(t, body)
			if resp.StatusCode != 200 || a.status("a").Status != StatusOK || a.status("b").Status != StatusOK ||
				a.ResponseSummary.NumTotalResults == nil || *a.ResponseSummary.NumTotalResults != 6 {
				errs <- string(body)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent query failed: %s", e)
	}
}
