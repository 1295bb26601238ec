package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/popgen"
	"github.com/bitbeacon/bitbeacon/release"
)

// BenchmarkScale measures how ingest, load, memory and queries grow with the number of
// variants, for the CINECA cohort's 2,504 samples:
//
//	go test -run '^$' -bench 'BenchmarkScale' -benchtime 1000x ./bench/
//	BITBEACON_BENCH_SCALE=full go test -run '^$' -bench 'BenchmarkScale/1e6' -benchtime 1000x -timeout 2h ./bench/
//
// Scales 1e4 and 1e5 always run; 1e6 and 1e7 only with BITBEACON_BENCH_SCALE=full (1e6
// writes about 10 GB of VCF text, 1e7 about 100 GB). Each scale is built once per process,
// on first use: popgen writes the metadata BFF (SkipBFFVariants) and a multi-sample VCF,
// ingest.Run publishes a release, engine.Open loads it. The "build" sub-benchmark reports
// (its ns/op is meaningless):
//
//   - ingest-lines/s: VCF data lines per second of ingest.Run (metadata BFF included);
//   - load-s, load-s/Mvariant: engine.Open (index build) time, total and per million variants;
//   - heap-B/variant, heap-B/carrier: Go heap held by the snapshot (HeapAlloc after
//     runtime.GC, minus the same before Open), per variant and per carrier call;
//   - index-s: engine.WriteIndex (bitbeacon index: load from Parquet, write the index files);
//   - ready-s, ready-heap-B/variant: engine.Open from those index files (page cache warm) and
//     the heap its snapshot holds; ready-rss-anon-MiB, ready-rss-file-MiB: the process's
//     resident memory then (the Parquet-built snapshot dropped), anonymous and mapped files.
//
// The queries run on the snapshot mapped from the index files.
//
// Then "countonly/<query>" and "rows/<query>" time Snapshot.Evaluate per query kind with
// CountOnly true and false.
func BenchmarkScale(b *testing.B) {
	full := os.Getenv("BITBEACON_BENCH_SCALE") == "full"
	for _, sc := range scales {
		b.Run(sc.name, func(b *testing.B) {
			if sc.full && !full {
				b.Skipf("%d variants: set BITBEACON_BENCH_SCALE=full", sc.variants)
			}
			f := sc.lazy.get(b, sc.build)
			st := &sc.stats
			b.Run("build", func(b *testing.B) {
				b.Log(st.summary)
				for b.Loop() {
				}
				b.ReportMetric(float64(st.lines)/st.ingest.Seconds(), "ingest-lines/s")
				b.ReportMetric(st.load.Seconds(), "load-s")
				b.ReportMetric(st.load.Seconds()/(float64(st.variants)/1e6), "load-s/Mvariant")
				b.ReportMetric(float64(st.heap)/float64(st.variants), "heap-B/variant")
				if st.carriers > 0 {
					b.ReportMetric(float64(st.heap)/float64(st.carriers), "heap-B/carrier")
				}
				b.ReportMetric(st.index.Seconds(), "index-s")
				b.ReportMetric(st.ready.Seconds(), "ready-s")
				b.ReportMetric(float64(st.readyHeap)/float64(st.variants), "ready-heap-B/variant")
				b.ReportMetric(float64(st.rssAnon)/(1<<20), "ready-rss-anon-MiB")
				b.ReportMetric(float64(st.rssFile)/(1<<20), "ready-rss-file-MiB")
			})
			for _, mode := range []struct {
				name      string
				countOnly bool
			}{{"countonly", true}, {"rows", false}} {
				b.Run(mode.name, func(b *testing.B) {
					for _, name := range scaleQueries {
						c := findCase(b, f, name)
						q := c.q
						q.CountOnly = mode.countOnly
						b.Run(name, func(b *testing.B) { benchEvaluate(b, f.snap, &q) })
					}
				})
			}
		})
	}
}

