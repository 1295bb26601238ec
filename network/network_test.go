package network

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/api"
	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/internal/schematest"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
)

const v1Allele = "/g_variants?referenceName=1&start=1000&referenceBases=A&alternateBases=G&assemblyId=GRCh38"

// checkSchema validates a network answer against the official schemas.
func checkSchema(t *testing.T, entity string, collection bool, body []byte) {
	t.Helper()
	if err := schematest.For(t).Response("data", entity, collection, body); err != nil {
		t.Fatalf("network answer does not validate: %v\n%s", err, body)
	}
}

// TestMergeAndStatuses: two bitbeacon members, a v1 member (a bitbeacon asked /query), and
// members that hang, fail with 500 and answer non-Beacon JSON. Counts add up over the
// members that answered, every member's status says what happened, and the answer does not
// wait for the member that hangs.
func TestMergeAndStatuses(t *testing.T) {
	release := make(chan struct{})
	var hung atomic.Int32
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/g_variants" {
			http.NotFound(w, r)
			return
		}
		hung.Add(1)
		select { // hold the answer until the test is over or the network gives up
		case <-release:
		case <-r.Context().Done():
		}
		w.Write([]byte(countAnswer("org.test.slow", 100)))
	}))
	defer slow.Close()
	defer close(release)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer broken.Close()
	invalid := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/g_variants" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"meta":{"beaconId":"x"},"responseSummary":{"exists":"yes","numTotalResults":1000}}`))
	}))
	defer invalid.Close()

	_, url := testNetwork(t, Config{Members: []Member{
		{ID: "a", URL: bitbeaconMember(t, "FIXTURE", "")},
		{ID: "b", URL: bitbeaconMember(t, "FIXTURE_B", "")},
		{ID: "legacy", URL: bitbeaconMember(t, "FIXTURE_V1", ""), APIVersion: "v1"},
		{ID: "slow", URL: slow.URL, Timeout: 300 * time.Millisecond},
		{ID: "broken", URL: broken.URL},
		{ID: "invalid", URL: invalid.URL},
	}})
	status, body := get(t, "GET", url+v1Allele+"&requestedGranularity=count", "", nil)
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	checkSchema(t, "genomicVariation", false, body)
	a := decode(t, body)
	if !a.ResponseSummary.Exists || a.ResponseSummary.NumTotalResults == nil || *a.ResponseSummary.NumTotalResults != 3 {
		t.Fatalf("exists %v numTotalResults %v, want true and 3 (one variant in each of a, b and legacy): %s", a.ResponseSummary.Exists, a.ResponseSummary.NumTotalResults, body)
	}
	if a.Meta.ReturnedGranularity != "count" || a.Meta.BeaconID != "org.test.network" {
		t.Errorf("meta %+v", a.Meta)
	}
	want := map[string]string{"a": StatusOK, "b": StatusOK, "legacy": StatusOK, "slow": StatusTimeout, "broken": StatusError, "invalid": StatusInvalid}
	for id, st := range want {
		if got := a.status(id); got.Status != st {
			t.Errorf("member %s: status %q (%s), want %q", id, got.Status, got.Reason, st)
		}
	}
	if a.status("a").BeaconID != "org.test.fixture" || a.status("legacy").APIVersion != "v1" {
		t.Errorf("statuses %+v", a.Info.Members)
	}
	// The slow member was asked and is still holding its answer: the network did not wait.
	if hung.Load() != 1 {
		t.Errorf("slow member asked %d times, want 1", hung.Load())
	}
	if ms := a.status("slow").Ms; ms >= 2000 {
		t.Errorf("slow member took %d ms in info.members, past its 300 ms timeout", ms)
	}
	// The v1 member's dataset answers are result sets with the dataset id as id.
	found := false
	for _, rs := range a.Response.ResultSets {
		if rs.ID == "FIXTURE_V1" && rs.Info["memberId"] == "legacy" && rs.ResultsCount == 1 && rs.Exists {
			found = true
		}
	}
	if !found {
		t.Errorf("no result set FIXTURE_V1 from the v1 member: %s", body)
	}
}

