package api

import (
	"strconv"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// /metrics has HELP and TYPE lines, requests by endpoint and status, answers by
// granularity, latency histograms, in-flight requests, rejections by reason and the
// served release.
func TestOperationsMetrics(t *testing.T) {
	h := testHandler(t, "fixture")
	do(h, "GET", "/individuals?filters=NCIT:C16576&requestedGranularity=count", nil)
	do(h, "GET", "/individuals/I1/g_variants?requestedGranularity=count", nil)
	do(h, "GET", "/individuals/I1/biosamples?requestedGranularity=record", nil)
	do(h, "GET", "/g_variants?start=1", nil)
	status, body := do(h, "GET", "/metrics", nil)
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	out := string(body)
	for _, want := range []string{
		"# TYPE bitbeacon_requests_total counter",
		`bitbeacon_requests_total{endpoint="/individuals",status="200"}`,
		`bitbeacon_requests_total{endpoint="/g_variants",status="400"}`,
		`bitbeacon_requests_total{endpoint="/individuals/{id}/biosamples",status="200"}`,
		`bitbeacon_requests_total{endpoint="/individuals/{id}/g_variants",status="200"}`,
		`bitbeacon_answers_total{entry="individuals",granularity="count"}`,
		`bitbeacon_answers_total{entry="biosamples",granularity="record"}`,
		"# TYPE bitbeacon_request_latency_seconds histogram",
		`bitbeacon_request_latency_seconds_bucket{route="entries",entry="individuals",le="+Inf"}`,
		"# TYPE bitbeacon_requests_in_flight gauge",
		`bitbeacon_rejected_requests_total{reason="budget"}`,
		`bitbeacon_rejected_requests_total{reason="connections"}`,
		`bitbeacon_release_info{release="000001"} 1`,
		"bitbeacon_release_loaded_timestamp_seconds ",
		"bitbeacon_index_mapped_bytes ",
		"bitbeacon_draining 0",
		"# HELP go_goroutines",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Every series belongs to a family announced by a TYPE line.
	typed := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
			typed[f[2]] = true
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		name := line[:strings.IndexAny(line, "{ ")]
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
		if !typed[name] && !typed[base] {
			t.Errorf("series without a TYPE line: %s", line)
			break
		}
	}
}

// /health and /ready answer probes (a draining server: TestSIGTERMAnswersRequestsInFlight).
func TestHealthAndReady(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	h := testHandler(t, "fixture")
	if status, body := do(h, "GET", "/health", nil); status != 200 || string(body) != `{"status":"up"}` {
		t.Errorf("/health: %d %s", status, body)
	}
	if status, body := do(h, "GET", "/ready", nil); status != 200 || !strings.Contains(string(body), `"release":"000001"`) {
		t.Errorf("/ready: %d %s", status, body)
	}
	srv := NewServer(nil, &cfg, nil)
	if status, _ := do(srv.Handler(), "GET", "/ready", nil); status != 503 {
		t.Errorf("/ready without a release: %d", status)
	}
}

// Every refused token counts once in bitbeacon_rejected_requests_total{reason="auth"}, on
// the v2 data endpoints, /filtering_terms and v1 /query alike; accepted and anonymous
// callers do not count.
func TestRejectedAuthMetric(t *testing.T) {
	f := newAccessFixture(t, map[string]DatasetConfig{"FIXTURE": {SecurityLevel: SecurityControlled, Visa: fixtureVisa}}, nil)
	const series = `bitbeacon_rejected_requests_total{reason="auth"}`
	before := metricValue(t, f.h, series)
	paths := []string{"/individuals?requestedGranularity=count", "/filtering_terms", "/query?referenceName=1&start=1000&referenceBases=A&alternateBases=G&assemblyId=GRCh38"}
	refused := 0
	for name, tok := range f.badTokens(t) {
		for _, p := range paths {
			if status, body := doBearer(f.h, "GET", p, nil, tok); status != 401 {
				t.Fatalf("%s on %s: %d %s", name, p, status, body)
			}
			refused++
		}
	}
	for _, tok := range []string{"", f.access("alice"), f.passport("alice", f.visa("alice", fixtureVisa))} {
		for _, p := range paths {
			if status, body := doBearer(f.h, "GET", p, nil, tok); status != 200 {
				t.Fatalf("accepted caller on %s: %d %s", p, status, body)
			}
		}
	}
	if got := metricValue(t, f.h, series) - before; got != float64(refused) {
		t.Errorf("%s rose by %v, want %d (one per refused token)", series, got, refused)
	}
}

// metricValue reads one series' value from /metrics.
func metricValue(t *testing.T, h fasthttp.RequestHandler, series string) float64 {
	t.Helper()
	status, body := do(h, "GET", "/metrics", nil)
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return x
		}
	}
	t.Fatalf("/metrics lacks %s", series)
	return 0
}
