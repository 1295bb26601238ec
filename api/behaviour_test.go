package api

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/internal/schematest"
)

// Behaviour the server promises beyond query semantics: compression, handovers and the
// granularity policy from configuration, result-set selection, several datasets in one
// release, test mode, methods, unfiltered queries, filtering terms and panic safety.

// doResp runs one request through the handler in process with extra request headers and
// returns the whole response (a copy).
func doResp(h fasthttp.RequestHandler, method, uri string, body []byte, headers map[string]string) *fasthttp.Response {
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(method)
	ctx.Request.SetRequestURI(uri)
	for k, v := range headers {
		ctx.Request.Header.Set(k, v)
	}
	if body != nil {
		ctx.Request.Header.SetContentType("application/json")
		ctx.Request.SetBody(body)
	}
	h(&ctx)
	resp := &fasthttp.Response{}
	ctx.Response.CopyTo(resp)
	return resp
}

// rawJSON decodes a response body into a generic map, failing the test if it is not an
// object.
func rawJSON(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, truncate(body))
	}
	return m
}

// dig walks a generic JSON document by object keys.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// expectError checks a non-200 answer: the status, a Beacon error body whose errorCode is the
// status with a message, valid against the error schema.
func expectError(t *testing.T, h fasthttp.RequestHandler, method, uri string, body []byte, want int) summary {
	t.Helper()
	status, out := do(h, method, uri, body)
	if status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, uri, status, want, truncate(out))
	}
	var s summary
	if err := json.Unmarshal(out, &s); err != nil || s.Error == nil || s.Error.ErrorCode != want || s.Error.ErrorMessage == "" {
		t.Fatalf("%s %s: not a Beacon error body with code %d and a message: %s", method, uri, want, truncate(out))
	}
	if err := schematest.For(t).Response("error", "", false, out); err != nil {
		t.Fatalf("%s %s: error body does not validate: %v", method, uri, err)
	}
	return s
}

func postQuery(q string) []byte {
	return []byte(`{"meta":{"apiVersion":"2.0"},"query":` + q + `}`)
}

// --- 1. compression ---

func TestCompressedResponses(t *testing.T) {
	h := testHandler(t, "demo")
	const uri = "/individuals?requestedGranularity=record&limit=100"
	plainResp := doResp(h, "GET", uri, nil, nil)
	plain := append([]byte(nil), plainResp.Body()...)
	if plainResp.StatusCode() != 200 {
		t.Fatalf("status %d: %s", plainResp.StatusCode(), truncate(plain))
	}
	if ce := string(plainResp.Header.ContentEncoding()); ce != "" {
		t.Fatalf("uncompressed request got Content-Encoding %q", ce)
	}
	if len(plain) < 10_000 {
		t.Fatalf("the record page is only %d bytes; pick a larger one", len(plain))
	}
	// The uncompressed response is itself valid.
	query(t, h, "GET", uri, nil, 200)

	decoders := map[string]func([]byte) ([]byte, error){
		"gzip": func(b []byte) ([]byte, error) {
			r, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, err
			}
			return io.ReadAll(r)
		},
		"deflate": func(b []byte) ([]byte, error) { // HTTP deflate is the zlib format (RFC 9110 8.4.1.2)
			r, err := zlib.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, err
			}
			return io.ReadAll(r)
		},
		"zstd": func(b []byte) ([]byte, error) {
			d, err := zstd.NewReader(nil)
			if err != nil {
				return nil, err
			}
			defer d.Close()
			return d.DecodeAll(b, nil)
		},
	}
	for _, enc := range []string{"gzip", "zstd", "deflate"} {
		for _, method := range []string{"GET", "POST"} {
			t.Run(enc+"/"+method, func(t *testing.T) {
				var body []byte
				u := uri
				want := plain
				if method == "POST" {
					u = "/individuals"
					body = postQuery(`{"requestedGranularity":"record","pagination":{"skip":0,"limit":100}}`)
					want = append([]byte(nil), doResp(h, "POST", u, body, nil).Body()...)
				}
				resp := doResp(h, method, u, body, map[string]string{"Accept-Encoding": enc})
				if resp.StatusCode() != 200 {
					t.Fatalf("status %d", resp.StatusCode())
				}
				if ce := string(resp.Header.ContentEncoding()); ce != enc {
					t.Fatalf("Content-Encoding %q, want %q", ce, enc)
				}
				if ct := string(resp.Header.ContentType()); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type %q after compression", ct)
				}
				zipped := resp.Body()
				if len(zipped) >= len(want) {
					t.Errorf("compressed body %d bytes, uncompressed %d", len(zipped), len(want))
				}
				got, err := decoders[enc](zipped)
				if err != nil {
					t.Fatalf("decoding %s body: %v", enc, err)
				}
				if !json.Valid(got) {
					t.Fatalf("decoded body is not JSON: %s", truncate(got))
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("decoded body differs from the uncompressed response:\n%s\nwant\n%s", truncate(got), truncate(want))
				}
				if err := schematest.For(t).Response("data", "individual", false, got); err != nil {
					t.Fatalf("decoded body does not validate: %v", err)
				}
			})
		}
	}
	// Caches must know the answer depends on Accept-Encoding.
	if vary := strings.ToLower(string(doResp(h, "GET", uri, nil, map[string]string{"Accept-Encoding": "gzip"}).Header.Peek("Vary"))); !strings.Contains(vary, "accept-encoding") {
		t.Errorf("gzip response: Vary %q lacks Accept-Encoding", vary)
	}
	// Not accepted, not sent: identity, or a coding refused with q=0.
	for _, ae := range []string{"identity", "gzip;q=0", "br"} {
		resp := doResp(h, "GET", uri, nil, map[string]string{"Accept-Encoding": ae})
		if ce := string(resp.Header.ContentEncoding()); ce != "" {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q", ae, ce)
		} else if !bytes.Equal(resp.Body(), plain) {
			t.Errorf("Accept-Encoding %q: body differs from the plain response", ae)
		}
	}
	// A client accepting several encodings gets one of them, and it decodes.
	resp := doResp(h, "GET", uri, nil, map[string]string{"Accept-Encoding": "zstd, gzip;q=0.9, deflate;q=0.5"})
	ce := string(resp.Header.ContentEncoding())
	dec, ok := decoders[ce]
	if !ok {
		t.Fatalf("Accept-Encoding with three codings: Content-Encoding %q", ce)
	}
	if got, err := dec(resp.Body()); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("%s body with several accepted encodings does not decode to the plain one (%v)", ce, err)
	}
}

// --- 2. handovers from configuration ---

type handoverJSON struct {
	HandoverType struct {
		ID    string `json:"id"`
		Label string `json:"label"`
	} `json:"handoverType"`
	URL  string `json:"url"`
	Note string `json:"note"`
}

