// Package bench holds the query benchmarks over two real releases: the CINECA UK1 cohort
// from ../shared (2504 individuals, 4998 variants on chr22) and the popgen synthetic
// population scaled up to 2504 individuals and 100,000 variants.
//
//	go test -run '^$' -bench . -benchtime 2000x ./bench/
//
// The releases are generated and ingested once per process, inside the first benchmark that
// needs them (the scaled popgen takes about a minute), so `go test ./bench/` without -bench
// stays fast: it only runs TestQueryCases on a small popgen release.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
	"github.com/bitbeacon/bitbeacon/popgen"
	"github.com/bitbeacon/bitbeacon/release"
)

const cinecaDataset = testenv.CINECADataset

// scaledPopgen is the benchmark population: the size of the CINECA cohort, 20 times its
// variants, over the default chromosomes 1, 2, 22 and X.
var scaledPopgen = popgen.Config{Seed: 1, Individuals: 2504, Variants: 100_000}

var (
	tmpOnce sync.Once
	tmpRoot string
	tmpErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if tmpRoot != "" {
		os.RemoveAll(tmpRoot)
	}
	os.Exit(code)
}

func tempRoot(tb testing.TB) string {
	tmpOnce.Do(func() { tmpRoot, tmpErr = os.MkdirTemp("", "bitbeacon-bench-") })
	if tmpErr != nil {
		tb.Fatal(tmpErr)
	}
	return tmpRoot
}

// fixture is one loaded release with the benchmark queries built from its data.
type fixture struct {
	name    string
	dir     string
	eng     *engine.Engine
	snap    *engine.Snapshot
	cases   []queryCase
	params  caseParams // what the cases were built from
	handler fasthttp.RequestHandler
	built   time.Duration
}

// lazy builds a fixture once per process.
type lazy struct {
	once sync.Once
	f    *fixture
	err  error
}

func (l *lazy) get(tb testing.TB, build func(tb testing.TB) (*fixture, error)) *fixture {
	tb.Helper()
	l.once.Do(func() {
		// Stays the error if build ends the goroutine (t.Fatal inside it).
		l.err = fmt.Errorf("building the fixture failed earlier")
		l.f, l.err = build(tb)
	})
	if l.err != nil {
		tb.Fatalf("fixture: %v", l.err)
	}
	return l.f
}

var cinecaFix, popgenFix lazy

func buildCineca(tb testing.TB) (*fixture, error) {
	t0 := time.Now()
	out := filepath.Join(tempRoot(tb), "cineca")
	opts := ingest.Options{Out: out, DatasetID: cinecaDataset, Assembly: "GRCh37"}
	if _, err := ingest.Run(context.Background(), opts, testenv.CINECAInputs(tb)); err != nil {
		return nil, err
	}
	f, err := load("cineca", out)
	if err != nil {
		return nil, err
	}
	f.params = caseParams{
		chrom: "22", assembly: "GRCh37",
		filter1: "NCIT:C16576",
		filter3: []string{"NCIT:C16576", "NCIT:C41261", "GAZ:00002641"}, // female, British, England
		// GENO:0000391 "disomic zygosity" is the parent of the heterozygous and homozygous
		// terms the variants hold; its folded bitmap answers for both.
		parent: "GENO:0000391", parentTarget: release.GenomicVariation,
		alphaID: "LOINC:35925-4", alphaOp: ">", alphaValue: "25", // BMI > 25
		gene: "IL17RA",
	}
	f.cases, err = cases(f, f.params)
	f.built = time.Since(t0)
	return f, err
}

func buildPopgen(cfg popgen.Config, name string) func(tb testing.TB) (*fixture, error) {
	return func(tb testing.TB) (*fixture, error) {
		t0 := time.Now()
		root := filepath.Join(tempRoot(tb), name)
		files, err := popgen.WriteBFF(filepath.Join(root, "bff"), cfg)
		if err != nil {
			return nil, err
		}
		out := filepath.Join(root, "release")
		opts := ingest.Options{Out: out, DatasetID: popgen.DefaultDatasetID, Assembly: popgen.DefaultAssembly}
		if _, err := ingest.Run(context.Background(), opts, files.Paths); err != nil {
			return nil, err
		}
		os.RemoveAll(files.Dir) // about 1 GB of JSON at the benchmark scale
		f, err := load(name, out)
		if err != nil {
			return nil, err
		}
		f.params = popgenParams
		f.cases, err = cases(f, f.params)
		f.built = time.Since(t0)
		return f, err
	}
}

