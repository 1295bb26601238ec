package suite

import (
	"context"
	"fmt"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/bench/load"
	"github.com/bitbeacon/bitbeacon/bench/workload"
)

// HTTP groups: the boolean and count queries of the mix, its record pages, and the
// fixed-body ceiling answering with a count response of the same size.
const (
	GroupCount   = "count"
	GroupRecord  = "record"
	GroupCeiling = "ceiling"
)

// HTTPLevel is one closed-loop run at one connection count.
type HTTPLevel struct {
	Group string `json:"group"`
	load.Result
}

// statisticsKinds are the mix's cohort statistics (an aggregation, a count with allele
// frequencies), timed in process only: in the count group they would change what its QPS
// against the fixed-body ceiling (a count response) has measured.
var statisticsKinds = map[string]bool{"aggregated": true, "count-frequency": true}

// loadGroup returns the HTTP group of a query of the mix; false for one timed in process only.
func loadGroup(q *workload.Query) (string, bool) {
	switch {
	case statisticsKinds[q.Kind]:
		return "", false
	case q.Granularity == "record":
		return GroupRecord, true
	}
	return GroupCount, true
}

// measureHTTP serves h on loopback, as `bitbeacon serve` does, and drives it and the ceiling
// server with each connection count of cfg, one after the other (never at once: they
// share the machine's cores with the load generator).
func measureHTTP(ctx context.Context, cfg *Config, h fasthttp.RequestHandler, mix *workload.Mix, answers map[string]Answer) ([]HTTPLevel, error) {
	groups := map[string][]load.Request{}
	var ceilingBody []byte
	for _, q := range mix.Queries {
		g, ok := loadGroup(&q)
		if !ok {
			continue
		}
		groups[g] = append(groups[g], load.Request{Kind: q.Kind, Method: fasthttp.MethodPost, URI: q.Path, Body: q.Body})
		if ceilingBody == nil && q.Granularity == "count" {
			ceilingBody = answers[q.Name].Body
		}
	}
	if ceilingBody == nil {
		return nil, fmt.Errorf("the mix has no count query to size the ceiling's body")
	}
	groups[GroupCeiling] = groups[GroupCount] // the same requests; the ceiling ignores them
	servers := map[string]*load.Server{}
	for _, g := range []string{GroupCeiling, GroupCount, GroupRecord} {
		srv := load.Ceiling(ceilingBody)
		if g != GroupCeiling {
			srv = api.HTTPServer(h)
		}
		s, err := load.Serve(srv)
		if err != nil {
			return nil, err
		}
		defer s.Close()
		servers[g] = s
	}
	var levels []HTTPLevel
	for _, conns := range cfg.Conns {
		for _, g := range []string{GroupCeiling, GroupCount, GroupRecord} {
			if len(groups[g]) == 0 {
				continue
			}
			opt := load.Options{Conns: conns, Duration: cfg.Duration, Warmup: cfg.Warmup}
			r, err := load.Run(ctx, servers[g].Addr, groups[g], opt)
			if err != nil {
				return levels, fmt.Errorf("%s at %d connections: %w", g, conns, err)
			}
			if r.Errors > 0 {
				return levels, fmt.Errorf("%s at %d connections: %d errors, first: %s", g, conns, r.Errors, r.FirstErr)
			}
			cfg.Log.Info("bench: http", "group", g, "conns", conns, "qps", int(r.QPS), "p99", r.Overall.P99.Round(time.Microsecond))
			levels = append(levels, HTTPLevel{Group: g, Result: *r})
		}
	}
	return levels, nil
}
