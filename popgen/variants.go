package popgen

import (
	"math/rand/v2"
)

// variantKind is the kind of a generated variant.
type variantKind uint8

const (
	kindSNV   variantKind = iota
	kindDel               // small deletion, VCF-anchored: ref "AT", alt "A"
	kindIns               // small insertion, VCF-anchored: ref "A", alt "AT"
	kindSVDel             // structural deletion, 1-100 kb, symbolic alleles
	kindSVDup             // structural duplication, 1-100 kb, symbolic alleles
)

// Per mille of each kind: 90% SNVs, 5% deletions, 4% insertions, 0.6% SV
// deletions, 0.4% SV duplications.
const (
	permilleSNV   = 900
	permilleDel   = 50
	permilleIns   = 40
	permilleSVDel = 6
)

// zygosity of a carrier's genotype.
type zygosity uint8

const (
	zygHet  zygosity = iota // 0/1
	zygHom                  // 1/1
	zygHemi                 // 1 (male X)
)

// variant is one generated variant with its genotypes: the seam between the
// generator and the output formats (bff.go writes it as BFF, vcf.go as VCF,
// from the same stream). Its slices are reused: they are valid until the next call to
// variantStream.next.
type variant struct {
	chrom *chromosome
	// pos is the VCF POS (1-based): the first reference base for small
	// variants, the anchor base before the event for SVs.
	pos int64
	// start and end are the 0-based half-open interval written to BFF:
	// SNV [pos-1, pos); small indel [pos-1, pos-1+len(ref)); SV [pos, pos+svLen),
	// the affected bases without the anchor, i.e. VCF POS+1..END 1-based with
	// END = pos+svLen (so BFF start = POS and BFF end = END for SVs).
	start, end int64
	kind       variantKind
	svLen      int64
	// ref and alt are the VCF alleles of small variants. For SVs both are
	// "N" (the BFF form; the VCF writes the anchor base at pos as REF and
	// <DEL>/<DUP> as ALT, with SVTYPE, END and SVLEN).
	ref, alt []byte
	genes    []*Gene // genes overlapping [start, end)
	effect   term
	aaChange []byte // e.g. "V158M" for missense, "R12*" for stop_gained
	protLen  int64  // length of the protein aaChange is on, with aaChange
	af       float64
	carriers []int32 // sample indexes, ascending
	zyg      []zygosity
	ac, an   int // alternate allele count, allele number
}

// variantStream generates the variants of a plan in chromosome then
// position order (strictly increasing POS within a chromosome). Each
// chromosome has its own random stream.
type variantStream struct {
	p      *plan
	ci     int // current chromosome, index into p.chroms
	i, n   int // next variant of the chromosome, variants on it
	pcg    *rand.PCG
	r      *rand.Rand
	genes  []*Gene
	segs   []segment
	si     int
	vtotal int64
	prev   int64 // POS of the previous variant
	pmin   float64
	qpow   [65]float64
	v      variant
}

func newVariantStream(p *plan) *variantStream {
	return &variantStream{p: p, ci: -1, pmin: 1 / float64(2*len(p.samples))}
}

// next returns the next variant, or nil after the last one.
func (s *variantStream) next() *variant {
	for s.i >= s.n {
		s.ci++
		if s.ci >= len(s.p.chroms) {
			return nil
		}
		s.startChromosome()
	}
	s.draw()
	s.i++
	return &s.v
}

func (s *variantStream) startChromosome() {
	c := &s.p.chroms[s.ci]
	s.i, s.n = 0, s.p.counts[s.ci]
	s.pcg = newPCG(s.p.cfg.Seed, streamVariants+uint64(c.order))
	s.r = rand.New(s.pcg)
	s.genes = genesOn(c.name)
	s.segs, s.vtotal = layout(c, s.genes, s.n)
	s.si, s.prev = 0, 0
	s.v.chrom = c
}

// uniform returns a uniform float64 in [0, 1) from the chromosome's stream.
func (s *variantStream) uniform() float64 {
	return float64(s.pcg.Uint64()>>11) * 0x1p-53
}