// popgenParams are the query parameters of a popgen release.
var popgenParams = caseParams{
	chrom: "1", assembly: "GRCh38",
	filter1: "NCIT:C16576",
	filter3: []string{"NCIT:C16576", "NCIT:C43851", "GAZ:00002641"}, // female, European, England
	// MONDO:0000001 "disease" is the root of the demo disease hierarchy: no record
	// holds it, every disease folds into it.
	parent: "MONDO:0000001", parentTarget: release.Individual,
	alphaID: "LOINC:39156-5", alphaOp: ">", alphaValue: "25", // BMI > 25
	gene: "TTN",
}

func load(name, dir string) (*fixture, error) {
	eng, err := engine.NewEngine(dir, engine.Options{})
	if err != nil {
		return nil, err
	}
	cfg := api.DefaultConfig()
	return &fixture{
		name: name, dir: dir, eng: eng, snap: eng.Snapshot(),
		handler: api.NewServer(eng, &cfg, nil).Handler(),
	}, nil
}

// queryCase is one benchmarked query. page > 0 makes it a record page: Evaluate, Page and
// RecordJSON of each row, as the API does at record granularity.
type queryCase struct {
	name     string
	q        engine.Query
	page     int
	nonEmpty bool // the data guarantees at least one result (checked before timing)
}

type caseParams struct {
	chrom, assembly              string
	filter1                      string
	filter3                      []string
	parent                       string
	parentTarget                 release.Entity
	alphaID, alphaOp, alphaValue string
	gene                         string
}

func ontoFilter(id string) engine.Filter {
	return engine.Filter{Kind: engine.OntologyFilter, ID: id, IncludeDescendants: true}
}

// varQuery returns a VariantQuery with no length bounds, as the API builds one.
func varQuery(asm, chrom string) *engine.VariantQuery {
	return &engine.VariantQuery{AssemblyID: asm, ReferenceName: chrom, VariantMinLength: -1, VariantMaxLength: -1}
}

// storedVariant is the part of a stored BFF variant the queries are built from.
type storedVariant struct {
	ID        string `json:"variantInternalId"`
	Variation struct {
		Ref      string `json:"referenceBases"`
		Alt      string `json:"alternateBases"`
		Location struct {
			Interval struct {
				Start struct{ Value int64 } `json:"start"`
				End   struct{ Value int64 } `json:"end"`
			} `json:"interval"`
		} `json:"location"`
	} `json:"variation"`
}

