package ui_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The flows of issue 13, each in a real browser against the demo on loopback: shared links
// (a filter count, a range count, a record page, a cross-entry path) show the numbers and
// ids the API gives for the same request; a query built by typing and clicking; a record's
// links followed. What the page shows is compared with the API's own answer.

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
	// The label comes from /filtering_terms, which loads beside the query.
	p.poll(`document.querySelector('#filter-list li.filter .filter-name')?.textContent === 'female NCIT:C16576'`)
	if g := eval[string](p, `document.querySelector('input[name=requestedGranularity]:checked').value`); g != "count" {
		t.Errorf("the form's granularity is %q", g)
	}
	if !strings.Contains(p.text("title"), "268") && want.ResponseSummary.NumTotalResults == 268 {
		t.Errorf("title %q does not name the count", p.text("title"))
	}
	p.shot("count")
}

// A range query's link fills the variant form and shows the API's count.
func TestSharedRangeCount(t *testing.T) {
	b := demoBeacon(t)
	const q = "referenceName=22&start=0&end=20000000&requestedGranularity=count"
	var want, all answer
	b.getJSON(t, "/g_variants?"+q, &want)
	b.getJSON(t, "/g_variants?referenceName=22&start=0&end=60000000&requestedGranularity=count", &all)
	if n := want.ResponseSummary.NumTotalResults; n == 0 || n >= all.ResponseSummary.NumTotalResults {
		t.Fatalf("the range holds %d of chromosome 22's %d variants: pick a range that tells them apart", n, all.ResponseSummary.NumTotalResults)
	}
	p := newPage(t, b)
	p.open("/ui/g_variants?" + q)
	if got := p.number("#answer-total"); got != want.ResponseSummary.NumTotalResults {
		t.Errorf("page shows %d variants, the API says %d", got, want.ResponseSummary.NumTotalResults)
	}
	for id, v := range map[string]string{"v-referenceName": "22", "v-start": "0", "v-end": "20000000", "entry": "g_variants"} {
		if got := eval[string](p, `document.getElementById('`+id+`').value`); got != v {
			t.Errorf("form field %s = %q, want %q from the link", id, got, v)
		}
	}
	if !eval[bool](p, `document.getElementById('variant-box').open`) {
		t.Error("the variant box is closed on a variant query")
	}
}

// A record page shows the API's records of that page; a record's JSON opens under it;
// Next and Back page through skip.
func TestSharedRecordPage(t *testing.T) {
	b := demoBeacon(t)
	const q = "filters=NCIT:C16576&requestedGranularity=record&limit=5"
	var page1, page2 answer
	b.getJSON(t, "/individuals?"+q+"&skip=1", &page1)
	b.getJSON(t, "/individuals?"+q+"&skip=2", &page2)
	want1, want2 := page1.ids("id"), page2.ids("id")
	if len(want1) != 5 || len(want2) != 5 || slices.Equal(want1, want2) {
		t.Fatalf("API pages %v and %v: the test needs two different full pages", want1, want2)
	}
	p := newPage(t, b)
	p.open("/ui/individuals?" + q + "&skip=1")
	if got := p.texts("#records tbody tr[data-id] .rec-id"); !slices.Equal(got, want1) {
		t.Errorf("page shows records %v, the API's page is %v", got, want1)
	}
	if c := p.text("#records caption"); !strings.Contains(c, "6–10 of 268") {
		t.Errorf("caption %q does not say records 6-10 of 268", c)
	}
	// The full JSON of the first record, one click away.
	p.click("#records tbody tr[data-id] button.json-toggle")
	raw := p.text("#records tr.json:not([hidden]) pre")
	var rec map[string]any
	if err := json.Unmarshal([]byte(raw), &rec); err != nil || rec["id"] != want1[0] {
		t.Errorf("the opened JSON is not record %s: %v\n%.200s", want1[0], err, raw)
	}
	if e := eval[string](p, `document.querySelector('#records button.json-toggle').getAttribute('aria-expanded')`); e != "true" {
		t.Errorf("the JSON toggle says aria-expanded=%s once open", e)
	}
	p.shot("records")
	p.click("#page-next")
	p.waitAnswer()
	if loc := p.location(); !strings.Contains(loc, "skip=2") {
		t.Errorf("Next went to %s, want skip=2", loc)
	}
	if got := p.texts("#records tbody tr[data-id] .rec-id"); !slices.Equal(got, want2) {
		t.Errorf("after Next the page shows %v, the API's next page is %v", got, want2)
	}
	p.do(chromedp.NavigateBack())
	p.waitAnswer()
	if got := p.texts("#records tbody tr[data-id] .rec-id"); !slices.Equal(got, want1) {
		t.Errorf("after Back the page shows %v, want %v", got, want1)
	}
}

