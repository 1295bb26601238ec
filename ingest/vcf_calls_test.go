package ingest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

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

// plainCalled is the reference noteRefSpan must agree with: every tab-ended call of span
// split on its separators, noted when it has other than two '0' alleles.
func plainCalled(span string, si int) []calledCall {
	var out []calledCall
	for _, call := range strings.Split(strings.TrimSuffix(span, "\t"), "\t") {
		called := int32(strings.Count(call, "0"))
		if called != 2 {
			out = append(out, calledCall{sample: int32(si), alleles: called})
		}
		si++
	}
	return out
}

// notedCalls is what p noted of a line, the haploid bits and the other calls, in sample
// order.
func notedCalls(p *vcfParser) []calledCall {
	out := slices.Clone(p.called)
	for s := range p.nSamples {
		if p.haploid != nil && p.haploid[s/64]&(1<<(s%64)) != 0 {
			out = append(out, calledCall{sample: int32(s), alleles: 1})
		}
	}
	slices.SortFunc(out, func(a, b calledCall) int { return int(a.sample) - int(b.sample) })
	return out
}

// TestNoteRefSpanWords checks the word-at-a-time reading of spans of '0' calls against a
// plain split: haploid, diploid, triploid and tetraploid calls mixed, in spans of every
// length around the 8-byte words (a call ending on a word's last byte or first odd byte,
// a haploid call first, the tail shorter than a word), and spans with '.' alleles, which
// take the per-byte loop.
func TestNoteRefSpanWords(t *testing.T) {
	forms := []string{"0", "0|0", "0/0", "0/0/0", "0|0|0|0", "0", "0|0"}
	rng := rand.New(rand.NewPCG(5, 6))
	for round := range 3000 {
		n := 1 + rng.IntN(40)
		var b strings.Builder
		for range n {
			f := forms[rng.IntN(len(forms))]
			if round%3 == 0 {
				f = forms[rng.IntN(2)] // male X: haploid and diploid only
			}
			if round%10 == 9 && rng.IntN(8) == 0 {
				f = [...]string{".", "./.", "0/.", ".|0"}[rng.IntN(4)]
			}
			b.WriteString(f + "\t")
		}
		span := b.String()
		si := rng.IntN(100)
		want := plainCalled(strings.ReplaceAll(span, ".", "x"), si)
		p := &vcfParser{nSamples: si + n}
		p.noteRefSpan([]byte(span), si, n)
		if got := notedCalls(p); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("span %q from sample %d: noted %v, want %v", span, si, got, want)
		}
	}
}

// TestSkipRefCallsNotes checks the fused skip against skipNoAltCalls and a plain split:
// runs of '0' calls long enough for its 32-byte blocks (haploid and diploid mixed as on
// male X, either separator, sometimes a triploid call or a '.' that ends a block), then a
// carrier or the line's last call; it must stop where skipNoAltCalls stops (leaving the last
// call) and note the same calls as the split.
func TestSkipRefCallsNotes(t *testing.T) {
	forms := []string{"0", "0|0", "0", "0|0", "0/0", "0"}
	rng := rand.New(rand.NewPCG(11, 12))
	for round := range 2000 {
		n := 1 + rng.IntN(120)
		var b strings.Builder
		for range n {
			f := forms[rng.IntN(len(forms))]
			if round%4 == 1 && rng.IntN(30) == 0 {
				f = [...]string{"0/0/0", "0|0|0|0", ".", "./.", "0/."}[rng.IntN(5)]
			}
			b.WriteString(f + "\t")
		}
		line, left := b.String()+"0/1\t0", n+2
		if round%2 == 0 {
			line, left = b.String()+"0", n+1 // hom-ref to the end: the last call is left
			if round%6 == 0 && n > 2 {
				left = n - rng.IntN(2) // more columns than samples
			}
		}
		si := rng.IntN(100)
		p := &vcfParser{nSamples: si + left}
		j, nc := p.skipRefCalls([]byte(line), 0, si, left)
		wj, wnc := skipNoAltCalls([]byte(line), 0, left)
		if j != wj || nc != wnc {
			t.Fatalf("%q: stopped at %d after %d calls, skipNoAltCalls at %d after %d", line, j, nc, wj, wnc)
		}
		var want []calledCall
		if j > 0 {
			want = plainCalled(strings.ReplaceAll(line[:j], ".", "x"), si)
		}
		if got := notedCalls(p); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%q from sample %d: noted %v, want %v", line[:j], si, got, want)
		}
	}
}

