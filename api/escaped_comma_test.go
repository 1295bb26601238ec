package api

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// A comma inside a GET list item is escaped with a backslash; any other comma, encoded
// (%2C, as URLSearchParams sends it) or not, separates items. The echoed filters show what
// was understood.
func TestEscapedCommaInGETItems(t *testing.T) {
	h := testHandler(t, "fixture")
	for _, c := range []struct {
		uri     string
		filters []string
	}{
		{`/individuals?filters=X:a\,b,NCIT:C16576&requestedGranularity=count`, []string{"X:a,b", "NCIT:C16576"}},
		{"/individuals?filters=X:a%5C%2Cb%5C,c&requestedGranularity=count", []string{"X:a,b,c"}},
		{"/individuals?filters=X:a,b&requestedGranularity=count", []string{"X:a", "b"}},
		{"/individuals?filters=X:a%2Cb&requestedGranularity=count", []string{"X:a", "b"}},
		{`/individuals?filters=NCIT:C16576,[X:a\,b,NCIT:C20197]&requestedGranularity=count`, nil}, // an OR group keeps it whole too
	} {
		s := query(t, h, "GET", c.uri, nil, 200)
		_, out := do(h, "GET", c.uri, nil)
		var r struct {
			Meta struct {
				ReceivedRequestSummary struct {
					Filters []string `json:"filters"`
				} `json:"receivedRequestSummary"`
			} `json:"meta"`
		}
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		got := r.Meta.ReceivedRequestSummary.Filters
		if c.filters != nil && !slices.Equal(got, c.filters) {
			t.Errorf("%s: filters understood as %q, want %q", c.uri, got, c.filters)
		}
		if c.filters == nil && !containsSub(s.Info.Warnings, "'X:a,b'") {
			t.Errorf("%s: X:a,b not read as one term (warnings %q)", c.uri, s.Info.Warnings)
		}
	}
	// datasetIds likewise: an escaped comma keeps one (unknown) id, an encoded one separates.
	if s := query(t, h, "GET", `/individuals?filters=NCIT:C16576&requestedGranularity=count&datasetIds=FIX\,TURE`, nil, 200); s.ResponseSummary.Exists {
		t.Errorf("datasetIds FIX,TURE is one unknown id, not FIXTURE: %+v", s.ResponseSummary)
	}
	if s := query(t, h, "GET", "/individuals?filters=NCIT:C16576&requestedGranularity=count&datasetIds=NOPE%2CFIXTURE", nil, 200); !s.ResponseSummary.Exists {
		t.Errorf("datasetIds NOPE%%2CFIXTURE names FIXTURE: %+v", s.ResponseSummary)
	}
}

// containsSub reports whether any of ss contains sub.
func containsSub(ss []string, sub string) bool {
	return slices.ContainsFunc(ss, func(s string) bool { return strings.Contains(s, sub) })
}

// JoinList writes what the GET list parser reads back as the same items.
func TestJoinListRoundTrip(t *testing.T) {
	for _, items := range [][]string{{"a"}, {"X:a,b", "NCIT:C16576"}, {",", "", "a,,b"}} {
		joined := JoinList(items)
		if got := appendItems(nil, joined); !slices.Equal(got, items) {
			t.Errorf("%q joined as %q reads back as %q", items, joined, got)
		}
	}
}
