package api

import (
	"encoding/json"
	"testing"
)

// v1Answer is the part of a v1 response the tests read.
type v1Answer struct {
	BeaconID      string `json:"beaconId"`
	APIVersion    string `json:"apiVersion"`
	Exists        *bool  `json:"exists"`
	AlleleRequest struct {
		ReferenceName string `json:"referenceName"`
		Start         *int64 `json:"start"`
		AssemblyID    string `json:"assemblyId"`
	} `json:"alleleRequest"`
	DatasetAlleleResponses []struct {
		DatasetID    string  `json:"datasetId"`
		Exists       bool    `json:"exists"`
		VariantCount *uint64 `json:"variantCount"`
		SampleCount  *uint64 `json:"sampleCount"`
	} `json:"datasetAlleleResponses"`
	Error *struct {
		ErrorCode    int    `json:"errorCode"`
		ErrorMessage string `json:"errorMessage"`
	} `json:"error"`
}

func v1Do(t *testing.T, method, uri string, body []byte, wantStatus int, cfg *Config) v1Answer {
	t.Helper()
	if cfg == nil {
		c := DefaultConfig()
		cfg = &c
	}
	h := testHandlerWith(t, "multi", cfg)
	status, out := do(h, method, uri, body)
	if status != wantStatus {
		t.Fatalf("%s %s: status %d, want %d: %s", method, uri, status, wantStatus, out)
	}
	var a v1Answer
	if err := json.Unmarshal(out, &a); err != nil {
		t.Fatalf("%s: %v: %s", uri, err, out)
	}
	if a.APIVersion != V1APIVersion {
		t.Errorf("%s: apiVersion %q", uri, a.APIVersion)
	}
	return a
}

func TestV1QuerySequence(t *testing.T) {
	// V1 (1:1000 A>G) is in both datasets of the multi release, carried by B1 and B2.
	a := v1Do(t, "GET", "/query?referenceName=1&start=1000&referenceBases=A&alternateBases=G&assemblyId=GRCh38&includeDatasetResponses=ALL", nil, 200, nil)
	if a.Exists == nil || !*a.Exists {
		t.Fatalf("exists %v, want true", a.Exists)
	}
	if a.AlleleRequest.ReferenceName != "1" || a.AlleleRequest.Start == nil || *a.AlleleRequest.Start != 1000 || a.AlleleRequest.AssemblyID != "GRCh38" {
		t.Errorf("alleleRequest echo %+v", a.AlleleRequest)
	}
	if len(a.DatasetAlleleResponses) != 2 {
		t.Fatalf("%d dataset responses, want 2", len(a.DatasetAlleleResponses))
	}
	for _, d := range a.DatasetAlleleResponses {
		if !d.Exists || d.VariantCount == nil || *d.VariantCount != 1 || d.SampleCount == nil || *d.SampleCount != 2 {
			t.Errorf("dataset %s: exists %v variantCount %v sampleCount %v, want true 1 2", d.DatasetID, d.Exists, d.VariantCount, d.SampleCount)
		}
	}
	// The same position, another allele: only V10 (A>C); a wrong allele finds nothing.
	a = v1Do(t, "GET", "/query?referenceName=1&start=1000&referenceBases=A&alternateBases=T&assemblyId=GRCh38&includeDatasetResponses=MISS", nil, 200, nil)
	if *a.Exists || len(a.DatasetAlleleResponses) != 2 {
		t.Fatalf("A>T: exists %v, %d MISS responses, want false and 2", *a.Exists, len(a.DatasetAlleleResponses))
	}
	// The default includeDatasetResponses is NONE: datasetAlleleResponses is null.
	a = v1Do(t, "GET", "/query?referenceName=1&start=1000&referenceBases=A&alternateBases=C&assemblyId=GRCh38", nil, 200, nil)
	if !*a.Exists || a.DatasetAlleleResponses != nil {
		t.Fatalf("A>C: exists %v, dataset responses %v", *a.Exists, a.DatasetAlleleResponses)
	}
}

