package schematest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/internal/testenv"
)

// Hand-written minimal valid documents, written from the schemas (several official examples,
// e.g. https://github.com/ga4gh-beacon/beacon-v2/blob/v2.1.1/framework/json/responses/examples-fullDocuments, fail them).

// dataMeta is a full beaconResponseMeta; %s = returnedGranularity.
const dataMeta = `{
	"beaconId": "org.example.beacon",
	"apiVersion": "v2.0.0",
	"returnedSchemas": [{"entityType": "individual", "schema": "beacon-individual-v2.0.0"}],
	"returnedGranularity": %q,
	"testMode": false,
	"receivedRequestSummary": {
		"apiVersion": "v2.0.0",
		"requestedSchemas": [],
		"pagination": {"skip": 0, "limit": 10},
		"requestedGranularity": "record",
		"filters": ["NCIT:C16576"],
		"requestParameters": {"g_variant": {"referenceName": "22", "start": [16050074]}},
		"includeResultsetResponses": "HIT",
		"testMode": false
	}
}`

// infoMeta is a beaconInformationalResponseMeta.
const infoMeta = `{"beaconId": "org.example.beacon", "apiVersion": "v2.0.0", "returnedSchemas": []}`

const individualRecord = `{"id": "X", "sex": {"id": "NCIT:C16576", "label": "female"}}`

// legacySNV is a genomicVariation with a LegacyVariation
// (https://github.com/ga4gh-beacon/beacon-v2/blob/v2.1.1/models/json/beacon-v2-default-model/genomicVariations/defaultSchema.json).
const legacySNV = `{
	"variantInternalId": "chr17_7577121_G_A",
	"variation": {
		"variantType": "SNP",
		"referenceBases": "G",
		"alternateBases": "A",
		"location": {
			"type": "SequenceLocation",
			"sequence_id": "refseq:NC_000017.11",
			"interval": {
				"type": "SequenceInterval",
				"start": {"type": "Number", "value": 7577120},
				"end": {"type": "Number", "value": 7577121}
			}
		}
	},
	"identifiers": {"genomicHGVSId": "NC_000017.11:g.7577121G>A"},
	"caseLevelData": [{"biosampleId": "HG00096", "zygosity": {"id": "GENO:0000458", "label": "simple heterozygous"}}]
}`

// vrsAllele is a genomicVariation with a VRS 1.3 Allele (draft-07 schema).
const vrsAllele = `{
	"variantInternalId": "v2",
	"variation": {
		"type": "Allele",
		"location": {
			"type": "SequenceLocation",
			"sequence_id": "refseq:NC_000017.11",
			"interval": {"type": "SequenceInterval", "start": {"type": "Number", "value": 7577120}, "end": {"type": "Number", "value": 7577121}}
		},
		"state": {"type": "LiteralSequenceExpression", "sequence": "A"}
	}
}`

var (
	booleanResponse = `{"meta": ` + fmt.Sprintf(dataMeta, "boolean") + `, "responseSummary": {"exists": true}}`
	countResponse   = `{"meta": ` + fmt.Sprintf(dataMeta, "count") + `, "responseSummary": {"exists": true, "numTotalResults": 1}}`

	resultsetsResponse = `{
		"meta": ` + fmt.Sprintf(dataMeta, "record") + `,
		"responseSummary": {"exists": true, "numTotalResults": 1},
		"response": {"resultSets": [{
			"id": "ds1", "setType": "dataset", "exists": true, "resultsCount": 1,
			"results": [` + individualRecord + `],
			"resultsHandovers": [{"handoverType": {"id": "EDAM:3016", "label": "VCF"}, "url": "https://beacon.example.org/files/ds1.vcf.gz"}]
		}]},
		"beaconHandovers": [],
		"info": {}
	}`

	variantResultsetsResponse = `{
		"meta": ` + fmt.Sprintf(dataMeta, "record") + `,
		"responseSummary": {"exists": true, "numTotalResults": 2},
		"response": {"resultSets": [{
			"id": "ds1", "setType": "dataset", "exists": true, "resultsCount": 2,
			"results": [` + legacySNV + `, ` + vrsAllele + `]
		}]}
	}`

	collectionsResponse = `{
		"meta": ` + fmt.Sprintf(dataMeta, "record") + `,
		"responseSummary": {"exists": true, "numTotalResults": 1},
		"response": {"collections": [{"id": "d", "name": "D"}]}
	}`

	errorResponse = `{"meta": ` + fmt.Sprintf(dataMeta, "boolean") + `, "error": {"errorCode": 400, "errorMessage": "Bad request. Missing parameter 'id'."}}`
)

