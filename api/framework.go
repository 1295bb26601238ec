package api

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/bitbeacon/bitbeacon/release"
)

// Official schema locations: the files of https://github.com/ga4gh-beacon/beacon-v2, served raw.
const (
	SpecSchemaBase         = "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/"
	ConfigurationSchemaURL = SpecSchemaBase + "framework/json/configuration/beaconConfigurationSchema.json"
	MapSchemaURL           = SpecSchemaBase + "framework/json/configuration/beaconMapSchema.json"
	EntryTypesSchemaURL    = SpecSchemaBase + "framework/json/configuration/entryTypesSchema.json"
	defaultModelBase       = SpecSchemaBase + "models/json/beacon-v2-default-model/"
	// defaultSchemaVersion is the schemaVersion of the default-model record schemas.
	defaultSchemaVersion = "v2.0.0"
)

// EntryTypeInfo describes one entry type of the default model (its beaconConfiguration.json
// and beaconMap.json, https://github.com/ga4gh-beacon/beacon-v2/blob/v2.1.1/models/json/beacon-v2-default-model/).
type EntryTypeInfo struct {
	Entity release.Entity
	// ID is the entry type id of /configuration and returnedSchemas.entityType
	// ("individual", "genomicVariant", ...; release.Entity.EntryTypeID).
	ID          string
	Name        string
	Description string
	// OntologyID and OntologyLabel are ontologyTermForThisType.
	OntologyID    string
	OntologyLabel string
	// PathSegment is the URL path element ("individuals", "g_variants";
	// release.Entity.PathSegment).
	PathSegment string
	// SchemaDir is the default-model schema folder ("individuals", "genomicVariations";
	// release.Entity.Plural).
	SchemaDir string
	// ACollectionOf lists the entry type ids a collection holds (dataset, cohort).
	ACollectionOf []string
	// DefaultSchemaName is the schema name used in returnedSchemas and
	// configuration defaultSchema.id ("beacon-individual-v2.0.0").
	DefaultSchemaName string
	// DefaultSchemaTitle is configuration defaultSchema.name.
	DefaultSchemaTitle string
	// IDParam is the URI-template variable of single-entry URLs in /map: "id", or
	// "variantInternalId" for genomic variants (what https://github.com/EGA-archive/beacon-verifier-v2 substitutes).
	IDParam string
}

// SchemaURL is the official URL of the entry type's defaultSchema.json.
func (e EntryTypeInfo) SchemaURL() string {
	return defaultModelBase + e.SchemaDir + "/defaultSchema.json"
}

// IsCollection reports whether the entry type is a collection (dataset, cohort), answered
// with a collections response at its root endpoint.
func (e EntryTypeInfo) IsCollection() bool { return e.Entity.IsCollection() }

// EntryTypes are the seven default-model entry types, in release.Entities order. Their
// spellings (ID, PathSegment, SchemaDir) come from release's table of entity names.
var EntryTypes = withSpellings([]EntryTypeInfo{
	{
		Entity: release.Individual, Name: "Individual",
		Description: "A human being. It could be a Patient, a Tissue Donor, a Participant, a Human Study Subject, etc.",
		OntologyID:  "NCIT:C25190", OntologyLabel: "Person",
		DefaultSchemaName: "beacon-individual-v2.0.0", DefaultSchemaTitle: "Default schema for an individual", IDParam: "id",
	},
	{
		Entity: release.Biosample, Name: "Biological Sample",
		Description: "Any material sample taken from a biological entity for testing, diagnostic, propagation, treatment or research purposes.",
		OntologyID:  "NCIT:C70699", OntologyLabel: "Biospecimen",
		DefaultSchemaName: "beacon-biosample-v2.0.0", DefaultSchemaTitle: "Default schema for a biological sample", IDParam: "id",
	},
	{
		Entity: release.Run, Name: "Sequencing run",
		Description: "The valid and completed operation of a high-throughput sequencing instrument for a single sequencing process.",
		OntologyID:  "NCIT:C148088", OntologyLabel: "Sequencing run",
		DefaultSchemaName: "beacon-run-v2.0.0", DefaultSchemaTitle: "Default schema for a sequencing run", IDParam: "id",
	},
	{
		Entity: release.Analysis, Name: "Bioinformatics analysis",
		Description: "Apply analytical methods to existing data of a specific type.",
		OntologyID:  "edam:operation_2945", OntologyLabel: "Analysis",
		DefaultSchemaName: "beacon-analysis-v2.0.0", DefaultSchemaTitle: "Default schema for a bioinformatics analysis", IDParam: "id",
	},
	{
		Entity: release.GenomicVariation, Name: "Genomic Variants",
		Description: "The location of a sequence.",
		OntologyID:  "ENSGLOSSARY:0000092", OntologyLabel: "Variant",
		DefaultSchemaName: "beacon-g_variant-v2.0.0", DefaultSchemaTitle: "Default schema for a genomic variation", IDParam: "variantInternalId",
	},
	{
		Entity: release.Dataset, Name: "Dataset",
		Description: "A Dataset is a collection of related sets of information, e.g. genomic variations together with associated procedural and biological metadata.",
		OntologyID:  "NCIT:C47824", OntologyLabel: "Data set",
		ACollectionOf:     []string{release.GenomicVariation.EntryTypeID()},
		DefaultSchemaName: "beacon-dataset-v2.0.0", DefaultSchemaTitle: "Default schema for datasets", IDParam: "id",
	},
	{
		Entity: release.Cohort, Name: "Cohort",
		Description: "A group of individuals, identified by a common characteristic.",
		OntologyID:  "NCIT:C61512", OntologyLabel: "Cohort",
		ACollectionOf:     []string{release.Individual.EntryTypeID()},
		DefaultSchemaName: "beacon-cohort-v2.0.0", DefaultSchemaTitle: "Default schema for cohorts", IDParam: "id",
	},
})

