package engine

import (
	"fmt"
	"slices"
	"strings"
)

// maxDatasets is the most datasets one release may hold: a dataset is a uint16 index in
// every per-row column and query. No query path has a smaller bound: the usual few datasets
// and thousands alike are answered without allocating once a Result is reused.
const maxDatasets = 1<<16 - 1

// allowedDatasets maps requested dataset ids to indexes in manifest order, each once; none
// requested means the given indexes (already resolved by the caller) or, without them, all. An id the release does not hold is not an error: networks send every
// dataset id to every member, so it is skipped with a warning, and a request naming only
// such ids has no dataset to answer from. The answer is read only; it may live in res or be
// the snapshot's list of every dataset. Its cost follows the ids named, not the datasets
// held: they are looked up, sorted and deduplicated.
func (s *Snapshot) allowedDatasets(ids []string, indexes []uint16, res *Result) ([]uint16, error) {
	if len(ids) == 0 && indexes != nil {
		if n := len(indexes); n > 0 && int(indexes[n-1]) >= len(s.datasets) {
			return nil, fmt.Errorf("dataset index %d of a release of %d datasets", indexes[n-1], len(s.datasets))
		}
		return indexes, nil
	}
	if len(ids) == 0 {
		return s.everyDataset, nil
	}
	out := res.allowed[:0]
	var unknown []string
	for _, id := range ids {
		d, ok := s.datasetIndex[id]
		if !ok {
			unknown = append(unknown, id)
			continue
		}
		out = append(out, d)
	}
	if len(unknown) > 0 {
		res.Warnings = append(res.Warnings, unknownDatasetsWarning(unknown))
	}
	slices.Sort(out)
	out = slices.Compact(out)
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
