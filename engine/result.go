package engine

import (
	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

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
	// Index is the dataset's position in Snapshot.Datasets: what per-dataset tables of its
	// callers (the API's access policy) are indexed by.
	Index uint16
	Rows  *roaring.Bitmap // nil for a CountOnly query
	Count uint64
}

// emptyResult fills res for an entity the release has no record of.
func (s *Snapshot) emptyResult(res *Result) {
	res.Rows = roaring.New()
	for i, d := range s.datasets {
		res.PerDataset = append(res.PerDataset, DatasetResult{DatasetID: d.ID, Index: uint16(i), Rows: roaring.New()})
	}
}