// cases builds the benchmark queries from the data: a single-nucleotide variant in the
// middle of the chromosome anchors the sequence, range and bracket queries, and the first
// individual anchors the cross-entry query.
func cases(f *fixture, p caseParams) ([]queryCase, error) {
	s := f.snap
	// A SNV near the middle of the chromosome.
	whole := varQuery(p.assembly, p.chrom)
	whole.Start, whole.End = []int64{0}, []int64{1 << 40}
	res, err := s.Evaluate(&engine.Query{Target: release.GenomicVariation, Variant: whole})
	if err != nil {
		return nil, err
	}
	n := int(res.Total)
	if n == 0 {
		return nil, fmt.Errorf("%s: no variants on %s", f.name, p.chrom)
	}
	var v storedVariant
	for _, row := range engine.Page(res.Rows, n/2, n-n/2, nil) {
		if err := json.Unmarshal(s.RecordJSON(release.GenomicVariation, row), &v); err != nil {
			return nil, fmt.Errorf("%s: variant row %d: %v", f.name, row, err)
		}
		if len(v.Variation.Ref) == 1 && len(v.Variation.Alt) == 1 {
			break
		}
	}
	start, end := v.Variation.Location.Interval.Start.Value, v.Variation.Location.Interval.End.Value
	// The first individual.
	res, err = s.Evaluate(&engine.Query{Target: release.Individual})
	if err != nil || res.Total == 0 {
		return nil, fmt.Errorf("%s: no individuals (%v)", f.name, err)
	}
	var ind struct{ ID string }
	if err := json.Unmarshal(s.RecordJSON(release.Individual, res.Rows.Minimum()), &ind); err != nil {
		return nil, err
	}

	seq := varQuery(p.assembly, p.chrom)
	seq.Start = []int64{start}
	seq.ReferenceBases, seq.AlternateBases = &v.Variation.Ref, &v.Variation.Alt
	r10k := varQuery(p.assembly, p.chrom)
	r10k.Start, r10k.End = []int64{start - 5_000}, []int64{start + 5_000}
	r1M := varQuery(p.assembly, p.chrom)
	r1M.Start, r1M.End = []int64{start - 500_000}, []int64{start + 500_000}
	bracket := varQuery(p.assembly, p.chrom)
	bracket.Start, bracket.End = []int64{start - 50_000, start + 1}, []int64{end, end + 50_000}
	gene := &engine.VariantQuery{GeneID: p.gene, VariantMinLength: -1, VariantMaxLength: -1}
	var f3 []engine.Filter
	for _, id := range p.filter3 {
		f3 = append(f3, ontoFilter(id))
	}
	alpha := engine.Filter{Kind: engine.AlphanumericFilter, ID: p.alphaID, Operator: p.alphaOp, Value: p.alphaValue}
	female := []engine.Filter{ontoFilter(p.filter1)}
	return []queryCase{
		{name: "count-all", q: engine.Query{Target: release.Individual}, nonEmpty: true},
		{name: "filter-1", q: engine.Query{Target: release.Individual, Filters: female}, nonEmpty: true},
		{name: "filters-3-AND", q: engine.Query{Target: release.Individual, Filters: f3}, nonEmpty: true},
		{name: "parent-term", q: engine.Query{Target: p.parentTarget, Filters: []engine.Filter{ontoFilter(p.parent)}}, nonEmpty: true},
		{name: "alphanumeric-range", q: engine.Query{Target: release.Individual, Filters: []engine.Filter{alpha}}, nonEmpty: true},
		{name: "sequence", q: engine.Query{Target: release.GenomicVariation, Variant: seq}, nonEmpty: true},
		{name: "range-10kb", q: engine.Query{Target: release.GenomicVariation, Variant: r10k}, nonEmpty: true},
		{name: "range-1Mb", q: engine.Query{Target: release.GenomicVariation, Variant: r1M}, nonEmpty: true},
		{name: "bracket", q: engine.Query{Target: release.GenomicVariation, Variant: bracket}, nonEmpty: true},
		{name: "geneId", q: engine.Query{Target: release.GenomicVariation, Variant: gene}, nonEmpty: true},
		// Individuals with the filter that carry a variant in the 1 Mb range.
		{name: "mixed-variant+phenotype", q: engine.Query{Target: release.Individual, Filters: female, Variant: r1M}, nonEmpty: true},
		// /individuals/{id}/g_variants
		{name: "cross-entry", q: engine.Query{Target: release.GenomicVariation, Anchor: &engine.Anchor{Entity: release.Individual, ID: ind.ID}}, nonEmpty: true},
		// /individuals/{id}/g_variants?filters=GENO:0000136: the variants its call is homozygous on
		{name: "cross-entry-zygosity", q: engine.Query{Target: release.GenomicVariation, Anchor: &engine.Anchor{Entity: release.Individual, ID: ind.ID},
			Filters: []engine.Filter{ontoFilter("GENO:0000136")}}, nonEmpty: true},
		// /g_variants/{id}/individuals?filters=GENO:0000391: its carriers with a disomic call, read
		// call by call like any zygosity (the parent term, so that a variant whose one carrier is
		// homozygous or hemizygous still answers non-empty)
		{name: "variant-carriers-zygosity", q: engine.Query{Target: release.Individual, Anchor: &engine.Anchor{Entity: release.GenomicVariation, ID: v.ID},
			Filters: []engine.Filter{ontoFilter("GENO:0000391")}}, nonEmpty: true},
		{name: "record-page-10", q: engine.Query{Target: release.Individual, Filters: female}, page: 10, nonEmpty: true},
	}, nil
}

var sink uint64

// run answers one case the way the API does for it.
func (c *queryCase) run(s *engine.Snapshot, rows []uint32, buf []byte) (uint64, []uint32, []byte, error) {
	res, err := s.Evaluate(&c.q)
	if err != nil {
		return 0, rows, buf, err
	}
	if c.page > 0 {
		rows = engine.Page(res.Rows, 2*c.page, c.page, rows)
		buf = buf[:0]
		for _, r := range rows {
			buf = append(buf, s.RecordJSON(c.q.Target, r)...)
		}
	}
	return res.Total, rows, buf, nil
}

// releases are the benchmark releases, each built on first use, so that -bench with a
// pattern naming one release builds only that one.
var releases = []struct {
	name  string
	lazy  *lazy
	build func(tb testing.TB) (*fixture, error)
}{
	{"cineca", &cinecaFix, buildCineca},
	{"popgen", &popgenFix, buildPopgen(scaledPopgen, "popgen")},
}

// eachRelease runs fn in a sub-benchmark per release.
func eachRelease(b *testing.B, fn func(b *testing.B, f *fixture)) {
	for _, r := range releases {
		b.Run(r.name, func(b *testing.B) {
			f := r.lazy.get(b, r.build)
			fn(b, f)
		})
	}
}

