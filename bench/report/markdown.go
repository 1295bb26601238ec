package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/bitbeacon/bitbeacon/bench/compare/results"
	"github.com/bitbeacon/bitbeacon/bench/suite"
	"github.com/bitbeacon/bitbeacon/bench/workload"
)

// Target is one of the project's speed targets (docs/benchmarks.md) with the figure measured
// for it.
type Target struct {
	What     string
	Target   string
	Measured string
	Met      string // "yes", "no" or "not measured"
}

// Targets evaluates the speed targets on the run. Each uses the figure the target
// names; where a run did not measure it (no 10^7 scale, no comparator), it says so.
func Targets(r *suite.Results) []Target {
	var out []Target
	// HTTP at the connection count where bitbeacon's count QPS peaks, per 2,504-sample scale.
	for _, sr := range r.Scales {
		count, ceil, record := peakLevel(sr.HTTP)
		if count == nil {
			continue
		}
		label := " (" + sr.Scale.String() + ")"
		ratio := count.QPS / ceil.QPS
		out = append(out,
			Target{"boolean/count QPS over HTTP vs a fixed-body handler" + label, "≥ 0.5×",
				fmt.Sprintf("%.2f× (%s vs %s QPS, %d connections)", ratio, qps(count.QPS), qps(ceil.QPS), count.Conns), met(ratio >= 0.5)},
			Target{"boolean/count p99 over HTTP" + label, "< 1 ms",
				fmt.Sprintf("%s at %d connections", dur(count.Overall.P99), count.Conns), met(count.Overall.P99 < time.Millisecond)})
		if record != nil {
			out = append(out, Target{"record page (limit 10) p99 over HTTP" + label, "< 2 ms",
				fmt.Sprintf("%s at %d connections", dur(record.Overall.P99), record.Conns), met(record.Overall.P99 < 2*time.Millisecond)})
		}
		for _, eng := range []struct {
			name string
			want float64
		}{{"duckdb", 50}, {"postgres", 100}} {
			lo, hi, kind, ok := speedups(&sr, eng.name)
			if !ok {
				continue
			}
			out = append(out, Target{fmt.Sprintf("speed-up over %s, every kind, p50 in process%s", eng.name, label),
				fmt.Sprintf("≥ %.0f×", eng.want),
				fmt.Sprintf("%.0f× (%s) to %.0f×", lo, kind, hi), met(lo >= eng.want)})
		}
	}
	// Ingest: the largest 2,504-sample scale.
	if sr := largest(r, 2504); sr != nil {
		out = append(out, Target{"VCF ingest, 2,504 samples (" + sr.Scale.String() + ")", "≥ 200k lines/s",
			fmt.Sprintf("%s lines/s (zcat of the file: %s lines/s; %s)", qps(sr.Ingest.LinesPerSec), qps(sr.Ingest.ZcatLinesPerSec), bcftoolsRatios(sr.Ingest)),
			met(sr.Ingest.LinesPerSec >= 200_000)})
	}
	for _, sr := range oneDatasetScales(r) {
		if t, ok := cohortStatsTargetOf(sr); ok && sr.Scale.Samples == 2504 {
			out = append(out, t)
		}
	}
	var ten *suite.ScaleResult
	for i := range r.Scales {
		if s := &r.Scales[i]; s.Scale.Variants >= 10_000_000 && s.Scale.Samples == 2504 {
			ten = s
		}
	}
	if ten == nil {
		out = append(out,
			Target{"10^7 variants × 2,504 samples in memory", "≤ 4 GiB", "no 10^7 scale in this run", "not measured"},
			Target{"ready from prebuilt index files at 10^7", "< 2 s", "no 10^7 scale in this run", "not measured"})
	} else {
		out = append(out, memoryTarget(ten),
			readyTarget(ten))
	}
	out = append(out, indexBuildTarget(ten))
	return out
}

