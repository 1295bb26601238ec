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
// The decision is datasetPolicy.access's, on the dataset's compiled configuration
// (policy_table.go), which requests over many datasets read from a table per snapshot.
func (s *Server) access(c *auth.Caller, id string) datasetAccess {
	d := s.cfg.Dataset(id)
	p := datasetPolicy{cfg: d, ceiling: s.ceiling(d), visa: d.VisaValue(id)}
	return p.access(s, c)
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
// pol is the policy of the snapshot sets come from: with every dataset configured alike, the
// answer does not depend on how many sets there are.
func (s *Server) granularity(c *auth.Caller, requested Granularity, sets []engine.DatasetResult, listing bool, pol *policyTable) Granularity {
	g := min(requested, s.cfg.MaxGranularity())
	if len(sets) == 0 {
		return g
	}
	if pol.uniform {
		return min(g, pol.def) // the default dataset is PUBLIC: everyone gets its ceiling
	}
	for i := range sets {
		if g == Boolean {
			break // nothing is lower
		}
		p := pol.of(&sets[i])
		if listing {
			g = min(g, p.ceiling)
		} else {
			g = min(g, p.access(s, c).g)
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