type handoverBody struct {
	BeaconHandovers []handoverJSON `json:"beaconHandovers"`
	Response        struct {
		ResultSets []struct {
			ID               string         `json:"id"`
			ResultsHandovers []handoverJSON `json:"resultsHandovers"`
		} `json:"resultSets"`
	} `json:"response"`
}

func handoverConfig(datasetHandoverIDs ...string) *Config {
	cfg := DefaultConfig()
	cfg.Handovers = []Handover{
		{HandoverType: OntologyTermConfig{ID: "CUSTOM:portal", Label: "Portal"}, URL: "https://example.org/portal", Note: "the whole beacon"},
		{HandoverType: OntologyTermConfig{ID: "EDAM:3016", Label: "VCF"}, URL: "https://example.org/{datasetId}.vcf.gz", DatasetIDs: datasetHandoverIDs},
		{HandoverType: OntologyTermConfig{ID: "EDAM:2572", Label: "BAM"}, URL: "https://example.org/{datasetId}.bam", DatasetIDs: []string{"SOME_OTHER_DATASET"}},
	}
	return &cfg
}

func TestHandoversFromConfig(t *testing.T) {
	h := testHandlerWith(t, "fixture", handoverConfig("FIXTURE"))
	for _, c := range []struct {
		method, uri string
		body        []byte
	}{
		{"GET", "/individuals?requestedGranularity=record", nil},
		{"POST", "/individuals", postQuery(`{"requestedGranularity":"record"}`)},
		{"GET", "/individuals/I1/g_variants?requestedGranularity=record", nil},
	} {
		t.Run(c.method+c.uri, func(t *testing.T) {
			query(t, h, c.method, c.uri, c.body, 200) // validates
			_, out := do(h, c.method, c.uri, c.body)
			var hb handoverBody
			if err := json.Unmarshal(out, &hb); err != nil {
				t.Fatal(err)
			}
			if len(hb.BeaconHandovers) != 1 {
				t.Fatalf("beaconHandovers %+v, want exactly the portal", hb.BeaconHandovers)
			}
			bh := hb.BeaconHandovers[0]
			if bh.URL != "https://example.org/portal" || bh.HandoverType.ID != "CUSTOM:portal" || bh.HandoverType.Label != "Portal" || bh.Note != "the whole beacon" {
				t.Errorf("beacon handover %+v", bh)
			}
			if len(hb.Response.ResultSets) != 1 {
				t.Fatalf("%d result sets, want 1", len(hb.Response.ResultSets))
			}
			rs := hb.Response.ResultSets[0]
			if len(rs.ResultsHandovers) != 1 {
				t.Fatalf("resultsHandovers %+v, want exactly the VCF of FIXTURE", rs.ResultsHandovers)
			}
			if got := rs.ResultsHandovers[0]; got.URL != "https://example.org/FIXTURE.vcf.gz" || got.HandoverType.ID != "EDAM:3016" || got.HandoverType.Label != "VCF" {
				t.Errorf("results handover %+v", got)
			}
			if bytes.Contains(out, []byte("{datasetId}")) || bytes.Contains(out, []byte(".bam")) {
				t.Errorf("an unsubstituted or foreign handover leaked: %s", truncate(out))
			}
		})
	}
	// beaconHandovers come with every granularity, and the response still validates.
	for _, g := range []string{"boolean", "count"} {
		uri := "/individuals?requestedGranularity=" + g
		query(t, h, "GET", uri, nil, 200)
		_, out := do(h, "GET", uri, nil)
		var hb handoverBody
		if err := json.Unmarshal(out, &hb); err != nil {
			t.Fatal(err)
		}
		if len(hb.BeaconHandovers) != 1 || hb.BeaconHandovers[0].URL != "https://example.org/portal" {
			t.Errorf("%s: beaconHandovers %+v", g, hb.BeaconHandovers)
		}
	}
}

func TestHandoversPerDatasetInMultiRelease(t *testing.T) {
	h := testHandlerWith(t, "multi", handoverConfig("FIXTURE_B"))
	uri := "/individuals?requestedGranularity=record"
	query(t, h, "GET", uri, nil, 200)
	_, out := do(h, "GET", uri, nil)
	var hb handoverBody
	if err := json.Unmarshal(out, &hb); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, rs := range hb.Response.ResultSets {
		for _, ho := range rs.ResultsHandovers {
			got[rs.ID] = append(got[rs.ID], ho.URL)
		}
	}
	if len(hb.Response.ResultSets) != 2 || len(got["FIXTURE"]) != 0 || !slices.Equal(got["FIXTURE_B"], []string{"https://example.org/FIXTURE_B.vcf.gz"}) {
		t.Errorf("result-set handovers %v over %d sets, want only FIXTURE_B's VCF", got, len(hb.Response.ResultSets))
	}
}

// --- 3. granularity policy ---

func TestConfiguredMaximumGranularity(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Granularity.Max = "count"
	h := testHandlerWith(t, "fixture", &cfg)
	for _, c := range []struct {
		method, uri string
		body        []byte
	}{
		{"GET", "/individuals?requestedGranularity=record", nil},
		{"POST", "/individuals", postQuery(`{"requestedGranularity":"record"}`)},
		{"GET", "/individuals/I1/g_variants?requestedGranularity=record", nil},
	} {
		s := query(t, h, c.method, c.uri, c.body, 200)
		if s.Meta.ReturnedGranularity != "count" {
			t.Errorf("%s %s: returned %q, want count", c.method, c.uri, s.Meta.ReturnedGranularity)
		}
		if s.ResponseSummary.NumTotalResults == nil {
			t.Errorf("%s %s: no numTotalResults at count", c.method, c.uri)
		}
		_, out := do(h, c.method, c.uri, c.body)
		if bytes.Contains(out, []byte(`"results"`)) || len(s.Response.ResultSets) != 1 {
			t.Errorf("%s %s: a count answer carries records, or not its one v2.2 result set: %s", c.method, c.uri, truncate(out))
		}
	}
	s := query(t, h, "GET", "/individuals?requestedGranularity=record", nil, 200)
	if n := s.ResponseSummary.NumTotalResults; n == nil || *n != 6 {
		t.Errorf("numTotalResults %s, want 6", fmtCount(n))
	}
}

