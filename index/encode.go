package index

import (
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
)

// Index file forms of the index types (see codec.go). Decoded values alias the decoder's
// buffer: only per-key bitmap headers and small maps are allocated.

// Encode writes s.
func (s *Strings) Encode(e *Encoder) {
	e.String(s.data)
	Array(e, s.offs)
}

// DecodeStrings reads what Strings.Encode wrote.
func DecodeStrings(d *Decoder) Strings {
	s := Strings{data: d.String(), offs: DecodeArray[uint64](d)}
	if d.Err() == nil && len(s.offs) > 0 && (s.offs[0] != 0 || s.offs[len(s.offs)-1] != uint64(len(s.data))) {
		d.Fail(fmt.Errorf("%w: string offsets do not span their blob", ErrCorrupt))
		return Strings{}
	}
	if d.Err() == nil && len(s.offs) == 0 && len(s.data) != 0 {
		d.Fail(fmt.Errorf("%w: string blob without offsets", ErrCorrupt))
	}
	// Offsets that decrease are not looked for here (a pass over every one, 8 bytes a row of
	// each string column): At checks the two it reads.
	return s
}

func (p *postings) encode(e *Encoder) {
	p.keys.Encode(e)
	Array(e, p.one)
	e.Bitmaps(p.multi.all())
	Array(e, p.plain)
}

func decodePostings(d *Decoder) postings {
	p := postings{keys: DecodeStrings(d), one: DecodeArray[uint32](d), multi: d.bitmapList(), plain: DecodeArray[bool](d)}
	if d.Err() == nil && (p.keys.Len() != len(p.one) || p.multi.len() != len(p.plain)) {
		d.Fail(fmt.Errorf("%w: postings of %d keys, %d rows, %d bitmaps, %d flags", ErrCorrupt, p.keys.Len(), len(p.one), p.multi.len(), len(p.plain)))
		return postings{}
	}
	// An entry of one naming a bitmap beyond multi is not looked for here (a pass over every
	// key, one a variant for HGVS ids): it reads as no rows (bitmapList.get).
	return p
}

