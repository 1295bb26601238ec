package api

import (
	"github.com/bitbeacon/bitbeacon/auth"
	"github.com/bitbeacon/bitbeacon/engine"
)

// restrict narrows q to the datasets the caller may see: the request's datasetIds, when
// given, that the caller may see, written into buf; else every such dataset, as indexes
// (q.DatasetIndexes) from the snapshot's policy table, shared by callers without grants.
// recordAnchor says the route is a record path under an id
// (/individuals/{id}, /individuals/{id}/g_variants…), which a dataset seen only through its
// belowLevel never answers: one boolean per record is enough to rebuild each individual. It
// returns false when no dataset is left: the answer is then empty without evaluating
// anything.
func (s *Server) restrict(c *auth.Caller, snap *engine.Snapshot, q *engine.Query, recordAnchor bool, buf []string) ([]string, bool) {
	if !s.restricted {
		return buf, true
	}
	if len(q.DatasetIDs) == 0 {
		q.DatasetIndexes = s.policies(snap).visibleTo(s, c, recordAnchor)
		return buf, len(q.DatasetIndexes) > 0
	}
	buf = buf[:0]
	keep := func(id string) {
		a := s.access(c, id)
		if a.visible && !(recordAnchor && a.below) {
			buf = append(buf, id)
		}
	}
	// An id the release does not have is kept (configuration cannot name it, so it is
	// PUBLIC): the engine answers it empty with a warning.
	for _, id := range q.DatasetIDs {
		keep(id)
	}
	q.DatasetIDs = buf
	return buf, len(buf) > 0
}

// isRecordAnchor: the route is under the id of an individual, biosample, run, analysis or
// variant.
func isRecordAnchor(r Route) bool {
	if r.Kind != RouteEntry && r.Kind != RouteRelated {
		return false
	}
	return !r.Entry.Entity.IsCollection()
}

// visibleDatasets lists the release's datasets that caller may see, as indexes in
// snap.Datasets (all of them when no dataset is restricted: nil), for /filtering_terms and
// /aggregation_terms. The list may be shared: read only.
func (s *Server) visibleDatasets(c *auth.Caller, snap *engine.Snapshot) (ds []uint16, all bool) {
	if !s.restricted {
		return nil, true
	}
	ds = s.policies(snap).visibleTo(s, c, false)
	return ds, len(ds) == len(snap.Datasets())
}

// datasetIDsOf returns the ids of datasets given by index.
func datasetIDsOf(snap *engine.Snapshot, ds []uint16) []string {
	all := snap.Datasets()
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = all[d].ID
	}
	return out
}