// readyTarget judges the ready time at 10^7 by a restart (the index files in the page cache),
// next to the first open right after the build, which reads what the build's heap pushed
// out of the page cache.
func readyTarget(ten *suite.ScaleResult) Target {
	ld := ten.Load
	t := Target{What: "ready from prebuilt index files at 10^7", Target: "< 2 s"}
	if ld.ReadyFromIndex <= 0 {
		t.Measured, t.Met = "the scale stopped before the ready step", "not measured"
		return t
	}
	if ld.ReadyRestart == 0 {
		t.Measured, t.Met = dur(ld.ReadyFromIndex), met(ld.ReadyFromIndex > 0 && ld.ReadyFromIndex < 2*time.Second)
		return t
	}
	t.Measured = fmt.Sprintf("%s on a restart (files in the page cache); %s right after the build", dur(ld.ReadyRestart), dur(ld.ReadyFromIndex))
	t.Met = met(ld.ReadyRestart < 2*time.Second)
	if ld.ReadyFromIndex >= 2*time.Second && t.Met == "yes" {
		t.Met = "on a restart only"
	}
	return t
}

// memoryTarget judges the 10^7 memory target by the serve-in-a-cgroup step when it ran:
// served within the limit means every level of the mix answered without errors (else the
// step failed and left no levels) and nothing was OOM-killed.
// Without it, the RSS after the ready step is all there is, and it counts every mapped page
// the checksums touched.
func memoryTarget(ten *suite.ScaleResult) Target {
	t := Target{What: "10^7 variants × 2,504 samples served from index files within", Target: "4 GiB"}
	sl := ten.ServeLimit
	if sl == nil || len(sl.HTTP) == 0 {
		t.Measured = fmt.Sprintf("no serve under a memory limit (%s); RSS after ready %s, heap %s", ten.ServeLimitSkipped, bytesIEC(ten.Load.ReadyRSSBytes), bytesIEC(ten.Load.ReadyHeapBytes))
		t.Met = "not measured"
		return t
	}
	t.Target = bytesIEC(sl.LimitBytes)
	var count *suite.HTTPLevel // the count level with the most QPS (no ceiling ran beside it)
	for i, l := range sl.HTTP {
		if l.Group == suite.GroupCount && (count == nil || l.QPS > count.QPS) {
			count = &sl.HTTP[i]
		}
	}
	answered := "answered the mix"
	if count != nil {
		answered += fmt.Sprintf(", count %s QPS at %d connections", qps(count.QPS), count.Conns)
	}
	t.Measured = fmt.Sprintf("bitbeacon serve in a %s cgroup (%s): %s; peak charge %s (page cache included), RSS anon %s, %d OOM kills",
		bytesIEC(sl.LimitBytes), sl.Cgroup, answered, bytesIEC(sl.PeakBytes), bytesIEC(sl.RSSAnon), sl.OOMKills)
	// The charge reaching the limit is the kernel reclaiming page cache, as it should; what
	// fails the target is the server being killed (or a level failing: then no result).
	t.Met = met(sl.OOMKills == 0)
	return t
}

// bcftoolsRatios puts the ingest's lines/s as a ratio of each bcftools reading of the same
// VCF, or says why there is none.
func bcftoolsRatios(in suite.IngestResult) string {
	if len(in.Bcftools) == 0 {
		if in.BcftoolsSkipped != "" {
			return "bcftools not measured: " + in.BcftoolsSkipped
		}
		return "bcftools not measured"
	}
	var parts []string
	for _, b := range in.Bcftools {
		parts = append(parts, fmt.Sprintf("bcftools %s %s lines/s, ingest at %.2f× of it", b.Name, qps(b.LinesPerSec), ratio(in.LinesPerSec, b.LinesPerSec)))
	}
	return strings.Join(parts, "; ")
}

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

