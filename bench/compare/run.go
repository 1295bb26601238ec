package compare

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/bitbeacon/bitbeacon/bench/workload"
	"github.com/bitbeacon/bitbeacon/release"
)

// Options are the inputs of Run.
type Options struct {
	// Release is a release root or release directory.
	Release string
	Mix     *workload.Mix
	// Engines lists the comparators to run: "duckdb", "postgres".
	Engines []string
	// Repeat is how many warm runs each query gets (after one untimed check run).
	Repeat int
	// Bitbeacon also times bitbeacon's in-process handler on every query (engine
	// "bitbeacon"), the reference of the speed-up figures.
	Bitbeacon bool
	// Postgres configures the PostgreSQL server.
	Postgres PostgresOptions
	// Log receives progress lines (nil: none).
	Log io.Writer
}

// Run answers every query of the mix with bitbeacon and each engine, compares the answers
// and times the engines.
func Run(ctx context.Context, opts Options) (*Results, error) {
	if opts.Repeat < 1 {
		opts.Repeat = 1
	}
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	rel, err := release.Open(opts.Release)
	if err != nil {
		return nil, err
	}
	bb, err := newBitbeacon(rel.Dir())
	if err != nil {
		return nil, err
	}
	res := &Results{Release: rel.Manifest().ReleaseID, Repeat: opts.Repeat}
	want := make([]*Answer, len(opts.Mix.Queries))
	wantErr := make([]error, len(opts.Mix.Queries))
	reqs := make([]*request, len(opts.Mix.Queries))
	reqErr := make([]error, len(opts.Mix.Queries))
	var samples [][]time.Duration // the timed runs of res.Queries[i], pooled per kind at the end
	for i := range opts.Mix.Queries {
		q := &opts.Mix.Queries[i]
		reqs[i], reqErr[i] = parseRequest(q)
		g := q.Granularity
		if reqs[i] != nil {
			g = reqs[i].granularity
		}
		want[i], wantErr[i] = bb.answer(q, g)
		if opts.Bitbeacon && wantErr[i] == nil {
			qr := QueryResult{Name: q.Name, Kind: q.Kind, Engine: "bitbeacon", Granularity: g, Answer: want[i], Match: true}
			lat, err := bb.time(q, opts.Repeat)
			if err != nil {
				qr.Error, qr.Match = err.Error(), false
			}
			qr.Latency = summarize(slices.Clone(lat))
			res.Queries = append(res.Queries, qr)
			samples = append(samples, lat)
		}
	}
	for _, name := range opts.Engines {
		logf("%s: setting up", name)
		c, err := openComparator(ctx, name, rel, opts.Postgres, logf)
		if err != nil {
			return nil, err
		}
		res.Engines = append(res.Engines, c.setup())
		logf("%s: set up in %.1f s; %d queries x %d", name, c.setup().SetupSeconds, len(opts.Mix.Queries), opts.Repeat)
		for i := range opts.Mix.Queries {
			q := &opts.Mix.Queries[i]
			qr := QueryResult{Name: q.Name, Kind: q.Kind, Engine: name, Granularity: q.Granularity, BitbeaconAnswer: want[i]}
			var lat []time.Duration
			switch {
			case reqErr[i] != nil:
				qr.Error = "request: " + reqErr[i].Error()
			case wantErr[i] != nil:
				qr.Error = wantErr[i].Error()
			default:
				qr.Granularity = reqs[i].granularity
				lat = runQuery(ctx, c, reqs[i], opts.Repeat, &qr)
			}
			if qr.Error != "" {
				logf("%s %s: %s", name, q.Name, qr.Error)
			} else if !qr.Match {
				logf("%s %s: MISMATCH: got %+v, bitbeacon %+v", name, q.Name, *qr.Answer, *want[i])
			}
			res.Queries = append(res.Queries, qr)
			samples = append(samples, lat)
		}
		if err := c.close(); err != nil {
			return nil, fmt.Errorf("%s: close: %w", name, err)
		}
	}
	res.Kinds = kindSummaries(res.Queries, samples)
	return res, nil
}