func TestDatasetMaximumGranularityNeverLeaksCounts(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Datasets = map[string]DatasetConfig{"FIXTURE": {MaxGranularity: "boolean"}}
	h := testHandlerWith(t, "fixture", &cfg)
	for _, c := range []struct {
		method, uri string
		body        []byte
	}{
		{"GET", "/individuals?requestedGranularity=count", nil},
		{"GET", "/individuals?requestedGranularity=record", nil},
		{"GET", "/individuals?filters=NCIT:C16576&requestedGranularity=count", nil},
		{"POST", "/individuals", postQuery(`{"requestedGranularity":"count"}`)},
		{"POST", "/biosamples", postQuery(`{"requestedGranularity":"record","includeResultsetResponses":"ALL"}`)},
		{"GET", "/g_variants?referenceName=1&start=1000&referenceBases=A&alternateBases=G&requestedGranularity=count", nil},
		{"GET", "/individuals/I1/g_variants?requestedGranularity=count", nil},
		{"GET", "/datasets?requestedGranularity=record", nil},
		{"GET", "/datasets/FIXTURE/individuals?requestedGranularity=count", nil},
		{"GET", "/cohorts/C1/individuals?requestedGranularity=count", nil},
	} {
		t.Run(c.method+c.uri, func(t *testing.T) {
			s := query(t, h, c.method, c.uri, c.body, 200)
			if s.Meta.ReturnedGranularity != "boolean" {
				t.Errorf("returned %q, want boolean", s.Meta.ReturnedGranularity)
			}
			if s.ResponseSummary.NumTotalResults != nil {
				t.Errorf("numTotalResults %d leaked from a boolean-only dataset", *s.ResponseSummary.NumTotalResults)
			}
			_, out := do(h, c.method, c.uri, c.body)
			leaks := []string{"numTotalResults", "resultsCount", `"results"`}
			if strings.HasPrefix(c.uri, "/datasets?") {
				// The collection listing is descriptive metadata, not sensitive (issue 9 §5):
				// listed at every granularity, its count still withheld.
				leaks = leaks[:2]
				if len(s.Response.Collections) != 1 {
					t.Errorf("%d collections listed, want FIXTURE", len(s.Response.Collections))
				}
			}
			for _, leak := range leaks {
				if bytes.Contains(out, []byte(leak)) {
					t.Errorf("%s in a boolean answer: %s", leak, truncate(out))
				}
			}
			if !s.ResponseSummary.Exists {
				t.Errorf("exists false; every query here matches")
			}
		})
	}
}

func TestDatasetMaximumGranularityInMultiRelease(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Datasets = map[string]DatasetConfig{"FIXTURE": {MaxGranularity: "boolean"}}
	h := testHandlerWith(t, "multi", &cfg)
	// Both datasets answer: the most restrictive wins.
	s := query(t, h, "GET", "/individuals?requestedGranularity=record", nil, 200)
	if s.Meta.ReturnedGranularity != "boolean" || s.ResponseSummary.NumTotalResults != nil {
		t.Errorf("both datasets: returned %q with numTotalResults %s, want boolean without", s.Meta.ReturnedGranularity, fmtCount(s.ResponseSummary.NumTotalResults))
	}
	// Only the unrestricted dataset asked for: records.
	s = query(t, h, "GET", "/individuals?datasetIds=FIXTURE_B&requestedGranularity=record", nil, 200)
	if s.Meta.ReturnedGranularity != "record" || len(s.Response.ResultSets) != 1 || s.Response.ResultSets[0].ID != "FIXTURE_B" {
		t.Errorf("FIXTURE_B only: returned %q with %d sets", s.Meta.ReturnedGranularity, len(s.Response.ResultSets))
	}
	// Collections of the unrestricted dataset only: no record of the boolean-only one.
	uri := "/datasets?datasetIds=FIXTURE_B&requestedGranularity=record"
	query(t, h, "GET", uri, nil, 200)
	_, out := do(h, "GET", uri, nil)
	var body struct {
		Response struct {
			Collections []struct {
				ID string `json:"id"`
			} `json:"collections"`
		} `json:"response"`
	}
	if err := json.Unmarshal(out, &body); err != nil {
		t.Fatal(err)
	}
	for _, c := range body.Response.Collections {
		if c.ID != "FIXTURE_B" {
			t.Errorf("%s returns the record of %s, whose maxGranularity is boolean", uri, c.ID)
		}
	}
	// Only the restricted one: boolean.
	s = query(t, h, "GET", "/individuals?datasetIds=FIXTURE&requestedGranularity=count", nil, 200)
	if s.Meta.ReturnedGranularity != "boolean" || s.ResponseSummary.NumTotalResults != nil {
		t.Errorf("FIXTURE only: returned %q with numTotalResults %s", s.Meta.ReturnedGranularity, fmtCount(s.ResponseSummary.NumTotalResults))
	}
}

func TestDefaultGranularity(t *testing.T) {
	h := testHandler(t, "fixture")
	for _, c := range []struct {
		method, uri string
		body        []byte
	}{
		{"GET", "/individuals", nil},
		{"GET", "/individuals?filters=NCIT:C16576", nil},
		{"POST", "/individuals", postQuery(`{"filters":[{"id":"NCIT:C16576"}]}`)},
		{"POST", "/individuals", nil},
		{"GET", "/g_variants/V1/individuals", nil},
	} {
		s := query(t, h, c.method, c.uri, c.body, 200)
		if s.Meta.ReturnedGranularity != "boolean" {
			t.Errorf("%s %s: returned %q, want boolean (the default)", c.method, c.uri, s.Meta.ReturnedGranularity)
		}
		if s.ResponseSummary.NumTotalResults != nil {
			t.Errorf("%s %s: numTotalResults in a default (boolean) answer", c.method, c.uri)
		}
		if !s.ResponseSummary.Exists {
			t.Errorf("%s %s: exists false", c.method, c.uri)
		}
		_, out := do(h, c.method, c.uri, c.body)
		if g := dig(rawJSON(t, out), "meta", "receivedRequestSummary", "requestedGranularity"); g != "boolean" {
			t.Errorf("%s %s: receivedRequestSummary.requestedGranularity %v, want boolean", c.method, c.uri, g)
		}
	}
	// A configured default applies when the request says nothing, and only then.
	cfg := DefaultConfig()
	cfg.Granularity.Default = "count"
	hc := testHandlerWith(t, "fixture", &cfg)
	if s := query(t, hc, "GET", "/individuals", nil, 200); s.Meta.ReturnedGranularity != "count" || s.ResponseSummary.NumTotalResults == nil || *s.ResponseSummary.NumTotalResults != 6 {
		t.Errorf("configured default count: returned %q, numTotalResults %s", s.Meta.ReturnedGranularity, fmtCount(s.ResponseSummary.NumTotalResults))
	}
	if s := query(t, hc, "GET", "/individuals?requestedGranularity=boolean", nil, 200); s.Meta.ReturnedGranularity != "boolean" {
		t.Errorf("explicit boolean over a count default: returned %q", s.Meta.ReturnedGranularity)
	}
}

// --- 4. includeResultsetResponses ---