// peakLevel returns, for the connection count where bitbeacon's count QPS is highest, the
// count, ceiling and record levels.
func peakLevel(levels []suite.HTTPLevel) (count, ceil, record *suite.HTTPLevel) {
	for i := range levels {
		l := &levels[i]
		if l.Group == suite.GroupCount && (count == nil || l.QPS > count.QPS) {
			count = l
		}
	}
	if count == nil {
		return nil, nil, nil
	}
	for i := range levels {
		l := &levels[i]
		if l.Conns != count.Conns {
			continue
		}
		switch l.Group {
		case suite.GroupCeiling:
			ceil = l
		case suite.GroupRecord:
			record = l
		}
	}
	if ceil == nil {
		return nil, nil, nil
	}
	return count, ceil, record
}

// speedups is the lowest and highest ratio of a comparator's p50 to bitbeacon's in-process
// p50 over the kinds both ran, and the kind of the lowest.
func speedups(sr *suite.ScaleResult, engine string) (lo, hi float64, loKind string, ok bool) {
	if sr.Compare == nil {
		return 0, 0, "", false
	}
	for _, k := range sr.Compare.Kinds {
		bb, has := sr.Engine[k.Kind]
		if k.Engine != engine || !has || bb.P50 <= 0 || k.Latency.P50 <= 0 {
			continue
		}
		s := k.Latency.P50 * 1e3 / float64(bb.P50)
		if !ok || s < lo {
			lo, loKind = s, k.Kind
		}
		if !ok || s > hi {
			hi = s
		}
		ok = true
	}
	return lo, hi, loKind, ok
}

func largest(r *suite.Results, samples int) *suite.ScaleResult {
	var best *suite.ScaleResult
	for i := range r.Scales {
		s := &r.Scales[i]
		if s.Scale.Samples == samples && s.Scale.Datasets <= 1 && s.Ingest.Lines > 0 && (best == nil || s.Scale.Variants > best.Scale.Variants) {
			best = s
		}
	}
	return best
}

func writeMarkdown(w io.Writer, r *suite.Results, plots []string) error {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	m := r.Machine
	p("# bitbeacon benchmark report\n\n")
	p("Run %s, %s in all. %s, %d cores, %s memory, %s, kernel %s, %s", r.Started.Format(time.RFC3339),
		r.Elapsed.Round(time.Second), m.CPU, m.Cores, bytesIEC(m.MemBytes), m.OS, m.Kernel, m.GoVersion)
	if m.Revision != "" {
		p(", bitbeacon %s", m.Revision)
	}
	p(".\n\nThe load generator runs on the same machine as the server (closed loop over loopback); " +
		"every ratio is against a baseline measured in the same run.\n\n")

	p("## Targets\n\n| target | wanted | measured | met |\n|---|---|---|---|\n")
	for _, t := range Targets(r) {
		p("| %s | %s | %s | %s |\n", t.What, t.Target, t.Measured, t.Met)
	}
	if len(r.Failures) > 0 {
		p("\n## Failures\n\n")
		for _, f := range r.Failures {
			p("- %s\n", f)
		}
	}
	for _, name := range plots {
		p("\n![%s](%s)\n", strings.TrimSuffix(name, ".png"), name)
	}
	writeAcrossScales(w, r)
	base := oneDatasetBaseline(r)
	for i := range r.Scales {
		writeScale(w, &r.Scales[i], base)
	}
	c := r.Config
	p("\n## Configuration\n\nseed %d, %d queries per kind, %d in-process requests per kind, HTTP connections %v, "+
		"%s per level after %s warm-up", c.Seed, c.PerKind, c.EngineIters, c.Conns, c.Duration, c.Warmup)
	if c.CompareBin != "" {
		p(", comparators %s (%d runs per query, scales up to %d variants)", c.CompareEngines, c.CompareRepeat, c.CompareMaxVariants)
	}
	p(".\n")
	return nil
}

