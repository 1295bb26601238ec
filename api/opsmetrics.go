package api

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/valyala/fasthttp"
)

// Reasons a request is refused before or during its evaluation, the label of
// bitbeacon_rejected_requests_total.
const (
	reasonHTTP        = "http"        // fasthttp could not read it (header, body size, malformed)
	reasonLimits      = "limits"      // too many filters, a value too long
	reasonConnections = "connections" // past limits.maxConnections
	reasonAuth        = "auth"        // a bearer token or passport refused (401)
)

// rejectedCounters is read-only after init: one counter per reason, so that counting
// builds no name.
var rejectedCounters = func() map[string]*metrics.Counter {
	m := map[string]*metrics.Counter{}
	for _, r := range []string{reasonHTTP, reasonLimits, reasonConnections, "budget", "deadline", "disconnected", reasonAuth} {
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

func init() {
	// HELP and TYPE lines before every metric family, as Prometheus' text format has them.
	metrics.ExposeMetadata(true)
}

// inFlightAll counts the requests being answered by every Server of the process.
var inFlightAll atomic.Int64

var _ = metrics.NewGauge(`bitbeacon_requests_in_flight`, func() float64 { return float64(inFlightAll.Load()) })

// latencyHistograms, by route kind and entry type like durationSummaries, read-only after
// init.
var latencyHistograms = func() map[durationKey]*histogram {
	m := map[durationKey]*histogram{}
	for k := range durationSummaries {
		route := "framework"
		switch k.kind {
		case RouteEntries:
			route = "entries"
		case RouteEntry:
			route = "entry"
		case RouteRelated:
			route = "related"
		}
		m[k] = &histogram{name: "bitbeacon_request_latency_seconds", labels: `route="` + route + `",entry="` + k.entry + `"`}
	}
	return m
}()

// requestKey labels bitbeacon_requests_total.
type requestKey struct {
	kind           RouteKind
	entry, related string
	status         int
}

var (
	requestsMu sync.RWMutex
	requests   = map[requestKey]*metrics.Counter{}
)

// countRequest counts one answered request by endpoint and status; a counter is created
// the first time its labels occur, later ones are a map read.
func countRequest(r Route, status int) {
	k := requestKey{r.Kind, r.Entry.PathSegment, r.Related.PathSegment, status}
	requestsMu.RLock()
	c := requests[k]
	requestsMu.RUnlock()
	if c == nil {
		requestsMu.Lock()
		if c = requests[k]; c == nil {
			name := fmt.Sprintf(`bitbeacon_requests_total{endpoint=%q,status="%d"}`, endpointName(r), status)
			c = metrics.GetOrCreateCounter(name)
			requests[k] = c
		}
		requestsMu.Unlock()
	}
	c.Inc()
}

// endpointName is the endpoint template of a route ("/individuals/{id}/biosamples").
func endpointName(r Route) string {
	switch r.Kind {
	case RouteInfo:
		return "/info"
	case RouteServiceInfo:
		return "/service-info"
	case RouteConfiguration:
		return "/configuration"
	case RouteEntryTypes:
		return "/entry_types"
	case RouteMap:
		return "/map"
	case RouteFilteringTerms:
		if r.Entry.PathSegment != "" {
			return "/" + r.Entry.PathSegment + "/filtering_terms"
		}
		return "/filtering_terms"
	case RouteAggregationTerms:
		if r.Entry.PathSegment != "" {
			return "/" + r.Entry.PathSegment + "/aggregation_terms"
		}
		return "/aggregation_terms"
	case RouteEntries:
		return "/" + r.Entry.PathSegment
	case RouteEntry:
		return "/" + r.Entry.PathSegment + "/{id}"
	case RouteRelated:
		return "/" + r.Entry.PathSegment + "/{id}/" + r.Related.PathSegment
	}
	return "other"
}

// answers counts data answers by entry type and returned granularity, read-only after init.
var answers = func() map[durationKey]*metrics.Counter {
	m := map[durationKey]*metrics.Counter{}
	for _, et := range EntryTypes {
		for g := Boolean; g <= Record; g++ {
			m[durationKey{kind: RouteKind(g), entry: et.PathSegment}] = metrics.NewCounter(
				`bitbeacon_answers_total{entry="` + et.PathSegment + `",granularity="` + g.String() + `"}`)
		}
	}
	return m
}()

// countAnswer counts one data answer of entry type e at granularity g.
func countAnswer(e string, g Granularity) {
	if c := answers[durationKey{kind: RouteKind(g), entry: e}]; c != nil {
		c.Inc()
	}
}

// writeMetrics answers /metrics: the process's metrics, the latency histograms, and the
// served release (its id, when it was loaded, the bytes of index files it maps) and whether
// the server is draining.
func (s *Server) writeMetrics(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("text/plain; version=0.0.4")
	metrics.WritePrometheus(ctx, true)
	fmt.Fprintf(ctx, "# HELP bitbeacon_request_latency_seconds Time to answer a request, by route kind and entry type.\n# TYPE bitbeacon_request_latency_seconds histogram\n")
	keys := slices.SortedFunc(maps.Keys(latencyHistograms), func(a, b durationKey) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.entry, b.entry))
	})
	for _, k := range keys {
		latencyHistograms[k].writeTo(ctx)
	}
	gauge := func(name, help, labels string, v float64) {
		fmt.Fprintf(ctx, "# HELP %s %s\n# TYPE %s gauge\n%s%s %s\n", name, help, name, name, labels, strconv.FormatFloat(v, 'g', -1, 64))
	}
	if s.eng != nil {
		if snap := s.eng.Snapshot(); snap != nil {
			gauge("bitbeacon_release_info", "The release being served (always 1).", `{release=`+strconv.Quote(snap.ReleaseID)+`}`, 1)
			gauge("bitbeacon_release_loaded_timestamp_seconds", "When the served release was loaded (Unix time).", "", float64(snap.LoadedAt.UnixNano())/1e9)
			gauge("bitbeacon_index_mapped_bytes", "Bytes of index files the served release maps.", "", float64(snap.MappedBytes()))
		}
	}
	draining := 0.0
	if s.Draining() {
		draining = 1
	}
	gauge("bitbeacon_draining", "1 once SIGTERM was received: /ready answers 503.", "", draining)
}

// observeRequest records one answered request: its latency and its endpoint and status.
func observeRequest(r Route, status int, start time.Time) {
	if h := latencyHistograms[durationKey{kind: r.Kind, entry: r.Entry.PathSegment}]; h != nil {
		h.observe(time.Since(start))
	}
	countRequest(r, status)
}
