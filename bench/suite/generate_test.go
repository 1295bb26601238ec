package suite

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/bitbeacon/bitbeacon/popgen"
)

// TestGenerateReusesKeptVCF checks that a VCF kept from an earlier run is reused only when it
// was generated with the same configuration, and completely.
func TestGenerateReusesKeptVCF(t *testing.T) {
	dir := t.TempDir()
	pc := popgen.Config{Seed: 5, Individuals: 20, Variants: 200, SkipBFFVariants: true}
	_, vcf, reused, err := generate(dir, pc)
	if err != nil || reused {
		t.Fatalf("first run: reused %v, %v", reused, err)
	}
	first, err := os.ReadFile(vcf)
	if err != nil {
		t.Fatal(err)
	}
	// Mark the file: a reuse keeps the mark, a regeneration removes it.
	marked := append(bytes.Clone(first), "marked"...)
	if err := os.WriteFile(vcf, marked, 0o644); err != nil {
		t.Fatal(err)
	}
	files, vcf2, reused, err := generate(dir, pc)
	if err != nil || !reused || vcf2 != vcf || len(files.Paths) == 0 {
		t.Fatalf("same configuration: reused %v, vcf %s, %d files, %v", reused, vcf2, len(files.Paths), err)
	}
	if got, _ := os.ReadFile(vcf); !bytes.Equal(got, marked) {
		t.Error("the kept VCF was rewritten")
	}

	pc.Variants = 300
	if _, _, reused, err = generate(dir, pc); err != nil || reused {
		t.Fatalf("another configuration: reused %v, %v", reused, err)
	}
	if got, _ := os.ReadFile(vcf); bytes.Equal(got, marked) || bytes.Equal(got, first) {
		t.Error("the VCF of another configuration was not generated anew")
	}

	// A run stopped while writing the VCF leaves no stamp: nothing is reused.
	if err := os.Remove(filepath.Join(dir, generatedStamp)); err != nil {
		t.Fatal(err)
	}
	if _, _, reused, err = generate(dir, pc); err != nil || reused {
		t.Fatalf("without a stamp: reused %v, %v", reused, err)
	}
}
