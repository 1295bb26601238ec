package ingest

import (
	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// carrierBitmaps sets v's carriers (p.carriers) and, per zygosity met (zyg, with their
// samples in p.zygSamples), its zygosity sets. One zygosity for all carriers (always so for
// one sample) shares the carrier bitmap.
func (p *vcfParser) carrierBitmaps(v *release.Variant, zyg []*zygosity) {
	v.CarrierBits = p.bitmapOf(p.carriers)
	v.Zygosity = make([]release.ZygositySet, len(zyg))
	for j, z := range zyg {
		bm := v.CarrierBits
		if len(zyg) > 1 {
			bm = p.bitmapOf(p.zygSamples[j])
		}
		v.Zygosity[j] = release.ZygositySet{ID: z.id, Label: z.label, Bits: bm}
	}
}

// maxDenseWords bounds the dense words bitmapOf goes through: the first roaring container
// (sample indexes below 2^16).
const maxDenseWords = 1 << 16 / 64

// bitmapOf returns the bitmap of xs, sorted sample indexes. A few hundred carriers of a
// cohort VCF would cost a binary search and an insert each with AddMany; set as bits in
// words and converted at once (roaring.FromDense) they cost next to nothing. Indexes spread
// thin over a large sample list (many single-sample VCFs) still go through AddMany.
func (p *vcfParser) bitmapOf(xs []uint32) *roaring.Bitmap {
	last := xs[len(xs)-1]
	w := int(last/64) + 1
	if w > maxDenseWords || w > 64+16*len(xs) {
		bm := roaring.New()
		bm.AddMany(xs)
		return bm
	}
	if p.dense == nil {
		p.dense = make([]uint64, maxDenseWords)
	}
	d := p.dense[:w]
	for _, x := range xs {
		d[x/64] |= 1 << (x % 64)
	}
	bm := roaring.FromDense(d, true) // copies: d is reused
	for _, x := range xs {
		d[x/64] = 0
	}
	return bm
}

// carriersOf sets v's carriers of ALT k, as sample indexes (calls are in sample order), per
// zygosity, and adds the zygosity terms to p.terms.
func (p *vcfParser) carriersOf(v *release.Variant, k int) {
	var seen [maxZygosities]*zygosity
	nz := 0
	p.carriers = p.carriers[:0]
	base := p.f.sampleBase
	for i := range p.calls {
		z := p.zygosityOf(&p.calls[i], int32(k))
		if z == nil {
			continue
		}
		x := base + uint32(p.calls[i].sample)
		p.carriers = append(p.carriers, x)
		j := 0
		for j < nz && seen[j] != z {
			j++
		}
		if j == nz {
			seen[j] = z
			p.zygSamples[j] = p.zygSamples[j][:0]
			nz++
			p.terms = append(p.terms, z.id)
		}
		p.zygSamples[j] = append(p.zygSamples[j], x)
	}
	if len(p.carriers) > 0 {
		p.carrierBitmaps(v, seen[:nz])
		v.CaseLevelFromCarriers = true
	}
}
