package api

import "github.com/bitbeacon/bitbeacon/engine"

// The granularity and paging policy: what a request may see and how much of it per page.

// returnedGranularity is min(requested, the beacon's maximum, the maximum of every dataset
// that contributes to the answer): a beacon may answer below the requested level and says
// so in meta.returnedGranularity, never above it.
func (s *Server) returnedGranularity(requested Granularity, res *engine.Result) Granularity {
	g := min(requested, s.cfg.MaxGranularity())
	for _, d := range res.PerDataset {
		g = min(g, s.datasetMax(d.DatasetID))
	}
	return g
}

// datasetMax is the most a caller may see of a dataset. No caller is authenticated yet, so
// a REGISTERED or CONTROLLED dataset is capped at boolean: its counts and records never
// leave without a verified grant.
func (s *Server) datasetMax(id string) Granularity {
	d := s.cfg.Dataset(id)
	if d.SecurityLevel != SecurityPublic {
		return Boolean
	}
	return d.MaxGranularityValue()
}

func (s *Server) defaultGranularity() Granularity { return s.cfg.DefaultGranularity() }

func (s *Server) defaultLimit() int {
	if s.cfg.Pagination.DefaultLimit > 0 {
		return s.cfg.Pagination.DefaultLimit
	}
	return 10
}

func (s *Server) maxLimit() int {
	if s.cfg.Pagination.MaxLimit > 0 {
		return s.cfg.Pagination.MaxLimit
	}
	return 1000
}

// skipCountsPages is the spec's reading of skip ("number of pages to skip"); a
// configuration may switch to record offsets, which many clients assume.
func (s *Server) skipCountsPages() bool { return s.cfg.Pagination.SkipUnit != "records" }

// beaconHandovers are the configured handovers offered for the whole beacon.
func (s *Server) beaconHandovers() []handover {
	var out []handover
	for _, h := range s.cfg.Handovers {
		if len(h.DatasetIDs) == 0 {
			out = append(out, handover{HandoverType: ontologyTerm{ID: h.HandoverType.ID, Label: h.HandoverType.Label}, URL: h.URLFor(""), Note: h.Note})
		}
	}
	return out
}

// datasetHandovers are the handovers of one result set (those naming the dataset).
func (s *Server) datasetHandovers(datasetID string) []handover {
	var out []handover
	for _, h := range s.cfg.Handovers {
		if len(h.DatasetIDs) > 0 && h.AppliesTo(datasetID) {
			out = append(out, handover{HandoverType: ontologyTerm{ID: h.HandoverType.ID, Label: h.HandoverType.Label}, URL: h.URLFor(datasetID), Note: h.Note})
		}
	}
	return out
}
