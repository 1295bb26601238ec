package ingest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/internal/testenv"
	"github.com/bitbeacon/bitbeacon/popgen"
	"github.com/bitbeacon/bitbeacon/release"
)

// vcfBenchFiles are real VCFs of ../shared: two 2,504-sample extracts, CINECA chr22 (one
// gzip member, richly annotated INFO) and 1000 Genomes chr1 (BGZF, phased GT), and one
// single-sample whole chr21 (BGZF, 60,694 lines), the other shape cohorts come in.
var vcfBenchFiles = []string{
	"cineca_uk1_cnag_vcf/cineca_uk1_chr22_5002.fully_annotated.vcf.gz",
	"cineca_uk1_cnag_vcf/test_1000G_chr1_grch37.vcf.gz",
	"candig_1000g_chr21_vcf/HG02102.vcf.gz",
}

// popgenBenchVCF writes the generated cohort the design target is about: 2,504 samples,
// 10,000 lines on chromosomes 1, 2, 22 and X (males haploid on X), phased GT, BGZF level 6
// (popgen WriteVCF, as bgzip writes it).
func popgenBenchVCF(b *testing.B) string {
	path := filepath.Join(b.TempDir(), "popgen_2504x10000.vcf.gz")
	if err := popgen.WriteVCF(path, popgen.Config{Seed: 1, Individuals: 2504, Variants: 10000}); err != nil {
		b.Fatal(err)
	}
	return path
}

// vcfBenchPaths are the shared files and the generated one.
func vcfBenchPaths(b *testing.B) []string {
	data := testenv.DataDir(b)
	var paths []string
	for _, rel := range vcfBenchFiles {
		paths = append(paths, filepath.Join(data, rel))
	}
	return append(paths, popgenBenchVCF(b))
}

// zcatSeconds is the best of three `zcat file > /dev/null` runs: the decompression ceiling
// any reader of the file is measured against. ok is false without zcat.
func zcatSeconds(b *testing.B, path string) (float64, bool) {
	zcat, err := exec.LookPath("zcat")
	if err != nil {
		return 0, false
	}
	best := 0.0
	for range 3 {
		began := time.Now()
		if err := exec.Command(zcat, path).Run(); err != nil {
			b.Fatalf("zcat %s: %v", path, err)
		}
		if s := time.Since(began).Seconds(); best == 0 || s < best {
			best = s
		}
	}
	return best, true
}

// BenchmarkVCFIngest measures VCF ingest end to end (read, decompress, parse, write the
// Parquet release, publish) per file and reports lines/s, genotype calls/s and the ratio of
// its line rate to zcat's on the same file, measured in the same run.
func BenchmarkVCFIngest(b *testing.B) {
	for _, path := range vcfBenchPaths(b) {
		b.Run(filepath.Base(path), func(b *testing.B) {
			zs, haveZcat := zcatSeconds(b, path)
			cpu0 := processCPU()
			var sum *Summary
			var err error
			b.ResetTimer()
			for range b.N {
				sum, err = Run(context.Background(), Options{Out: b.TempDir(), DatasetID: "bench", Assembly: "GRCh37", Log: slog.New(slog.DiscardHandler)}, []string{path})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			reportVCFRates(b, sum.VCF[0], zs, haveZcat, processCPU()-cpu0)
		})
	}
}

// BenchmarkVCFParse is the reader alone: decompress, split and parse into variants, which
// are dropped instead of written; BenchmarkVCFIngest minus this is the release writer.
func BenchmarkVCFParse(b *testing.B) {
	for _, path := range vcfBenchPaths(b) {
		b.Run(filepath.Base(path), func(b *testing.B) {
			zs, haveZcat := zcatSeconds(b, path)
			cpu0 := processCPU()
			var last VCFSummary
			b.ResetTimer()
			for range b.N {
				warns := newWarnSink(1, slog.New(slog.DiscardHandler))
				vf, err := prepareVCF(path, Options{Assembly: "GRCh37"}, warns)
				if err != nil {
					b.Fatal(err)
				}
				st := &runState{ctx: context.Background(), log: slog.New(slog.DiscardHandler), datasetID: "bench", warns: warns, sum: &Summary{}}
				if _, err := st.vcfSamples([]*vcfFile{vf}); err != nil {
					b.Fatal(err)
				}
				if err := st.ingestVCFs([]*vcfFile{vf}, func(*release.Variant) error { return nil }); err != nil {
					b.Fatal(err)
				}
				last = st.sum.VCF[0]
			}
			b.StopTimer()
			reportVCFRates(b, last, zs, haveZcat, processCPU()-cpu0)
		})
	}
}

// BenchmarkVCFDecompress is the ceiling of the two above: the file's text inflated as the
// ingest inflates it (BGZF blocks on every core, other gzip on one) and dropped, nothing
// parsed. lines/s counts the data lines, as the ingest's lines/s does; cpu-us/line is the
// CPU of all goroutines, which at 2 cores bounds any reader of the file to
// 2e6/cpu-us/line lines/s however cheap the rest gets.
func BenchmarkVCFDecompress(b *testing.B) {
	for _, path := range vcfBenchPaths(b) {
		b.Run(filepath.Base(path), func(b *testing.B) {
			lines, size := vcfDataLines(b, path)
			b.SetBytes(size)
			cpu0 := processCPU()
			b.ResetTimer()
			for range b.N {
				in, err := openVCF(path, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, in); err != nil {
					b.Fatal(err)
				}
				in.Close()
			}
			b.StopTimer()
			per := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(lines)/per, "lines/s")
			if cpu := processCPU() - cpu0; cpu > 0 {
				b.ReportMetric(cpu.Seconds()*1e6/float64(b.N*lines), "cpu-us/line")
			}
		})
	}
}

// vcfDataLines counts the data lines (not starting with '#') of the VCF at path and the
// bytes of its text, untimed.
func vcfDataLines(b *testing.B, path string) (int, int64) {
	in, err := openVCF(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	c := &lineCounter{atStart: true}
	if _, err := io.Copy(c, in); err != nil {
		b.Fatal(err)
	}
	return c.data, c.size
}

// lineCounter counts the bytes written to it and the lines that do not start with '#'.
type lineCounter struct {
	data    int
	size    int64
	atStart bool // the next byte starts a line
}

func (c *lineCounter) Write(p []byte) (int, error) {
	c.size += int64(len(p))
	n := len(p)
	for len(p) > 0 {
		if c.atStart && p[0] != '#' {
			c.data++
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			c.atStart = false
			break
		}
		p, c.atStart = p[i+1:], true
	}
	return n, nil
}

// reportVCFRates reports lines/s, calls/s, the zcat ceiling and, when the platform tells,
// the CPU time per line of all goroutines (cpu-us/line): on a machine shared with other work
// it varies less than the wall clock, and 2 cores / it bounds lines/s.
func reportVCFRates(b *testing.B, s VCFSummary, zcatSecs float64, haveZcat bool, cpu time.Duration) {
	per := b.Elapsed().Seconds() / float64(b.N)
	lines := float64(s.Records) / per
	b.ReportMetric(lines, "lines/s")
	if cpu > 0 {
		b.ReportMetric(cpu.Seconds()*1e6/float64(b.N*s.Records), "cpu-us/line")
	}
	b.ReportMetric(float64(s.Calls)/per, "calls/s")
	if haveZcat {
		b.ReportMetric(float64(s.Records)/zcatSecs, "zcat-lines/s")
		b.ReportMetric(lines/(float64(s.Records)/zcatSecs), "x-zcat")
	}
}