// TestVCFCalledAllelesHaploidX reads chromosome X as a cohort gives it, the males haploid on
// every line (the same samples, line after line, so their sets are reused), with carriers,
// no-calls and a line whose males differ between lines of the usual set, and checks every
// sample's called alleles against a plain split; it fails if reading the haploid calls a
// word at a time, or reusing the last line's sets, goes wrong.
func TestVCFCalledAllelesHaploidX(t *testing.T) {
	const samples = 700
	rng := rand.New(rand.NewPCG(7, 8))
	male := make([]bool, samples)
	for s := range samples {
		// Blocks of males and females, and scattered males.
		male[s] = (s/37)%2 == 0 || rng.IntN(5) == 0
	}
	var b strings.Builder
	b.WriteString("##fileformat=VCFv4.3\n##reference=GRCh38\n##contig=<ID=X>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT")
	for i := range samples {
		fmt.Fprintf(&b, "\tS%d", i)
	}
	b.WriteString("\n")
	want := map[string]map[uint32]uint32{}
	for line := range 60 {
		fmt.Fprintf(&b, "X\t%d\t.\tA\tG\t.\t.\t.\tGT", line+1)
		w := map[uint32]uint32{}
		changed := line%7 == 3 // one male called diploid, one female haploid
		for s := range samples {
			f := "0|0"
			if male[s] != (changed && (s == 3 || s == 40)) {
				f = "0"
				w[uint32(s)] = 1
			}
			switch r := rng.IntN(100); {
			case r < 3 && f == "0":
				f = "1"
			case r < 3:
				f = "0|1"
			case r == 3 && line%5 == 0:
				f, w[uint32(s)] = ".", 0
			}
			b.WriteString("\t" + f)
		}
		b.WriteString("\n")
		want[fmt.Sprintf("chrX_%d_A_G", line+1)] = w
	}
	_, vs, err := vcfRun(t, Options{}, "x.vcf", b.String())
	if err != nil {
		t.Fatal(err)
	}
	for id, w := range want {
		v := vs[id]
		if v == nil || !v.Genotyped {
			t.Fatalf("%s: not written or not genotyped: %v", id, v)
		}
		if got := calledOf(v); fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("%s: called %v, want %v", id, got, w)
		}
	}
}

// TestCalledSetsStoredAsBefore checks that the sets setCalls hands out (run-optimised
// bitmaps, reused across lines), and the value it encodes for them once, are stored byte for
// byte as the bitmaps it built before, one Add per sample and optimised by the writer alone,
// so the Parquet calls column is unchanged: random called lists, of scattered samples, runs
// and one file's part of a run's samples.
func TestCalledSetsStoredAsBefore(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for round := range 400 {
		n := 1 + rng.IntN(9000)
		p := &vcfParser{f: &vcfFile{runSamples: uint32(n)}, nSamples: n, haveGT: true}
		if round%4 == 1 {
			p.f.sampleBase, p.f.runSamples = uint32(rng.IntN(300)), uint32(n+300+rng.IntN(300))
		}
		before := map[uint32]*roaring.Bitmap{}
		add := func(a, s uint32) {
			if before[a] == nil {
				before[a] = roaring.New()
			}
			before[a].Add(s)
		}
		for s := 0; s < n; s++ {
			if round%2 == 0 && rng.IntN(3) == 0 {
				s += rng.IntN(40) // runs of consecutive samples skipped
			}
			if s < n && rng.IntN(2+round%5) == 0 {
				a := [...]int32{0, 1, 1, 3}[rng.IntN(4)]
				p.noteCalled(s, a)
				add(uint32(a), p.f.sampleBase+uint32(s))
			}
		}
		if end := p.f.sampleBase + uint32(n); p.f.sampleBase > 0 || end < p.f.runSamples {
			for s := uint32(0); s < p.f.sampleBase; s++ {
				add(0, s)
			}
			for s := end; s < p.f.runSamples; s++ {
				add(0, s)
			}
		}
		var old []release.CalledSet
		for _, a := range []uint32{0, 1, 3} {
			if before[a] != nil {
				old = append(old, release.CalledSet{Alleles: a, Bits: before[a]})
			}
		}
		wantBytes, err := release.AppendCalls(nil, old)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // built, then reused
			var v release.Variant
			p.setCalls(&v)
			got, err := release.AppendCalls(nil, v.CalledAlleles)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, wantBytes) {
				t.Fatalf("round %d: %d noted samples stored as %d bytes, before %d", round, len(notedCalls(p)), len(got), len(wantBytes))
			}
			if v.CallsValue != nil && !bytes.Equal(v.CallsValue, wantBytes) {
				t.Fatalf("round %d: the value handed out is %d bytes, the sets' %d", round, len(v.CallsValue), len(wantBytes))
			}
		}
	}
}
