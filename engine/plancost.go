package engine

import (
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
)

// PlanCost estimates, before the evaluation, the work units (rows touched, as Budget
// counts them) a query's filters cost: for each filter (OR-group members included) its
// fixed cost, the rows its term holds (a lookup of the term's count), or for a field the
// rows its values match (a LIKE pattern: every distinct value of the field scanned and, at
// worst, every row of the entity matched), and the move of those rows to the target, which
// is where a filter's cost grows most (to variants: one union of carried variants per
// matching biosample, engine.variantsOf). Only counts are read: no bitmap is opened or
// built, no allocation. The API admits a query whose estimate passes a bound through a
// heavy-query slot (api/admission.go).
func (s *Snapshot) PlanCost(q *Query) int64 {
	var cost int64
	for i := range q.Filters {
		cost += s.filterPlanCost(&q.Filters[i], q.Target)
	}
	for i := range q.Groups {
		cost += s.groupPlanCost(&q.Groups[i], q.Target)
	}
	return cost
}

func (s *Snapshot) groupPlanCost(g *FilterGroup, target release.Entity) int64 {
	var cost int64
	for i := range g.Filters {
		cost += s.filterPlanCost(&g.Filters[i], target)
	}
	for i := range g.Groups {
		cost += s.groupPlanCost(&g.Groups[i], target)
	}
	return cost
}

// likePerValue is what testing one distinct value against a LIKE pattern costs (lower
// casing and matching it, about 50 ns) in units of a row touched (about a ns).
const likePerValue = 64

// unionPerBitmap is what ORing one biosample's carried variants into a union costs beyond
// its rows (a roaring Or call, its containers' headers: about 0.5 µs) in units of a row.
// Measured on the demo (2,504 samples): one sex filter on /g_variants ORs 1,268 bitmaps of
// a few dozen variants each in 0.7 to 1.6 ms.
const unionPerBitmap = 512

// filterPlanCost is one filter's share of PlanCost, on the scope filterRows would find.
func (s *Snapshot) filterPlanCost(f *Filter, target release.Entity) int64 {
	scopes, n := s.scopes(f, target)
	for _, e := range scopes[:n] {
		t := s.tables[e]
		if t == nil {
			continue
		}
		var rows, scan int64
		if f.Kind == AlphanumericFilter {
			var buf [4]string
			paths := s.fieldPaths(t, f.ID, buf[:0])
			if len(paths) == 0 {
				continue
			}
			for _, p := range paths {
				distinct := int64(t.values.Distinct(p))
				switch {
				case strings.IndexByte(f.Value, '%') >= 0:
					scan += distinct * likePerValue
					rows = int64(t.n)
				case f.Operator == "" || f.Operator == "=":
					rows += int64(t.n) / max(distinct, 1)
				default: // a comparison or a negation: most of the rows, at worst
					rows = int64(t.n)
				}
			}
			rows = min(rows, int64(t.n))
		} else {
			id := f.ID
			if c, ok := release.NormalizeCURIE(id); ok {
				id = c
			}
			rows = int64(t.terms.Count(id, f.IncludeDescendants && f.Kind == OntologyFilter))
			if rows == 0 {
				continue
			}
		}
		return filterCost + scan + rows + s.moveCost(e, rows, target)
	}
	return filterCost
}

// moveCost is what moving rows of entity from to entity to costs: the rows of the target
// they reach, and to or from variants the carrier calls behind them.
func (s *Snapshot) moveCost(from release.Entity, rows int64, to release.Entity) int64 {
	if from == to || rows == 0 {
		return 0
	}
	if from.IsCollection() || to.IsCollection() {
		if t := s.tables[to]; t != nil {
			return int64(t.n)
		}
		return 0
	}
	perBio, perVariant := s.callsPerRow()
	switch {
	case to == release.GenomicVariation:
		return rows * (perBio + unionPerBitmap)
	case from == release.GenomicVariation:
		return rows * perVariant
	}
	return rows
}

// callsPerRow is the mean number of variants a biosample carries and of carriers a
// variant has (at least 1 each), counted once per snapshot.
func (s *Snapshot) callsPerRow() (perBiosample, perVariant int64) {
	s.callsOnce.Do(func() {
		s.perBiosample, s.perVariant = 1, 1
		if s.variants == nil {
			return
		}
		var calls uint64
		bios := 0
		for _, bm := range s.variants.carriedBy {
			if bm != nil {
				calls += bm.GetCardinality()
				bios++
			}
		}
		if bios > 0 {
			s.perBiosample = max(1, int64(calls)/int64(bios))
		}
		if n := s.variants.all.GetCardinality(); n > 0 {
			s.perVariant = max(1, int64(calls)/int64(n))
		}
	})
	return s.perBiosample, s.perVariant
}
