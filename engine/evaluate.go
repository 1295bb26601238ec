package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// QueryError is a query the engine cannot answer as asked; the API answers it with a 400.
type QueryError struct{ Msg string }

func (e *QueryError) Error() string { return e.Msg }

func badRequest(format string, args ...any) error {
	return &QueryError{Msg: fmt.Sprintf(format, args...)}
}

// IsQueryError reports whether err is the caller's fault.
func IsQueryError(err error) bool {
	var q *QueryError
	return errors.As(err, &q)
}

// Result is the answer to a Query: the matching rows of the target entity, split by dataset.
type Result struct {
	Target release.Entity
	// Rows holds every matching row of the target entity in the datasets the query may see
	// (nil for a CountOnly query).
	Rows *roaring.Bitmap
	// PerDataset has one entry per dataset of the release (in manifest order) that the query
	// was allowed to see, with the matching rows of that dataset.
	PerDataset []DatasetResult
	Total      uint64
	// Warnings explain parts of the query that matched nothing because the beacon does not
	// know them (unknown filter terms), so that a 0 is never silently a misunderstanding.
	Warnings []string
	// scratch is kept across EvaluateInto calls: what count queries work in.
	scratch countScratch
	allowed []uint16
}

// DatasetResult is the part of a Result that belongs to one dataset.
type DatasetResult struct {
	DatasetID string
	Rows      *roaring.Bitmap // nil for a CountOnly query
	Count     uint64
}

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
	allowed, err := s.allowedDatasets(q.DatasetIDs, res)
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
		} else if vrows, err = s.matchVariants(q.Variant); err != nil {
			return err
		}
		if err := q.Budget.Spend(int64(vrows.GetCardinality())); err != nil {
			return err
		}
		if q.Target == release.GenomicVariation {
			scoped, vrows = s.narrowVariantsByCarriers(scoped, vrows)
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
		part := s.translate(sr.entity, sr.rows, q.Target)
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
			parts = s.addVariantPart(q.Target, target, parts, vrows)
		}
	}
	if q.CountOnly {
		countOnly(res, target, parts, allowed, s.datasets)
		return nil
	}
	rows := intersect(target.all, parts)
	res.Rows = roaring.New()
	for _, d := range allowed {
		dr := roaring.And(rows, target.byDataset[d])
		c := dr.GetCardinality()
		res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: s.datasets[d].ID, Rows: dr, Count: c})
		res.Total += c
		res.Rows.Or(dr)
	}
	return nil
}

// probePerCall is what testing one candidate's carried variants against the match costs
// (a roaring Intersects, a few hundred ns) in units of what moving one carrier call of a
// matching variant costs (one word OR, under a ns). Weighed so, women carrying a variant in
// 1 Mb of popgen 2,504 × 10^6 count in 270 µs instead of 860 (docs/benchmarks.md#tuned-constants).
const probePerCall = 512

// probeRunPerCall is the same for a match that is one run of rows (a range or bracket with
// no long variant from elsewhere), where a probe is a roaring IntersectsWithInterval, a
// binary search instead of a walk over both bitmaps' containers: about 225 ns a probe
// against 1 ns a moved call at popgen 10^6 (docs/benchmarks.md#tuned-constants).
const probeRunPerCall = 256

// addVariantPart ANDs the matching variants into the query, planned cheapest-first. Moving
// the variants to the target sets one bit per carrier call of the matching variants; when the
// other parts already narrow individuals or biosamples to few candidates, it is cheaper to
// test each candidate's carried variants against the match instead.
func (s *Snapshot) addVariantPart(e release.Entity, target *table, parts []*roaring.Bitmap, vrows *roaring.Bitmap) []*roaring.Bitmap {
	if (e == release.Individual || e == release.Biosample) && len(parts) > 0 {
		cand := intersect(target.all, parts)
		perProbe := uint64(probePerCall)
		if _, _, ok := rowRun(vrows); ok {
			perProbe = probeRunPerCall
		}
		if s.variants != nil && s.variants.carriers.moveCostAbove(vrows, cand.GetCardinality()*perProbe) {
			return []*roaring.Bitmap{s.carryingAny(e, cand, vrows)}
		}
	}
	return append(parts, s.translate(release.GenomicVariation, vrows, e))
}

