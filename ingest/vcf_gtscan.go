package ingest

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// SWAR (SIMD within a register) scan of GT-only sample columns for calls without an ALT
// allele, 8 bytes at a time, whatever their ploidy or missing alleles. Such text alternates
// strictly between an allele byte ('0' or '.') and a separator ('/', '|' or the tab that
// ends the call): "0|0\t0\t./.\t0/0\t". The pair compare in genotypes is cheaper but only
// matches runs of one diploid form; this one takes over where it fails (male X/Y calls mixed
// with diploid ones, missing calls), so the per-byte parser only sees carriers and oddities.

const (
	swarLow  = 0x0101010101010101
	swarHigh = 0x8080808080808080
	swarLow7 = 0x7f7f7f7f7f7f7f7f
	// High bits of the bytes at even (an allele) and odd (a separator) offsets of a word
	// that starts at a call.
	swarEven = 0x0080008000800080
	swarOdd  = 0x8000800080008000
	// All bits, and the lowest bit, of the bytes at odd offsets; the lowest bit of the
	// bytes at even offsets.
	swarOddBytes = 0xff00ff00ff00ff00
	swarOddLow   = 0x0100010001000100
	swarEvenLow  = 0x0001000100010001
)

// swarZero sets the high bit of exactly the zero bytes of x (no carries between bytes).
func swarZero(x uint64) uint64 {
	return ^((x&swarLow7 + swarLow7) | x) & swarHigh
}

// skipNoAltCalls skips the calls without an ALT allele from s[i:], which must start a call
// of a GT-only column, a word at a time, and returns where the first other call (or the
// last 8 bytes of s) begins and the calls skipped. It leaves at least one call of the n
// left for the caller: the last column is checked for the end of the line.
func skipNoAltCalls(s []byte, i, n int) (int, int) {
	skipped := 0
	// 32 bytes at a time while they are all such calls of '0' alleles: calls of one or two
	// one-character alleles are 2 or 4 bytes long, so every word of the block starts at
	// an even offset from a call and can be checked on its own.
	for i+32 <= len(s) {
		t0, ok := refTabs(binary.LittleEndian.Uint64(s[i:]))
		if !ok {
			break
		}
		t1, ok1 := refTabs(binary.LittleEndian.Uint64(s[i+8:]))
		t2, ok2 := refTabs(binary.LittleEndian.Uint64(s[i+16:]))
		t3, ok3 := refTabs(binary.LittleEndian.Uint64(s[i+24:]))
		if !ok1 || !ok2 || !ok3 {
			break
		}
		nc := bits.OnesCount64(t0) + bits.OnesCount64(t1) + bits.OnesCount64(t2) + bits.OnesCount64(t3)
		if skipped+nc >= n {
			break
		}
		last := lastTab(t0, t1, t2, t3)
		if last < 0 {
			return i, skipped // no tab in 32 bytes: not such calls
		}
		i += last + 1
		skipped += nc
	}
	for i+8 <= len(s) {
		x := binary.LittleEndian.Uint64(s[i:])
		if x == homRefPairUnphased || x == homRefPairPhased {
			// The common case first, at the cost of one compare.
			if skipped+2 >= n {
				break
			}
			i += 8
			skipped += 2
			continue
		}
		if tabs, ok := refTabs(x); ok {
			nc := bits.OnesCount64(tabs)
			if nc == 0 || skipped+nc >= n {
				break
			}
			i += (63-bits.LeadingZeros64(tabs))/8 + 1
			skipped += nc
			continue
		}
		tab := swarZero(x ^ '\t'*swarLow)
		okEven := (swarZero(x^'0'*swarLow) | swarZero(x^'.'*swarLow)) & swarEven
		okOdd := (tab | swarZero(x^'/'*swarLow) | swarZero(x^'|'*swarLow)) & swarOdd
		tabs := tab & swarOdd
		bad := (okEven | okOdd) ^ swarHigh
		if bad != 0 {
			tabs &= bad&-bad - 1 // the tabs before the first byte that is not of such a call
		}
		nc := bits.OnesCount64(tabs)
		if nc == 0 || skipped+nc >= n {
			break
		}
		i += (63-bits.LeadingZeros64(tabs))/8 + 1
		skipped += nc
		if bad != 0 {
			break
		}
	}
	return i, skipped
}

// lastTab returns the offset of the last tab in a 32-byte block whose words' tabs (as
// refTabs gives them) are t0 to t3, -1 when it has none (the shift of 63-64 keeps the sign).
func lastTab(t0, t1, t2, t3 uint64) int {
	switch {
	case t3 != 0:
		return 24 + (63-bits.LeadingZeros64(t3))>>3
	case t2 != 0:
		return 16 + (63-bits.LeadingZeros64(t2))>>3
	case t1 != 0:
		return 8 + (63-bits.LeadingZeros64(t1))>>3
	}
	return (63 - bits.LeadingZeros64(t0)) >> 3
}

// refTabs checks that x, 8 bytes from an even offset of a call, holds only '0' alleles
// and separators of one kind besides tabs (a haploid/diploid mix like male X calls, or
// hom-ref calls), and returns the lowest bit of its tab bytes. The odd bytes xor tab are 0
// (a tab) or the separator xor tab, both of which have bit 2 set.
func refTabs(x uint64) (uint64, bool) {
	if x&^swarOddBytes != '0'*swarEvenLow {
		return 0, false
	}
	v := (x ^ '\t'*swarLow) & swarOddBytes
	sep := v >> 2 & swarOddLow
	if v != sep*('|'^'\t') && v != sep*('/'^'\t') {
		return 0, false
	}
	return sep ^ swarOddLow, true
}

// shortAllele reads a one-character allele: '.' is missing (-1).
func shortAllele(c byte) (int32, bool) {
	switch {
	case c == '.':
		return -1, true
	case lexical.IsDigit(c):
		return int32(c - '0'), true
	}
	return 0, false
}

// shortCall reads the call at s[i:] of a GT-only column when it has the usual form, "a/b",
// "a|b" or "a" with one-character alleles, followed by a tab (the last column is left to
// the per-byte parser, which checks the end of the line), and keeps it in p.calls when it
// has an ALT allele. It returns the bytes read with the tab (0 for another form), or what is
// wrong.
func (p *vcfParser) shortCall(s []byte, i, si, nAlt int) (int, string) {
	var a0, a1 int32 = -1, -1
	var ploidy int32
	var n int
	switch {
	case i+3 < len(s) && s[i+3] == '\t' && (s[i+1] == '/' || s[i+1] == '|'):
		var ok0, ok1 bool
		a0, ok0 = shortAllele(s[i])
		a1, ok1 = shortAllele(s[i+2])
		if !ok0 || !ok1 {
			return 0, ""
		}
		ploidy, n = 2, 4
	case i+1 < len(s) && s[i+1] == '\t':
		var ok bool
		if a0, ok = shortAllele(s[i]); !ok {
			return 0, ""
		}
		ploidy, n = 1, 2
	default:
		return 0, ""
	}
	if called := ploidy - missingAlleles(a0) - missingAlleles(a1)*(ploidy-1); called != 2 {
		p.noteCalled(si, called)
	}
	if a0 <= 0 && a1 <= 0 {
		return n, ""
	}
	for _, a := range [2]int32{a0, a1} {
		if int(a) > nAlt {
			return 0, fmt.Sprintf("sample %s: GT allele %d out of range (the line has %d ALT alleles)", p.f.hdr.samples[si], a, nAlt)
		}
	}
	p.calls = append(p.calls, gtCall{sample: int32(si), ploidy: ploidy, a0: a0, a1: a1})
	return n, ""
}
