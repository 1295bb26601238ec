package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
)

// Beacon v1.1 /query, answered from the same engine as the v2 endpoints so that a bitbeacon
// can join the networks that still speak v1 (most of the GA4GH network's members).
// Coordinates are v1.1's: 0-based, as in v2; start/end are a sequence or range query,
// startMin/startMax/endMin/endMax a bracket query whose bounds are inclusive (v1), so
// startMax and endMax become the v2 bracket's exclusive ends plus one.

// V1APIVersion is the apiVersion of the v1 answers.
const V1APIVersion = "v1.1.0"

// v1Params are the v1 request parameters, as received (strings, so that the echo in
// alleleRequest is what the client sent, normalised by the v2 parser where it checks).
type v1Params struct {
	ReferenceName, ReferenceBases, AlternateBases, VariantType, AssemblyID string
	Start, End, StartMin, StartMax, EndMin, EndMax                         string
	DatasetIDs                                                             []string
	IncludeDatasetResponses                                                string
}

func (p *v1Params) set(name, v string) error {
	switch name {
	case ParamReferenceName:
		p.ReferenceName = v
	case ParamStart:
		p.Start = v
	case ParamEnd:
		p.End = v
	case V1ParamStartMin:
		p.StartMin = v
	case V1ParamStartMax:
		p.StartMax = v
	case V1ParamEndMin:
		p.EndMin = v
	case V1ParamEndMax:
		p.EndMax = v
	case ParamReferenceBases:
		p.ReferenceBases = v
	case ParamAlternateBases:
		p.AlternateBases = v
	case ParamVariantType:
		p.VariantType = v
	case ParamAssemblyID:
		p.AssemblyID = v
	case ParamDatasetIDs:
		for _, id := range appendItems(nil, v) {
			if id = strings.TrimSpace(id); id != "" {
				p.DatasetIDs = append(p.DatasetIDs, id)
			}
		}
	case V1ParamIncludeDatasetResponses:
		p.IncludeDatasetResponses = strings.ToUpper(strings.TrimSpace(v))
	default:
		return reqErrorf("unknown v1 parameter %s", quote(name))
	}
	return nil
}

// parseV1 reads the v1 parameters from the query string (GET) or a flat JSON object (POST).
func parseV1(ctx *fasthttp.RequestCtx) (*v1Params, error) {
	p := &v1Params{}
	if ctx.IsPost() {
		var body map[string]any
		if err := json.Unmarshal(ctx.PostBody(), &body); err != nil {
			return nil, reqErrorf("the body is not a JSON object: %v", err)
		}
		for k, v := range body {
			var s string
			switch v := v.(type) {
			case string:
				s = v
			case float64:
				s = strconv.FormatFloat(v, 'f', -1, 64)
			case []any:
				var parts []string
				for _, it := range v {
					str, ok := it.(string)
					if !ok {
						return nil, reqErrorf("%s must be a list of strings", quote(k))
					}
					parts = append(parts, str)
				}
				s = JoinList(parts) // read back by set's appendItems
			case nil:
				continue
			default:
				return nil, reqErrorf("%s must be a string or a number", quote(k))
			}
			if err := p.set(k, s); err != nil {
				return nil, err
			}
		}
	} else {
		for k, v := range ctx.QueryArgs().All() {
			if err := p.set(string(k), string(v)); err != nil {
				return nil, err
			}
		}
	}
	switch p.IncludeDatasetResponses {
	case "":
		p.IncludeDatasetResponses = "NONE"
	case "ALL", "HIT", "MISS", "NONE":
	default:
		return nil, reqErrorf("includeDatasetResponses must be one of ALL, HIT, MISS, NONE; got %s", quote(p.IncludeDatasetResponses))
	}
	if p.ReferenceName == "" {
		return nil, reqErrorf("referenceName is required")
	}
	if p.AssemblyID == "" {
		return nil, reqErrorf("assemblyId is required")
	}
	bracket := p.StartMin != "" || p.StartMax != "" || p.EndMin != "" || p.EndMax != ""
	switch {
	case bracket && (p.Start != "" || p.End != ""):
		return nil, reqErrorf("give start (and end), or startMin, startMax, endMin and endMax, not both")
	case bracket && (p.StartMin == "" || p.StartMax == "" || p.EndMin == "" || p.EndMax == ""):
		return nil, reqErrorf("a bracket query needs all of startMin, startMax, endMin and endMax")
	case !bracket && p.Start == "":
		return nil, reqErrorf("start (or startMin, startMax, endMin and endMax) is required")
	}
	return p, nil
}

