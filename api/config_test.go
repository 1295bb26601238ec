package api

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeConfigFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "beacon.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A release served without a configuration must not call itself the demo; the demo does.
func TestDemoConfig(t *testing.T) {
	d, c := DemoConfig(), DefaultConfig()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.BeaconID != "org.bitbeacon.demo" || d.Environment != "dev" || !strings.Contains(d.Name, "demo") {
		t.Errorf("demo identity: %+v", d)
	}
	for _, s := range []string{c.BeaconID, c.Name, c.Description} {
		if strings.Contains(strings.ToLower(s), "demo") {
			t.Errorf("the default configuration calls itself the demo: %q", s)
		}
	}
	if c.Environment == d.Environment || d.Version != c.Version {
		t.Errorf("environments %q %q, versions %q %q", c.Environment, d.Environment, c.Version, d.Version)
	}
}

func TestDefaultConfigIsValid(t *testing.T) {
	c := DefaultConfig()
	before := c
	if err := c.Validate(); err != nil {
		t.Fatalf("DefaultConfig does not validate: %v", err)
	}
	if !reflect.DeepEqual(c, before) {
		t.Errorf("Validate changed the default config:\n%+v\n%+v", before, c)
	}
	if c.BeaconID != "org.bitbeacon.beacon" || c.Environment != "prod" || c.Version != Version || c.APIVersion != "v2.0.0" ||
		c.BaseURL != "http://127.0.0.1:5050" || c.Granularity.Default != "boolean" || c.Granularity.Max != "record" ||
		c.Pagination != (PaginationConfig{SkipUnit: "pages", MaxLimit: 1000, DefaultLimit: 10}) ||
		!c.NonFilteredQueriesAllowed || c.ServiceInfo.Group != "org.ga4gh" || c.ServiceInfo.Artifact != "beacon" {
		t.Errorf("unexpected defaults: %+v", c)
	}
	if c.Defaults() != (Defaults{Granularity: Boolean, Limit: 10, MaxFilters: 64}) {
		t.Errorf("Defaults() = %+v", c.Defaults())
	}
	if c.MaxGranularity() != Record || c.ProductionStatus() != "PROD" || !reflect.DeepEqual(c.SecurityLevels(), []string{"PUBLIC"}) {
		t.Errorf("max %v status %s levels %v", c.MaxGranularity(), c.ProductionStatus(), c.SecurityLevels())
	}
	if c.BaseURLGiven() {
		t.Error("BaseURLGiven on defaults")
	}
	if d := c.Dataset("ds1"); d != (DatasetConfig{MaxGranularity: "record", SecurityLevel: "PUBLIC", BelowLevel: "none", ThresholdAnswer: "zero"}) {
		t.Errorf("Dataset(ds1) = %+v", d)
	}
}

