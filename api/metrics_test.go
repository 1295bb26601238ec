package api

import (
	"strings"
	"testing"
)

// /metrics exposes a latency summary per route kind and entry type, and error counters.
func TestMetricsEndpoint(t *testing.T) {
	h := testHandler(t, "fixture")
	do(h, "GET", "/individuals?filters=NCIT:C16576", nil)
	do(h, "GET", "/g_variants/V1/individuals", nil)
	do(h, "GET", "/g_variants?start=1", nil)
	status, body := do(h, "GET", "/metrics", nil)
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	for _, want := range []string{
		`bitbeacon_request_duration_seconds_count{route="entries",entry="individuals"}`,
		`bitbeacon_request_duration_seconds_count{route="related",entry="g_variants"}`,
		`bitbeacon_errors_total{code="400"}`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