// Encode writes t.
func (t *TermIndex) Encode(e *Encoder) {
	t.exact.encode(e)
	keys := make([]string, 0, len(t.folded))
	for k := range t.folded {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var sb StringsBuilder
	bms := make([]*roaring.Bitmap, len(keys))
	for i, k := range keys {
		sb.Add(k)
		bms[i] = t.folded[k].bm
	}
	s := sb.Build()
	s.Encode(e)
	e.Bitmaps(bms)
}

// DecodeTermIndex reads what TermIndex.Encode wrote.
func DecodeTermIndex(d *Decoder) *TermIndex {
	t := &TermIndex{exact: decodePostings(d)}
	keys := DecodeStrings(d)
	bms := d.Bitmaps()
	if d.Err() != nil {
		return &TermIndex{folded: map[string]foldedEntry{}}
	}
	if len(bms) != keys.Len() {
		d.Fail(fmt.Errorf("%w: %d folded terms but %d bitmaps", ErrCorrupt, keys.Len(), len(bms)))
		return &TermIndex{folded: map[string]foldedEntry{}}
	}
	t.folded = make(map[string]foldedEntry, len(bms))
	for i, bm := range bms {
		bm = NonNil(bm)
		t.folded[keys.At(i)] = foldedEntry{bm: bm, n: bm.GetCardinality()}
	}
	return t
}

func (b *bsi) encode(e *Encoder) {
	e.Uint(uint64(b.nb))
	Array(e, b.data)
}

func decodeBSI(d *Decoder) *bsi {
	b := &bsi{nb: d.Count(32), data: DecodeArray[uint64](d)}
	if d.Err() == nil && len(b.data)%(b.nb+1) != 0 {
		d.Fail(fmt.Errorf("%w: bit-sliced index of %d words for %d slices", ErrCorrupt, len(b.data), b.nb+1))
	}
	return b
}

func (n *numIndex) encode(e *Encoder) {
	Array(e, n.keys)
	Array(e, n.ranks)
	switch {
	case n.lo == nil:
		e.Uint(0)
	case n.hi == n.lo:
		e.Uint(1)
		n.lo.encode(e)
	default:
		e.Uint(2)
		n.lo.encode(e)
		n.hi.encode(e)
	}
}

func decodeNumIndex(d *Decoder, slots int, universe uint32) numIndex {
	n := numIndex{keys: DecodeArray[numKey](d), ranks: DecodeArray[float64](d)}
	for _, k := range n.keys {
		if k.slot < 0 || int(k.slot) >= slots {
			d.Fail(fmt.Errorf("%w: numeric key names value %d of %d", ErrCorrupt, k.slot, slots))
			return numIndex{}
		}
	}
	switch d.Count(2) {
	case 1:
		n.lo = decodeBSI(d)
		n.hi = n.lo
	case 2:
		n.lo, n.hi = decodeBSI(d), decodeBSI(d)
	}
	words := (int(universe) + 63) / 64
	for _, b := range []*bsi{n.lo, n.hi} {
		if b != nil && d.Err() == nil && len(b.data) != words*(b.nb+1) {
			d.Fail(fmt.Errorf("%w: bit-sliced index of %d words over %d rows", ErrCorrupt, len(b.data), universe))
		}
	}
	return n
}

// Encode writes x.
func (x *ValueIndex) Encode(e *Encoder) {
	e.Uint(uint64(x.universe))
	e.Uint(uint64(len(x.paths)))
	for _, p := range x.paths {
		f := x.fields[p]
		e.String(p)
		f.p.encode(e)
		f.nums.encode(e)
		f.durs.encode(e)
	}
}

// DecodeValueIndex reads what ValueIndex.Encode wrote.
func DecodeValueIndex(d *Decoder) *ValueIndex {
	x := &ValueIndex{universe: uint32(d.Count(1<<32 - 1))}
	n := d.Count(1 << 24)
	x.fields = make(map[string]*field, n)
	x.paths = make([]string, 0, n)
	for range n {
		p := d.String()
		f := &field{p: decodePostings(d)}
		f.nums = decodeNumIndex(d, f.p.len(), x.universe)
		f.durs = decodeNumIndex(d, f.p.len(), x.universe)
		if d.Err() != nil {
			break
		}
		x.fields[p] = f
		x.paths = append(x.paths, p)
	}
	return x
}

// Encode writes o (nil encodes as an empty graph).
func (o *Ontology) Encode(e *Encoder) {
	var names StringsBuilder
	offs := []uint32{0}
	var parents []int32
	if o != nil {
		for i, n := range o.names {
			names.Add(n)
			parents = append(parents, o.parents[i]...)
			offs = append(offs, uint32(len(parents)))
		}
	}
	s := names.Build()
	s.Encode(e)
	Array(e, offs)
	Array(e, parents)
}

// DecodeOntology reads what Ontology.Encode wrote.
func DecodeOntology(d *Decoder) *Ontology {
	names := DecodeStrings(d)
	offs := DecodeArray[uint32](d)
	par := DecodeArray[int32](d)
	n := names.Len()
	if d.Err() != nil || len(offs) != n+1 || int(offs[n]) != len(par) {
		d.Fail(fmt.Errorf("%w: ontology of %d terms, %d parent offsets", ErrCorrupt, n, len(offs)))
		return NewOntology(nil)
	}
	o := &Ontology{ids: make(map[string]int32, n), names: make([]string, n), parents: make([][]int32, n)}
	for i := range n {
		o.names[i] = names.At(i)
		o.ids[o.names[i]] = int32(i)
		if offs[i] > offs[i+1] || int(offs[i+1]) > len(par) {
			d.Fail(fmt.Errorf("%w: ontology parent offsets decrease or overrun", ErrCorrupt))
			return NewOntology(nil)
		}
		if a, b := offs[i], offs[i+1]; a < b {
			o.parents[i] = par[a:b:b]
		}
	}
	for _, ps := range o.parents {
		for _, p := range ps {
			if p < 0 || int(p) >= n {
				d.Fail(fmt.Errorf("%w: ontology parent %d of %d terms", ErrCorrupt, p, n))
				return NewOntology(nil)
			}
		}
	}
	o.anc = make([]atomic.Pointer[[]string], n)
	return o
}
