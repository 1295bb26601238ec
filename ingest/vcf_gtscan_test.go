package ingest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestSkipNoAltCalls checks the word scan on its own: whole calls without an ALT allele
// are skipped up to the first other call, and the last of the n calls is always left.
func TestSkipNoAltCalls(t *testing.T) {
	for _, tc := range []struct {
		s        string
		n        int
		at, skip int
	}{
		{"0|0\t0\t0|0\t1|0\t0|0", 5, 10, 3},
		{"0\t0\t0\t0\t0\t0\t0\t0\t0\t0", 10, 16, 8}, // stops 8 bytes before the end
		{"./.\t.\t0/.\t.|0\t0/1\t0", 6, 14, 4},
		{"0|0\t0|0\t0|0\t0|0", 3, 8, 2}, // leaves the last call
		{"1|0\t0|0\t0|0\t0|0", 4, 0, 0},
		{"0/10\t0/0\t0/0\t0/0", 4, 0, 0}, // a two-digit allele
		{"0//0\t0/0\t0/0\t0/0", 4, 0, 0}, // not a call of the simple form
		{"00/0\t0/0\t0/0\t0/0", 4, 0, 0}, // idem
		{"0/0/0/0\t0/0\t0/0", 3, 8, 1},   // polyploid, a tab in reach
		{"0\t0|x\t0|0\t0|0\t0", 5, 2, 1}, // an invalid call is left to the parser
		{"0|0\t0", 2, 0, 0},              // shorter than a word
		// 32-byte blocks of haploid and diploid hom-ref calls (male X), with either
		// separator, then words mixing both separators.
		{strings.Repeat("0|0\t0\t", 8) + "1|0\t0|0\t0|0\t0|0", 20, 48, 16},
		{strings.Repeat("0\t", 20) + "0/1\t0\t0\t0\t0\t0", 26, 40, 20},
		{strings.Repeat("0|0\t0/0\t", 6) + "1\t0\t0\t0\t0\t0", 18, 48, 12},
		{strings.Repeat("0/0\t0\t", 8) + "0/0/1\t0\t0\t0\t0\t0", 22, 48, 16},
		{strings.Repeat("0/0\t0\t", 8) + "0/0/0\t0\t0\t0\t0\t0", 22, 62, 21}, // polyploid calls are even too
	} {
		at, skip := skipNoAltCalls([]byte(tc.s), 0, tc.n)
		if at != tc.at || skip != tc.skip {
			t.Errorf("%q (n=%d): at %d, %d skipped; want %d, %d", tc.s, tc.n, at, skip, tc.at, tc.skip)
		}
	}
}

// TestSkipNoAltCallsRandom checks what the word scans promise on random columns: they stop
// at the start of a call, skip only calls without an ALT allele, and leave the last call.
func TestSkipNoAltCallsRandom(t *testing.T) {
	calls := []string{"0", "0|0", "0/0", ".", "./.", "0|.", "1", "0|1", "1/0", "0/0/0", "0/10", "x"}
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 2000 {
		n := 1 + r.IntN(80)
		ref := r.IntN(3) // mostly one hom-ref form, or a haploid/diploid mix
		cols := make([]string, n)
		for i := range cols {
			switch {
			case r.IntN(20) == 0:
				cols[i] = calls[r.IntN(len(calls))]
			case ref == 2:
				cols[i] = []string{"0", "0|0"}[r.IntN(2)]
			default:
				cols[i] = []string{"0|0", "0/0"}[ref]
			}
		}
		s := strings.Join(cols, "\t")
		at, skip := skipNoAltCalls([]byte(s), 0, n)
		start := 0
		for i := 0; i < skip; i++ {
			if strings.ContainsAny(cols[i], "123456789x") {
				t.Fatalf("round %d: %q: skipped call %d %q", round, s, i, cols[i])
			}
			start += len(cols[i]) + 1
		}
		if skip >= n || at != start {
			t.Fatalf("round %d: %q (n=%d): at %d, %d skipped; call %d starts at %d", round, s, n, at, skip, skip, start)
		}
	}
}