func (s *variantStream) draw() {
	v, c, r := &s.v, s.v.chrom, s.r

	// Position: one variant per equal slice of virtual space, mapped to the
	// chromosome (genes get a larger share), kept strictly increasing.
	n, i := int64(s.n), int64(s.i)
	lo, hi := i*s.vtotal/n, (i+1)*s.vtotal/n
	x := lo
	if hi > lo {
		x += r.Int64N(hi - lo)
	}
	for s.si+1 < len(s.segs) && x >= s.segs[s.si+1].vstart {
		s.si++
	}
	seg := &s.segs[s.si]
	pos := seg.start0 + (x-seg.vstart)*seg.length/seg.vlen + 1
	pos = min(max(pos, s.prev+1), c.length)
	s.prev = pos

	v.pos, v.svLen = pos, 0
	v.ref, v.alt, v.aaChange, v.genes = v.ref[:0], v.alt[:0], v.aaChange[:0], v.genes[:0]
	v.protLen = 0
	switch k := r.IntN(1000); {
	case k < permilleSNV:
		v.kind = kindSNV
	case k < permilleSNV+permilleDel:
		v.kind = kindDel
	case k < permilleSNV+permilleDel+permilleIns:
		v.kind = kindIns
	case k < permilleSNV+permilleDel+permilleIns+permilleSVDel:
		v.kind = kindSVDel
	default:
		v.kind = kindSVDup
	}
	switch v.kind {
	case kindDel:
		l := int64(1 + r.IntN(1+r.IntN(10))) // 1-10 deleted bases, mostly short
		if pos+l > c.length {
			v.kind = kindSNV
			break
		}
		for p := pos; p <= pos+l; p++ {
			v.ref = append(v.ref, refBase(c.order, p))
		}
		v.alt = append(v.alt, v.ref[0])
		v.start, v.end = pos-1, pos-1+l+1
	case kindIns:
		l := 1 + r.IntN(1+r.IntN(10))
		v.ref = append(v.ref, refBase(c.order, pos))
		v.alt = append(v.alt, v.ref[0])
		for range l {
			v.alt = append(v.alt, "ACGT"[r.IntN(4)])
		}
		v.start, v.end = pos-1, pos
	case kindSVDel, kindSVDup:
		u := s.uniform()
		l := 1000 + int64(99000*float64(u*u)*u) // 1-100 kb, mostly short
		l = min(l, c.length-pos)
		if l < 1 {
			v.kind = kindSNV
			break
		}
		v.svLen = l
		v.ref = append(v.ref, 'N')
		v.alt = append(v.alt, 'N')
		v.start, v.end = pos, pos+l
	}
	if v.kind == kindSNV {
		b := refBase(c.order, pos)
		v.ref = append(v.ref, b)
		v.alt = append(v.alt, mutate(b, r))
		v.start, v.end = pos-1, pos
	}

	for _, g := range s.genes {
		if v.start < g.End && v.end > g.Start-1 {
			v.genes = append(v.genes, g)
		}
	}
	s.annotate()
	s.genotypes(s.drawAF())
}

// mutate returns an alternate base for b: transitions twice as often as
// transversions.
func mutate(b byte, r *rand.Rand) byte {
	if r.IntN(3) < 2 {
		switch b {
		case 'A':
			return 'G'
		case 'G':
			return 'A'
		case 'C':
			return 'T'
		default:
			return 'C'
		}
	}
	if b == 'A' || b == 'G' {
		return "CT"[r.IntN(2)]
	}
	return "AG"[r.IntN(2)]
}

// annotate sets the molecular effect and amino-acid change.
func (s *variantStream) annotate() {
	v, r := &s.v, s.r
	switch {
	case v.kind == kindSVDel:
		v.effect = soCopyNumLoss
	case v.kind == kindSVDup:
		v.effect = soCopyNumGain
	case len(v.genes) == 0:
		v.effect = soIntergenic
	case v.kind == kindSNV:
		v.effect = pickWeighted(snvGenicEffect, r.IntN(totalWeight(snvGenicEffect)))
		if v.effect == soMissense || v.effect == soStopGained {
			g := v.genes[0]
			protLen := min(max((g.End-g.Start+1)/40, 100), 3500)
			v.protLen = protLen
			from := aminoAcids[r.IntN(len(aminoAcids))]
			v.aaChange = append(v.aaChange, from)
			v.aaChange = appendInt(v.aaChange, 1+r.Int64N(protLen))
			if v.effect == soStopGained {
				v.aaChange = append(v.aaChange, '*')
			} else {
				to := aminoAcids[r.IntN(len(aminoAcids)-1)]
				if to == from {
					to = aminoAcids[len(aminoAcids)-1]
				}
				v.aaChange = append(v.aaChange, to)
			}
		}
	default: // small indel in a gene
		l := len(v.ref) + len(v.alt) - 2 // bases inserted or deleted
		switch {
		case r.IntN(100) < 60:
			v.effect = soIntron
		case l%3 != 0:
			v.effect = soFrameshift
		case v.kind == kindDel:
			v.effect = soInframeDel
		default:
			v.effect = soInframeIns
		}
	}
}

