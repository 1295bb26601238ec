package ingest

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// Called alleles: an allele number needs, beside the carriers, every sample's number of
// called alleles (release.CalledSet). The genotype scan notes the calls that have other
// than two: the haploid ones as bits of vcfParser.haploid (every male on every line of
// chromosome X, too many to list one by one), the others (no-calls, "0/.", triploid) in
// sample order in vcfParser.called. The common line, all diploid and called, notes nothing
// and costs a length check per skipped run of calls.

// calledCall is a sample whose call has alleles called alleles, a number other than 2.
type calledCall struct {
	sample, alleles int32
}

// noteCalled notes that sample si's call has alleles called alleles, a number other than 2.
func (p *vcfParser) noteCalled(si int, alleles int32) {
	if alleles == 1 {
		p.noteHaploid(si)
		return
	}
	p.called = append(p.called, calledCall{sample: int32(si), alleles: alleles})
}

// noteHaploid notes that sample si's call has one called allele.
func (p *vcfParser) noteHaploid(si int) {
	if p.haploid == nil {
		p.haploid = make([]uint64, (p.nSamples+63)/64)
	}
	p.haploid[si/64] |= 1 << (si % 64)
	p.anyHaploid = true
}

// resetCalled forgets the calls noted for the previous line.
func (p *vcfParser) resetCalled() {
	p.called = p.called[:0]
	if p.anyHaploid {
		clear(p.haploid)
		p.anyHaploid = false
	}
}

// missingAlleles is 1 for a missing allele (-1), else 0.
func missingAlleles(a int32) int32 {
	if a < 0 {
		return 1
	}
	return 0
}

// noteRefSpan notes the calls of span, nc calls without an ALT allele from sample si on
// that skipNoAltCalls skipped ('0' or '.' alleles, one byte each, each call ending in a
// tab), that have other than two called alleles.
func (p *vcfParser) noteRefSpan(span []byte, si, nc int) {
	if bytes.IndexByte(span, '.') < 0 {
		if len(span) == 4*nc && allDiploid(span) {
			return
		}
		p.noteOtherPloidies(span, si)
		return
	}
	var called int32
	for _, c := range span {
		switch c {
		case '0':
			called++
		case '\t':
			if called != 2 {
				p.noteCalled(si, called)
			}
			si++
			called = 0
		}
	}
}

// skipRefCalls skips the calls without an ALT allele from s[i:], sample si's on, as
// skipNoAltCalls does (n calls are left on the line, the last one is kept), and notes those
// that do not have two called alleles. Its 32-byte blocks of '0' calls, which on
// chromosome X hold the males' haploid calls, are read once for both: the tabs refTabs
// finds give each word's wordCalls entry. What they stop at is skipNoAltCalls' and
// noteRefSpan's. It returns where it stopped and the calls skipped.
func (p *vcfParser) skipRefCalls(s []byte, i, si, n int) (int, int) {
	if p.haploid == nil {
		p.haploid = make([]uint64, (p.nSamples+63)/64)
	}
	first := si
	hb := newHaploidBits(si)
	for i+32 <= len(s) {
		t0, ok0 := refTabs(binary.LittleEndian.Uint64(s[i:]))
		t1, ok1 := refTabs(binary.LittleEndian.Uint64(s[i+8:]))
		t2, ok2 := refTabs(binary.LittleEndian.Uint64(s[i+16:]))
		t3, ok3 := refTabs(binary.LittleEndian.Uint64(s[i+24:]))
		if !ok0 || !ok1 || !ok2 || !ok3 || t3|t2|t1|t0 == 0 {
			break
		}
		// A block starts at a call, after a tab: offset -1 is the previous word's 7.
		n0, n1, n2, n3 := gatherNibble(t0>>8), gatherNibble(t1>>8), gatherNibble(t2>>8), gatherNibble(t3>>8)
		e0, e1, e2, e3 := wordCalls[2<<4|n0], wordCalls[n0>>2<<4|n1], wordCalls[n1>>2<<4|n2], wordCalls[n2>>2<<4|n3]
		if (e0|e1|e2|e3)&wordOther != 0 {
			break
		}
		c0, c1, c2 := uint(e0>>4&7), uint(e1>>4&7), uint(e2>>4&7)
		nc := int(c0+c1+c2) + int(e3>>4&7)
		if si-first+nc >= n {
			break
		}
		hb.add(uint64(e0&15)|uint64(e1&15)<<c0|uint64(e2&15)<<(c0+c1)|uint64(e3&15)<<(c0+c1+c2), si)
		i += lastTab(t0, t1, t2, t3) + 1 // the block has a tab (checked above)
		si += nc
		hb.next(p, si) // at most 16 calls a block
	}
	hb.flush(p)
	j, nc := skipNoAltCalls(s, i, n-(si-first))
	if nc > 0 {
		p.noteRefSpan(s[i:j], si, nc)
	}
	return j, si - first + nc
}

