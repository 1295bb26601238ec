package engine

import (
	"slices"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// Zygosity is a property of a call, one (variant, sample) pair, not of a variant or of an
// individual. On /g_variants a zygosity filter (GENO:0000136, homozygous) keeps the variants
// with at least one such call: the zygosity terms are in the variants' term index. On
// individuals, biosamples and the entities linked to them it must keep the carriers whose
// call has that zygosity: "individuals homozygous for a variant in chr1:1-5,000,000" are not
// "individuals carrying a variant in that range" ANDed with "individuals carrying some
// homozygous variant". zygosityPart does that from the case-level codes (carriers.go).
//
// The cross-entry paths anchor the call's other side: /g_variants/{id}/individuals with a
// zygosity filter keeps the individuals whose call on that variant has it (the anchor's
// variants join the variants the call is read on, withAnchorVariants), and
// /individuals/{id}/g_variants keeps the variants on which that individual's call has it
// (applyAnchorZygosity).

// zygosityFilter is a filter on variants that names a zygosity of the release's calls.
type zygosityFilter struct {
	index int    // in the query's filters
	want  []bool // by case-level code (1-based; want[0] unused), codeSpace long
	match func(id string) bool
}

// zygosityFilters finds, for a query on a target other than variants or on the variants of
// an individual-level anchor (/individuals/{id}/g_variants), the filters that apply to
// variants (scoped so or found there) and name a zygosity some call of the release has,
// itself or through a descendant term.
func (s *Snapshot) zygosityFilters(q *Query, scoped []scopedRows) []zygosityFilter {
	if q.Target == release.GenomicVariation && !anchoredOnCalls(q) || s.variants == nil || s.variants.cl == nil || len(s.variants.cl.terms) == 0 && len(s.variants.cl.fallback) == 0 {
		return nil
	}
	var out []zygosityFilter
	for i := range q.Filters {
		f := &q.Filters[i]
		if f.Kind != OntologyFilter || scoped[i].entity != release.GenomicVariation {
			continue
		}
		match := func(id string) bool {
			return id == f.ID || f.IncludeDescendants && slices.Contains(s.onto.Ancestors(id), f.ID)
		}
		terms := s.variants.cl.terms
		zf := zygosityFilter{index: i, want: make([]bool, codeSpace), match: match}
		known := false
		for c, t := range terms {
			if match(t.ID) {
				zf.want[c+1], known = true, true
			}
		}
		for _, sets := range s.variants.cl.fallback {
			for _, z := range sets {
				known = known || match(z.ID)
			}
		}
		if known {
			out = append(out, zf)
		}
	}
	return out
}

// zygosityPart returns the biosample rows with a call on one of the variants whose zygosity
// every filter of zfs accepts; some of them only when b is past a bound (a stopped scan).
func (s *Snapshot) zygosityPart(variants *roaring.Bitmap, zfs []zygosityFilter, b *Budget) *roaring.Bitmap {
	bios := s.tables[release.Biosample]
	if bios == nil {
		return roaring.New()
	}
	want, match := acceptedZygosity(zfs)
	words := make([]uint64, (bios.n+63)/64)
	var rows, samples []uint32
	m := scanMeter{b: b}
	it := variants.Iterator()
	for it.HasNext() && m.add(1) {
		rows, samples = s.appendZygosityCarriers(rows[:0], samples[:0], it.Next(), want, match)
		for _, r := range rows {
			words[r>>6] |= 1 << (r & 63)
		}
	}
	return roaring.FromDense(words, false)
}

// acceptedZygosity returns the zygosity codes every filter of zfs accepts and the test of a
// term id (for rows kept in the fallback form) that they all pass.
func acceptedZygosity(zfs []zygosityFilter) ([]bool, func(string) bool) {
	want := slices.Clone(zfs[0].want)
	for _, zf := range zfs[1:] {
		for c := range want {
			want[c] = want[c] && zf.want[c]
		}
	}
	match := func(id string) bool {
		for _, zf := range zfs {
			if !zf.match(id) {
				return false
			}
		}
		return true
	}
	return want, match
}

// appendZygosityCarriers appends to rows the biosample rows of variant v's carriers whose
// call has an accepted zygosity (want by code; match by term id for rows kept in the
// fallback form). samples is scratch space, returned for reuse.
func (s *Snapshot) appendZygosityCarriers(rows, samples []uint32, v uint32, want []bool, match func(string) bool) ([]uint32, []uint32) {
	vt := s.variants
	cl := vt.cl
	sp := cl.spaces[vt.dataset[v]]
	if sets, ok := cl.fallback[v]; ok {
		bits := roaring.New()
		for _, z := range sets {
			if match(z.ID) {
				bits.Or(z.Bits)
			}
		}
		return sp.appendRows(rows, bits), samples
	}
	codes := cl.codes[cl.at[v]:cl.at[v+1]]
	switch len(codes) {
	case 0: // no call has a zygosity
		return rows, samples
	case 1: // every call has the same one
		if want[codes[0]] {
			rows = vt.carriers.appendTo(rows, v)
		}
		return rows, samples
	}
	// One code per carrier, in sample order.
	samples = vt.appendSamples(samples, v)
	picked := roaring.New()
	for i, x := range samples {
		if i < len(codes) && want[codes[i]] {
			picked.Add(x)
		}
	}
	return sp.appendRows(rows, picked), samples
}

// applyZygosity consumes the zygosity filters and the variant parameters of a query on
// individuals, biosamples or the entities linked to them: the variants they select (vrows,
// nil without variant parameters, ANDed with the variants having such calls) are moved to the
// target through the accepted calls only. It returns the remaining filters and the part.
func (s *Snapshot) applyZygosity(q *Query, scoped []scopedRows, vrows *roaring.Bitmap, zfs []zygosityFilter) ([]scopedRows, *roaring.Bitmap) {
	w := vrows
	for _, zf := range zfs {
		if w == nil {
			w = scoped[zf.index].rows.Clone()
		} else {
			w = roaring.And(w, scoped[zf.index].rows)
		}
	}
	return dropZygosityFilters(scoped, zfs), s.moveRows(release.Biosample, s.zygosityPart(w, zfs, q.Budget), q.Target, q.Budget)
}

// dropZygosityFilters returns scoped without the zygosity filters' rows.
func dropZygosityFilters(scoped []scopedRows, zfs []zygosityFilter) []scopedRows {
	kept := make([]scopedRows, 0, len(scoped))
	for i, sr := range scoped {
		if !slices.ContainsFunc(zfs, func(zf zygosityFilter) bool { return zf.index == i }) {
			kept = append(kept, sr)
		}
	}
	return kept
}

// anchoredOnCalls reports whether q's anchor is a record whose biosamples have calls: an
// individual, biosample, run or analysis.
func anchoredOnCalls(q *Query) bool {
	if q.Anchor == nil {
		return false
	}
	switch q.Anchor.Entity {
	case release.Individual, release.Biosample, release.Run, release.Analysis:
		return true
	}
	return false
}

// anchorRecordRows returns the rows of the anchor record (one per dataset holding its id).
func (s *Snapshot) anchorRecordRows(a *Anchor) *roaring.Bitmap {
	rows := roaring.New()
	if t := s.tables[a.Entity]; t != nil {
		for _, r := range t.rowsOf(a.ID) {
			rows.Add(r)
		}
	}
	return rows
}

// withAnchorVariants narrows the variants a zygosity filter is read on (vrows, nil for every
// variant) to the anchor's when the query is anchored on a variant (/g_variants/{id}/...): the
// call that must have the zygosity is the one on that variant.
func (s *Snapshot) withAnchorVariants(q *Query, vrows *roaring.Bitmap) *roaring.Bitmap {
	if q.Anchor == nil || q.Anchor.Entity != release.GenomicVariation {
		return vrows
	}
	a := s.anchorRecordRows(q.Anchor)
	if vrows == nil {
		return a
	}
	return roaring.And(vrows, a)
}

// applyAnchorZygosity consumes the zygosity filters of a variant query anchored on an
// individual, biosample, run or analysis: it returns the remaining filters and the variants
// on which one of the anchor's biosamples has a call every zygosity filter accepts. Each
// candidate variant (carried by the anchor and with such a call somewhere) is decided by the
// anchor's own calls: a binary search for its position among the carriers, one code read.
func (s *Snapshot) applyAnchorZygosity(q *Query, scoped []scopedRows, zfs []zygosityFilter) ([]scopedRows, *roaring.Bitmap) {
	bios := s.translate(q.Anchor.Entity, s.anchorRecordRows(q.Anchor), release.Biosample)
	cand := roaring.And(s.variantsOf(bios, q.Budget), scoped[zfs[0].index].rows)
	for _, zf := range zfs[1:] {
		cand.And(scoped[zf.index].rows)
	}
	want, match := acceptedZygosity(zfs)
	calls := s.callersOf(bios)
	out := roaring.New()
	m := scanMeter{b: q.Budget}
	it := cand.Iterator()
	for it.HasNext() && m.add(1) {
		v := it.Next()
		for _, c := range calls[s.variants.dataset[v]] {
			if s.callAccepted(v, c, want, match) {
				out.Add(v)
				break
			}
		}
	}
	return dropZygosityFilters(scoped, zfs), out
}

// caller is a biosample row with one of its sample indexes in its dataset's sample space.
type caller struct{ row, sample uint32 }

// callersOf returns, by dataset index, the biosample rows with the sample indexes that map
// to them (a sample is one biosample, or every biosample of an individual of that id).
func (s *Snapshot) callersOf(bios *roaring.Bitmap) map[uint16][]caller {
	bt := s.tables[release.Biosample]
	out := map[uint16][]caller{}
	it := bios.Iterator()
	for it.HasNext() {
		b := it.Next()
		d := bt.dataset[b]
		sp := s.variants.cl.spaces[d]
		if sp.shift {
			x := int64(b) - sp.offset
			if x >= 0 && x < int64(len(sp.ids)) && (sp.matched == nil || sp.matched.Contains(uint32(x))) {
				out[d] = append(out[d], caller{b, uint32(x)})
			}
			continue
		}
		for x, r := range sp.rows {
			if r == int32(b) || r == -2 && slices.Contains(sp.multi[uint32(x)], int32(b)) {
				out[d] = append(out[d], caller{b, uint32(x)})
			}
		}
	}
	return out
}

// callAccepted reports whether the call of c on variant v has a zygosity the filters accept
// (want by code; match by term id for rows kept in the fallback form).
func (s *Snapshot) callAccepted(v uint32, c caller, want []bool, match func(string) bool) bool {
	vt := s.variants
	cl := vt.cl
	if sets, ok := cl.fallback[v]; ok {
		for _, z := range sets {
			if match(z.ID) && z.Bits.Contains(c.sample) {
				return true
			}
		}
		return false
	}
	codes := cl.codes[cl.at[v]:cl.at[v+1]]
	var i int
	switch {
	case len(codes) == 0:
		return false
	case int(v) < len(cl.sampleBits) && cl.sampleBits[v] != nil:
		// Codes follow the sample-space carriers kept for a space that cannot be inverted.
		bits := cl.sampleBits[v]
		if !bits.Contains(c.sample) {
			return false
		}
		i = int(bits.Rank(c.sample)) - 1
	default:
		// Samples in biosample-row order: the call's place among the carriers.
		var ok bool
		if i, ok = vt.carriers.position(v, c.row); !ok {
			return false
		}
	}
	if len(codes) == 1 {
		return want[codes[0]]
	}
	return i < len(codes) && want[codes[i]]
}