// scaleQueries are the query kinds BenchmarkScale times, by queryCase name.
var scaleQueries = []string{
	"count-all", "filter-1", "filters-3-AND", "parent-term",
	"sequence", "range-10kb", "range-1Mb", "bracket", "geneId",
	"mixed-variant+phenotype",
}

// scale is one population size, built once per process.
type scale struct {
	name     string
	variants int
	full     bool // only with BITBEACON_BENCH_SCALE=full
	lazy     lazy
	stats    scaleStats
}

// scaleStats are the build measurements of one scale.
type scaleStats struct {
	generate, ingest, load time.Duration
	lines                  int           // VCF data lines
	variants               int           // variants loaded
	calls                  int64         // genotype calls read (lines × samples)
	carriers               int64         // carrier calls: (variant, biosample) pairs
	heap                   int64         // bytes of Go heap held by the snapshot
	index, ready           time.Duration // engine.WriteIndex; engine.Open from index files
	readyHeap              int64         // Go heap held by the snapshot mapped from index files
	rssAnon, rssFile       int64         // process RSS after that load: anonymous, file-backed
	summary                string
}

// rss returns the process's anonymous and file-backed resident bytes (0 where /proc is
// missing).
func rss() (anon, file int64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		var kb int64
		if _, err := fmt.Sscanf(line, "RssAnon: %d kB", &kb); err == nil {
			anon = kb << 10
		}
		if _, err := fmt.Sscanf(line, "RssFile: %d kB", &kb); err == nil {
			file = kb << 10
		}
	}
	return anon, file
}

var scales = []*scale{
	{name: "1e4", variants: 10_000},
	{name: "1e5", variants: 100_000},
	{name: "1e6", variants: 1_000_000, full: true},
	{name: "1e7", variants: 10_000_000, full: true},
}

// scaleParams are popgenParams with a parent term that records hold below it: MONDO:0005015
// "diabetes mellitus", parent of type 1 and type 2 diabetes.
var scaleParams = func() caseParams {
	p := popgenParams
	p.parent, p.parentTarget = "MONDO:0005015", release.Individual
	return p
}()