// BenchmarkEvaluate times Snapshot.Evaluate (plus Page and RecordJSON for the record page)
// per query kind on each release ("rows"), and the count the API answers boolean and count
// requests with ("count": CountOnly into a reused Result, as the API's pool does).
func BenchmarkEvaluate(b *testing.B) {
	eachRelease(b, func(b *testing.B, f *fixture) {
		b.Logf("%s: built and loaded in %v (%d individuals, %d variants)", f.name, f.built.Round(time.Millisecond),
			f.snap.Count(release.Individual), f.snap.Count(release.GenomicVariation))
		for i := range f.cases {
			c := &f.cases[i]
			b.Run(c.name+"/rows", func(b *testing.B) {
				total, rows, buf, err := c.run(f.snap, nil, nil)
				if err != nil {
					b.Fatal(err)
				}
				if c.nonEmpty && total == 0 {
					b.Fatalf("%s: no results; the benchmark would measure an empty answer", c.name)
				}
				if c.page > 0 && len(buf) == 0 {
					b.Fatalf("%s: empty page", c.name)
				}
				b.ReportAllocs()
				for b.Loop() {
					total, rows, buf, err = c.run(f.snap, rows, buf)
					if err != nil {
						b.Fatal(err)
					}
					sink += total
				}
				b.ReportMetric(float64(total), "results")
			})
			if c.page > 0 {
				continue
			}
			b.Run(c.name+"/count", func(b *testing.B) {
				q := c.q
				q.CountOnly = true
				var res engine.Result
				if err := f.snap.EvaluateInto(&q, &res); err != nil || (c.nonEmpty && res.Total == 0) {
					b.Fatalf("%s: %v, %d results", c.name, err, res.Total)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := f.snap.EvaluateInto(&q, &res); err != nil {
						b.Fatal(err)
					}
					sink += res.Total
				}
				b.ReportMetric(float64(res.Total), "results")
			})
		}
	})
}

// handlerCase is one in-process HTTP request: a GET of uri, or a POST of body to uri.
type handlerCase struct {
	name, uri string
	body      []byte
	want      string // a substring of a correct response body
}

// serve runs one request through h on a reused RequestCtx, as fasthttp's server loop does
// (the request is re-parsed each time; the context and its buffers are reused).
func serve(h fasthttp.RequestHandler, ctx *fasthttp.RequestCtx, hc *handlerCase) {
	ctx.Request.Reset()
	ctx.Response.Reset()
	if hc.body != nil {
		ctx.Request.Header.SetMethod(fasthttp.MethodPost)
		ctx.Request.Header.SetContentType("application/json")
		ctx.Request.SetBodyRaw(hc.body)
	} else {
		ctx.Request.Header.SetMethod(fasthttp.MethodGet)
	}
	ctx.Request.SetRequestURI(hc.uri)
	h(ctx)
}

// postBody is a Beacon POST body asking for granularity g with term filters.
func postBody(g string, filters ...string) []byte {
	fs := make([]map[string]string, len(filters))
	for i, id := range filters {
		fs[i] = map[string]string{"id": id}
	}
	b, err := json.Marshal(map[string]any{"meta": map[string]any{"apiVersion": "2.0"},
		"query": map[string]any{"filters": fs, "requestedGranularity": g}})
	if err != nil {
		panic(err)
	}
	return b
}

