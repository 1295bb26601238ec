// Command bitbeacon-bench runs the benchmark suite end to end (bench/suite) and writes its
// report (bench/report); `bitbeacon bench` runs it. It is a binary of its own, like
// bitbeacon-compare, so that the plotting libraries (and their hundreds of dependencies) never
// link into the server: internal/layout checks that.
package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/bitbeacon/bitbeacon/internal/sibling"

	"github.com/bitbeacon/bitbeacon/bench/report"
	"github.com/bitbeacon/bitbeacon/bench/suite"
)

// The binaries the suite runs: the comparators, and the server for the memory-limit step,
// each looked up beside bitbeacon-bench, then on PATH.
const (
	compareBinary = "bitbeacon-compare"
	serverBinary  = "bitbeacon"
)

func main() {
	cmd := benchCmd()
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	if err := cmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "bitbeacon-bench:", err)
		os.Exit(1)
	}
}

func benchCmd() *cobra.Command {
	var (
		full, keep, noCompare, verbose bool
		rewriteReport                  bool
		scales, conns, out, work       string
		release                        string
		serveLimitMiB                  int64
		serveBin                       string
		// opt holds the flags that override the chosen configuration when given.
		opt = suite.Quick()
	)
	cmd := &cobra.Command{
		Use:   "bitbeacon-bench [--full | --scale LIST] [--out DIR]",
		Short: "Run the benchmark suite end to end and write a report",
		Long: `bench generates populations (popgen), ingests them, loads them, and measures the
query mix in process and over HTTP against a fixed-body server, then runs the SQL
comparators (DuckDB, PostgreSQL) through the separate bitbeacon-compare binary. It writes
report.md, results.json and plots into --out. 'bitbeacon bench' runs it; it is a binary of
its own so that the plotting libraries never link into the server.

Without --full it runs the quick configuration of 'make bench' (one 10^4-variant scale,
short HTTP levels). Scales are VARIANTS or VARIANTSxSAMPLES, e.g. 1e6 or 1e4x100000
(2,504 samples when left out), optionally divided into datasets: /1000split (the
individuals split into 1,000 datasets) or /1000shared (1,000 datasets of one cohort, each
with a part of the variants), e.g. 1e4/1000split or 1e4x100/1000shared.`,
		Example: `  bitbeacon-bench --out bench-report
  bitbeacon-bench --full --out bench-report-full
  bitbeacon-bench --scale 1e4,1e5 --conns 1,16,64 --duration 5s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if rewriteReport {
				return rewrite(cmd, out)
			}
			cfg := suite.Quick()
			if full {
				cfg = suite.Full()
			}
			given := cmd.Flags().Changed
			set := func(flag string, apply func()) {
				if given(flag) {
					apply()
				}
			}
			set("seed", func() { cfg.Seed = opt.Seed })
			set("per-kind", func() { cfg.PerKind = opt.PerKind })
			set("engine-iters", func() { cfg.EngineIters = opt.EngineIters })
			set("duration", func() { cfg.Duration = opt.Duration })
			set("warmup", func() { cfg.Warmup = opt.Warmup })
			set("compare-bin", func() { cfg.CompareBin = opt.CompareBin })
			set("compare-engines", func() { cfg.CompareEngines = opt.CompareEngines })
			set("compare-repeat", func() { cfg.CompareRepeat = opt.CompareRepeat })
			set("compare-max-variants", func() { cfg.CompareMaxVariants = opt.CompareMaxVariants })
			set("bcftools-max-variants", func() { cfg.BcftoolsMaxVariants = opt.BcftoolsMaxVariants })
			set("serve-memory-limit-mib", func() { cfg.ServeMemoryLimit = serveLimitMiB << 20 })
			if cfg.ServeBinary = serveBin; serveBin == "" {
				cfg.ServeBinary = sibling.Find(serverBinary) // serves the release in the memory-limit step
			}
			var err error
			if scales != "" {
				if cfg.Scales, err = parseScales(scales); err != nil {
					return err
				}
			}
			if conns != "" {
				if cfg.Conns, err = parseInts(conns); err != nil {
					return fmt.Errorf("--conns: %w", err)
				}
			}
			cfg.Work, cfg.Keep, cfg.Release = work, keep, release
			cfg.Log = newLogger(verbose)
			if noCompare {
				cfg.CompareBin = ""
			} else if cfg.CompareBin == "" {
				cfg.CompareBin = sibling.Find(compareBinary)
				if cfg.CompareBin == "" {
					cfg.Log.Warn("bench: " + compareBinary + " not found beside bitbeacon-bench or on PATH; comparators skipped (make bench builds it)")
				}
			}
			cfg.AfterScale = func(r *suite.Results) {
				if err := report.Write(out, r); err != nil {
					cfg.Log.Error("bench: writing the report", "err", err)
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			res, err := suite.Run(ctx, cfg)
			if res != nil {
				if werr := report.Write(out, res); werr != nil {
					return werr
				}
				fmt.Fprintf(cmd.OutOrStdout(), "report: %s\n", filepath.Join(out, "report.md"))
				for _, t := range report.Targets(res) {
					fmt.Fprintf(cmd.OutOrStdout(), "  %-4s %s: %s (wanted %s)\n", t.Met, t.What, t.Measured, t.Target)
				}
			}
			if err != nil {
				return err
			}
			if len(res.Failures) > 0 {
				return fmt.Errorf("%d part(s) failed, first: %s", len(res.Failures), res.Failures[0])
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&full, "full", false, "the full configuration: 10^4, 10^6, 10^7 variants × 2,504 samples and 10^4 × 100,000 (hours)")
	f.StringVar(&scales, "scale", "", "comma-separated scales, VARIANTS[xSAMPLES][/DATASETS(split|shared)], e.g. 1e4,1e6,1e4x100000,1e4/1000split")
	f.StringVar(&out, "out", "bench-report", "directory for report.md, results.json and the plots")
	f.StringVar(&work, "work", "", "directory for generated data and releases (default: a temporary one)")
	f.StringVar(&release, "release", "", "query this indexed release (bitbeacon ingest, then bitbeacon index) instead of generating, ingesting and building one; with one --scale naming its population; nothing is written into it")
	f.BoolVar(&keep, "keep", false, "keep the generated data and releases; with --work, a later run reuses a VCF generated with the same configuration")
	f.Uint64Var(&opt.Seed, "seed", opt.Seed, "population and query-mix seed")
	f.IntVar(&opt.PerKind, "per-kind", opt.PerKind, "queries per kind in the mix")
	f.IntVar(&opt.EngineIters, "engine-iters", opt.EngineIters, "in-process requests per kind")
	f.StringVar(&conns, "conns", "", "comma-separated HTTP connection counts (default 1,8,32; --full 1,4,16,64,256)")
	f.DurationVar(&opt.Duration, "duration", opt.Duration, "measured time of each HTTP level")
	f.DurationVar(&opt.Warmup, "warmup", opt.Warmup, "warm-up before each HTTP level")
	f.StringVar(&opt.CompareBin, "compare-bin", "", "the "+compareBinary+" binary (default: beside bitbeacon-bench, then PATH)")
	f.StringVar(&serveBin, "serve-bin", "", "the "+serverBinary+" binary the memory-limit step serves with (default: beside bitbeacon-bench, then PATH)")
	f.StringVar(&opt.CompareEngines, "compare-engines", opt.CompareEngines, "comparators to run")
	f.IntVar(&opt.CompareRepeat, "compare-repeat", opt.CompareRepeat, "runs of each query on each comparator")
	f.IntVar(&opt.CompareMaxVariants, "compare-max-variants", opt.CompareMaxVariants, "skip the comparators at larger scales")
	f.IntVar(&opt.BcftoolsMaxVariants, "bcftools-max-variants", opt.BcftoolsMaxVariants, "skip the bcftools readings of the VCF at larger scales (0: no limit)")
	f.BoolVar(&noCompare, "no-compare", false, "skip the SQL comparators")
	f.Int64Var(&serveLimitMiB, "serve-memory-limit-mib", opt.ServeMemoryLimit>>20, "serve each release with 'bitbeacon serve' in a memory cgroup of this many MiB and drive it with the mix (0: skip; needs root and a cgroup memory controller)")
	f.BoolVar(&rewriteReport, "rewrite-report", false, "run nothing: write report.md and the plots again from the results.json in --out (a run's figures through this binary's report)")
	f.BoolVarP(&verbose, "verbose", "v", false, "debug logging")
	return cmd
}

// rewrite writes the report in dir again from its results.json, so that a long run's
// figures can be read through a newer report without measuring them again.
func rewrite(cmd *cobra.Command, dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		return fmt.Errorf("--rewrite-report: %w", err)
	}
	var res suite.Results
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("--rewrite-report: %s: %w", filepath.Join(dir, "results.json"), err)
	}
	if err := report.Write(dir, &res); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "report: %s\n", filepath.Join(dir, "report.md"))
	return nil
}

func newLogger(verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// parseScales reads "1e4,1e6,1e4x100000".
func parseScales(s string) ([]suite.Scale, error) {
	var out []suite.Scale
	for _, item := range strings.Split(s, ",") {
		pop, ds, hasDS := strings.Cut(strings.TrimSpace(item), "/")
		v, n, hasN := strings.Cut(pop, "x")
		sc := suite.Scale{Samples: 2504}
		var err error
		if hasDS {
			if sc.Datasets, sc.Layout, err = parseDatasets(ds); err != nil {
				return nil, fmt.Errorf("--scale %q: %w", item, err)
			}
		}
		if sc.Variants, err = parseCount(v); err != nil {
			return nil, fmt.Errorf("--scale %q: %w", item, err)
		}
		if hasN {
			if sc.Samples, err = parseCount(n); err != nil {
				return nil, fmt.Errorf("--scale %q: %w", item, err)
			}
		}
		out = append(out, sc)
	}
	return out, nil
}

// parseDatasets reads the datasets part of a scale: a count, then "split" (the default) or
// "shared" (suite.LayoutSplit, suite.LayoutShared).
func parseDatasets(s string) (int, string, error) {
	layout := suite.LayoutSplit
	for _, l := range []string{suite.LayoutSplit, suite.LayoutShared} {
		if c, ok := strings.CutSuffix(s, l); ok {
			s, layout = c, l
		}
	}
	n, err := parseCount(s)
	if err != nil || n < 2 {
		return 0, "", fmt.Errorf("datasets %q: a count of at least 2, then split or shared", s)
	}
	return n, layout, nil
}

// parseCount reads 10000, 1e4 or 10_000 as a positive count.
func parseCount(s string) (int, error) {
	s = strings.ReplaceAll(s, "_", "")
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 1 || f > 1e9 || f != float64(int(f)) {
		return 0, fmt.Errorf("%q is not a count", s)
	}
	return int(f), nil
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, x := range strings.Split(s, ",") {
		n, err := parseCount(strings.TrimSpace(x))
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}
