package api

import (
	"testing"
	"time"
)

// bitbeacon_rejected_requests_total counts each refusal under its reason: a request over
// the filter cap under "limits", one over the work budget under "budget", one past its
// deadline under "deadline" (auth: TestRejectedAuthMetric, connections:
// TestConnectionCapAnswers503 and TestConnectionFlood, disconnected:
// TestQueryStopsWhenClientLeaves).
func TestRejectedReasonMetrics(t *testing.T) {
	series := func(reason string) string { return `bitbeacon_rejected_requests_total{reason="` + reason + `"}` }
	const tooMany = "/individuals?filters=TST:1,TST:2,TST:3&requestedGranularity=count"
	for _, c := range []struct {
		reason, uri string
		limits      func(*LimitsConfig)
	}{
		{"limits", tooMany, func(l *LimitsConfig) { l.MaxFilters = 2 }},
		{"budget", "/individuals?filters=NCIT:C16576,NCIT:C20197&requestedGranularity=count", func(l *LimitsConfig) { l.WorkBudget = 1500 }},
		{"deadline", "/individuals?filters=NCIT:C16576&requestedGranularity=count", func(l *LimitsConfig) { l.RequestTimeout = time.Nanosecond }},
	} {
		cfg := DefaultConfig()
		c.limits(&cfg.Limits)
		h := testHandlerWith(t, "fixture", &cfg)
		before := metricValue(t, h, series(c.reason))
		const n = 3
		for range n {
			if status, out := do(h, "GET", c.uri, nil); status < 400 {
				t.Fatalf("%s: %d %.200s, want a refusal", c.reason, status, out)
			}
		}
		if got := metricValue(t, h, series(c.reason)) - before; got != n {
			t.Errorf("%s rose by %v after %d refusals", series(c.reason), got, n)
		}
	}
}
