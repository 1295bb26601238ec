package network

import (
	"cmp"
	"encoding/json"
	"math"

	"github.com/bitbeacon/bitbeacon/api"
)

// contribution is what one member's valid answer adds to the network's answer, cut to the
// granularity the member itself returned: the network never passes on more than that.
type contribution struct {
	member, beaconID string
	granularity      api.Granularity
	exists           bool
	count            *uint64 // nil below count granularity
	resultSets       []map[string]any
	collections      []any
	schemas          []any
}

// v2Contribution reads a validated v2 data answer. A boolean answer gives its exists only
// (any result set it sent loses counts and records); a count answer its count and result
// set counts without records; a record answer everything.
func v2Contribution(m *member, doc map[string]any) *contribution {
	meta, _ := doc["meta"].(map[string]any)
	g, _ := api.ParseGranularity(str(meta["returnedGranularity"]))
	sum, _ := doc["responseSummary"].(map[string]any)
	c := &contribution{member: m.cfg.ID, beaconID: cmp.Or(str(meta["beaconId"]), m.cfg.ID), granularity: g}
	c.exists, _ = sum["exists"].(bool)
	c.schemas, _ = meta["returnedSchemas"].([]any)
	if n, ok := sum["numTotalResults"].(json.Number); ok && g >= api.Count {
		if v, ok := countOf(n); ok {
			c.count = &v
		}
	}
	resp, _ := doc["response"].(map[string]any)
	if cols, ok := resp["collections"].([]any); ok && g == api.Record {
		c.collections = cols
	}
	sets, _ := resp["resultSets"].([]any)
	for _, s := range sets {
		rs, ok := s.(map[string]any)
		if !ok {
			continue
		}
		out := make(map[string]any, len(rs)+1)
		for k, v := range rs {
			out[k] = v
		}
		info := map[string]any{}
		if old, ok := rs["info"].(map[string]any); ok {
			for k, v := range old {
				info[k] = v
			}
		}
		info["beaconId"], info["memberId"] = c.beaconID, m.cfg.ID
		if g < api.Record {
			out["results"] = []any{}
		}
		if g < api.Count {
			out["resultsCount"] = json.Number("0")
			info["countWithheld"] = true
		}
		out["info"] = info
		c.resultSets = append(c.resultSets, out)
	}
	return c
}

// memberStatus is one entry of info.members.
type memberStatus struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Ms          int64  `json:"ms"`
	BeaconID    string `json:"beaconId,omitempty"`
	APIVersion  string `json:"apiVersion"`
	Granularity string `json:"returnedGranularity,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// merged is the network's data answer.
type merged struct {
	Meta            mergedMeta     `json:"meta"`
	ResponseSummary mergedSummary  `json:"responseSummary"`
	Response        map[string]any `json:"response,omitempty"`
	Info            mergedInfo     `json:"info"`
}

type mergedMeta struct {
	BeaconID               string          `json:"beaconId"`
	APIVersion             string          `json:"apiVersion"`
	ReturnedSchemas        []any           `json:"returnedSchemas"`
	ReturnedGranularity    string          `json:"returnedGranularity"`
	ReceivedRequestSummary json.RawMessage `json:"receivedRequestSummary"`
	TestMode               bool            `json:"testMode,omitempty"`
}

type mergedSummary struct {
	Exists          bool    `json:"exists"`
	NumTotalResults *uint64 `json:"numTotalResults,omitempty"`
}

type mergedInfo struct {
	Members  []memberStatus `json:"members"`
	Warnings []string       `json:"warnings,omitempty"`
}

// merge builds the network's answer from the members' contributions: result sets and
// collections concatenated, numTotalResults summed over the members that counted, exists
// when any member found something, returnedGranularity the lowest any member returned
// (boolean when none answered).
func merge(beaconID string, req *api.Request, r route, parts []*contribution, statuses []memberStatus, warnings []string) merged {
	out := merged{
		Meta: mergedMeta{BeaconID: beaconID, APIVersion: "v2.0.0", ReturnedSchemas: []any{},
			ReceivedRequestSummary: api.AppendRequestSummary(nil, req, "v2.0.0"), TestMode: req.TestMode},
		Info: mergedInfo{Members: statuses, Warnings: warnings},
	}
	g := api.Boolean
	if len(parts) > 0 {
		g = api.Record
	}
	var total uint64
	counted := false
	sets := []any{}
	cols := []any{}
	for _, c := range parts {
		g = min(g, c.granularity)
		out.ResponseSummary.Exists = out.ResponseSummary.Exists || c.exists
		if c.count != nil {
			total = min(total+*c.count, math.MaxInt64) // each is below 2^63: the sum cannot wrap
			counted = true
		}
		for _, s := range c.resultSets {
			sets = append(sets, s)
		}
		cols = append(cols, c.collections...)
		if len(out.Meta.ReturnedSchemas) == 0 && len(c.schemas) > 0 {
			out.Meta.ReturnedSchemas = c.schemas
		}
	}
	if len(out.Meta.ReturnedSchemas) == 0 {
		et := r.target()
		out.Meta.ReturnedSchemas = []any{map[string]any{"entityType": et.ID, "schema": et.DefaultSchemaName}}
	}
	out.Meta.ReturnedGranularity = g.String()
	if counted {
		out.ResponseSummary.NumTotalResults = &total
	}
	switch {
	case r.collectionsRoot():
		if g == api.Record || len(cols) > 0 {
			out.Response = map[string]any{"collections": cols}
		}
	case g == api.Record || len(sets) > 0:
		out.Response = map[string]any{"resultSets": sets}
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