// v2Args writes the v2 GET parameters of the same query into a.
func (p *v1Params) v2Args(a *fasthttp.Args) error {
	a.Set(ParamReferenceName, p.ReferenceName)
	a.Set(ParamAssemblyID, p.AssemblyID)
	if p.StartMin != "" {
		var vals [4]int64
		for i, s := range []string{p.StartMin, p.StartMax, p.EndMin, p.EndMax} {
			n, err := parseCoord([]string{V1ParamStartMin, V1ParamStartMax, V1ParamEndMin, V1ParamEndMax}[i], strings.TrimSpace(s))
			if err != nil {
				return err
			}
			vals[i] = n
		}
		if vals[0] > vals[1] || vals[2] > vals[3] {
			return reqErrorf("startMin must not exceed startMax, nor endMin endMax")
		}
		a.Set(ParamStart, fmt.Sprintf("%d,%d", vals[0], vals[1]+1)) // inclusive v1 max → exclusive v2 end
		a.Set(ParamEnd, fmt.Sprintf("%d,%d", vals[2], vals[3]+1))
	} else {
		a.Set(ParamStart, p.Start)
		if p.End != "" {
			a.Set(ParamEnd, p.End)
		}
	}
	for _, kv := range [][2]string{{ParamReferenceBases, p.ReferenceBases}, {ParamAlternateBases, p.AlternateBases}, {ParamVariantType, p.VariantType}} {
		if kv[1] != "" {
			a.Set(kv[0], kv[1])
		}
	}
	if len(p.DatasetIDs) > 0 {
		a.Set(ParamDatasetIDs, JoinList(p.DatasetIDs))
	}
	return nil
}

// v1Response is the Beacon v1.1 BeaconAlleleResponse.
type v1Response struct {
	BeaconID               string              `json:"beaconId"`
	APIVersion             string              `json:"apiVersion"`
	Exists                 *bool               `json:"exists"`
	AlleleRequest          *v1AlleleRequest    `json:"alleleRequest"`
	DatasetAlleleResponses []v1DatasetResponse `json:"datasetAlleleResponses"`
	Error                  *v1Error            `json:"error"`
}

type v1AlleleRequest struct {
	ReferenceName           string   `json:"referenceName"`
	Start                   *int64   `json:"start,omitempty"`
	End                     *int64   `json:"end,omitempty"`
	StartMin                *int64   `json:"startMin,omitempty"`
	StartMax                *int64   `json:"startMax,omitempty"`
	EndMin                  *int64   `json:"endMin,omitempty"`
	EndMax                  *int64   `json:"endMax,omitempty"`
	ReferenceBases          string   `json:"referenceBases,omitempty"`
	AlternateBases          string   `json:"alternateBases,omitempty"`
	VariantType             string   `json:"variantType,omitempty"`
	AssemblyID              string   `json:"assemblyId"`
	DatasetIDs              []string `json:"datasetIds,omitempty"`
	IncludeDatasetResponses string   `json:"includeDatasetResponses"`
}

// v1DatasetResponse is a BeaconDatasetAlleleResponse: counts only where the dataset's
// policy allows counts, null otherwise (v1 has no granularity field).
type v1DatasetResponse struct {
	DatasetID    string   `json:"datasetId"`
	Exists       bool     `json:"exists"`
	Error        *v1Error `json:"error"`
	Frequency    *float64 `json:"frequency"`
	VariantCount *uint64  `json:"variantCount"`
	CallCount    *uint64  `json:"callCount"`
	SampleCount  *uint64  `json:"sampleCount"`
	Note         string   `json:"note,omitempty"`
}