func TestIncludeResultsetResponses(t *testing.T) {
	h := testHandler(t, "fixture")
	const hit = "filters=NCIT:C16576"              // 3 females
	const miss = "filters=TST:0000004,NCIT:C16576" // the one TST:0000004 is male
	for _, c := range []struct {
		query, mode string
		sets        int
		exists      bool // of the set, when there is one
		total       uint64
	}{
		{hit, "HIT", 1, true, 3},
		{hit, "MISS", 0, false, 3},
		{hit, "ALL", 1, true, 3},
		{hit, "NONE", 0, false, 3},
		{hit, "", 1, true, 3}, // HIT is the default
		{miss, "HIT", 0, false, 0},
		{miss, "MISS", 1, false, 0},
		{miss, "ALL", 1, false, 0},
		{miss, "NONE", 0, false, 0},
		{miss, "", 0, false, 0},
	} {
		for _, method := range []string{"GET", "POST"} {
			name := fmt.Sprintf("%s/%s/%s", method, c.query, c.mode)
			t.Run(name, func(t *testing.T) {
				var s summary
				if method == "GET" {
					uri := "/individuals?requestedGranularity=record&" + c.query
					if c.mode != "" {
						uri += "&includeResultsetResponses=" + c.mode
					}
					s = query(t, h, "GET", uri, nil, 200)
				} else {
					ids := strings.Split(strings.TrimPrefix(c.query, "filters="), ",")
					var fs []string
					for _, id := range ids {
						fs = append(fs, fmt.Sprintf(`{"id":%q}`, id))
					}
					q := `{"requestedGranularity":"record","filters":[` + strings.Join(fs, ",") + `]`
					if c.mode != "" {
						q += `,"includeResultsetResponses":"` + c.mode + `"`
					}
					s = query(t, h, "POST", "/individuals", postQuery(q+"}"), 200)
				}
				if s.Meta.ReturnedGranularity != "record" {
					t.Fatalf("returned %q", s.Meta.ReturnedGranularity)
				}
				if n := s.ResponseSummary.NumTotalResults; n == nil || *n != c.total {
					t.Errorf("numTotalResults %s, want %d", fmtCount(n), c.total)
				}
				if s.ResponseSummary.Exists != (c.total > 0) {
					t.Errorf("responseSummary.exists %v with %d results", s.ResponseSummary.Exists, c.total)
				}
				if len(s.Response.ResultSets) != c.sets {
					t.Fatalf("%d result sets, want %d", len(s.Response.ResultSets), c.sets)
				}
				for _, rs := range s.Response.ResultSets {
					if rs.ID != "FIXTURE" || rs.Exists != c.exists || rs.ResultsCount != c.total || len(rs.Results) != int(c.total) {
						t.Errorf("result set %s exists %v count %d with %d results; want FIXTURE %v %d", rs.ID, rs.Exists, rs.ResultsCount, len(rs.Results), c.exists, c.total)
					}
				}
			})
		}
	}
}

// --- 5. several datasets in one release ---

