package report

import (
	"fmt"
	"io"
	"time"

	"github.com/bitbeacon/bitbeacon/bench/suite"
)

// Issue 15's targets for the two cohort-statistics kinds: an aggregation over the 2,504
// individuals and a subgroup frequency, each under this in process.
const (
	cohortStatsTarget = 100 * time.Microsecond
	// indexBuildBudget is `bitbeacon index`'s default memory budget, which its peak RSS is
	// to stay under at any scale.
	indexBuildBudget = 4 << 30
)

// cohortStatsKinds are the mix's cohort-statistics kinds (bench/workload) the target names.
var cohortStatsKinds = []string{"aggregated", "count-frequency"}

// oneDatasetScales are the run's scales of one dataset, in run order: the ones whose
// figures are put side by side across scales.
func oneDatasetScales(r *suite.Results) []*suite.ScaleResult {
	var out []*suite.ScaleResult
	for i := range r.Scales {
		if s := &r.Scales[i]; s.Scale.Datasets <= 1 {
			out = append(out, s)
		}
	}
	return out
}

// cohortStatsTargetOf judges the two cohort-statistics kinds of one scale by their p50 in
// process; ok is false when the scale did not time both.
func cohortStatsTargetOf(sr *suite.ScaleResult) (t Target, ok bool) {
	t = Target{What: "aggregated and count-frequency p50 in process (" + sr.Scale.String() + ")", Target: "< " + dur(cohortStatsTarget)}
	allMet := true
	for i, k := range cohortStatsKinds {
		e, has := sr.Engine[k]
		if !has || e.P50 <= 0 {
			return t, false
		}
		if i > 0 {
			t.Measured += "; "
		}
		t.Measured += fmt.Sprintf("%s %s (p99 %s)", k, dur(e.P50), dur(e.P99))
		allMet = allMet && e.P50 < cohortStatsTarget
	}
	t.Met = met(allMet)
	return t, true
}

// indexBuildTarget judges the peak RSS of `bitbeacon index` at 10^7 (ten nil: no such
// scale) against the default memory budget.
func indexBuildTarget(ten *suite.ScaleResult) Target {
	t := Target{What: "`bitbeacon index` peak RSS at 10^7 × 2,504", Target: "≤ " + bytesIEC(indexBuildBudget)}
	switch {
	case ten == nil:
		t.Measured, t.Met = "no 10^7 scale in this run", "not measured"
	case ten.ReleaseGiven != "":
		t.Measured, t.Met = "the 10^7 release was given (--release), not built in this run", "not measured"
	case ten.Load.IndexPeakRSS <= 0:
		t.Measured, t.Met = "the build ran in the suite's process (no bitbeacon binary): no peak", "not measured"
	default:
		t.Measured = fmt.Sprintf("%s, built in %s (%.1f s per million variants%s)", bytesIEC(ten.Load.IndexPeakRSS), dur(ten.Load.IndexElapsed), ten.Load.IndexSecondsPerMVar, indexCPU(&ten.Load))
		t.Met = met(ten.Load.IndexPeakRSS <= indexBuildBudget)
	}
	return t
}

// indexCPU is ", C s CPU" for a build whose process time was measured, "" otherwise (an
// in-process build, or results written before the suite measured it).
func indexCPU(ld *suite.LoadResult) string {
	if ld.IndexCPU <= 0 {
		return ""
	}
	return fmt.Sprintf(", %.1f s CPU", ld.IndexCPUSecondsPerMVar)
}

// writeAcrossScales puts the one-dataset scales side by side when the run has more than
// one: the index build (time per million variants, peak RSS) and every kind's p50 / p99
// in process, so that how a figure grows with the variants is read on one line.
func writeAcrossScales(w io.Writer, r *suite.Results) {
	scales := oneDatasetScales(r)
	if len(scales) < 2 {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("\n## Across scales\n\n| | ")
	for i, s := range scales {
		if i > 0 {
			p(" | ")
		}
		p("%s", s.Scale)
	}
	p(" |\n|---|")
	for range scales {
		p("---:|")
	}
	p("\n")
	row := func(name string, cell func(*suite.ScaleResult) string) {
		p("| %s |", name)
		for _, s := range scales {
			p(" %s |", cell(s))
		}
		p("\n")
	}
	row("ingest lines/s", func(s *suite.ScaleResult) string {
		if s.Ingest.LinesPerSec <= 0 {
			return "–"
		}
		return qps(s.Ingest.LinesPerSec)
	})
	row("index build, s per million variants", func(s *suite.ScaleResult) string {
		if s.Load.IndexElapsed <= 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f", s.Load.IndexSecondsPerMVar)
	})
	row("index build, CPU s per million variants", func(s *suite.ScaleResult) string {
		if s.Load.IndexCPU <= 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f", s.Load.IndexCPUSecondsPerMVar)
	})
	row("index build, peak RSS", func(s *suite.ScaleResult) string {
		if s.Load.IndexPeakRSS <= 0 {
			return "–"
		}
		return bytesIEC(s.Load.IndexPeakRSS)
	})
	var all suite.ScaleResult // the union of the kinds, in report order
	all.Engine = map[string]suite.EngineKind{}
	for _, s := range scales {
		for k, e := range s.Engine {
			all.Engine[k] = e
		}
	}
	for _, k := range kinds(&all) {
		row(k+", p50 / p99 in process", func(s *suite.ScaleResult) string {
			e, ok := s.Engine[k]
			if !ok {
				return "–"
			}
			return dur(e.P50) + " / " + dur(e.P99)
		})
	}
}