// allDiploid reports whether span, calls of one-byte alleles and separators 4*nc bytes
// long, is nc calls of two alleles: a tab ends every fourth byte.
func allDiploid(span []byte) bool {
	for k := 3; k < len(span); k += 4 {
		if span[k] != '\t' {
			return false
		}
	}
	return true
}

// noteOtherPloidies notes the calls of span, calls of '0' alleles only (no '.'), that do not
// have two alleles, a word at a time: on chromosome X every male's haploid "0" is such a
// call, half the samples of every line, which a loop over each byte made the costliest
// part of the parse. Every call starts at an even offset of span (one-byte alleles and
// separators alternate), so a call ending at the tab at offset k is haploid when there is
// a tab at k-2 (or k is 1), diploid when the tab before it is at k-4: a word's four odd
// bytes and the previous word's last two index a table of its calls (wordCalls). Only the
// rest (three alleles or more) are counted byte by byte.
func (p *vcfParser) noteOtherPloidies(span []byte, si int) {
	if p.haploid == nil {
		p.haploid = make([]uint64, (p.nSamples+63)/64)
	}
	hb := newHaploidBits(si)
	// The tab nibble's offsets 5 and 7 of the previous word (wordCalls' index); the first
	// call is preceded by a tab at offset -1, byte 7 of the word before span.
	prev2 := uint8(2)
	for i := 0; i < len(span); i += 8 {
		var x uint64
		if i+8 <= len(span) {
			x = binary.LittleEndian.Uint64(span[i:])
		} else {
			w := [8]byte{'0', '0', '0', '0', '0', '0', '0', '0'} // not tabs
			copy(w[:], span[i:])
			x = binary.LittleEndian.Uint64(w[:])
		}
		nib := tabNibble(x)
		e := wordCalls[prev2<<4|nib]
		hb.add(uint64(e&15), si)
		if e&wordOther != 0 {
			p.noteLongCalls(span, i, si, nib, prev2)
		}
		si += int(e >> 4 & 7)
		prev2 = nib >> 2
		hb.next(p, si) // at most 4 calls a word
	}
	hb.flush(p)
}

// tabNibble gathers which of bytes 1, 3, 5 and 7 of x, a word of '0' alleles and separators
// from an even offset of a call, are tabs into bits 0-3: of those bytes only a tab has bit
// 5 clear ('/' and '|' have it set).
func tabNibble(x uint64) uint8 {
	return gatherNibble((^x & 0x2000200020002000) >> 13)
}

// gatherNibble moves bits 0, 16, 32 and 48 of t (the others clear) to bits 0-3 with one
// multiply: the shifted copies land on distinct bits, so nothing carries into 48-51.
func gatherNibble(t uint64) uint8 {
	return uint8(t*(1<<48|1<<33|1<<18|1<<3)>>48) & 15
}

// wordOther marks a wordCalls entry whose word ends a call of three alleles or more.
const wordOther = 0x80