func TestV1QueryRangeBracketAndPOST(t *testing.T) {
	// Range [1990, 2010) on chr1 overlaps V2 (2000-2003) and the long deletion V4 (500-100500).
	a := v1Do(t, "GET", "/query?referenceName=1&start=1990&end=2010&assemblyId=GRCh38&datasetIds=FIXTURE&includeDatasetResponses=HIT", nil, 200, nil)
	if !*a.Exists || len(a.DatasetAlleleResponses) != 1 || a.DatasetAlleleResponses[0].DatasetID != "FIXTURE" || *a.DatasetAlleleResponses[0].VariantCount != 2 {
		t.Fatalf("range: %+v (variantCount %d, want 2)", a, *a.DatasetAlleleResponses[0].VariantCount)
	}
	// Bracket with v1's inclusive bounds: start in [3000, 3000], end in [3001, 3001] is V3;
	// a v2 bracket would need start=3000,3001.
	a = v1Do(t, "GET", "/query?referenceName=1&startMin=3000&startMax=3000&endMin=3001&endMax=3001&assemblyId=GRCh38&includeDatasetResponses=HIT", nil, 200, nil)
	if !*a.Exists || len(a.DatasetAlleleResponses) != 2 || *a.DatasetAlleleResponses[0].VariantCount != 1 {
		t.Fatalf("bracket: %+v", a)
	}
	a = v1Do(t, "POST", "/query", []byte(`{"referenceName":"X","start":5000,"referenceBases":"C","alternateBases":"T","assemblyId":"GRCh38","datasetIds":["FIXTURE_B"],"includeDatasetResponses":"ALL"}`), 200, nil)
	if !*a.Exists || len(a.DatasetAlleleResponses) != 1 || a.DatasetAlleleResponses[0].DatasetID != "FIXTURE_B" {
		t.Fatalf("POST: %+v", a)
	}
}

func TestV1QueryPolicyAndErrors(t *testing.T) {
	const uri = "/query?referenceName=1&start=1000&referenceBases=A&alternateBases=G&assemblyId=GRCh38&includeDatasetResponses=ALL"
	// A CONTROLLED dataset is invisible to a caller without its grant (belowLevel none):
	// no answer of its own and no part in exists; with belowLevel boolean it answers exists
	// without counts.
	for _, below := range []string{"", "boolean"} {
		cfg := DefaultConfig()
		cfg.Datasets = map[string]DatasetConfig{"FIXTURE_B": {SecurityLevel: SecurityControlled, BelowLevel: below}}
		a := v1Do(t, "GET", uri, nil, 200, &cfg)
		seen := map[string]bool{}
		for _, d := range a.DatasetAlleleResponses {
			seen[d.DatasetID] = true
			counted := d.VariantCount != nil || d.SampleCount != nil
			if d.DatasetID == "FIXTURE_B" && counted {
				t.Errorf("belowLevel %q: CONTROLLED dataset answered with counts: %+v", below, d)
			}
			if d.DatasetID == "FIXTURE" && !counted {
				t.Errorf("PUBLIC dataset answered without counts: %+v", d)
			}
			if !d.Exists {
				t.Errorf("dataset %s: exists false", d.DatasetID)
			}
		}
		if !seen["FIXTURE"] || seen["FIXTURE_B"] != (below == "boolean") {
			t.Errorf("belowLevel %q: datasets answered %v", below, seen)
		}
	}
	// Every dataset CONTROLLED: nothing of them reaches an anonymous caller, not even exists.
	cfg := DefaultConfig()
	cfg.Datasets = map[string]DatasetConfig{"FIXTURE": {SecurityLevel: SecurityControlled}, "FIXTURE_B": {SecurityLevel: SecurityControlled}}
	if a := v1Do(t, "GET", uri, nil, 200, &cfg); a.Exists == nil || *a.Exists || len(a.DatasetAlleleResponses) != 0 {
		t.Errorf("all CONTROLLED: exists %v, %d dataset answers", a.Exists, len(a.DatasetAlleleResponses))
	}
	// The same query on PUBLIC data answers an anonymous caller.
	if a := v1Do(t, "GET", uri, nil, 200, nil); a.Exists == nil || !*a.Exists {
		t.Fatalf("anonymous v1 query on PUBLIC data: %+v", a)
	}
	for _, uri := range []string{
		"/query?start=1000&assemblyId=GRCh38&alternateBases=G",                              // no referenceName
		"/query?referenceName=1&start=1000&alternateBases=G",                                // no assemblyId
		"/query?referenceName=1&assemblyId=GRCh38",                                          // no start
		"/query?referenceName=1&start=1000&assemblyId=GRCh38",                               // sequence query without bases
		"/query?referenceName=1&start=x&alternateBases=G&assemblyId=GRCh38",                 // not a number
		"/query?referenceName=1&startMin=10&startMax=5&endMin=1&endMax=2&assemblyId=GRCh38", // min > max
		"/query?referenceName=1&startMin=10&assemblyId=GRCh38",                              // incomplete bracket
		"/query?referenceName=1&start=1&alternateBases=G&assemblyId=GRCh38&includeDatasetResponses=SOME",
		"/query?referenceName=1&start=1&alternateBases=G&assemblyId=GRCh38&filters=x", // not a v1 parameter
	} {
		a := v1Do(t, "GET", uri, nil, 400, nil)
		if a.Error == nil || a.Error.ErrorCode != 400 || a.Error.ErrorMessage == "" || a.Exists != nil {
			t.Errorf("%s: error %+v exists %v", uri, a.Error, a.Exists)
		}
	}
	if a := v1Do(t, "POST", "/query", []byte(`[1,2]`), 400, nil); a.Error == nil {
		t.Errorf("array body: no error")
	}
}
