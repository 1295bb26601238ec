package api

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/internal/schematest"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
	"github.com/bitbeacon/bitbeacon/internal/testserver"
	"github.com/bitbeacon/bitbeacon/popgen"
)

// The API tests run real releases: the CINECA UK1 cohort from ../shared and the generated
// demo. Each is ingested once per test process into a temporary directory.

const cinecaDataset = testenv.CINECADataset

func TestMain(m *testing.M) { testserver.Main(m) }

// testRelease returns the release root of a named test dataset ("cineca", "cineca-vcf",
// "fixture", "multi", "mixed", "paths-bff", "paths-vcf", "effects-vcf", "effects-bff",
// "labels" or "demo").
func testRelease(t testing.TB, name string) string {
	return testserver.Release(t, name, func(root string) (string, error) {
		var opts ingest.Options
		var inputs []string
		switch name {
		case "cineca":
			opts = ingest.Options{DatasetID: cinecaDataset, Assembly: "GRCh37"}
			inputs = testenv.CINECAInputs(t)
		case "fixture":
			opts = ingest.Options{DatasetID: "FIXTURE", Assembly: "GRCh38"}
			inputs = testserver.FixtureInputs(t)
		case "multi":
			// Two datasets in one release: the fixture ingested twice into the same root,
			// as FIXTURE and then as FIXTURE_B (the second run keeps the first dataset).
			inputs = testserver.FixtureInputs(t)
			first := ingest.Options{DatasetID: "FIXTURE", Assembly: "GRCh38", Out: filepath.Join(root, "release")}
			if _, err := ingest.Run(context.Background(), first, inputs); err != nil {
				return "", err
			}
			opts = ingest.Options{DatasetID: "FIXTURE_B", Assembly: "GRCh38"}
		case "mixed":
			// Two datasets that differ: the fixture as FIXTURE, then the effects cohort's BFF
			// as EFFECTS into the same root, so that a query can hit one and miss the other.
			first := ingest.Options{DatasetID: "FIXTURE", Assembly: "GRCh38", Out: filepath.Join(root, "release")}
			if _, err := ingest.Run(context.Background(), first, testserver.FixtureInputs(t)); err != nil {
				return "", err
			}
			opts = ingest.Options{DatasetID: "EFFECTS", Assembly: "GRCh37"}
			inputs = effectsInputs(t, "genomicVariations.json")
		case "paths-bff", "paths-vcf":
			// testdata/fixture as FIXTURE, then testdata/paths as PATHS (its variants from the
			// VCF or from the BFF twin) into the same root: two datasets, two cohorts.
			first := ingest.Options{DatasetID: "FIXTURE", Assembly: "GRCh38", Out: filepath.Join(root, "release")}
			if _, err := ingest.Run(context.Background(), first, testserver.FixtureInputs(t)); err != nil {
				return "", err
			}
			opts = ingest.Options{DatasetID: "PATHS", Assembly: "GRCh38"}
			variants := "variants.vcf"
			if name == "paths-bff" {
				variants = "genomicVariations.json"
			}
			fx := filepath.Join(testenv.RepoRoot(t), "testdata", "paths")
			for _, f := range []string{"individuals.json", "biosamples.json", "runs.json", "analyses.json", "cohorts.json", "datasets.json", variants} {
				inputs = append(inputs, filepath.Join(fx, f))
			}
		case "effects-vcf", "effects-bff":
			// The same six annotated variants from a VCF or from its BFF twin.
			opts = ingest.Options{DatasetID: "EFFECTS", Assembly: "GRCh37"}
			variants := "variants.vcf"
			if name == "effects-bff" {
				variants = "genomicVariations.json"
			}
			inputs = effectsInputs(t, variants)
		case "labels":
			// Individuals with labelled ontology-term fields, measures and ages (issue 9 §3).
			opts = ingest.Options{DatasetID: "LABELS", Assembly: "GRCh38"}
			fx := filepath.Join(testenv.RepoRoot(t), "testdata", "labels")
			for _, f := range []string{"individuals.json", "biosamples.json", "datasets.json", "cohorts.json"} {
				inputs = append(inputs, filepath.Join(fx, f))
			}
		case "cineca-vcf":
			// The CINECA cohort with its variants from the annotated VCF instead of the BFF.
			opts = ingest.Options{DatasetID: cinecaDataset, Assembly: "GRCh37"}
			for _, in := range testenv.CINECAInputs(t) {
				if strings.HasSuffix(in, ".genomicVariations.bff.json.gz") {
					in = strings.TrimSuffix(in, ".genomicVariations.bff.json.gz") + ".fully_annotated.vcf.gz"
				}
				inputs = append(inputs, in)
			}
		case "demo":
			return testserver.Popgen(t, "demo-popgen", popgen.Demo()), nil
		default:
			t.Fatalf("no test release %q", name)
		}
		opts.Out = filepath.Join(root, "release")
		_, err := ingest.Run(context.Background(), opts, inputs)
		return opts.Out, err
	})
}