const infoResponse = `{
	"meta": ` + infoMeta + `,
	"response": {
		"id": "org.example.beacon",
		"name": "Example Beacon",
		"apiVersion": "v2.0.0",
		"environment": "dev",
		"organization": {"id": "EXAMPLE", "name": "Example Org", "welcomeUrl": "https://example.org/"},
		"createDateTime": "2024-01-01",
		"info": {}
	}
}`

const serviceInfoResponse = `{
	"id": "org.example.beacon",
	"name": "Example Beacon",
	"type": {"group": "org.ga4gh", "artifact": "beacon", "version": "v2.0.0"},
	"organization": {"name": "Example Org", "url": "https://example.org/"},
	"contactUrl": "mailto:beacon@example.org",
	"createdAt": "2024-01-01T00:00:00Z",
	"updatedAt": "2024-06-01T12:30:00+02:00",
	"environment": "dev",
	"version": "0.1.0"
}`

const entryTypes = `{
	"individual": {
		"id": "individual",
		"name": "Individual",
		"partOfSpecification": "Beacon v2.0.0",
		"ontologyTermForThisType": {"id": "NCIT:C25190", "label": "Person"},
		"defaultSchema": {
			"id": "ga4gh-beacon-individual-v2.0.0",
			"name": "Default schema for an individual",
			"referenceToSchemaDefinition": "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/models/json/beacon-v2-default-model/individuals/defaultSchema.json",
			"schemaVersion": "v2.0.0"
		},
		"nonFilteredQueriesAllowed": true
	}
}`

const configurationResponse = `{
	"meta": ` + infoMeta + `,
	"response": {
		"$schema": "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/framework/json/configuration/beaconConfigurationSchema.json",
		"maturityAttributes": {"productionStatus": "DEV"},
		"securityAttributes": {"defaultGranularity": "record", "securityLevels": ["PUBLIC"]},
		"entryTypes": ` + entryTypes + `
	}
}`

const entryTypesResponse = `{"meta": ` + infoMeta + `, "response": {"entryTypes": ` + entryTypes + `}}`

const mapResponse = `{
	"meta": ` + infoMeta + `,
	"response": {
		"$schema": "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/framework/json/configuration/beaconMapSchema.json",
		"endpointSets": {
			"individual": {
				"entryType": "individual",
				"rootUrl": "https://beacon.example.org/api/individuals",
				"singleEntryUrl": "https://beacon.example.org/api/individuals/{id}",
				"endpoints": {
					"biosample": {"url": "https://beacon.example.org/api/individuals/{id}/biosamples", "returnedEntryType": "biosample"}
				}
			}
		}
	}
}`

const filteringTermsResponse = `{
	"meta": ` + infoMeta + `,
	"response": {
		"filteringTerms": [
			{"type": "ontologyTerm", "id": "NCIT:C16576", "label": "female", "scopes": ["individual"]},
			{"type": "alphanumeric", "id": "age", "scopes": ["individual"]}
		],
		"resources": [{"id": "NCIT", "name": "NCI Thesaurus", "url": "https://ncit.nci.nih.gov/", "nameSpacePrefix": "NCIT"}]
	}
}`

const requestBody = `{
	"meta": {"apiVersion": "v2.0", "requestedSchemas": [{"entityType": "individual", "schema": "beacon-individual-v2.0.0"}]},
	"query": {
		"filters": [
			{"id": "NCIT:C16576", "includeDescendantTerms": true},
			{"id": "age", "operator": ">", "value": "P40Y"},
			{"id": "custom", "scope": "individual"}
		],
		"requestParameters": {"g_variant": {"referenceName": "22", "start": [16050074], "alternateBases": "G"}},
		"pagination": {"skip": 0, "limit": 10},
		"includeResultsetResponses": "HIT",
		"requestedGranularity": "count",
		"testMode": false
	}
}`

