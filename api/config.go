package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/bitbeacon/bitbeacon/auth"
)

// Config is the beacon configuration, read from YAML (LoadConfig). Every field has a
// default (DefaultConfig), so no file is needed to start. Field names in YAML are the
// camelCase names in the tags.
type Config struct {
	// BeaconID is the beacon's id, "usually a reversed domain string".
	BeaconID    string `yaml:"beaconId"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Version is the version of this service (service-info version, info version).
	Version string `yaml:"version"`
	// Environment is prod, test, dev or staging (lower case, https://github.com/ga4gh-beacon/beacon-v2/blob/v2.1.1/framework/json/responses/sections/beaconInfoResults.json).
	Environment    string `yaml:"environment"`
	WelcomeURL     string `yaml:"welcomeUrl"`
	AlternativeURL string `yaml:"alternativeUrl"`
	// CreateDateTime and UpdateDateTime are RFC 3339 date-times or YYYY-MM-DD dates.
	CreateDateTime string `yaml:"createDateTime"`
	UpdateDateTime string `yaml:"updateDateTime"`
	// APIVersion is the Beacon API version implemented, "v"-prefixed ("v2.0.0").
	APIVersion string `yaml:"apiVersion"`
	// BaseURL is the absolute URL the beacon is reached at, without a trailing slash; /map
	// and other absolute links are built from it.
	BaseURL      string            `yaml:"baseUrl"`
	Organization Organization      `yaml:"organization"`
	ServiceInfo  ServiceInfoConfig `yaml:"serviceInfo"`
	Granularity  GranularityConfig `yaml:"granularity"`
	// Datasets holds per-dataset settings by dataset id; a dataset not listed gets
	// DefaultDatasetConfig.
	Datasets   map[string]DatasetConfig `yaml:"datasets"`
	Handovers  []Handover               `yaml:"handovers"`
	Pagination PaginationConfig         `yaml:"pagination"`
	// NonFilteredQueriesAllowed: whether a query without any filter, parameter or id is
	// answered (https://github.com/ga4gh-beacon/beacon-v2/blob/v2.1.1/framework/json/configuration/entryTypeDefinition.json). Default true.
	NonFilteredQueriesAllowed bool `yaml:"nonFilteredQueriesAllowed"`
	// Auth lists the token issuers and visa issuers trusted (docs/security.md); without
	// issuers every caller is anonymous.
	Auth auth.Config `yaml:"auth"`
	// Privacy holds the per-caller defences (query budget).
	Privacy PrivacyConfig `yaml:"privacy"`
	// Limits and Server are the operational settings (config_ops.go).
	Limits LimitsConfig `yaml:"limits"`
	Server ServerConfig `yaml:"server"`

	baseURLGiven bool // baseUrl was set in the file
}

// Organization is the organization running the beacon (info organization; service-info
// organization name and url).
type Organization struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Address     string `yaml:"address"`
	WelcomeURL  string `yaml:"welcomeUrl"`
	ContactURL  string `yaml:"contactUrl"`
	LogoURL     string `yaml:"logoUrl"`
}

// ServiceInfoConfig holds the GA4GH service-info fields that are not in the Beacon info.
type ServiceInfoConfig struct {
	Group            string `yaml:"group"`    // type.group, default "org.ga4gh"
	Artifact         string `yaml:"artifact"` // type.artifact, default "beacon"
	Version          string `yaml:"version"`  // type.version, default "v2.0.0"
	DocumentationURL string `yaml:"documentationUrl"`
	ContactURL       string `yaml:"contactUrl"` // may be a mailto: URI
}

// GranularityConfig: Default is used when a request has no requestedGranularity (spec
// default "boolean"); Max caps what any caller gets.
type GranularityConfig struct {
	Default string `yaml:"default"`
	Max     string `yaml:"max"`
}

// DatasetConfig holds per-dataset settings.
type DatasetConfig struct {
	// Name and Description, when set, replace those of the dataset's record in responses, so
	// an operator can describe a dataset without re-ingesting it.
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// MaxGranularity is boolean, count or record (default record).
	MaxGranularity string `yaml:"maxGranularity"`
	// SecurityLevel is PUBLIC (default), REGISTERED (any verified token) or CONTROLLED (a
	// verified ControlledAccessGrants visa whose value is Visa).
	SecurityLevel string `yaml:"securityLevel"`
	// Visa is the grant value that opens a CONTROLLED dataset; default the dataset id.
	Visa string `yaml:"visa"`
	// BelowLevel is what a caller below SecurityLevel gets: none (default: nothing of the
	// dataset, not even in exists), boolean or count (capped by MaxGranularity). Record
	// paths under an id (/individuals/{id}…) never answer for such a caller.
	BelowLevel string `yaml:"belowLevel"`
	// CountThreshold K: counts of individuals, biosamples, runs and analyses (and the
	// carriers behind a variant answer) in 1..K-1 are answered as 0, or as K when
	// ThresholdAnswer is "threshold"; no record is returned from a set smaller than K.
	CountThreshold int `yaml:"countThreshold"`
	// ThresholdAnswer is zero (default) or threshold (K, countPrecision imprecise).
	ThresholdAnswer string `yaml:"thresholdAnswer"`
	// CountRounding N rounds counts up to a multiple of N (countPrecision rounded).
	CountRounding int `yaml:"countRounding"`
}

// PrivacyConfig is the privacy: section.
type PrivacyConfig struct {
	QueryBudget QueryBudgetConfig `yaml:"queryBudget"`
}

// QueryBudgetConfig: at most Requests data requests per caller (token subject, else client
// address) in any Window; 0 requests means no budget.
type QueryBudgetConfig struct {
	Requests int           `yaml:"requests"`
	Window   time.Duration `yaml:"window"`
}

// Handover is a link returned with responses (beaconHandovers / resultsHandovers).
type Handover struct {
	HandoverType OntologyTermConfig `yaml:"handoverType"`
	// URL is absolute and may contain {datasetId}.
	URL  string `yaml:"url"`
	Note string `yaml:"note"`
	// DatasetIDs limits the handover to these datasets; empty means all.
	DatasetIDs []string `yaml:"datasetIds"`
}

// OntologyTermConfig is an ontology term {id, label}.
type OntologyTermConfig struct {
	ID    string `yaml:"id"`
	Label string `yaml:"label"`
}

// PaginationConfig: SkipUnit "pages" (skip counts pages of limit records, as the spec text
// says) or "records" (skip is a record offset); MaxLimit caps limit (and is what limit 0
// means); DefaultLimit is the page size when the request has none.
type PaginationConfig struct {
	SkipUnit     string `yaml:"skipUnit"`
	MaxLimit     int    `yaml:"maxLimit"`
	DefaultLimit int    `yaml:"defaultLimit"`
}

// DefaultPagination is the paging of a configuration that sets none, and the one home of its
// numbers: pages of 10 records, at most 1000 (what limit 0 asks for), skip counting pages.
func DefaultPagination() PaginationConfig {
	return PaginationConfig{SkipUnit: "pages", MaxLimit: 1000, DefaultLimit: 10}
}

// pageLimits are p's default and largest page size, DefaultPagination's for what p leaves at
// zero (a Config built by hand and never validated).
func (p PaginationConfig) pageLimits() (def, max int) {
	d := DefaultPagination()
	def, max = p.DefaultLimit, p.MaxLimit
	if def <= 0 {
		def = d.DefaultLimit
	}
	if max <= 0 {
		max = d.MaxLimit
	}
	return def, max
}

// Security levels (configuration securityAttributes.securityLevels).
const (
	SecurityPublic     = "PUBLIC"
	SecurityRegistered = "REGISTERED"
	SecurityControlled = "CONTROLLED"
)

// DefaultConfig returns the configuration used when no file is given: a beacon that says
// it is a bitbeacon and nothing more about itself (serve logs that its identity is the
// default), not the demo.
func DefaultConfig() Config {
	return Config{
		BeaconID:                  "org.bitbeacon.beacon",
		Name:                      "bitbeacon Beacon",
		Description:               "A GA4GH Beacon v2 served by bitbeacon.",
		Version:                   Version,
		Environment:               "prod",
		APIVersion:                "v2.0.0",
		BaseURL:                   "http://127.0.0.1:5050",
		Organization:              Organization{ID: "org.bitbeacon", Name: "bitbeacon"},
		ServiceInfo:               ServiceInfoConfig{Group: "org.ga4gh", Artifact: "beacon", Version: "v2.0.0"},
		Granularity:               GranularityConfig{Default: "boolean", Max: "record"},
		Pagination:                DefaultPagination(),
		NonFilteredQueriesAllowed: true,
		Limits:                    DefaultLimits(),
		Server:                    DefaultServer(),
	}
}

// DemoConfig is DefaultConfig for the built-in demo dataset (serve --demo): it calls itself
// the demo, in a dev environment.
func DemoConfig() Config {
	c := DefaultConfig()
	c.BeaconID = "org.bitbeacon.demo"
	c.Name = "bitbeacon demo beacon"
	c.Description = "The built-in demo of bitbeacon: a generated population, no real person's data."
	c.Environment = "dev"
	return c
}

// DefaultDatasetConfig is the setting of a dataset the configuration does not list.
func DefaultDatasetConfig(id string) DatasetConfig {
	return DatasetConfig{MaxGranularity: "record", SecurityLevel: SecurityPublic, BelowLevel: "none", ThresholdAnswer: "zero"}
}

// LoadConfig reads a YAML configuration file. Unknown fields are errors; missing fields
// get their defaults; enums, URLs and dates are validated. Errors name the file and line.
// An empty path returns DefaultConfig().
func LoadConfig(path string) (Config, error) {
	if path == "" {
		c := DefaultConfig()
		return c, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return parseConfig(path, data)
}

var (
	yamlLineRe     = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlUnknownRe  = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	yamlAlreadyRe  = regexp.MustCompile(`^field (\S+) already set in type \S+$`)
	curieRe        = regexp.MustCompile(`^\w[^:]+:.+$`) // CURIE in https://github.com/ga4gh-beacon/beacon-v2/blob/v2.1.1/framework/json/common/beaconCommonComponents.json
	apiVersionRe   = regexp.MustCompile(`^v?\d+(\.\d+){0,2}$`)
	environments   = []string{"prod", "test", "dev", "staging"}
	securityLevels = []string{SecurityPublic, SecurityRegistered, SecurityControlled}
)

func parseConfig(path string, data []byte) (Config, error) {
	c := DefaultConfig()
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Config{}, yamlErr(path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) { // empty file
			return DefaultConfig(), nil
		}
		return Config{}, yamlErr(path, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("%s:%d: only one YAML document is allowed", path, extra.Line)
	}
	c.baseURLGiven = lookupNode(&root, "baseUrl") != nil && strings.TrimSpace(c.BaseURL) != ""
	err := c.validate(func(keys ...string) string {
		if n := lookupNode(&root, keys...); n != nil {
			return fmt.Sprintf("%s:%d: ", path, n.Line)
		}
		return path + ": "
	})
	if err != nil {
		return Config{}, err
	}
	return c, nil
}

// yamlErr rewrites yaml.v3 errors as "file:line: message".
func yamlErr(path string, err error) error {
	var te *yaml.TypeError
	var msgs []string
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		if sub := yamlLineRe.FindStringSubmatch(m); sub != nil {
			msg := sub[2]
			if u := yamlUnknownRe.FindStringSubmatch(msg); u != nil {
				msg = fmt.Sprintf("unknown field %q", u[1])
			} else if u := yamlAlreadyRe.FindStringSubmatch(msg); u != nil {
				msg = fmt.Sprintf("field %q given twice", u[1])
			}
			out = append(out, fmt.Sprintf("%s:%s: %s", path, sub[1], msg))
			continue
		}
		out = append(out, fmt.Sprintf("%s: %s", path, strings.TrimPrefix(m, "yaml: ")))
	}
	return errors.New(strings.Join(out, "\n"))
}

// lookupNode returns the value node at keys (mapping keys, or decimal indexes into
// sequences) below a document node, or nil.
func lookupNode(root *yaml.Node, keys ...string) *yaml.Node {
	n := root
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	for _, k := range keys {
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					next = n.Content[i+1]
				}
			}
			if next == nil {
				return nil
			}
			n = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
		default:
			return nil
		}
	}
	return n
}

// Validate fills defaults for empty fields, normalises spellings (environment lower case,
// security levels upper case, "v" prefix on apiVersion, no trailing slash on baseUrl) and
// checks every value. Call it after changing a Config by hand (e.g. BaseURL from --listen).
func (c *Config) Validate() error {
	return c.validate(func(...string) string { return "config: " })
}

// validate is Validate with loc giving the "file:line: " prefix of a field path.
func (c *Config) validate(loc func(keys ...string) string) error {
	var errs []string
	bad := func(keys []string, format string, args ...any) {
		errs = append(errs, loc(keys...)+strings.Join(keys, ".")+": "+fmt.Sprintf(format, args...))
	}
	k := func(keys ...string) []string { return keys }
	d := DefaultConfig()
	fill := func(dst *string, def string) {
		if *dst = strings.TrimSpace(*dst); *dst == "" {
			*dst = def
		}
	}
	fill(&c.BeaconID, d.BeaconID)
	fill(&c.Name, d.Name)
	fill(&c.Version, d.Version)
	fill(&c.Environment, d.Environment)
	fill(&c.APIVersion, d.APIVersion)
	fill(&c.BaseURL, d.BaseURL)
	fill(&c.Organization.ID, d.Organization.ID)
	fill(&c.Organization.Name, d.Organization.Name)
	fill(&c.ServiceInfo.Group, d.ServiceInfo.Group)
	fill(&c.ServiceInfo.Artifact, d.ServiceInfo.Artifact)
	fill(&c.ServiceInfo.Version, d.ServiceInfo.Version)
	fill(&c.Granularity.Default, d.Granularity.Default)
	fill(&c.Granularity.Max, d.Granularity.Max)
	fill(&c.Pagination.SkipUnit, d.Pagination.SkipUnit)

	c.Environment = strings.ToLower(c.Environment)
	if !slices.Contains(environments, c.Environment) {
		bad(k("environment"), "%q is not one of prod, test, dev, staging", c.Environment)
	}
	if !apiVersionRe.MatchString(c.APIVersion) {
		bad(k("apiVersion"), "%q is not a version like v2.0.0", c.APIVersion)
	} else if c.APIVersion[0] != 'v' {
		c.APIVersion = "v" + c.APIVersion
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		bad(k("baseUrl"), "%q must be an absolute http(s) URL without query or fragment, e.g. https://beacon.example.org/api", c.BaseURL)
	}
	for _, f := range []struct {
		keys   []string
		val    *string
		mailto bool
	}{
		{k("welcomeUrl"), &c.WelcomeURL, false},
		{k("alternativeUrl"), &c.AlternativeURL, false},
		{k("organization", "welcomeUrl"), &c.Organization.WelcomeURL, false},
		{k("organization", "contactUrl"), &c.Organization.ContactURL, true},
		{k("organization", "logoUrl"), &c.Organization.LogoURL, false},
		{k("serviceInfo", "documentationUrl"), &c.ServiceInfo.DocumentationURL, false},
		{k("serviceInfo", "contactUrl"), &c.ServiceInfo.ContactURL, true},
	} {
		*f.val = strings.TrimSpace(*f.val)
		if *f.val != "" && !absoluteURL(*f.val, f.mailto) {
			bad(f.keys, "%q is not an absolute URL", *f.val)
		}
	}
	for _, f := range []struct {
		keys []string
		val  *string
	}{{k("createDateTime"), &c.CreateDateTime}, {k("updateDateTime"), &c.UpdateDateTime}} {
		*f.val = strings.TrimSpace(*f.val)
		if *f.val != "" && !validDateTime(*f.val) {
			bad(f.keys, "%q is not an RFC 3339 date-time (2024-01-31T12:00:00Z) or a date (2024-01-31)", *f.val)
		}
	}
	def, okDef := ParseGranularity(c.Granularity.Default)
	if !okDef {
		bad(k("granularity", "default"), "%q is not one of boolean, count, record", c.Granularity.Default)
	} else {
		c.Granularity.Default = def.String()
	}
	maxG, okMax := ParseGranularity(c.Granularity.Max)
	if !okMax {
		bad(k("granularity", "max"), "%q is not one of boolean, count, record", c.Granularity.Max)
	} else {
		c.Granularity.Max = maxG.String()
	}
	if okDef && okMax && def > maxG {
		bad(k("granularity", "default"), "%s is above granularity.max (%s)", def, maxG)
	}
	for _, id := range slices.Sorted(maps.Keys(c.Datasets)) {
		ds := c.Datasets[id]
		if strings.TrimSpace(id) == "" {
			bad(k("datasets"), "a dataset id is empty")
			continue
		}
		dd := DefaultDatasetConfig(id)
		fill(&ds.MaxGranularity, dd.MaxGranularity)
		fill(&ds.SecurityLevel, dd.SecurityLevel)
		fill(&ds.BelowLevel, dd.BelowLevel)
		fill(&ds.ThresholdAnswer, dd.ThresholdAnswer)
		ds.Visa = strings.TrimSpace(ds.Visa)
		ds.BelowLevel = strings.ToLower(ds.BelowLevel)
		if ds.BelowLevel != "none" && ds.BelowLevel != "boolean" && ds.BelowLevel != "count" {
			bad(k("datasets", id, "belowLevel"), "%q is not one of none, boolean, count", ds.BelowLevel)
		}
		ds.ThresholdAnswer = strings.ToLower(ds.ThresholdAnswer)
		if ds.ThresholdAnswer != "zero" && ds.ThresholdAnswer != "threshold" {
			bad(k("datasets", id, "thresholdAnswer"), "%q is not one of zero, threshold", ds.ThresholdAnswer)
		}
		if ds.CountThreshold < 0 {
			bad(k("datasets", id, "countThreshold"), "must not be negative, got %d", ds.CountThreshold)
		}
		if ds.CountRounding < 0 {
			bad(k("datasets", id, "countRounding"), "must not be negative, got %d", ds.CountRounding)
		}
		if g, ok := ParseGranularity(ds.MaxGranularity); !ok {
			bad(k("datasets", id, "maxGranularity"), "%q is not one of boolean, count, record", ds.MaxGranularity)
		} else {
			ds.MaxGranularity = g.String()
		}
		ds.SecurityLevel = strings.ToUpper(ds.SecurityLevel)
		if !slices.Contains(securityLevels, ds.SecurityLevel) {
			bad(k("datasets", id, "securityLevel"), "%q is not one of PUBLIC, REGISTERED, CONTROLLED", ds.SecurityLevel)
		}
		c.Datasets[id] = ds
	}
	for i := range c.Handovers {
		h := &c.Handovers[i]
		is := strconv.Itoa(i)
		h.HandoverType.ID = strings.TrimSpace(h.HandoverType.ID)
		if !curieRe.MatchString(h.HandoverType.ID) {
			bad(k("handovers", is, "handoverType", "id"), "%q is not a CURIE such as EDAM:3016 or CUSTOM:vcf", h.HandoverType.ID)
		}
		h.URL = strings.TrimSpace(h.URL)
		if h.URL == "" || !absoluteURL(strings.ReplaceAll(h.URL, "{datasetId}", "x"), false) {
			bad(k("handovers", is, "url"), "%q is not an absolute URL (it may contain {datasetId})", h.URL)
		}
	}
	for _, fe := range c.Auth.Validate() {
		bad(append([]string{"auth"}, fe.Keys...), "%s", fe.Msg)
	}
	if b := c.Privacy.QueryBudget; b.Requests < 0 {
		bad(k("privacy", "queryBudget", "requests"), "must not be negative, got %d", b.Requests)
	} else if b.Requests > 0 && b.Window <= 0 {
		bad(k("privacy", "queryBudget", "window"), "a budget of %d requests needs a window such as 1h", b.Requests)
	}
	c.Pagination.SkipUnit = strings.ToLower(c.Pagination.SkipUnit)
	if c.Pagination.SkipUnit != "pages" && c.Pagination.SkipUnit != "records" {
		bad(k("pagination", "skipUnit"), "%q is not one of pages, records", c.Pagination.SkipUnit)
	}
	if c.Pagination.MaxLimit < 1 {
		bad(k("pagination", "maxLimit"), "must be at least 1, got %d", c.Pagination.MaxLimit)
	}
	if c.Pagination.DefaultLimit < 1 {
		bad(k("pagination", "defaultLimit"), "must be at least 1, got %d", c.Pagination.DefaultLimit)
	} else if c.Pagination.MaxLimit >= 1 && c.Pagination.DefaultLimit > c.Pagination.MaxLimit {
		bad(k("pagination", "defaultLimit"), "%d is above pagination.maxLimit (%d)", c.Pagination.DefaultLimit, c.Pagination.MaxLimit)
	}
	c.validateOps(bad)
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

// absoluteURL: a scheme, and a host for http(s); mailto: only where allowed.
func absoluteURL(s string, mailto bool) bool {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != ""
	case "mailto":
		return mailto && u.Opaque != ""
	}
	return false
}

func validDateTime(s string) bool {
	if _, err := time.Parse(time.RFC3339, s); err == nil {
		return true
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// BaseURLGiven reports whether the configuration file set baseUrl (the serve command
// derives it from the listen address otherwise).
func (c *Config) BaseURLGiven() bool { return c.baseURLGiven }

// DefaultGranularity is granularity.default (boolean when invalid).
func (c *Config) DefaultGranularity() Granularity {
	g, _ := ParseGranularity(c.Granularity.Default)
	return g
}

// MaxGranularity is granularity.max (boolean when invalid: fail closed).
func (c *Config) MaxGranularity() Granularity {
	g, _ := ParseGranularity(c.Granularity.Max)
	return g
}

// Defaults are the request defaults of this configuration, for ParseGET and ParsePOST.
func (c *Config) Defaults() Defaults {
	return Defaults{Granularity: c.DefaultGranularity(), Limit: c.Pagination.DefaultLimit, MaxFilters: c.Limits.MaxFilters}
}

// Dataset returns the settings of dataset id: configured, else DefaultDatasetConfig(id).
func (c *Config) Dataset(id string) DatasetConfig {
	if d, ok := c.Datasets[id]; ok {
		return d
	}
	return DefaultDatasetConfig(id)
}

// VisaValue is the ControlledAccessGrants value that opens dataset id.
func (d DatasetConfig) VisaValue(id string) string {
	if d.Visa != "" {
		return d.Visa
	}
	return id
}

// MaxGranularityValue is the dataset's maxGranularity (boolean when invalid: fail closed).
func (d DatasetConfig) MaxGranularityValue() Granularity {
	g, _ := ParseGranularity(d.MaxGranularity)
	return g
}

// ProductionStatus maps environment to configuration maturityAttributes.productionStatus:
// prod -> PROD, test and staging -> TEST, dev -> DEV.
func (c *Config) ProductionStatus() string {
	switch c.Environment {
	case "prod":
		return "PROD"
	case "test", "staging":
		return "TEST"
	}
	return "DEV"
}

// SecurityLevels lists the security levels in use (configuration
// securityAttributes.securityLevels): those of the configured datasets, in the order
// PUBLIC, REGISTERED, CONTROLLED; ["PUBLIC"] when no dataset is configured, since an
// unlisted dataset is PUBLIC.
func (c *Config) SecurityLevels() []string {
	used := map[string]bool{}
	for _, d := range c.Datasets {
		used[strings.ToUpper(d.SecurityLevel)] = true
	}
	if len(c.Datasets) == 0 {
		used[SecurityPublic] = true
	}
	var out []string
	for _, l := range securityLevels {
		if used[l] {
			out = append(out, l)
		}
	}
	return out
}

// AppliesTo reports whether the handover is offered for dataset id.
func (h Handover) AppliesTo(datasetID string) bool {
	return len(h.DatasetIDs) == 0 || slices.Contains(h.DatasetIDs, datasetID)
}

// URLFor is the handover URL with {datasetId} replaced by the (path-escaped) dataset id.
func (h Handover) URLFor(datasetID string) string {
	return strings.ReplaceAll(h.URL, "{datasetId}", url.PathEscape(datasetID))
}