type v1Error struct {
	ErrorCode    int    `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
}

func coordPtr(s string, plus int64) *int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return nil
	}
	n += plus
	return &n
}

func (p *v1Params) echo() *v1AlleleRequest {
	return &v1AlleleRequest{
		ReferenceName: p.ReferenceName, AssemblyID: p.AssemblyID,
		Start: coordPtr(p.Start, 0), End: coordPtr(p.End, 0),
		StartMin: coordPtr(p.StartMin, 0), StartMax: coordPtr(p.StartMax, 0),
		EndMin: coordPtr(p.EndMin, 0), EndMax: coordPtr(p.EndMax, 0),
		ReferenceBases: p.ReferenceBases, AlternateBases: p.AlternateBases, VariantType: p.VariantType,
		DatasetIDs: p.DatasetIDs, IncludeDatasetResponses: p.IncludeDatasetResponses,
	}
}

func (s *Server) v1Error(ctx *fasthttp.RequestCtx, status int, msg string, p *v1Params) {
	out := v1Response{BeaconID: s.cfg.BeaconID, APIVersion: V1APIVersion,
		Error: &v1Error{ErrorCode: status, ErrorMessage: msg}}
	if p != nil {
		out.AlleleRequest = p.echo()
	}
	s.encode(ctx, status, out)
}

// v1Query answers GET and POST /query: exists over every dataset the request may see, and
// with includeDatasetResponses one answer per dataset, variantCount the matching variants
// and sampleCount the biosamples carrying them, where the dataset allows counts.
func (s *Server) v1Query(ctx *fasthttp.RequestCtx) {
	// The same access as a v2 query: a verified caller, its budget, only the datasets it
	// may see, and their count thresholds (a v1 answer is the boolean the membership attack
	// asks for).
	caller, err := s.callerOf(ctx)
	if err != nil {
		refuseToken(ctx)
		s.v1Error(ctx, fasthttp.StatusUnauthorized, err.Error(), nil)
		return
	}
	if !s.admit(ctx, caller) {
		return
	}
	p, err := parseV1(ctx)
	if err != nil {
		s.v1Error(ctx, fasthttp.StatusBadRequest, err.Error(), nil)
		return
	}
	var args fasthttp.Args
	if err := p.v2Args(&args); err != nil {
		s.v1Error(ctx, fasthttp.StatusBadRequest, err.Error(), p)
		return
	}
	req, err := newBuilder(s.cfg.Defaults()).parseGET(&args)
	if err == nil {
		err = s.guard(req) // the same request caps as a v2 query
	}
	if err != nil {
		s.v1Error(ctx, fasthttp.StatusBadRequest, err.Error(), p)
		return
	}
	// The same work budget, deadline and heavy-query slots as a v2 query.
	st := statePool.Get().(*requestState)
	defer st.release()
	budget := s.startBudget(ctx, st)
	defer budget.Release()
	snap := s.eng.Snapshot()
	q := req.Query
	q.Target, q.CountOnly, q.Budget = release.GenomicVariation, true, budget
	if s.heavyByPlan(snap, &q) {
		err = budget.Acquire() // admission.go
	}
	var variants engine.Result
	var some bool
	st.datasets, some = s.restrict(caller, snap, &q, false, st.datasets)
	if some && err == nil {
		err = snap.EvaluateInto(&q, &variants)
		if err == nil {
			_, _, err = s.applyThresholds(snap, &q, &variants, &st.support)
		}
	}
	if err != nil {
		var le *engine.LimitError
		if errors.As(err, &le) {
			rejected(le.Reason).Inc()
			if limitStatus(le) == fasthttp.StatusServiceUnavailable {
				ctx.Response.Header.Set("Retry-After", "1")
			}
			s.v1Error(ctx, limitStatus(le), le.Msg, p)
			return
		}
		if engine.IsQueryError(err) {
			s.v1Error(ctx, fasthttp.StatusBadRequest, err.Error(), p)
			return
		}
		s.log.Error("evaluating v1 query", "err", err)
		s.v1Error(ctx, fasthttp.StatusInternalServerError, "internal error evaluating the query", p)
		return
	}
	exists := variants.Total > 0
	out := v1Response{BeaconID: s.cfg.BeaconID, APIVersion: V1APIVersion, Exists: &exists, AlleleRequest: p.echo()}
	if p.IncludeDatasetResponses == "NONE" {
		s.encode(ctx, fasthttp.StatusOK, out)
		return
	}
	samples := map[string]uint64{}
	if exists {
		sq := q // the datasets the caller may see
		sq.Target, sq.CountOnly, sq.Budget = release.Biosample, true, budget
		var res engine.Result
		err := snap.EvaluateInto(&sq, &res)
		if err == nil {
			_, _, err = s.applyThresholds(snap, &sq, &res, &st.support)
		}
		if err == nil {
			for _, d := range res.PerDataset {
				samples[d.DatasetID] = d.Count
			}
		}
	}
	out.DatasetAlleleResponses = []v1DatasetResponse{}
	pol := s.policies(snap)
	for _, d := range variants.PerDataset {
		hit := d.Count > 0
		if (p.IncludeDatasetResponses == "HIT" && !hit) || (p.IncludeDatasetResponses == "MISS" && hit) {
			continue
		}
		dr := v1DatasetResponse{DatasetID: d.DatasetID, Exists: hit}
		if pol.of(&d).access(s, caller).g >= Count {
			vc, sc := d.Count, samples[d.DatasetID]
			dr.VariantCount, dr.SampleCount = &vc, &sc
		}
		out.DatasetAlleleResponses = append(out.DatasetAlleleResponses, dr)
	}
	s.encode(ctx, fasthttp.StatusOK, out)
}