func validator(t *testing.T) *Validator {
	t.Helper()
	return For(t)
}

// TestLoad compiles a fresh (uncached) Validator, logs the compile time, and
// checks the cache.
func TestLoad(t *testing.T) {
	dir := testenv.SchemaDir(t)
	start := time.Now()
	if _, err := compile(dir); err != nil {
		t.Fatalf("compile: %v", err)
	}
	t.Logf("compiling the Beacon v2 schemas took %v", time.Since(start))

	v1, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := Load(dir + string(filepath.Separator) + ".")
	if err != nil {
		t.Fatal(err)
	}
	if v1 != v2 || For(t) != v1 {
		t.Fatal("Load is not cached per directory")
	}
	if v1.Dir() != dir {
		t.Fatalf("Dir() = %s, want %s", v1.Dir(), dir)
	}

	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("Load of a missing folder succeeded")
	}
}

type respCase struct {
	name       string
	kind       string
	entity     string
	collection bool
	body       string
}

func validCases() []respCase {
	return []respCase{
		{"boolean", KindData, "individual", false, booleanResponse},
		{"count", KindData, "individual", false, countResponse},
		{"resultsets", KindData, "individual", false, resultsetsResponse},
		{"resultsets-variants", KindData, "genomicVariation", false, variantResultsetsResponse},
		{"collections", KindData, "dataset", true, collectionsResponse},
		{"collections-boolean", KindData, "dataset", true, booleanResponse},
		{"error", KindError, "", false, errorResponse},
		{"error-via-data", KindData, "individual", false, errorResponse},
		{"info", KindInfo, "", false, infoResponse},
		{"service-info", KindServiceInfo, "", false, serviceInfoResponse},
		{"configuration", KindConfiguration, "", false, configurationResponse},
		{"entry_types", KindEntryTypes, "", false, entryTypesResponse},
		{"map", KindMap, "", false, mapResponse},
		{"filtering_terms", KindFilteringTerms, "", false, filteringTermsResponse},
	}
}

func TestValidResponses(t *testing.T) {
	v := validator(t)
	for _, c := range validCases() {
		t.Run(c.name, func(t *testing.T) {
			if err := v.Response(c.kind, c.entity, c.collection, []byte(c.body)); err != nil {
				t.Fatalf("valid %s response rejected:\n%v", c.name, err)
			}
		})
	}
}

// edit is one change of a JSON document, at a JSON pointer: value is the new
// JSON text, or "" to delete the member.
type edit struct {
	ptr, value string
}

func set(ptr, value string) edit { return edit{ptr, value} }
func del(ptr string) edit        { return edit{ptr, ""} }

