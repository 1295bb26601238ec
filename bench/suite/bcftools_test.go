package suite

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/popgen"
)

// needBcftools returns the bcftools binary. Tests never skip on a missing tool: `make test`
// installs it (make bcftools).
func needBcftools(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("bcftools")
	if err != nil {
		t.Fatalf("%v (make bcftools installs it)", err)
	}
	return bin
}

// smallVCF writes a popgen VCF of 40 samples (X-chromosome males haploid) and 400 variants.
func smallVCF(t *testing.T) string {
	t.Helper()
	vcf := filepath.Join(t.TempDir(), popgen.VCFFile)
	if err := popgen.WriteVCF(vcf, popgen.Config{Seed: 9, Individuals: 40, Variants: 400}); err != nil {
		t.Fatal(err)
	}
	return vcf
}

// expectedGenotypes reads the VCF as text: per data line, every sample's GT (the first
// FORMAT field, which popgen writes first) concatenated, as `query -f '[%GT]\n'` prints them.
func expectedGenotypes(t *testing.T, vcf string) []string {
	t.Helper()
	text, err := gunzip(vcf)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if !strings.HasPrefix(cols[8], "GT") {
			t.Fatalf("FORMAT %q does not start with GT", cols[8])
		}
		var b strings.Builder
		for _, s := range cols[9:] {
			gt, _, _ := strings.Cut(s, ":")
			b.WriteString(gt)
		}
		out = append(out, b.String())
	}
	return out
}

// gunzip reads a whole (multi-member) gzip file.
func gunzip(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// The commands the suite times read the whole file: view re-encodes every record (read back
// from its BCF here), query prints every sample's genotype of every record, exactly as the
// VCF text has it.
func TestBcftoolsCommandsReadEveryGenotype(t *testing.T) {
	bin := needBcftools(t)
	vcf := smallVCF(t)
	want := expectedGenotypes(t, vcf)
	if len(want) != 400 {
		t.Fatalf("%d data lines in the VCF, want 400", len(want))
	}
	for _, c := range bcftoolsCommands(vcf, filepath.Join(t.TempDir(), "out")) {
		out := c.args[len(c.args)-2]
		if b, err := exec.Command(bin, c.args...).CombinedOutput(); err != nil || len(b) > 0 {
			t.Fatalf("%s: %v: %s", c.name, err, b)
		}
		var lines []string
		switch c.name {
		case "view":
			b, err := exec.Command(bin, "query", "-f", `[%GT]\n`, out).Output()
			if err != nil {
				t.Fatalf("reading back the BCF of view: %v", err)
			}
			lines = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		case "query-GT":
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			lines = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		default:
			t.Fatalf("unknown reading %q", c.name)
		}
		if len(lines) != len(want) {
			t.Fatalf("%s: %d lines, want %d", c.name, len(lines), len(want))
		}
		for i := range want {
			if lines[i] != want[i] {
				t.Fatalf("%s: line %d: %.80q, want %.80q", c.name, i+1, lines[i], want[i])
			}
		}
	}
}

func TestMeasureBcftools(t *testing.T) {
	needBcftools(t)
	vcf := smallVCF(t)
	in := IngestResult{Lines: 400}
	if err := measureBcftools(context.Background(), "", vcf, &in); err != nil {
		t.Fatal(err)
	}
	bcftoolsRates(&in)
	if in.BcftoolsSkipped != "" || len(in.Bcftools) != 2 {
		t.Fatalf("readings %+v, skipped %q", in.Bcftools, in.BcftoolsSkipped)
	}
	wantCmd := map[string]string{
		"view":     "bcftools view --threads 2 -Ou -o /dev/null " + popgen.VCFFile,
		"query-GT": `bcftools query -f '[%GT]\n' -o /dev/null ` + popgen.VCFFile,
	}
	for _, r := range in.Bcftools {
		if r.Command != wantCmd[r.Name] || r.Elapsed <= 0 || r.LinesPerSec <= 0 {
			t.Errorf("%+v, want command %q and a time", r, wantCmd[r.Name])
		}
	}
}

// Without bcftools the readings are skipped with the note the report prints, not failed.
func TestMeasureBcftoolsWithoutBcftools(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var in IngestResult
	if err := measureBcftools(context.Background(), "", "any.vcf.gz", &in); err != nil {
		t.Fatal(err)
	}
	if in.BcftoolsSkipped != bcftoolsNotFound || len(in.Bcftools) != 0 {
		t.Errorf("skipped %q, readings %+v", in.BcftoolsSkipped, in.Bcftools)
	}
}

// A file bcftools cannot read fails the reading, naming it, with bcftools's message.
func TestMeasureBcftoolsFailsOnABadFile(t *testing.T) {
	bin := needBcftools(t)
	bad := filepath.Join(t.TempDir(), "bad.vcf.gz")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("not a VCF\n"))
	zw.Close()
	if err := os.WriteFile(bad, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var in IngestResult
	err := measureBcftools(context.Background(), bin, bad, &in)
	if err == nil || !strings.HasPrefix(err.Error(), "bcftools view: ") || len(in.Bcftools) != 0 {
		t.Fatalf("err %v, readings %+v", err, in.Bcftools)
	}
}

// Above --bcftools-max-variants a scale is not read by bcftools and says why; at or below
// it, or without a limit, it is.
func TestBcftoolsSkippedAbove(t *testing.T) {
	cases := []struct {
		limit, variants int
		skipped         bool
	}{{0, 10_000_000, false}, {1_000_000, 1_000_000, false}, {1_000_000, 10_000_000, true}}
	for _, c := range cases {
		note := bcftoolsSkippedAbove(&Config{BcftoolsMaxVariants: c.limit}, Scale{Variants: c.variants, Samples: 2504})
		if (note != "") != c.skipped || c.skipped && !strings.Contains(note, "1000000") {
			t.Errorf("limit %d, %d variants: note %q, want skipped %v", c.limit, c.variants, note, c.skipped)
		}
	}
}