// carrierVariant is a chromosome-22 variant of the demo with the most carriers among the
// first few, for cross-entry paths.
func carrierVariant(t *testing.T, b *beacon) string {
	var a answer
	b.getJSON(t, "/g_variants?referenceName=22&start=0&end=60000000&requestedGranularity=record&limit=5", &a)
	best, most := "", 0
	for _, r := range a.Response.ResultSets[0].Results {
		var v struct {
			ID       string            `json:"variantInternalId"`
			Carriers []json.RawMessage `json:"caseLevelData"`
		}
		json.Unmarshal(r, &v)
		if len(v.Carriers) > most {
			best, most = v.ID, len(v.Carriers)
		}
	}
	if most < 2 {
		t.Fatal("no demo variant with two carriers among the first five on chromosome 22")
	}
	return best
}

// A cross-entry link (a variant's carriers) shows the API's count, and the form shows the
// path as entry type, record id and related entries.
func TestSharedCrossEntryPath(t *testing.T) {
	b := demoBeacon(t)
	v := carrierVariant(t, b)
	var want answer
	b.getJSON(t, "/g_variants/"+v+"/individuals?requestedGranularity=count", &want)
	p := newPage(t, b)
	p.open("/ui/g_variants/" + v + "/individuals?requestedGranularity=count")
	if got := p.number("#answer-total"); got != want.ResponseSummary.NumTotalResults || got < 2 {
		t.Errorf("page shows %d carriers of %s, the API says %d", got, v, want.ResponseSummary.NumTotalResults)
	}
	p.poll(`document.getElementById('related').value === 'individuals'`)
	if e, id := eval[string](p, `document.getElementById('entry').value`), eval[string](p, `document.getElementById('record-id').value`); e != "g_variants" || id != v {
		t.Errorf("form shows entry %q id %q, want g_variants %s", e, id, v)
	}
}

// A query built by typing and clicking: a term picked from the autocomplete with the
// keyboard, an alphanumeric filter typed in full, count granularity, Run. The page's URL
// becomes the query's link and the answer is the API's.
func TestBuildQueryByForm(t *testing.T) {
	b := demoBeacon(t)
	p := newPage(t, b)
	p.open("/ui/")
	p.typeInto("#term-input", "fem")
	p.poll(`!document.getElementById('term-list').hidden`)
	opts := p.texts("#term-list [role=option]")
	if len(opts) == 0 || !strings.HasPrefix(opts[0], "female") {
		t.Fatalf("autocomplete for 'fem' offers %q, want female first", opts)
	}
	if exp := eval[string](p, `document.getElementById('term-input').getAttribute('aria-expanded')`); exp != "true" {
		t.Errorf("combobox aria-expanded=%s while the list is open", exp)
	}
	p.shot("autocomplete")
	p.typeInto("#term-input", kb.Enter)
	p.typeInto("#term-input", "karyotypicSex=XX"+kb.Enter)
	if ids := p.texts("#filter-list li.filter code"); !slices.Equal(ids, []string{"NCIT:C16576", "karyotypicSex"}) {
		t.Fatalf("filters after typing: %q", ids)
	}
	if v := eval[string](p, `document.querySelector('#filter-list li.filter input.filter-value').value`); v != "XX" {
		t.Errorf("the alphanumeric filter's value is %q", v)
	}
	p.click(`input[name=requestedGranularity][value=count]`)
	p.click("#run")
	p.waitAnswer()
	u, err := url.Parse(p.location())
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "/ui/individuals" || u.Query().Get("filters") != "NCIT:C16576,karyotypicSex:=XX" || u.Query().Get("requestedGranularity") != "count" {
		t.Errorf("the page's URL after Run is %s", u)
	}
	var want answer
	b.getJSON(t, "/individuals?filters=NCIT:C16576,karyotypicSex:=XX&requestedGranularity=count", &want)
	if got := p.number("#answer-total"); got != want.ResponseSummary.NumTotalResults {
		t.Errorf("built query shows %d, the API says %d", got, want.ResponseSummary.NumTotalResults)
	}

	// Validation before sending: a start that is no number, then a start without end or
	// alternate bases; the URL stays, the fields say what is wrong.
	before := p.location()
	p.click("#variant-box > summary")
	p.typeInto("#v-referenceName", "22")
	p.typeInto("#v-start", "abc")
	p.click("#run")
	if p.location() != before {
		t.Errorf("an invalid start was sent: the URL became %s", p.location())
	}
	if inv := eval[string](p, `document.getElementById('v-start').getAttribute('aria-invalid')`); inv != "true" {
		t.Error("the bad start is not marked aria-invalid")
	}
	if msg := p.text("#v-start-err"); !strings.Contains(msg, "whole numbers") {
		t.Errorf("form errors: %q", msg)
	}
	p.do(chromedp.SetValue(chromedp.CSS("#v-start"), "16050074"))
	p.click("#run")
	if msg := p.text("#v-alternateBases-err"); !strings.Contains(msg, "needs alternate bases") {
		t.Errorf("a start without end or bases: %q", msg)
	}
	p.shot("validation")
}