// narrowVariantsByCarriers plans variant queries with filters on individuals or biosamples
// cheapest-first, the mirror of addVariantPart: moving such a filter to variants ORs one
// carried-variants bitmap per matching biosample; when fewer variants match than the filter
// has rows, each matching variant's carriers are tested against the filter instead. Filters
// handled that way are removed from scoped.
func (s *Snapshot) narrowVariantsByCarriers(scoped []scopedRows, vrows *roaring.Bitmap) ([]scopedRows, *roaring.Bitmap) {
	kept := scoped[:0]
	for _, sr := range scoped {
		if (sr.entity != release.Individual && sr.entity != release.Biosample) ||
			vrows.GetCardinality() >= sr.rows.GetCardinality() {
			kept = append(kept, sr)
			continue
		}
		bios := s.translate(sr.entity, sr.rows, release.Biosample)
		narrowed := roaring.New()
		it := vrows.Iterator()
		for it.HasNext() {
			v := it.Next()
			if s.variants.carriers.intersects(v, bios) {
				narrowed.Add(v)
			}
		}
		vrows = narrowed
	}
	return kept, vrows
}

// carryingAny returns the candidate individuals or biosamples that carry any of the variants.
func (s *Snapshot) carryingAny(e release.Entity, cand, vrows *roaring.Bitmap) *roaring.Bitmap {
	out := roaring.New()
	lo, hi, run := rowRun(vrows)
	carries := func(b uint32) bool {
		v := s.variants.carriedBy
		if int(b) >= len(v) || v[b] == nil {
			return false
		}
		if run {
			return v[b].IntersectsWithInterval(lo, hi)
		}
		return v[b].Intersects(vrows)
	}
	it := cand.Iterator()
	for it.HasNext() {
		r := it.Next()
		if e == release.Biosample {
			if carries(r) {
				out.Add(r)
			}
			continue
		}
		for _, b := range s.biosamplesOfIndividual[r] {
			if carries(b) {
				out.Add(r)
				break
			}
		}
	}
	return out
}

// rowRun reports whether rows are one run [lo, hi), as the variants of a range are unless a
// long variant starting before it overlaps.
func rowRun(rows *roaring.Bitmap) (lo, hi uint64, ok bool) {
	if rows.IsEmpty() {
		return 0, 0, false
	}
	lo, hi = uint64(rows.Minimum()), uint64(rows.Maximum())+1
	return lo, hi, rows.GetCardinality() == hi-lo
}

// countOnly fills the per-dataset counts. No filter or a single one (the common case) is
// counted straight from the shared index bitmap, two over one dataset with one
// AndCardinality, more in res's reused word buffers when that is cheaper than building
// their intersection (countScratch.count).
func countOnly(res *Result, target *table, parts []*roaring.Bitmap, allowed []uint16, datasets []DatasetInfo) {
	var rows *roaring.Bitmap
	switch len(parts) {
	case 0:
		rows = target.all
	case 1:
		rows = parts[0]
	default:
		if len(parts) == 2 && len(allowed) == 1 && target.byDataset[allowed[0]].GetCardinality() == uint64(target.n) {
			// One dataset holding every row: the count is one AND of two.
			c := parts[0].AndCardinality(parts[1])
			res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: datasets[allowed[0]].ID, Count: c})
			res.Total = c
			return
		}
		if res.scratch.count(res, target, parts, allowed, datasets) {
			return
		}
		rows = intersect(target.all, parts)
	}
	for _, d := range allowed {
		c := countIn(rows, target.byDataset[d])
		res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: datasets[d].ID, Count: c})
		res.Total += c
	}
}

// countIn returns how many of rows are in a dataset's rows: by rank when those are one run
// (every row of a release of one dataset), where AndCardinality would visit every value of
// rows. The variants an individual carries at 10^7 variants are 460,000 rows: 160 µs.
func countIn(rows, dataset *roaring.Bitmap) uint64 {
	lo, hi, ok := rowRun(dataset)
	if !ok {
		return rows.AndCardinality(dataset)
	}
	n := rows.Rank(uint32(hi - 1))
	if lo > 0 {
		n -= rows.Rank(uint32(lo - 1))
	}
	return n
}

// intersect ANDs the parts, smallest first, starting from base (not modified).
func intersect(base *roaring.Bitmap, parts []*roaring.Bitmap) *roaring.Bitmap {
	if len(parts) == 0 {
		return base.Clone()
	}
	smallest := 0
	for i, p := range parts {
		if p.GetCardinality() < parts[smallest].GetCardinality() {
			smallest = i
		}
	}
	out := parts[smallest].Clone()
	for i, p := range parts {
		if i != smallest {
			out.And(p)
		}
	}
	out.And(base)
	return out
}

// emptyResult fills res for an entity the release has no record of.
func (s *Snapshot) emptyResult(res *Result) {
	res.Rows = roaring.New()
	for _, d := range s.datasets {
		res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: d.ID, Rows: roaring.New()})
	}
}

