package api

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// rawResultSets returns the result sets of a data response as they were written.
func rawResultSets(t *testing.T, body []byte) []json.RawMessage {
	t.Helper()
	var r struct {
		Response struct {
			ResultSets []json.RawMessage `json:"resultSets"`
		} `json:"response"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, truncate(body))
	}
	return r.Response.ResultSets
}

// Beacon v2.2 result sets: a boolean or count answer says which datasets matched, one set
// per dataset with id, setType, exists and (at count) resultsCount, never records; the
// includeResultsetResponses modes choose the sets as they do at record granularity; the
// response still validates against the v2.1.1 boolean and count schemas (query checks).
func TestResultSetsAtBooleanAndCount(t *testing.T) {
	h := testHandler(t, "mixed")
	// The datasets, with their record-level counts as the reference.
	ref := query(t, h, "GET", "/individuals?filters=NCIT:C49671&requestedGranularity=record&includeResultsetResponses=ALL&limit=1", nil, 200)
	if len(ref.Response.ResultSets) != 2 {
		t.Fatalf("the mixed release holds two datasets, got %d result sets", len(ref.Response.ResultSets))
	}
	want := map[string]uint64{}
	hits := 0
	for _, rs := range ref.Response.ResultSets {
		want[rs.ID] = rs.ResultsCount
		if rs.ResultsCount > 0 {
			hits++
		}
	}
	if hits != 1 {
		t.Fatalf("the filter should hit one dataset of two: %v", want)
	}
	for _, mode := range []string{"HIT", "MISS", "ALL", "NONE"} {
		for _, g := range []string{"boolean", "count"} {
			for _, method := range []string{"GET", "POST"} {
				uri := "/individuals?filters=NCIT:C49671&requestedGranularity=" + g + "&includeResultsetResponses=" + mode
				var body []byte
				if method == "POST" {
					uri = "/individuals"
					body = fmt.Appendf(nil, `{"meta":{"apiVersion":"v2.2.0"},"query":{"filters":[{"id":"NCIT:C49671"}],"requestedGranularity":%q,"includeResultsetResponses":%q}}`, g, mode)
				}
				name := method + " " + g + " " + mode
				query(t, h, method, uri, body, 200) // status and schema
				_, out := do(h, method, uri, body)
				sets := rawResultSets(t, out)
				if mode == "NONE" {
					if strings.Contains(string(out), `"response"`) {
						t.Errorf("%s: NONE must leave the response section out: %s", name, truncate(out))
					}
					continue
				}
				seen := 0
				for _, raw := range sets {
					var rs map[string]any
					if err := json.Unmarshal(raw, &rs); err != nil {
						t.Fatal(err)
					}
					id, _ := rs["id"].(string)
					n, known := want[id]
					if !known {
						t.Errorf("%s: set for unknown dataset %q", name, id)
						continue
					}
					seen++
					if rs["exists"] != (n > 0) || rs["setType"] != "dataset" {
						t.Errorf("%s: set %s, want exists %v", name, raw, n > 0)
					}
					if _, ok := rs["results"]; ok {
						t.Errorf("%s: a %s set carries results: %s", name, g, raw)
					}
					c, hasCount := rs["resultsCount"].(float64)
					switch {
					case g == "boolean" && hasCount:
						t.Errorf("%s: a boolean set carries a count: %s", name, raw)
					case g == "count" && (!hasCount || uint64(c) != n):
						t.Errorf("%s: set %s, want resultsCount %d", name, raw, n)
					}
					if (mode == "HIT" && n == 0) || (mode == "MISS" && n > 0) {
						t.Errorf("%s: mode %s kept %s", name, mode, raw)
					}
				}
				wantSeen := map[string]int{"HIT": hits, "MISS": len(want) - hits, "ALL": len(want)}[mode]
				if seen != wantSeen {
					t.Errorf("%s: %d sets, want %d", name, seen, wantSeen)
				}
			}
		}
	}
}

// Collections (/datasets, /cohorts, and the paths that end in them) keep their collections
// response: no result sets.
func TestCollectionsHaveNoSummarySets(t *testing.T) {
	h := testHandler(t, "fixture")
	for _, uri := range []string{"/datasets?requestedGranularity=count", "/cohorts?requestedGranularity=boolean", "/individuals/I1/datasets?requestedGranularity=count"} {
		if s := query(t, h, "GET", uri, nil, 200); !s.ResponseSummary.Exists {
			t.Errorf("%s: nothing found; the fixture has them", uri)
		}
		_, out := do(h, "GET", uri, nil)
		if strings.Contains(string(out), "resultSets") {
			t.Errorf("%s: %s", uri, truncate(out))
		}
	}
}

// The requested apiVersion 2.2 is accepted and echoed.
func TestAPIVersion22Accepted(t *testing.T) {
	h := testHandler(t, "fixture")
	for _, v := range []string{"2.2", "v2.2.0"} {
		_, out := do(h, "POST", "/individuals", fmt.Appendf(nil, `{"meta":{"apiVersion":%q},"query":{"requestedGranularity":"count"}}`, v))
		var r struct {
			Meta struct {
				ReceivedRequestSummary struct {
					APIVersion string `json:"apiVersion"`
				} `json:"receivedRequestSummary"`
			} `json:"meta"`
		}
		if err := json.Unmarshal(out, &r); err != nil || r.Meta.ReceivedRequestSummary.APIVersion != v {
			t.Errorf("apiVersion %q: echoed %q (%v): %s", v, r.Meta.ReceivedRequestSummary.APIVersion, err, truncate(out))
		}
	}
}