// oneDatasetBaseline is the run's first scale of one dataset that measured the dataset
// requests: what the many-dataset scales' figures are put as a ratio of.
func oneDatasetBaseline(r *suite.Results) *suite.ScaleResult {
	for i := range r.Scales {
		if s := &r.Scales[i]; s.Scale.Datasets <= 1 && len(s.DatasetRequests) > 0 {
			return s
		}
	}
	return nil
}

func writeScale(w io.Writer, sr *suite.ScaleResult, base *suite.ScaleResult) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	ld := sr.Load
	p("\n## %s\n\n", sr.Scale)
	p("| step | figure |\n|---|---|\n")
	if sr.ReleaseGiven != "" {
		p("| release | given (`--release %s`): not generated, ingested, loaded from Parquet or indexed in this run; %d variants, %d individuals |\n", sr.ReleaseGiven, ld.VariantsLoaded, ld.IndividualsRows)
	} else {
		writeBuildSteps(w, sr)
	}
	if ld.ReadyFromIndex > 0 {
		switch {
		case sr.ReleaseGiven != "": // built elsewhere: no build to give
		case ld.IndexPeakRSS > 0:
			p("| index files (`bitbeacon index`, a process of its own) | built in %s, %.2f s per million variants%s, peak RSS %s |\n", dur(ld.IndexElapsed), ld.IndexSecondsPerMVar, indexCPU(&ld), bytesIEC(ld.IndexPeakRSS))
		default:
			p("| index files (bitbeacon index, in the suite's process) | built in %s |\n", dur(ld.IndexElapsed))
		}
		p("| ready from index files (what serve does) | %s: heap %s, RSS %s (mapped files included) |\n", dur(ld.ReadyFromIndex), bytesIEC(ld.ReadyHeapBytes), bytesIEC(ld.ReadyRSSBytes))
		if ld.ReadyRestart > 0 {
			p("| ready again (a restart, files in the page cache) | %s |\n", dur(ld.ReadyRestart))
		}
	}
	if di := sr.DatasetsIngest; di != nil {
		p("| ingest, one run per dataset | %d datasets: the first in %s, the last (carrying the %d others over) in %s |\n", di.Datasets, dur(di.First), di.Datasets-1, dur(di.Last))
	}
	p("| query mix | %d queries, %d kinds |\n", sr.Queries, len(sr.Engine))
	writeDatasetRequests(w, sr, base)

	p("\n### In process (API handler, no network)\n\n| kind | p50 | p99 | p999 | allocs/query | bytes/query |\n|---|---:|---:|---:|---:|---:|\n")
	for _, k := range kinds(sr) {
		e := sr.Engine[k]
		p("| %s | %s | %s | %s | %.1f | %.0f |\n", k, dur(e.P50), dur(e.P99), dur(e.P999), e.AllocsPerQuery, e.BytesPerQuery)
	}

	if len(sr.HTTP) > 0 {
		p("\n### HTTP, closed loop over loopback\n\n| connections | group | QPS | share of ceiling | p50 | p99 | p999 |\n|---:|---|---:|---:|---:|---:|---:|\n")
		ceil := map[int]float64{}
		for _, l := range sr.HTTP {
			if l.Group == suite.GroupCeiling {
				ceil[l.Conns] = l.QPS
			}
		}
		for _, l := range sr.HTTP {
			p("| %d | %s | %s | %.2f | %s | %s | %s |\n", l.Conns, l.Group, qps(l.QPS), ratio(l.QPS, ceil[l.Conns]),
				dur(l.Overall.P50), dur(l.Overall.P99), dur(l.Overall.P999))
		}
	}
	if count, _, record := peakLevel(sr.HTTP); count != nil {
		p("\n### HTTP latency per kind at %d connections (where count QPS peaks)\n\n| kind | requests | p50 | p99 | p999 |\n|---|---:|---:|---:|---:|\n", count.Conns)
		for _, l := range []*suite.HTTPLevel{count, record} {
			if l == nil {
				continue
			}
			for _, k := range workload.Kinds {
				if ks, ok := l.ByKind[k]; ok {
					p("| %s | %d | %s | %s | %s |\n", k, ks.N, dur(ks.P50), dur(ks.P99), dur(ks.P999))
				}
			}
		}
	}
	writeServeLimit(w, sr)
	if sr.Compare != nil {
		writeCompare(w, sr)
	}
}

