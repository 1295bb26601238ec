package api

import (
	"sync/atomic"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/release"
)

// lifecycle is what a deploy needs of a server: whether it is draining (SIGTERM received),
// and the per-process work limits every request shares.
type lifecycle struct {
	draining atomic.Bool
	inFlight atomic.Int64
	// heavy holds one token per query allowed to run past its light share of the budget.
	heavy chan struct{}
}

// Drain marks the server as shutting down: /ready answers 503 from now on so that load
// balancers stop sending, every answer closes its connection so that clients reconnect
// elsewhere, and requests are still served until the HTTP server is shut down.
func (s *Server) Drain() { s.life.draining.Store(true) }

// Draining reports whether Drain was called.
func (s *Server) Draining() bool { return s.life.draining.Load() }

// InFlight is the number of requests being answered.
func (s *Server) InFlight() int64 { return s.life.inFlight.Load() }

// probe answers /health and /ready; it reports false for any other path. /health says the
// process is up; /ready says a release is loaded and the server is not draining. Neither is
// a Beacon endpoint: both answer small JSON for probes and load balancers.
func (s *Server) probe(ctx *fasthttp.RequestCtx) bool {
	switch string(ctx.Path()) {
	case "/health":
		ctx.SetContentType("application/json")
		ctx.SetBodyString(`{"status":"up"}`)
		return true
	case "/ready":
		ctx.SetContentType("application/json")
		switch {
		case s.life.draining.Load():
			ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
			ctx.SetBodyString(`{"ready":false,"reason":"shutting down"}`)
		case s.eng == nil || s.eng.Snapshot() == nil:
			ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
			ctx.SetBodyString(`{"ready":false,"reason":"no release loaded"}`)
		default:
			ctx.SetBodyString(`{"ready":true,"release":` + jsonString(s.eng.Snapshot().ReleaseID) + `}`)
		}
		return true
	}
	return false
}

func jsonString(s string) string { return string(release.AppendJSONString(nil, s)) }