// Following a record's links: an individual's variants, then that variant's carriers, each
// the API's records for the same path.
func TestFollowRecordLinks(t *testing.T) {
	b := demoBeacon(t)
	p := newPage(t, b)
	p.open("/ui/individuals?requestedGranularity=record&limit=3")
	first := p.text("#records tbody tr[data-id] .rec-id")
	p.click(`#records tbody tr[data-id] a.rel[data-rel=g_variants]`)
	p.waitAnswer()
	if loc := p.location(); loc != "/ui/individuals/"+first+"/g_variants?requestedGranularity=record" {
		t.Errorf("the variants link went to %s", loc)
	}
	var vars answer
	b.getJSON(t, "/individuals/"+first+"/g_variants?requestedGranularity=record", &vars)
	want := vars.ids("variantInternalId")
	if got := p.texts("#records tbody tr[data-id] .rec-id"); len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("%s's variants on the page %v, the API's %v", first, got, want)
	}
	if got := p.number("#answer-total"); got != vars.ResponseSummary.NumTotalResults {
		t.Errorf("variant total %d, want %d", got, vars.ResponseSummary.NumTotalResults)
	}
	p.click(`#records tbody tr[data-id] a.rel[data-rel=individuals]`)
	p.waitAnswer()
	var carriers answer
	b.getJSON(t, "/g_variants/"+want[0]+"/individuals?requestedGranularity=record", &carriers)
	got := p.texts("#records tbody tr[data-id] .rec-id")
	if !slices.Equal(got, carriers.ids("id")) || !slices.Contains(got, first) && carriers.ResponseSummary.NumTotalResults <= 10 {
		t.Errorf("carriers of %s on the page %v, the API's %v (and %s carries it)", want[0], got, carriers.ids("id"), first)
	}
	// An id links to its own record.
	p.click("#records tbody tr[data-id] a.rec-id")
	p.waitAnswer()
	if loc := p.location(); loc != "/ui/individuals/"+got[0]+"?requestedGranularity=record" {
		t.Errorf("the id link went to %s", loc)
	}
	if n := p.number("#answer-total"); n != 1 {
		t.Errorf("one record's page counts %d", n)
	}
}

// The page is a client of the API's messages: a 400 shows the beacon's message, a filter no
// one knows shows the beacon's warning.
func TestErrorsAndWarnings(t *testing.T) {
	b := demoBeacon(t)
	var bad, unknown answer
	b.getJSON(t, "/g_variants?referenceName=22&start=1", &bad)
	b.getJSON(t, "/individuals?filters=XXX:1&requestedGranularity=count", &unknown)
	if bad.Error == nil {
		t.Fatal("the API accepted a start without end or bases")
	}
	p := newPage(t, b)
	p.open("/ui/g_variants?referenceName=22&start=1")
	if msg := p.text("#answer-error-message"); !strings.HasPrefix(msg, bad.Error.ErrorMessage) {
		t.Errorf("the page shows %q, the API said %q", msg, bad.Error.ErrorMessage)
	}
	p.open("/ui/individuals?filters=XXX:1&requestedGranularity=count")
	if w := p.text("#answer-warnings li"); w == "" || !strings.Contains(w, "XXX:1") {
		t.Errorf("the unknown-term warning shown is %q", w)
	}
	if n := p.number("#answer-total"); n != 0 || p.text("#answer-exists") != "No" {
		t.Errorf("an unknown term shows %d / %s", n, p.text("#answer-exists"))
	}
	// A path that is no endpoint: the beacon's 404 message.
	var none answer
	b.getJSON(t, "/nothing", &none)
	p.open("/ui/nothing?requestedGranularity=count")
	if msg := p.text("#answer-error-message"); none.Error == nil || !strings.HasPrefix(msg, none.Error.ErrorMessage) {
		t.Errorf("an unknown entry path shows %q", msg)
	}
	// A malformed escape in the path does not break the page: the beacon's answer for it.
	p.open("/ui/individuals/%E0%A4%A?requestedGranularity=count")
	if p.text("#answer-exists") == "" && p.text("#answer-error-message") == "" {
		t.Errorf("a malformed path escape shows no answer: %q", p.text("#answer"))
	}
	// A hand-edited filtersJSON that is no JSON: the page says so and sends nothing.
	b.requests()
	p.open("/ui/individuals?filtersJSON=%5B%7Bnope&requestedGranularity=count")
	if s := p.text("#status"); !strings.Contains(s, "filtersJSON is not a JSON array") {
		t.Errorf("a broken filtersJSON shows %q", s)
	}
	for _, r := range b.requests() {
		if r.path == "/individuals" {
			t.Error("a link with a broken filtersJSON was sent")
		}
	}
}

