package api

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

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

// mapPaths reads the served /map: for each entry type (by path segment), its root and
// single-entry paths and its cross-entry paths, with {id} (or {variantInternalId}) left in.
func mapPaths(t *testing.T, h fasthttp.RequestHandler) map[string][]string {
	t.Helper()
	status, body := do(h, "GET", "/map", nil)
	if status != 200 {
		t.Fatalf("/map: status %d", status)
	}
	var m struct {
		Response struct {
			EndpointSets map[string]struct {
				RootURL        string `json:"rootUrl"`
				SingleEntryURL string `json:"singleEntryUrl"`
				Endpoints      map[string]struct {
					URL string `json:"url"`
				} `json:"endpoints"`
			} `json:"endpointSets"`
		} `json:"response"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	pathOfURL := func(s string) string {
		u, err := url.Parse(strings.NewReplacer("{", "%7B", "}", "%7D").Replace(s))
		if err != nil {
			t.Fatalf("/map url %q: %v", s, err)
		}
		return u.Path
	}
	out := map[string][]string{}
	for _, set := range m.Response.EndpointSets {
		root := pathOfURL(set.RootURL)
		seg := strings.TrimPrefix(root, "/")
		out[seg] = append(out[seg], root, pathOfURL(set.SingleEntryURL))
		var related []string
		for _, ep := range set.Endpoints {
			related = append(related, pathOfURL(ep.URL))
		}
		slices.Sort(related)
		out[seg] = append(out[seg], related...)
	}
	return out
}

// TestEveryDataEndpointValidates requests every entry-type endpoint /map lists (collection,
// single entry, and each cross-entry endpoint: every ordered pair of the seven entry types)
// at each granularity, as GET and as POST, and validates every response, records included,
// against the official schemas.
func TestEveryDataEndpointValidates(t *testing.T) {
	for _, name := range []string{"cineca", "demo"} {
		h := testHandler(t, name)
		listed := mapPaths(t, h)
		nRelated := 0
		for _, et := range EntryTypes {
			seg := et.PathSegment
			paths := listed[seg]
			if len(paths) != 2+len(EntryTypes)-1 {
				t.Fatalf("%s: /map lists %d endpoints for %s, want the root, the single entry and %d cross-entry paths: %v", name, len(paths), seg, len(EntryTypes)-1, paths)
			}
			id := firstID(t, name, seg)
			for i, p := range paths {
				if i >= 2 {
					nRelated++
				}
				p = strings.NewReplacer("{"+et.IDParam+"}", id).Replace(p)
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
		if nRelated != 42 {
			t.Errorf("%s: %d cross-entry endpoints requested, want 42 (7 x 6)", name, nRelated)
		}
	}
}