// writeBuildSteps gives the steps that made the scale's release: generate, ingest (beside
// zcat and bcftools reading the same VCF) and the load from Parquet.
func writeBuildSteps(w io.Writer, sr *suite.ScaleResult) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	in, ld := sr.Ingest, sr.Load
	gen := dur(sr.Generate)
	if sr.GenerateReused {
		gen = "VCF kept from an earlier run (--keep)"
	}
	p("| generate (popgen BFF + BGZF VCF) | %s, VCF %s |\n", gen, bytesIEC(sr.VCFBytes))
	p("| ingest | %s: %s lines/s, %s genotype calls/s, %s written |\n", dur(in.Elapsed), qps(in.LinesPerSec), qps(in.CallsPerSec), bytesIEC(in.BytesWritten))
	p("| %s of the same VCF | %s: %s lines/s (ingest at %.2f× of it) |\n", in.ZcatTool, dur(in.Zcat), qps(in.ZcatLinesPerSec), ratio(in.LinesPerSec, in.ZcatLinesPerSec))
	for _, b := range in.Bcftools {
		p("| `%s` | %s: %s lines/s (ingest at %.2f× of it) |\n", b.Command, dur(b.Elapsed), qps(b.LinesPerSec), ratio(in.LinesPerSec, b.LinesPerSec))
	}
	if in.BcftoolsSkipped != "" {
		p("| bcftools readings of the same VCF | not measured: %s |\n", in.BcftoolsSkipped)
	}
	p("| load (read release, build every index) | %s, %.2f s per million variants |\n", dur(ld.Elapsed), ld.SecondsPerMVar)
	p("| memory after load | heap %s (%.0f B per variant), RSS %s |\n", bytesIEC(ld.HeapBytes), ld.HeapPerVariant, bytesIEC(ld.RSSBytes))
}

// writeDatasetRequests lists the requests whose work may follow the number of datasets,
// with each p50 as a ratio of the one-dataset baseline's (on a many-dataset scale).
func writeDatasetRequests(w io.Writer, sr *suite.ScaleResult, base *suite.ScaleResult) {
	if len(sr.DatasetRequests) == 0 {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	ratioed := base != nil && base != sr && sr.Scale.Datasets > 1
	p("\n### Requests that may follow the number of datasets (in process)\n\n| request | p50 | p99 |")
	if ratioed {
		p(" p50 / p50 at %s |", base.Scale)
	}
	p("\n|---|---:|---:|")
	if ratioed {
		p("---:|")
	}
	p("\n")
	for _, k := range slices.Sorted(maps.Keys(sr.DatasetRequests)) {
		e := sr.DatasetRequests[k]
		p("| %s | %s | %s |", k, dur(e.P50), dur(e.P99))
		if ratioed {
			p(" %.2f |", ratio(float64(e.P50), float64(base.DatasetRequests[k].P50)))
		}
		p("\n")
	}
}

func writeServeLimit(w io.Writer, sr *suite.ScaleResult) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	sl := sr.ServeLimit
	if sl == nil {
		if sr.ServeLimitSkipped != "" {
			p("\n### Served in a memory cgroup\n\nNot measured: %s.\n", sr.ServeLimitSkipped)
		}
		return
	}
	p("\n### Served in a %s memory cgroup (%s): `bitbeacon serve` as its own process, index files evicted from the page cache first\n\n", bytesIEC(sl.LimitBytes), sl.Cgroup)
	p("Ready (until /info answers) in %s; peak charge %s (heap and the mapped files' page cache), limit hit %d times, %d OOM kills; RSS after the mix: anon %s, file %s.\n\n",
		dur(sl.Ready), bytesIEC(sl.PeakBytes), sl.Failcnt, sl.OOMKills, bytesIEC(sl.RSSAnon), bytesIEC(sl.RSSFile))
	p("| connections | group | QPS | p50 | p99 | p999 |\n|---:|---|---:|---:|---:|---:|\n")
	for _, l := range sl.HTTP {
		p("| %d | %s | %s | %s | %s | %s |\n", l.Conns, l.Group, qps(l.QPS), dur(l.Overall.P50), dur(l.Overall.P99), dur(l.Overall.P999))
	}
}

