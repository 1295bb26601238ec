package api

import (
	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
)

// Count precision (Beacon v2.2 countPrecision) of an adjusted count.
const (
	precisionImprecise = "imprecise"
	precisionRounded   = "rounded"
)

// countAdjustment (resultsets.go) says how a count was changed before it left.

// peopleEntity: the entities whose counts are counts of people (or of their samples and
// data), which thresholds protect. Variant answers are protected through their carriers.
func peopleEntity(e release.Entity) bool {
	return e == release.Individual || e == release.Biosample || e == release.Run || e == release.Analysis
}

// applyThresholds applies each dataset's countThreshold and countRounding to res, in
// place: a set of people smaller than K is answered as 0 (or as K, imprecise) and loses its
// records; counts are rounded up to a multiple of N. For a variant answer the set is the
// individuals carrying the matching variants (support, evaluated only when a threshold is
// configured): the known membership attack asks exactly "does anyone carry this allele".
// It returns the adjustment of each result set (nil when none) and of the total.
func (s *Server) applyThresholds(snap *engine.Snapshot, q *engine.Query, res *engine.Result, support *engine.Result) ([]countAdjustment, countAdjustment, error) {
	if !s.thresholds || (!peopleEntity(res.Target) && res.Target != release.GenomicVariation) {
		return nil, countAdjustment{}, nil
	}
	var carriers []engine.DatasetResult // by dataset, ascending, as res.PerDataset
	if res.Target == release.GenomicVariation {
		sq := *q
		sq.Target, sq.CountOnly = release.Individual, true
		if err := snap.EvaluateInto(&sq, support); err != nil {
			return nil, countAdjustment{}, err
		}
		carriers = support.PerDataset
	}
	pol := s.policies(snap)
	var adjust []countAdjustment
	var total countAdjustment
	res.Total = 0
	for i := range res.PerDataset {
		d := &res.PerDataset[i]
		if d.Count == 0 {
			continue // nothing to protect, nothing to round
		}
		cfg := &pol.of(d).cfg
		var a countAdjustment
		if carriers != nil {
			for len(carriers) > 0 && carriers[0].Index < d.Index {
				carriers = carriers[1:]
			}
			var people uint64
			if len(carriers) > 0 && carriers[0].Index == d.Index {
				people = carriers[0].Count
			}
			if k := uint64(cfg.CountThreshold); people < k {
				suppress(d)
			}
		} else {
			a = adjustCount(d, *cfg)
		}
		res.Total += d.Count
		if a.adjusted() {
			if adjust == nil {
				adjust = make([]countAdjustment, len(res.PerDataset))
			}
			adjust[i] = a
			if total.Precision != precisionImprecise {
				total = a // imprecise, the weaker claim, wins over rounded
			}
		}
	}
	return adjust, total, nil
}

// adjustCount applies countThreshold and countRounding to one dataset's count of people.
func adjustCount(d *engine.DatasetResult, cfg DatasetConfig) countAdjustment {
	n, k := d.Count, uint64(cfg.CountThreshold)
	if n == 0 {
		return countAdjustment{}
	}
	if n < k {
		suppress(d)
		if cfg.ThresholdAnswer != "threshold" {
			return countAdjustment{}
		}
		d.Count = k
		return countAdjustment{Precision: precisionImprecise, AdjustedTo: []any{k}}
	}
	if r := uint64(cfg.CountRounding); r > 1 && n%r != 0 {
		d.Count = (n/r + 1) * r
		return countAdjustment{Precision: precisionRounded, AdjustedTo: []any{r}}
	}
	return countAdjustment{}
}

// suppress empties a dataset's result: count 0, no records.
func suppress(d *engine.DatasetResult) {
	d.Count = 0
	if d.Rows != nil {
		d.Rows = roaring.New()
	}
}
