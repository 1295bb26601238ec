package workload_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/bench/workload"
	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/popgen"
)

// demoRelease ingests the built-in demo population into a temporary release root.
func demoRelease(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files, err := popgen.WriteBFF(filepath.Join(dir, "bff"), popgen.Demo())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "release")
	opts := ingest.Options{Out: out, DatasetID: popgen.DefaultDatasetID, Assembly: popgen.DefaultAssembly}
	if _, err := ingest.Run(context.Background(), opts, files.Paths); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGenerate checks that a mix covers every kind, repeats with its seed, and that every
// query is a valid Beacon request with at least one answer.
func TestGenerate(t *testing.T) {
	root := demoRelease(t)
	mix, err := workload.Generate(root, workload.Options{Seed: 7, PerKind: 5})
	if err != nil {
		t.Fatal(err)
	}
	again, err := workload.Generate(root, workload.Options{Seed: 7, PerKind: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(mix, again) {
		t.Error("the same seed gave a different mix")
	}
	other, err := workload.Generate(root, workload.Options{Seed: 8, PerKind: 5})
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(mix.Queries, other.Queries) {
		t.Error("seeds 7 and 8 gave the same mix")
	}

	perKind := map[string]int{}
	names := map[string]bool{}
	for _, q := range mix.Queries {
		perKind[q.Kind]++
		if names[q.Name] {
			t.Errorf("name %s twice", q.Name)
		}
		names[q.Name] = true
	}
	for _, k := range workload.Kinds {
		if perKind[k] != 5 {
			t.Errorf("kind %s: %d queries, want 5", k, perKind[k])
		}
	}

	eng, err := engine.NewEngine(root, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := api.DefaultConfig()
	h := api.NewServer(eng, &cfg, nil).Handler()
	for _, q := range mix.Queries {
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetMethod(fasthttp.MethodPost)
		ctx.Request.Header.SetContentType("application/json")
		ctx.Request.SetRequestURI(q.Path)
		ctx.Request.SetBody(q.Body)
		h(&ctx)
		if ctx.Response.StatusCode() != fasthttp.StatusOK {
			t.Errorf("%s: status %d: %s", q.Name, ctx.Response.StatusCode(), ctx.Response.Body())
			continue
		}
		var resp struct {
			Meta struct {
				ReturnedGranularity string `json:"returnedGranularity"`
			} `json:"meta"`
			Summary struct {
				Exists          bool `json:"exists"`
				NumTotalResults int  `json:"numTotalResults"`
			} `json:"responseSummary"`
			Info struct {
				Warnings []string `json:"warnings"`
			} `json:"info"`
			Response struct {
				ResultSets []struct {
					Results      []json.RawMessage `json:"results"`
					Aggregations []struct {
						ID           string            `json:"id"`
						Distribution []json.RawMessage `json:"distribution"`
					} `json:"resultsAggregation"`
				} `json:"resultSets"`
			} `json:"response"`
		}
		if err := json.Unmarshal(ctx.Response.Body(), &resp); err != nil {
			t.Errorf("%s: %v", q.Name, err)
			continue
		}
		if resp.Meta.ReturnedGranularity != q.Granularity {
			t.Errorf("%s: returned %s, asked %s", q.Name, resp.Meta.ReturnedGranularity, q.Granularity)
		}
		if !resp.Summary.Exists {
			t.Errorf("%s: no answer: %s %s", q.Name, q.Path, q.Body)
		}
		if q.Granularity == "count" && resp.Summary.NumTotalResults < 1 {
			t.Errorf("%s: count %d", q.Name, resp.Summary.NumTotalResults)
		}
		if len(resp.Info.Warnings) > 0 {
			t.Errorf("%s: warnings %v", q.Name, resp.Info.Warnings)
		}
		if q.Kind == "record-page" {
			n := 0
			for _, rs := range resp.Response.ResultSets {
				n += len(rs.Results)
			}
			if n == 0 || n > 10 {
				t.Errorf("%s: page of %d records: %s", q.Name, n, q.Body)
			}
		}
		switch q.Kind {
		case "aggregated":
			// Every aggregator named comes back with values: the concepts are the data's own.
			var body struct {
				Query struct {
					Aggregators []string `json:"aggregators"`
				} `json:"query"`
			}
			if err := json.Unmarshal(q.Body, &body); err != nil || len(body.Query.Aggregators) == 0 {
				t.Fatalf("%s: aggregators of %s: %v", q.Name, q.Body, err)
			}
			n := 0
			for _, rs := range resp.Response.ResultSets {
				for _, a := range rs.Aggregations {
					if len(a.Distribution) == 0 {
						t.Errorf("%s: %s has no values", q.Name, a.ID)
					}
					n++
				}
			}
			if n == 0 || n != len(body.Query.Aggregators)*len(resp.Response.ResultSets) {
				t.Errorf("%s: %d aggregations for %v", q.Name, n, body.Query.Aggregators)
			}
		case "count-frequency":
			if resp.Summary.NumTotalResults != 1 {
				t.Errorf("%s: %d variants, want the one allele: %s", q.Name, resp.Summary.NumTotalResults, q.Body)
			}
		}
		if strings.HasPrefix(q.Kind, "count-filters-") {
			var body struct {
				Query struct {
					Filters []json.RawMessage `json:"filters"`
				} `json:"query"`
			}
			if err := json.Unmarshal(q.Body, &body); err != nil {
				t.Fatal(err)
			}
			if want := int(q.Kind[len(q.Kind)-1] - '0'); len(body.Query.Filters) != want {
				t.Errorf("%s: %d filters", q.Name, len(body.Query.Filters))
			}
		}
	}
}