func TestLoadConfigEmpty(t *testing.T) {
	for _, text := range []string{"", "# only a comment\n", "---\n"} {
		c, err := LoadConfig(writeConfigFile(t, text))
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		d := DefaultConfig()
		if !reflect.DeepEqual(c, d) {
			t.Errorf("%q: got %+v", text, c)
		}
	}
	c, err := LoadConfig("")
	if err != nil || !reflect.DeepEqual(c, DefaultConfig()) {
		t.Errorf("LoadConfig(\"\") = %+v, %v", c, err)
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestLoadConfigFull(t *testing.T) {
	p := writeConfigFile(t, `
beaconId: org.example.beacon
name: Example beacon
description: An example
version: 1.2.3
environment: PROD
welcomeUrl: https://example.org/
alternativeUrl: https://example.org/alt
createDateTime: "2024-01-31"
updateDateTime: 2024-02-01T10:00:00Z
apiVersion: 2.0.0
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
  contactUrl: mailto:help@example.org
granularity:
  default: count
  max: record
datasets:
  ds1:
    name: Dataset one
    maxGranularity: count
    securityLevel: controlled
  ds2: {}
handovers:
  - handoverType: {id: "EDAM:3016", label: VCF}
    url: https://files.example.org/{datasetId}.vcf.gz
    note: The VCF
    datasetIds: [ds1]
  - handoverType: {id: "CUSTOM:report"}
    url: https://example.org/report
pagination:
  skipUnit: records
  maxLimit: 500
  defaultLimit: 20
nonFilteredQueriesAllowed: false
`)
	c, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.BeaconID != "org.example.beacon" || c.Environment != "prod" || c.APIVersion != "v2.0.0" ||
		c.BaseURL != "https://beacon.example.org/api" || !c.BaseURLGiven() || c.Version != "1.2.3" ||
		c.UpdateDateTime != "2024-02-01T10:00:00Z" || c.CreateDateTime != "2024-01-31" {
		t.Errorf("top level: %+v", c)
	}
	if c.ServiceInfo.Group != "org.ga4gh" || c.ServiceInfo.Artifact != "beacon" || c.ServiceInfo.Version != "v2.0.0" ||
		c.ServiceInfo.DocumentationURL != "https://docs.example.org" {
		t.Errorf("service info defaults not kept: %+v", c.ServiceInfo)
	}
	if c.Organization.ContactURL != "mailto:beacon@example.org" || c.Organization.Name != "Example Org" {
		t.Errorf("organization: %+v", c.Organization)
	}
	if c.Defaults() != (Defaults{Granularity: Count, Limit: 20, MaxFilters: c.Limits.MaxFilters}) || c.ProductionStatus() != "PROD" {
		t.Errorf("defaults %+v status %s", c.Defaults(), c.ProductionStatus())
	}
	wantDS := map[string]DatasetConfig{
		"ds1": {Name: "Dataset one", MaxGranularity: "count", SecurityLevel: "CONTROLLED", BelowLevel: "none", ThresholdAnswer: "zero"},
		"ds2": {MaxGranularity: "record", SecurityLevel: "PUBLIC", BelowLevel: "none", ThresholdAnswer: "zero"},
	}
	if !reflect.DeepEqual(c.Datasets, wantDS) {
		t.Errorf("datasets: %+v", c.Datasets)
	}
	if c.Dataset("ds1").MaxGranularityValue() != Count {
		t.Error("ds1 max granularity")
	}
	if !reflect.DeepEqual(c.SecurityLevels(), []string{"PUBLIC", "CONTROLLED"}) {
		t.Errorf("security levels %v", c.SecurityLevels())
	}
	if len(c.Handovers) != 2 || c.Handovers[0].HandoverType.Label != "VCF" ||
		c.Handovers[0].URLFor("ds 1") != "https://files.example.org/ds%201.vcf.gz" ||
		!c.Handovers[0].AppliesTo("ds1") || c.Handovers[0].AppliesTo("ds2") || !c.Handovers[1].AppliesTo("ds2") {
		t.Errorf("handovers: %+v", c.Handovers)
	}
	if c.Pagination != (PaginationConfig{SkipUnit: "records", MaxLimit: 500, DefaultLimit: 20}) || c.NonFilteredQueriesAllowed {
		t.Errorf("pagination %+v nonFiltered %v", c.Pagination, c.NonFilteredQueriesAllowed)
	}
}

func TestLoadConfigPartialKeepsDefaults(t *testing.T) {
	c, err := LoadConfig(writeConfigFile(t, "name: Mine\norganization:\n  name: Org\npagination:\n  maxLimit: 50\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := DefaultConfig()
	if c.Name != "Mine" || c.Organization.Name != "Org" || c.Organization.ID != d.Organization.ID ||
		c.Pagination.MaxLimit != 50 || c.Pagination.DefaultLimit != 10 || c.Pagination.SkipUnit != "pages" ||
		!c.NonFilteredQueriesAllowed || c.BaseURL != d.BaseURL || c.BaseURLGiven() {
		t.Errorf("got %+v", c)
	}
	// Explicit empty strings get the defaults too.
	c, err = LoadConfig(writeConfigFile(t, "beaconId: \"\"\nenvironment: ''\n"))
	if err != nil || c.BeaconID != d.BeaconID || c.Environment != d.Environment {
		t.Errorf("got %+v, %v", c, err)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"nmae: x\n", ":1: unknown field \"nmae\""},
		{"name: x\norganization:\n  nme: y\n", ":3: unknown field \"nme\""},
		{"datasets:\n  d1:\n    securityLevel: PUBLIC\n    level: x\n", ":4: unknown field \"level\""},
		{"pagination:\n  maxLimit: lots\n", ":2: cannot unmarshal !!str `lots` into int"},
		{"name: [\n", ":1: did not find expected node content"},
		{"name: a\nname: b\n", ":2: mapping key \"name\" already defined at line 1"},
		{"- a\n- b\n", ":1: cannot unmarshal !!seq into api.Config"},
		{"environment: production\n", ":1: environment: \"production\" is not one of prod, test, dev, staging"},
		{"apiVersion: two\n", ":1: apiVersion: \"two\" is not a version like v2.0.0"},
		{"baseUrl: /relative\n", ":1: baseUrl: \"/relative\" must be an absolute http(s) URL"},
		{"baseUrl: ftp://x.org\n", ":1: baseUrl: \"ftp://x.org\" must be an absolute http(s) URL"},
		{"baseUrl: http://x.org/?a=1\n", ":1: baseUrl: "},
		{"welcomeUrl: example.org\n", ":1: welcomeUrl: \"example.org\" is not an absolute URL"},
		{"organization:\n  logoUrl: mailto:x@y.z\n", ":2: organization.logoUrl: \"mailto:x@y.z\" is not an absolute URL"},
		{"serviceInfo:\n  contactUrl: help\n", ":2: serviceInfo.contactUrl: \"help\" is not an absolute URL"},
		{"createDateTime: yesterday\n", ":1: createDateTime: \"yesterday\" is not an RFC 3339 date-time"},
		{"granularity:\n  default: full\n", ":2: granularity.default: \"full\" is not one of boolean, count, record"},
		{"granularity:\n  max: all\n", ":2: granularity.max: \"all\" is not one of boolean, count, record"},
		{"granularity:\n  default: record\n  max: count\n", ":2: granularity.default: record is above granularity.max (count)"},
		{"datasets:\n  d1:\n    maxGranularity: lots\n", ":3: datasets.d1.maxGranularity: \"lots\" is not one of boolean, count, record"},
		{"datasets:\n  d1:\n    securityLevel: secret\n", ":3: datasets.d1.securityLevel: \"SECRET\" is not one of PUBLIC, REGISTERED, CONTROLLED"},
		{"handovers:\n  - url: https://x.org\n", ": handovers.0.handoverType.id: \"\" is not a CURIE"},
		{"handovers:\n  - handoverType: {id: 'EDAM:3016'}\n    url: files/{datasetId}\n", ":3: handovers.0.url: \"files/{datasetId}\" is not an absolute URL"},
		{"pagination:\n  skipUnit: offsets\n", ":2: pagination.skipUnit: \"offsets\" is not one of pages, records"},
		{"pagination:\n  maxLimit: 0\n", ":2: pagination.maxLimit: must be at least 1, got 0"},
		{"pagination:\n  defaultLimit: 0\n", ":2: pagination.defaultLimit: must be at least 1, got 0"},
		{"pagination:\n  defaultLimit: 50\n  maxLimit: 20\n", ":2: pagination.defaultLimit: 50 is above pagination.maxLimit (20)"},
		{"name: a\n---\nname: b\n", ":2: only one YAML document is allowed"},
	} {
		p := writeConfigFile(t, tc.text)
		_, err := LoadConfig(p)
		if err == nil {
			t.Errorf("%q: no error", tc.text)
			continue
		}
		if !strings.HasPrefix(err.Error(), p) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\n got %q\nwant %q after the path", tc.text, err, tc.want)
		}
	}
}

func TestLoadConfigReportsAllErrors(t *testing.T) {
	_, err := LoadConfig(writeConfigFile(t, "environment: x\ngranularity:\n  max: y\n"))
	if err == nil || strings.Count(err.Error(), "\n") != 1 {
		t.Errorf("want two errors, got %v", err)
	}
}

func TestValidateAfterOverride(t *testing.T) {
	c := DefaultConfig()
	c.BaseURL = "http://0.0.0.0:8080/"
	if err := c.Validate(); err != nil || c.BaseURL != "http://0.0.0.0:8080" {
		t.Errorf("got %q, %v", c.BaseURL, err)
	}
	c.BaseURL = "localhost:8080"
	if err := c.Validate(); err == nil || !strings.HasPrefix(err.Error(), "config: baseUrl: ") {
		t.Errorf("got %v", err)
	}
}
