package report

import (
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/bitbeacon/bitbeacon/bench/suite"
)

// writePlots draws the report's figures and returns their file names (relative to dir).
// A figure with nothing to show (one scale only, no HTTP levels) is left out.
func writePlots(dir string, r *suite.Results) ([]string, error) {
	var names []string
	for i := range r.Scales {
		sr := &r.Scales[i]
		tag := fmt.Sprintf("%dx%d", sr.Scale.Variants, sr.Scale.Samples)
		if sr.Scale.Datasets > 1 {
			tag += fmt.Sprintf("-%d-%s", sr.Scale.Datasets, sr.Scale.Layout)
		}
		if len(sr.Engine) > 0 {
			name := "latency-" + tag + ".png"
			if err := latencyPlot(filepath.Join(dir, name), sr); err != nil {
				return nil, err
			}
			names = append(names, name)
		}
		if len(sr.HTTP) > 0 {
			name := "qps-" + tag + ".png"
			if err := qpsPlot(filepath.Join(dir, name), sr); err != nil {
				return nil, err
			}
			names = append(names, name)
		}
	}
	if scalingPoints(r) > 1 {
		name := "scaling.png"
		if err := scalingPlot(filepath.Join(dir, name), r); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}

func micros(d time.Duration) float64 { return float64(d) / 1e3 }

// logAxis makes ax a log axis spanning every positive value of the series (name, XYs pairs
// as plotutil takes them) on that axis, with some room: gonum panics on a log axis whose
// range touches 0, which it picks when all values are equal.
func logAxis(ax *plot.Axis, series []any, useX bool) {
	lo, hi := 0.0, 0.0
	for _, v := range series {
		xys, ok := v.(plotter.XYs)
		if !ok {
			continue
		}
		for _, xy := range xys {
			x := xy.Y
			if useX {
				x = xy.X
			}
			if x > 0 && (lo == 0 || x < lo) {
				lo = x
			}
			hi = max(hi, x)
		}
	}
	if lo == 0 {
		lo, hi = 1, 10
	}
	ax.Scale, ax.Tick.Marker = plot.LogScale{}, plot.LogTicks{}
	ax.Min, ax.Max = lo/2, hi*2
}

// latencyPlot: per kind, bitbeacon's in-process p50/p99/p999 and each comparator's p50
// (log scale: they differ by orders of magnitude).
func latencyPlot(path string, sr *suite.ScaleResult) error {
	p := plot.New()
	p.Title.Text = "Latency per query kind, " + sr.Scale.String()
	p.Y.Label.Text = "µs (log)"
	ks := kinds(sr)
	p.NominalX(ks...)
	p.X.Tick.Label.Rotation = 0.8
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = -1, 0
	series := []any{}
	for _, pc := range []struct {
		name string
		get  func(suite.EngineKind) time.Duration
	}{
		{"bitbeacon p50", func(e suite.EngineKind) time.Duration { return e.P50 }},
		{"bitbeacon p99", func(e suite.EngineKind) time.Duration { return e.P99 }},
		{"bitbeacon p999", func(e suite.EngineKind) time.Duration { return e.P999 }},
	} {
		pts := plotter.XYs{}
		for i, k := range ks {
			if v := micros(pc.get(sr.Engine[k])); v > 0 {
				pts = append(pts, plotter.XY{X: float64(i), Y: v})
			}
		}
		series = append(series, pc.name, pts)
	}
	if sr.Compare != nil {
		for _, e := range sr.Compare.Engines {
			pts := plotter.XYs{}
			for i, k := range ks {
				for _, ks := range sr.Compare.Kinds {
					if ks.Engine == e.Engine && ks.Kind == k && ks.Latency.P50 > 0 {
						pts = append(pts, plotter.XY{X: float64(i), Y: ks.Latency.P50})
					}
				}
			}
			if len(pts) > 0 {
				series = append(series, e.Engine+" p50", pts)
			}
		}
	}
	if err := plotutil.AddLinePoints(p, series...); err != nil {
		return err
	}
	logAxis(&p.Y, series, false)
	p.Legend.Top, p.Legend.Left = true, true
	return p.Save(22*vg.Centimeter, 14*vg.Centimeter, path)
}

// qpsPlot: QPS against connections for the ceiling, the count mix and the record pages.
func qpsPlot(path string, sr *suite.ScaleResult) error {
	p := plot.New()
	p.Title.Text = "HTTP QPS vs connections, " + sr.Scale.String()
	p.X.Label.Text = "connections (log)"
	p.Y.Label.Text = "requests per second"
	series := []any{}
	for _, g := range []string{suite.GroupCeiling, suite.GroupCount, suite.GroupRecord} {
		pts := plotter.XYs{}
		for _, l := range sr.HTTP {
			if l.Group == g {
				pts = append(pts, plotter.XY{X: float64(l.Conns), Y: l.QPS})
			}
		}
		if len(pts) > 0 {
			series = append(series, g, pts)
		}
	}
	if err := plotutil.AddLinePoints(p, series...); err != nil {
		return err
	}
	logAxis(&p.X, series, true)
	p.Y.Min = 0
	return p.Save(16*vg.Centimeter, 11*vg.Centimeter, path)
}

// scalingPoints counts the 2,504-sample scales (the ones a scaling line can join).
func scalingPoints(r *suite.Results) int {
	n := 0
	for _, sr := range r.Scales {
		if sr.Scale.Samples == 2504 && sr.Scale.Datasets <= 1 {
			n++
		}
	}
	return n
}

// scalingPlot: in-process p50 of a few kinds and the load time against the number of
// variants, log-log, for the 2,504-sample scales.
func scalingPlot(path string, r *suite.Results) error {
	var srs []*suite.ScaleResult
	for i := range r.Scales {
		if r.Scales[i].Scale.Samples == 2504 && r.Scales[i].Scale.Datasets <= 1 {
			srs = append(srs, &r.Scales[i])
		}
	}
	slices.SortFunc(srs, func(a, b *suite.ScaleResult) int { return a.Scale.Variants - b.Scale.Variants })
	p := plot.New()
	p.Title.Text = "Scaling with variants (2,504 samples)"
	p.X.Label.Text = "variants (log)"
	p.Y.Label.Text = "µs (log)"
	series := []any{}
	for _, k := range []string{"count-filters-3", "count-range", "count-gene", "count-mixed", "record-page", "cross-entry"} {
		pts := plotter.XYs{}
		for _, sr := range srs {
			if e, ok := sr.Engine[k]; ok && e.P50 > 0 {
				pts = append(pts, plotter.XY{X: float64(sr.Scale.Variants), Y: micros(e.P50)})
			}
		}
		if len(pts) > 1 {
			series = append(series, k+" p50", pts)
		}
	}
	pts := plotter.XYs{}
	for _, sr := range srs {
		if sr.Load.Elapsed > 0 {
			pts = append(pts, plotter.XY{X: float64(sr.Scale.Variants), Y: micros(sr.Load.Elapsed)})
		}
	}
	if len(pts) > 1 {
		series = append(series, "load (index build)", pts)
	}
	if err := plotutil.AddLinePoints(p, series...); err != nil {
		return err
	}
	logAxis(&p.X, series, true)
	logAxis(&p.Y, series, false)
	return p.Save(16*vg.Centimeter, 12*vg.Centimeter, path)
}
