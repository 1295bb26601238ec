package api

import (
	"strconv"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
)

// Result sets at every granularity (Beacon v2.2): a boolean or count answer also says which
// datasets matched, one set per dataset with only id, setType and exists (and resultsCount
// at count), so that aggregators can tell the datasets apart without records. The v2.1.1
// boolean and count response schemas allow the extra response section.

// KeepResultSet reports whether includeResultsetResponses mode (HIT, MISS, ALL or NONE;
// anything else reads as HIT, the default) keeps a result set that exists or not. The
// network applies it to its members' sets too, so both read the mode the same way.
func KeepResultSet(mode string, exists bool) bool {
	switch mode {
	case "NONE":
		return false
	case "ALL":
		return true
	case "MISS":
		return !exists
	default: // HIT
		return exists
	}
}

// countAdjustment says how a count was changed before it was sent, in the Beacon v2.2 terms:
// Precision "imprecise" (a count under a threshold reported as the threshold) or "rounded"
// (rounded up to a multiple), and AdjustedTo what it was adjusted to (numbers or phrases).
// The zero value is an exact count, about which nothing is written.
type countAdjustment struct {
	Precision  string
	AdjustedTo []any
}

func (a countAdjustment) adjusted() bool { return a.Precision != "" }

// appendSummarySets writes {"resultSets":[...]} for a boolean or count answer: the datasets
// of sets that mode keeps, with their counts when g is Count. adjust, when not nil, holds
// each set's count adjustment (parallel to sets), freqs each set's frequencyInPopulations,
// aggs each set's resultsAggregation.
func appendSummarySets(b []byte, sets []engine.DatasetResult, adjust []countAdjustment, freqs, aggs [][]byte, mode string, g Granularity) []byte {
	b = append(b, `{"resultSets":[`...)
	n := 0
	for i, d := range sets {
		exists := d.Count > 0
		if !KeepResultSet(mode, exists) {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, `{"id":`...)
		b = release.AppendJSONString(b, d.DatasetID)
		b = append(b, `,"setType":"dataset","exists":`...)
		b = strconv.AppendBool(b, exists)
		if g >= Count {
			b = append(b, `,"resultsCount":`...)
			b = strconv.AppendUint(b, d.Count, 10)
			if adjust != nil {
				b = appendCountAdjustment(b, adjust[i])
			}
			if freqs != nil && freqs[i] != nil {
				b = append(b, `,"frequencyInPopulations":`...)
				b = append(b, freqs[i]...)
			}
			if aggs != nil && aggs[i] != nil {
				b = append(b, `,"resultsAggregation":`...)
				b = append(b, aggs[i]...)
			}
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendCountAdjustment writes ,"countPrecision":…,"countAdjustedTo":[…] for an adjusted
// count and nothing for an exact one.
func appendCountAdjustment(b []byte, a countAdjustment) []byte {
	if !a.adjusted() {
		return b
	}
	b = append(b, `,"countPrecision":`...)
	b = release.AppendJSONString(b, a.Precision)
	if len(a.AdjustedTo) > 0 {
		b = append(b, `,"countAdjustedTo":`...)
		b = appendEncoded(b, a.AdjustedTo)
	}
	return b
}