// TestRecordMerge: result sets are concatenated with each member's beaconId in info, the
// count is the sum, and a v1 member is not asked an entry type it cannot answer.
func TestRecordMerge(t *testing.T) {
	_, url := testNetwork(t, Config{Members: []Member{
		{ID: "a", URL: bitbeaconMember(t, "FIXTURE", "")},
		{ID: "b", URL: bitbeaconMember(t, "FIXTURE_B", "")},
		{ID: "legacy", URL: bitbeaconMember(t, "FIXTURE_V1", ""), APIVersion: "v1"},
	}})
	status, body := get(t, "GET", url+"/individuals?filters=NCIT:C16576&requestedGranularity=record", "", nil)
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	checkSchema(t, "individual", false, body)
	a := decode(t, body)
	if a.Meta.ReturnedGranularity != "record" || *a.ResponseSummary.NumTotalResults != 6 {
		t.Fatalf("granularity %s total %v, want record and 6 (3 women in each fixture): %s", a.Meta.ReturnedGranularity, *a.ResponseSummary.NumTotalResults, body)
	}
	byMember := map[string]int{}
	for _, rs := range a.Response.ResultSets {
		byMember[rs.Info["beaconId"].(string)] += len(rs.Results)
	}
	if byMember["org.test.fixture"] != 3 || byMember["org.test.fixture_b"] != 3 {
		t.Errorf("records by member %v, want 3 and 3", byMember)
	}
	if st := a.status("legacy"); st.Status != StatusSkipped || !strings.Contains(st.Reason, "entry type") {
		t.Errorf("v1 member on /individuals: %+v, want skipped for the entry type", st)
	}
	// POST goes through too, and collections concatenate.
	status, body = get(t, "POST", url+"/individuals", `{"meta":{"apiVersion":"2.0"},"query":{"filters":[{"id":"NCIT:C16576"}],"requestedGranularity":"count"}}`, nil)
	if a := decode(t, body); status != 200 || *a.ResponseSummary.NumTotalResults != 6 {
		t.Errorf("POST: status %d: %s", status, body)
	}
	status, body = get(t, "GET", url+"/datasets?requestedGranularity=record", "", nil)
	checkSchema(t, "dataset", true, body)
	if a := decode(t, body); status != 200 || len(a.Response.Collections) != 2 {
		t.Errorf("/datasets: status %d, %d collections, want 2: %s", status, len(a.Response.Collections), body)
	}
}

// TestControlledNeverLeaks: a member whose dataset is CONTROLLED answers boolean; the
// network passes on its exists and nothing more, even when another member gives records.
func TestControlledNeverLeaks(t *testing.T) {
	_, url := testNetwork(t, Config{Members: []Member{
		{ID: "open", URL: bitbeaconMember(t, "FIXTURE", "")},
		{ID: "locked", URL: bitbeaconMember(t, "FIXTURE_CTL", "CONTROLLED")},
	}})
	for _, g := range []string{"count", "record"} {
		status, body := get(t, "GET", url+"/individuals?filters=NCIT:C16576&includeResultsetResponses=ALL&requestedGranularity="+g, "", nil)
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		checkSchema(t, "individual", false, body)
		a := decode(t, body)
		if a.Meta.ReturnedGranularity != "boolean" || !a.ResponseSummary.Exists {
			t.Errorf("%s: returnedGranularity %s exists %v, want boolean and true", g, a.Meta.ReturnedGranularity, a.ResponseSummary.Exists)
		}
		if n := a.ResponseSummary.NumTotalResults; n == nil || *n != 3 {
			t.Errorf("%s: numTotalResults %v, want 3 (the open member's only)", g, n)
		}
		if a.status("locked").Granularity != "boolean" {
			t.Errorf("%s: locked member %+v", g, a.status("locked"))
		}
		if strings.Contains(string(body), `"I1"`) && g == "count" {
			t.Errorf("count answer holds records: %s", body)
		}
		for _, rs := range a.Response.ResultSets {
			if rs.ID == "FIXTURE_CTL" && (len(rs.Results) > 0 || rs.ResultsCount > 0) {
				t.Errorf("%s: CONTROLLED dataset leaked: %d results, count %d", g, len(rs.Results), rs.ResultsCount)
			}
		}
	}
}

