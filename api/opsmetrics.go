package api

import (
	"github.com/VictoriaMetrics/metrics"
)

// Reasons a request is refused before or during its evaluation, the label of
// bitbeacon_rejected_requests_total.
const (
	reasonHTTP        = "http"        // fasthttp could not read it (header, body size, malformed)
	reasonLimits      = "limits"      // too many filters, a value too long
	reasonConnections = "connections" // past limits.maxConnections
)

// rejectedCounters is read-only after init: one counter per reason, so that counting
// builds no name.
var rejectedCounters = func() map[string]*metrics.Counter {
	m := map[string]*metrics.Counter{}
	for _, r := range []string{reasonHTTP, reasonLimits, reasonConnections, "budget", "deadline", "disconnected", "auth"} {
		m[r] = metrics.NewCounter(`bitbeacon_rejected_requests_total{reason="` + r + `"}`)
	}
	return m
}()

// rejected is the counter of a reason (that of "limits" for an unknown one).
func rejected(reason string) *metrics.Counter {
	if c, ok := rejectedCounters[reason]; ok {
		return c
	}
	return rejectedCounters[reasonLimits]
}

// RejectedConnection counts a connection refused past limits.maxConnections.
func RejectedConnection() { rejected(reasonConnections).Inc() }
