package compare

import (
	"slices"
	"time"
)

// summarize returns the nearest-rank percentiles of the durations (sorted in place).
func summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	pct := func(p float64) float64 {
		i := int(p*float64(len(ds))+0.999999) - 1
		i = max(0, min(i, len(ds)-1))
		return us(ds[i])
	}
	return Latency{Count: len(ds), P50: pct(0.50), P99: pct(0.99), P999: pct(0.999), Mean: us(sum / time.Duration(len(ds)))}
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