// Filters GET cannot say go as POST, and the URL keeps them as filtersJSON (a term without
// its descendants and with a scope); OR groups (the OR-filter extension) go as GET [A,B],
// or as a nested POST array when a member needs POST. Each answer is the API's own.
func TestPostFiltersAndOrGroups(t *testing.T) {
	b := demoBeacon(t)
	p := newPage(t, b)
	p.open("/ui/individuals?filters=NCIT:C16576&requestedGranularity=count")
	p.click(`#filter-list li.filter input[type=checkbox]`)
	p.do(chromedp.SetValue(chromedp.CSS(`#filter-list li.filter select:last-of-type`), "individual"))
	p.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('#filter-list li.filter select:last-of-type').dispatchEvent(new Event('change'))`))
	p.click("#run")
	p.waitAnswer()
	u, _ := url.Parse(p.location())
	fj := u.Query().Get("filtersJSON")
	if fj != `[{"id":"NCIT:C16576","includeDescendantTerms":false,"scope":"individual"}]` || u.Query().Has("filters") {
		t.Fatalf("URL after unticking descendants: %s", u)
	}
	var want answer
	b.postJSON(t, "/individuals", `{"meta":{"apiVersion":"2.0"},"query":{"filters":`+fj+`,"requestedGranularity":"count"}}`, &want)
	if got := p.number("#answer-total"); got != want.ResponseSummary.NumTotalResults {
		t.Errorf("POST filters: page %d, API %d", got, want.ResponseSummary.NumTotalResults)
	}
	if a := p.text("#api-link"); !strings.HasPrefix(a, "API request: POST") {
		t.Errorf("the request is described as %q", a)
	}

	// female OR male, in an OR group: GET filters=[A,B] (bitbeacon's OR extension), the
	// answer the API's to the same GET.
	p.open("/ui/individuals?requestedGranularity=count")
	p.click("#add-or")
	p.typeInto("#term-input", "NCIT:C16576"+kb.Enter)
	p.typeInto("#term-input", "NCIT:C20197"+kb.Enter)
	p.typeInto("#term-input", kb.Tab)
	p.click("#run")
	p.waitAnswer()
	u, _ = url.Parse(p.location())
	if got := u.Query().Get("filters"); got != "[NCIT:C16576,NCIT:C20197]" || u.Query().Has("filtersJSON") {
		t.Fatalf("an OR group's URL: %s", u)
	}
	var or, female answer
	b.getJSON(t, "/individuals?filters=[NCIT:C16576,NCIT:C20197]&requestedGranularity=count", &or)
	b.getJSON(t, "/individuals?filters=NCIT:C16576&requestedGranularity=count", &female)
	if or.Error != nil {
		t.Fatalf("the API rejects an OR group: %s", or.Error.ErrorMessage)
	}
	if or.ResponseSummary.NumTotalResults <= female.ResponseSummary.NumTotalResults {
		t.Errorf("female OR male counts %d, female alone %d: not an OR", or.ResponseSummary.NumTotalResults, female.ResponseSummary.NumTotalResults)
	}
	if got := p.number("#answer-total"); got != or.ResponseSummary.NumTotalResults {
		t.Errorf("OR group: page %d, API %d", got, or.ResponseSummary.NumTotalResults)
	}
	// Opening that link shows the group in the form, and an OR group with a filter GET
	// cannot say (descendants off) goes as POST with a nested array.
	p.open("/ui/individuals?filters=NCIT:C43851,[NCIT:C16576,NCIT:C20197]&requestedGranularity=count")
	if n := eval[int](p, `document.querySelectorAll('#filter-list > li.or-group li.filter').length`); n != 2 {
		t.Errorf("the link's OR group shows %d filters in the form", n)
	}
	p.click(`#filter-list > li.or-group li.filter input[type=checkbox]`)
	p.click("#run")
	p.waitAnswer()
	u, _ = url.Parse(p.location())
	fj = u.Query().Get("filtersJSON")
	if fj != `[{"id":"NCIT:C43851"},[{"id":"NCIT:C16576","includeDescendantTerms":false},{"id":"NCIT:C20197"}]]` {
		t.Fatalf("a nested group with descendants off: %s", u)
	}
	var nested answer
	b.postJSON(t, "/individuals", `{"meta":{"apiVersion":"2.0"},"query":{"filters":`+fj+`,"requestedGranularity":"count"}}`, &nested)
	if nested.Error != nil {
		t.Fatalf("the API rejects %s: %s", fj, nested.Error.ErrorMessage)
	}
	if got := p.number("#answer-total"); got != nested.ResponseSummary.NumTotalResults {
		t.Errorf("nested POST group: page %d, API %d", got, nested.ResponseSummary.NumTotalResults)
	}
	p.shot("or-group")
}

