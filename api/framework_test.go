package api

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/internal/schematest"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
	"github.com/bitbeacon/bitbeacon/release"
)

// defaultModelRelated is every cross-entry endpoint of the default model's map,
// https://github.com/ga4gh-beacon/beacon-v2/blob/v2.1.1/models/json/beacon-v2-default-model/beaconMap.json.
var defaultModelRelated = map[string][]string{
	"analyses":    {"g_variants"},
	"biosamples":  {"analyses", "g_variants", "runs"},
	"cohorts":     {"analyses", "biosamples", "g_variants", "individuals", "runs"},
	"datasets":    {"analyses", "biosamples", "g_variants", "individuals", "runs"},
	"g_variants":  {"analyses", "biosamples", "individuals", "runs"},
	"individuals": {"analyses", "biosamples", "g_variants", "runs"},
	"runs":        {"analyses", "g_variants"},
}

// fullConfig sets every optional field.
func fullTestConfig(t *testing.T) *Config {
	t.Helper()
	c, err := LoadConfig(writeConfigFile(t, `
beaconId: org.example.beacon
name: Example beacon
description: An example
version: 1.2.3
environment: staging
welcomeUrl: https://example.org/
alternativeUrl: https://example.org/alt
createDateTime: "2024-01-31"
updateDateTime: 2024-02-01T10:00:00Z
baseUrl: https://beacon.example.org/api/
organization:
  id: org.example
  name: Example Org
  description: We do things
  address: 1 Road
  welcomeUrl: https://example.org
  contactUrl: mailto:beacon@example.org
  logoUrl: https://example.org/logo.png
serviceInfo:
  documentationUrl: https://docs.example.org
granularity: {default: count}
datasets:
  d1: {securityLevel: REGISTERED}
  d2: {securityLevel: CONTROLLED}
nonFilteredQueriesAllowed: false
`))
	if err != nil {
		t.Fatal(err)
	}
	return &c
}

func decodeObj(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b)
	}
	return m
}

// path walks decoded JSON by object keys.
func jsonAt(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("no object at %q", k)
		}
		if v, ok = m[k]; !ok {
			t.Fatalf("missing key %q", strings.Join(keys, "."))
		}
	}
	return v
}

func TestEntryTypes(t *testing.T) {
	if len(EntryTypes) != len(release.Entities) {
		t.Fatalf("%d entry types for %d entities", len(EntryTypes), len(release.Entities))
	}
	want := map[release.Entity][3]string{ // id, path, ontology id, as models/json/beacon-v2-default-model/beaconConfiguration.json gives them
		release.Individual:       {"individual", "individuals", "NCIT:C25190"},
		release.Biosample:        {"biosample", "biosamples", "NCIT:C70699"},
		release.Run:              {"run", "runs", "NCIT:C148088"},
		release.Analysis:         {"analysis", "analyses", "edam:operation_2945"},
		release.GenomicVariation: {"genomicVariant", "g_variants", "ENSGLOSSARY:0000092"},
		release.Dataset:          {"dataset", "datasets", "NCIT:C47824"},
		release.Cohort:           {"cohort", "cohorts", "NCIT:C61512"},
	}
	schemas := testenv.SchemaDir(t)
	for i, e := range release.Entities {
		et := EntryTypes[i]
		if et.Entity != e {
			t.Errorf("EntryTypes[%d] is %s, want %s (release.Entities order)", i, et.Entity, e)
		}
		w := want[e]
		if et.ID != w[0] || et.PathSegment != w[1] || et.OntologyID != w[2] || et.Name == "" || et.OntologyLabel == "" ||
			et.DefaultSchemaName == "" || et.DefaultSchemaTitle == "" || et.IDParam == "" {
			t.Errorf("%s: %+v", e, et)
		}
		if got := EntryTypeByEntity(e); !reflect.DeepEqual(got, et) {
			t.Errorf("EntryTypeByEntity(%s) = %+v", e, got)
		}
		if got, ok := EntryTypeByPath(et.PathSegment); !ok || !reflect.DeepEqual(got, et) {
			t.Errorf("EntryTypeByPath(%s) = %+v, %v", et.PathSegment, got, ok)
		}
		// The schema URL names a file of the official repository.
		rel := strings.TrimPrefix(et.SchemaURL(), SpecSchemaBase)
		if _, err := os.Stat(filepath.Join(schemas, rel)); err != nil {
			t.Errorf("%s: schema URL %s: %v", e, et.SchemaURL(), err)
		}
		if et.IsCollection() != (e == release.Dataset || e == release.Cohort) {
			t.Errorf("%s: IsCollection = %v", e, et.IsCollection())
		}
	}
	if _, ok := EntryTypeByPath("genomicVariations"); ok {
		t.Error("EntryTypeByPath accepts a schema dir")
	}
	if got := EntryTypeByEntity("nope"); got.ID != "" {
		t.Errorf("EntryTypeByEntity(nope) = %+v", got)
	}
	if EntryTypeByEntity(release.GenomicVariation).IDParam != "variantInternalId" {
		t.Error("g_variants single-entry template variable must be variantInternalId")
	}
}