// TestBreaker: after breaker.failures failures in a row a member is not asked again until
// the cooldown ends; its status says skipped.
func TestBreaker(t *testing.T) {
	var hits atomic.Int32
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/g_variants" {
			hits.Add(1)
		}
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer dead.Close()
	_, url := testNetwork(t, Config{Breaker: Breaker{Failures: 2, Cooldown: time.Hour}, Members: []Member{
		{ID: "a", URL: bitbeaconMember(t, "FIXTURE", "")},
		{ID: "dead", URL: dead.URL},
	}})
	var last netAnswer
	for range 6 {
		_, body := get(t, "GET", url+v1Allele+"&requestedGranularity=count", "", nil)
		last = decode(t, body)
	}
	if hits.Load() != 2 {
		t.Errorf("dead member asked %d times over 6 requests, want 2 (the breaker opens after 2 failures)", hits.Load())
	}
	if st := last.status("dead"); st.Status != StatusSkipped || !strings.Contains(st.Reason, "circuit") {
		t.Errorf("dead member after the breaker opened: %+v", st)
	}
	if st := last.status("a"); st.Status != StatusOK || *last.ResponseSummary.NumTotalResults != 1 {
		t.Errorf("healthy member: %+v, total %v", st, last.ResponseSummary.NumTotalResults)
	}
}

// TestAuthorizationForwarding: the caller's token reaches only the member configured to
// receive it.
func TestAuthorizationForwarding(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{}
	recorder := func(id string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/individuals" {
				mu.Lock()
				seen[id] = r.Header.Get("Authorization")
				mu.Unlock()
			}
			w.Write([]byte(countAnswer("org.test."+id, 1)))
		}))
	}
	with, without := recorder("with"), recorder("without")
	defer with.Close()
	defer without.Close()
	_, url := testNetwork(t, Config{Members: []Member{
		{ID: "with", URL: with.URL, ForwardAuthorization: true},
		{ID: "without", URL: without.URL},
	}})
	_, body := get(t, "GET", url+"/individuals?requestedGranularity=count", "", map[string]string{"Authorization": "Bearer secret-token"})
	if a := decode(t, body); *a.ResponseSummary.NumTotalResults != 2 {
		t.Fatalf("total %v: %s", a.ResponseSummary.NumTotalResults, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if seen["with"] != "Bearer secret-token" {
		t.Errorf("forwarding member got Authorization %q", seen["with"])
	}
	if v, ok := seen["without"]; !ok || v != "" {
		t.Errorf("non-forwarding member got Authorization %q (asked: %v)", v, ok)
	}
}

// TestSkipsAndBadInput: a filter no member knows is said so in info.warnings; a member that
// does not list a filter is skipped; bad input is a 400 with a Beacon error body.
func TestSkipsAndBadInput(t *testing.T) {
	_, url := testNetwork(t, Config{Members: []Member{
		{ID: "a", URL: bitbeaconMember(t, "FIXTURE", "")},
		{ID: "legacy", URL: bitbeaconMember(t, "FIXTURE_V1", ""), APIVersion: "v1"},
	}})
	status, body := get(t, "GET", url+"/individuals?filters=NOPE:0000001&requestedGranularity=count", "", nil)
	a := decode(t, body)
	if status != 200 || a.ResponseSummary.Exists || a.status("a").Status != StatusSkipped ||
		len(a.Info.Warnings) == 0 || !strings.Contains(a.Info.Warnings[0], "no member") {
		t.Errorf("unknown filter: status %d: %s", status, body)
	}
	checkSchema(t, "individual", false, body)
	// A v1 member is skipped for a variant query it has no parameter for.
	_, body = get(t, "GET", url+"/g_variants?geneId=TP53&requestedGranularity=count", "", nil)
	if st := decode(t, body).status("legacy"); st.Status != StatusSkipped {
		t.Errorf("v1 member on a gene query: %+v", st)
	}
	for _, bad := range []string{"/g_variants?start=x&referenceName=1", "/individuals?requestedGranularity=lots", "/nowhere"} {
		status, body := get(t, "GET", url+bad, "", nil)
		if status != 400 && status != 404 {
			t.Errorf("%s: status %d", bad, status)
		}
		if err := schematest.For(t).Response("error", "", false, body); err != nil {
			t.Errorf("%s: not a Beacon error: %v: %s", bad, err, body)
		}
	}
}

// TestHedgedRetry: a GET that gets no answer within hedgeAfter is sent again and the second
// attempt's answer is taken.
func TestHedgedRetry(t *testing.T) {
	var calls atomic.Int32
	stuck := make(chan struct{})
	m := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/individuals" {
			http.NotFound(w, r)
			return
		}
		if calls.Add(1) == 1 {
			select { // the first attempt never answers
			case <-stuck:
			case <-r.Context().Done():
			}
			return
		}
		w.Write([]byte(countAnswer("org.test.hedged", 7)))
	}))
	defer m.Close()
	defer close(stuck) // before Close, which waits for the handlers
	_, url := testNetwork(t, Config{HedgeAfter: 50 * time.Millisecond, Members: []Member{{ID: "h", URL: m.URL, Timeout: 5 * time.Second}}})
	_, body := get(t, "GET", url+"/individuals?requestedGranularity=count", "", nil)
	a := decode(t, body)
	if a.status("h").Status != StatusOK || *a.ResponseSummary.NumTotalResults != 7 || calls.Load() != 2 {
		t.Errorf("hedged: %d calls, %s", calls.Load(), body)
	}
	// POST is not idempotent in general: never hedged.
	calls.Store(0)
	n2, url2 := testNetwork(t, Config{HedgeAfter: 50 * time.Millisecond, Members: []Member{{ID: "h", URL: m.URL, Timeout: 300 * time.Millisecond}}})
	_ = n2
	_, body = get(t, "POST", url2+"/individuals", `{"query":{"requestedGranularity":"count"}}`, nil)
	if a := decode(t, body); a.status("h").Status != StatusTimeout || calls.Load() != 1 {
		t.Errorf("POST hedged: %d calls, %s", calls.Load(), body)
	}
}

