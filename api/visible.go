package api

import (
	"github.com/bitbeacon/bitbeacon/auth"
	"github.com/bitbeacon/bitbeacon/engine"
)

// restrict narrows q to the datasets the caller may see, writing the dataset list into buf
// (the request's datasetIds, when given, stay the upper bound). recordAnchor says the route
// is a record path under an id (/individuals/{id}, /individuals/{id}/g_variants…), which a
// dataset seen only through its belowLevel never answers: one boolean per record is enough
// to rebuild each individual. It returns false when no dataset is left: the answer is then
// empty without evaluating anything.
func (s *Server) restrict(c *auth.Caller, snap *engine.Snapshot, q *engine.Query, recordAnchor bool, buf []string) ([]string, bool) {
	if !s.restricted {
		return buf, true
	}
	buf = buf[:0]
	keep := func(id string) {
		a := s.access(c, id)
		if a.visible && !(recordAnchor && a.below) {
			buf = append(buf, id)
		}
	}
	if len(q.DatasetIDs) > 0 {
		// An id the release does not have is kept (configuration cannot name it, so it is
		// PUBLIC): the engine answers it empty with a warning.
		for _, id := range q.DatasetIDs {
			keep(id)
		}
	} else {
		for _, d := range snap.Datasets() {
			keep(d.ID)
		}
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

// visibleDatasetIDs lists the release's datasets that caller may see (all of them when no
// dataset is restricted), for /filtering_terms.
func (s *Server) visibleDatasetIDs(c *auth.Caller, snap *engine.Snapshot) (ids []string, all bool) {
	if !s.restricted {
		return nil, true
	}
	for _, d := range snap.Datasets() {
		if s.access(c, d.ID).visible {
			ids = append(ids, d.ID)
		}
	}
	return ids, len(ids) == len(snap.Datasets())
}
