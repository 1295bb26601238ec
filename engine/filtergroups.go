package engine

import (
	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// OR filters (an extension of the spec, whose filters only AND; docs/api.md): a query's
// groups are evaluated here, each to a bitmap of target rows ANDed with the other parts.
// A member is evaluated on its own entity and moved to the target like a top-level filter,
// then the members are ORed (or, in a nested AND group, intersected): bitmap unions, no
// record touched.

// maxGroupDepth bounds the nesting of groups; the API refuses deeper requests first.
const maxGroupDepth = 16

// groupRows returns the target rows matching g. vrows are the variants the request
// parameters select (nil without them), which a zygosity member reads its calls on.
func (s *Snapshot) groupRows(g *FilterGroup, q *Query, vrows *roaring.Bitmap, res *Result, depth int) (*roaring.Bitmap, error) {
	if depth > maxGroupDepth {
		return nil, badRequest("filter groups nested deeper than %d levels", maxGroupDepth)
	}
	var acc *roaring.Bitmap
	add := func(bm *roaring.Bitmap) {
		switch {
		case acc == nil:
			acc = bm.Clone() // bm may be a shared index bitmap
		case g.Any:
			acc.Or(bm)
		default:
			acc.And(bm)
		}
	}
	for i := range g.Filters {
		bm, err := s.memberRows(&g.Filters[i], q, vrows, res)
		if err != nil {
			return nil, err
		}
		add(bm)
	}
	for i := range g.Groups {
		bm, err := s.groupRows(&g.Groups[i], q, vrows, res, depth+1)
		if err != nil {
			return nil, err
		}
		add(bm)
	}
	if acc == nil { // an empty group: OR of nothing matches nothing, AND of nothing everything
		acc = roaring.New()
		if !g.Any {
			acc.AddRange(0, uint64(s.tables[q.Target].n))
		}
	}
	return acc, nil
}

// memberRows evaluates one filter of a group and moves its rows to the target. A zygosity
// term reads calls as it does at the top level: on a query of individuals, biosamples, runs
// or analyses it keeps the carriers whose call has that zygosity on the variants the request
// parameters (or a variant anchor) select; on the variants of an individual, biosample, run
// or analysis (/individuals/{id}/g_variants) the variants on which that record's call has it.
func (s *Snapshot) memberRows(f *Filter, q *Query, vrows *roaring.Bitmap, res *Result) (*roaring.Bitmap, error) {
	if id, ok := release.NormalizeCURIE(f.ID); ok { // as normalizeFilterIDs does at the top level
		nf := *f
		nf.ID = id
		f = &nf
	}
	sr, warn, err := s.filterRows(f, q.Target)
	if err != nil {
		return nil, err
	}
	if err := q.Budget.Spend(filterCost + int64(sr.rows.GetCardinality())); err != nil {
		return nil, err
	}
	if warn != "" {
		res.Warnings = append(res.Warnings, warn)
	}
	if sr.entity == release.GenomicVariation {
		one := Query{Target: q.Target, Anchor: q.Anchor, Filters: []Filter{*f}, Budget: q.Budget}
		scoped := []scopedRows{sr}
		if zfs := s.zygosityFilters(&one, scoped); len(zfs) > 0 {
			if q.Target == release.GenomicVariation {
				_, part := s.applyAnchorZygosity(&one, scoped, zfs)
				return part, nil
			}
			w := s.withAnchorVariants(q, vrows)
			if w == nil {
				w = sr.rows
			} else {
				w = roaring.And(w, sr.rows)
			}
			part := s.moveRows(release.Biosample, s.zygosityPart(w, zfs, q.Budget), q.Target, q.Budget)
			return part, q.Budget.Err()
		}
	}
	part := s.moveRows(sr.entity, sr.rows, q.Target, q.Budget)
	if err := q.Budget.Spend(int64(part.GetCardinality())); err != nil {
		return nil, err
	}
	return part, nil
}
