package api

// The spellings of the Beacon request parameters, in one table: the GET parser reads query
// string names with it, the POST parser body keys, the receivedRequestSummary echo writes its
// keys from it and the network forwards and echoes with it (docs/api.md#variant-queries lists
// them for clients).

// Canonical parameter names: a parameter's GET name, its POST key and its key in
// receivedRequestSummary alike.
const (
	ParamRequestedSchema   = "requestedSchema"
	ParamSkip              = "skip"
	ParamLimit             = "limit"
	ParamIncludeResultsets = "includeResultsetResponses"
	ParamFilters           = "filters"
	ParamGranularity       = "requestedGranularity"
	ParamTestMode          = "testMode"
	ParamDatasetIDs        = "datasetIds"
	ParamAssemblyID        = "assemblyId"
	ParamReferenceName     = "referenceName"
	ParamStart             = "start"
	ParamEnd               = "end"
	ParamReferenceBases    = "referenceBases"
	ParamAlternateBases    = "alternateBases"
	ParamVariantType       = "variantType"
	ParamVariantMinLength  = "variantMinLength"
	ParamVariantMaxLength  = "variantMaxLength"
	ParamMateName          = "mateName"
	ParamGeneID            = "geneId"
	ParamAminoacidChange   = "aminoacidChange"
	ParamGenomicAllele     = "genomicAlleleShortForm"
	// ParamAggregators names the concepts of an aggregated answer (aggregation.go), also
	// spelled as the aggregation proposal and Progenetix do.
	ParamAggregators = "aggregators"
)

// The keys of a POST body (and of receivedRequestSummary) that hold parameters rather than
// being one.
const (
	KeyMeta              = "meta"
	KeyQuery             = "query"
	KeyAPIVersion        = "apiVersion"
	KeyRequestedSchemas  = "requestedSchemas"
	KeyPagination        = "pagination"
	KeyRequestParameters = "requestParameters"
	KeyGVariant          = "g_variant"
	KeyDatasets          = "datasets"
	KeySchema            = "$schema"
)

// paramSpec is one row of the table.
type paramSpec struct {
	name string
	// aliases are other accepted spellings: GET names, and requestParameters keys of a
	// variant parameter.
	aliases []string
	// list: several values, comma-separated and/or repeated (escaped_comma.go).
	list bool
	// variant: a variant parameter, read from requestParameters (flat or under g_variant)
	// and echoed under requestParameters.g_variant.
	variant bool
}

// params is the table. Its order is the order of getSpellings, nothing else.
var params = []paramSpec{
	{name: ParamRequestedSchema, list: true},
	{name: ParamSkip},
	{name: ParamLimit},
	{name: ParamIncludeResultsets},
	{name: ParamFilters, list: true},
	{name: ParamGranularity},
	{name: ParamTestMode},
	{name: ParamDatasetIDs, aliases: []string{KeyDatasets}, list: true},
	{name: ParamAssemblyID, variant: true},
	{name: ParamReferenceName, variant: true},
	{name: ParamStart, list: true, variant: true},
	{name: ParamEnd, list: true, variant: true},
	{name: ParamReferenceBases, variant: true},
	{name: ParamAlternateBases, variant: true},
	{name: ParamVariantType, variant: true},
	{name: ParamVariantMinLength, variant: true},
	{name: ParamVariantMaxLength, variant: true},
	{name: ParamMateName, variant: true},
	{name: ParamGeneID, aliases: []string{"geneid"}, variant: true},
	{name: ParamAminoacidChange, variant: true},
	{name: ParamGenomicAllele, aliases: []string{"allele"}, variant: true},
	{name: ParamAggregators, aliases: []string{"aggregationTerms", "aggregationTermIds"}, list: true},
}

// queryKeys are the keys a POST body's query (or, tolerated, its top level) may hold.
var queryKeys = []string{ParamGranularity, KeyPagination, ParamTestMode, ParamIncludeResultsets, ParamFilters, KeyRequestParameters, ParamAggregators, "aggregationTerms"}

// Derived from params: getSpellings are the accepted GET names and getCanon their canonical
// names, index-aligned, getParamIndex finds a spelling's index; variantParamNames maps the
// requestParameters keys to canonical names; listParams are the list parameters;
// queryKeyWhere names query keys in messages.
var (
	getSpellings      []string
	getCanon          []string
	getParamIndex     = map[string]int{}
	variantParamNames = map[string]string{}
	listParams        = map[string]bool{}
	queryKeyWhere     = map[string]string{}
)

func init() {
	for _, p := range params {
		for _, s := range append([]string{p.name}, p.aliases...) {
			getParamIndex[s] = len(getSpellings)
			getSpellings = append(getSpellings, s)
			getCanon = append(getCanon, p.name)
			if p.variant {
				variantParamNames[s] = p.name
			}
		}
		if p.list {
			listParams[p.name] = true
		}
	}
	if len(getSpellings) > maxGetSpellings {
		panic("api: raise maxGetSpellings")
	}
	for _, k := range queryKeys {
		queryKeyWhere[k] = KeyQuery + "." + k
	}
}

const maxGetSpellings = 32 // >= len(getSpellings)

// The Beacon v1.1 /query parameters beyond those v1 and v2 spell alike (referenceName,
// assemblyId, start, end, referenceBases, alternateBases, variantType, datasetIds): the
// inclusive bracket bounds and the v1 name of includeResultsetResponses.
const (
	V1ParamStartMin                = "startMin"
	V1ParamStartMax                = "startMax"
	V1ParamEndMin                  = "endMin"
	V1ParamEndMax                  = "endMax"
	V1ParamIncludeDatasetResponses = "includeDatasetResponses"
)
