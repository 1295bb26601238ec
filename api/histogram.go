package api

import (
	"fmt"
	"io"

	"strconv"
	"sync/atomic"
	"time"
)

// histogram is a Prometheus histogram with fixed buckets (le labels), which dashboards and
// alerting rules read as is (the metrics package's histograms use vmrange buckets instead).
// Observing is a few atomic adds.
type histogram struct {
	name, labels string
	counts       [len(latencyBuckets) + 1]atomic.Uint64 // the last is +Inf
	sumMicros    atomic.Uint64
}

// latencyBuckets are the upper bounds, in seconds, of the request latency buckets: count
// queries answer in well under a millisecond, record pages in milliseconds, the deadline
// is seconds.
var latencyBuckets = [...]float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

func (h *histogram) observe(d time.Duration) {
	s := d.Seconds()
	i := 0
	for i < len(latencyBuckets) && s > latencyBuckets[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sumMicros.Add(uint64(d.Microseconds()))
}

// writeTo writes the histogram's series (its HELP and TYPE lines are the caller's).
func (h *histogram) writeTo(w io.Writer) {
	var cum uint64
	for i := range h.counts {
		cum += h.counts[i].Load()
		le := "+Inf"
		if i < len(latencyBuckets) {
			le = strconv.FormatFloat(latencyBuckets[i], 'g', -1, 64)
		}
		fmt.Fprintf(w, "%s_bucket{%s,le=%q} %d\n", h.name, h.labels, le, cum)
	}
	fmt.Fprintf(w, "%s_sum{%s} %s\n", h.name, h.labels, strconv.FormatFloat(float64(h.sumMicros.Load())/1e6, 'g', -1, 64))
	fmt.Fprintf(w, "%s_count{%s} %d\n", h.name, h.labels, cum)
}