func TestMultiDatasetRelease(t *testing.T) {
	h := testHandler(t, "multi")

	t.Run("all individuals", func(t *testing.T) {
		s := query(t, h, "GET", "/individuals?requestedGranularity=record", nil, 200)
		if n := s.ResponseSummary.NumTotalResults; n == nil || *n != 12 {
			t.Errorf("numTotalResults %s, want 12", fmtCount(n))
		}
		var ids []string
		for _, rs := range s.Response.ResultSets {
			ids = append(ids, rs.ID)
			if rs.ResultsCount != 6 || len(rs.Results) != 6 || !rs.Exists {
				t.Errorf("set %s: resultsCount %d, %d results, exists %v; want 6, 6, true", rs.ID, rs.ResultsCount, len(rs.Results), rs.Exists)
			}
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []string{"FIXTURE", "FIXTURE_B"}) {
			t.Errorf("result sets %v, want FIXTURE and FIXTURE_B", ids)
		}
		if s := query(t, h, "GET", "/individuals?requestedGranularity=count", nil, 200); s.ResponseSummary.NumTotalResults == nil || *s.ResponseSummary.NumTotalResults != 12 {
			t.Errorf("count: numTotalResults %s, want 12", fmtCount(s.ResponseSummary.NumTotalResults))
		}
	})

	t.Run("one id in two datasets", func(t *testing.T) {
		s := query(t, h, "GET", "/individuals/I1?requestedGranularity=record", nil, 200)
		if n := s.ResponseSummary.NumTotalResults; n == nil || *n != 2 {
			t.Errorf("numTotalResults %s, want 2", fmtCount(n))
		}
		if len(s.Response.ResultSets) != 2 {
			t.Fatalf("%d result sets, want 2", len(s.Response.ResultSets))
		}
		for _, rs := range s.Response.ResultSets {
			if rs.ResultsCount != 1 || len(rs.Results) != 1 || recordID(t, rs.Results[0]) != "I1" {
				t.Errorf("set %s: %d results (count %d), want I1 once", rs.ID, len(rs.Results), rs.ResultsCount)
			}
		}
	})

	t.Run("links stay inside a dataset", func(t *testing.T) {
		s := query(t, h, "GET", "/individuals/I1/g_variants?requestedGranularity=record", nil, 200)
		if n := s.ResponseSummary.NumTotalResults; n == nil || *n != 6 {
			t.Errorf("numTotalResults %s, want 6 (3 per dataset)", fmtCount(n))
		}
		for _, rs := range s.Response.ResultSets {
			var ids []string
			for _, r := range rs.Results {
				ids = append(ids, recordID(t, r))
			}
			slices.Sort(ids)
			if rs.ResultsCount != 3 || !slices.Equal(ids, []string{"V1", "V3", "V8"}) {
				t.Errorf("set %s: count %d records %v, want V1 V3 V8", rs.ID, rs.ResultsCount, ids)
			}
		}
		// V1 is carried by B1 (I1) and B2 (I2) in each dataset.
		s = query(t, h, "GET", "/g_variants/V1/individuals?requestedGranularity=record", nil, 200)
		if n := s.ResponseSummary.NumTotalResults; n == nil || *n != 4 {
			t.Errorf("/g_variants/V1/individuals: numTotalResults %s, want 4 (I1 and I2 in each dataset)", fmtCount(n))
		}
		for _, rs := range s.Response.ResultSets {
			var ids []string
			for _, r := range rs.Results {
				ids = append(ids, recordID(t, r))
			}
			slices.Sort(ids)
			if !slices.Equal(ids, []string{"I1", "I2"}) {
				t.Errorf("/g_variants/V1/individuals set %s: %v, want I1 I2", rs.ID, ids)
			}
		}
	})

	t.Run("variant in both datasets", func(t *testing.T) {
		s := query(t, h, "GET", "/g_variants?referenceName=1&start=1000&referenceBases=A&alternateBases=G&requestedGranularity=count", nil, 200)
		if n := s.ResponseSummary.NumTotalResults; n == nil || *n != 2 {
			t.Errorf("numTotalResults %s, want 2", fmtCount(n))
		}
	})

	t.Run("restricted to one dataset", func(t *testing.T) {
		for _, c := range []struct {
			method, uri string
			body        []byte
		}{
			{"POST", "/individuals", postQuery(`{"requestedGranularity":"record","requestParameters":{"datasets":{"datasetIds":["FIXTURE_B"]}}}`)},
			{"POST", "/individuals", postQuery(`{"requestedGranularity":"record","requestParameters":{"datasetIds":["FIXTURE_B"]}}`)},
			{"GET", "/individuals?requestedGranularity=record&datasetIds=FIXTURE_B", nil},
			{"GET", "/individuals?requestedGranularity=record&datasets=FIXTURE_B", nil},
		} {
			s := query(t, h, c.method, c.uri, c.body, 200)
			if n := s.ResponseSummary.NumTotalResults; n == nil || *n != 6 {
				t.Errorf("%s %s %s: numTotalResults %s, want 6", c.method, c.uri, c.body, fmtCount(n))
			}
			if len(s.Response.ResultSets) != 1 || s.Response.ResultSets[0].ID != "FIXTURE_B" || s.Response.ResultSets[0].ResultsCount != 6 {
				t.Errorf("%s %s %s: result sets %+v, want FIXTURE_B with 6", c.method, c.uri, c.body, s.Response.ResultSets)
			}
			_, out := do(h, c.method, c.uri, c.body)
			ids, _ := dig(rawJSON(t, out), "meta", "receivedRequestSummary", "requestParameters", "datasets", "datasetIds").([]any)
			if len(ids) != 1 || ids[0] != "FIXTURE_B" {
				t.Errorf("%s %s: receivedRequestSummary.requestParameters.datasets.datasetIds %v", c.method, c.uri, ids)
			}
		}
		// Both named: both answer.
		s := query(t, h, "GET", "/individuals?requestedGranularity=count&datasetIds=FIXTURE,FIXTURE_B", nil, 200)
		if n := s.ResponseSummary.NumTotalResults; n == nil || *n != 12 {
			t.Errorf("both named: numTotalResults %s, want 12", fmtCount(n))
		}
	})

	t.Run("unknown dataset", func(t *testing.T) {
		for _, c := range []struct {
			method, uri string
			body        []byte
		}{
			{"GET", "/individuals?datasetIds=NOPE", nil},
			{"GET", "/individuals?datasetIds=FIXTURE_B,NOPE&requestedGranularity=count", nil},
			{"POST", "/individuals", postQuery(`{"requestParameters":{"datasets":{"datasetIds":["NOPE"]}}}`)},
		} {
			// Networks send every dataset id to every member: not an error, a warning.
			s := query(t, h, c.method, c.uri, c.body, 200)
			if !strings.Contains(strings.Join(s.Info.Warnings, " "), "NOPE") {
				t.Errorf("%s %s: warnings %q do not name the unknown dataset", c.method, c.uri, s.Info.Warnings)
			}
			if named := strings.Contains(c.uri, "FIXTURE_B"); s.ResponseSummary.Exists != named {
				t.Errorf("%s %s: exists %v", c.method, c.uri, s.ResponseSummary.Exists)
			}
		}
	})

	t.Run("datasets collection", func(t *testing.T) {
		s := query(t, h, "GET", "/datasets?requestedGranularity=record", nil, 200)
		var ids []string
		for _, r := range s.Response.Collections {
			ids = append(ids, recordID(t, r))
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []string{"FIXTURE", "FIXTURE_B"}) {
			t.Errorf("collections %v, want FIXTURE and FIXTURE_B", ids)
		}
		if n := s.ResponseSummary.NumTotalResults; n == nil || *n != 2 {
			t.Errorf("numTotalResults %s, want 2", fmtCount(n))
		}
	})

	t.Run("collections restricted to one dataset", func(t *testing.T) {
		for _, c := range []struct{ uri, entity string }{
			{"/datasets?datasetIds=FIXTURE_B&requestedGranularity=record", "dataset"},
			{"/cohorts?datasetIds=FIXTURE_B&requestedGranularity=record", "cohort"},
		} {
			s := query(t, h, "GET", c.uri, nil, 200)
			if n := s.ResponseSummary.NumTotalResults; n == nil || *n != 1 {
				t.Errorf("%s: numTotalResults %s, want 1", c.uri, fmtCount(n))
			}
			var ids []string
			for _, r := range s.Response.Collections {
				ids = append(ids, recordID(t, r))
			}
			// The page must hold exactly the records numTotalResults counts: one, of FIXTURE_B.
			if len(ids) != 1 || (c.entity == "dataset" && ids[0] != "FIXTURE_B") {
				t.Errorf("%s: collections %v for numTotalResults 1: records of a dataset the request excluded are returned", c.uri, ids)
			}
		}
	})

	t.Run("individuals of one dataset", func(t *testing.T) {
		s := query(t, h, "GET", "/datasets/FIXTURE_B/individuals?requestedGranularity=record", nil, 200)
		if n := s.ResponseSummary.NumTotalResults; n == nil || *n != 6 {
			t.Errorf("numTotalResults %s, want 6", fmtCount(n))
		}
		for _, rs := range s.Response.ResultSets {
			if rs.ID != "FIXTURE_B" {
				t.Errorf("result set %s (count %d) in /datasets/FIXTURE_B/individuals", rs.ID, rs.ResultsCount)
			}
		}
		s = query(t, h, "GET", "/datasets/FIXTURE_B/g_variants?requestedGranularity=count", nil, 200)
		if n := s.ResponseSummary.NumTotalResults; n == nil || *n != 10 {
			t.Errorf("/datasets/FIXTURE_B/g_variants: numTotalResults %s, want 10", fmtCount(n))
		}
	})
}

// --- 6. test mode ---

func TestTestModeEchoed(t *testing.T) {
	h := testHandler(t, "fixture")
	for _, c := range []struct {
		method, uri string
		body        []byte
		want        bool
	}{
		{"GET", "/individuals?testMode=true", nil, true},
		{"GET", "/individuals?testMode=true&requestedGranularity=record", nil, true},
		{"POST", "/individuals", postQuery(`{"testMode":true}`), true},
		{"POST", "/g_variants", postQuery(`{"testMode":true,"requestedGranularity":"count","requestParameters":{"referenceName":"1","start":[1000],"alternateBases":"G"}}`), true},
		{"GET", "/individuals?testMode=false", nil, false},
		{"GET", "/individuals", nil, false},
	} {
		query(t, h, c.method, c.uri, c.body, 200)
		_, out := do(h, c.method, c.uri, c.body)
		m := rawJSON(t, out)
		tm, _ := dig(m, "meta", "testMode").(bool)
		rtm, _ := dig(m, "meta", "receivedRequestSummary", "testMode").(bool)
		if tm != c.want || rtm != c.want {
			t.Errorf("%s %s %s: meta.testMode %v, receivedRequestSummary.testMode %v; want %v", c.method, c.uri, c.body, tm, rtm, c.want)
		}
	}
}

