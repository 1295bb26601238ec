package report

import (
	"strings"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/bench/load"
	"github.com/bitbeacon/bitbeacon/bench/suite"
)

// twoScales is a run at 10^6 and 10^7 with the two cohort-statistics kinds and a count,
// the 10^7 scale's aggregation over the 100 µs target and its build over the 4 GiB budget.
func twoScales() *suite.Results {
	kind := func(p50 time.Duration) suite.EngineKind {
		return suite.EngineKind{Summary: load.Summary{N: 10, P50: p50, P99: 3 * p50}}
	}
	scale := func(variants int, agg, freq time.Duration, rss int64) suite.ScaleResult {
		return suite.ScaleResult{
			Scale:  suite.Scale{Variants: variants, Samples: 2504},
			Ingest: suite.IngestResult{Lines: variants, LinesPerSec: 30_000},
			Load: suite.LoadResult{IndexElapsed: time.Duration(variants/1_000_000) * 40 * time.Second,
				IndexSecondsPerMVar: 40, IndexPeakRSS: rss},
			Engine: map[string]suite.EngineKind{"count-filters-1": kind(4 * time.Microsecond),
				"aggregated": kind(agg), "count-frequency": kind(freq)},
		}
	}
	r := &suite.Results{Scales: []suite.ScaleResult{
		scale(1_000_000, 45*time.Microsecond, 28*time.Microsecond, 1<<30),
		scale(10_000_000, 150*time.Microsecond, 30*time.Microsecond, 6<<30),
	}}
	// Only the 10^7 build's process time was measured (the 10^6 one as results written
	// before the suite measured it).
	r.Scales[1].Load.IndexCPU, r.Scales[1].Load.IndexCPUSecondsPerMVar = 350*time.Second, 35
	return r
}

func targetsByPrefix(r *suite.Results, prefix string) []Target {
	var out []Target
	for _, t := range Targets(r) {
		if strings.HasPrefix(t.What, prefix) {
			out = append(out, t)
		}
	}
	return out
}

// The cohort-statistics target is judged per scale by both kinds' p50, and the index
// build's by its peak RSS at 10^7 against the 4 GiB budget.
func TestCohortStatsAndIndexBuildTargets(t *testing.T) {
	r := twoScales()
	stats := targetsByPrefix(r, "aggregated and count-frequency p50 in process")
	if len(stats) != 2 || stats[0].Met != "yes" || stats[1].Met != "no" {
		t.Fatalf("cohort statistics targets: %+v", stats)
	}
	if m := stats[1].Measured; !strings.Contains(m, "aggregated 150.0 µs (p99 450.0 µs)") || !strings.Contains(m, "count-frequency 30.0 µs (p99 90.0 µs)") {
		t.Errorf("10^7 measured: %s", m)
	}
	build := targetsByPrefix(r, "`bitbeacon index` peak RSS at 10^7")
	if len(build) != 1 || build[0].Met != "no" || !strings.Contains(build[0].Measured, "6.00 GiB, built in") || !strings.Contains(build[0].Measured, "40.0 s per million variants, 35.0 s CPU)") {
		t.Fatalf("index build target: %+v", build)
	}
	r.Scales[1].Load.IndexPeakRSS = 3 << 30
	if build := targetsByPrefix(r, "`bitbeacon index` peak RSS at 10^7"); build[0].Met != "yes" {
		t.Errorf("within the budget: %+v", build[0])
	}
	r.Scales[1].Load.IndexPeakRSS = 0
	if build := targetsByPrefix(r, "`bitbeacon index` peak RSS at 10^7"); build[0].Met != "not measured" {
		t.Errorf("no peak: %+v", build[0])
	}
	// A scale without the cohort-statistics kinds has no such target, and a run without
	// 10^7 says the build's was not measured.
	delete(r.Scales[0].Engine, "count-frequency")
	r.Scales = r.Scales[:1]
	if stats := targetsByPrefix(r, "aggregated and count-frequency"); len(stats) != 0 {
		t.Errorf("without count-frequency: %+v", stats)
	}
	if build := targetsByPrefix(r, "`bitbeacon index` peak RSS at 10^7"); build[0].Met != "not measured" {
		t.Errorf("no 10^7: %+v", build[0])
	}
}

// The across-scales table gives each kind's p50 / p99 and the index build at every
// one-dataset scale, a kind missing at one scale as a dash.
func TestAcrossScales(t *testing.T) {
	r := twoScales()
	delete(r.Scales[0].Engine, "count-frequency")
	var md strings.Builder
	writeAcrossScales(&md, r)
	for _, want := range []string{
		"| | 1e6 variants × 2504 samples | 1e7 variants × 2504 samples |\n|---|---:|---:|\n",
		"| index build, s per million variants | 40.0 | 40.0 |",
		"| index build, CPU s per million variants | – | 35.0 |",
		"| index build, peak RSS | 1.00 GiB | 6.00 GiB |",
		"| aggregated, p50 / p99 in process | 45.0 µs / 135.0 µs | 150.0 µs / 450.0 µs |",
		"| count-frequency, p50 / p99 in process | – | 30.0 µs / 90.0 µs |",
		"| count-filters-1, p50 / p99 in process | 4.0 µs / 12.0 µs | 4.0 µs / 12.0 µs |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("across scales lacks %q:\n%s", want, md.String())
		}
	}
	// One scale: nothing to put side by side.
	r.Scales = r.Scales[:1]
	md.Reset()
	writeAcrossScales(&md, r)
	if md.Len() != 0 {
		t.Errorf("one scale wrote %q", md.String())
	}
}

// A scale run on a given release (--release) says so instead of giving build steps it did
// not run, and the ingest and index-build targets do not read its zeros as measured.
func TestGivenReleaseScale(t *testing.T) {
	r := twoScales()
	ten := &r.Scales[1]
	ten.ReleaseGiven, ten.Ingest, ten.Load = "/data/rel", suite.IngestResult{}, suite.LoadResult{
		VariantsLoaded: 10_000_000, IndividualsRows: 2504, ReadyFromIndex: time.Second}
	var md strings.Builder
	writeScale(&md, ten, nil)
	if !strings.Contains(md.String(), "| release | given (`--release /data/rel`): not generated, ingested, loaded from Parquet or indexed in this run; 10000000 variants, 2504 individuals |") {
		t.Errorf("no release row:\n%s", md.String())
	}
	for _, absent := range []string{"| ingest |", "| load (", "| index files"} {
		if strings.Contains(md.String(), absent) {
			t.Errorf("a given release's scale has a %q row:\n%s", absent, md.String())
		}
	}
	if build := targetsByPrefix(r, "`bitbeacon index` peak RSS at 10^7"); build[0].Met != "not measured" || !strings.Contains(build[0].Measured, "--release") {
		t.Errorf("index build target: %+v", build[0])
	}
	// The ingest target falls back to the largest scale that ingested: 10^6.
	if in := targetsByPrefix(r, "VCF ingest, 2,504 samples"); len(in) != 1 || !strings.Contains(in[0].What, "1e6") {
		t.Errorf("ingest target: %+v", in)
	}
}