// apply returns doc with the edits applied. The parent of every pointer must
// exist (and a deleted member must exist), so a broken variant can never
// silently equal its valid base.
func apply(t *testing.T, doc string, edits ...edit) []byte {
	t.Helper()
	var root any
	if err := json.Unmarshal([]byte(doc), &root); err != nil {
		t.Fatalf("fixture is not JSON: %v", err)
	}
	for _, e := range edits {
		toks := strings.Split(strings.TrimPrefix(e.ptr, "/"), "/")
		parent := root
		for _, tok := range toks[:len(toks)-1] {
			switch p := parent.(type) {
			case map[string]any:
				var ok bool
				if parent, ok = p[tok]; !ok {
					t.Fatalf("edit %s: no member %q", e.ptr, tok)
				}
			case []any:
				i, err := strconv.Atoi(tok)
				if err != nil || i < 0 || i >= len(p) {
					t.Fatalf("edit %s: bad index %q", e.ptr, tok)
				}
				parent = p[i]
			default:
				t.Fatalf("edit %s: %q is inside a scalar", e.ptr, tok)
			}
		}
		last := toks[len(toks)-1]
		var val any
		if e.value != "" {
			if err := json.Unmarshal([]byte(e.value), &val); err != nil {
				t.Fatalf("edit %s: value %q is not JSON: %v", e.ptr, e.value, err)
			}
		}
		switch p := parent.(type) {
		case map[string]any:
			if e.value == "" {
				if _, ok := p[last]; !ok {
					t.Fatalf("edit %s: nothing to delete", e.ptr)
				}
				delete(p, last)
			} else {
				p[last] = val
			}
		case []any:
			i, err := strconv.Atoi(last)
			if err != nil || i < 0 || i >= len(p) || e.value == "" {
				t.Fatalf("edit %s: bad array edit", e.ptr)
			}
			p[i] = val
		default:
			t.Fatalf("edit %s: parent is a scalar", e.ptr)
		}
	}
	b, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBrokenResponses(t *testing.T) {
	v := validator(t)
	cases := []struct {
		respCase
		edits []edit
		// want is a substring the error must contain (the failing
		// instance location or keyword).
		want string
	}{
		{respCase{"error/errorCode-string", KindError, "", false, errorResponse}, []edit{set("/error/errorCode", `"400"`)}, "/error/errorCode"},
		{respCase{"error/errorCode-string-via-data", KindData, "individual", false, errorResponse}, []edit{set("/error/errorCode", `"400"`)}, "/error/errorCode"},
		{respCase{"error/meta-without-granularity", KindError, "", false, errorResponse}, []edit{del("/meta/returnedGranularity")}, "returnedGranularity"},
		{respCase{"error/no-error-object", KindError, "", false, errorResponse}, []edit{del("/error")}, "error"},
		{respCase{"boolean/filters-echo-as-objects", KindData, "individual", false, booleanResponse},
			[]edit{set("/meta/receivedRequestSummary/filters", `[{"id":"NCIT:C16576"}]`)}, "/meta/receivedRequestSummary/filters/0"},
		{respCase{"boolean/flat-requestParameters-echo", KindData, "individual", false, booleanResponse},
			[]edit{set("/meta/receivedRequestSummary/requestParameters", `{"start":[1]}`)}, "/meta/receivedRequestSummary/requestParameters/start"},
		{respCase{"boolean/missing-requestedGranularity", KindData, "individual", false, booleanResponse},
			[]edit{del("/meta/receivedRequestSummary/requestedGranularity")}, "requestedGranularity"},
		{respCase{"boolean/missing-pagination", KindData, "individual", false, booleanResponse},
			[]edit{del("/meta/receivedRequestSummary/pagination")}, "pagination"},
		{respCase{"boolean/negative-limit", KindData, "individual", false, booleanResponse},
			[]edit{set("/meta/receivedRequestSummary/pagination/limit", `-1`)}, "/meta/receivedRequestSummary/pagination/limit"},
		{respCase{"boolean/missing-returnedSchemas", KindData, "individual", false, booleanResponse},
			[]edit{del("/meta/returnedSchemas")}, "returnedSchemas"},
		{respCase{"boolean/missing-exists", KindData, "individual", false, booleanResponse},
			[]edit{del("/responseSummary/exists")}, "exists"},
		{respCase{"count/missing-returnedGranularity", KindData, "individual", false, countResponse},
			[]edit{del("/meta/returnedGranularity")}, "returnedGranularity"},
		{respCase{"count/aggregated-granularity", KindData, "individual", false, countResponse},
			[]edit{set("/meta/returnedGranularity", `"aggregated"`)}, "/meta/returnedGranularity"},
		{respCase{"count/missing-numTotalResults", KindData, "individual", false, countResponse},
			[]edit{del("/responseSummary/numTotalResults")}, "numTotalResults"},
		{respCase{"count/negative-numTotalResults", KindData, "individual", false, countResponse},
			[]edit{set("/responseSummary/numTotalResults", `-1`)}, "/responseSummary/numTotalResults"},
		{respCase{"resultsets/individual-without-sex", KindData, "individual", false, resultsetsResponse},
			[]edit{del("/response/resultSets/0/results/0/sex")}, "/response/resultSets/0/results/0"},
		{respCase{"resultsets/sex-not-a-curie", KindData, "individual", false, resultsetsResponse},
			[]edit{set("/response/resultSets/0/results/0/sex", `{"id":"female"}`)}, "/sex/id"},
		{respCase{"resultsets/missing-resultsCount", KindData, "individual", false, resultsetsResponse},
			[]edit{del("/response/resultSets/0/resultsCount")}, "resultsCount"},
		{respCase{"resultsets/missing-setType", KindData, "individual", false, resultsetsResponse},
			[]edit{del("/response/resultSets/0/setType")}, "setType"},
		{respCase{"resultsets/missing-response", KindData, "individual", false, resultsetsResponse},
			[]edit{del("/response")}, "response"},
		{respCase{"resultsets/handover-relative-url", KindData, "individual", false, resultsetsResponse},
			[]edit{set("/response/resultSets/0/resultsHandovers/0/url", `"/files/ds1.vcf.gz"`)}, "/url"},
		{respCase{"resultsets/collections-shape", KindData, "individual", false, collectionsResponse}, nil, "resultSets"},
		{respCase{"resultsets/variant-without-variation", KindData, "genomicVariation", false, variantResultsetsResponse},
			[]edit{del("/response/resultSets/0/results/0/variation")}, "variation"},
		{respCase{"resultsets/variant-bad-bases", KindData, "genomicVariation", false, variantResultsetsResponse},
			[]edit{set("/response/resultSets/0/results/0/variation/alternateBases", `"X"`)}, "/variation"},
		{respCase{"collections/dataset-without-name", KindData, "dataset", true, collectionsResponse},
			[]edit{del("/response/collections/0/name")}, "/response/collections/0"},
		{respCase{"collections/resultsets-shape", KindData, "dataset", true, resultsetsResponse}, nil, "collections"},
		{respCase{"info/environment-uppercase", KindInfo, "", false, infoResponse}, []edit{set("/response/environment", `"PROD"`)}, "/response/environment"},
		{respCase{"info/missing-organization", KindInfo, "", false, infoResponse}, []edit{del("/response/organization")}, "organization"},
		{respCase{"info/organization-without-id", KindInfo, "", false, infoResponse}, []edit{del("/response/organization/id")}, "/response/organization"},
		{respCase{"info/meta-without-returnedSchemas", KindInfo, "", false, infoResponse}, []edit{del("/meta/returnedSchemas")}, "returnedSchemas"},
		{respCase{"service-info/relative-org-url", KindServiceInfo, "", false, serviceInfoResponse}, []edit{set("/organization/url", `"example.org"`)}, "/organization/url"},
		{respCase{"service-info/bad-createdAt", KindServiceInfo, "", false, serviceInfoResponse}, []edit{set("/createdAt", `"2024-01-01"`)}, "/createdAt"},
		{respCase{"service-info/missing-type", KindServiceInfo, "", false, serviceInfoResponse}, []edit{del("/type")}, "type"},
		{respCase{"configuration/lowercase-productionStatus", KindConfiguration, "", false, configurationResponse},
			[]edit{set("/response/maturityAttributes/productionStatus", `"dev"`)}, "/response/maturityAttributes/productionStatus"},
		{respCase{"configuration/missing-$schema", KindConfiguration, "", false, configurationResponse}, []edit{del("/response/$schema")}, "$schema"},
		{respCase{"configuration/entryType-without-defaultSchema", KindConfiguration, "", false, configurationResponse},
			[]edit{del("/response/entryTypes/individual/defaultSchema")}, "/response/entryTypes/individual"},
		{respCase{"entry_types/empty", KindEntryTypes, "", false, entryTypesResponse}, []edit{set("/response/entryTypes", `{}`)}, "/response/entryTypes"},
		{respCase{"map/relative-rootUrl", KindMap, "", false, mapResponse},
			[]edit{set("/response/endpointSets/individual/rootUrl", `"/api/individuals"`)}, "/response/endpointSets/individual/rootUrl"},
		{respCase{"map/endpoint-without-returnedEntryType", KindMap, "", false, mapResponse},
			[]edit{del("/response/endpointSets/individual/endpoints/biosample/returnedEntryType")}, "returnedEntryType"},
		{respCase{"map/no-endpointSets", KindMap, "", false, mapResponse}, []edit{set("/response/endpointSets", `{}`)}, "/response/endpointSets"},
		{respCase{"filtering_terms/term-without-type", KindFilteringTerms, "", false, filteringTermsResponse},
			[]edit{del("/response/filteringTerms/0/type")}, "/response/filteringTerms/0"},
		{respCase{"filtering_terms/scopes-as-string", KindFilteringTerms, "", false, filteringTermsResponse},
			[]edit{set("/response/filteringTerms/0/scopes", `"individual"`)}, "/response/filteringTerms/0/scopes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := []byte(c.body)
			if len(c.edits) > 0 {
				body = apply(t, c.body, c.edits...)
			}
			err := v.Response(c.kind, c.entity, c.collection, body)
			if err == nil {
				t.Fatalf("broken %s response accepted: %s", c.name, body)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error does not mention %q:\n%v", c.want, err)
			}
			if !strings.Contains(err.Error(), ".json") {
				t.Fatalf("error does not name the schema:\n%v", err)
			}
		})
	}
}

