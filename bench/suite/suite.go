// Package suite runs bitbeacon's benchmark end to end, one population scale after another:
// generate (popgen), ingest against zcat, load, the query mix in process and over HTTP
// against a fixed-body ceiling, and the SQL comparators; the figures go to a Results value
// that bench/report turns into Markdown, JSON and plots. `bitbeacon bench` and `make bench`
// run it.
package suite

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// Scale is one generated population.
type Scale struct {
	Variants int `json:"variants"`
	Samples  int `json:"samples"`
	// Datasets, above 1, divides the population into that many datasets (popgen.Split)
	// laid out as Layout says: LayoutSplit or LayoutShared (datasets.go).
	Datasets int    `json:"datasets,omitempty"`
	Layout   string `json:"layout,omitempty"`
}

func (s Scale) String() string {
	str := fmt.Sprintf("%s variants × %s samples", si(s.Variants), si(s.Samples))
	switch {
	case s.manyDatasets() && s.Layout == LayoutShared:
		str += fmt.Sprintf(" in %d datasets of one cohort", s.Datasets)
	case s.manyDatasets():
		str += fmt.Sprintf(" split into %d datasets", s.Datasets)
	}
	return str
}

// dirName is the scale's directory under Config.Work.
func (s Scale) dirName() string {
	name := fmt.Sprintf("%dx%d", s.Variants, s.Samples)
	if s.manyDatasets() {
		name += fmt.Sprintf("-%d-%s", s.Datasets, s.Layout)
	}
	return name
}

// si writes 10000 as 1e4 and 2504 as 2504: scales are powers of ten or CINECA's 2,504.
func si(n int) string {
	e := 0
	for m := n; m >= 10 && m%10 == 0; m /= 10 {
		e++
	}
	if e >= 3 && n == pow10(e) {
		return fmt.Sprintf("1e%d", e)
	}
	return fmt.Sprint(n)
}

func pow10(e int) int {
	n := 1
	for range e {
		n *= 10
	}
	return n
}

// Config is one benchmark run.
type Config struct {
	Scales []Scale `json:"scales"`
	Seed   uint64  `json:"seed"`
	// PerKind is the number of queries of each kind in the mix.
	PerKind int `json:"perKind"`
	// EngineIters is how many requests of each kind the in-process handler answers.
	EngineIters int `json:"engineIters"`
	// Conns are the HTTP connection counts; Duration is the measured time of each level
	// (after Warmup).
	Conns    []int         `json:"conns"`
	Duration time.Duration `json:"durationNs"`
	Warmup   time.Duration `json:"warmupNs"`
	// CompareBin is the comparator binary (bench/cmd/bitbeacon-compare); "" skips the
	// comparators. CompareEngines names them ("duckdb,postgres"); CompareRepeat is how
	// often each query runs there; CompareMaxVariants skips scales above it (loading 10^7
	// variants' carriers into PostgreSQL takes hours).
	CompareBin         string `json:"compareBin,omitempty"`
	CompareEngines     string `json:"compareEngines,omitempty"`
	CompareRepeat      int    `json:"compareRepeat,omitempty"`
	CompareMaxVariants int    `json:"compareMaxVariants,omitempty"`
	// Bcftools is the bcftools binary timed reading each scale's VCF beside the ingest; ""
	// looks it up on PATH, and without one those readings are skipped with a note.
	Bcftools string `json:"bcftools,omitempty"`
	// BcftoolsMaxVariants, when positive, skips those readings at larger scales: at 10^7
	// variants bcftools query alone takes the better part of an hour on two cores.
	BcftoolsMaxVariants int `json:"bcftoolsMaxVariants,omitempty"`
	// ServeMemoryLimit, when positive, adds a step to each scale: ServeBinary (bitbeacon)
	// serves the release in a memory cgroup of that many bytes and is driven with the mix
	// (memlimit.go). Without ServeBinary, or where no cgroup can be made, it is skipped.
	ServeMemoryLimit int64  `json:"serveMemoryLimit,omitempty"`
	ServeBinary      string `json:"-"`
	// Release, when set, is an indexed release built elsewhere (bitbeacon ingest, then
	// bitbeacon index) that the one scale queries instead of generating, ingesting and
	// building its own: the query steps only, from the ready step on, and nothing is
	// written into it. The scale names its population (e.g. a 10^7 release whose build
	// needs more disk than the run has).
	Release string `json:"release,omitempty"`
	// Work holds the generated files and releases (removed after each scale unless Keep).
	Work string `json:"-"`
	Keep bool   `json:"-"`
	Log  *slog.Logger
	// AfterScale, when set, sees the results after each scale (bitbeacon bench writes the
	// report then, so a run stopped at a later scale keeps what it measured).
	AfterScale func(*Results) `json:"-"`
}

