package api

import (
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
)

const v1Query = "/g_variants?assemblyId=GRCh38&referenceName=1&start=1000&referenceBases=A&alternateBases=G"

func thresholdHandler(t *testing.T, ds DatasetConfig) fasthttp.RequestHandler {
	cfg := DefaultConfig()
	cfg.Datasets = map[string]DatasetConfig{"FIXTURE": ds}
	return testHandlerWith(t, "fixture", &cfg)
}

// countThreshold: a set of people smaller than K is answered as 0 (or K, imprecise), loses
// its records, and a path under an id (a set of one) reveals nothing; countRounding rounds
// up. The fixture has 6 individuals, 3 of them female; V1 is carried by two.
func TestCountThreshold(t *testing.T) {
	females := "/individuals?filters=NCIT:C16576&requestedGranularity="
	for _, c := range []struct {
		ds        DatasetConfig
		count     uint64
		precision string
		records   int
	}{
		{DatasetConfig{}, 3, "", 3},
		{DatasetConfig{CountThreshold: 3}, 3, "", 3},
		{DatasetConfig{CountThreshold: 4}, 0, "", 0},
		{DatasetConfig{CountThreshold: 4, ThresholdAnswer: "threshold"}, 4, "imprecise", 0},
		{DatasetConfig{CountRounding: 5}, 5, "rounded", 3},
		{DatasetConfig{CountThreshold: 2, CountRounding: 10}, 10, "rounded", 3},
	} {
		name := fmt.Sprintf("%+v", c.ds)
		h := thresholdHandler(t, c.ds)
		s := query(t, h, "GET", females+"count", nil, 200)
		if n := s.ResponseSummary.NumTotalResults; n == nil || *n != c.count || s.ResponseSummary.Exists != (c.count > 0) || s.ResponseSummary.CountPrecision != c.precision {
			t.Errorf("%s: count %v exists %v precision %q, want %d %q", name, fmtCount(n), s.ResponseSummary.Exists, s.ResponseSummary.CountPrecision, c.count, c.precision)
		}
		if c.precision != "" && (len(s.ResponseSummary.CountAdjustedTo) != 1) {
			t.Errorf("%s: countAdjustedTo %v", name, s.ResponseSummary.CountAdjustedTo)
		}
		if b := query(t, h, "GET", females+"boolean", nil, 200); b.ResponseSummary.Exists != (c.count > 0) {
			t.Errorf("%s: boolean exists %v", name, b.ResponseSummary.Exists)
		}
		r := query(t, h, "GET", females+"record&includeResultsetResponses=ALL", nil, 200)
		got := 0
		for _, rs := range r.Response.ResultSets {
			got += len(rs.Results)
			if rs.ResultsCount != c.count || rs.CountPrecision != c.precision {
				t.Errorf("%s: result set count %d precision %q", name, rs.ResultsCount, rs.CountPrecision)
			}
		}
		if got != c.records {
			t.Errorf("%s: %d records, want %d", name, got, c.records)
		}
	}
	// Paths under an id are sets of one (or two): nothing of them at K = 3.
	h := thresholdHandler(t, DatasetConfig{CountThreshold: 3})
	for _, p := range []string{"/individuals/I1", "/individuals/I1?filters=NCIT:C16576", "/individuals/I5/biosamples",
		"/individuals/I1/g_variants", "/biosamples/B1/g_variants", "/individuals/I1/runs", v1Query, v1Query + "&filters=NCIT:C16576"} {
		for _, g := range []string{"boolean", "count", "record"} {
			s := query(t, h, "GET", withParam(p, "requestedGranularity="+g), nil, 200)
			if s.ResponseSummary.Exists || len(s.Response.ResultSets) > 0 && len(s.Response.ResultSets[0].Results) > 0 {
				t.Errorf("%s at %s: a set below the threshold answered", p, g)
			}
		}
	}
	// A variant carried by at least K individuals answers.
	if s := query(t, thresholdHandler(t, DatasetConfig{CountThreshold: 1}), "GET", v1Query, nil, 200); !s.ResponseSummary.Exists {
		t.Error("V1 hidden at K = 1")
	}
	if s := query(t, h, "GET", "/g_variants?requestedGranularity=count", nil, 200); !s.ResponseSummary.Exists {
		t.Error("all variants (carried by 6 individuals) hidden at K = 3")
	}
}

// privacy.queryBudget: past N data requests in the window a caller gets 429 with a Beacon
// error body; informational endpoints are exempt; another caller has its own budget; the
// window slides.
func TestQueryBudget(t *testing.T) {
	now := time.Now()
	clk := func() time.Time { return now }
	cfg := DefaultConfig()
	cfg.Privacy.QueryBudget = QueryBudgetConfig{Requests: 3, Window: time.Hour}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.NewEngine(testRelease(t, "fixture"), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(eng, &cfg, nil)
	srv.budget.now = clk
	h := srv.Handler()
	from := func(ip string, uri string) (int, []byte, string) {
		var req fasthttp.Request
		req.SetRequestURI(uri)
		var ctx fasthttp.RequestCtx
		ctx.Init(&req, &net.TCPAddr{IP: net.ParseIP(ip), Port: 40000}, nil)
		h(&ctx)
		return ctx.Response.StatusCode(), append([]byte(nil), ctx.Response.Body()...), string(ctx.Response.Header.Peek("Retry-After"))
	}
	for i := range 3 {
		if st, body, _ := from("10.0.0.1", "/individuals?requestedGranularity=count"); st != 200 {
			t.Fatalf("request %d: %d %s", i, st, body)
		}
		now = now.Add(time.Minute)
	}
	st, body, retry := from("10.0.0.1", "/g_variants")
	var e errorResponse
	if st != 429 || json.Unmarshal(body, &e) != nil || e.Error.ErrorCode != 429 {
		t.Fatalf("past the budget: %d %s", st, body)
	}
	if secs, err := strconv.Atoi(retry); err != nil || secs < 57*60 || secs > 58*60 {
		t.Errorf("Retry-After %q, want about 57 minutes", retry)
	}
	for _, p := range []string{"/info", "/map", "/configuration", "/filtering_terms", "/service-info", "/entry_types"} {
		if st, _, _ := from("10.0.0.1", p); st != 200 {
			t.Errorf("%s: %d, informational endpoints are exempt", p, st)
		}
	}
	if st, _, _ := from("10.0.0.2", "/individuals"); st != 200 {
		t.Errorf("another address: %d", st)
	}
	now = now.Add(57*time.Minute + 30*time.Second) // the first request (3.5 min before the 4th) leaves the window
	if st, _, _ := from("10.0.0.1", "/individuals"); st != 200 {
		t.Errorf("after the window slid: %d", st)
	}
	if st, _, _ := from("10.0.0.1", "/individuals"); st != 429 {
		t.Errorf("the second slot opens a minute later: %d", st)
	}
}
