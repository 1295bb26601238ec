package api

import (
	"fmt"
	"slices"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
)

// /filtering_terms and its per-entry and per-collection forms: the terms present in the
// datasets a caller may see, paged as the entry endpoints page records.

// filteringTerms answers /filtering_terms and its per-entry and per-collection forms.
func (s *Server) filteringTerms(ctx *fasthttp.RequestCtx, r Route) {
	caller, err := s.callerOf(ctx)
	if err != nil {
		s.writeUnauthorized(ctx, err)
		return
	}
	snap := s.eng.Snapshot()
	var scope release.Entity
	dataset := ""
	if r.Entry.ID != "" {
		scope = r.Entry.Entity
	}
	if r.ID != "" {
		switch scope {
		case release.Dataset:
			dataset, scope = r.ID, ""
		case release.Cohort:
			// A cohort covers the individuals of its dataset(s); list what those hold.
			scope = ""
			ds := snap.CohortDatasets(r.ID)
			if len(ds) == 0 {
				s.writeError(ctx, fasthttp.StatusNotFound, fmt.Sprintf("no cohort %q", r.ID), nil)
				return
			}
			dataset = ds[0]
		default:
			s.writeError(ctx, fasthttp.StatusNotFound, fmt.Sprintf("/%s/{id}/filtering_terms is not an endpoint; use /%s/filtering_terms", r.Entry.PathSegment, r.Entry.PathSegment), nil)
			return
		}
		if dataset != "" && !snap.HasDataset(dataset) {
			s.writeError(ctx, fasthttp.StatusNotFound, fmt.Sprintf("no dataset %q", dataset), nil)
			return
		}
	}
	// Only the terms present in datasets the caller may see: a term's presence alone can
	// tell something about a controlled dataset.
	var terms []engine.FilteringTerm
	switch visible, all := s.visibleDatasets(caller, snap); {
	case all:
		terms = snap.FilteringTerms(scope, dataset)
	case dataset != "":
		if slices.Contains(datasetIDsOf(snap, visible), dataset) {
			terms = snap.FilteringTerms(scope, dataset)
		}
	default:
		terms = snap.FilteringTermsIn(scope, visible)
	}
	args := ctx.QueryArgs()
	skip, err := nonNegative(args, ParamSkip)
	limit := s.defaultLimit()
	if err == nil && args.Has(ParamLimit) {
		limit, err = nonNegative(args, ParamLimit)
	}
	if err != nil {
		s.writeError(ctx, fasthttp.StatusBadRequest, err.Error(), nil)
		return
	}
	terms = termsPage(terms, skip, limit, s.maxLimit(), s.skipCountsPages())
	out := filteringTermsResponse{
		Meta: informationalMeta{BeaconID: s.cfg.BeaconID, APIVersion: s.cfg.APIVersion,
			ReturnedSchemas: []schemaRef{{EntityType: "filteringTerm", Schema: "beacon-filtering-terms-v2.0.0"}}},
		Response: filteringTermsResults{FilteringTerms: []filteringTerm{}, Resources: resourcesFor(engine.Prefixes(terms))},
	}
	for _, t := range terms {
		ft := filteringTerm{Type: t.Type, ID: t.ID, Label: t.Label, Values: t.Values}
		for _, e := range t.Scopes {
			ft.Scopes = append(ft.Scopes, string(e))
		}
		out.Response.FilteringTerms = append(out.Response.FilteringTerms, ft)
	}
	s.encode(ctx, fasthttp.StatusOK, out)
}

// termsPage is one page of filtering terms, paged as the entry endpoints page records:
// limit 0 or above max means max, skip counts pages of limit (or records, by configuration).
// The arithmetic is clamped, so that no skip or limit overflows the offset.
func termsPage(terms []engine.FilteringTerm, skip, limit, max int, skipPages bool) []engine.FilteringTerm {
	if limit <= 0 || limit > max {
		limit = max
	}
	offset := skip
	if skipPages {
		if skip > len(terms)/limit {
			return terms[:0]
		}
		offset = skip * limit
	}
	terms = terms[min(offset, len(terms)):]
	return terms[:min(limit, len(terms))]
}

// nonNegative reads skip or limit of /filtering_terms as a data request reads them: a
// non-negative integer, clamped to math.MaxInt32 before any arithmetic.
func nonNegative(args *fasthttp.Args, name string) (int, error) {
	if !args.Has(name) {
		return 0, nil
	}
	v := strings.TrimSpace(string(args.Peek(name)))
	if v == "" {
		return 0, nil
	}
	return parseCount(name, v)
}

type filteringTermsResponse struct {
	Meta     informationalMeta     `json:"meta"`
	Response filteringTermsResults `json:"response"`
}

type filteringTermsResults struct {
	FilteringTerms []filteringTerm `json:"filteringTerms"`
	Resources      []resource      `json:"resources"`
}

type filteringTerm struct {
	Type   string   `json:"type"`
	ID     string   `json:"id"`
	Label  string   `json:"label,omitempty"`
	Scopes []string `json:"scopes,omitempty"`
	Values []string `json:"values,omitempty"`
}
