package ui_test

import (
	"testing"
)

// A shared link of a filter count shows the API's count, at the granularity the API
// returned, with the dataset's count, and its form shows the query.
func TestSharedFilterCount(t *testing.T) {
	b := demoBeacon(t)
	var want answer
	b.getJSON(t, "/individuals?filters=NCIT:C16576&requestedGranularity=count", &want)
	if want.ResponseSummary.NumTotalResults == 0 {
		t.Fatal("the demo has no females: the test would prove nothing")
	}
	p := newPage(t, b)
	p.open("/ui/individuals?filters=NCIT:C16576&requestedGranularity=count")
	if got := p.number("#answer-total"); got != want.ResponseSummary.NumTotalResults {
		t.Errorf("page shows %d females, the API says %d", got, want.ResponseSummary.NumTotalResults)
	}
	if g := p.text("#answer-exists"); g != "Yes" {
		t.Errorf("exists shows %q", g)
	}
	if g := eval[string](p, `document.getElementById('answer-granularity').dataset.returned`); g != "count" {
		t.Errorf("returned granularity shown %q", g)
	}
	if got := p.number(`#per-dataset tr[data-dataset="bitbeacon_demo"] td.num`); got != want.ResponseSummary.NumTotalResults {
		t.Errorf("per-dataset count %d, want %d", got, want.ResponseSummary.NumTotalResults)
	}
	if ids := p.texts("#filter-list li.filter code"); len(ids) != 1 || ids[0] != "NCIT:C16576" {
		t.Errorf("the form's filters are %q, want the link's NCIT:C16576", ids)
	}
	if l := p.text("#filter-list li.filter .filter-name"); l != "female NCIT:C16576" {
		t.Errorf("the filter is shown as %q, want its label from /filtering_terms", l)
	}
}