// Quick is the configuration of `make bench`: one small scale, short HTTP levels.
func Quick() Config {
	return Config{
		Scales:  []Scale{{Variants: 10_000, Samples: 2504}},
		Seed:    1,
		PerKind: 10, EngineIters: 500,
		Conns:    []int{1, 8, 32},
		Duration: 2 * time.Second, Warmup: 300 * time.Millisecond,
		CompareEngines: "duckdb,postgres", CompareRepeat: 20, CompareMaxVariants: 1_000_000,
		ServeMemoryLimit: 4 << 30,
	}
}

// Full is the configuration of `bitbeacon bench --full`: the scales.
func Full() Config {
	c := Quick()
	// Smallest first: the report is rewritten after each scale, and 10^7 is the one most
	// likely to outgrow a machine.
	c.Scales = []Scale{
		{Variants: 10_000, Samples: 2504}, {Variants: 10_000, Samples: 100_000},
		{Variants: 10_000, Samples: 2504, Datasets: 1000, Layout: LayoutSplit},
		{Variants: 10_000, Samples: 100, Datasets: 1000, Layout: LayoutShared},
		{Variants: 1_000_000, Samples: 2504}, {Variants: 10_000_000, Samples: 2504},
	}
	c.PerKind, c.EngineIters = 20, 2000
	c.Conns = []int{1, 4, 16, 64, 256}
	c.Duration, c.Warmup = 10*time.Second, time.Second
	c.CompareRepeat = 50
	return c
}

// Results is everything one run measured.
type Results struct {
	Machine  Machine       `json:"machine"`
	Config   Config        `json:"config"`
	Started  time.Time     `json:"started"`
	Elapsed  time.Duration `json:"elapsedNs"`
	Scales   []ScaleResult `json:"scales"`
	Failures []string      `json:"failures,omitempty"`
}

// Run measures every scale of cfg in turn. A failing part is recorded in Results.Failures
// and the run goes on with what does not depend on it.
func Run(ctx context.Context, cfg Config) (*Results, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if len(cfg.Scales) == 0 {
		return nil, fmt.Errorf("bench: no scale")
	}
	if cfg.Release != "" && (len(cfg.Scales) != 1 || cfg.Scales[0].manyDatasets()) {
		return nil, fmt.Errorf("bench: a given release (%s) is queried as one scale of one dataset, not %d scale(s)", cfg.Release, len(cfg.Scales))
	}
	if cfg.Work == "" {
		dir, err := os.MkdirTemp("", "bitbeacon-bench-")
		if err != nil {
			return nil, err
		}
		cfg.Work = dir
		if !cfg.Keep {
			defer os.RemoveAll(dir)
		}
	}
	res := &Results{Machine: describeMachine(), Config: cfg, Started: time.Now().UTC()}
	for _, sc := range cfg.Scales {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		dir := filepath.Join(cfg.Work, sc.dirName())
		cfg.Log.Info("bench: scale", "scale", sc.String(), "dir", dir)
		sr, err := runScale(ctx, &cfg, sc, dir)
		if sr != nil {
			res.Scales = append(res.Scales, *sr)
			for _, f := range sr.Failures {
				res.Failures = append(res.Failures, sc.String()+": "+f)
			}
		}
		if !cfg.Keep {
			os.RemoveAll(dir)
		}
		if err != nil {
			res.Failures = append(res.Failures, sc.String()+": "+err.Error())
		}
		res.Elapsed = time.Since(res.Started)
		if cfg.AfterScale != nil {
			cfg.AfterScale(res)
		}
		runtime.GC()
	}
	res.Elapsed = time.Since(res.Started)
	return res, nil
}