// wordCalls[p<<4|t], for the tabs t of a word (as tabNibble gives them) and p, the tabs at
// offsets 5 and 7 of the word before (t>>2 of it), describes the calls that end in the word:
// bit r of 0-3 set when its r-th call is haploid (a tab 2 bytes before its tab), bits 4-6
// the number of calls, wordOther when one is neither haploid nor diploid (no tab 4 bytes
// before either).
var wordCalls = func() (c [64]uint8) {
	for p := range 4 {
		for t := range 16 {
			// Tabs by bit: the previous word's offsets 5 and 7 at bits 0 and 1 (-3 and -1
			// from this word), this word's 1, 3, 5 and 7 at bits 2-5; a bit is 2 bytes.
			all := p | t<<2
			r := 0
			for b := range 4 {
				if t>>b&1 == 0 {
					continue
				}
				at := b + 2
				switch {
				case all>>(at-1)&1 != 0:
					c[p<<4|t] |= 1 << r
				case all>>(at-2)&1 == 0:
					c[p<<4|t] |= wordOther
				}
				r++
			}
			c[p<<4|t] |= uint8(r) << 4
		}
	}
	return c
}()

// noteLongCalls notes the calls of three alleles or more that end in the word of span at i
// (tabs nib, the previous word's prev2, as wordCalls reads them), counting their alleles
// back to the tab before: si is the sample of the word's first call.
func (p *vcfParser) noteLongCalls(span []byte, i, si int, nib, prev2 uint8) {
	all := int(prev2) | int(nib)<<2
	r := 0
	for b := range 4 {
		if nib>>b&1 == 0 {
			continue
		}
		if at := b + 2; all>>(at-1)&1 == 0 && all>>(at-2)&1 == 0 {
			k := i + 2*b + 1
			j := k - 2
			for j >= 0 && span[j] != '\t' {
				j -= 2
			}
			p.called = append(p.called, calledCall{sample: int32(si + r), alleles: int32((k - j) / 2)})
		}
		r++
	}
}

// haploidBits gathers the haploid calls of a span, bit r for sample base+r in acc and the
// next 64 samples in spill, and stores them in p.haploid once per 64 samples: a
// read-modify-write of the slice for every word cost as much as reading the word.
type haploidBits struct {
	base       int
	acc, spill uint64
}

func newHaploidBits(si int) haploidBits { return haploidBits{base: si &^ 63} }

// add notes the samples of run's bits, bit r for sample si+r (si below base+64).
func (h *haploidBits) add(run uint64, si int) {
	off := uint(si - h.base)
	h.acc |= run << off
	h.spill |= run >> (64 - off) // 0 when off is 0: Go's shifts of 64 give 0
}

// next stores the 64 samples from base once si, the next call's sample, is past them; a
// step (a word, a block) adds at most 16 calls, so base+64 <= si < base+128 then.
func (h *haploidBits) next(p *vcfParser, si int) {
	if si-h.base >= 64 {
		p.flushHaploid(h.base, h.acc)
		h.base, h.acc, h.spill = h.base+64, h.spill, 0
	}
}

// flush stores what is left.
func (h *haploidBits) flush(p *vcfParser) {
	p.flushHaploid(h.base, h.acc)
	if h.spill != 0 {
		p.flushHaploid(h.base+64, h.spill)
	}
}

// flushHaploid notes the samples of the bits of run (bit r for sample base+r, base a
// multiple of 64) as having one called allele.
func (p *vcfParser) flushHaploid(base int, run uint64) {
	if run != 0 {
		p.haploid[base/64] |= run
		p.anyHaploid = true
	}
}