func TestResponseArgumentErrors(t *testing.T) {
	v := validator(t)
	for name, call := range map[string]func() error{
		"unknown kind":        func() error { return v.Response("nope", "", false, []byte(infoResponse)) },
		"unknown entity":      func() error { return v.Response(KindData, "individuals", false, []byte(resultsetsResponse)) },
		"not JSON":            func() error { return v.Response(KindInfo, "", false, []byte(`{"meta":`)) },
		"trailing data":       func() error { return v.Response(KindInfo, "", false, []byte(infoResponse+`{}`)) },
		"record unknown":      func() error { return v.Record("variant", []byte(legacySNV)) },
		"record not JSON":     func() error { return v.Record("individual", []byte(`nope`)) },
		"request not JSON":    func() error { return v.RequestBody([]byte(`[`)) },
		"data not an object":  func() error { return v.Response(KindData, "individual", false, []byte(`[]`)) },
		"info sent for count": func() error { return v.Response(KindData, "individual", false, []byte(infoResponse)) },
	} {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestRecords(t *testing.T) {
	v := validator(t)
	valid := []struct{ entity, record string }{
		{"individual", individualRecord},
		// "info" resolves to the missing models/.../common/info.json
		// (upstream bug), served from framework/json/common/info.json.
		{"individual", `{"id":"X","sex":{"id":"NCIT:C16576","label":"female"},"info":{}}`},
		{"individual", `{"id":"X","sex":{"id":"NCIT:C20197"},"diseases":[{"diseaseCode":{"id":"ICD10:C50"},"ageOfOnset":{"iso8601duration":"P40Y"}}]}`},
		{"biosample", `{"id":"B","biosampleStatus":{"id":"EFO:0009654"},"sampleOriginType":{"id":"OBI:0001479"},"collectionDate":"2021-10-17","info":{"x":1}}`},
		{"run", `{"id":"R","biosampleId":"B","runDate":"2021-10-18","info":{}}`},
		{"analysis", `{"id":"A","analysisDate":"2021-10-17","pipelineName":"p","info":{}}`},
		{"dataset", `{"id":"d","name":"D","createDateTime":"2024-01-01T00:00:00Z","info":{}}`},
		{"cohort", `{"id":"c","name":"C","cohortType":"study-defined"}`},
		{"genomicVariation", legacySNV},
		{"genomicVariation", vrsAllele},
	}
	for i, c := range valid {
		if err := v.Record(c.entity, []byte(c.record)); err != nil {
			t.Errorf("valid #%d %s rejected:\n%v", i, c.entity, err)
		}
	}
	invalid := []struct{ entity, record, want string }{
		{"individual", `{"id":"X"}`, "sex"},
		{"individual", `{"id":"X","sex":"female"}`, "/sex"},
		{"individual", `{"id":"X","sex":{"id":"X:1"}}`, "/sex/id"}, // CURIE prefix needs >= 2 chars
		{"individual", `{"id":"X","sex":{"id":"NCIT:C16576"},"info":"text"}`, "/info"},
		{"individual", `{"id":"X","sex":{"id":"NCIT:C16576"},"diseases":[{"diseaseCode":{"id":"ICD10:C50"},"ageOfOnset":"P40Y"}]}`, "/diseases/0/ageOfOnset"},
		{"biosample", `{"id":"B","biosampleStatus":{"id":"EFO:0009654"},"sampleOriginType":{"id":"OBI:0001479"},"collectionDate":"17/10/2021"}`, "/collectionDate"},
		{"run", `{"id":"R","biosampleId":"B"}`, "runDate"},
		{"analysis", `{"id":"A","analysisDate":"2021-10-17"}`, "pipelineName"},
		{"dataset", `{"id":"d"}`, "name"},
		{"dataset", `{"id":"d","name":"D","updateDateTime":"v1.0"}`, "/updateDateTime"},
		{"cohort", `{"id":"c","name":"C","cohortType":"other"}`, "/cohortType"},
		{"genomicVariation", `{"variantInternalId":"v"}`, "variation"},
		{"genomicVariation", `{"variation":{"variantType":"SNP","alternateBases":"A","location":{"type":"SequenceLocation","sequence_id":"refseq:NC_000017.11","interval":{"type":"SequenceInterval","start":{"type":"Number","value":1},"end":{"type":"Number","value":2}}}}}`, "variantInternalId"},
		// interval without "type" (the upstream docs' CNV example mistake).
		{"genomicVariation", `{"variantInternalId":"v","variation":{"variantType":"SNP","alternateBases":"A","location":{"type":"SequenceLocation","sequence_id":"refseq:NC_000017.11","interval":{"start":{"type":"Number","value":1},"end":{"type":"Number","value":2}}}}}`, "/variation"},
		{"genomicVariation", `{"variantInternalId":"v","variation":{"variantType":"SNP","alternateBases":"A","location":{"type":"SequenceLocation","sequence_id":"refseq:NC_000017.11","interval":{"type":"SequenceInterval","start":{"type":"Number","value":1},"end":{"type":"Number","value":2}}}},"identifiers":{"variantAlternativeIds":["rs123"]}}`, "/identifiers/variantAlternativeIds/0"},
	}
	for i, c := range invalid {
		err := v.Record(c.entity, []byte(c.record))
		if err == nil {
			t.Errorf("invalid #%d %s accepted: %s", i, c.entity, c.record)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("invalid #%d %s: error does not mention %q:\n%v", i, c.entity, c.want, err)
		}
	}
}

func TestRequestBody(t *testing.T) {
	v := validator(t)
	for _, body := range []string{requestBody, `{"meta":{"apiVersion":"v2.0.0"}}`} {
		if err := v.RequestBody([]byte(body)); err != nil {
			t.Errorf("valid request body rejected:\n%v", err)
		}
	}
	for name, b := range map[string][]byte{
		"no meta":            apply(t, requestBody, del("/meta")),
		"no apiVersion":      apply(t, requestBody, del("/meta/apiVersion")),
		"filters as strings": apply(t, requestBody, set("/query/filters", `["NCIT:C16576"]`)),
		"bad granularity":    apply(t, requestBody, set("/query/requestedGranularity", `"all"`)),
		"flat params":        apply(t, requestBody, set("/query/requestParameters", `{"start":[1]}`)),
		"bad include":        apply(t, requestBody, set("/query/includeResultsetResponses", `"SOME"`)),
		// Filter items are anyOf(Ontology, Alphanumeric, Custom) and
		// CustomFilter needs only "id", so a bad "similarity" or "operator"
		// still validates; a filter without "id" does not.
		"filter without id":   apply(t, requestBody, set("/query/filters/1", `{"operator":">","value":"P40Y"}`)),
		"skip negative":       apply(t, requestBody, set("/query/pagination/skip", `-1`)),
		"limit not a integer": apply(t, requestBody, set("/query/pagination/limit", `"10"`)),
	} {
		if err := v.RequestBody(b); err == nil {
			t.Errorf("%s: invalid request body accepted: %s", name, b)
		}
	}
}

// readRecords returns the first n records of a BFF JSON array file.
func readRecords(t *testing.T, path string, n int) []json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs []json.RawMessage
	if err := json.Unmarshal(b, &recs); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) < n {
		t.Fatalf("%s: %d records, want at least %d", path, len(recs), n)
	}
	return recs[:n]
}