// --- 7. methods ---

func TestMethods(t *testing.T) {
	h := testHandler(t, "fixture")
	for _, m := range []string{"PUT", "DELETE", "PATCH"} {
		for _, uri := range []string{"/individuals", "/info", "/individuals/I1/g_variants"} {
			resp := doResp(h, m, uri, []byte(`{}`), nil)
			if resp.StatusCode() != 405 {
				t.Errorf("%s %s: status %d, want 405", m, uri, resp.StatusCode())
				continue
			}
			if allow := string(resp.Header.Peek("Allow")); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
				t.Errorf("%s %s: Allow %q", m, uri, allow)
			}
			expectError(t, h, m, uri, []byte(`{}`), 405)
		}
	}

	// /metrics is not Beacon, but the method rule (docs/api.md, Errors) holds for every path.
	for _, m := range []string{"PUT", "DELETE"} {
		if resp := doResp(h, m, "/metrics", nil, nil); resp.StatusCode() != 405 {
			t.Errorf("%s /metrics: status %d, want 405", m, resp.StatusCode())
		}
	}

	for _, uri := range []string{"/individuals", "/info", "/g_variants/V1/individuals"} {
		resp := doResp(h, "OPTIONS", uri, nil, map[string]string{
			"Origin": "https://client.example.org", "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "Content-Type",
		})
		if resp.StatusCode() != 204 {
			t.Errorf("OPTIONS %s: status %d, want 204", uri, resp.StatusCode())
		}
		if o := string(resp.Header.Peek("Access-Control-Allow-Origin")); o != "*" {
			t.Errorf("OPTIONS %s: Access-Control-Allow-Origin %q", uri, o)
		}
		methods := string(resp.Header.Peek("Access-Control-Allow-Methods"))
		for _, m := range []string{"GET", "POST"} {
			if !strings.Contains(methods, m) {
				t.Errorf("OPTIONS %s: Access-Control-Allow-Methods %q lacks %s", uri, methods, m)
			}
		}
		if hd := strings.ToLower(string(resp.Header.Peek("Access-Control-Allow-Headers"))); !strings.Contains(hd, "content-type") {
			t.Errorf("OPTIONS %s: Access-Control-Allow-Headers %q lacks Content-Type", uri, hd)
		}
		if len(resp.Body()) != 0 {
			t.Errorf("OPTIONS %s: body %q", uri, resp.Body())
		}
	}

	// Plain responses carry the CORS origin too.
	if o := string(doResp(h, "GET", "/individuals", nil, nil).Header.Peek("Access-Control-Allow-Origin")); o != "*" {
		t.Errorf("GET /individuals: Access-Control-Allow-Origin %q", o)
	}

	for _, uri := range []string{"/info", "/", "/individuals", "/individuals?requestedGranularity=record", "/filtering_terms"} {
		resp := doResp(h, "HEAD", uri, nil, nil)
		if resp.StatusCode() != 200 {
			t.Errorf("HEAD %s: status %d, want 200", uri, resp.StatusCode())
		}
		if len(resp.Body()) != 0 {
			t.Errorf("HEAD %s: body of %d bytes: %s", uri, len(resp.Body()), truncate(resp.Body()))
		}
		if ct := string(resp.Header.ContentType()); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("HEAD %s: Content-Type %q", uri, ct)
		}
	}
}

// --- 8. nonFilteredQueriesAllowed ---

func TestNonFilteredQueriesRefused(t *testing.T) {
	cfg := DefaultConfig()
	cfg.NonFilteredQueriesAllowed = false
	h := testHandlerWith(t, "fixture", &cfg)
	for _, c := range []struct {
		method, uri string
		body        []byte
	}{
		{"GET", "/individuals", nil},
		{"GET", "/individuals?requestedGranularity=count", nil},
		{"GET", "/individuals?filters=,,", nil},
		{"POST", "/individuals", postQuery(`{"requestedGranularity":"count"}`)},
		{"POST", "/biosamples", nil},
	} {
		expectError(t, h, c.method, c.uri, c.body, 400)
	}
	for _, c := range []struct {
		method, uri string
		body        []byte
		count       uint64
	}{
		{"GET", "/individuals?filters=NCIT:C16576&requestedGranularity=count", nil, 3},
		{"POST", "/individuals", postQuery(`{"requestedGranularity":"count","filters":[{"id":"NCIT:C16576"}]}`), 3},
		{"GET", "/g_variants?referenceName=1&start=1000&alternateBases=G&requestedGranularity=count", nil, 1},
		{"GET", "/individuals/I1?requestedGranularity=count", nil, 1},
	} {
		s := query(t, h, c.method, c.uri, c.body, 200)
		if n := s.ResponseSummary.NumTotalResults; n == nil || *n != c.count {
			t.Errorf("%s %s: numTotalResults %s, want %d", c.method, c.uri, fmtCount(n), c.count)
		}
	}
	// The plain filtered GET of the issue, at the default granularity.
	if s := query(t, h, "GET", "/individuals?filters=NCIT:C16576", nil, 200); !s.ResponseSummary.Exists {
		t.Errorf("filtered query: exists false")
	}
}

// --- 9. filtering terms ---

type filteringTermsBody struct {
	Response struct {
		FilteringTerms []struct {
			Type   string   `json:"type"`
			ID     string   `json:"id"`
			Label  string   `json:"label"`
			Scopes []string `json:"scopes"`
			Values []string `json:"values"`
		} `json:"filteringTerms"`
	} `json:"response"`
}

