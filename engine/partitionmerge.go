package engine

import (
	"fmt"
	"math"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// mergeVariants builds the variant table of the whole release from the variant tables of
// its partitions, in partition order (their rows are consecutive ranges of the whole row
// order). Carrier lists, the variants each biosample carries and the call patterns are
// spliced, and so are the term and value indexes (partitionsplice.go); the rest goes into
// the builders of a build from Parquet a partition at a time: the rows' ids, records,
// datasets and coordinates (a blob in one write, its offsets shifted) and zygosity codes
// (re-coded in chunks, offsets shifted). The builders spill as in that build, so the table is
// the one a build of the whole release makes, in the same bounded memory, without decoding
// Parquet or parsing a record. s holds the other tables (those of partition 0, the same in
// every partition).
func (s *Snapshot) mergeVariants(parts []*variantTable, maps []*mapping, opts Options) (*variantTable, error) {
	n := 0
	for _, p := range parts {
		n += int(p.n)
	}
	if n > math.MaxUint32 {
		return nil, fmt.Errorf("release %s: %d variants", s.ReleaseID, n)
	}
	bios := s.tables[release.Biosample]
	spaces := parts[0].cl.spaces
	vb := newVariantBuilder(n, bios, spaces, newSpiller(opts.SpillDir, s.spilled))
	ok := false
	defer func() {
		if !ok {
			vb.sp.abort()
		}
	}()
	// What is spliced is not replayed.
	vb.carriedBy, vb.calls = nil, nil
	carriers, err := spliceCarriers(parts, vb.carriers, maps)
	if err != nil {
		return nil, err
	}
	vb.carriers = nil
	bases := make([]uint32, len(parts))
	base := uint32(0)
	for i, p := range parts {
		bases[i] = base
		if err := vb.replay(p, base); err != nil {
			return nil, err
		}
		base += p.n
		maps[i].dropAll() // replayed: its pages need not stay resident
	}
	calls := spliceCalls(parts, bases)
	var carriedBy []*roaring.Bitmap
	var carriedByImage []byte
	if bios != nil {
		if carriedBy, carriedByImage, err = spliceCarriedBy(parts, bases, bios.n, vb.sp, maps); err != nil {
			return nil, err
		}
	}
	ix := spliceIndexes(parts, bases, uint32(n), s.onto, vb.sp, maps)
	ok = true
	vt, err := vb.build(s.onto, len(s.datasets)) // fails on a spill error of spliceIndexes too
	if err != nil {
		return nil, err
	}
	vt.carriers, vt.carriedBy, vt.carriedByImage, vt.calls = carriers, carriedBy, carriedByImage, calls
	vt.terms, vt.values, vt.types, vt.genes, vt.aaChanges, vt.hgvs = ix.terms, ix.values, ix.types, ix.genes, ix.aaChanges, ix.hgvs
	return vt, nil
}

// replay adds the rows of p as rows base, base+1, …, but for what is spliced: their ids,
// records, datasets, coordinates, zygosity codes and sequences.
func (b *variantBuilder) replay(p *variantTable, base uint32) error {
	remap, err := b.vt.cl.remapTerms(p.cl)
	if err != nil {
		return err
	}
	b.tb.addRows(p.table)
	b.start.addAll(p.start)
	b.end.addAll(p.end)
	b.ref.AddAll(p.ref)
	b.alt.AddAll(p.alt)
	if err := b.vt.cl.spliceRows(base, p.cl, p.n, remap); err != nil {
		return err
	}
	// A chromosome cut between partitions goes on as one sequence.
	for _, sq := range sortedSequences(p) {
		if k := len(b.seqKeys); k > 0 && b.seqKeys[k-1].assembly == sq.assembly && b.seqKeys[k-1].chrom == sq.chrom {
			continue
		}
		b.seqKeys = append(b.seqKeys, sequence{assembly: strings.Clone(sq.assembly), chrom: strings.Clone(sq.chrom), base: base + sq.base})
	}
	return nil
}

// sortedSequences returns the sequences of vt in row order.
func sortedSequences(vt *variantTable) []sequence {
	out := make([]sequence, 0, len(vt.seqs))
	for _, sq := range vt.seqs {
		out = append(out, sq)
	}
	for i := 1; i < len(out); i++ { // a few dozen: insertion sort
		for j := i; j > 0 && out[j].base < out[j-1].base; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// remapTerms returns the code in cl of each code of p (index code, 0 stays 0, as does a
// code p has no term for), adding the
// zygosity terms cl does not have yet in p's order, which is the order a whole build meets
// them in: p's codes were given as its rows met them, and p's rows follow those added.
func (cl *caseLevel) remapTerms(p *caseLevel) ([]byte, error) {
	remap := make([]byte, codeSpace)
	for i, t := range p.terms {
		c, ok := cl.code(t.ID, t.Label)
		if !ok {
			return nil, fmt.Errorf("partitions: more than 255 distinct zygosity terms across partitions; build the index whole")
		}
		remap[i+1] = c
	}
	return remap, nil
}

// spliceRows adds the n variant rows of p as rows base, base+1, …: which are rendered
// (shifted and OR-ed; RunOptimize at finish makes the containers a whole build's), the kept
// sample-space carriers and fallback sets (copies, not views of the partition's files), and
// the zygosity codes mapped through remap in chunks, their offsets shifted.
func (cl *caseLevel) spliceRows(base uint32, p *caseLevel, n uint32, remap []byte) error {
	if n == 0 {
		return nil
	}
	cl.from.Or(roaring.AddOffset(p.from, base))
	for r, bm := range p.sampleBits {
		if bm == nil {
			continue
		}
		row := base + uint32(r)
		for len(cl.sampleBits) <= int(row) {
			cl.sampleBits = append(cl.sampleBits, nil)
		}
		cl.sampleBits[row] = bm.Clone()
	}
	for r, sets := range p.fallback {
		if cl.fallback == nil {
			cl.fallback = map[uint32][]release.ZygositySet{}
		}
		own := make([]release.ZygositySet, len(sets))
		for i, z := range sets {
			own[i] = release.ZygositySet{ID: strings.Clone(z.ID), Label: strings.Clone(z.Label), Bits: z.Bits.Clone()}
		}
		cl.fallback[base+r] = own
	}
	lo, hi := p.at[0], p.at[n]
	if cl.nCodes+uint64(hi-lo) > math.MaxUint32 {
		return fmt.Errorf("partitions: more than 4 Gi zygosity codes; build the index whole")
	}
	first := uint32(cl.nCodes)
	for _, at := range p.at[1 : n+1] {
		cl.atFile.add(first + at - lo)
	}
	out := cl.rowCodes[:0]
	for c := lo; c < hi; c += 64 << 10 {
		out = out[:0]
		for _, x := range p.codes[c:min(c+64<<10, hi)] {
			out = append(out, remap[x])
		}
		cl.appendCodes(out)
	}
	cl.rowCodes = out
	return nil
}
