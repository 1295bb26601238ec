package ingest

import (
	"fmt"
	"slices"

	"github.com/bitbeacon/bitbeacon/release"
)

// Merging the variant streams of several VCFs into one position-ordered stream, and the
// duplicate check.

// mergeHead is the next variant of one stream in a merge.
type mergeHead struct {
	s    *vcfStream
	v    *release.Variant
	m    variantMeta
	rank int
}

// chromRank orders chromosomes for merging: 1..22, X, Y, MT, then other contigs in the
// order the merge first meets them.
func chromRank(chrom string, others map[string]int) int {
	if r, ok := release.ChromRank(chrom); ok {
		return r
	}
	r, ok := others[chrom]
	if !ok {
		r = 100 + len(others)
		others[chrom] = r
	}
	return r
}

// mergeVCFStreams writes the variants of several sorted VCFs in position order, one
// variant per variantInternalId and position. It returns the variants written and how many
// of them merged copies from more than one stream.
func mergeVCFStreams(streams []*vcfStream, write func(*release.Variant) error) (written, merged int, err error) {
	others := map[string]int{}
	heads := make([]*mergeHead, 0, len(streams))
	advance := func(h *mergeHead) (bool, error) {
		v, m, err := h.s.next()
		if err != nil || v == nil {
			return false, err
		}
		rank := chromRank(v.Chrom, others)
		if h.v != nil && (rank < h.rank || rank == h.rank && m.pos < h.m.pos) {
			return false, &LineError{File: h.s.vf.path, Line: m.line, Msg: fmt.Sprintf(
				"%s:%d comes after %s:%d: VCFs ingested together are merged by position and must each be sorted (bcftools sort)",
				v.Chrom, m.pos, h.v.Chrom, h.m.pos)}
		}
		h.v, h.m, h.rank = v, m, rank
		return true, nil
	}
	for _, s := range streams {
		h := &mergeHead{s: s}
		ok, err := advance(h)
		if err != nil {
			return 0, 0, err
		}
		if ok {
			heads = append(heads, h)
		}
	}
	type group struct {
		v     *release.Variant
		parts []*release.Variant
	}
	var groups []*group
	for len(heads) > 0 {
		// The smallest (chromosome, POS) among the heads, and every variant there.
		min := heads[0]
		for _, h := range heads[1:] {
			if h.rank < min.rank || h.rank == min.rank && h.m.pos < min.m.pos {
				min = h
			}
		}
		rank, pos := min.rank, min.m.pos
		groups = groups[:0]
		for i := 0; i < len(heads); {
			h := heads[i]
			for h.rank == rank && h.m.pos == pos {
				var g *group
				for _, x := range groups {
					if x.v.ID == h.v.ID {
						g = x
						break
					}
				}
				if g == nil {
					groups = append(groups, &group{v: h.v, parts: []*release.Variant{h.v}})
				} else {
					g.parts = append(g.parts, h.v)
				}
				ok, err := advance(h)
				if err != nil {
					return written, merged, err
				}
				if !ok {
					h.rank = -1 // exhausted
					break
				}
			}
			if h.rank == -1 {
				heads = append(heads[:i], heads[i+1:]...)
				continue
			}
			i++
		}
		for _, g := range groups {
			v := g.v
			if len(g.parts) > 1 {
				v = mergeVariants(g.parts)
				merged++
			}
			if err := write(v); err != nil {
				return written, merged, err
			}
			written++
		}
	}
	return written, merged, nil
}

// mergeVariants combines copies of one variant from several files: the first copy's record
// with the carriers of all (their sample ranges are disjoint), zygosity sets united by term,
// terms united.
func mergeVariants(parts []*release.Variant) *release.Variant {
	first := *parts[0]
	v := &first
	v.CarrierBits = nil
	v.Zygosity = nil
	var terms []string
	for _, p := range parts {
		terms = append(terms, p.Terms...)
		if p.CarrierBits == nil || p.CarrierBits.IsEmpty() {
			continue
		}
		if v.CarrierBits == nil {
			v.CarrierBits = p.CarrierBits.Clone()
		} else {
			v.CarrierBits.Or(p.CarrierBits)
		}
		for _, z := range p.Zygosity {
			j := slices.IndexFunc(v.Zygosity, func(x release.ZygositySet) bool { return x.ID == z.ID && x.Label == z.Label })
			if j < 0 {
				v.Zygosity = append(v.Zygosity, release.ZygositySet{ID: z.ID, Label: z.Label, Bits: z.Bits.Clone()})
			} else {
				v.Zygosity[j].Bits.Or(z.Bits)
			}
		}
	}
	v.CaseLevelFromCarriers = v.CarrierBits != nil
	mergeCalls(v, parts)
	slices.Sort(terms)
	v.Terms = slices.Compact(terms)
	return v
}

func sortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