func TestFrameworkResponsesValidate(t *testing.T) {
	v := schematest.For(t)
	def := DefaultConfig()
	for name, c := range map[string]*Config{"default": &def, "full": fullTestConfig(t)} {
		for _, tc := range []struct {
			kind string
			body []byte
		}{
			{schematest.KindInfo, InfoResponse(c, "", "")},
			{schematest.KindInfo, InfoResponse(c, "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z")},
			{schematest.KindServiceInfo, ServiceInfoResponse(c)},
			{schematest.KindConfiguration, ConfigurationResponse(c)},
			{schematest.KindEntryTypes, EntryTypesResponse(c)},
			{schematest.KindMap, MapResponse(c, nil)},
			{schematest.KindMap, MapResponse(c, defaultModelRelated)},
		} {
			if err := v.Response(tc.kind, "", false, tc.body); err != nil {
				t.Errorf("%s config, %s: %v\n%s", name, tc.kind, err, tc.body)
			}
		}
	}
}

func TestInfoResponse(t *testing.T) {
	c := fullTestConfig(t)
	m := decodeObj(t, InfoResponse(c, "", "2025-01-01T00:00:00Z"))
	meta := jsonAt(t, m, "meta").(map[string]any)
	if meta["beaconId"] != "org.example.beacon" || meta["apiVersion"] != "v2.0.0" {
		t.Errorf("meta %v", meta)
	}
	if rs := meta["returnedSchemas"].([]any); len(rs) != 1 || rs[0].(map[string]any)["schema"] != "beacon-info-v2.0.0" {
		t.Errorf("returnedSchemas %v", rs)
	}
	r := jsonAt(t, m, "response").(map[string]any)
	want := map[string]any{
		"id": "org.example.beacon", "name": "Example beacon", "apiVersion": "v2.0.0", "environment": "staging",
		"description": "An example", "version": "1.2.3", "welcomeUrl": "https://example.org/",
		"alternativeUrl": "https://example.org/alt", "createDateTime": "2024-01-31", "updateDateTime": "2025-01-01T00:00:00Z",
		"organization": map[string]any{"id": "org.example", "name": "Example Org", "description": "We do things",
			"address": "1 Road", "welcomeUrl": "https://example.org", "contactUrl": "mailto:beacon@example.org",
			"logoUrl": "https://example.org/logo.png"},
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("response:\n got %v\nwant %v", r, want)
	}
	// Defaults: no optional empty strings.
	def := DefaultConfig()
	r = jsonAt(t, decodeObj(t, InfoResponse(&def, "", "")), "response").(map[string]any)
	for _, k := range []string{"welcomeUrl", "alternativeUrl", "createDateTime", "updateDateTime"} {
		if _, ok := r[k]; ok {
			t.Errorf("empty %s emitted", k)
		}
	}
}

func TestServiceInfoResponse(t *testing.T) {
	c := fullTestConfig(t)
	m := decodeObj(t, ServiceInfoResponse(c))
	want := map[string]any{
		"id": "org.example.beacon", "name": "Example beacon", "description": "An example", "version": "1.2.3",
		"type":         map[string]any{"group": "org.ga4gh", "artifact": "beacon", "version": "v2.0.0"},
		"organization": map[string]any{"name": "Example Org", "url": "https://example.org"},
		"contactUrl":   "mailto:beacon@example.org", "documentationUrl": "https://docs.example.org",
		"createdAt": "2024-01-31T00:00:00Z", "updatedAt": "2024-02-01T10:00:00Z", "environment": "staging",
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got  %v\nwant %v", m, want)
	}
	def := DefaultConfig()
	m = decodeObj(t, ServiceInfoResponse(&def))
	if jsonAt(t, m, "organization", "url") != "http://127.0.0.1:5050" {
		t.Errorf("organization.url falls back to baseUrl: %v", m["organization"])
	}
	if _, ok := m["meta"]; ok {
		t.Error("service-info must be bare")
	}
}