func getFilteringTerms(t *testing.T, h fasthttp.RequestHandler, uri string) filteringTermsBody {
	t.Helper()
	status, out := do(h, "GET", uri, nil)
	if status != 200 {
		t.Fatalf("GET %s: status %d: %s", uri, status, truncate(out))
	}
	if err := schematest.For(t).Response("filtering_terms", "", false, out); err != nil {
		t.Fatalf("GET %s: %v", uri, err)
	}
	var b filteringTermsBody
	if err := json.Unmarshal(out, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFilteringTermsOfFixture(t *testing.T) {
	h := testHandler(t, "fixture")
	for _, uri := range []string{"/filtering_terms?limit=0", "/datasets/FIXTURE/filtering_terms?limit=0"} {
		t.Run(uri, func(t *testing.T) {
			b := getFilteringTerms(t, h, uri)
			var severe, strategy bool
			for _, ft := range b.Response.FilteringTerms {
				switch ft.ID {
				case "TST:0000002":
					severe = true
					if ft.Type != "ontologyTerm" || ft.Label != "severe disorder of testing" || !slices.Equal(ft.Scopes, []string{"individual"}) {
						t.Errorf("TST:0000002: %+v", ft)
					}
				case "libraryStrategy":
					strategy = true
					if ft.Type != "alphanumeric" || !slices.Equal(ft.Scopes, []string{"run"}) || !slices.Equal(ft.Values, []string{"WES", "WGS"}) {
						t.Errorf("libraryStrategy: %+v", ft)
					}
				}
			}
			if !severe || !strategy {
				t.Errorf("TST:0000002 listed %v, libraryStrategy listed %v", severe, strategy)
			}
		})
	}
	// Scoped to an entry type: only that type's terms.
	b := getFilteringTerms(t, h, "/runs/filtering_terms?limit=0")
	for _, ft := range b.Response.FilteringTerms {
		if !slices.Equal(ft.Scopes, []string{"run"}) {
			t.Errorf("/runs/filtering_terms lists %s with scopes %v", ft.ID, ft.Scopes)
		}
		if ft.ID == "TST:0000002" {
			t.Errorf("/runs/filtering_terms lists an individual term")
		}
	}

	expectError(t, h, "GET", "/datasets/NOPE/filtering_terms", nil, 404)
	expectError(t, h, "GET", "/filtering_terms?skip=-1", nil, 400)
	expectError(t, h, "GET", "/filtering_terms?limit=abc", nil, 400)

	// Paging: skip counts pages of limit terms; limit 0 is the most a page may hold, and
	// without a limit a page holds the default limit, as entry endpoints do.
	full := getFilteringTerms(t, h, "/filtering_terms?limit=0").Response.FilteringTerms
	if len(full) <= 10 {
		t.Fatalf("only %d filtering terms: the default page of 10 is not exercised", len(full))
	}
	ids := func(b filteringTermsBody) []string {
		var out []string
		for _, ft := range b.Response.FilteringTerms {
			out = append(out, ft.ID)
		}
		return out
	}
	var fullIDs []string
	for _, ft := range full {
		fullIDs = append(fullIDs, ft.ID)
	}
	for _, c := range []struct {
		uri      string
		from, to int
	}{
		{"/filtering_terms?skip=0&limit=3", 0, 3},
		{"/filtering_terms?skip=1&limit=3", 3, 6},
		{"/filtering_terms?limit=2", 0, 2},
		{fmt.Sprintf("/filtering_terms?skip=%d&limit=1", len(full)-1), len(full) - 1, len(full)},
		{fmt.Sprintf("/filtering_terms?skip=%d&limit=1", len(full)), len(full), len(full)},
		{"/filtering_terms?skip=1000000&limit=1000", len(full), len(full)},
		{"/filtering_terms", 0, 10},
		{"/filtering_terms?skip=1", 10, min(20, len(full))},
		{"/filtering_terms?skip=3&limit=4611686018427387904", len(full), len(full)},
		{"/filtering_terms?skip=9223372036854775807&limit=2", len(full), len(full)},
	} {
		if got := ids(getFilteringTerms(t, h, c.uri)); !slices.Equal(got, fullIDs[c.from:c.to]) {
			t.Errorf("%s: %v, want %v", c.uri, got, fullIDs[c.from:c.to])
		}
	}
}

// --- 10. no panic escapes ---

func TestNastyRequestsNeverFail(t *testing.T) {
	h := testHandler(t, "fixture")
	deep := strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000)
	deepArr := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	deepFilters := `{"query":{"filters":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}}`
	long := strings.Repeat("a", 100_000)
	gets := []string{
		"/individuals/" + long,
		"/" + long,
		"/individuals/" + long + "/g_variants",
		"/individuals?filters=" + long,
		"/individuals?" + long + "=1",
		"/individuals/%zz",
		"/individuals?filters=%zz",
		"/individuals?%zz=%zz",
		"/g_variants?referenceName=%zz&start=%zz",
		"/individuals?skip=99999999999999999999999&limit=99999999999999999999999&requestedGranularity=record",
		"/individuals?skip=2147483647&limit=2147483647&requestedGranularity=record",
		"/individuals?skip=-1",
		"/individuals?limit=-5",
		"/individuals?skip=1e9",
		"/individuals?filters=%00",
		"/individuals/%00",
		"/individuals/%00/g_variants",
		"/individuals?requestedGranularity=%00",
		"/g_variants?referenceName=%00&start=1&alternateBases=G",
		"/individuals?filters=,,,,",
		"/individuals?filters=,,,,&filters=",
		"/individuals?filters==",
		"/individuals?filters=:>",
		"/individuals?filters=<<<<",
		"/individuals?filters=a:!",
		"/individuals?filters=%ff%fe",
		"/g_variants?referenceName=1&start=99999999999999999999&alternateBases=G",
		"/g_variants?referenceName=1&start=9223372036854775807&end=9223372036854775807",
		"/g_variants?referenceName=1&start=9223372036854775806,9223372036854775807&end=0,9223372036854775807",
		"/g_variants?referenceName=1&start=5&end=1",
		"/g_variants?referenceName=1&start=1,2,3",
		"/g_variants?start=1",
		"/g_variants?referenceName=1&start=1&end=2&variantMinLength=99999999999999999999",
		"/g_variants?referenceName=1&start=0&end=9223372036854775807&variantMinLength=9223372036854775807",
		"/g_variants?referenceName=" + long + "&start=1&alternateBases=G",
		"/g_variants?assemblyId=%zz&referenceName=NC_999999.99&start=1&end=2",
		"/g_variants?geneId=" + long,
		"/individuals?datasetIds=" + long,
		"/individuals?requestedSchema=" + long,
		"/individuals?includeResultsetResponses=%00",
		"/individuals?testMode=%00",
		"/datasets/%zz/individuals",
		"/cohorts/" + long + "/g_variants",
		"/individuals//g_variants",
		"/individuals/I1/g_variants/extra",
		"/api/api/individuals",
		"/../../etc/passwd",
		"/individuals?filters=" + strings.Repeat("NCIT:C16576,", 5000),
		"/individuals?" + strings.Repeat("filters=NCIT:C16576&", 2000),
	}
	bodies := []string{
		`[]`, `null`, `{"query":[]}`, `{"query":null}`, `""`, `1`, `true`, `{`, `}`, `{"meta":[]}`,
		`{"meta":{"apiVersion":[]}}`, `{"meta":{"requestedSchemas":[1,[],null,{"schema":1}]}}`,
		`{"query":{"filters":null}}`, `{"query":{"filters":[null]}}`, `{"query":{"filters":[1,[],{}]}}`,
		`{"query":{"filters":{"id":1}}}`, `{"query":{"filters":[{"id":""}]}}`, `{"query":{"filters":[{"id":null,"operator":"="}]}}`,
		`{"query":{"filters":[{"id":"x","operator":"=","value":{}}]}}`, `{"query":{"filters":[{"id":"x","operator":"?","value":"1"}]}}`,
		`{"query":{"filters":[{"id":"NCIT:C16576","scope":"nowhere"}]}}`, `{"query":{"filters":[{"id":"NCIT:C16576","includeDescendantTerms":[]}]}}`,
		`{"query":{"pagination":{"skip":-1,"limit":-1}}}`, `{"query":{"pagination":{"skip":1e400,"limit":1.5}}}`,
		`{"query":{"pagination":{"skip":99999999999999999999999,"limit":99999999999999999999999},"requestedGranularity":"record"}}`,
		`{"query":{"pagination":[]}}`, `{"query":{"requestedGranularity":null}}`, `{"query":{"requestedGranularity":{}}}`,
		`{"query":{"requestParameters":[]}}`, `{"query":{"requestParameters":{"start":[1,2,3]}}}`,
		`{"query":{"requestParameters":{"start":"x","referenceName":"1"}}}`, `{"query":{"requestParameters":{"start":[null]}}}`,
		`{"query":{"requestParameters":{"g_variant":[]}}}`, `{"query":{"requestParameters":{"datasets":{"datasetIds":[{}]}}}}`,
		`{"query":{"requestParameters":{"referenceName":"1","start":99999999999999999999,"alternateBases":"G"}}}`,
		`{"query":{"requestParameters":{"referenceName":"1","start":-1,"end":-2}}}`,
		`{"query":{"requestParameters":{"referenceName":"1","start":[1.5],"alternateBases":"G"}}}`,
		`{"query":{"requestParameters":{"referenceName":"\u0000","start":[1],"alternateBases":"\u0000"}}}`,
		`{"query":{"testMode":null,"includeResultsetResponses":1}}`, `{"query":{"filters":["\ud800"]}}`,
		"{\"query\":{\"filters\":[\"\x00\xff\"]}}",
		deep, deepArr, deepFilters,
		`{"query":{"filters":[{"id":"` + long + `"}]}}`,
	}
	type req struct {
		method, uri string
		body        []byte
	}
	var reqs []req
	for _, u := range gets {
		reqs = append(reqs, req{"GET", u, nil})
	}
	for _, path := range []string{"/individuals", "/g_variants", "/datasets", "/cohorts/C1/biosamples", "/individuals/I1/g_variants"} {
		for _, b := range bodies {
			reqs = append(reqs, req{"POST", path, []byte(b)})
		}
	}
	for i, r := range reqs {
		name := r.uri
		if r.body != nil {
			name += " " + string(r.body)
		}
		if len(name) > 120 {
			name = name[:120] + "…"
		}
		t.Run(fmt.Sprintf("%d", i), func(t *testing.T) {
			var status int
			var out []byte
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("%s %s: panic escaped the handler: %v", r.method, name, p)
					}
				}()
				status, out = do(h, r.method, r.uri, r.body)
			}()
			if status >= 500 {
				t.Fatalf("%s %s: status %d: %s", r.method, name, status, truncate(out))
			}
			var m map[string]any
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatalf("%s %s: status %d with a body that is not a JSON object: %v: %s", r.method, name, status, err, truncate(out))
			}
			_, hasSummary := m["responseSummary"]
			_, hasError := m["error"]
			if hasSummary == hasError {
				t.Fatalf("%s %s: status %d, body has responseSummary %v and error %v: %s", r.method, name, status, hasSummary, hasError, truncate(out))
			}
			v := schematest.For(t)
			if hasError {
				if status == 200 {
					t.Fatalf("%s %s: error body with status 200", r.method, name)
				}
				if code, _ := dig(m, "error", "errorCode").(float64); int(code) != status {
					t.Errorf("%s %s: errorCode %v, status %d", r.method, name, dig(m, "error", "errorCode"), status)
				}
				if err := v.Response("error", "", false, out); err != nil {
					t.Errorf("%s %s: error body does not validate: %v", r.method, name, err)
				}
				return
			}
			if status != 200 {
				t.Fatalf("%s %s: status %d with a data body", r.method, name, status)
			}
			// Route as the server does: on fasthttp's normalised path ("//" collapsed).
			var u fasthttp.URI
			if err := u.Parse(nil, []byte(r.uri)); err != nil {
				t.Fatal(err)
			}
			rt := ParseRoute(string(u.Path()))
			collection := rt.Collections()
			if err := v.Response("data", string(rt.Target()), collection, out); err != nil {
				t.Errorf("%s %s: response does not validate: %v", r.method, name, err)
			}
		})
	}
}

