// Package api is bitbeacon's HTTP front end: it routes Beacon v2 requests, parses GET and
// POST queries into engine queries, applies the granularity policy and renders the Beacon
// envelopes. It owns no data: every answer comes from the engine's current snapshot.
package api

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
	"unsafe"

	"github.com/VictoriaMetrics/metrics"
	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/auth"
	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ui"
)

// Server answers Beacon requests from an engine, and serves the web query page.
type Server struct {
	eng  *engine.Engine
	cfg  *Config
	log  *slog.Logger
	life lifecycle
	now  func() time.Time
	// verifier checks bearer tokens; nil when no issuer is configured.
	verifier *auth.Verifier
	// budget is the per-caller query budget; nil when none is configured.
	budget *budget
	// restricted: some dataset is not PUBLIC, so every answer is narrowed to what the
	// caller may see; thresholds: some dataset has a count threshold or rounding.
	restricted, thresholds bool
	// policyCache holds the datasets' policy compiled for the snapshot served (policy_table.go).
	policyCache policyTableCache
	// web is the web query page under /ui/.
	web *ui.Handler
}

// NewServer returns a server for eng configured by cfg.
func NewServer(eng *engine.Engine, cfg *Config, log *slog.Logger) *Server {
	return NewServerWith(eng, cfg, log, auth.Options{})
}

// NewServerWith is NewServer with the token verifier's options (tests give a clock and
// the refresh interval).
func NewServerWith(eng *engine.Engine, cfg *Config, log *slog.Logger, o auth.Options) *Server {
	if log == nil {
		log = slog.Default()
	}
	if o.Log == nil {
		o.Log = log
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{eng: eng, cfg: cfg, log: log, now: o.Now, budget: newBudget(cfg.Privacy.QueryBudget, o.Now)}
	s.life.heavy = make(chan struct{}, heavySlots(cfg.Limits.HeavyQueries))
	if cfg.Auth.Enabled() {
		s.verifier = auth.NewVerifier(cfg.Auth, o)
	}
	for _, d := range cfg.Datasets {
		if d.SecurityLevel != "" && d.SecurityLevel != SecurityPublic {
			s.restricted = true
		}
		if d.CountThreshold > 1 || d.CountRounding > 1 {
			s.thresholds = true
		}
	}
	s.web = ui.New(ui.Options{SkipCountsRecords: cfg.Pagination.SkipUnit == "records"})
	return s
}

// Handler returns the fasthttp handler: routing, panic safety, CORS and response
// compression (gzip, deflate or zstd, as the client accepts).
func (s *Server) Handler() fasthttp.RequestHandler {
	return fasthttp.CompressHandlerLevel(s.safe(s.serve), fasthttp.CompressBestSpeed)
}

// safe turns a panic into a logged 500 with a Beacon error body, so one bad request never
// takes the server down. A panic is always a bug; tests and fuzzing make sure none is reached.
func (s *Server) safe(h fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic serving request", "path", string(ctx.Path()), "panic", p, "stack", string(debug.Stack()))
				ctx.Response.Reset()
				ctx.Response.Header.Set("Access-Control-Allow-Origin", "*")
				s.writeError(ctx, fasthttp.StatusInternalServerError, "internal error", nil)
			}
		}()
		h(ctx)
	}
}

