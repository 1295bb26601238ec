package api

import (
	"github.com/bitbeacon/bitbeacon/auth"
	"github.com/bitbeacon/bitbeacon/engine"
)

// The access, granularity and paging policy: what a caller may see of each dataset and how
// much of it per page.

// datasetAccess is what one caller may see of one dataset.
type datasetAccess struct {
	// visible: the dataset takes part in the caller's answers at all. When false nothing of
	// it leaves: no result set, no count, no part in exists.
	visible bool
	// below: the caller is below the dataset's securityLevel and sees it only through its
	// belowLevel (boolean or count); record paths under an id never answer from it.
	below bool
	// g is the most that may leave about the dataset.
	g Granularity
}

// access is the one place deciding what a caller may see of a dataset: a caller at the
// dataset's securityLevel (PUBLIC: everyone; REGISTERED: a verified token; CONTROLLED: a
// verified grant whose value is the dataset's visa) gets up to its ceiling; a caller below
// it gets its belowLevel (default none: invisible).
func (s *Server) access(c *auth.Caller, id string) datasetAccess {
	d := s.cfg.Dataset(id)
	g := s.ceiling(d)
	var allowed bool
	switch d.SecurityLevel {
	case SecurityPublic:
		allowed = true
	case SecurityRegistered:
		allowed = c.Registered()
	case SecurityControlled:
		allowed = c.HasGrant(d.VisaValue(id), s.now())
	}
	if allowed {
		return datasetAccess{visible: true, g: g}
	}
	switch d.BelowLevel {
	case "boolean":
		return datasetAccess{visible: true, below: true, g: min(g, Boolean)}
	case "count":
		return datasetAccess{visible: true, below: true, g: min(g, Count)}
	}
	return datasetAccess{}
}

// ceiling is the most any caller may get of dataset d: its maxGranularity and the beacon's.
func (s *Server) ceiling(d DatasetConfig) Granularity {
	return min(d.MaxGranularityValue(), s.cfg.MaxGranularity())
}

// granularity is the one decision of how much an answer may say: min(requested, the beacon's
// maximum, what the caller may see (access) of every dataset in sets, the datasets that
// contribute to the answer). A beacon may answer below the requested level and says so in
// meta.returnedGranularity, never above it. A listing of dataset descriptions (listing) is
// capped by each dataset's ceiling whoever asks: descriptions are for everyone, and a
// listing holds no count of any dataset's content. With no sets (before evaluating) it is
// what the request may get at most, so that a boolean or count answer builds no record rows.
func (s *Server) granularity(c *auth.Caller, requested Granularity, sets []engine.DatasetResult, listing bool) Granularity {
	g := min(requested, s.cfg.MaxGranularity())
	for _, d := range sets {
		if listing {
			g = min(g, s.ceiling(s.cfg.Dataset(d.DatasetID)))
		} else {
			g = min(g, s.access(c, d.DatasetID).g)
		}
	}
	return g
}

func (s *Server) defaultGranularity() Granularity { return s.cfg.DefaultGranularity() }

// defaultLimit is the page size of a request that gives none, maxLimit the largest page.
func (s *Server) defaultLimit() int {
	def, _ := s.cfg.Pagination.pageLimits()
	return def
}

func (s *Server) maxLimit() int {
	_, max := s.cfg.Pagination.pageLimits()
	return max
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
