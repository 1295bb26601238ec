package engine

import (
	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/index"
	"github.com/bitbeacon/bitbeacon/release"
)

// Evaluate answers q. Filters, variant parameters and the anchor are ANDed; each is evaluated
// on the entity it belongs to and moved to the target entity through the links.
func (s *Snapshot) Evaluate(q *Query) (*Result, error) {
	res := new(Result)
	if err := s.EvaluateInto(q, res); err != nil {
		return nil, err
	}
	return res, nil
}

// EvaluateInto is Evaluate writing into res, whose slices it reuses: a caller that keeps its
// Results (the API pools them) answers a count query without allocating.
func (s *Snapshot) EvaluateInto(q *Query, res *Result) error {
	per := res.PerDataset[:cap(res.PerDataset)]
	clear(per) // drop the previous query's bitmaps
	*res = Result{Target: q.Target, PerDataset: per[:0], Warnings: res.Warnings[:0], scratch: res.scratch, allowed: res.allowed}
	target := s.tables[q.Target]
	if target == nil {
		if !q.Target.Known() {
			return badRequest("unknown entry type %q", q.Target)
		}
		s.emptyResult(res)
		return nil
	}
	allowed, err := s.allowedDatasets(q.DatasetIDs, q.DatasetIndexes, res)
	if err != nil {
		return err
	}
	if ok, err := s.countVariantsOnly(q, res, allowed); ok || err != nil {
		return err
	}
	normalizeFilterIDs(q)
	// Most queries have a few filters and parts: these live on the stack.
	var scopedBuf [4]scopedRows
	var partsBuf [6]*roaring.Bitmap
	scoped := scopedBuf[:0]
	for i := range q.Filters {
		sr, warn, err := s.filterRows(&q.Filters[i], q.Target)
		if err != nil {
			return err
		}
		if err := q.Budget.Spend(filterCost + int64(sr.rows.GetCardinality())); err != nil {
			return err
		}
		if warn != "" {
			res.Warnings = append(res.Warnings, warn)
		}
		scoped = append(scoped, sr)
	}
	var vrows *roaring.Bitmap
	if q.Variant != nil {
		if s.variants == nil {
			vrows = roaring.New()
		} else if vrows, err = s.matchVariants(q.Variant, q.Budget); err != nil {
			return err
		}
		if err := q.Budget.Spend(int64(vrows.GetCardinality())); err != nil {
			return err
		}
		if q.Target == release.GenomicVariation {
			scoped, vrows = s.narrowVariantsByCarriers(scoped, vrows, q.Budget)
		}
	}
	parts := partsBuf[:0]
	for i := range q.Groups {
		part, err := s.groupRows(&q.Groups[i], q, vrows, res, 1)
		if err != nil {
			return err
		}
		parts = append(parts, part)
	}
	if zfs := s.zygosityFilters(q, scoped); len(zfs) > 0 {
		var part *roaring.Bitmap
		if q.Target == release.GenomicVariation {
			scoped, part = s.applyAnchorZygosity(q, scoped, zfs)
			parts = append(parts, part)
		} else {
			scoped, part = s.applyZygosity(q, scoped, s.withAnchorVariants(q, vrows), zfs)
			parts, vrows = append(parts, part), nil
		}
		if err := q.Budget.Spend(int64(part.GetCardinality())); err != nil {
			return err
		}
	}
	for _, sr := range scoped {
		part := s.moveRows(sr.entity, sr.rows, q.Target, q.Budget)
		if err := q.Budget.Spend(int64(part.GetCardinality())); err != nil {
			return err
		}
		parts = append(parts, part)
	}
	if q.Anchor != nil {
		parts = append(parts, s.anchorRows(q.Anchor, q.Target))
	}
	if vrows != nil {
		if q.Target == release.GenomicVariation {
			parts = append(parts, vrows)
		} else {
			parts = s.addVariantPart(q.Target, target, parts, vrows, q.Budget)
		}
	}
	// A scan stopped by its meter left partial rows: they are never counted.
	if err := q.Budget.Err(); err != nil {
		return err
	}
	if q.CountOnly {
		countOnly(res, target, parts, allowed, s.datasets, q.Budget)
		return q.Budget.Err()
	}
	rows := index.Intersect(target.all, parts)
	if q.RowsOnly && len(allowed) == len(s.datasets) {
		countOnly(res, target, []*roaring.Bitmap{rows}, allowed, s.datasets, q.Budget)
		res.Rows = rows
		return q.Budget.Err()
	}
	s.splitRows(res, target, rows, allowed)
	return nil
}

// anchorRows returns the target rows linked to the anchor record (the record itself when the
// anchor is of the target entity).
func (s *Snapshot) anchorRows(a *Anchor, target release.Entity) *roaring.Bitmap {
	return s.translate(a.Entity, s.anchorRecordRows(a), target)
}