func (s *Server) serve(ctx *fasthttp.RequestCtx) {
	start := time.Now()
	s.life.inFlight.Add(1)
	inFlightAll.Add(1)
	defer func() { s.life.inFlight.Add(-1); inFlightAll.Add(-1) }()
	if s.life.draining.Load() {
		ctx.SetConnectionClose() // clients move to another replica
	}
	ctx.Response.Header.Set("Access-Control-Allow-Origin", "*")
	if s.probe(ctx) {
		return
	}
	// The route's strings (the record id) point into the request's path: they are used
	// while the request is served and copied by whatever keeps them (messages).
	path := ctx.Path()
	r := ParseRoute(unsafe.String(unsafe.SliceData(path), len(path)))
	if ctx.IsOptions() {
		ctx.Response.Header.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		ctx.Response.Header.Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
		ctx.SetStatusCode(fasthttp.StatusNoContent)
		return
	}
	if !ctx.IsGet() && !ctx.IsPost() && !ctx.IsHead() {
		ctx.Response.Header.Set("Allow", "GET, POST, OPTIONS")
		s.writeError(ctx, fasthttp.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed; use GET or POST", ctx.Method()), nil)
		return
	}
	if r.Kind == RouteNotFound && ui.Owns(path) {
		s.servePage(ctx)
		return
	}
	if r.Kind == RouteNotFound && string(ctx.Path()) == "/metrics" {
		s.writeMetrics(ctx)
		return
	}
	switch r.Kind {
	case RouteNotFound:
		s.writeError(ctx, fasthttp.StatusNotFound, fmt.Sprintf("no endpoint %s; see /map for the endpoints of this beacon", ctx.Path()), nil)
	case RouteInfo:
		if wantsPage(ctx) {
			return
		}
		snap := s.eng.Snapshot()
		stamp := snap.LoadedAt.UTC().Format(time.RFC3339)
		s.writeJSON(ctx, InfoResponse(s.cfg, stamp, stamp))
	case RouteServiceInfo:
		s.writeJSON(ctx, ServiceInfoResponse(s.cfg))
	case RouteConfiguration:
		s.writeJSON(ctx, ConfigurationResponse(s.cfg))
	case RouteEntryTypes:
		s.writeJSON(ctx, EntryTypesResponse(s.cfg))
	case RouteMap:
		s.writeJSON(ctx, MapResponse(s.cfg, relatedEndpoints))
	case RouteFilteringTerms:
		s.filteringTerms(ctx, r)
	case RouteV1Query:
		s.v1Query(ctx)
	case RouteAggregationTerms:
		s.aggregationTerms(ctx, r)
	default:
		s.data(ctx, r)
	}
	if m := requestDuration(r); m != nil {
		m.UpdateDuration(start)
	}
	observeRequest(r, ctx.Response.StatusCode(), start)
}

// requestDuration is the latency summary of one kind of endpoint. Every summary is created
// once at start, so a request builds no metric name and takes no lock.
func requestDuration(r Route) *metrics.Summary {
	return durationSummaries[durationKey{kind: r.Kind, entry: r.Entry.PathSegment}]
}

type durationKey struct {
	kind  RouteKind
	entry string
}

// durationSummaries is read-only after init.
var durationSummaries = func() map[durationKey]*metrics.Summary {
	m := map[durationKey]*metrics.Summary{}
	add := func(kind RouteKind, route, entry string) {
		m[durationKey{kind, entry}] = metrics.GetOrCreateSummary(
			`bitbeacon_request_duration_seconds{route="` + route + `",entry="` + entry + `"}`)
	}
	for _, k := range []RouteKind{RouteNotFound, RouteInfo, RouteServiceInfo, RouteConfiguration, RouteEntryTypes, RouteMap, RouteFilteringTerms, RouteAggregationTerms} {
		add(k, "framework", "")
	}
	add(RouteV1Query, "v1", "")
	for _, et := range EntryTypes {
		add(RouteFilteringTerms, "framework", et.PathSegment)
		add(RouteAggregationTerms, "framework", et.PathSegment)
		add(RouteEntries, "entries", et.PathSegment)
		add(RouteEntry, "entry", et.PathSegment)
		add(RouteRelated, "related", et.PathSegment)
	}
	return m
}()

func (s *Server) writeJSON(ctx *fasthttp.RequestCtx, body []byte) {
	ctx.SetContentType("application/json")
	if !ctx.IsHead() {
		ctx.SetBody(body)
	}
}

func (s *Server) encode(ctx *fasthttp.RequestCtx, status int, v any) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	if ctx.IsHead() {
		return
	}
	enc := json.NewEncoder(ctx)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.log.Error("encoding response", "err", err)
	}
}

// writeError answers with a Beacon error body; req may be nil when the request could not be
// parsed, and the summary then echoes defaults.
func (s *Server) writeError(ctx *fasthttp.RequestCtx, status int, msg string, req *Request) {
	metrics.GetOrCreateCounter(fmt.Sprintf(`bitbeacon_errors_total{code="%d"}`, status)).Inc()
	s.encode(ctx, status, errorResponse{
		Meta:  s.meta(req, nil, s.defaultGranularity()),
		Error: errorBody{ErrorCode: status, ErrorMessage: msg},
	})
}
