package engine

import (
	"fmt"
	"hash/maphash"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/index"
)

// A merge of partitions splices the parts of the variant table that are per variant row or
// over variant rows instead of replaying them row by row (partitionmerge.go): partitions
// hold consecutive row ranges, so carrier lists are concatenated with their offsets shifted,
// each biosample's bitmap of carried variants is the OR of its partitions' bitmaps shifted
// by their first rows, and call patterns are deduplicated pattern by pattern, not row by
// row. Every result is what a whole build makes, byte for byte: bitmaps are brought to the
// same canonical containers (RunOptimize picks them from the contents alone, as Compact does).

// spliceCarriers concatenates the carrier lists of parts into b (empty), recomputing the
// unions of full blocks of rows, which straddle the partitions.
func spliceCarriers(parts []*variantTable, b *carrierListsBuilder, maps []*mapping) (carrierLists, error) {
	f := b.f
	for i, p := range parts {
		if p.n == 0 {
			continue
		}
		c := &p.carriers
		base := b.n
		if b.wide {
			spillArray(f, c.r32[:c.offs[p.n]])
		} else {
			spillArray(f, c.r16[:c.offs[p.n]])
		}
		b.n += c.offs[p.n]
		for v := range p.n {
			b.offs.add(base + c.offs[v+1])
			b.v++
			c.orWords(v, b.cur)
			if b.v&(1<<b.shift-1) == 0 { // a block is full
				b.blocks = append(b.blocks, b.cur...)
				clear(b.cur)
			}
		}
		maps[i].dropAll() // copied: its pages need not stay resident
	}
	return b.build()
}

// spliceCarriedBy merges the bitmaps of variant rows each biosample carries: the OR of the
// partitions' bitmaps shifted by their first rows, encoded into a spill file that is mapped
// and viewed as a build from Parquet does (carriedByBuilder.build).
func spliceCarriedBy(parts []*variantTable, bases []uint32, biosampleRows uint32, sp *spiller, maps []*mapping) ([]*roaring.Bitmap, []byte, error) {
	out := sp.create("carriedBy")
	e := index.NewEncoder(out)
	e.Uint(uint64(biosampleRows))
	for b := range int(biosampleRows) {
		var bm *roaring.Bitmap
		for i, p := range parts {
			if b >= len(p.carriedBy) || p.carriedBy[b] == nil || p.carriedBy[b].IsEmpty() {
				continue
			}
			shifted := roaring.AddOffset(p.carriedBy[b], bases[i])
			if bm == nil {
				bm = shifted
			} else {
				bm.Or(shifted)
			}
		}
		if bm == nil {
			e.Bitmap(nil)
			continue
		}
		e.Bitmap(index.Compact(bm))
		if b%256 == 255 {
			for _, m := range maps {
				m.dropAll() // the bitmaps merged so far need not stay resident
			}
		}
	}
	if _, _, err := e.Flush(); err != nil {
		sp.fail(fmt.Errorf("spill file for carriedBy: %w", err))
	}
	image, err := out.finish()
	if err != nil {
		return nil, nil, err
	}
	d := index.NewDecoder(image)
	bms := d.Bitmaps()
	if err := d.Done(); err != nil {
		return nil, nil, fmt.Errorf("spill file for carriedBy: %w", err)
	}
	return bms, image, nil
}