func (sc *scale) build(tb testing.TB) (*fixture, error) {
	st := &sc.stats
	cfg := popgen.Config{Seed: 1, Individuals: 2504, Variants: sc.variants, SkipBFFVariants: true}
	root := filepath.Join(tempRoot(tb), "scale-"+sc.name)
	t0 := time.Now()
	files, err := popgen.WriteBFF(filepath.Join(root, "bff"), cfg)
	if err != nil {
		return nil, err
	}
	vcf := filepath.Join(files.Dir, popgen.VCFFile)
	if err := popgen.WriteVCF(vcf, cfg); err != nil {
		return nil, err
	}
	st.generate = time.Since(t0)

	out := filepath.Join(root, "release")
	opts := ingest.Options{Out: out, DatasetID: popgen.DefaultDatasetID, Assembly: popgen.DefaultAssembly}
	t0 = time.Now()
	sum, err := ingest.Run(context.Background(), opts, append(files.Paths, vcf))
	if err != nil {
		return nil, err
	}
	st.ingest = time.Since(t0)
	for _, v := range sum.VCF {
		st.lines += v.Records
		st.calls += v.Calls
	}
	os.RemoveAll(files.Dir)

	// Two collections: the first moves sync.Pool contents (ingest's buffers) to the victim
	// cache, the second frees them, so neither reading counts them.
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m0)
	t0 = time.Now()
	s, err := engine.Open(out, engine.Options{})
	if err != nil {
		return nil, err
	}
	st.load = time.Since(t0)
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m1)
	runtime.KeepAlive(s)
	st.heap = int64(m1.HeapAlloc) - int64(m0.HeapAlloc)
	st.variants = s.Count(release.GenomicVariation)
	if st.variants != sc.variants || st.lines != sc.variants {
		return nil, fmt.Errorf("%s: %d VCF lines, %d variants loaded, want %d", sc.name, st.lines, st.variants, sc.variants)
	}

	// bitbeacon index, then a load from the index files just written (page cache warm, as
	// after an ingest): the snapshot the queries below run on. The Parquet-built snapshot
	// goes first: WriteIndex builds its own, and two would not fit side by side at 10^7.
	s = nil
	runtime.GC()
	t0 = time.Now()
	if _, err := engine.WriteIndex(out, engine.Options{}); err != nil {
		return nil, err
	}
	st.index = time.Since(t0)
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&m0)
	t0 = time.Now()
	if s, err = engine.Open(out, engine.Options{}); err != nil {
		return nil, err
	}
	st.ready = time.Since(t0)
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m1)
	st.readyHeap = int64(m1.HeapAlloc) - int64(m0.HeapAlloc)
	debug.FreeOSMemory()
	st.rssAnon, st.rssFile = rss()

	f := &fixture{name: "scale-" + sc.name, dir: out, snap: s}
	if f.cases, err = cases(f, scaleParams); err != nil {
		return nil, err
	}
	if st.carriers, err = carrierCalls(s); err != nil {
		return nil, err
	}
	st.summary = fmt.Sprintf("%s: %d variants × %d samples: generated in %v, ingested in %v (%d calls, %d carrier calls), loaded in %v, heap %d MiB; indexed in %v, ready from index files in %v, heap %d MiB, RSS %d MiB anon + %d MiB file",
		sc.name, st.variants, s.Count(release.Individual), st.generate.Round(time.Millisecond), st.ingest.Round(time.Millisecond),
		st.calls, st.carriers, st.load.Round(time.Millisecond), st.heap>>20,
		st.index.Round(time.Millisecond), st.ready.Round(time.Millisecond), st.readyHeap>>20, st.rssAnon>>20, st.rssFile>>20)
	return f, nil
}

// carrierCalls counts the (variant, carrier) pairs through the API's own path: the count of
// /individuals/{id}/g_variants summed over every individual (popgen has one biosample each).
func carrierCalls(s *engine.Snapshot) (int64, error) {
	res, err := s.Evaluate(&engine.Query{Target: release.Individual})
	if err != nil {
		return 0, err
	}
	var n int64
	var ind struct{ ID string }
	for _, row := range engine.Page(res.Rows, 0, int(res.Total), nil) {
		if err := json.Unmarshal(s.RecordJSON(release.Individual, row), &ind); err != nil {
			return 0, err
		}
		r, err := s.Evaluate(&engine.Query{Target: release.GenomicVariation, CountOnly: true,
			Anchor: &engine.Anchor{Entity: release.Individual, ID: ind.ID}})
		if err != nil {
			return 0, err
		}
		n += int64(r.Total)
	}
	return n, nil
}

func findCase(tb testing.TB, f *fixture, name string) *queryCase {
	for i := range f.cases {
		if f.cases[i].name == name {
			return &f.cases[i]
		}
	}
	tb.Fatalf("%s: no query case %q", f.name, name)
	return nil
}

// benchEvaluate times s.Evaluate(q) after checking that it answers non-empty.
func benchEvaluate(b *testing.B, s *engine.Snapshot, q *engine.Query) {
	// One Result reused, as the API's pool does: what is left are the query's own allocations.
	res := new(engine.Result)
	err := s.EvaluateInto(q, res)
	if err != nil {
		b.Fatal(err)
	}
	if res.Total == 0 {
		b.Fatal("no results; the benchmark would measure an empty answer")
	}
	if !q.CountOnly && res.Rows == nil {
		b.Fatal("no rows for a record-level query")
	}
	b.ReportAllocs()
	for b.Loop() {
		if err = s.EvaluateInto(q, res); err != nil {
			b.Fatal(err)
		}
		sink += res.Total
	}
	b.ReportMetric(float64(res.Total), "results")
}