// drawAF draws a population allele frequency from a skewed spectrum. Only
// products and sums are used (u^6, u^2), so it is exact on every platform.
func (s *variantStream) drawAF() float64 {
	u := s.uniform()
	u2 := u * u
	switch k := s.uniform(); {
	case k < 0.80: // rare: [1/2N, 1%), mostly near 1/2N
		span := max(0.01-s.pmin, 0)
		return s.pmin + float64(span*float64(u2*u2)*u2)
	case k < 0.92: // low frequency: [1%, 5%)
		return 0.01 + float64(0.04*u2)
	default: // common: [5%, 90%)
		return 0.05 + float64(0.85*u2)
	}
}

// genotypes draws every sample's genotype under Hardy-Weinberg equilibrium
// for allele frequency p: carrier probability pc = 1-(1-p)² = 2p-p², and a
// carrier is homozygous with probability p²/pc = p/(2-p). On chromosome X a
// male (one X) carries the allele with probability p (hemizygous); he is
// drawn as a pc candidate and kept with probability p/pc = 1/(2-p).
//
// Samples are scanned in blocks of 64: one draw decides whether a block has
// any candidate (probability 1-(1-pc)^m), and only such blocks are scanned
// sample by sample, the first candidate drawn conditionally on there being
// one. The cost is O(N/64 + 64·carriers) draws per variant, and the result
// has exactly the per-sample Bernoulli distribution.
//
// A variant that gets no carrier is given one (a random sample, het or
// hemizygous), so every variant is observed in the dataset.
func (s *variantStream) genotypes(p float64) {
	v := &s.v
	v.carriers, v.zyg = v.carriers[:0], v.zyg[:0]
	samples := s.p.samples
	x := v.chrom.x
	pc := float64(2*p) - float64(p*p)
	pHom := p / (2 - p)
	keepMale := 1 / (2 - p)
	q := 1 - pc
	s.qpow[0] = 1
	for k := 1; k < len(s.qpow); k++ {
		s.qpow[k] = float64(s.qpow[k-1] * q) // conversion: never fused into a later add
	}
	for b := 0; b < len(samples); b += 64 {
		m := min(64, len(samples)-b)
		if s.uniform() < s.qpow[m] {
			continue // no candidate in this block
		}
		found := false
		for j := range m {
			u := s.uniform()
			if found {
				if u >= pc {
					continue
				}
			} else if j < m-1 && u*(1-s.qpow[m-j]) >= pc {
				// P(candidate at j | at least one in j..m-1) = pc / (1-q^(m-j));
				// the last sample of the block is then certain.
				continue
			}
			found = true
			idx := b + j
			z := zygHet
			switch {
			case x && samples[idx].xCopies == 1:
				if s.uniform() >= keepMale {
					continue
				}
				z = zygHemi
			case s.uniform() < pHom:
				z = zygHom
			}
			v.carriers = append(v.carriers, int32(idx))
			v.zyg = append(v.zyg, z)
		}
	}
	if len(v.carriers) == 0 {
		idx := s.r.IntN(len(samples))
		z := zygHet
		if x && samples[idx].xCopies == 1 {
			z = zygHemi
		}
		v.carriers = append(v.carriers, int32(idx))
		v.zyg = append(v.zyg, z)
	}
	v.ac = 0
	for _, z := range v.zyg {
		if z == zygHom {
			v.ac += 2
		} else {
			v.ac++
		}
	}
	v.an = 2 * len(samples)
	if x {
		v.an = s.p.xAlleles
	}
	v.af = float64(v.ac) / float64(v.an)
}