// withSpellings fills in each entry type's names from release.
func withSpellings(ets []EntryTypeInfo) []EntryTypeInfo {
	for i := range ets {
		e := ets[i].Entity
		ets[i].ID, ets[i].PathSegment, ets[i].SchemaDir = e.EntryTypeID(), e.PathSegment(), e.Plural()
	}
	return ets
}

// EntryTypeByPath finds an entry type by its URL path element ("individuals", "g_variants").
func EntryTypeByPath(seg string) (EntryTypeInfo, bool) {
	e, ok := release.EntityByPath(seg)
	return EntryTypeByEntity(e), ok
}

// EntryTypeByEntity returns the entry type of e (the zero value for an unknown entity).
func EntryTypeByEntity(e release.Entity) EntryTypeInfo {
	for _, et := range EntryTypes {
		if et.Entity == e {
			return et
		}
	}
	return EntryTypeInfo{}
}

func entryTypeByID(id string) (EntryTypeInfo, bool) {
	e, ok := release.EntityByEntryTypeID(id)
	return EntryTypeByEntity(e), ok
}

// ---- JSON shapes ----

type infoMeta struct {
	BeaconID        string      `json:"beaconId"`
	APIVersion      string      `json:"apiVersion"`
	ReturnedSchemas []SchemaRef `json:"returnedSchemas"`
}

type infoEnvelope struct {
	Meta     infoMeta `json:"meta"`
	Response any      `json:"response"`
}

func informational(c *Config, entityType, schema string, response any) []byte {
	return mustJSON(infoEnvelope{
		Meta: infoMeta{
			BeaconID:        c.BeaconID,
			APIVersion:      c.APIVersion,
			ReturnedSchemas: []SchemaRef{{EntityType: entityType, Schema: schema}},
		},
		Response: response,
	})
}

type organizationJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Address     string `json:"address,omitempty"`
	WelcomeURL  string `json:"welcomeUrl,omitempty"`
	ContactURL  string `json:"contactUrl,omitempty"`
	LogoURL     string `json:"logoUrl,omitempty"`
}

type infoResults struct {
	ID             string           `json:"id"`
	Name           string           `json:"name"`
	APIVersion     string           `json:"apiVersion"`
	Environment    string           `json:"environment"`
	Organization   organizationJSON `json:"organization"`
	Description    string           `json:"description,omitempty"`
	Version        string           `json:"version,omitempty"`
	WelcomeURL     string           `json:"welcomeUrl,omitempty"`
	AlternativeURL string           `json:"alternativeUrl,omitempty"`
	CreateDateTime string           `json:"createDateTime,omitempty"`
	UpdateDateTime string           `json:"updateDateTime,omitempty"`
}

// InfoResponse is the body of / and /info (https://github.com/ga4gh-beacon/beacon-v2/blob/v2.1.1/framework/json/responses/beaconInfoResponse.json). createdAt and
// updatedAt (e.g. the loaded release's times) win over the configured
// createDateTime/updateDateTime when not empty.
func InfoResponse(c *Config, createdAt, updatedAt string) []byte {
	return informational(c, "info", "beacon-info-v2.0.0", infoResults{
		ID:             c.BeaconID,
		Name:           c.Name,
		APIVersion:     c.APIVersion,
		Environment:    c.Environment,
		Organization:   organizationJSON(c.Organization), // the same fields, JSON names
		Description:    c.Description,
		Version:        c.Version,
		WelcomeURL:     c.WelcomeURL,
		AlternativeURL: c.AlternativeURL,
		CreateDateTime: firstNonEmpty(createdAt, c.CreateDateTime),
		UpdateDateTime: firstNonEmpty(updatedAt, c.UpdateDateTime),
	})
}