// firstIndexes serves allowedDatasets' "every dataset" answer without allocating.
var firstIndexes = func() (a [256]uint16) {
	for i := range a {
		a[i] = uint16(i)
	}
	return a
}()

// allowedDatasets maps requested dataset ids to indexes in manifest order, each once; none
// requested means all. An id the release does not hold is not an error: networks send every
// dataset id to every member, so it is skipped with a warning, and a request naming only
// such ids has no dataset to answer from. The answer is read only; it may live in res.
func (s *Snapshot) allowedDatasets(ids []string, res *Result) ([]uint16, error) {
	if len(ids) == 0 && len(s.datasets) <= len(firstIndexes) {
		return firstIndexes[:len(s.datasets)], nil
	}
	var wantBuf [256]bool // no allocation for the usual few datasets
	want := wantBuf[:]
	if len(s.datasets) > len(wantBuf) {
		want = make([]bool, len(s.datasets))
	}
	var unknown []string
	for _, id := range ids {
		d, ok := s.datasetIndex[id]
		if !ok {
			unknown = append(unknown, id)
			continue
		}
		want[d] = true
	}
	if len(unknown) > 0 {
		res.Warnings = append(res.Warnings, unknownDatasetsWarning(unknown))
	}
	out := res.allowed[:0]
	for i := range s.datasets {
		if len(ids) == 0 || want[i] {
			out = append(out, uint16(i))
		}
	}
	res.allowed = out
	return out, nil
}

// maxNamedDatasets bounds the unknown dataset ids a warning names.
const maxNamedDatasets = 5

func unknownDatasetsWarning(ids []string) string {
	var sb strings.Builder
	sb.WriteString("unknown dataset")
	if len(ids) > 1 {
		sb.WriteString("s")
	}
	for i, id := range ids[:min(len(ids), maxNamedDatasets)] {
		if i > 0 {
			sb.WriteString(",")
		}
		if len(id) > 80 {
			id = id[:80] + "…"
		}
		sb.WriteString(" " + quote(id))
	}
	if len(ids) > maxNamedDatasets {
		fmt.Fprintf(&sb, " and %d more", len(ids)-maxNamedDatasets)
	}
	sb.WriteString(": this beacon holds no such dataset; ignored")
	return sb.String()
}

// anchorRows returns the target rows linked to the anchor record (the record itself when the
// anchor is of the target entity).
func (s *Snapshot) anchorRows(a *Anchor, target release.Entity) *roaring.Bitmap {
	return s.translate(a.Entity, s.anchorRecordRows(a), target)
}

// RecordJSON returns the record of a row as it is served, nil for no such row. The bytes
// must not be changed: they are the stored record, shared, except for a variant whose
// caseLevelData is rendered from its carriers (most VCF and BFF variants; see
// AppendRecordJSON), for which each call allocates a new slice.
func (s *Snapshot) RecordJSON(e release.Entity, row uint32) []byte {
	t := s.tables[e]
	if t == nil || row >= t.n {
		return nil
	}
	if e == release.GenomicVariation && s.variants.cl.renders(row) {
		return s.variants.appendRecord(nil, row)
	}
	return t.record(row)
}

// AppendRecordJSON appends the record of a row as it is served to dst (dst unchanged for no
// such row). A variant stored without its caseLevelData gets it rendered from the carriers:
// `"caseLevelData":[{"biosampleId":<sample id>,"zygosity":{"id":..,"label":..}},...]`
// before the closing brace, in sample order, zygosity left out where the sample had none.
func (s *Snapshot) AppendRecordJSON(dst []byte, e release.Entity, row uint32) []byte {
	t := s.tables[e]
	if t == nil || row >= t.n {
		return dst
	}
	if e == release.GenomicVariation && s.variants.cl.renders(row) {
		return s.variants.appendRecord(dst, row)
	}
	return append(dst, t.record(row)...)
}

// Page returns up to limit rows of bm after skipping offset rows, in row order.
func Page(bm *roaring.Bitmap, offset, limit int, dst []uint32) []uint32 {
	dst = dst[:0]
	if limit <= 0 || offset < 0 || uint64(offset) >= bm.GetCardinality() {
		return dst
	}
	it := bm.Iterator()
	if offset > 0 {
		v, err := bm.Select(uint32(offset))
		if err != nil {
			return dst
		}
		it.AdvanceIfNeeded(v)
	}
	for it.HasNext() && len(dst) < limit {
		dst = append(dst, it.Next())
	}
	return dst
}
