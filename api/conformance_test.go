package api

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/bitbeacon/bitbeacon/internal/schematest"
)

// TestFrameworkEndpointsValidate checks the informational endpoints against their schemas.
func TestFrameworkEndpointsValidate(t *testing.T) {
	for _, name := range []string{"cineca", "demo"} {
		h := testHandler(t, name)
		for _, c := range []struct{ path, kind string }{
			{"/", "info"}, {"/info", "info"}, {"/service-info", "service-info"},
			{"/configuration", "configuration"}, {"/entry_types", "entry_types"}, {"/map", "map"},
			{"/filtering_terms", "filtering_terms"}, {"/individuals/filtering_terms", "filtering_terms"},
			{"/filtering_terms?skip=1&limit=5", "filtering_terms"},
		} {
			status, body := do(h, "GET", c.path, nil)
			if status != 200 {
				t.Fatalf("%s GET %s: status %d: %s", name, c.path, status, body)
			}
			if err := schematest.For(t).Response(c.kind, "", false, body); err != nil {
				t.Errorf("%s GET %s: %v", name, c.path, err)
			}
		}
	}
}

// firstID returns the id of the first record an entry type returns, as a verifier finds it.
func firstID(t *testing.T, name, seg string) string {
	t.Helper()
	s := query(t, testHandler(t, name), "GET", "/"+seg+"?requestedGranularity=record&limit=1", nil, 200)
	var recs []json.RawMessage
	if len(s.Response.ResultSets) > 0 {
		recs = s.Response.ResultSets[0].Results
	}
	if len(s.Response.Collections) > 0 {
		recs = s.Response.Collections
	}
	if len(recs) == 0 {
		t.Fatalf("%s: /%s returned no record", name, seg)
	}
	var rec struct {
		ID        string `json:"id"`
		VariantID string `json:"variantInternalId"`
	}
	if err := json.Unmarshal(recs[0], &rec); err != nil {
		t.Fatal(err)
	}
	if rec.ID != "" {
		return rec.ID
	}
	return rec.VariantID
}

// TestEveryDataEndpointValidates requests every entry-type endpoint of the map (collection,
// single entry, each cross-entry endpoint) at each granularity, as GET and as POST, and
// validates every response, records included, against the official schemas.
func TestEveryDataEndpointValidates(t *testing.T) {
	for _, name := range []string{"cineca", "demo"} {
		h := testHandler(t, name)
		for _, et := range EntryTypes {
			seg := et.PathSegment
			id := firstID(t, name, seg)
			paths := []string{"/" + seg, "/" + seg + "/" + id}
			for _, rel := range relatedEndpoints[seg] {
				paths = append(paths, "/"+seg+"/"+id+"/"+rel)
			}
			for _, p := range paths {
				for _, g := range []string{"boolean", "count", "record"} {
					t.Run(fmt.Sprintf("%s%s/%s", name, p, g), func(t *testing.T) {
						sg := query(t, h, "GET", p+"?requestedGranularity="+g, nil, 200)
						body := fmt.Sprintf(`{"meta":{"apiVersion":"2.0"},"query":{"requestedGranularity":%q,"pagination":{"skip":0,"limit":5}}}`, g)
						sp := query(t, h, "POST", p, []byte(body), 200)
						if sg.Meta.ReturnedGranularity != g || sp.Meta.ReturnedGranularity != g {
							t.Fatalf("returned granularity GET %q POST %q, want %q", sg.Meta.ReturnedGranularity, sp.Meta.ReturnedGranularity, g)
						}
						if sg.ResponseSummary.Exists != sp.ResponseSummary.Exists {
							t.Fatalf("GET and POST disagree on exists")
						}
					})
				}
			}
		}
	}
}
