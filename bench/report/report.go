// Package report turns a benchmark run (suite.Results) into results.json, report.md and
// plots: latency per query kind, QPS against connections, and scaling with variants. The
// project's speed targets (docs/benchmarks.md, "The benchmark suite") are listed beside the
// figures, met or not.
package report

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bitbeacon/bitbeacon/bench/suite"
)

// Write writes results.json, report.md and the plots (PNG) into dir.
func Write(dir string, r *suite.Results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := suite.WriteJSON(filepath.Join(dir, "results.json"), r); err != nil {
		return err
	}
	plots, err := writePlots(dir, r)
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, "report.md"))
	if err != nil {
		return err
	}
	if err := writeMarkdown(f, r, plots); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