// TestInformationalEndpoints: the network's /info, /configuration, /entry_types, /map and
// /filtering_terms are the members' merged, valid, and refreshed when a member's /info
// updateDateTime changes (and only then).
func TestInformationalEndpoints(t *testing.T) {
	real := bitbeaconMember(t, "FIXTURE", "")
	var updated atomic.Value
	updated.Store("2026-01-01T00:00:00Z")
	var term atomic.Value
	term.Store("TST:1000001")
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/info":
			w.Write([]byte(`{"meta":{"beaconId":"org.test.fake","apiVersion":"v2.0.0","returnedSchemas":[]},"response":{"id":"org.test.fake","name":"Fake","apiVersion":"v2.0.0","environment":"test","organization":{"id":"o","name":"O"},"updateDateTime":"` + updated.Load().(string) + `"}}`))
		case "/filtering_terms":
			w.Write([]byte(`{"meta":{"beaconId":"org.test.fake","apiVersion":"v2.0.0","returnedSchemas":[]},"response":{"filteringTerms":[{"type":"ontologyTerm","id":"` + term.Load().(string) + `","scopes":["individual"]}],"resources":[]}}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer fake.Close()
	n, url := testNetwork(t, Config{Members: []Member{
		{ID: "real", URL: real},
		{ID: "fake", URL: fake.URL},
		{ID: "legacy", URL: real, APIVersion: "v1"},
	}})
	v := schematest.For(t)
	for path, kind := range map[string]string{"/info": schematest.KindInfo, "/configuration": schematest.KindConfiguration,
		"/entry_types": schematest.KindEntryTypes, "/map": schematest.KindMap, "/filtering_terms?limit=0": schematest.KindFilteringTerms,
		"/service-info": schematest.KindServiceInfo, "/individuals/filtering_terms": schematest.KindFilteringTerms} {
		status, body := get(t, "GET", url+path, "", nil)
		if status != 200 {
			t.Fatalf("%s: status %d", path, status)
		}
		if err := v.Response(kind, "", false, body); err != nil {
			t.Errorf("%s does not validate: %v\n%s", path, err, body)
		}
		switch path {
		case "/info":
			if !strings.Contains(string(body), `"updateDateTime":"2026-`) || !strings.Contains(string(body), `"members"`) {
				t.Errorf("/info: %s", body)
			}
		case "/map":
			if !strings.Contains(string(body), `"rootUrl":"http://127.0.0.1:0/individuals"`) || strings.Contains(string(body), real) {
				t.Errorf("/map not rebased on the network: %s", body)
			}
		case "/entry_types":
			if !strings.Contains(string(body), `"genomicVariant"`) || !strings.Contains(string(body), `"individual"`) {
				t.Errorf("/entry_types: %s", body)
			}
		case "/filtering_terms?limit=0":
			if !strings.Contains(string(body), `"TST:1000001"`) || !strings.Contains(string(body), `"NCIT:C16576"`) {
				t.Errorf("/filtering_terms is not the union: %s", body)
			}
		}
	}
	// Every page of the member's terms is read: the union is the bitbeacon's terms and the
	// fake's one; without a limit the network pages 10 at a time, as a bitbeacon does.
	countTerms := func(u string) int {
		_, body := get(t, "GET", u, "", nil)
		var ft struct {
			Response struct {
				FilteringTerms []map[string]any `json:"filteringTerms"`
			} `json:"response"`
		}
		if err := json.Unmarshal(body, &ft); err != nil {
			t.Fatal(err)
		}
		return len(ft.Response.FilteringTerms)
	}
	if mine, theirs := countTerms(url+"/filtering_terms?limit=0"), countTerms(real+"/filtering_terms?limit=0"); theirs <= 10 || mine != theirs+1 {
		t.Errorf("network lists %d terms, the bitbeacon member %d (+1 from the fake)", mine, theirs)
	}
	if got := countTerms(url + "/filtering_terms"); got != 10 {
		t.Errorf("/filtering_terms without a limit: %d terms, want 10", got)
	}
	if got := countTerms(url + "/filtering_terms?limit=3&skip=1"); got != 3 {
		t.Errorf("/filtering_terms?limit=3&skip=1: %d terms", got)
	}
	// A new term without a new updateDateTime is not picked up; with one, it is.
	term.Store("TST:2000002")
	n.Refresh(context.Background())
	if _, body := get(t, "GET", url+"/filtering_terms?limit=0", "", nil); strings.Contains(string(body), "TST:2000002") {
		t.Errorf("refreshed although updateDateTime did not change")
	}
	updated.Store("2026-06-01T00:00:00Z")
	n.Refresh(context.Background())
	_, body := get(t, "GET", url+"/filtering_terms?limit=0", "", nil)
	if !strings.Contains(string(body), "TST:2000002") || strings.Contains(string(body), "TST:1000001") {
		t.Errorf("not refreshed after updateDateTime changed: %s", body)
	}
	if _, body := get(t, "GET", url+"/info", "", nil); !strings.Contains(string(body), `"updateDateTime":"2026-06-01T00:00:00Z"`) {
		t.Errorf("/info updateDateTime is not the latest member's: %s", body)
	}
}

