package ingest

import (
	"bytes"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// Called alleles: an allele number needs, beside the carriers, every sample's number of
// called alleles (release.CalledSet). The genotype scan notes the calls that have other
// than two (haploid calls, no-calls, "0/."), in sample order, in vcfParser.called; the
// common line, all diploid and called, notes nothing and costs a length check per skipped
// run of calls.

// calledCall is a sample whose call has alleles called alleles, a number other than 2.
type calledCall struct {
	sample, alleles int32
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
	if len(span) == 4*nc && bytes.IndexByte(span, '.') < 0 {
		diploid := true
		for k := 3; k < len(span); k += 4 {
			if span[k] != '\t' {
				diploid = false
				break
			}
		}
		if diploid {
			return
		}
	}
	var called int32
	for _, c := range span {
		switch c {
		case '0':
			called++
		case '\t':
			if called != 2 {
				p.called = append(p.called, calledCall{sample: int32(si), alleles: called})
			}
			si++
			called = 0
		}
	}
}

// setCalls marks v genotyped and sets its called-allele sets from the line's calls, as
// dataset sample indexes: the samples of the run's other VCFs have no call on this line
// (0 alleles; a merge of the same variant from several files puts them back, see
// mergeCalls).
func (p *vcfParser) setCalls(v *release.Variant) {
	v.Genotyped, v.CalledAlleles = p.haveGT, nil
	if !p.haveGT {
		return // no GT: nothing is known of the calls
	}
	base := p.f.sampleBase
	var sets []release.CalledSet
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
	if end := base + uint32(p.nSamples); base > 0 || end < p.f.runSamples {
		z := set(0)
		z.AddRange(0, uint64(base))
		z.AddRange(uint64(end), uint64(p.f.runSamples))
	}
	slices.SortFunc(sets, func(a, b release.CalledSet) int { return int(a.Alleles) - int(b.Alleles) })
	v.CalledAlleles = sets
}

// mergeCalls sets the calls of v, the merge of parts (copies of one variant from VCFs with
// disjoint samples): a sample has no call when no part calls it (each part has the samples
// of the other files uncalled: the intersection), and its other counts come from the part
// of its file (the union).
func mergeCalls(v *release.Variant, parts []*release.Variant) {
	v.Genotyped, v.CalledAlleles = true, nil
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
