package suite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// BcftoolsReading is one bcftools command reading the scale's VCF in the same run as the
// ingest: the reader most users know, so the ingest's lines/s can be put as a ratio of it.
type BcftoolsReading struct {
	// Name is "view" (decode every record to uncompressed BCF) or "query-GT" (print every
	// genotype: the part of the file the ingest keeps).
	Name        string        `json:"name"`
	Command     string        `json:"command"` // as run, the VCF named by its base name
	Elapsed     time.Duration `json:"elapsedNs"`
	LinesPerSec float64       `json:"linesPerSec"`
}

// bcftoolsNotFound is the note a run without bcftools leaves in its report.
const bcftoolsNotFound = "bcftools not found on PATH (`make bcftools` installs Debian's package)"

// bcftoolsSkippedAbove is the note a scale above Config.BcftoolsMaxVariants leaves in its
// report, "" when the readings are to be taken.
func bcftoolsSkippedAbove(cfg *Config, sc Scale) string {
	if cfg.BcftoolsMaxVariants <= 0 || sc.Variants <= cfg.BcftoolsMaxVariants {
		return ""
	}
	return fmt.Sprintf("skipped above %d variants (--bcftools-max-variants)", cfg.BcftoolsMaxVariants)
}

// bcftoolsCommands are the readings the suite times, each writing what it reads to out
// (/dev/null when timed). view decodes every field and re-encodes it as uncompressed BCF on
// two threads (bgzf inflation in parallel); query formats every sample's GT, one line per
// record, on one thread (bcftools 1.16's query has no --threads).
func bcftoolsCommands(vcf, out string) []struct {
	name string
	args []string
} {
	return []struct {
		name string
		args []string
	}{
		{"view", []string{"view", "--threads", "2", "-Ou", "-o", out, vcf}},
		{"query-GT", []string{"query", "-f", `[%GT]\n`, "-o", out, vcf}},
	}
}

// measureBcftools times each bcftools reading of vcf into in (LinesPerSec is set by
// bcftoolsRates once the ingest has counted the lines). bin is the
// binary, "" to look it up on PATH; without one the readings are skipped with a note, not
// failed: the suite runs where Debian's package is not installed.
func measureBcftools(ctx context.Context, bin, vcf string, in *IngestResult) error {
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("bcftools"); err != nil {
			in.BcftoolsSkipped = bcftoolsNotFound
			return nil
		}
	}
	shown := bcftoolsCommands(filepath.Base(vcf), "/dev/null")
	for i, c := range bcftoolsCommands(vcf, "/dev/null") {
		cmd := exec.CommandContext(ctx, bin, c.args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		t0 := time.Now()
		err := cmd.Run()
		elapsed := time.Since(t0)
		if err != nil {
			return fmt.Errorf("bcftools %s: %v: %s", c.name, err, tail(stderr.Bytes(), 500))
		}
		// bcftools warns on stderr and goes on (e.g. an undefined tag): a reading that warned
		// did not read the file as the ingest did.
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return errors.New("bcftools " + c.name + ": " + string(tail([]byte(msg), 500)))
		}
		in.Bcftools = append(in.Bcftools, BcftoolsReading{
			Name:    c.name,
			Command: "bcftools " + shellQuote(shown[i].args),
			Elapsed: elapsed,
		})
	}
	return nil
}

// bcftoolsRates sets each reading's lines/s from the data lines the ingest read.
func bcftoolsRates(in *IngestResult) {
	for i := range in.Bcftools {
		in.Bcftools[i].LinesPerSec = float64(in.Lines) / in.Bcftools[i].Elapsed.Seconds()
	}
}

// shellQuote writes args as a shell would need them typed, for the report.
func shellQuote(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, `[]%\ '"$`) {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