// TestRequestDeadline: the request's deadline bounds every member, even one whose own
// timeout is longer.
func TestRequestDeadline(t *testing.T) {
	release := make(chan struct{})
	m := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/individuals" {
			http.NotFound(w, r)
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer m.Close()
	defer close(release)
	_, url := testNetwork(t, Config{RequestTimeout: 200 * time.Millisecond, Members: []Member{
		{ID: "patient", URL: m.URL, Timeout: time.Hour},
		{ID: "a", URL: bitbeaconMember(t, "FIXTURE", "")},
	}})
	_, body := get(t, "GET", url+"/individuals?filters=NCIT:C16576&requestedGranularity=count", "", nil)
	a := decode(t, body)
	if st := a.status("patient"); st.Status != StatusTimeout {
		t.Errorf("member past the request deadline: %+v", st)
	}
	if a.status("a").Status != StatusOK || *a.ResponseSummary.NumTotalResults != 3 {
		t.Errorf("healthy member: %s", body)
	}
}

// TestV1ControlledMember: a v1 member whose dataset is CONTROLLED gives no variantCount; the
// network reports its exists at boolean granularity and adds nothing to the count.
func TestV1ControlledMember(t *testing.T) {
	_, url := testNetwork(t, Config{Members: []Member{
		{ID: "open", URL: bitbeaconMember(t, "FIXTURE", "")},
		{ID: "legacy", URL: bitbeaconMember(t, "FIXTURE_CTL", "CONTROLLED"), APIVersion: "v1"},
	}})
	_, body := get(t, "GET", url+v1Allele+"&requestedGranularity=count&includeResultsetResponses=ALL", "", nil)
	checkSchema(t, "genomicVariation", false, body)
	a := decode(t, body)
	if st := a.status("legacy"); st.Status != StatusOK || st.Granularity != "boolean" {
		t.Errorf("v1 CONTROLLED member: %+v", st)
	}
	if a.Meta.ReturnedGranularity != "boolean" || !a.ResponseSummary.Exists || *a.ResponseSummary.NumTotalResults != 1 {
		t.Errorf("merged: %s", body)
	}
	for _, rs := range a.Response.ResultSets {
		if rs.ID == "FIXTURE_CTL" && (rs.ResultsCount != 0 || rs.Info["countWithheld"] != true || !rs.Exists) {
			t.Errorf("CONTROLLED v1 dataset: %+v", rs)
		}
	}
}