func TestConfigurationResponse(t *testing.T) {
	c := fullTestConfig(t)
	r := jsonAt(t, decodeObj(t, ConfigurationResponse(c)), "response").(map[string]any)
	if r["$schema"] != ConfigurationSchemaURL {
		t.Errorf("$schema %v", r["$schema"])
	}
	if jsonAt(t, r, "maturityAttributes", "productionStatus") != "TEST" {
		t.Errorf("maturity %v", r["maturityAttributes"])
	}
	sec := jsonAt(t, r, "securityAttributes").(map[string]any)
	if sec["defaultGranularity"] != "count" || !reflect.DeepEqual(sec["securityLevels"], []any{"REGISTERED", "CONTROLLED"}) {
		t.Errorf("security %v", sec)
	}
	ets := jsonAt(t, r, "entryTypes").(map[string]any)
	if len(ets) != 7 {
		t.Fatalf("%d entry types", len(ets))
	}
	ind := ets["individual"].(map[string]any)
	want := map[string]any{
		"id": "individual", "name": "Individual", "description": EntryTypes[0].Description,
		"ontologyTermForThisType": map[string]any{"id": "NCIT:C25190", "label": "Person"},
		"partOfSpecification":     "Beacon v2.0.0",
		"defaultSchema": map[string]any{"id": "beacon-individual-v2.0.0", "name": "Default schema for an individual",
			"referenceToSchemaDefinition": "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/models/json/beacon-v2-default-model/individuals/defaultSchema.json",
			"schemaVersion":               "v2.0.0"},
		"additionallySupportedSchemas": []any{},
		"nonFilteredQueriesAllowed":    false,
	}
	if !reflect.DeepEqual(ind, want) {
		t.Errorf("individual:\n got %v\nwant %v", ind, want)
	}
	if got := jsonAt(t, ets, "cohort", "aCollectionOf"); !reflect.DeepEqual(got, []any{map[string]any{"id": "individual", "name": "Individual"}}) {
		t.Errorf("cohort aCollectionOf %v", got)
	}
	if got := jsonAt(t, ets, "dataset", "aCollectionOf"); !reflect.DeepEqual(got, []any{map[string]any{"id": "genomicVariant", "name": "Genomic Variants"}}) {
		t.Errorf("dataset aCollectionOf %v", got)
	}
	// entryTypes keeps EntryTypes order in the body.
	body := string(ConfigurationResponse(c))
	last := -1
	for _, e := range EntryTypes {
		i := strings.Index(body, `"`+e.ID+`":{"id"`)
		if i < last {
			t.Errorf("%s out of order", e.ID)
		}
		last = i
	}
	// /entry_types holds the same dictionary.
	et := jsonAt(t, decodeObj(t, EntryTypesResponse(c)), "response").(map[string]any)
	if !reflect.DeepEqual(et["entryTypes"], r["entryTypes"]) {
		t.Error("/entry_types and /configuration entryTypes differ")
	}
}

func TestMapResponse(t *testing.T) {
	c := fullTestConfig(t)
	r := jsonAt(t, decodeObj(t, MapResponse(c, defaultModelRelated)), "response").(map[string]any)
	if r["$schema"] != MapSchemaURL {
		t.Errorf("$schema %v", r["$schema"])
	}
	sets := jsonAt(t, r, "endpointSets").(map[string]any)
	if len(sets) != 7 {
		t.Fatalf("%d endpoint sets", len(sets))
	}
	ids := map[string]bool{}
	for _, e := range EntryTypes {
		ids[e.ID] = true
	}
	nEndpoints := 0
	for key, s := range sets {
		set := s.(map[string]any)
		et, ok := entryTypeByID(set["entryType"].(string))
		if !ok || key != et.ID+"Endpoints" {
			t.Errorf("set %s: entryType %v", key, set["entryType"])
			continue
		}
		root := set["rootUrl"].(string)
		if u, err := url.Parse(root); err != nil || !u.IsAbs() || root != "https://beacon.example.org/api/"+et.PathSegment {
			t.Errorf("%s rootUrl %q", key, root)
		}
		if set["singleEntryUrl"] != root+"/{"+et.IDParam+"}" || set["filteringTermsUrl"] != "https://beacon.example.org/api/filtering_terms" {
			t.Errorf("%s: %v", key, set)
		}
		eps, _ := set["endpoints"].(map[string]any)
		if len(eps) != len(defaultModelRelated[et.PathSegment]) {
			t.Errorf("%s: %d endpoints", key, len(eps))
		}
		for name, ep := range eps {
			nEndpoints++
			ret := ep.(map[string]any)["returnedEntryType"].(string)
			target, _ := entryTypeByID(ret)
			if !ids[ret] || name != ret+"Lookup" {
				t.Errorf("%s.%s: returnedEntryType %q", key, name, ret)
			}
			if want := root + "/{" + et.IDParam + "}/" + target.PathSegment; ep.(map[string]any)["url"] != want {
				t.Errorf("%s.%s: url %v, want %s", key, name, ep.(map[string]any)["url"], want)
			}
		}
	}
	if nEndpoints != 24 {
		t.Errorf("%d related endpoints, want the default model's 24", nEndpoints)
	}
	gv := jsonAt(t, sets, "genomicVariantEndpoints", "endpoints", "individualLookup", "url")
	if gv != "https://beacon.example.org/api/g_variants/{variantInternalId}/individuals" {
		t.Errorf("g_variants related url %v", gv)
	}
	// No related endpoints: no "endpoints" key; unknown segments and duplicates are ignored.
	sets = jsonAt(t, decodeObj(t, MapResponse(c, map[string][]string{"individuals": {"nope", "runs", "runs"}, "nope": {"runs"}})), "response", "endpointSets").(map[string]any)
	if eps := jsonAt(t, sets, "individualEndpoints", "endpoints").(map[string]any); len(eps) != 1 {
		t.Errorf("individual endpoints %v", eps)
	}
	if _, ok := sets["runEndpoints"].(map[string]any)["endpoints"]; ok {
		t.Error("empty endpoints emitted")
	}
}
