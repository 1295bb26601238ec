package api

import (
	"sync/atomic"

	"github.com/bitbeacon/bitbeacon/auth"
	"github.com/bitbeacon/bitbeacon/engine"
)

// The access policy compiled per snapshot: an archive's Beacon holds thousands of datasets,
// and a request must not look up and parse each one's configuration, nor rebuild the list of
// datasets it may see, every time. A policyTable holds each dataset's compiled policy by its
// index in the snapshot (engine.DatasetResult.Index), and the datasets visible to the two
// kinds of caller whose view does not depend on their grants: anonymous and registered.

// datasetPolicy is one dataset's configuration as a request reads it.
type datasetPolicy struct {
	cfg     DatasetConfig
	ceiling Granularity // the most any caller gets (Server.ceiling)
	visa    string      // the grant that opens a CONTROLLED dataset
}

// access is what caller c may see of the dataset (Server.access decides, this applies it).
func (p *datasetPolicy) access(s *Server, c *auth.Caller) datasetAccess {
	var allowed bool
	switch p.cfg.SecurityLevel {
	case SecurityPublic:
		allowed = true
	case SecurityRegistered:
		allowed = c.Registered()
	case SecurityControlled:
		allowed = c.HasGrant(p.visa, s.now())
	}
	if allowed {
		return datasetAccess{visible: true, g: p.ceiling}
	}
	switch p.cfg.BelowLevel {
	case "boolean":
		return datasetAccess{visible: true, below: true, g: min(p.ceiling, Boolean)}
	case "count":
		return datasetAccess{visible: true, below: true, g: min(p.ceiling, Count)}
	}
	return datasetAccess{}
}

// policyTable is the compiled policy of every dataset of one snapshot.
type policyTable struct {
	snap *engine.Snapshot
	ds   []datasetPolicy
	// uniform: every dataset has the default configuration (nothing configured names one),
	// whose ceiling is def.
	uniform bool
	def     Granularity
	// controlled: some dataset is CONTROLLED, so a caller's view may depend on its grants.
	controlled bool
	// visible[registered][recordAnchor] are the datasets a caller without grants may read
	// (Server.restrict), by index, ascending.
	visible [2][2][]uint16
}

// policyTableCache holds the table of the snapshot last served; a reload builds the next.
type policyTableCache struct{ p atomic.Pointer[policyTable] }

// policies returns the compiled policy of snap's datasets, built once per snapshot.
func (s *Server) policies(snap *engine.Snapshot) *policyTable {
	if p := s.policyCache.p.Load(); p != nil && p.snap == snap {
		return p
	}
	p := s.compilePolicies(snap)
	s.policyCache.p.Store(p)
	return p
}

func (s *Server) compilePolicies(snap *engine.Snapshot) *policyTable {
	ds := snap.Datasets()
	p := &policyTable{snap: snap, ds: make([]datasetPolicy, len(ds)), uniform: true, def: s.ceiling(DefaultDatasetConfig(""))}
	for i, d := range ds {
		cfg := s.cfg.Dataset(d.ID)
		if _, ok := s.cfg.Datasets[d.ID]; ok {
			p.uniform = false
		}
		p.ds[i] = datasetPolicy{cfg: cfg, ceiling: s.ceiling(cfg), visa: cfg.VisaValue(d.ID)}
		p.controlled = p.controlled || cfg.SecurityLevel == SecurityControlled
	}
	for reg, c := range []*auth.Caller{nil, {Level: auth.Registered}} {
		for anchor := range 2 {
			var out []uint16
			for i := range p.ds {
				if a := p.ds[i].access(s, c); a.visible && !(anchor == 1 && a.below) {
					out = append(out, uint16(i))
				}
			}
			if out == nil {
				out = []uint16{}
			}
			p.visible[reg][anchor] = out
		}
	}
	return p
}

// of returns the policy of a result set's dataset.
func (p *policyTable) of(d *engine.DatasetResult) *datasetPolicy { return &p.ds[d.Index] }

// visibleTo returns the datasets caller c may read (all but those below their level on a
// record path when recordAnchor), by index, never nil: shared (read only) when c holds no
// grant that matters, else built for c.
func (p *policyTable) visibleTo(s *Server, c *auth.Caller, recordAnchor bool) []uint16 {
	anchor := 0
	if recordAnchor {
		anchor = 1
	}
	if !p.controlled || !c.HasGrants() {
		reg := 0
		if c.Registered() {
			reg = 1
		}
		return p.visible[reg][anchor]
	}
	out := []uint16{}
	for i := range p.ds {
		if a := p.ds[i].access(s, c); a.visible && !(recordAnchor && a.below) {
			out = append(out, uint16(i))
		}
	}
	return out
}