// TestFilteringTermsPerDataset serves a release of two different datasets: the fixture and a
// one-individual dataset with a field the fixture lacks. Each dataset's filtering terms list
// what that dataset holds, and only that.
func TestFilteringTermsPerDataset(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "individuals.json")
	if err := os.WriteFile(other, []byte(`[{"id":"X1","sex":{"id":"NCIT:C20197","label":"male"},"karyotypicSex":"XY"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "release")
	ctx := context.Background()
	if _, err := ingest.Run(ctx, ingest.Options{Out: out, DatasetID: "FIXTURE", Assembly: "GRCh38"}, fixtureInputs(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(ctx, ingest.Options{Out: out, DatasetID: "OTHER", Assembly: "GRCh38"}, []string{other}); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.NewEngine(out, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	h := NewServer(eng, &cfg, nil).Handler()

	listed := func(uri string) map[string]bool {
		got := map[string]bool{}
		for _, ft := range getFilteringTerms(t, h, uri).Response.FilteringTerms {
			got[ft.Type+" "+ft.ID] = true
		}
		return got
	}
	all := listed("/filtering_terms?limit=0")
	fx := listed("/datasets/FIXTURE/filtering_terms?limit=0")
	ot := listed("/datasets/OTHER/filtering_terms?limit=0")
	for _, term := range []string{"alphanumeric karyotypicSex", "alphanumeric libraryStrategy", "ontologyTerm TST:0000002", "ontologyTerm NCIT:C20197"} {
		if !all[term] {
			t.Errorf("/filtering_terms lacks %s", term)
		}
	}
	for _, c := range []struct {
		uri  string
		got  map[string]bool
		want []string
		not  []string
	}{
		{"/datasets/FIXTURE/filtering_terms", fx,
			[]string{"alphanumeric libraryStrategy", "ontologyTerm TST:0000002", "ontologyTerm NCIT:C20197"},
			[]string{"alphanumeric karyotypicSex"}},
		{"/datasets/OTHER/filtering_terms", ot,
			[]string{"alphanumeric karyotypicSex", "ontologyTerm NCIT:C20197"},
			[]string{"alphanumeric libraryStrategy", "ontologyTerm TST:0000002", "ontologyTerm NCIT:C16576"}},
	} {
		for _, term := range c.want {
			if !c.got[term] {
				t.Errorf("%s lacks %s", c.uri, term)
			}
		}
		for _, term := range c.not {
			if c.got[term] {
				t.Errorf("%s lists %s, which no record of that dataset holds", c.uri, term)
			}
		}
	}
}
