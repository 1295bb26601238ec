package ingest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
)

// calledOf expands a variant's called-allele sets: sample index → called alleles, for the
// samples with other than 2.
func calledOf(v *release.Variant) map[uint32]uint32 {
	out := map[uint32]uint32{}
	for _, s := range v.CalledAlleles {
		it := s.Bits.Iterator()
		for it.HasNext() {
			out[it.Next()] = s.Alleles
		}
	}
	return out
}

// TestVCFCalledAlleles reads random mixes of calls (haploid, no-calls, half-calls,
// triploid, hom-ref runs the scanner skips by words) and checks every sample's number of
// called alleles against a plain split of each GT.
func TestVCFCalledAlleles(t *testing.T) {
	forms := []string{"0/0", "0|0", "0/0", "0|0", "0", ".", "./.", "0/.", ".|0", "1/0", "0|1", "1", "1/1", "0/0/0", "./1", "1/1/."}
	const samples = 45
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString("##fileformat=VCFv4.3\n##reference=GRCh37\n##contig=<ID=1>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT")
	for i := range samples {
		fmt.Fprintf(&b, "\tS%d", i)
	}
	b.WriteString("\n")
	want := map[string]map[uint32]uint32{}
	for line := range 300 {
		fmt.Fprintf(&b, "1\t%d\t.\tA\tG\t.\t.\t.\tGT", line+1)
		w := map[uint32]uint32{}
		// Lines of hom-ref pairs with a few other calls, and fully random lines.
		odd := rng.IntN(4) == 0
		for s := range samples {
			f := forms[rng.IntN(4)]
			if odd || rng.IntN(10) == 0 {
				f = forms[rng.IntN(len(forms))]
			}
			b.WriteString("\t" + f)
			called := 0
			for _, a := range strings.FieldsFunc(f, func(r rune) bool { return r == '/' || r == '|' }) {
				if a != "." {
					called++
				}
			}
			if called != 2 {
				w[uint32(s)] = uint32(called)
			}
		}
		b.WriteString("\n")
		want[fmt.Sprintf("chr1_%d_A_G", line+1)] = w
	}
	_, vs, err := vcfRun(t, Options{}, "calls.vcf", b.String())
	if err != nil {
		t.Fatal(err)
	}
	for id, w := range want {
		v := vs[id]
		if v == nil || !v.Genotyped {
			t.Fatalf("%s: not written or not genotyped: %v", id, v)
		}
		got := calledOf(v)
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("%s: called %v, want %v", id, got, w)
		}
	}
}

// TestVCFCalledAllelesMerged checks the calls of variants merged from single-sample VCFs:
// the samples of a file without the line have no call.
func TestVCFCalledAllelesMerged(t *testing.T) {
	dir := t.TempDir()
	one := func(name, sample string, lines ...string) string {
		return writeFile(t, dir, name, vcfHead+"##contig=<ID=X>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t"+sample+"\n"+strings.Join(lines, ""))
	}
	a := one("a.vcf", "A", "1\t10\t.\tA\tG\t.\tPASS\t.\tGT\t0|1\n", "2\t5\t.\tG\tA\t.\tPASS\t.\tGT\t0|1\n")
	b := one("b.vcf", "B", "1\t10\t.\tA\tG\t.\tPASS\t.\tGT\t1/.\n", "1\t15\t.\tT\tTA\t.\tPASS\t.\tGT\t0/1\n", "X\t7\t.\tA\tG\t.\tPASS\t.\tGT\t1\n")
	c := one("c.vcf", "C", "2\t5\t.\tG\tA\t.\tPASS\t.\tGT\t1|0\n")
	out := filepath.Join(dir, "out")
	if _, err := Run(context.Background(), Options{Out: out, DatasetID: "d", Log: testLogger(t)}, []string{a, b, c}); err != nil {
		t.Fatal(err)
	}
	vs := readVariants(t, out, "d")
	// Samples: A=0, B=1, C=2.
	for id, w := range map[string]map[uint32]uint32{
		"chr1_10_A_G":  {1: 1, 2: 0},
		"chr1_15_T_TA": {0: 0, 2: 0},
		"chr2_5_G_A":   {1: 0},
		"chrX_7_A_G":   {0: 0, 1: 1, 2: 0},
	} {
		v := vs[id]
		if v == nil || !v.Genotyped {
			t.Fatalf("%s: %v", id, v)
		}
		if got := calledOf(v); fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("%s: called %v, want %v", id, got, w)
		}
	}
}