// TestReleaseSwapRefreshes: a bitbeacon member that swaps in a new release reports a new
// /info updateDateTime, and the network's next refresh picks it up.
func TestReleaseSwapRefreshes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rel")
	fx := filepath.Join(testenv.RepoRoot(t), "testdata", "fixture")
	var in []string
	for _, f := range []string{"individuals.json", "biosamples.json", "runs.json", "analyses.json", "genomicVariations.json", "datasets.json", "cohorts.json"} {
		in = append(in, filepath.Join(fx, f))
	}
	ingestAs := func(id string) {
		if _, err := ingest.Run(context.Background(), ingest.Options{Out: dir, DatasetID: id, Assembly: "GRCh38"}, in); err != nil {
			t.Fatal(err)
		}
	}
	ingestAs("FIRST")
	eng, err := engine.NewEngine(dir, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := api.DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	n, url := testNetwork(t, Config{Members: []Member{{ID: "m", URL: serveFast(t, api.NewServer(eng, &cfg, nil).Handler())}}})
	memberUpdated := func() string {
		_, body := get(t, "GET", url+"/info", "", nil)
		var info struct {
			Response struct {
				Info struct {
					Members []struct{ UpdateDateTime string } `json:"members"`
				} `json:"info"`
			} `json:"response"`
		}
		if err := json.Unmarshal(body, &info); err != nil || len(info.Response.Info.Members) != 1 {
			t.Fatalf("/info: %v %s", err, body)
		}
		return info.Response.Info.Members[0].UpdateDateTime
	}
	before := memberUpdated()
	// updateDateTime has a resolution of one second: let the clock pass the next one.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(1100 * time.Millisecond)))
	ingestAs("SECOND")
	if swapped, err := eng.Reload(); err != nil || !swapped {
		t.Fatalf("reload: %v %v", swapped, err)
	}
	if after := memberUpdated(); after != before {
		t.Fatalf("network changed its view before a refresh: %s → %s", before, after)
	}
	n.Refresh(context.Background())
	if after := memberUpdated(); after == before || after == "" {
		t.Errorf("member updateDateTime after the swap and a refresh: %q, before %q", after, before)
	}
}

// TestOddMembers: whatever a member answers, the network answers 200 with a valid Beacon
// response, the member marked invalid (or error), and the other member's count intact.
func TestOddMembers(t *testing.T) {
	good := countAnswer("org.test.good", 4)
	odd := map[string]string{
		"array":            `[]`,
		"null":             `null`,
		"string":           `"count"`,
		"empty object":     `{}`,
		"truncated":        good[:len(good)/2],
		"trailing garbage": good + `{}`,
		"huge count":       strings.Replace(good, `"numTotalResults":4`, `"numTotalResults":1e30`, 1),
		"meta null":        `{"meta":null,"responseSummary":{"exists":true}}`,
		"record no sets":   strings.Replace(good, `"returnedGranularity":"count"`, `"returnedGranularity":"record"`, 1),
		"set info string": strings.Replace(strings.Replace(good, `"returnedGranularity":"count"`, `"returnedGranularity":"record"`, 1),
			`}}`, `},"response":{"resultSets":[{"id":"d","setType":"dataset","exists":true,"resultsCount":1,"results":[],"info":"x"}]}}`, 1),
		"html":  `<html>oops</html>`,
		"empty": ``,
	}
	goodSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(good)) }))
	defer goodSrv.Close()
	for name, body := range odd {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/individuals" {
				http.NotFound(w, r)
				return
			}
			w.Write([]byte(body))
		}))
		_, url := testNetwork(t, Config{Members: []Member{{ID: "good", URL: goodSrv.URL}, {ID: "odd", URL: srv.URL}}})
		status, out := get(t, "GET", url+"/individuals?requestedGranularity=count", "", nil)
		srv.Close()
		if status != 200 {
			t.Errorf("%s: status %d: %s", name, status, out)
			continue
		}
		checkSchema(t, "individual", false, out)
		a := decode(t, out)
		if st := a.status("odd"); st.Status != StatusInvalid {
			t.Errorf("%s: odd member %+v, want invalid", name, st)
		}
		if a.ResponseSummary.NumTotalResults == nil || *a.ResponseSummary.NumTotalResults != 4 {
			t.Errorf("%s: total %v, want the good member's 4", name, a.ResponseSummary.NumTotalResults)
		}
	}
}

