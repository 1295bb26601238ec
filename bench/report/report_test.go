package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/bench/compare/results"
	"github.com/bitbeacon/bitbeacon/bench/load"
	"github.com/bitbeacon/bitbeacon/bench/suite"
)

// sample is a hand-made run with known figures: two 2,504-sample scales, HTTP levels where
// count reaches 0.6 of the ceiling at 8 connections, and one comparator.
func sample() *suite.Results {
	level := func(group string, conns int, qps float64, p99 time.Duration) suite.HTTPLevel {
		sum := load.Summary{N: 100, P50: p99 / 4, P99: p99, P999: p99 * 2}
		return suite.HTTPLevel{Group: group, Result: load.Result{Conns: conns, QPS: qps, Requests: 100,
			Overall: sum, ByKind: map[string]load.Summary{"count-range": sum}}}
	}
	kind := func(p50 time.Duration) suite.EngineKind {
		return suite.EngineKind{Summary: load.Summary{N: 10, P50: p50, P99: 2 * p50, P999: 3 * p50, Max: 4 * p50}, AllocsPerQuery: 3}
	}
	small := suite.ScaleResult{
		Scale: suite.Scale{Variants: 10_000, Samples: 2504},
		Ingest: suite.IngestResult{Elapsed: time.Second, Lines: 10_000, LinesPerSec: 10_000, ZcatTool: "zcat", ZcatLinesPerSec: 40_000,
			BcftoolsSkipped: "bcftools not found on PATH"},
		Load: suite.LoadResult{Elapsed: 300 * time.Millisecond, HeapBytes: 30 << 20,
			IndexElapsed: 400 * time.Millisecond, ReadyFromIndex: 5 * time.Millisecond, ReadyHeapBytes: 1 << 20, ReadyRSSBytes: 60 << 20},
		Engine: map[string]suite.EngineKind{"count-filters-1": kind(4 * time.Microsecond), "count-range": kind(10 * time.Microsecond)},
		HTTP: []suite.HTTPLevel{
			level(suite.GroupCeiling, 1, 60_000, 20*time.Microsecond), level(suite.GroupCount, 1, 20_000, 300*time.Microsecond),
			level(suite.GroupCeiling, 8, 100_000, 900*time.Microsecond), level(suite.GroupCount, 8, 60_000, 800*time.Microsecond),
			level(suite.GroupRecord, 8, 30_000, 3*time.Millisecond),
		},
		Compare: &results.Results{
			Engines: []results.EngineSetup{{Engine: "duckdb", Version: "v1"}},
			Kinds: []results.KindSummary{
				{Engine: "duckdb", Kind: "count-filters-1", Latency: results.Latency{P50: 400}},
				{Engine: "duckdb", Kind: "count-range", Latency: results.Latency{P50: 300}},
			},
		},
	}
	small.DatasetRequests = map[string]suite.EngineKind{"count-HIT": kind(4 * time.Microsecond)}
	big := small
	big.Scale.Variants = 1_000_000
	big.Ingest.LinesPerSec = 250_000
	big.Ingest.BcftoolsSkipped = ""
	big.Ingest.Bcftools = []suite.BcftoolsReading{
		{Name: "view", Command: "bcftools view --threads 2 -Ou -o /dev/null v.vcf.gz", Elapsed: 2 * time.Second, LinesPerSec: 500_000},
		{Name: "query-GT", Command: `bcftools query -f '[%GT]\n' -o /dev/null v.vcf.gz`, Elapsed: 10 * time.Second, LinesPerSec: 100_000},
	}
	big.HTTP, big.Compare = nil, nil
	big.Engine = map[string]suite.EngineKind{"count-filters-1": kind(5 * time.Microsecond), "count-range": kind(20 * time.Microsecond)}
	many := small
	many.Scale = suite.Scale{Variants: 10_000, Samples: 2504, Datasets: 1000, Layout: suite.LayoutSplit}
	many.HTTP, many.Compare = nil, nil
	many.DatasetsIngest = &suite.DatasetsIngest{Datasets: 1000, First: 50 * time.Millisecond, Last: 2 * time.Second}
	many.DatasetRequests = map[string]suite.EngineKind{"count-HIT": kind(10 * time.Microsecond)}
	return &suite.Results{Scales: []suite.ScaleResult{small, big, many}, Started: time.Unix(0, 0)}
}