func writeCompare(w io.Writer, sr *suite.ScaleResult) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	cr := sr.Compare
	var engines []string
	for _, e := range cr.Engines {
		engines = append(engines, e.Engine)
	}
	p("\n### Comparators (same release, same queries; p50 per kind, speed-up = their p50 / bitbeacon's in-process p50)\n\n")
	p("| kind | bitbeacon |")
	for _, e := range engines {
		p(" %s | speed-up |", e)
	}
	p(" answers |\n|---|---:|")
	for range engines {
		p("---:|---:|")
	}
	p("---|\n")
	byKind := map[string]map[string]results.KindSummary{}
	for _, k := range cr.Kinds {
		if byKind[k.Kind] == nil {
			byKind[k.Kind] = map[string]results.KindSummary{}
		}
		byKind[k.Kind][k.Engine] = k
	}
	for _, kind := range kinds(sr) {
		bb := sr.Engine[kind]
		p("| %s | %s |", kind, dur(bb.P50))
		mismatches := 0
		for _, e := range engines {
			k, ok := byKind[kind][e]
			if !ok {
				p(" – | – |")
				continue
			}
			mismatches += k.Mismatches
			p(" %s | %.0f× |", dur(time.Duration(k.Latency.P50*1e3)), k.Latency.P50*1e3/float64(bb.P50))
		}
		ok := "all equal"
		for name, a := range sr.Answers {
			if strings.HasPrefix(name, kind+"/") && !a.Match {
				mismatches++
			}
		}
		if mismatches > 0 {
			ok = fmt.Sprintf("**%d differ**", mismatches)
		}
		p(" %s |\n", ok)
	}
	p("\n| engine | version | setup | load | of which carriers | indexes | size | carrier rows |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, e := range cr.Engines {
		version, _, _ := strings.Cut(e.Version, " on ") // PostgreSQL appends its build platform
		p("| %s | %s | %.1f s | %.1f s | %.1f s | %.1f s | %s | %d |\n", e.Engine, version, e.SetupSeconds, e.LoadSeconds,
			e.CarrierSeconds, e.IndexSeconds, bytesIEC(e.DatabaseBytes), e.CarrierRows)
	}
}

// kinds lists the kinds measured at a scale in workload.Kinds order.
func kinds(sr *suite.ScaleResult) []string {
	var out []string
	for _, k := range workload.Kinds {
		if _, ok := sr.Engine[k]; ok {
			out = append(out, k)
		}
	}
	for k := range sr.Engine {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func dur(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < time.Microsecond:
		return fmt.Sprintf("%d ns", d.Nanoseconds())
	case d < time.Millisecond:
		return fmt.Sprintf("%.1f µs", float64(d)/1e3)
	case d < time.Second:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

func qps(x float64) string {
	switch {
	case x >= 1e6:
		return fmt.Sprintf("%.2fM", x/1e6)
	case x >= 1e4:
		return fmt.Sprintf("%.0fk", x/1e3)
	case x >= 1e3:
		return fmt.Sprintf("%.1fk", x/1e3)
	default:
		return fmt.Sprintf("%.0f", x)
	}
}

func bytesIEC(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d B", n)
	}
}