// TestBreakerRecovers: once the cooldown has passed, one request probes the member again
// and, when it answers, the member is back.
func TestBreakerRecovers(t *testing.T) {
	var healthy atomic.Bool
	m := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !healthy.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(countAnswer("org.test.back", 2)))
	}))
	defer m.Close()
	_, url := testNetwork(t, Config{Breaker: Breaker{Failures: 1, Cooldown: 50 * time.Millisecond}, Members: []Member{{ID: "m", URL: m.URL}}})
	ask := func() memberStatus {
		_, body := get(t, "GET", url+"/individuals?requestedGranularity=count", "", nil)
		return decode(t, body).status("m")
	}
	if st := ask(); st.Status != StatusError {
		t.Fatalf("first failure: %+v", st)
	}
	if st := ask(); st.Status != StatusSkipped {
		t.Fatalf("breaker open: %+v", st)
	}
	healthy.Store(true)
	time.Sleep(100 * time.Millisecond) // past the cooldown
	if st := ask(); st.Status != StatusOK {
		t.Errorf("after the cooldown: %+v, want ok", st)
	}
	if st := ask(); st.Status != StatusOK {
		t.Errorf("recovered: %+v", st)
	}
}

// TestShortNamesNeverSkip: a filter by a short field name, which a member resolves itself
// and does not list in /filtering_terms, goes to the member; the network's count is the
// member's own.
func TestShortNamesNeverSkip(t *testing.T) {
	member := bitbeaconMember(t, "FIXTURE", "")
	_, url := testNetwork(t, Config{Members: []Member{{ID: "a", URL: member}}})
	const q = "/individuals?filters=sex=%25male%25&requestedGranularity=count"
	_, direct := get(t, "GET", member+q, "", nil)
	_, body := get(t, "GET", url+q, "", nil)
	d, a := decode(t, direct), decode(t, body)
	if a.status("a").Status != StatusOK || d.ResponseSummary.NumTotalResults == nil || a.ResponseSummary.NumTotalResults == nil ||
		*a.ResponseSummary.NumTotalResults != *d.ResponseSummary.NumTotalResults || *d.ResponseSummary.NumTotalResults == 0 {
		t.Errorf("short field name through the network: %s\ndirect: %s", body, direct)
	}
}

// TestForwardedListsKeepEscapedCommas: a list item holding a comma is written `\,` in a
// Beacon GET list (api/escaped_comma.go); the network forwards such a list so that the
// member reads the same items: a v2 member gets the query as sent, a v1 member the dataset
// ids re-escaped.
func TestForwardedListsKeepEscapedCommas(t *testing.T) {
	var mu sync.Mutex
	var filters []string
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/individuals" {
			mu.Lock()
			filters = append(filters, r.URL.Query()["filters"]...)
			mu.Unlock()
		}
		w.Write([]byte(countAnswer("org.test.rec", 1)))
	}))
	defer rec.Close()
	_, url := testNetwork(t, Config{Members: []Member{
		{ID: "rec", URL: rec.URL},
		{ID: "legacy", URL: bitbeaconMember(t, "FIX,A", ""), APIVersion: "v1"},
	}})
	get(t, "GET", url+`/individuals?filters=X:a%5C,b,NCIT:C16576&requestedGranularity=count`, "", nil)
	mu.Lock()
	if len(filters) != 1 || filters[0] != `X:a\,b,NCIT:C16576` {
		t.Errorf("v2 member got filters %q", filters)
	}
	mu.Unlock()
	_, body := get(t, "GET", url+v1Allele+`&datasetIds=FIX%5C,A&requestedGranularity=count&includeResultsetResponses=ALL`, "", nil)
	a := decode(t, body)
	if st := a.status("legacy"); st.Status != StatusOK {
		t.Fatalf("v1 member: %+v: %s", st, body)
	}
	if len(a.Response.ResultSets) != 1 || a.Response.ResultSets[0].ID != "FIX,A" || !a.Response.ResultSets[0].Exists {
		t.Errorf("v1 member asked for dataset FIX,A: %s", body)
	}
}
