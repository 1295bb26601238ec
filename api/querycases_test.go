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
//
// After a change that is meant to alter answers,
//
//	go test ./api -run TestQueryCases -update
//
// rewrites the expectations the cases state (status, count, ids, sets, warnings) from the
// current answers, and only those: a case gains no new kind of expectation, the other keys
// and their order stay, and a file no case of which changed is not written. What may not
// differ still fails (an error body that does not validate, a granularity not honoured,
// exists disagreeing with a count, two releases of one file answering differently). Read
// `git diff testdata/queries` before committing: the update makes the tests agree with the
// code, not the code right. -run narrows it to some files or cases (TestQueryCases/fixture/).
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

// queryCaseFileText is one file of testdata/queries: its path, its bytes and its reading.
type queryCaseFileText struct {
	path string
	raw  []byte
	file queryCaseFile
}

// readQueryCaseFiles reads every case file of testdata/queries (at least one).
func readQueryCaseFiles(t *testing.T) []queryCaseFileText {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testenv.RepoRoot(t), "testdata", "queries", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no query case files in testdata/queries (%v)", err)
	}
	var out []queryCaseFileText
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c := queryCaseFileText{path: f, raw: raw}
		if err := json.Unmarshal(raw, &c.file); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, c)
	}
	return out
}

func TestQueryCases(t *testing.T) {
	for _, c := range readQueryCaseFiles(t) {
		f, raw, cf := c.path, c.raw, c.file
		releases := cf.Releases
		if cf.Release != "" {
			releases = append(releases, cf.Release)
		}
		if len(releases) == 0 {
			t.Fatalf("%s names no release", f)
		}
		var up *caseFileUpdate
		if *updateQueryCases {
			var err error
			if up, err = newCaseFileUpdate(raw, len(cf.Cases)); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		}
		for ri, rel := range releases {
			h := testHandler(t, rel)
			prefix := strings.TrimSuffix(filepath.Base(f), ".json") + "/"
			if len(releases) > 1 {
				prefix += rel + "/"
			}
			for i := range cf.Cases {
				c := &cf.Cases[i]
				t.Run(prefix+c.Name, func(t *testing.T) {
					a := observeQueryCase(t, h, c)
					if up != nil && ri == 0 {
						// The first release writes the expectations; the others must agree.
						up.apply(t, i, c, a)
						return
					}
					expectQueryCase(t, c, a)
				})
			}
		}
		if up != nil {
			if err := up.write(f); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		}
	}
}

// queryAnswer is what a case's request got, in the terms a case states its expectations.
type queryAnswer struct {
	status   int
	count    *uint64           // numTotalResults; nil when absent
	ids      []string          // the records returned, in order
	sets     map[string]uint64 // resultsCount by set id; at boolean exists as 0 or 1
	warnings []string
}

// observeQueryCase sends a case's request and returns the answer, failing on what no
// expectation may change: an error must be a valid Beacon error body, a data answer must
// validate, honour the granularity and keep exists and its counts consistent.
func observeQueryCase(t *testing.T, h fasthttp.RequestHandler, c *queryCase) queryAnswer {
	g := c.Granularity
	if g == "" {
		g = "count"
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
	status, out := do(h, c.Method, path, body)
	a := queryAnswer{status: status}
	if status != 200 {
		var e summary
		if err := json.Unmarshal(out, &e); err != nil || e.Error == nil || e.Error.ErrorCode != status || e.Error.ErrorMessage == "" {
			t.Fatalf("%s %s: status %d, not a Beacon error body with that code and a message: %s", c.Method, path, status, out)
		}
		if err := schematest.For(t).Response("error", "", false, out); err != nil {
			t.Fatalf("error body does not validate: %v", err)
		}
		return a
	}
	s := dataSummary(t, c.Method, path, out)
	if s.Meta.ReturnedGranularity != g {
		t.Fatalf("returned granularity %q, want %q", s.Meta.ReturnedGranularity, g)
	}
	a.count = s.ResponseSummary.NumTotalResults
	if a.count != nil && s.ResponseSummary.Exists != (*a.count > 0) {
		t.Errorf("exists %v with %d results", s.ResponseSummary.Exists, *a.count)
	}
	a.ids = []string{}
	for _, rs := range s.Response.ResultSets {
		for _, r := range rs.Results {
			a.ids = append(a.ids, recordID(t, r))
		}
	}
	for _, r := range s.Response.Collections {
		a.ids = append(a.ids, recordID(t, r))
	}
	a.sets = map[string]uint64{}
	for _, rs := range s.Response.ResultSets {
		a.sets[rs.ID] = rs.ResultsCount
		if g == "boolean" {
			if rs.ResultsCount != 0 {
				t.Errorf("set %s carries a count at boolean", rs.ID)
			}
			a.sets[rs.ID] = 0 // compare exists only
			if rs.Exists {
				a.sets[rs.ID] = 1
			}
		} else if rs.Exists != (rs.ResultsCount > 0) {
			t.Errorf("set %s: exists %v with resultsCount %d", rs.ID, rs.Exists, rs.ResultsCount)
		}
	}
	a.warnings = s.Info.Warnings
	return a
}

// wantStatus is the status a case expects, 200 unless it says otherwise.
func (c *queryCase) wantStatus() int {
	if c.Status == 0 {
		return 200
	}
	return c.Status
}

// wantSets is what the case's sets must read as at its granularity (exists only at boolean).
func (c *queryCase) wantSets() map[string]uint64 {
	want := map[string]uint64{}
	for id, n := range c.Sets {
		want[id] = n
		if c.Granularity == "boolean" {
			want[id] = min(n, 1)
		}
	}
	return want
}

// expectQueryCase checks an answer against the expectations the case states.
func expectQueryCase(t *testing.T, c *queryCase, a queryAnswer) {
	if a.status != c.wantStatus() {
		t.Fatalf("%s %s: status %d, want %d", c.Method, c.Path, a.status, c.wantStatus())
	}
	if a.status != 200 {
		return
	}
	if c.Count != nil && (a.count == nil || *a.count != *c.Count) {
		t.Errorf("numTotalResults %v, want %d", fmtCount(a.count), *c.Count)
	}
	if c.IDs != nil && !slices.Equal(a.ids, c.IDs) {
		t.Errorf("records %v, want %v", a.ids, c.IDs)
	}
	if c.Sets != nil && !maps.Equal(a.sets, c.wantSets()) {
		t.Errorf("result sets %v, want %v", a.sets, c.wantSets())
	}
	if c.Warnings != nil && (len(a.warnings) > 0) != *c.Warnings {
		t.Errorf("warnings %q, want some: %v", a.warnings, *c.Warnings)
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
