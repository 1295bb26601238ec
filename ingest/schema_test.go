package ingest

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaLoader serves the Beacon v2 and VRS 1.3 schemas from the shared copy, their $ref URLs
// mapped to its files as internal/schematest maps them, including the fix for the missing
// models common/info.json.
type schemaLoader struct{ base string }

func (l schemaLoader) Load(u string) (any, error) {
	var p string
	switch {
	case strings.HasPrefix(u, "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/"):
		p = filepath.Join(l.base, strings.TrimPrefix(u, "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/"))
	case strings.HasPrefix(u, "https://w3id.org/ga4gh/schema/vrs/1.3/vrs.json"):
		p = filepath.Join(l.base, "external/vrs-1.3.0/schema/vrs.json")
	case strings.HasPrefix(u, "file://"):
		pu, err := url.Parse(u)
		if err != nil {
			return nil, err
		}
		p = pu.Path
	default:
		return nil, fmt.Errorf("no offline copy of %s", u)
	}
	if strings.HasSuffix(p, filepath.FromSlash("models/json/beacon-v2-default-model/common/info.json")) {
		p = filepath.Join(l.base, "framework/json/common/info.json")
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

var schemaDirs = map[release.Entity]string{
	release.Individual: "individuals", release.Biosample: "biosamples", release.Run: "runs",
	release.Analysis: "analyses", release.Cohort: "cohorts", release.Dataset: "datasets",
	release.GenomicVariation: "genomicVariations",
}

// recordSchemas compiles the default-model record schema of every entity.
func recordSchemas(t testing.TB) map[release.Entity]*jsonschema.Schema {
	t.Helper()
	base := filepath.Join(sharedDir(t), "beacon-v2")
	c := jsonschema.NewCompiler()
	c.UseLoader(schemaLoader{base: base})
	out := map[release.Entity]*jsonschema.Schema{}
	for e, dir := range schemaDirs {
		p := filepath.Join(base, "models/json/beacon-v2-default-model", dir, "defaultSchema.json")
		s, err := c.Compile("file://" + filepath.ToSlash(p))
		if err != nil {
			t.Fatalf("compile %s: %v", p, err)
		}
		out[e] = s
	}
	return out
}

// validateJSON reports whether a stored record validates against its schema.
func validateJSON(s *jsonschema.Schema, doc []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return s.Validate(v)
}
