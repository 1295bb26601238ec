package engine

import "github.com/bitbeacon/bitbeacon/release"

// normalizeFilterIDs folds the ids of q's filters as ingest folds the records' ("GENO:GENO_0000136"
// is "GENO:0000136", release.NormalizeCURIE), so that either spelling finds the same records.
func normalizeFilterIDs(q *Query) {
	for i := range q.Filters {
		if id, ok := release.NormalizeCURIE(q.Filters[i].ID); ok {
			q.Filters[i].ID = id
		}
	}
}