type serviceType struct {
	Group    string `json:"group"`
	Artifact string `json:"artifact"`
	Version  string `json:"version"`
}

type serviceOrganization struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

type serviceInfo struct {
	ID               string              `json:"id"`
	Name             string              `json:"name"`
	Type             serviceType         `json:"type"`
	Description      string              `json:"description,omitempty"`
	Organization     serviceOrganization `json:"organization"`
	ContactURL       string              `json:"contactUrl,omitempty"`
	DocumentationURL string              `json:"documentationUrl,omitempty"`
	CreatedAt        string              `json:"createdAt,omitempty"`
	UpdatedAt        string              `json:"updatedAt,omitempty"`
	Environment      string              `json:"environment,omitempty"`
	Version          string              `json:"version"`
}

// ServiceInfoResponse is the bare GA4GH service-info 1.0.0 object of /service-info
// (https://github.com/ga4gh-beacon/beacon-v2/blob/v2.1.1/framework/json/responses/ga4gh-service-info-1-0-0-schema.json). organization.url is organization.welcomeUrl, else baseUrl; contactUrl is
// serviceInfo.contactUrl, else organization.contactUrl.
func ServiceInfoResponse(c *Config) []byte {
	return mustJSON(serviceInfo{
		ID:          c.BeaconID,
		Name:        c.Name,
		Type:        serviceType{Group: c.ServiceInfo.Group, Artifact: c.ServiceInfo.Artifact, Version: c.ServiceInfo.Version},
		Description: c.Description,
		Organization: serviceOrganization{
			Name: c.Organization.Name,
			URL:  firstNonEmpty(c.Organization.WelcomeURL, c.BaseURL),
		},
		ContactURL:       firstNonEmpty(c.ServiceInfo.ContactURL, c.Organization.ContactURL),
		DocumentationURL: c.ServiceInfo.DocumentationURL,
		CreatedAt:        rfc3339(c.CreateDateTime),
		UpdatedAt:        rfc3339(c.UpdateDateTime),
		Environment:      c.Environment,
		Version:          c.Version,
	})
}

// rfc3339 returns s as an RFC 3339 date-time: as is, or a YYYY-MM-DD date at midnight UTC;
// "" for anything else.
func rfc3339(s string) string {
	if _, err := time.Parse(time.RFC3339, s); err == nil {
		return s
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.Format(time.RFC3339)
	}
	return ""
}

type ontologyTermJSON struct {
	ID    string `json:"id"`
	Label string `json:"label,omitempty"`
}

type basicElement struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type schemaReference struct {
	ID                          string `json:"id"`
	Name                        string `json:"name"`
	ReferenceToSchemaDefinition string `json:"referenceToSchemaDefinition"`
	SchemaVersion               string `json:"schemaVersion,omitempty"`
}

type entryTypeDefinition struct {
	ID                           string            `json:"id"`
	Name                         string            `json:"name"`
	Description                  string            `json:"description,omitempty"`
	OntologyTermForThisType      ontologyTermJSON  `json:"ontologyTermForThisType"`
	PartOfSpecification          string            `json:"partOfSpecification"`
	DefaultSchema                schemaReference   `json:"defaultSchema"`
	ACollectionOf                []basicElement    `json:"aCollectionOf,omitempty"`
	AdditionallySupportedSchemas []schemaReference `json:"additionallySupportedSchemas"`
	NonFilteredQueriesAllowed    bool              `json:"nonFilteredQueriesAllowed"`
}

// entryTypesObject renders the entryTypes dictionary in EntryTypes order.
func entryTypesObject(c *Config) orderedObject {
	obj := make(orderedObject, 0, len(EntryTypes))
	for _, e := range EntryTypes {
		def := entryTypeDefinition{
			ID:                      e.ID,
			Name:                    e.Name,
			Description:             e.Description,
			OntologyTermForThisType: ontologyTermJSON{ID: e.OntologyID, Label: e.OntologyLabel},
			PartOfSpecification:     "Beacon " + c.APIVersion,
			DefaultSchema: schemaReference{
				ID:                          e.DefaultSchemaName,
				Name:                        e.DefaultSchemaTitle,
				ReferenceToSchemaDefinition: e.SchemaURL(),
				SchemaVersion:               defaultSchemaVersion,
			},
			AdditionallySupportedSchemas: []schemaReference{},
			NonFilteredQueriesAllowed:    c.NonFilteredQueriesAllowed,
		}
		for _, id := range e.ACollectionOf {
			if m, ok := entryTypeByID(id); ok {
				def.ACollectionOf = append(def.ACollectionOf, basicElement{ID: m.ID, Name: m.Name})
			}
		}
		obj = append(obj, member{e.ID, def})
	}
	return obj
}

