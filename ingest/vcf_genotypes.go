package ingest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// The genotype columns of a line: each sample's GT read, the carriers of an ALT kept.

// gtCall is the genotype of one sample that carries at least one ALT allele.
type gtCall struct {
	sample int32
	ploidy int32
	a0, a1 int32 // first two alleles, -1 = missing
	more   int32 // ploidy > 2: offset of all alleles in vcfParser.more
}

// Two hom-ref diploid calls of a GT-only FORMAT, as they sit in the line ("0/0\t0/0\t"):
// the genotype scanner skips runs of them with word comparisons, 8 or 2 calls at a time.
var (
	homRefPairUnphased = binary.LittleEndian.Uint64([]byte("0/0\t0/0\t"))
	homRefPairPhased   = binary.LittleEndian.Uint64([]byte("0|0\t0|0\t"))
)

// formatGT finds GT among the FORMAT keys: its index (-1 if absent) and the number of keys.
func formatGT(f []byte) (gt, n int) {
	gt = -1
	for k := range bytes.SplitSeq(f, []byte{':'}) {
		if gt < 0 && len(k) == 2 && k[0] == 'G' && k[1] == 'T' {
			gt = n
		}
		n++
	}
	return gt, n
}

// genotypes reads the GT of every sample column in s (the text after FORMAT) and keeps, in
// p.calls, the samples with at least one ALT allele. nAlt bounds the allele indexes; gtOnly
// says FORMAT is just "GT", which allows skipping hom-ref pairs 8 bytes at a time. It
// checks the number of columns too. It returns "" or what is wrong.
func (p *vcfParser) genotypes(s []byte, nAlt, gtIdx int, gtOnly bool) string {
	n := p.nSamples
	i, si := 0, 0
	// The hom-ref pair this line writes ("0/0\t0/0\t" or "0|0\t0|0\t").
	pair := homRefPairUnphased
	if len(s) > 1 && s[1] == '|' {
		pair = homRefPairPhased
	}
	for si < n {
		// Runs of hom-ref calls, 8 at a time; on a mismatch, the hom-ref calls before the
		// first byte that differs (4 bytes each) are skipped too, so the call at i is not
		// one (or is too near the end), and the pair compare below would fail.
		differs := false
		for gtOnly && si+8 < n && i+32 <= len(s) {
			w := s[i : i+32]
			x0, x1 := binary.LittleEndian.Uint64(w)^pair, binary.LittleEndian.Uint64(w[8:])^pair
			x2, x3 := binary.LittleEndian.Uint64(w[16:])^pair, binary.LittleEndian.Uint64(w[24:])^pair
			if x0|x1|x2|x3 == 0 {
				i += 32
				si += 8
				continue
			}
			var at int // the first byte that differs
			switch {
			case x0 != 0:
				at = bits.TrailingZeros64(x0) / 8
			case x1 != 0:
				at = 8 + bits.TrailingZeros64(x1)/8
			case x2 != 0:
				at = 16 + bits.TrailingZeros64(x2)/8
			default:
				at = 24 + bits.TrailingZeros64(x3)/8
			}
			i += at &^ 3
			si += at / 4
			differs = true
			break
		}
		if gtOnly && !differs && si+2 < n && i+8 <= len(s) {
			if w := binary.LittleEndian.Uint64(s[i:]); w == homRefPairUnphased || w == homRefPairPhased {
				i += 8
				si += 2
				continue
			}
		}
		// Other calls without an ALT allele (haploid, missing, mixed phasing), by words,
		// then one call of the usual forms, "a/b" or "a" with one-digit alleles. The last
		// column is left to the per-byte parser, which checks the column count.
		if gtOnly {
			if i < len(s) && (s[i] == '0' || s[i] == '.') {
				if j, nc := p.skipRefCalls(s, i, si, n-si); nc > 0 {
					i, si = j, si+nc
					continue
				}
			}
			if ok, msg := p.shortCall(s, i, si, nAlt); msg != "" {
				return msg
			} else if ok > 0 {
				i += ok
				si++
				continue
			}
		}
		// One sample column from i: find its GT sub-field.
		j := i
		if gtIdx > 0 {
			for skip := gtIdx; skip > 0; {
				if j >= len(s) || s[j] == '\t' {
					break // fewer sub-fields than FORMAT keys: GT not given
				}
				if s[j] == ':' {
					skip--
				}
				j++
			}
		}
		var a0, a1 int32 = -1, -1
		ploidy, missing := int32(0), int32(0)
		anyAlt := false
		moreAt := int32(len(p.more))
		if j < len(s) && s[j] != '\t' && s[j] != ':' {
			for {
				if j >= len(s) {
					return p.badGT(s, i, si)
				}
				var a int32
				switch c := s[j]; {
				case c == '.':
					a = -1
					missing++
					j++
				case lexical.IsDigit(c):
					for j < len(s) && lexical.IsDigit(s[j]) {
						a = a*10 + int32(s[j]-'0')
						if a > 1<<20 {
							return fmt.Sprintf("sample %s: GT allele index too large", p.f.hdr.samples[si])
						}
						j++
					}
					if int(a) > nAlt {
						return fmt.Sprintf("sample %s: GT allele %d out of range (the line has %d ALT alleles)", p.f.hdr.samples[si], a, nAlt)
					}
				default:
					return p.badGT(s, i, si)
				}
				ploidy++
				switch ploidy {
				case 1:
					a0 = a
				case 2:
					a1 = a
				case 3:
					p.more = append(p.more, a0, a1, a)
				default:
					p.more = append(p.more, a)
				}
				if a > 0 {
					anyAlt = true
				}
				if j < len(s) && (s[j] == '/' || s[j] == '|') {
					j++
					continue
				}
				break
			}
		}
		if j < len(s) && s[j] != '\t' {
			if s[j] != ':' {
				return p.badGT(s, i, si)
			}
			if k := bytes.IndexByte(s[j:], '\t'); k >= 0 {
				j += k
			} else {
				j = len(s)
			}
		}
		if called := ploidy - missing; called != 2 {
			p.noteCalled(si, called)
		}
		if anyAlt {
			call := gtCall{sample: int32(si), ploidy: ploidy, a0: a0, a1: a1}
			if ploidy > 2 {
				call.more = moreAt
			}
			p.calls = append(p.calls, call)
		} else if ploidy > 2 {
			p.more = p.more[:moreAt]
		}
		si++
		i = j + 1
		if j >= len(s) && si < n {
			return fmt.Sprintf("%d tab-separated columns, want %d (as the #CHROM line)", 9+si, p.f.hdr.nCols)
		}
	}
	if i <= len(s) {
		return fmt.Sprintf("%d tab-separated columns, want %d (as the #CHROM line)", 9+n+bytes.Count(s[i-1:], []byte{'\t'}), p.f.hdr.nCols)
	}
	return ""
}

func (p *vcfParser) badGT(s []byte, i, si int) string {
	end := bytes.IndexByte(s[i:], '\t')
	if end < 0 {
		end = len(s) - i
	}
	return fmt.Sprintf("sample %s: invalid genotype %q", p.f.hdr.samples[si], clip(s[i:i+end]))
}
