package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/internal/testserver"
	"github.com/bitbeacon/bitbeacon/popgen"
)

// BenchmarkManyDatasets times the requests whose work may follow the number of datasets
// (issue 15, "Many datasets") at 10, 256 and 1,000 datasets, in both popgen layouts:
//
//	go test -run '^$' -bench 'BenchmarkManyDatasets' -benchtime 300x ./bench/
//	BITBEACON_BENCH_DATASETS_DIR=/tmp/many go test -run '^$' -bench 'BenchmarkManyDatasets/split-1000' ./bench/
//
// split-N is 2,504 individuals divided into N datasets (each with the variants its samples
// carry); shared-N is N datasets of one cohort of 100 individuals, each a part of the
// variants. Each release is built on first use (popgen.WriteDatasets, one ingest.Run per
// dataset, engine.WriteIndex) and kept under BITBEACON_BENCH_DATASETS_DIR when it is set,
// so that runs of two builds (before and after a change) time the same release.
//
// "public/…" is the default configuration, every dataset PUBLIC; "mixed/…" gives a third
// of the datasets REGISTERED (seen below it as counts), a fifth a count threshold and a
// seventh count rounding, asked anonymously. "reload" is engine.Open from the index files.
func BenchmarkManyDatasets(b *testing.B) {
	for _, l := range manyLayouts {
		b.Run(l.name, func(b *testing.B) {
			f := l.lazy.get(b, l.build)
			b.Run("reload", func(b *testing.B) {
				for b.Loop() {
					s, err := engine.Open(f.dir, engine.Options{})
					if err != nil {
						b.Fatal(err)
					}
					_ = s
				}
			})
			// The engine alone: the split of an answer by dataset, without the envelope.
			for _, ec := range manyEngineCases {
				b.Run("engine/"+ec.name, func(b *testing.B) {
					var res engine.Result
					q := ec.q
					for b.Loop() {
						if err := f.snap.EvaluateInto(&q, &res); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			for _, pc := range []struct {
				name string
				cfg  func(snap *engine.Snapshot) api.Config
			}{{"public", func(*engine.Snapshot) api.Config { return api.DefaultConfig() }}, {"mixed", mixedPolicy}} {
				cfg := pc.cfg(f.snap)
				h := api.NewServer(f.eng, &cfg, nil).Handler()
				for i := range manyRequests {
					hc := &manyRequests[i]
					var ctx fasthttp.RequestCtx
					serve(h, &ctx, hc)
					if ctx.Response.StatusCode() != fasthttp.StatusOK || !strings.Contains(string(ctx.Response.Body()), hc.want) {
						b.Fatalf("%s %s: status %d: %.300s", pc.name, hc.name, ctx.Response.StatusCode(), ctx.Response.Body())
					}
					body := len(ctx.Response.Body())
					b.Run(pc.name+"/"+hc.name, func(b *testing.B) {
						var ctx fasthttp.RequestCtx
						b.ReportAllocs()
						for b.Loop() {
							serve(h, &ctx, hc)
						}
						b.ReportMetric(float64(body), "body-bytes")
					})
				}
			}
		})
	}
}

// manyLayout is one release of many datasets.
type manyLayout struct {
	name     string
	datasets int
	shared   bool
	lazy     lazy
}

var manyLayouts = func() []*manyLayout {
	var out []*manyLayout
	for _, shared := range []bool{false, true} {
		for _, n := range []int{10, 256, 1000} {
			name := fmt.Sprintf("split-%d", n)
			if shared {
				name = fmt.Sprintf("shared-%d", n)
			}
			out = append(out, &manyLayout{name: name, datasets: n, shared: shared})
		}
	}
	return out
}()

// manyDatasetsPopulation is the population a layout divides.
func (l *manyLayout) population() popgen.Config {
	if l.shared {
		return popgen.Config{Seed: 1, Individuals: 100, Variants: 4000, SkipBFFVariants: true}
	}
	return popgen.Config{Seed: 1, Individuals: 2504, Variants: 4000, SkipBFFVariants: true}
}

// build writes and ingests the layout's datasets, one ingest.Run each, unless a kept release
// is there, and loads the release from its index files.
func (l *manyLayout) build(tb testing.TB) (*fixture, error) {
	root := os.Getenv("BITBEACON_BENCH_DATASETS_DIR")
	if root == "" {
		root = testserver.TempDir(tb)
	}
	dir := filepath.Join(root, l.name)
	out := filepath.Join(dir, "release")
	done := filepath.Join(dir, "complete")
	if _, err := os.Stat(done); err != nil {
		os.RemoveAll(dir)
		t0 := time.Now()
		ds, err := popgen.WriteDatasets(filepath.Join(dir, "input"), l.population(), popgen.Split{Datasets: l.datasets, SharedCohort: l.shared})
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			opts := ingest.Options{Out: out, DatasetID: d.DatasetID, Assembly: popgen.DefaultAssembly}
			if _, err := ingest.Run(context.Background(), opts, d.Paths); err != nil {
				return nil, fmt.Errorf("%s: ingest %s: %w", l.name, d.DatasetID, err)
			}
		}
		if _, err := engine.WriteIndex(out, engine.Options{}); err != nil {
			return nil, err
		}
		os.RemoveAll(filepath.Join(dir, "input"))
		if err := os.WriteFile(done, nil, 0o644); err != nil {
			return nil, err
		}
		tb.Logf("%s: built in %v", l.name, time.Since(t0).Round(time.Millisecond))
	}
	f, err := load(l.name, out)
	if err != nil {
		return nil, err
	}
	if n := len(f.snap.Datasets()); n != l.datasets {
		return nil, fmt.Errorf("%s: %d datasets loaded", l.name, n)
	}
	return f, nil
}

// mixedPolicy configures the datasets of snap with mixed access levels and privacy rules:
// every third REGISTERED (an anonymous caller sees it as counts), every fifth a count
// threshold of 3, every seventh count rounding to 5.
func mixedPolicy(snap *engine.Snapshot) api.Config {
	cfg := api.DefaultConfig()
	cfg.Datasets = map[string]api.DatasetConfig{}
	for i, d := range snap.Datasets() {
		dc := api.DefaultDatasetConfig(d.ID)
		if i%3 == 0 {
			dc.SecurityLevel, dc.BelowLevel = api.SecurityRegistered, "count"
		}
		if i%5 == 0 {
			dc.CountThreshold = 3
		}
		if i%7 == 0 {
			dc.CountRounding = 5
		}
		if dc != api.DefaultDatasetConfig(d.ID) {
			cfg.Datasets[d.ID] = dc
		}
	}
	return cfg
}

// manyBody is a POST body for /individuals: female, with a second filter when two, at
// granularity g, result sets as sets says, a page of 10.
func manyBody(g, sets string, two bool) []byte {
	filters := `{"id":"NCIT:C16576"}`
	if two {
		filters += `,{"id":"NCIT:C43851"}` // European
	}
	return []byte(`{"meta":{"apiVersion":"2.0"},"query":{"filters":[` + filters + `],"requestedGranularity":"` + g +
		`","includeResultsetResponses":"` + sets + `","pagination":{"skip":0,"limit":10}}}`)
}

// variantBody is a POST body for /g_variants: a 5 Mb range of chromosome 1 at granularity g.
func variantBody(g, sets string) []byte {
	return []byte(`{"meta":{"apiVersion":"2.0"},"query":{"requestParameters":{"assemblyId":"GRCh38","referenceName":"1","start":[1000000],"end":[6000000]},"requestedGranularity":"` + g +
		`","includeResultsetResponses":"` + sets + `","pagination":{"skip":0,"limit":10}}}`)
}

// manyEngineCases are engine queries over every dataset: counts of one filter (from the
// index bitmap), of two (in words) and the rows of one (per-dataset bitmaps).
var manyEngineCases = []struct {
	name string
	q    engine.Query
}{
	{"count-female", engine.Query{Target: "individual", CountOnly: true, Filters: []engine.Filter{ontoFilter("NCIT:C16576")}}},
	{"count-female-european", engine.Query{Target: "individual", CountOnly: true, Filters: []engine.Filter{ontoFilter("NCIT:C16576"), ontoFilter("NCIT:C43851")}}},
	{"rows-female", engine.Query{Target: "individual", Filters: []engine.Filter{ontoFilter("NCIT:C16576")}}},
	{"count-variants-range-female", engine.Query{Target: "genomicVariation", CountOnly: true, Filters: []engine.Filter{ontoFilter("NCIT:C16576")},
		Variant: &engine.VariantQuery{AssemblyID: "GRCh38", ReferenceName: "1", Start: []int64{1_000_000}, End: []int64{6_000_000}, VariantMinLength: -1, VariantMaxLength: -1}}},
}

var manyRequests = []handlerCase{
	{name: "count-HIT", uri: "/individuals", body: manyBody("count", "HIT", false), want: `"resultsCount"`},
	{name: "count-MISS", uri: "/individuals", body: manyBody("count", "MISS", false), want: `"numTotalResults"`},
	{name: "count-ALL", uri: "/individuals", body: manyBody("count", "ALL", false), want: `"resultsCount"`},
	{name: "count2-HIT", uri: "/individuals", body: manyBody("count", "HIT", true), want: `"resultsCount"`},
	{name: "record-HIT", uri: "/individuals", body: manyBody("record", "HIT", false), want: `"numTotalResults"`},
	{name: "variants-count-HIT", uri: "/g_variants", body: variantBody("count", "HIT"), want: `"numTotalResults"`},
	{name: "variants-record-HIT", uri: "/g_variants", body: variantBody("record", "HIT"), want: `"numTotalResults"`},
	{name: "datasets-listing", uri: "/datasets?limit=10", want: `"collections"`},
	{name: "filtering-terms", uri: "/filtering_terms?limit=100", want: `"filteringTerms"`},
}
