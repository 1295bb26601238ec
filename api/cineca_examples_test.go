package api

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/internal/testenv"
)

// TestCINECAExampleQueries runs the 14 example queries of
// shared/data/cineca_uk1_examples/example_queries.json, as GET (when the file gives one) and
// as POST, and checks numTotalResults and exists against the independently computed answers.
func TestCINECAExampleQueries(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testenv.DataDir(t), "cineca_uk1_examples", "example_queries.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Queries []struct {
			ID       string          `json:"id"`
			Endpoint string          `json:"endpoint"`
			GET      *string         `json:"GET"`
			POSTBody json.RawMessage `json:"POST_body"`
			Expected struct {
				NumTotalResults uint64 `json:"numTotalResults"`
				Exists          bool   `json:"exists"`
			} `json:"expected"`
			Note string `json:"note"`
		} `json:"queries"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Queries) != 14 {
		t.Fatalf("expected 14 example queries, found %d", len(file.Queries))
	}
	h := testHandler(t, "cineca")
	for _, q := range file.Queries {
		t.Run(q.ID, func(t *testing.T) {
			check := func(how string, s summary) {
				t.Helper()
				if s.Meta.ReturnedGranularity != "count" {
					t.Fatalf("%s: returned granularity %q, want count", how, s.Meta.ReturnedGranularity)
				}
				if s.ResponseSummary.NumTotalResults == nil {
					t.Fatalf("%s: no numTotalResults", how)
				}
				if got := *s.ResponseSummary.NumTotalResults; got != q.Expected.NumTotalResults || s.ResponseSummary.Exists != q.Expected.Exists {
					t.Errorf("%s (%s): numTotalResults %d exists %v, want %d %v (warnings %v)", how, q.Note, got, s.ResponseSummary.Exists,
						q.Expected.NumTotalResults, q.Expected.Exists, s.Info.Warnings)
				}
			}
			check("POST", query(t, h, "POST", q.Endpoint, q.POSTBody, 200))
			if q.GET != nil {
				sep := "?"
				if strings.Contains(*q.GET, "?") {
					sep = "&"
				}
				check("GET", query(t, h, "GET", *q.GET+sep+"requestedGranularity=count", nil, 200))
			}
		})
	}
}
