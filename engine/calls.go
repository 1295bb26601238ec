package engine

import (
	"fmt"
	"hash/maphash"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/index"
	"github.com/bitbeacon/bitbeacon/release"
)

// callTable holds, for the allele numbers of frequencies (frequency.go), which variant rows
// were read from genotypes and, for those, the biosample rows whose call has other than two
// called alleles (release.CalledSet). Such calls come in a few patterns repeated over many
// variants (the haploid X calls of every man of a cohort), so each distinct pattern is kept
// once and rows point to it.
type callTable struct {
	genotyped *roaring.Bitmap // variant rows whose calls are known
	rows      []uint32        // variant rows with a pattern, ascending
	pattern   []uint32        // pattern of each row of rows
	// Pattern p is the biosample rows bios[offs[p]:offs[p+1]], ascending, with alleles
	// alleles[offs[p]:offs[p+1]] each.
	offs    []uint32
	bios    []uint32
	alleles []uint8
}

// exceptions returns the pattern of variant row v: biosample rows and their called alleles
// (none when every call has two).
func (ct *callTable) exceptions(v uint32) ([]uint32, []uint8) {
	i, ok := slices.BinarySearch(ct.rows, v)
	if !ok {
		return nil, nil
	}
	p := ct.pattern[i]
	a, b := ct.offs[p], ct.offs[p+1]
	return ct.bios[a:b], ct.alleles[a:b]
}

// callTableBuilder collects the patterns of variants added in row order.
type callTableBuilder struct {
	ct     callTable
	seed   maphash.Seed
	byHash map[uint64][]uint32 // content hash → patterns
	pairs  []callPair
	rows   []uint32
}

type callPair struct {
	row     uint32
	alleles uint8
}

func newCallTableBuilder() *callTableBuilder {
	return &callTableBuilder{ct: callTable{genotyped: roaring.New(), offs: []uint32{0}}, seed: maphash.MakeSeed(), byHash: map[uint64][]uint32{}}
}

// add records the calls of variant row, whose samples map to biosample rows through sp.
func (b *callTableBuilder) add(row uint32, v *release.Variant, sp *sampleSpace) {
	if !v.Genotyped {
		return
	}
	b.ct.genotyped.Add(row)
	b.pairs = b.pairs[:0]
	for _, s := range v.CalledAlleles {
		b.rows = sp.appendRows(b.rows[:0], s.Bits)
		a := uint8(min(s.Alleles, 255))
		for _, r := range b.rows {
			b.pairs = append(b.pairs, callPair{r, a})
		}
	}
	if len(b.pairs) == 0 {
		return
	}
	slices.SortFunc(b.pairs, func(x, y callPair) int { return int(x.row) - int(y.row) })
	b.addPattern(row)
}

// addPattern points row at the pattern b.pairs (sorted by row), adding it when new.
func (b *callTableBuilder) addPattern(row uint32) {
	var h maphash.Hash
	h.SetSeed(b.seed)
	for _, p := range b.pairs {
		h.Write([]byte{byte(p.row), byte(p.row >> 8), byte(p.row >> 16), byte(p.row >> 24), p.alleles})
	}
	key := h.Sum64()
	ct := &b.ct
	pat := uint32(len(ct.offs) - 1)
	for _, q := range b.byHash[key] {
		if b.same(q) {
			pat = q
			break
		}
	}
	if pat == uint32(len(ct.offs)-1) {
		for _, p := range b.pairs {
			ct.bios = append(ct.bios, p.row)
			ct.alleles = append(ct.alleles, p.alleles)
		}
		ct.offs = append(ct.offs, uint32(len(ct.bios)))
		b.byHash[key] = append(b.byHash[key], pat)
	}
	ct.rows = append(ct.rows, row)
	ct.pattern = append(ct.pattern, pat)
}

// same reports whether pattern q is b.pairs.
func (b *callTableBuilder) same(q uint32) bool {
	ct := &b.ct
	x, y := ct.offs[q], ct.offs[q+1]
	if int(y-x) != len(b.pairs) {
		return false
	}
	for i, p := range b.pairs {
		if ct.bios[int(x)+i] != p.row || ct.alleles[int(x)+i] != p.alleles {
			return false
		}
	}
	return true
}

func (b *callTableBuilder) build() callTable {
	ct := b.ct
	ct.genotyped.RunOptimize()
	ct.rows, ct.pattern, ct.offs = clipped(ct.rows), clipped(ct.pattern), clipped(ct.offs)
	ct.bios, ct.alleles = clipped(ct.bios), clipped(ct.alleles)
	return ct
}

func (ct *callTable) encode(e *index.Encoder) {
	e.Bitmap(ct.genotyped)
	index.Array(e, ct.rows)
	index.Array(e, ct.pattern)
	index.Array(e, ct.offs)
	index.Array(e, ct.bios)
	index.Array(e, ct.alleles)
}

func decodeCallTable(d *index.Decoder, n int) callTable {
	ct := callTable{genotyped: index.NonNil(d.Bitmap())}
	ct.rows = index.DecodeArray[uint32](d)
	ct.pattern = index.DecodeArray[uint32](d)
	ct.offs = index.DecodeArray[uint32](d)
	ct.bios = index.DecodeArray[uint32](d)
	ct.alleles = index.DecodeArray[uint8](d)
	if d.Err() != nil {
		return ct
	}
	bad := len(ct.rows) != len(ct.pattern) || len(ct.offs) == 0 || len(ct.bios) != len(ct.alleles) ||
		int(ct.offs[len(ct.offs)-1]) != len(ct.bios)
	for i := 0; !bad && i < len(ct.rows); i++ {
		bad = int(ct.rows[i]) >= n || i > 0 && ct.rows[i] <= ct.rows[i-1] || int(ct.pattern[i]) >= len(ct.offs)-1
	}
	for i := 1; !bad && i < len(ct.offs); i++ {
		bad = ct.offs[i] < ct.offs[i-1]
	}
	if bad {
		d.Fail(fmt.Errorf("%w: call patterns do not match %d variants", index.ErrCorrupt, n))
	}
	return ct
}