type configurationJSON struct {
	Schema             string `json:"$schema"`
	MaturityAttributes struct {
		ProductionStatus string `json:"productionStatus"`
	} `json:"maturityAttributes"`
	SecurityAttributes struct {
		DefaultGranularity string   `json:"defaultGranularity"`
		SecurityLevels     []string `json:"securityLevels"`
	} `json:"securityAttributes"`
	EntryTypes orderedObject `json:"entryTypes"`
}

// ConfigurationResponse is the body of /configuration
// (https://github.com/ga4gh-beacon/beacon-v2/blob/v2.1.1/framework/json/configuration/beaconConfigurationSchema.json).
func ConfigurationResponse(c *Config) []byte {
	var r configurationJSON
	r.Schema = ConfigurationSchemaURL
	r.MaturityAttributes.ProductionStatus = c.ProductionStatus()
	r.SecurityAttributes.DefaultGranularity = c.DefaultGranularity().String()
	r.SecurityAttributes.SecurityLevels = c.SecurityLevels()
	r.EntryTypes = entryTypesObject(c)
	return informational(c, "configuration", "beacon-configuration-v2.0.0", r)
}

// EntryTypesResponse is the body of /entry_types, the same dictionary as in /configuration
// (https://github.com/ga4gh-beacon/beacon-v2/blob/v2.1.1/framework/json/configuration/entryTypesSchema.json).
func EntryTypesResponse(c *Config) []byte {
	return informational(c, "entryType", "beacon-entry-types-v2.0.0", struct {
		Schema     string        `json:"$schema"`
		EntryTypes orderedObject `json:"entryTypes"`
	}{EntryTypesSchemaURL, entryTypesObject(c)})
}

type relatedEndpoint struct {
	URL               string `json:"url"`
	ReturnedEntryType string `json:"returnedEntryType"`
}

type endpointSet struct {
	EntryType         string        `json:"entryType"`
	RootURL           string        `json:"rootUrl"`
	SingleEntryURL    string        `json:"singleEntryUrl"`
	FilteringTermsURL string        `json:"filteringTermsUrl"`
	Endpoints         orderedObject `json:"endpoints,omitempty"`
}

// MapResponse is the body of /map (https://github.com/ga4gh-beacon/beacon-v2/blob/v2.1.1/framework/json/configuration/beaconMapSchema.json): one endpoint set per entry type, keyed
// "<entryTypeId>Endpoints", with absolute rootUrl, singleEntryUrl (template variable {id},
// {variantInternalId} for g_variants) and filteringTermsUrl (the global /filtering_terms).
// related lists the implemented cross-entry endpoints: key = source path segment, values =
// target path segments (e.g. "individuals" -> ["biosamples", "g_variants"]); each becomes
// endpoints.<targetId>Lookup {url: .../individuals/{id}/biosamples, returnedEntryType}.
// Unknown segments are ignored.
func MapResponse(c *Config, related map[string][]string) []byte {
	base := c.BaseURL
	sets := make(orderedObject, 0, len(EntryTypes))
	for _, e := range EntryTypes {
		root := base + "/" + e.PathSegment
		single := root + "/{" + e.IDParam + "}"
		set := endpointSet{
			EntryType:         e.ID,
			RootURL:           root,
			SingleEntryURL:    single,
			FilteringTermsURL: base + "/filtering_terms",
		}
		targets := related[e.PathSegment]
		for _, t := range EntryTypes { // EntryTypes order, each target once
			for _, seg := range targets {
				if seg == t.PathSegment {
					set.Endpoints = append(set.Endpoints, member{
						t.ID + "Lookup",
						relatedEndpoint{URL: single + "/" + t.PathSegment, ReturnedEntryType: t.ID},
					})
					break
				}
			}
		}
		sets = append(sets, member{e.ID + "Endpoints", set})
	}
	return informational(c, "map", "beacon-map-v2.0.0", struct {
		Schema       string        `json:"$schema"`
		EndpointSets orderedObject `json:"endpointSets"`
	}{MapSchemaURL, sets})
}

// orderedObject is a JSON object whose members keep their order.
type orderedObject []member

type member struct {
	key   string
	value any
}

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// mustJSON marshals values built here from plain strings, slices and structs, which cannot
// fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("api: marshalling a framework response: " + err.Error())
	}
	return b
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}
