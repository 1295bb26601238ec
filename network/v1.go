package network

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/release"
)

// A v1 member is asked /query with the v1.1 parameters of the v2 variant query. Both
// versions count from 0, so coordinates pass unchanged; a v2 bracket [s0, s1) x [e0, e1)
// becomes v1's inclusive startMin=s0, startMax=s1-1, endMin=e0, endMax=e1-1.

// v1Params translates a v2 request into v1 /query parameters, or says why a v1 beacon
// cannot answer it (the member is then skipped).
func v1Params(r route, req *api.Request) (url.Values, string) {
	if r.Kind != api.RouteEntries || r.Entry.Entity != release.GenomicVariation {
		return nil, "a v1 beacon answers /" + release.GenomicVariation.PathSegment() + " queries only"
	}
	if len(req.Query.Filters) > 0 || len(req.Query.Groups) > 0 {
		return nil, "a v1 beacon takes no filters"
	}
	v := req.Query.Variant
	if v == nil || v.ReferenceName == "" || len(v.Start) == 0 {
		return nil, "a v1 beacon needs referenceName and start"
	}
	if v.GeneID != "" || v.AminoacidChange != "" || v.GenomicAlleleShortForm != "" || v.MateName != "" ||
		v.VariantMinLength >= 0 || v.VariantMaxLength >= 0 {
		return nil, "the query has parameters v1 does not define (geneId, aminoacidChange, genomicAlleleShortForm, mateName, variant lengths)"
	}
	if v.AssemblyID == "" {
		return nil, "a v1 beacon needs assemblyId"
	}
	q := url.Values{}
	q.Set(api.ParamReferenceName, v.ReferenceName)
	q.Set(api.ParamAssemblyID, v.AssemblyID)
	i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
	switch {
	case len(v.Start) == 2:
		if len(v.End) != 2 || v.Start[1] <= v.Start[0] || v.End[1] <= v.End[0] {
			return nil, "the bracket has no v1 form"
		}
		q.Set(api.V1ParamStartMin, i64(v.Start[0]))
		q.Set(api.V1ParamStartMax, i64(v.Start[1]-1))
		q.Set(api.V1ParamEndMin, i64(v.End[0]))
		q.Set(api.V1ParamEndMax, i64(v.End[1]-1))
	default:
		q.Set(api.ParamStart, i64(v.Start[0]))
		if len(v.End) == 1 {
			q.Set(api.ParamEnd, i64(v.End[0]))
		}
	}
	if v.ReferenceBases != nil && *v.ReferenceBases != "" {
		q.Set(api.ParamReferenceBases, *v.ReferenceBases)
	}
	if v.AlternateBases != nil && *v.AlternateBases != "" {
		q.Set(api.ParamAlternateBases, *v.AlternateBases)
	}
	if v.VariantType != "" {
		q.Set(api.ParamVariantType, v.VariantType)
	}
	if len(req.Query.DatasetIDs) > 0 {
		q.Set(api.ParamDatasetIDs, api.JoinList(req.Query.DatasetIDs)) // ids holding a comma stay whole
	}
	// Every dataset's answer: the hits give the count, the misses MISS and ALL result sets.
	q.Set(api.V1ParamIncludeDatasetResponses, "ALL")
	return q, ""
}

// v1Answer is the part of a v1.1 BeaconAlleleResponse the network reads.
type v1Answer struct {
	BeaconID               string          `json:"beaconId"`
	Exists                 *bool           `json:"exists"`
	DatasetAlleleResponses []v1DatasetPart `json:"datasetAlleleResponses"`
	Error                  *struct {
		ErrorCode    int    `json:"errorCode"`
		ErrorMessage string `json:"errorMessage"`
	} `json:"error"`
}

type v1DatasetPart struct {
	DatasetID    *string          `json:"datasetId"`
	Exists       *bool            `json:"exists"`
	VariantCount *json.Number     `json:"variantCount"`
	Error        *json.RawMessage `json:"error"`
}

// v1Contribution reads a v1 answer: its exists, and each dataset response as a result set
// with the dataset id as id. The member counted when every dataset with a hit gave a
// variantCount; otherwise its contribution is boolean.
func v1Contribution(m *member, body []byte, mode string) (*contribution, error) {
	var a v1Answer
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&a); err != nil {
		return nil, &memberFailure{status: StatusInvalid, msg: "not a Beacon v1 response: " + err.Error()}
	}
	if a.Error != nil {
		return nil, &memberRefusal{msg: fmt.Sprintf("v1 error %d: %s", a.Error.ErrorCode, a.Error.ErrorMessage)}
	}
	if a.Exists == nil {
		return nil, &memberFailure{status: StatusInvalid, msg: "not a Beacon v1 response: exists is not a boolean"}
	}
	c := &contribution{member: m.cfg.ID, beaconID: cmp.Or(a.BeaconID, m.cfg.ID), exists: *a.Exists, granularity: api.Count}
	var total uint64
	for i, d := range a.DatasetAlleleResponses {
		if d.DatasetID == nil || d.Exists == nil {
			return nil, &memberFailure{status: StatusInvalid, msg: fmt.Sprintf("not a Beacon v1 response: datasetAlleleResponses[%d] lacks datasetId or exists", i)}
		}
		var n uint64
		counted := false
		if d.VariantCount != nil {
			v, err := strconv.ParseUint(d.VariantCount.String(), 10, 64)
			if err != nil {
				return nil, &memberFailure{status: StatusInvalid, msg: fmt.Sprintf("datasetAlleleResponses[%d].variantCount %s is not a count", i, *d.VariantCount)}
			}
			n, counted = v, true
		}
		if *d.Exists {
			if !counted {
				c.granularity = api.Boolean
			}
			total += n
		}
		if !api.KeepResultSet(mode, *d.Exists) {
			continue
		}
		info := map[string]any{"beaconId": c.beaconID, "memberId": m.cfg.ID, "apiVersion": "v1"}
		if !counted {
			info["countWithheld"] = true
		}
		c.resultSets = append(c.resultSets, map[string]any{
			"id": *d.DatasetID, "setType": release.Dataset.EntryTypeID(), "exists": *d.Exists,
			"resultsCount": json.Number(strconv.FormatUint(n, 10)), "results": []any{}, "info": info,
		})
	}
	if c.exists && len(a.DatasetAlleleResponses) == 0 {
		c.granularity = api.Boolean // exists without any dataset answer: no count to give
	}
	if c.granularity >= api.Count {
		c.count = &total
	}
	return c, nil
}