// TestReferenceRecords validates the CINECA UK1 records of the EGA reference
// implementation (PROVENANCE says they validate), with format assertions on.
func TestReferenceRecords(t *testing.T) {
	v := validator(t)
	dir := filepath.Join(testenv.DataDir(t), "cineca_uk1_ega_ri_api")
	for _, f := range []struct {
		entity, file string
		n            int
	}{
		{"individual", "individuals.json", 50},
		{"biosample", "biosamples.json", 20},
		{"run", "runs.json", 20},
		{"analysis", "analyses.json", 20},
		{"cohort", "cohorts.json", 1},
		{"dataset", "datasets.json", 1},
	} {
		for i, rec := range readRecords(t, filepath.Join(dir, f.file), f.n) {
			if err := v.Record(f.entity, rec); err != nil {
				t.Errorf("%s[%d]:\n%v", f.file, i, err)
			}
		}
	}
}

// TestResultsetsOfReferenceIndividuals wraps real records in a response, the
// way API tests will see them.
func TestResultsetsOfReferenceIndividuals(t *testing.T) {
	v := validator(t)
	recs := readRecords(t, filepath.Join(testenv.DataDir(t), "cineca_uk1_ega_ri_api", "individuals.json"), 10)
	results, _ := json.Marshal(recs)
	body := `{"meta": ` + fmt.Sprintf(dataMeta, "record") + `, "responseSummary": {"exists": true, "numTotalResults": 2504},
		"response": {"resultSets": [{"id": "CINECA_synthetic_cohort_EUROPE_UK1", "setType": "dataset", "exists": true, "resultsCount": 2504, "results": ` + string(results) + `}]}}`
	if err := v.Response(KindData, "individual", false, []byte(body)); err != nil {
		t.Fatal(err)
	}
	broken := apply(t, body, del("/response/resultSets/0/results/7/sex"))
	err := v.Response(KindData, "individual", false, broken)
	if err == nil || !strings.Contains(err.Error(), "/response/resultSets/0/results/7") {
		t.Fatalf("record 7 without sex: got %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	v := validator(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, c := range validCases() {
				if err := v.Response(c.kind, c.entity, c.collection, []byte(c.body)); err != nil {
					errs <- err
				}
			}
			if v2, err := Load(v.Dir()); err != nil || v2 != v {
				errs <- fmt.Errorf("Load not cached: %v", err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestLoaderMapping(t *testing.T) {
	l := &loader{dir: "/s"}
	for in, want := range map[string]string{
		"https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/framework/json/common/ontologyTerm.json":              "/s/framework/json/common/ontologyTerm.json",
		"https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/v2.0.0/framework/json/common/ontologyTerm.json":            "/s/framework/json/common/ontologyTerm.json",
		"https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/refs/heads/main/models/json/x.json":                        "/s/models/json/x.json",
		"https://w3id.org/ga4gh/schema/vrs/1.3/vrs.json":                                                                     "/s/external/vrs-1.3.0/schema/vrs.json",
		"file:///s/models/json/beacon-v2-default-model/individuals/defaultSchema.json":                                       "/s/models/json/beacon-v2-default-model/individuals/defaultSchema.json",
		"https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/models/json/beacon-v2-default-model/common/../a.json": "/s/models/json/beacon-v2-default-model/a.json",
	} {
		got, err := l.toFile(in)
		if err != nil || got != filepath.FromSlash(want) {
			t.Errorf("toFile(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"https://example.org/schema.json", "https://raw.githubusercontent.com/other/repo/main/x.json", "https://w3id.org/ga4gh/schema/vrs/2.0/vrs.json"} {
		if _, err := l.toFile(in); err == nil {
			t.Errorf("toFile(%s): no error for an unmapped URL", in)
		}
	}
}