// BenchmarkHandler times the full handler (routing, parsing, policy, envelope, JSON) for
// boolean and count requests (GET and POST, one and three filters) and a record page, and a
// baseline handler that writes a fixed body of the same size through the same fasthttp
// plumbing. x-baseline is the ratio of the handler's time to the baseline's, measured back
// to back for the same number of requests.
func BenchmarkHandler(b *testing.B) {
	eachRelease(b, func(b *testing.B, f *fixture) {
		p := f.params
		hcs := []handlerCase{
			{name: "count", uri: "/individuals?filters=" + p.filter1 + "&requestedGranularity=count", want: `"numTotalResults"`},
			{name: "boolean", uri: "/individuals?filters=" + p.filter1 + "&requestedGranularity=boolean", want: `"exists":true`},
			{name: "count-3", uri: "/individuals?filters=" + strings.Join(p.filter3, ",") + "&requestedGranularity=count", want: `"numTotalResults"`},
			{name: "count-post", uri: "/individuals", body: postBody("count", p.filter1), want: `"numTotalResults"`},
			{name: "count-3-post", uri: "/individuals", body: postBody("count", p.filter3...), want: `"numTotalResults"`},
			{name: "record-page-10", uri: "/individuals?filters=" + p.filter1 + "&requestedGranularity=record&limit=10&skip=2", want: `"results"`},
		}
		var ctx fasthttp.RequestCtx
		bodies := map[string][]byte{}
		for i := range hcs {
			hc := &hcs[i]
			serve(f.handler, &ctx, hc)
			if ctx.Response.StatusCode() != fasthttp.StatusOK || !strings.Contains(string(ctx.Response.Body()), hc.want) {
				b.Fatalf("%s %s: status %d: %.300s", f.name, hc.uri, ctx.Response.StatusCode(), ctx.Response.Body())
			}
			bodies[hc.name] = append([]byte(nil), ctx.Response.Body()...)
		}
		for i := range hcs {
			hc := &hcs[i]
			baseline := fixedHandler(bodies[hc.name])
			b.Run(hc.name, func(b *testing.B) {
				var ctx fasthttp.RequestCtx
				b.ReportAllocs()
				for b.Loop() {
					serve(f.handler, &ctx, hc)
				}
				per := b.Elapsed() / time.Duration(b.N)
				b.StopTimer()
				base := timeHandler(baseline, hc, b.N)
				if base > 0 {
					b.ReportMetric(float64(per)/float64(base), "x-baseline")
				}
				b.ReportMetric(float64(len(bodies[hc.name])), "body-bytes")
			})
			b.Run("baseline-"+hc.name, func(b *testing.B) {
				var ctx fasthttp.RequestCtx
				b.ReportAllocs()
				for b.Loop() {
					serve(baseline, &ctx, hc)
				}
				b.ReportMetric(float64(len(bodies[hc.name])), "body-bytes")
			})
		}
	})
}

// fixedHandler writes body as JSON, wrapped like the server's handler (compression
// middleware), so the difference to the real handler is the Beacon work.
func fixedHandler(body []byte) fasthttp.RequestHandler {
	return fasthttp.CompressHandlerLevel(func(ctx *fasthttp.RequestCtx) {
		ctx.Response.Header.Set("Access-Control-Allow-Origin", "*")
		ctx.SetContentType("application/json")
		ctx.SetBody(body)
	}, fasthttp.CompressBestSpeed)
}

// timeHandler returns the mean time of n requests through h.
func timeHandler(h fasthttp.RequestHandler, hc *handlerCase, n int) time.Duration {
	var ctx fasthttp.RequestCtx
	serve(h, &ctx, hc)
	t0 := time.Now()
	for range n {
		serve(h, &ctx, hc)
	}
	return time.Since(t0) / time.Duration(n)
}

// TestQueryCases runs every benchmark query on a small popgen release built by the same code
// as the benchmark one: the release loads, counts match the population, and every query
// the benchmarks time answers without error and (where the data guarantees it) non-empty.
func TestQueryCases(t *testing.T) {
	cfg := popgen.Config{Seed: 1, Individuals: 300, Variants: 20_000}
	var l lazy
	f := l.get(t, buildPopgen(cfg, "popgen-small"))
	s := f.snap
	if got := s.Count(release.Individual); got != cfg.Individuals {
		t.Errorf("%d individuals loaded, want %d", got, cfg.Individuals)
	}
	if got := s.Count(release.GenomicVariation); got != cfg.Variants {
		t.Errorf("%d variants loaded, want %d", got, cfg.Variants)
	}
	for i := range f.cases {
		c := &f.cases[i]
		total, rows, buf, err := c.run(s, nil, nil)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if c.nonEmpty && total == 0 {
			t.Errorf("%s: no results", c.name)
		}
		switch c.name {
		case "count-all":
			if total != uint64(cfg.Individuals) {
				t.Errorf("count of all individuals = %d, want %d", total, cfg.Individuals)
			}
		case "record-page-10":
			if len(rows) != 10 || !json.Valid([]byte("["+strings.ReplaceAll(string(buf), "}{", "},{")+"]")) {
				t.Errorf("record page: %d rows, %d bytes", len(rows), len(buf))
			}
		}
		t.Logf("%-24s %6d results", c.name, total)
	}
	// The count through the HTTP handler agrees with the engine.
	var ctx fasthttp.RequestCtx
	serve(f.handler, &ctx, &handlerCase{uri: "/individuals?requestedGranularity=count"})
	var body struct {
		ResponseSummary struct{ NumTotalResults uint64 } `json:"responseSummary"`
	}
	if err := json.Unmarshal(ctx.Response.Body(), &body); err != nil || body.ResponseSummary.NumTotalResults != uint64(cfg.Individuals) {
		t.Errorf("handler count: %v, %d, want %d: %.300s", err, body.ResponseSummary.NumTotalResults, cfg.Individuals, ctx.Response.Body())
	}
}
