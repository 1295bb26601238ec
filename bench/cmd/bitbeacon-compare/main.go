// Command bitbeacon-compare runs a benchmark query mix through bitbeacon (in process) and
// the SQL comparators (DuckDB over the release's Parquet files, an indexed PostgreSQL),
// checks that every answer equals bitbeacon's and writes the timings as JSON. It is a
// separate binary so that DuckDB and the PostgreSQL driver never link into cmd/bitbeacon.
//
//	bitbeacon-compare --release rel/ --workload mix.json --out results.json --engines duckdb,postgres --repeat 50
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/bitbeacon/bitbeacon/bench/compare"
	"github.com/bitbeacon/bitbeacon/bench/workload"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bitbeacon-compare:", err)
		os.Exit(1)
	}
}

func run() error {
	rel := flag.String("release", "", "release root or release directory (required)")
	wl := flag.String("workload", "", "query mix, a workload.Mix JSON file (required)")
	out := flag.String("out", "", "results JSON file (default: standard output)")
	engines := flag.String("engines", "duckdb,postgres", "comparators to run, comma-separated: duckdb, postgres")
	repeat := flag.Int("repeat", 20, "timed warm runs per query and engine")
	bb := flag.Bool("bitbeacon", true, "also time bitbeacon's in-process handler (the speed-up reference)")
	pgBin := flag.String("pg-bin", "", "PostgreSQL bin directory (default: newest /usr/lib/postgresql/*/bin)")
	flag.Parse()
	if *rel == "" || *wl == "" {
		flag.Usage()
		return fmt.Errorf("--release and --workload are required")
	}
	if *repeat < 1 {
		return fmt.Errorf("--repeat must be at least 1")
	}
	data, err := os.ReadFile(*wl)
	if err != nil {
		return err
	}
	var mix workload.Mix
	if err := json.Unmarshal(data, &mix); err != nil {
		return fmt.Errorf("%s: %v", *wl, err)
	}
	var names []string
	for _, e := range strings.Split(*engines, ",") {
		if e = strings.TrimSpace(e); e != "" {
			names = append(names, e)
		}
	}
	// Interrupted or terminated (bitbeacon bench stops it so), it still stops its PostgreSQL.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := compare.Run(ctx, compare.Options{
		Release: *rel, Mix: &mix, Engines: names, Repeat: *repeat, Bitbeacon: *bb,
		Postgres: compare.PostgresOptions{BinDir: *pgBin}, Log: os.Stderr,
	})
	if err != nil {
		return err
	}
	enc, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	enc = append(enc, '\n')
	if *out == "" {
		_, err = os.Stdout.Write(enc)
		return err
	}
	if err := os.WriteFile(*out, enc, 0o644); err != nil {
		return err
	}
	mismatches := 0
	for _, k := range res.Kinds {
		mismatches += k.Mismatches
		if k.Engine != "bitbeacon" {
			fmt.Fprintf(os.Stderr, "%-9s %-20s %3d queries %2d mismatches  p50 %9.1f us  p99 %9.1f us  bitbeacon x%.0f\n",
				k.Engine, k.Kind, k.Queries, k.Mismatches, k.Latency.P50, k.Latency.P99, k.SpeedupP50)
		}
	}
	if mismatches > 0 {
		fmt.Fprintf(os.Stderr, "%d answers differ from bitbeacon's or failed (see %s)\n", mismatches, *out)
	}
	return nil
}
