package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/internal/schematest"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
)

// Query semantics tests as data: every testdata/queries/*.json file names a release and a
// list of cases; each case is a request and what must come back.
type queryCaseFile struct {
	Release string `json:"release"`
	// Releases, instead of Release, asks every case of the file of each release: the same
	// questions must get the same answers (e.g. one cohort ingested two ways).
	Releases []string    `json:"releases"`
	Cases    []queryCase `json:"cases"`
}

type queryCase struct {
	Name   string          `json:"name"`
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body"`
	Status int             `json:"status"`
	// Granularity to request (default count); Count is numTotalResults at count or record.
	Granularity string   `json:"granularity"`
	Count       *uint64  `json:"count"`
	IDs         []string `json:"ids"`
	Warnings    *bool    `json:"warnings"`
	// Sets, when given, are the result sets that must come back, by dataset id: the
	// resultsCount at count or record, and exists (count > 0) at boolean.
	Sets map[string]uint64 `json:"sets"`
}

func TestQueryCases(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(t), "testdata", "queries", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no query case files in testdata/queries (%v)", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cf queryCaseFile
		if err := json.Unmarshal(raw, &cf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		releases := cf.Releases
		if cf.Release != "" {
			releases = append(releases, cf.Release)
		}
		if len(releases) == 0 {
			t.Fatalf("%s names no release", f)
		}
		for _, rel := range releases {
			h := testHandler(t, rel)
			prefix := strings.TrimSuffix(filepath.Base(f), ".json") + "/"
			if len(releases) > 1 {
				prefix += rel + "/"
			}
			for _, c := range cf.Cases {
				t.Run(prefix+c.Name, func(t *testing.T) {
					runQueryCase(t, h, c)
				})
			}
		}
	}
}

func runQueryCase(t *testing.T, h fasthttp.RequestHandler, c queryCase) {
	g := c.Granularity
	if g == "" {
		g = "count"
	}
	want := c.Status
	if want == 0 {
		want = 200
	}
	var body []byte
	path := c.Path
	switch c.Method {
	case "GET":
		if !strings.Contains(path, "requestedGranularity=") {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			path += sep + "requestedGranularity=" + g
		}
	case "POST":
		body = postBody(t, c.Body, g)
	default:
		t.Fatalf("method %q", c.Method)
	}
	if want != 200 {
		status, out := do(h, c.Method, path, body)
		if status != want {
			t.Fatalf("%s %s: status %d, want %d: %s", c.Method, path, status, want, out)
		}
		var e summary
		if err := json.Unmarshal(out, &e); err != nil || e.Error == nil || e.Error.ErrorCode != want || e.Error.ErrorMessage == "" {
			t.Fatalf("%s %s: not a Beacon error body with code %d and a message: %s", c.Method, path, want, out)
		}
		if err := schematest.For(t).Response("error", "", false, out); err != nil {
			t.Fatalf("error body does not validate: %v", err)
		}
		return
	}
	s := query(t, h, c.Method, path, body, 200)
	if s.Meta.ReturnedGranularity != g {
		t.Fatalf("returned granularity %q, want %q", s.Meta.ReturnedGranularity, g)
	}
	if c.Count != nil {
		if s.ResponseSummary.NumTotalResults == nil || *s.ResponseSummary.NumTotalResults != *c.Count {
			t.Errorf("numTotalResults %v, want %d", fmtCount(s.ResponseSummary.NumTotalResults), *c.Count)
		}
		if s.ResponseSummary.Exists != (*c.Count > 0) {
			t.Errorf("exists %v with %d results", s.ResponseSummary.Exists, *c.Count)
		}
	}
	if c.IDs != nil {
		got := []string{}
		for _, rs := range s.Response.ResultSets {
			for _, r := range rs.Results {
				got = append(got, recordID(t, r))
			}
		}
		for _, r := range s.Response.Collections {
			got = append(got, recordID(t, r))
		}
		if !slices.Equal(got, c.IDs) {
			t.Errorf("records %v, want %v", got, c.IDs)
		}
	}
	if c.Sets != nil {
		got := map[string]uint64{}
		for _, rs := range s.Response.ResultSets {
			got[rs.ID] = rs.ResultsCount
			if g == "boolean" {
				if rs.ResultsCount != 0 {
					t.Errorf("set %s carries a count at boolean", rs.ID)
				}
				got[rs.ID] = 0 // compare exists only
				if rs.Exists {
					got[rs.ID] = 1
				}
			} else if rs.Exists != (rs.ResultsCount > 0) {
				t.Errorf("set %s: exists %v with resultsCount %d", rs.ID, rs.Exists, rs.ResultsCount)
			}
		}
		want := map[string]uint64{}
		for id, n := range c.Sets {
			want[id] = n
			if g == "boolean" {
				want[id] = min(n, 1)
			}
		}
		if !maps.Equal(got, want) {
			t.Errorf("result sets %v, want %v", got, want)
		}
	}
	if c.Warnings != nil && (len(s.Info.Warnings) > 0) != *c.Warnings {
		t.Errorf("warnings %q, want some: %v", s.Info.Warnings, *c.Warnings)
	}
}

// postBody completes a case's query object into a POST body requesting granularity g.
func postBody(t *testing.T, raw json.RawMessage, g string) []byte {
	var q map[string]any
	if len(raw) > 0 {
		var str string
		if json.Unmarshal(raw, &str) == nil {
			return []byte(str) // a deliberately malformed body
		}
		if err := json.Unmarshal(raw, &q); err != nil {
			t.Fatal(err)
		}
	}
	if q == nil {
		q = map[string]any{}
	}
	if _, ok := q["requestedGranularity"]; !ok {
		q["requestedGranularity"] = g
	}
	b, err := json.Marshal(map[string]any{"meta": map[string]any{"apiVersion": "2.0"}, "query": q})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func recordID(t *testing.T, r json.RawMessage) string {
	var rec struct {
		ID        string `json:"id"`
		VariantID string `json:"variantInternalId"`
	}
	if err := json.Unmarshal(r, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.ID != "" {
		return rec.ID
	}
	return rec.VariantID
}

func fmtCount(n *uint64) string {
	if n == nil {
		return "absent"
	}
	return fmt.Sprint(*n)
}
