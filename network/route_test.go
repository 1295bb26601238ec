package network

import (
	"testing"

	"github.com/bitbeacon/bitbeacon/api"
)

// TestRoutes: the network reads paths with the api's parser and asks members the cleaned
// path; the bitbeacon endpoints it has no answer for (v1 /query, per-collection terms) are
// not found.
func TestRoutes(t *testing.T) {
	for _, c := range []struct {
		in, path string
		kind     api.RouteKind
	}{
		{"/api/individuals/", "/individuals", api.RouteEntries},
		{"/g_variants/v1/biosamples", "/g_variants/v1/biosamples", api.RouteRelated},
		{"/api", "", api.RouteInfo},
		{"/apiary", "/apiary", api.RouteNotFound},
	} {
		if r := parseRoute(c.in); r.Kind != c.kind || r.path != c.path {
			t.Errorf("%s: kind %d path %q, want %d %q", c.in, r.Kind, r.path, c.kind, c.path)
		}
	}
	_, url := testNetwork(t, Config{Members: []Member{{ID: "a", URL: bitbeaconMember(t, "FIXTURE", "")}}})
	for _, p := range []string{"/query?referenceName=1&start=1&assemblyId=GRCh38", "/datasets/FIXTURE/filtering_terms"} {
		if status, body := get(t, "GET", url+p, "", nil); status != 404 {
			t.Errorf("%s: status %d: %s", p, status, body)
		}
	}
}