// effectsInputs lists the files of testdata/effects, with its variants from the named file.
func effectsInputs(t testing.TB, variants string) []string {
	fx := filepath.Join(testenv.RepoRoot(t), "testdata", "effects")
	var in []string
	for _, f := range []string{"individuals.json", "biosamples.json", "datasets.json", variants} {
		in = append(in, filepath.Join(fx, f))
	}
	return in
}

// testHandler returns a handler over a named test release with the default configuration.
func testHandler(t testing.TB, name string) fasthttp.RequestHandler {
	cfg := DefaultConfig()
	return testHandlerWith(t, name, &cfg)
}

// testHandlerWith serves a named test release with cfg, validated (and so normalised) the
// way LoadConfig does it.
func testHandlerWith(t testing.TB, name string, cfg *Config) fasthttp.RequestHandler {
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.NewEngine(testRelease(t, name), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return NewServer(eng, cfg, nil).Handler()
}

// do runs one request through the handler in process.
func do(h fasthttp.RequestHandler, method, uri string, body []byte) (int, []byte) {
	return doBearer(h, method, uri, body, "")
}

// doBearer is do with an Authorization: Bearer token (none when token is empty).
func doBearer(h fasthttp.RequestHandler, method, uri string, body []byte, token string) (int, []byte) {
	var ctx fasthttp.RequestCtx
	if token != "" {
		ctx.Request.Header.Set("Authorization", "Bearer "+token)
	}
	ctx.Request.Header.SetMethod(method)
	ctx.Request.SetRequestURI(uri)
	if body != nil {
		ctx.Request.Header.SetContentType("application/json")
		ctx.Request.SetBody(body)
	}
	h(&ctx)
	return ctx.Response.StatusCode(), append([]byte(nil), ctx.Response.Body()...)
}

// summary is the part of a data response most tests look at.
type summary struct {
	Meta struct {
		ReturnedGranularity string `json:"returnedGranularity"`
	} `json:"meta"`
	ResponseSummary struct {
		Exists          bool    `json:"exists"`
		NumTotalResults *uint64 `json:"numTotalResults"`
		CountPrecision  string  `json:"countPrecision"`
		CountAdjustedTo []any   `json:"countAdjustedTo"`
	} `json:"responseSummary"`
	Response struct {
		ResultSets []struct {
			ID             string            `json:"id"`
			Exists         bool              `json:"exists"`
			ResultsCount   uint64            `json:"resultsCount"`
			CountPrecision string            `json:"countPrecision"`
			Results        []json.RawMessage `json:"results"`
		} `json:"resultSets"`
		Collections []json.RawMessage `json:"collections"`
	} `json:"response"`
	Info struct {
		Warnings []string `json:"warnings"`
	} `json:"info"`
	Error *struct {
		ErrorCode    int    `json:"errorCode"`
		ErrorMessage string `json:"errorMessage"`
	} `json:"error"`
}

// query runs a data request, checks the status, validates the body against the official
// schemas and decodes its summary.
func query(t *testing.T, h fasthttp.RequestHandler, method, uri string, body []byte, wantStatus int) summary {
	t.Helper()
	return queryBearer(t, h, method, uri, body, "", wantStatus)
}

// queryBearer is query with a bearer token.
func queryBearer(t *testing.T, h fasthttp.RequestHandler, method, uri string, body []byte, token string, wantStatus int) summary {
	t.Helper()
	status, out := doBearer(h, method, uri, body, token)
	if status != wantStatus {
		t.Fatalf("%s %s: status %d, want %d: %s", method, uri, status, wantStatus, out)
	}
	return dataSummary(t, method, uri, out)
}

// dataSummary validates a data response body against the official schemas and decodes its
// summary.
func dataSummary(t *testing.T, method, uri string, out []byte) summary {
	t.Helper()
	var s summary
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v: %s", method, uri, err, out)
	}
	r := ParseRoute(pathOf(uri))
	entity := string(r.Target())
	collection := r.Collections()
	if err := schematest.For(t).Response("data", entity, collection, out); err != nil {
		t.Fatalf("%s %s: response does not validate: %v\n%s", method, uri, err, truncate(out))
	}
	return s
}

func pathOf(uri string) string {
	for i := 0; i < len(uri); i++ {
		if uri[i] == '?' {
			return uri[:i]
		}
	}
	return uri
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "..."
	}
	return string(b)
}