func openComparator(ctx context.Context, name string, rel *release.Reader, pg PostgresOptions, logf func(string, ...any)) (comparator, error) {
	switch name {
	case "duckdb":
		return openDuckDB(ctx, rel)
	case "postgres":
		return openPostgres(ctx, rel, pg, logf)
	}
	return nil, fmt.Errorf("unknown engine %q (want duckdb, postgres)", name)
}

// runQuery translates, prepares, checks and times one query on one engine, and returns the
// timed runs.
func runQuery(ctx context.Context, c comparator, r *request, repeat int, qr *QueryResult) []time.Duration {
	t, err := translate(ctx, c.dialect(), c, c.entities(), r)
	if err != nil {
		qr.Error = "translate: " + err.Error()
		return nil
	}
	qr.SQL = t.sql
	st, err := c.prepare(ctx, t.sql)
	if err != nil {
		qr.Error = "prepare: " + err.Error()
		return nil
	}
	defer st.close()
	once := func() (*Answer, error) {
		if t.record {
			ids, _, err := st.page(ctx, t.args)
			if err != nil {
				return nil, err
			}
			if ids == nil {
				ids = []string{}
			}
			return &Answer{IDs: ids}, nil
		}
		n, err := st.scalar(ctx, t.args)
		if err != nil {
			return nil, err
		}
		if r.granularity == "boolean" {
			return &Answer{Exists: n > 0}, nil
		}
		return &Answer{Exists: n > 0, Count: n}, nil
	}
	a, err := once()
	if err != nil {
		qr.Error = "query: " + err.Error()
		return nil
	}
	if t.record {
		// The total, checked once: the timed page query computes it too (count(*) OVER ()),
		// but an empty page cannot carry it.
		var n int64
		cst, err := c.prepare(ctx, t.countSQL)
		if err == nil {
			n, err = cst.scalar(ctx, t.countArgs)
			cst.close()
		}
		if err != nil {
			qr.Error = "count: " + err.Error()
			return nil
		}
		a.Count, a.Exists = n, n > 0
	}
	qr.Answer = a
	qr.Match = sameAnswer(a, qr.BitbeaconAnswer)
	lat := make([]time.Duration, 0, repeat)
	for range repeat {
		t0 := time.Now()
		if _, err := once(); err != nil {
			qr.Error = "query: " + err.Error()
			return nil
		}
		lat = append(lat, time.Since(t0))
	}
	qr.Latency = summarize(slices.Clone(lat))
	return lat
}

func sameAnswer(a, b *Answer) bool {
	return a != nil && b != nil && a.Exists == b.Exists && a.Count == b.Count && slices.Equal(a.IDs, b.IDs)
}

// kindSummaries pools the timed runs per (engine, kind) and adds each engine's p50 ratio to
// bitbeacon's for the kind.
func kindSummaries(qs []QueryResult, samples [][]time.Duration) []KindSummary {
	type key struct{ engine, kind string }
	var order []key
	acc := map[key]*KindSummary{}
	pooled := map[key][]time.Duration{}
	for i, q := range qs {
		k := key{q.Engine, q.Kind}
		s := acc[k]
		if s == nil {
			s = &KindSummary{Engine: q.Engine, Kind: q.Kind}
			acc[k] = s
			order = append(order, k)
		}
		s.Queries++
		if !q.Match {
			s.Mismatches++
		}
		pooled[k] = append(pooled[k], samples[i]...)
	}
	for k, s := range acc {
		s.Latency = summarize(pooled[k])
	}
	out := make([]KindSummary, 0, len(order))
	for _, k := range order {
		s := *acc[k]
		if b := acc[key{"bitbeacon", k.kind}]; b != nil && k.engine != "bitbeacon" && b.Latency.P50 > 0 {
			s.SpeedupP50 = s.Latency.P50 / b.Latency.P50
		}
		out = append(out, s)
	}
	return out
}