// With several datasets, a count answer lists each dataset's count (one request per
// dataset, datasetIds), each the API's.
func TestPerDatasetCounts(t *testing.T) {
	b := multiBeacon(t)
	const q = "/individuals?filters=NCIT:C16576&requestedGranularity=count"
	var demo, other answer
	b.getJSON(t, q+"&datasetIds=bitbeacon_demo", &demo)
	b.getJSON(t, q+"&datasetIds="+secondSet.DatasetID, &other)
	p := newPage(t, b)
	p.open("/ui" + q)
	rows := p.texts("#per-dataset tbody tr[data-dataset] th")
	sort.Strings(rows)
	if !slices.Equal(rows, []string{"bitbeacon_demo", secondSet.DatasetID}) {
		t.Fatalf("per-dataset rows %q", rows)
	}
	for id, want := range map[string]answer{"bitbeacon_demo": demo, secondSet.DatasetID: other} {
		if want.ResponseSummary.NumTotalResults == 0 {
			t.Fatalf("%s has no females: the split proves nothing", id)
		}
		if got := p.number(`#per-dataset tr[data-dataset="` + id + `"] td.num`); got != want.ResponseSummary.NumTotalResults {
			t.Errorf("%s shows %d, the API %d", id, got, want.ResponseSummary.NumTotalResults)
		}
	}
	if total := p.number("#answer-total"); total != demo.ResponseSummary.NumTotalResults+other.ResponseSummary.NumTotalResults {
		t.Errorf("total %d is not the sum of the datasets", total)
	}
	p.shot("per-dataset")
	// A query restricted to one dataset is not split over the others.
	p.open("/ui" + q + "&datasetIds=" + secondSet.DatasetID)
	if rows := p.texts("#per-dataset tbody tr[data-dataset] th"); !slices.Equal(rows, []string{secondSet.DatasetID}) {
		t.Errorf("a query on %s is split over %q", secondSet.DatasetID, rows)
	}
	if got := p.number("#answer-total"); got != other.ResponseSummary.NumTotalResults {
		t.Errorf("restricted to %s the page shows %d, the API %d", secondSet.DatasetID, got, other.ResponseSummary.NumTotalResults)
	}
}