func TestTargets(t *testing.T) {
	got := map[string]Target{}
	for _, tg := range Targets(sample()) {
		got[strings.SplitN(tg.What, " (", 2)[0]] = tg
	}
	want := map[string]string{
		"boolean/count QPS over HTTP vs a fixed-body handler": "yes", // 60k of 100k at 8 connections
		"boolean/count p99 over HTTP":                         "yes", // 800 µs
		"record page":                                         "no",  // 3 ms
		"speed-up over duckdb, every kind, p50 in process":    "no",  // 30× for count-range
		"VCF ingest, 2,504 samples":                           "yes", // the 10^6 scale: 250k
		"10^7 variants × 2,504 samples in memory":             "not measured",
	}
	for what, met := range want {
		var tg *Target
		for k, v := range got {
			if strings.HasPrefix(k, what) {
				tg = &v
			}
		}
		if tg == nil {
			t.Errorf("no target %q in %v", what, got)
			continue
		}
		if tg.Met != met {
			t.Errorf("%s: met %q, want %q (%s)", what, tg.Met, met, tg.Measured)
		}
	}
	// The largest scale's ingest as a ratio of each bcftools reading of its VCF.
	if m := got["VCF ingest, 2,504 samples"].Measured; !strings.Contains(m, "bcftools view 500k lines/s, ingest at 0.50× of it; bcftools query-GT 100k lines/s, ingest at 2.50× of it") {
		t.Errorf("VCF ingest: %s", m)
	}
	if m := got["speed-up over duckdb, every kind, p50 in process"].Measured; !strings.Contains(m, "30× (count-range) to 100×") {
		t.Errorf("duckdb speed-up: %s", m)
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, sample()); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## Targets\n", "| 8 | count | 60k | 0.60 |", "| count-range | 10.0 µs | 300.0 µs | 30× | all equal |",
		"![scaling](scaling.png)", "![qps-10000x2504](qps-10000x2504.png)",
		"HTTP latency per kind at 8 connections",
		"| bcftools readings of the same VCF | not measured: bcftools not found on PATH |",
		"| ingest, one run per dataset | 1000 datasets: the first in 50.00 ms, the last (carrying the 999 others over) in 2.00 s |",
		"| count-HIT | 10.0 µs | 20.0 µs | 2.50 |",
		"| `bcftools query -f '[%GT]\\n' -o /dev/null v.vcf.gz` | 10.00 s: 100k lines/s (ingest at 2.50× of it) |", "| ready from index files (what serve does) | 5.00 ms: heap 1.0 MiB, RSS 60.0 MiB", "| count-range | 100 | 200.0 µs | 800.0 µs | 1.60 ms |",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	for _, f := range []string{"scaling.png", "qps-10000x2504.png", "latency-10000x2504.png", "latency-1000000x2504.png"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || len(b) < 8 || string(b[1:4]) != "PNG" {
			t.Errorf("%s: not a PNG (%v)", f, err)
		}
	}
	var back suite.Results
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &back); err != nil || len(back.Scales) != 3 || back.Scales[0].Engine["count-range"].P50 != 10*time.Microsecond {
		t.Errorf("results.json does not read back: %v", err)
	}
}

// TestMemoryTarget judges the 10^7 memory target by the serve-in-a-cgroup step: met when the
// server answered the mix within the limit without an OOM kill, not measured without it.
func TestMemoryTarget(t *testing.T) {
	ten := suite.ScaleResult{Scale: suite.Scale{Variants: 10_000_000, Samples: 2504}}
	ten.ServeLimitSkipped = "no memory cgroup can be made here (v1: permission denied)"
	if tg := memoryTarget(&ten); tg.Met != "not measured" || !strings.Contains(tg.Measured, "permission denied") {
		t.Errorf("without the step: %+v", tg)
	}
	ten.ServeLimitSkipped = ""
	count := suite.HTTPLevel{Group: suite.GroupCount, Result: load.Result{Conns: 4, QPS: 20_000, Overall: load.Summary{P99: time.Millisecond}}}
	ten.ServeLimit = &suite.ServeLimitResult{LimitBytes: 4 << 30, Cgroup: "v1", PeakBytes: 3 << 30, RSSAnon: 200 << 20, HTTP: []suite.HTTPLevel{count}}
	if tg := memoryTarget(&ten); tg.Met != "yes" || !strings.Contains(tg.Measured, "peak charge 3.00 GiB") {
		t.Errorf("served within the limit: %+v", tg)
	}
	ten.ServeLimit.PeakBytes = 4 << 30 // the page cache filling the cgroup: still served
	if tg := memoryTarget(&ten); tg.Met != "yes" {
		t.Errorf("page cache up to the limit: %+v", tg)
	}
	ten.ServeLimit.OOMKills = 1
	if tg := memoryTarget(&ten); tg.Met != "no" {
		t.Errorf("an OOM kill: %+v", tg)
	}
	var md strings.Builder
	writeServeLimit(&md, &ten)
	if !strings.Contains(md.String(), "| 4 | count | 20k |") || !strings.Contains(md.String(), "1 OOM kills") {
		t.Errorf("serve-limit section:\n%s", md.String())
	}
}

// TestReadyTarget judges the 10^7 ready time by a restart and says when only a restart met it.
func TestReadyTarget(t *testing.T) {
	ten := suite.ScaleResult{Scale: suite.Scale{Variants: 10_000_000, Samples: 2504}}
	for _, c := range []struct {
		first, restart time.Duration
		want           string
	}{
		{1500 * time.Millisecond, 0, "yes"},
		{8 * time.Second, 0, "no"},
		{1500 * time.Millisecond, 1400 * time.Millisecond, "yes"},
		{8 * time.Second, 1500 * time.Millisecond, "on a restart only"},
		{8 * time.Second, 3 * time.Second, "no"},
	} {
		ten.Load.ReadyFromIndex, ten.Load.ReadyRestart = c.first, c.restart
		if got := readyTarget(&ten); got.Met != c.want {
			t.Errorf("first %v, restart %v: %q (%s), want %q", c.first, c.restart, got.Met, got.Measured, c.want)
		}
	}
}
