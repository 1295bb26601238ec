package ingest

import (
	"fmt"
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
)

// Sample columns: which biosamples and individuals the VCFs' sample columns are.

// sampleIDs collects the biosample and individual ids of a run, to match VCF sample columns
// to biosamples.
type sampleIDs struct {
	order      []string // biosample ids in the order written
	biosamples map[string]bool
	// byIndividual lists the biosamples of each individual; individuals holds every
	// individual id (with or without biosamples).
	byIndividual map[string][]string
	individuals  map[string]bool
}

func (s *sampleIDs) note(e release.Entity, r *release.Record) {
	switch e {
	case release.Biosample:
		if s.biosamples == nil {
			s.biosamples = map[string]bool{}
			s.byIndividual = map[string][]string{}
		}
		s.biosamples[r.ID] = true
		s.order = append(s.order, r.ID)
		if r.IndividualID != "" {
			s.byIndividual[r.IndividualID] = append(s.byIndividual[r.IndividualID], r.ID)
		}
	case release.Individual:
		if s.individuals == nil {
			s.individuals = map[string]bool{}
		}
		s.individuals[r.ID] = true
	}
}

func (s *sampleIDs) empty() bool { return len(s.biosamples) == 0 && len(s.individuals) == 0 }

// matchSamples gives every sample column its carrier id: the biosample of that id; else the
// only biosample of the individual of that id; else the column name as it is (the engine
// resolves a carrier by biosample id, then by individual id). It returns the column names
// that name no biosample (only when the run has metadata to match against), and how many of
// them are individual ids (with no or several biosamples).
func (vf *vcfFile) matchSamples(ids *sampleIDs) (unmatched []string, individuals int) {
	n := len(vf.hdr.samples)
	vf.carrierIDs = make([]string, n)
	for i, name := range vf.hdr.samples {
		id := name
		switch {
		case ids.empty(), ids.biosamples[name]:
		case len(ids.byIndividual[name]) == 1:
			id = ids.byIndividual[name][0]
		default:
			unmatched = append(unmatched, name)
			if ids.individuals[name] || len(ids.byIndividual[name]) > 0 {
				individuals++
			}
		}
		vf.carrierIDs[i] = id
	}
	return unmatched, individuals
}

// vcfSamples matches the sample columns of every VCF of the run to its biosamples, warns
// about those that match none, and returns the run's sample list: the carrier id of every
// column, file after file (each file's sampleBase set), for DatasetWriter.SetSamples.
func (st *runState) vcfSamples(vcfs []*vcfFile) ([]string, error) {
	var all []string
	for _, vf := range vcfs {
		if uint64(len(all))+uint64(len(vf.hdr.samples)) > 1<<32-1 {
			return nil, fmt.Errorf("ingest: %s: more than 2^32-1 samples in the run's VCFs", vf.path)
		}
		vf.sampleBase = uint32(len(all))
		unmatched, individuals := vf.matchSamples(&st.sampleIDs)
		all = append(all, vf.carrierIDs...)
		if len(unmatched) == 0 {
			continue
		}
		examples := unmatched[:min(len(unmatched), 5)]
		msg := fmt.Sprintf("%d of %d sample columns name no biosample of this run, nor an individual with exactly one biosample (e.g. %s); their names are kept as carrier ids",
			len(unmatched), len(vf.hdr.samples), strings.Join(examples, ", "))
		if individuals > 0 {
			msg += fmt.Sprintf(" (%d of them are individual ids, which queries resolve to the individual)", individuals)
		}
		st.warns.add(vf.path, -1, []Warning{{Field: "samples", Msg: msg}})
		vf.unmatched, vf.unmatchedExamples = len(unmatched), examples
	}
	for _, vf := range vcfs {
		vf.runSamples = uint32(len(all))
	}
	return all, nil
}