// A dataset capped at boolean pulls the answer below the count asked for, and the page says
// so; where /datasets still lists the datasets, the capped one is named in the split.
func TestLowerGranularityNoted(t *testing.T) {
	b := cappedBeacon(t)
	const q = "/individuals?filters=NCIT:C16576&requestedGranularity=count"
	var all answer
	b.getJSON(t, q, &all)
	if all.Meta.ReturnedGranularity != "boolean" {
		t.Fatalf("the capped dataset left the answer at %s", all.Meta.ReturnedGranularity)
	}
	var list struct {
		Response struct {
			Collections []json.RawMessage `json:"collections"`
		} `json:"response"`
	}
	b.getJSON(t, "/datasets?requestedGranularity=record&limit=0", &list)
	p := newPage(t, b)
	p.open("/ui" + q)
	if g := eval[string](p, `document.getElementById('answer-granularity').dataset.returned`); g != "boolean" {
		t.Errorf("returned granularity shown %q, want boolean", g)
	}
	if n := p.text("#answer-lower"); !strings.Contains(n, "lower than the count asked for") {
		t.Errorf("the note on the lower granularity is %q", n)
	}
	if p.text("#answer-total") != "" {
		t.Error("a boolean answer shows a count")
	}
	if len(list.Response.Collections) == 0 {
		if m := p.text("#per-dataset tr.unlisted"); !strings.Contains(m, "lists no datasets") {
			t.Errorf("/datasets lists none, and the page says %q", m)
		}
		return
	}
	capped := p.text(`#per-dataset tr[data-dataset="` + secondSet.DatasetID + `"] td.granularity`)
	if !strings.HasPrefix(capped, "boolean") || !strings.Contains(capped, "below the count asked for") {
		t.Errorf("the capped dataset's granularity cell says %q", capped)
	}
}

// The bearer token is kept in the page's memory and sent as Authorization with every API
// request after it is set, never put in the URL or storage.
func TestBearerToken(t *testing.T) {
	b := demoBeacon(t)
	p := newPage(t, b)
	p.open("/ui/individuals?requestedGranularity=count")
	for _, a := range b.authorizations() {
		if a != "" {
			t.Fatalf("an Authorization %q before any token was set", a)
		}
	}
	p.click("#token-box > summary")
	p.typeInto("#token", "tok-123"+kb.Tab) // leaving the field sets it and reruns the query
	p.poll(`document.getElementById('token-state').textContent.startsWith('Token set')`)
	p.waitAnswer()
	p.click(`input[name=requestedGranularity][value=record]`)
	p.click("#run")
	p.waitAnswer()
	seen := b.authorizations()
	if len(seen) < 2 {
		t.Fatalf("%d API requests after the token", len(seen))
	}
	for _, a := range seen {
		if a != "Bearer tok-123" {
			t.Errorf("an API request after the token carried Authorization %q", a)
		}
	}
	if eval[int](p, `localStorage.length + sessionStorage.length`) != 0 || strings.Contains(p.location(), "tok-123") || strings.Contains(eval[string](p, `document.cookie`), "tok") {
		t.Error("the token left the page's memory")
	}
	p.click("#token-clear")
	p.waitAnswer()
	b.authorizations()
	p.click("#run")
	p.waitAnswer()
	for _, a := range b.authorizations() {
		if a != "" {
			t.Errorf("after Forget a request carried %q", a)
		}
	}
}

// A browser opening / lands on the page.
func TestRootRedirectsBrowsers(t *testing.T) {
	b := demoBeacon(t)
	p := newPage(t, b)
	p.do(chromedp.Navigate(b.base + "/"))
	p.waitAnswer()
	if loc := p.location(); loc != "/ui/" {
		t.Errorf("/ in a browser ended at %s", loc)
	}
}

// The autocomplete knows every filtering term, also when the beacon pages /filtering_terms
// in pages smaller than the list (maxLimit 50 here, the demo has over 100 terms).
func TestAutocompleteReadsEveryPage(t *testing.T) {
	b := startBeacon(t, "smallpages")
	var all struct {
		Response struct {
			FilteringTerms []struct {
				ID string `json:"id"`
			} `json:"filteringTerms"`
		} `json:"response"`
	}
	b.getJSON(t, "/filtering_terms?limit=0", &all)
	if n := len(all.Response.FilteringTerms); n != 50 {
		t.Fatalf("a page of /filtering_terms holds %d terms, want the configured 50", n)
	}
	p := newPage(t, b)
	p.open("/ui/")
	// The last term in id order sits on the third page.
	p.typeInto("#term-input", "variation.location.typ")
	p.poll(`document.querySelector('#term-list [data-id="variation.location.type"]') !== null`)
}

// The datasets themselves, at their root: their records (collections), and no split of the
// answer by dataset.
func TestDatasetsListed(t *testing.T) {
	b := multiBeacon(t)
	p := newPage(t, b)
	p.open("/ui/datasets?requestedGranularity=record")
	got := p.texts("#records tbody tr[data-id] .rec-id")
	sort.Strings(got)
	if !slices.Equal(got, []string{"bitbeacon_demo", secondSet.DatasetID}) {
		t.Errorf("datasets listed: %q", got)
	}
	if p.text("#per-dataset") != "" {
		t.Error("the list of datasets is split by dataset")
	}
}