// spliceCalls merges the call tables of parts: genotyped rows shifted, and each partition's
// patterns mapped to the merged ones. A partition numbers its patterns in the order its rows
// first meet them, so the patterns new to the merge, taken in that order, get the numbers a
// whole build gives them.
func spliceCalls(parts []*variantTable, bases []uint32) callTable {
	ct := callTable{genotyped: roaring.New(), offs: []uint32{0}}
	seed := maphash.MakeSeed()
	byHash := map[uint64][]uint32{}
	for i, p := range parts {
		pc := &p.calls
		ct.genotyped.Or(roaring.AddOffset(pc.genotyped, bases[i]))
		remap := make([]uint32, len(pc.offs)-1)
		for q := range remap {
			bios, alleles := pc.bios[pc.offs[q]:pc.offs[q+1]], pc.alleles[pc.offs[q]:pc.offs[q+1]]
			key := patternHash(seed, bios, alleles)
			pat, found := uint32(len(ct.offs)-1), false
			for _, m := range byHash[key] {
				if ct.samePattern(m, bios, alleles) {
					pat, found = m, true
					break
				}
			}
			if !found {
				ct.bios = append(ct.bios, bios...)
				ct.alleles = append(ct.alleles, alleles...)
				ct.offs = append(ct.offs, uint32(len(ct.bios)))
				byHash[key] = append(byHash[key], pat)
			}
			remap[q] = pat
		}
		for j, r := range pc.rows {
			ct.rows = append(ct.rows, bases[i]+r)
			ct.pattern = append(ct.pattern, remap[pc.pattern[j]])
		}
	}
	ct.genotyped.RunOptimize()
	ct.rows, ct.pattern, ct.offs = clipped(ct.rows), clipped(ct.pattern), clipped(ct.offs)
	ct.bios, ct.alleles = clipped(ct.bios), clipped(ct.alleles)
	return ct
}

// patternHash hashes a call pattern's contents.
func patternHash(seed maphash.Seed, bios []uint32, alleles []uint8) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.Write(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(bios))), 4*len(bios)))
	h.Write(alleles)
	return h.Sum64()
}

// samePattern reports whether pattern q of ct is bios with alleles.
func (ct *callTable) samePattern(q uint32, bios []uint32, alleles []uint8) bool {
	x, y := ct.offs[q], ct.offs[q+1]
	if int(y-x) != len(bios) {
		return false
	}
	for i := range bios {
		if ct.bios[int(x)+i] != bios[i] || ct.alleles[int(x)+i] != alleles[i] {
			return false
		}
	}
	return true
}

// variantIndexes are the term and value indexes of a variant table.
type variantIndexes struct {
	terms                         *index.TermIndex
	values                        *index.ValueIndex
	types, genes, aaChanges, hgvs *index.TermIndex
}

// spliceIndexes merges the term and value indexes of parts, key by key in key order, each
// key's rows the union of its partitions' rows shifted by their first rows
// (index/postingsmerge.go), spilled through sp as a build's postings are; a spill file's
// error is sp's. Each index is read from every partition at once, so the partitions' pages
// are dropped after each.
func spliceIndexes(parts []*variantTable, bases []uint32, n uint32, onto *index.Ontology, sp *spiller, maps []*mapping) variantIndexes {
	isp := indexSpill{sp}
	dropAll := func() {
		for _, m := range maps {
			m.dropAll()
		}
	}
	terms := func(what string, of func(*variantTable) *index.TermIndex, onto *index.Ontology) *index.TermIndex {
		ts := make([]*index.TermIndex, len(parts))
		for i, p := range parts {
			ts[i] = of(p)
		}
		defer dropAll()
		return index.MergeTermIndexes(ts, bases, onto, isp, what)
	}
	var ix variantIndexes
	ix.terms = terms("terms", func(p *variantTable) *index.TermIndex { return p.terms }, onto)
	vs := make([]*index.ValueIndex, len(parts))
	for i, p := range parts {
		vs[i] = p.values
	}
	ix.values = index.MergeValueIndexes(vs, bases, n, isp)
	dropAll()
	ix.types = terms("types", func(p *variantTable) *index.TermIndex { return p.types }, nil)
	ix.genes = terms("genes", func(p *variantTable) *index.TermIndex { return p.genes }, nil)
	ix.aaChanges = terms("aachanges", func(p *variantTable) *index.TermIndex { return p.aaChanges }, nil)
	ix.hgvs = terms("hgvs", func(p *variantTable) *index.TermIndex { return p.hgvs }, nil)
	return ix
}