// TestGenotypeFastPathsMatchGeneric parses random GT columns twice: FORMAT GT, which takes
// the word scans and the short-call path, and FORMAT GT:DP, which only the per-byte parser
// reads, and expects the same variants, carriers and zygosities, and the same bad lines.
func TestGenotypeFastPathsMatchGeneric(t *testing.T) {
	calls := []string{"0|0", "0/0", "0", ".", "./.", ".|.", "0/.", "1|0", "0|1", "1/1", "1", "2/1", "1|2",
		"2", "./1", "1/.", "0|0|1", "1/1/1", "0/0/0", "3/0", "10/0", "0/10"}
	bad := []string{"0/x", "0//0", "/0", "0/", "9/0", "x"}
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 40 {
		n := 1 + r.IntN(60)
		names := make([]string, n)
		for i := range names {
			names[i] = "S" + strconv.Itoa(i)
		}
		var gt, gtdp strings.Builder
		for l := range 30 {
			nAlt := 1 + r.IntN(3)
			alts := []string{"A", "C", "T"}[:nAlt]
			if nAlt == 1 && r.IntN(3) == 0 {
				nAlt, alts = 10, []string{"A", "C", "T", "AA", "AC", "AT", "CA", "CC", "CT", "TA"}
			}
			// Long hom-ref runs (the word scans), sometimes all haploid.
			homRef, p := []string{"0|0", "0/0", "0"}[r.IntN(3)], r.Float64()
			cols := make([]string, n)
			for i := range cols {
				switch {
				case r.Float64() < p:
					cols[i] = homRef
				default:
					cols[i] = calls[r.IntN(len(calls))]
				}
				if a := strings.FieldsFunc(cols[i], func(c rune) bool { return c == '/' || c == '|' }); len(a) > 0 {
					for _, x := range a {
						if k, err := strconv.Atoi(x); err == nil && k > nAlt {
							cols[i] = "0/0"
						}
					}
				}
			}
			extra := ""
			switch r.IntN(40) {
			case 0:
				cols[r.IntN(n)] = bad[r.IntN(len(bad))]
			case 1:
				extra = "0/0" // one column too many
			case 2:
				if n > 1 {
					cols = cols[:n-1] // one too few
				}
			}
			head := fmt.Sprintf("1\t%d\t.\tG\t%s\t.\tPASS\t.\t", 100+l, strings.Join(alts, ","))
			gt.WriteString(head + "GT\t" + strings.Join(cols, "\t"))
			gtdp.WriteString(head + "GT:DP\t" + strings.Join(cols, ":7\t") + ":7")
			if extra != "" {
				gt.WriteString("\t" + extra)
				gtdp.WriteString("\t" + extra + ":7")
			}
			gt.WriteString("\n")
			gtdp.WriteString("\n")
		}
		vf := &vcfFile{path: "t.vcf", hdr: &vcfHeader{samples: names, nCols: 9 + n}, assembly: "GRCh37"}
		parse := func(text string) *vcfChunk {
			c := &vcfChunk{data: []byte(text), firstLine: 10}
			newVCFParser(vf, "d", true).parseChunk(c)
			return c
		}
		a, b := parse(gt.String()), parse(gtdp.String())
		if len(a.bad) != len(b.bad) {
			for _, e := range a.bad {
				t.Log("GT", e, strings.Split(gt.String(), "\n")[e.Line-10])
			}
			for _, e := range b.bad {
				t.Log("GT:DP", e)
			}
		}
		if len(a.variants) != len(b.variants) || len(a.bad) != len(b.bad) || a.calls != b.calls {
			t.Fatalf("round %d: GT %d variants, %d bad, %d calls; GT:DP %d, %d, %d", round, len(a.variants), len(a.bad), a.calls, len(b.variants), len(b.bad), b.calls)
		}
		for i, e := range a.bad {
			f := b.bad[i]
			// An invalid genotype is quoted with its sub-fields in the GT:DP form.
			if e.Line != f.Line || strings.ReplaceAll(f.Msg, ":7", "") != e.Msg {
				t.Errorf("round %d: bad line %d %q, GT:DP %d %q", round, e.Line, e.Msg, f.Line, f.Msg)
			}
		}
		for i, v := range a.variants {
			w := b.variants[i]
			if v.ID != w.ID || a.meta[i] != b.meta[i] || !sameBits(v.CarrierBits, w.CarrierBits) || len(v.Zygosity) != len(w.Zygosity) {
				t.Fatalf("round %d: %s (line %d) differs from %s: carriers %v, %v", round, v.ID, a.meta[i].line, w.ID, v.CarrierBits, w.CarrierBits)
			}
			for j, z := range v.Zygosity {
				if y := w.Zygosity[j]; z.ID != y.ID || !z.Bits.Equals(y.Bits) {
					t.Fatalf("round %d: %s zygosity %s %v, GT:DP %s %v", round, v.ID, z.ID, z.Bits, y.ID, y.Bits)
				}
			}
			if got, want := calledOf(v), calledOf(w); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("round %d: %s called alleles %v, GT:DP %v", round, v.ID, got, want)
			}
		}
	}
}

func sameBits(a, b *roaring.Bitmap) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equals(b)
}