// setCalls marks v genotyped and sets its called-allele sets from the line's calls, as
// dataset sample indexes: the samples of the run's other VCFs have no call on this line
// (0 alleles; a merge of the same variant from several files puts them back, see
// mergeCalls). The sets and their stored value are the last line's while the calls are the
// same: shared by those variants, never changed once built.
func (p *vcfParser) setCalls(v *release.Variant) {
	v.Genotyped, v.CalledAlleles, v.CallsValue = p.haveGT, nil, nil
	if !p.haveGT {
		return // no GT: nothing is known of the calls
	}
	if p.lastSets == nil || !slices.Equal(p.called, p.lastCalled) || !slices.Equal(p.haploid, p.lastHaploid) {
		p.lastCalled = append(p.lastCalled[:0], p.called...)
		p.lastHaploid = append(p.lastHaploid[:0], p.haploid...)
		p.lastSets = p.calledSets()
		// An error (none is expected: no set of 2 alleles) is the writer's to report.
		p.lastValue, _ = release.AppendCalls(nil, p.lastSets)
	}
	if len(p.lastSets) == 0 {
		return
	}
	v.CalledAlleles, v.CallsValue = p.lastSets, p.lastValue
}

// calledSets builds the called-allele sets of the line's calls, run-optimised as the
// release writer stores them. setCalls keeps the last ones and gives them to each variant:
// the same samples are haploid on every line of chromosome X (the males), and building
// their bitmap one Add at a time, then run-optimising it, cost more than parsing the line.
func (p *vcfParser) calledSets() []release.CalledSet {
	base := p.f.sampleBase
	sets := []release.CalledSet{}
	set := func(alleles uint32) *roaring.Bitmap {
		for i := range sets {
			if sets[i].Alleles == alleles {
				return sets[i].Bits
			}
		}
		sets = append(sets, release.CalledSet{Alleles: alleles, Bits: roaring.New()})
		return sets[len(sets)-1].Bits
	}
	for _, c := range p.called {
		set(uint32(c.alleles)).Add(base + uint32(c.sample))
	}
	for w, word := range p.haploid {
		for ; word != 0; word &= word - 1 {
			set(1).Add(base + uint32(w*64+bits.TrailingZeros64(word)))
		}
	}
	if end := base + uint32(p.nSamples); base > 0 || end < p.f.runSamples {
		z := set(0)
		z.AddRange(0, uint64(base))
		z.AddRange(uint64(end), uint64(p.f.runSamples))
	}
	slices.SortFunc(sets, func(a, b release.CalledSet) int { return int(a.Alleles) - int(b.Alleles) })
	for _, s := range sets {
		s.Bits.RunOptimize()
	}
	return sets
}

// mergeCalls sets the calls of v, the merge of parts (copies of one variant from VCFs with
// disjoint samples): a sample has no call when no part calls it (each part has the samples
// of the other files uncalled: the intersection), and its other counts come from the part
// of its file (the union).
func mergeCalls(v *release.Variant, parts []*release.Variant) {
	v.Genotyped, v.CalledAlleles, v.CallsValue = true, nil, nil
	var uncalled *roaring.Bitmap
	others := map[uint32]*roaring.Bitmap{}
	for _, p := range parts {
		if !p.Genotyped {
			v.Genotyped = false
			return
		}
		zero := roaring.New()
		for _, s := range p.CalledAlleles {
			if s.Alleles == 0 {
				zero = s.Bits
				continue
			}
			if others[s.Alleles] == nil {
				others[s.Alleles] = roaring.New()
			}
			others[s.Alleles].Or(s.Bits)
		}
		if uncalled == nil {
			uncalled = zero.Clone()
		} else {
			uncalled.And(zero)
		}
	}
	if uncalled != nil && !uncalled.IsEmpty() {
		v.CalledAlleles = append(v.CalledAlleles, release.CalledSet{Alleles: 0, Bits: uncalled})
	}
	for a, bm := range others {
		v.CalledAlleles = append(v.CalledAlleles, release.CalledSet{Alleles: a, Bits: bm})
	}
	slices.SortFunc(v.CalledAlleles, func(a, b release.CalledSet) int { return int(a.Alleles) - int(b.Alleles) })
}
