package api

import (
	"encoding/json"
	"testing"
)

// A dataset that is not PUBLIC is invisible to an anonymous caller at the default
// belowLevel (none): no result set, no count, no part in exists; with belowLevel boolean
// it answers boolean only, with its v2.2 boolean result set. Without an issuer configured
// every caller is anonymous, and a token sent anyway changes nothing.
func TestNonPublicDatasetHiddenFromAnonymous(t *testing.T) {
	for _, level := range []string{SecurityRegistered, SecurityControlled} {
		cfg := DefaultConfig()
		cfg.Datasets = map[string]DatasetConfig{"FIXTURE": {SecurityLevel: level}}
		h := testHandlerWith(t, "fixture", &cfg)
		for _, g := range []string{"boolean", "count", "record"} {
			s := query(t, h, "GET", "/individuals?filters=NCIT:C16576&requestedGranularity="+g, nil, 200)
			if s.ResponseSummary.Exists || len(s.Response.ResultSets) != 0 || (s.ResponseSummary.NumTotalResults != nil && *s.ResponseSummary.NumTotalResults != 0) {
				t.Errorf("%s dataset, %s requested: exists %v, numTotalResults %v, %d result sets",
					level, g, s.ResponseSummary.Exists, fmtCount(s.ResponseSummary.NumTotalResults), len(s.Response.ResultSets))
			}
			if s := queryBearer(t, h, "GET", "/individuals?requestedGranularity="+g, nil, "anything", 200); s.ResponseSummary.Exists {
				t.Errorf("%s dataset: a token nobody can verify opened it", level)
			}
		}
		cfg.Datasets = map[string]DatasetConfig{"FIXTURE": {SecurityLevel: level, BelowLevel: "boolean"}}
		h = testHandlerWith(t, "fixture", &cfg)
		for _, g := range []string{"count", "record"} {
			s := query(t, h, "GET", "/individuals?filters=NCIT:C16576&requestedGranularity="+g, nil, 200)
			if s.Meta.ReturnedGranularity != "boolean" || s.ResponseSummary.NumTotalResults != nil || len(s.Response.ResultSets) != 1 || !s.ResponseSummary.Exists {
				t.Errorf("%s dataset, belowLevel boolean, %s requested: returned %q, exists %v, numTotalResults %v, %d result sets",
					level, g, s.Meta.ReturnedGranularity, s.ResponseSummary.Exists, fmtCount(s.ResponseSummary.NumTotalResults), len(s.Response.ResultSets))
			}
			_, body := do(h, "GET", "/individuals?filters=NCIT:C16576&requestedGranularity="+g, nil)
			if sets := rawResultSets(t, body); len(sets) != 1 || string(sets[0]) != `{"id":"FIXTURE","setType":"dataset","exists":true}` {
				t.Errorf("%s dataset, %s requested: result sets %s, want the boolean set alone", level, g, sets)
			}
		}
	}
}

// The configuration's dataset name and description replace the ingested ones in responses.
func TestConfiguredDatasetDescription(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Datasets = map[string]DatasetConfig{"FIXTURE": {Name: "Configured name", Description: "Configured description"}}
	h := testHandlerWith(t, "fixture", &cfg)
	for _, path := range []string{"/datasets?requestedGranularity=record", "/datasets/FIXTURE?requestedGranularity=record"} {
		s := query(t, h, "GET", path, nil, 200)
		recs := s.Response.Collections
		if len(s.Response.ResultSets) > 0 {
			recs = s.Response.ResultSets[0].Results
		}
		if len(recs) != 1 {
			t.Fatalf("%s: %d records", path, len(recs))
		}
		var d struct{ ID, Name, Description string }
		if err := json.Unmarshal(recs[0], &d); err != nil {
			t.Fatal(err)
		}
		if d.ID != "FIXTURE" || d.Name != "Configured name" || d.Description != "Configured description" {
			t.Errorf("%s: %+v", path, d)
		}
	}
	// Without configuration the ingested record is returned as it is.
	s := query(t, testHandler(t, "fixture"), "GET", "/datasets?requestedGranularity=record", nil, 200)
	var d struct{ Name string }
	if err := json.Unmarshal(s.Response.Collections[0], &d); err != nil || d.Name != "bitbeacon test fixture" {
		t.Errorf("unconfigured dataset name %q (%v)", d.Name, err)
	}
}
