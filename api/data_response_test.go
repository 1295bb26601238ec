package api

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
)

// The hand-written data envelope is byte for byte what encoding/json writes for the
// dataResponse value (HTML escaping off), for every granularity, with and without
// handovers, warnings, echoed filters and parameters, and strings that need escaping.
func TestDataEnvelopeMatchesEncodingJSON(t *testing.T) {
	plain := DefaultConfig()
	withHandovers := *handoverConfig("FIXTURE")
	withHandovers.BeaconID = "org.example.<beacon>&\"x\""
	posts := []string{
		`{"meta":{"apiVersion":"2.0","requestedSchemas":[{"entityType":"individual","schema":"beacon-individual-v2.0.0"}]},"query":{"filters":[{"id":"NCIT:C16576"},{"id":"age","operator":">=","value":"P70Y"}],"requestedGranularity":"count","testMode":true}}`,
		`{"query":{"requestParameters":{"referenceName":"1","start":[100,200],"end":[300],"referenceBases":"a","datasets":{"datasetIds":["D1","D2"]}},"pagination":{"skip":3,"limit":7},"includeResultsetResponses":"ALL"}}`,
		`{"query":{"filters":["tab\there","quote\"<&>","line\u2028sep","ctl\u0001\u001f","\u00e9t\u00e9 \ud83d\ude00"]}}`,
	}
	gets := []string{
		"",
		"filters=NCIT:C16576&requestedGranularity=count",
		"filters=a,b,c&requestedGranularity=boolean&unknown=1&requestedSchema=s1,s2",
		"filters=%FF%FEbad&skip=2&limit=0&testMode",
		"referenceName=22&start=100&geneId=TTN&datasetIds=X",
	}
	var reqs []*Request
	for _, q := range gets {
		r, err := parseGETString(q, Defaults{})
		if err != nil {
			t.Fatalf("GET %q: %v", q, err)
		}
		reqs = append(reqs, r)
	}
	for _, body := range posts {
		r, err := ParsePOST([]byte(body), Defaults{Granularity: Count})
		if err != nil {
			t.Fatalf("POST %s: %v", body, err)
		}
		reqs = append(reqs, r)
	}
	for _, cfg := range []*Config{&plain, &withHandovers} {
		s := &Server{cfg: cfg}
		for _, req := range reqs {
			for _, g := range []Granularity{Boolean, Count, Record} {
				for _, warnings := range [][2][]string{{}, {{"w1 \"q\""}, {"w2", "w3"}}, {nil, {"only engine"}}} {
					e := &dataEnvelope{req: req, target: release.Biosample, g: g, exists: g != Boolean, total: 42,
						warnings: warnings, handovers: s.beaconHandovers()}
					out := dataResponse{
						Meta:            s.meta(req, []release.Entity{e.target}, g),
						ResponseSummary: responseSummary{Exists: e.exists},
						BeaconHandovers: e.handovers,
					}
					if g >= Count {
						out.ResponseSummary.NumTotalResults = &e.total
					}
					if ws := append(append([]string(nil), warnings[0]...), warnings[1]...); len(ws) > 0 {
						out.Info = &responseInfo{Warnings: ws}
					}
					var response func([]byte) []byte
					if g < Record && len(warnings[1]) > 0 { // v2.2 summary sets and adjusted counts
						e.sets = []engine.DatasetResult{{DatasetID: "D<1>\"", Count: 3}, {DatasetID: "D2", Count: 0}, {DatasetID: "D3", Count: 9}}
						e.setAdjust = []countAdjustment{{}, {}, {Precision: "rounded", AdjustedTo: []any{"multiple of 5"}}}
						e.includeSets = "ALL"
						e.adjust = countAdjustment{Precision: "imprecise", AdjustedTo: []any{5}}
						var sets []summarySet
						for i, d := range e.sets {
							ss := summarySet{ID: d.DatasetID, SetType: "dataset", Exists: d.Count > 0}
							if g == Count {
								ss.ResultsCount = &e.sets[i].Count
								ss.CountPrecision, ss.CountAdjustedTo = e.setAdjust[i].Precision, e.setAdjust[i].AdjustedTo
								out.ResponseSummary.CountPrecision, out.ResponseSummary.CountAdjustedTo = e.adjust.Precision, e.adjust.AdjustedTo
							}
							sets = append(sets, ss)
						}
						out.Response = map[string][]summarySet{"resultSets": sets}
					}
					if g == Record {
						out.Response = json.RawMessage(`{"resultSets":[]}`)
						response = func(b []byte) []byte { return append(b, `{"resultSets":[]}`...) }
					}
					var want bytes.Buffer
					enc := json.NewEncoder(&want)
					enc.SetEscapeHTML(false)
					if err := enc.Encode(out); err != nil {
						t.Fatal(err)
					}
					got := s.appendDataResponse(nil, e, response)
					if !bytes.Equal(got, want.Bytes()) {
						t.Fatalf("envelope differs from encoding/json:\n got %s\nwant %s", got, want.Bytes())
					}
				}
			}
		}
	}
}

// dataResponse is the data response as encoding/json writes it: the oracle the hand-written
// envelope (data_response.go) is compared with.
type responseSummary struct {
	Exists          bool    `json:"exists"`
	NumTotalResults *uint64 `json:"numTotalResults,omitempty"`
	CountPrecision  string  `json:"countPrecision,omitempty"`
	CountAdjustedTo []any   `json:"countAdjustedTo,omitempty"`
}

type dataResponse struct {
	Meta            responseMeta    `json:"meta"`
	ResponseSummary responseSummary `json:"responseSummary"`
	Response        any             `json:"response,omitempty"`
	BeaconHandovers []handover      `json:"beaconHandovers,omitempty"`
	Info            *responseInfo   `json:"info,omitempty"`
}

type responseInfo struct {
	Warnings []string `json:"warnings,omitempty"`
}

// summarySet is a result set of a boolean or count answer, as encoding/json would write it
// (the oracle of the hand-written bytes).
type summarySet struct {
	ID              string  `json:"id"`
	SetType         string  `json:"setType"`
	Exists          bool    `json:"exists"`
	ResultsCount    *uint64 `json:"resultsCount,omitempty"`
	CountPrecision  string  `json:"countPrecision,omitempty"`
	CountAdjustedTo []any   `json:"countAdjustedTo,omitempty"`
}
