package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
)

// Granularity is a Beacon response granularity. The order matters: a smaller value tells
// less, so the granularity returned is min(requested, allowed).
type Granularity uint8

const (
	Boolean Granularity = iota
	Count
	Record
)

// String returns the Beacon spelling: "boolean", "count" or "record".
func (g Granularity) String() string {
	switch g {
	case Boolean:
		return "boolean"
	case Count:
		return "count"
	case Record:
		return "record"
	}
	return "granularity(" + strconv.Itoa(int(g)) + ")"
}

// MarshalText writes the Beacon spelling, so a Granularity marshals as a JSON string.
func (g Granularity) MarshalText() ([]byte, error) {
	if g > Record {
		return nil, fmt.Errorf("invalid granularity %d", g)
	}
	return []byte(g.String()), nil
}

// UnmarshalText accepts what ParseGranularity accepts.
func (g *Granularity) UnmarshalText(b []byte) error {
	v, ok := ParseGranularity(string(b))
	if !ok {
		return fmt.Errorf("invalid granularity %q (expected boolean, count or record)", b)
	}
	*g = v
	return nil
}

// ParseGranularity reads "boolean", "count" or "record" (case-insensitive, surrounding
// spaces ignored).
func ParseGranularity(s string) (Granularity, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "boolean":
		return Boolean, true
	case "count":
		return Count, true
	case "record":
		return Record, true
	}
	return Boolean, false
}

// SchemaRef is one requested (or returned) schema: {entityType, schema}.
type SchemaRef struct {
	EntityType string `json:"entityType"`
	Schema     string `json:"schema"`
}

// Request is a parsed Beacon request, the same for GET and POST.
type Request struct {
	// APIVersion is the client's apiVersion as received ("2.0", "v2.0.0", ...); "v2.0.0" when
	// absent.
	APIVersion string
	// RequestedSchemas from meta.requestedSchemas (POST) or requestedSchema (GET, EntityType
	// left empty).
	RequestedSchemas []SchemaRef
	// Granularity is the effective requested granularity: requestedGranularity, or
	// Defaults.Granularity when the request has none (GranularityGiven tells which).
	Granularity      Granularity
	GranularityGiven bool
	// IncludeResultsetResponses is HIT (default), MISS, ALL or NONE, upper case.
	IncludeResultsetResponses string
	// Skip and Limit as received (Limit defaults to Defaults.Limit, else 10). The handler
	// applies the configured maximum and the skip unit. Values above math.MaxInt32 are
	// clamped to it, so skip*limit always fits an int64.
	Skip, Limit int
	TestMode    bool
	// Query holds filters, variant parameters and dataset ids; Target and Anchor are filled
	// by the router.
	Query engine.Query
	// EchoFilters is receivedRequestSummary.filters: an array of strings, the filter id for
	// ontology and custom filters and "id:<op><value>" (the GET syntax, e.g. "age:>P70Y") for
	// alphanumeric ones.
	EchoFilters []string
	// EchoParams is receivedRequestSummary.requestParameters, nested so that every value is an
	// object (digest §6.1): {"g_variant": {...normalised variant parameters...}} and
	// {"datasets": {"datasetIds": [...]}}. Nil when the request had none.
	EchoParams map[string]any
	// Warnings lists what was ignored (unknown GET parameters, unknown body keys); the
	// handler can report them in the response info. At most maxWarnings entries.
	Warnings []string
}

// RequestError is a client error (HTTP 400); Msg says exactly what is wrong.
type RequestError struct{ Msg string }

func (e *RequestError) Error() string { return e.Msg }

func reqErrorf(format string, args ...any) *RequestError {
	return &RequestError{Msg: fmt.Sprintf(format, args...)}
}

// Defaults are the values a request gets for what it does not say.
type Defaults struct {
	// Granularity is used when the request has no requestedGranularity (config
	// granularity.default; the spec default is boolean).
	Granularity Granularity
	// Limit is the page size when the request has no limit; 0 means 10.
	Limit int
}

const (
	defaultAPIVersion = "v2.0.0"
	defaultLimit      = 10
	maxWarnings       = 20
	maxQuoted         = 80 // longest piece of client input quoted in a message
)

// canonical parameter names, and their accepted GET spellings (digest §3.2, §5.1).
const (
	pRequestedSchema   = "requestedSchema"
	pSkip              = "skip"
	pLimit             = "limit"
	pIncludeResultsets = "includeResultsetResponses"
	pFilters           = "filters"
	pGranularity       = "requestedGranularity"
	pTestMode          = "testMode"
	pDatasetIDs        = "datasetIds"
	pAssemblyID        = "assemblyId"
	pReferenceName     = "referenceName"
	pStart             = "start"
	pEnd               = "end"
	pReferenceBases    = "referenceBases"
	pAlternateBases    = "alternateBases"
	pVariantType       = "variantType"
	pVariantMinLength  = "variantMinLength"
	pVariantMaxLength  = "variantMaxLength"
	pMateName          = "mateName"
	pGeneID            = "geneId"
	pAminoacidChange   = "aminoacidChange"
	pGenomicAllele     = "genomicAlleleShortForm"
)

// getSpellings are the accepted GET parameter names and getCanon their canonical names,
// index-aligned; getParamIndex finds a spelling's index.
var (
	getSpellings = []string{
		pRequestedSchema, pSkip, pLimit, pIncludeResultsets, pFilters, pGranularity, pTestMode,
		pDatasetIDs, "datasets", pAssemblyID, pReferenceName, pStart, pEnd, pReferenceBases,
		pAlternateBases, pVariantType, pVariantMinLength, pVariantMaxLength, pMateName,
		pGeneID, "geneid", pAminoacidChange, pGenomicAllele, "allele",
	}
	getCanon      = make([]string, len(getSpellings))
	getParamIndex = make(map[string]int, len(getSpellings))
)

func init() {
	if len(getSpellings) > maxGetSpellings {
		panic("api: raise maxGetSpellings")
	}
	alias := map[string]string{"datasets": pDatasetIDs, "geneid": pGeneID, "allele": pGenomicAllele}
	for i, s := range getSpellings {
		getParamIndex[s] = i
		getCanon[i] = s
		if c, ok := alias[s]; ok {
			getCanon[i] = c
		}
	}
}

const maxGetSpellings = 32 // >= len(getSpellings)

// variantParamNames maps the requestParameters keys (flat or under g_variant) to canonical
// names.
var variantParamNames = map[string]string{
	pAssemblyID: pAssemblyID, pReferenceName: pReferenceName, pStart: pStart, pEnd: pEnd,
	pReferenceBases: pReferenceBases, pAlternateBases: pAlternateBases,
	pVariantType: pVariantType, pVariantMinLength: pVariantMinLength,
	pVariantMaxLength: pVariantMaxLength, pMateName: pMateName,
	pGeneID: pGeneID, "geneid": pGeneID, pAminoacidChange: pAminoacidChange,
	pGenomicAllele: pGenomicAllele, "allele": pGenomicAllele,
}

// listParams take several values: comma-separated and/or repeated.
var listParams = map[string]bool{
	pRequestedSchema: true, pFilters: true, pDatasetIDs: true, pStart: true, pEnd: true,
}

// builder accumulates one request; GET and POST feed it the same way.
type builder struct {
	req      *Request
	v        engine.VariantQuery
	vGiven   bool
	seen     map[string]string // canonical name -> where it was given (for duplicates)
	echoV    map[string]any
	warnings int
}

func newBuilder(d Defaults) *builder {
	limit := d.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	g := d.Granularity
	if g > Record {
		g = Boolean
	}
	return &builder{
		req: &Request{
			APIVersion:                defaultAPIVersion,
			Granularity:               g,
			IncludeResultsetResponses: "HIT",
			Limit:                     limit,
		},
		v: engine.VariantQuery{VariantMinLength: -1, VariantMaxLength: -1},
	}
}

func (b *builder) warn(format string, args ...any) {
	b.warnings++
	switch {
	case b.warnings < maxWarnings:
		b.req.Warnings = append(b.req.Warnings, fmt.Sprintf(format, args...))
	case b.warnings == maxWarnings:
		b.req.Warnings = append(b.req.Warnings, "further warnings omitted")
	}
}

// markSeen records that canonical parameter canon was given as where; a second, different
// spelling or location of the same scalar parameter is an error.
func (b *builder) markSeen(canon, where string) error {
	if b.seen == nil {
		b.seen = make(map[string]string, 8)
	}
	if prev, ok := b.seen[canon]; ok && !listParams[canon] {
		return reqErrorf("parameter %s given twice (as %s and as %s)", quote(canon), quote(prev), quote(where))
	}
	if _, ok := b.seen[canon]; !ok {
		b.seen[canon] = where
	}
	return nil
}

// finish checks the cross-parameter rules and fills Query.Variant and the echoes.
func (b *builder) finish() (*Request, error) {
	r := b.req
	if b.vGiven {
		v := b.v
		if len(v.End) > 0 && len(v.Start) == 0 {
			return nil, reqErrorf("parameter 'end' given without 'start'")
		}
		if v.VariantMinLength >= 0 && v.VariantMaxLength >= 0 && v.VariantMinLength > v.VariantMaxLength {
			return nil, reqErrorf("variantMinLength (%d) is greater than variantMaxLength (%d)", v.VariantMinLength, v.VariantMaxLength)
		}
		r.Query.Variant = &v
		if len(b.echoV) > 0 {
			r.EchoParams = map[string]any{"g_variant": b.echoV}
		}
	}
	if len(r.Query.DatasetIDs) > 0 {
		if r.EchoParams == nil {
			r.EchoParams = make(map[string]any, 1)
		}
		r.EchoParams["datasets"] = map[string]any{"datasetIds": r.Query.DatasetIDs}
	}
	return r, nil
}

// apply sets canonical parameter canon from vals. For list parameters vals are the items
// (already split); for scalar parameters every value must be the same. where names the
// parameter as the client wrote it, for messages.
func (b *builder) apply(canon, where string, vals []string) error {
	if err := b.markSeen(canon, where); err != nil {
		return err
	}
	if listParams[canon] {
		return b.applyList(canon, where, vals)
	}
	if len(vals) == 0 {
		return nil
	}
	s := strings.TrimSpace(vals[0])
	for _, o := range vals[1:] {
		if strings.TrimSpace(o) != s {
			return reqErrorf("parameter %s given more than once with different values", quote(where))
		}
	}
	r := b.req
	switch canon {
	case pSkip, pLimit:
		if s == "" {
			return nil
		}
		n, err := parseCount(where, s)
		if err != nil {
			return err
		}
		if canon == pSkip {
			r.Skip = n
		} else {
			r.Limit = n
		}
	case pIncludeResultsets:
		if s == "" {
			return nil
		}
		u := strings.ToUpper(s)
		switch u {
		case "HIT", "MISS", "ALL", "NONE":
			r.IncludeResultsetResponses = u
		default:
			return reqErrorf("%s must be one of HIT, MISS, ALL, NONE; got %s", where, quote(s))
		}
	case pGranularity:
		if s == "" {
			return nil
		}
		g, ok := ParseGranularity(s)
		if !ok {
			return reqErrorf("%s must be one of boolean, count, record; got %s", where, quote(s))
		}
		r.Granularity, r.GranularityGiven = g, true
	case pTestMode:
		if s == "" { // a bare ?testMode switches it on
			r.TestMode = true
			return nil
		}
		t, err := strconv.ParseBool(strings.ToLower(s))
		if err != nil {
			return reqErrorf("%s must be true or false; got %s", where, quote(s))
		}
		r.TestMode = t
	case pReferenceBases, pAlternateBases:
		// An empty value is real here: insertion (ref) or deletion (alt), digest §5.1.
		bases, ok := normBases(s)
		if !ok {
			return reqErrorf("%s must contain only IUPAC bases (ACGTUNRYSWKMBDHV), '-' or '.'; got %s", where, quote(s))
		}
		b.vGiven = true
		if canon == pReferenceBases {
			b.v.ReferenceBases = &bases
		} else {
			b.v.AlternateBases = &bases
		}
		b.echo(canon, bases)
	case pVariantMinLength, pVariantMaxLength:
		if s == "" {
			return nil
		}
		n, err := parseCoord(where, s)
		if err != nil {
			return err
		}
		b.vGiven = true
		if canon == pVariantMinLength {
			b.v.VariantMinLength = n
		} else {
			b.v.VariantMaxLength = n
		}
		b.echo(canon, n)
	case pAssemblyID, pReferenceName, pVariantType, pMateName, pGeneID, pAminoacidChange, pGenomicAllele:
		if s == "" {
			return nil
		}
		b.vGiven = true
		switch canon {
		case pAssemblyID:
			b.v.AssemblyID = s
		case pReferenceName:
			b.v.ReferenceName = s
		case pVariantType:
			b.v.VariantType = s
		case pMateName:
			b.v.MateName = s
		case pGeneID:
			b.v.GeneID = s
		case pAminoacidChange:
			b.v.AminoacidChange = s
		case pGenomicAllele:
			b.v.GenomicAlleleShortForm = s
		}
		b.echo(canon, s)
	default:
		return reqErrorf("internal: unhandled parameter %s", quote(canon))
	}
	return nil
}

func (b *builder) applyList(canon, where string, items []string) error {
	r := b.req
	switch canon {
	case pRequestedSchema:
		for _, it := range items {
			if it = strings.TrimSpace(it); it != "" {
				r.RequestedSchemas = append(r.RequestedSchemas, SchemaRef{Schema: it})
			}
		}
	case pFilters:
		for _, it := range items {
			if strings.TrimSpace(it) == "" {
				continue
			}
			f, echo, err := parseFilterItem(it)
			if err != nil {
				return err
			}
			r.Query.Filters = append(r.Query.Filters, f)
			r.EchoFilters = append(r.EchoFilters, echo)
		}
	case pDatasetIDs:
	outer:
		for _, it := range items {
			if it = strings.TrimSpace(it); it == "" {
				continue
			}
			for _, have := range r.Query.DatasetIDs {
				if have == it {
					continue outer
				}
			}
			r.Query.DatasetIDs = append(r.Query.DatasetIDs, it)
		}
	case pStart, pEnd:
		var dst *[]int64
		if canon == pStart {
			dst = &b.v.Start
		} else {
			dst = &b.v.End
		}
		var vals []string
		for _, it := range items {
			if it = strings.TrimSpace(it); it == "" {
				if len(items) == 1 {
					break // "start=" is the same as no start
				}
				return reqErrorf("%s has an empty value", where)
			}
			vals = append(vals, it)
		}
		if n := len(*dst) + len(vals); n > 2 {
			return reqErrorf("%s takes 1 or 2 values; got %d", where, n)
		}
		for _, it := range vals {
			c, err := parseCoord(where, it)
			if err != nil {
				return err
			}
			*dst = append(*dst, c)
		}
		if len(vals) > 0 {
			b.vGiven = true
			b.echo(canon, *dst)
		}
	}
	return nil
}

func (b *builder) echo(canon string, v any) {
	if b.echoV == nil {
		b.echoV = make(map[string]any, 4)
	}
	b.echoV[canon] = v
}

// parseCount reads skip/limit: a non-negative integer, clamped to math.MaxInt32.
func parseCount(where, s string) (int, error) {
	digits := strings.TrimPrefix(s, "+")
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, reqErrorf("%s must be a non-negative integer; got %s", where, quote(s))
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > math.MaxInt32 { // only a range error is possible: clamp
		return math.MaxInt32, nil
	}
	return int(n), nil
}

// parseCoord reads a coordinate or length: a non-negative 64-bit integer.
func parseCoord(where, s string) (int64, error) {
	digits := strings.TrimPrefix(s, "+")
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, reqErrorf("%s must be a non-negative integer; got %s", where, quote(s))
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, reqErrorf("%s value %s is out of range", where, quote(s))
	}
	return n, nil
}

// normBases validates referenceBases/alternateBases against ^[ACGTUNRYSWKMBDHV\-\.]*$
// (case-insensitive) and returns them upper case.
func normBases(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] | 0x20 { // lower-case letters; '-' (0x2d) and '.' (0x2e) are unchanged
		case 'a', 'c', 'g', 't', 'u', 'n', 'r', 'y', 's', 'w', 'k', 'm', 'b', 'd', 'h', 'v', '-', '.':
		default:
			return "", false
		}
	}
	return strings.ToUpper(s), true
}

// ParseGET parses the query string of a GET request. Unknown parameters are ignored and
// listed in Request.Warnings.
func ParseGET(args *fasthttp.Args, defaults Defaults) (*Request, error) {
	b := newBuilder(defaults)
	if args == nil {
		return b.finish()
	}
	// Group the values by spelling, in the order of first appearance; copy the bytes
	// (fasthttp reuses them). Unknown names are reported once each.
	var (
		vals  [maxGetSpellings][]string
		order [maxGetSpellings]uint8
		n     int
	)
	for k, v := range args.All() {
		i, ok := getParamIndex[string(k)]
		if !ok {
			msg := "unknown parameter " + quote(string(k)) + " ignored"
			if !slices.Contains(b.req.Warnings, msg) {
				b.warn("%s", msg)
			}
			continue
		}
		if vals[i] == nil {
			order[n] = uint8(i)
			n++
		}
		vals[i] = append(vals[i], string(v))
	}
	for _, i := range order[:n] {
		canon, vs := getCanon[i], vals[i]
		if listParams[canon] {
			vs = splitAll(vs)
		}
		if err := b.apply(canon, getSpellings[i], vs); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// splitAll splits every value on commas (digest §3.2: comma lists and repeated params).
func splitAll(vals []string) []string {
	if len(vals) == 1 && !strings.Contains(vals[0], ",") {
		return vals
	}
	var out []string
	for _, v := range vals {
		out = append(out, strings.Split(v, ",")...)
	}
	return out
}

// Alphanumeric filter operators, longest first.
var operators = []string{">=", "<=", "!=", "=", "!", ">", "<"}

// parseFilterItem reads one GET filter item (digest §4):
//   - with an operator character (< > = !): alphanumeric "ID[:]OPVALUE", e.g. "age:>P70Y",
//     "PATO_0000011:>P70Y", "HP_0032443:!unknown medical history", "libraryStrategy=WGS".
//     The id is the text before the first operator character, minus one trailing ':'; an id
//     of the form PREFIX_DIGITS (the CURIE colon written as '_') becomes PREFIX:DIGITS.
//     "!=" is accepted for "!".
//   - otherwise a term id: an ontology filter (descendants included) when it contains ':'
//     (any "X:Y" is read as a CURIE), else a custom filter.
func parseFilterItem(item string) (engine.Filter, string, error) {
	item = strings.TrimSpace(item)
	i := strings.IndexAny(item, "<>=!")
	if i < 0 {
		return termFilter(item), item, nil
	}
	id := strings.TrimSpace(strings.TrimSuffix(item[:i], ":"))
	rest := item[i:]
	op := ""
	for _, o := range operators {
		if strings.HasPrefix(rest, o) {
			op = o
			break
		}
	}
	value := strings.TrimSpace(rest[len(op):])
	if id == "" {
		return engine.Filter{}, "", reqErrorf("filter %s has no id before the operator", quote(item))
	}
	if value == "" {
		return engine.Filter{}, "", reqErrorf("filter %s has no value after the operator %s", quote(item), quote(op))
	}
	f := alphanumericFilter(id, normOperator(op), value)
	return f, echoFilter(f), nil
}

// termFilter is an ontology filter (id with ':') or a custom filter (without).
func termFilter(id string) engine.Filter {
	if strings.Contains(id, ":") {
		return engine.Filter{Kind: engine.OntologyFilter, ID: id, IncludeDescendants: true}
	}
	return engine.Filter{Kind: engine.CustomFilter, ID: id}
}

func alphanumericFilter(id, op, value string) engine.Filter {
	return engine.Filter{Kind: engine.AlphanumericFilter, ID: underscoreCURIE(id), Operator: op, Value: value}
}

// underscoreCURIE turns PREFIX_DIGITS (letters, '_', digits) into PREFIX:DIGITS, the GET
// spelling of a CURIE id in alphanumeric filters (e.g. PATO_0000011 -> PATO:0000011).
func underscoreCURIE(id string) string {
	u := strings.IndexByte(id, '_')
	if u <= 0 || u == len(id)-1 {
		return id
	}
	for _, c := range id[:u] {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return id
		}
	}
	for _, c := range id[u+1:] {
		if c < '0' || c > '9' {
			return id
		}
	}
	return id[:u] + ":" + id[u+1:]
}

func normOperator(op string) string {
	if op == "!=" {
		return "!"
	}
	return op
}

// echoFilter is the receivedRequestSummary.filters string of f.
func echoFilter(f engine.Filter) string {
	if f.Kind == engine.AlphanumericFilter {
		return f.ID + ":" + f.Operator + f.Value
	}
	return f.ID
}

// scopeNames maps accepted filter scope spellings (lower case) to entities.
var scopeNames = map[string]release.Entity{
	"individual": release.Individual, "individuals": release.Individual,
	"biosample": release.Biosample, "biosamples": release.Biosample,
	"run": release.Run, "runs": release.Run,
	"analysis": release.Analysis, "analyses": release.Analysis,
	"genomicvariation": release.GenomicVariation, "genomicvariations": release.GenomicVariation,
	"genomicvariant": release.GenomicVariation, "genomicvariants": release.GenomicVariation,
	"g_variant": release.GenomicVariation, "g_variants": release.GenomicVariation,
	"dataset": release.Dataset, "datasets": release.Dataset,
	"cohort": release.Cohort, "cohorts": release.Cohort,
}

// ParseScope reads a filter scope: an entry type name, singular or plural, any case
// ("individual", "biosamples", "g_variants", "genomicVariation", ...).
func ParseScope(s string) (release.Entity, bool) {
	e, ok := scopeNames[strings.ToLower(strings.TrimSpace(s))]
	return e, ok
}

// ParsePOST parses a POST body (framework/json/requests/beaconRequestBody.json). An empty
// body gives the defaults. Tolerated beyond the schema (digest §3.1): requestedGranularity,
// pagination, testMode, includeResultsetResponses, filters and requestParameters at the top
// level (query wins when both are given); requestParameters flat or nested under g_variant;
// numbers written as strings of digits; start/end as one number or an array; bare string
// filters (read with the GET filter syntax).
func ParsePOST(body []byte, defaults Defaults) (*Request, error) {
	b := newBuilder(defaults)
	if len(bytes.TrimSpace(body)) == 0 {
		return b.finish()
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, reqErrorf("invalid JSON body: %s", jsonErrText(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, reqErrorf("invalid JSON body: unexpected data after the top-level value")
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return nil, reqErrorf("request body must be a JSON object; got %s", jsonType(doc))
	}
	if err := b.postMeta(top["meta"]); err != nil {
		return nil, err
	}
	var query map[string]any
	switch q := top["query"].(type) {
	case nil:
	case map[string]any:
		query = q
	default:
		return nil, reqErrorf("query must be an object; got %s", jsonType(q))
	}
	for k := range top {
		switch k {
		case "$schema", "meta", "query":
		case "requestedGranularity", "pagination", "testMode", "includeResultsetResponses", "filters", "requestParameters":
		default:
			b.warn("unknown key %s in the request body ignored", quote(k))
		}
	}
	for k := range query {
		switch k {
		case "requestedGranularity", "pagination", "testMode", "includeResultsetResponses", "filters", "requestParameters", "$schema":
		default:
			b.warn("unknown key %s in query ignored", quote("query."+k))
		}
	}
	// pick returns the value of key from query, else from the top level.
	pick := func(key string) (any, string) {
		if v, ok := query[key]; ok && v != nil {
			return v, "query." + key
		}
		if v, ok := top[key]; ok && v != nil {
			return v, key
		}
		return nil, ""
	}
	if v, where := pick("requestedGranularity"); v != nil {
		if err := b.postScalar(pGranularity, where, v, false); err != nil {
			return nil, err
		}
	}
	if v, where := pick("includeResultsetResponses"); v != nil {
		if err := b.postScalar(pIncludeResultsets, where, v, false); err != nil {
			return nil, err
		}
	}
	if v, where := pick("testMode"); v != nil {
		if err := b.postScalar(pTestMode, where, v, true); err != nil {
			return nil, err
		}
	}
	if v, where := pick("pagination"); v != nil {
		p, ok := v.(map[string]any)
		if !ok {
			return nil, reqErrorf("%s must be an object; got %s", where, jsonType(v))
		}
		for _, k := range []string{pSkip, pLimit} {
			if pv, ok := p[k]; ok && pv != nil {
				if err := b.postScalar(k, where+"."+k, pv, false); err != nil {
					return nil, err
				}
			}
		}
	}
	if v, where := pick("requestParameters"); v != nil {
		if err := b.postParams(where, v); err != nil {
			return nil, err
		}
	}
	if v, where := pick("filters"); v != nil {
		if err := b.postFilters(where, v); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

func (b *builder) postMeta(v any) error {
	if v == nil {
		return nil
	}
	meta, ok := v.(map[string]any)
	if !ok {
		return reqErrorf("meta must be an object; got %s", jsonType(v))
	}
	if av, ok := meta["apiVersion"]; ok && av != nil {
		var s string
		switch x := av.(type) {
		case string:
			s = x
		case json.Number: // 2.0 stays "2.0"
			s = x.String()
		default:
			return reqErrorf("meta.apiVersion must be a string; got %s", jsonType(av))
		}
		if s = strings.TrimSpace(s); s != "" {
			b.req.APIVersion = s
		}
	}
	rs, ok := meta["requestedSchemas"]
	if !ok || rs == nil {
		return nil
	}
	arr, ok := rs.([]any)
	if !ok {
		return reqErrorf("meta.requestedSchemas must be an array; got %s", jsonType(rs))
	}
	for i, it := range arr {
		switch x := it.(type) {
		case string: // lenient: a bare schema name
			if x = strings.TrimSpace(x); x != "" {
				b.req.RequestedSchemas = append(b.req.RequestedSchemas, SchemaRef{Schema: x})
			}
		case map[string]any:
			var ref SchemaRef
			for _, f := range []struct {
				keys []string
				dst  *string
			}{{[]string{"entityType"}, &ref.EntityType}, {[]string{"schema", "schema:"}, &ref.Schema}} {
				for _, k := range f.keys { // "schema:" is a typo in the spec's docs examples
					if sv, ok := x[k]; ok && sv != nil {
						s, ok := sv.(string)
						if !ok {
							return reqErrorf("meta.requestedSchemas[%d].%s must be a string; got %s", i, f.keys[0], jsonType(sv))
						}
						*f.dst = strings.TrimSpace(s)
					}
				}
			}
			if ref.EntityType != "" || ref.Schema != "" {
				b.req.RequestedSchemas = append(b.req.RequestedSchemas, ref)
			}
		case nil:
		default:
			return reqErrorf("meta.requestedSchemas[%d] must be an object; got %s", i, jsonType(it))
		}
	}
	return nil
}

// postScalar applies one scalar JSON value (string, number, or bool when allowBool).
func (b *builder) postScalar(canon, where string, v any, allowBool bool) error {
	s, ok := jsonScalarText(v, allowBool)
	if !ok {
		want := "a string or a number"
		switch canon {
		case pSkip, pLimit, pVariantMinLength, pVariantMaxLength:
			want = "a non-negative integer"
		case pTestMode:
			want = "a boolean"
		case pGranularity, pIncludeResultsets, pReferenceBases, pAlternateBases:
			want = "a string"
		}
		return reqErrorf("%s must be %s; got %s", where, want, jsonType(v))
	}
	if canon == pTestMode {
		if _, isNum := v.(json.Number); isNum {
			return reqErrorf("%s must be a boolean; got a number", where)
		}
	}
	return b.apply(canon, where, []string{s})
}

// postList applies a list parameter given as one scalar (a string is split on commas), an
// array of scalars, or null.
func (b *builder) postList(canon, where string, v any) error {
	switch x := v.(type) {
	case nil:
		return b.markSeen(canon, where)
	case string:
		return b.apply(canon, where, strings.Split(x, ","))
	case json.Number:
		s, _ := jsonScalarText(x, false)
		return b.apply(canon, where, []string{s})
	case []any:
		items := make([]string, 0, len(x))
		for i, it := range x {
			s, ok := jsonScalarText(it, false)
			if !ok {
				return reqErrorf("%s[%d] must be a string or a number; got %s", where, i, jsonType(it))
			}
			if strings.TrimSpace(s) == "" && (canon == pStart || canon == pEnd) {
				return reqErrorf("%s[%d] is empty", where, i)
			}
			items = append(items, s)
		}
		return b.apply(canon, where, items)
	}
	if canon == pStart || canon == pEnd {
		return reqErrorf("%s must be an integer or an array of 1 or 2 integers; got %s", where, jsonType(v))
	}
	return reqErrorf("%s must be an array of strings; got %s", where, jsonType(v))
}

// postParams reads requestParameters: flat variant parameters, g_variant (nested), datasets
// ({"datasetIds": [...]} or an array) and a flat datasetIds.
func (b *builder) postParams(where string, v any) error {
	rp, ok := v.(map[string]any)
	if !ok {
		return reqErrorf("%s must be an object; got %s", where, jsonType(v))
	}
	for _, k := range sortedKeys(rp) {
		val := rp[k]
		kw := where + "." + k
		switch k {
		case "g_variant", "g_variants":
			if val == nil {
				continue
			}
			gv, ok := val.(map[string]any)
			if !ok {
				return reqErrorf("%s must be an object; got %s", kw, jsonType(val))
			}
			for _, gk := range sortedKeys(gv) {
				canon, ok := variantParamNames[gk]
				if !ok {
					b.warn("unknown variant parameter %s ignored", quote(kw+"."+gk))
					continue
				}
				if err := b.postVariant(canon, kw+"."+gk, gv[gk]); err != nil {
					return err
				}
			}
		case "datasets":
			switch d := val.(type) {
			case nil:
			case map[string]any:
				for _, dk := range sortedKeys(d) {
					if dk != pDatasetIDs {
						b.warn("unknown key %s ignored", quote(kw+"."+dk))
						continue
					}
					if err := b.postList(pDatasetIDs, kw+"."+dk, d[dk]); err != nil {
						return err
					}
				}
			default:
				if err := b.postList(pDatasetIDs, kw, val); err != nil {
					return err
				}
			}
		case pDatasetIDs:
			if err := b.postList(pDatasetIDs, kw, val); err != nil {
				return err
			}
		case "$schema":
		default:
			canon, ok := variantParamNames[k]
			if !ok {
				b.warn("unknown request parameter %s ignored", quote(kw))
				continue
			}
			if err := b.postVariant(canon, kw, val); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *builder) postVariant(canon, where string, v any) error {
	if v == nil {
		return nil
	}
	if listParams[canon] {
		return b.postList(canon, where, v)
	}
	switch canon {
	case pReferenceBases, pAlternateBases:
		if _, ok := v.(string); !ok {
			return reqErrorf("%s must be a string; got %s", where, jsonType(v))
		}
	}
	return b.postScalar(canon, where, v, false)
}

// postFilters reads the filters array: objects {id, operator, value, scope,
// includeDescendantTerms, similarity} or bare strings (GET syntax).
func (b *builder) postFilters(where string, v any) error {
	arr, ok := v.([]any)
	if !ok {
		return reqErrorf("%s must be an array; got %s", where, jsonType(v))
	}
	r := b.req
	for i, it := range arr {
		w := fmt.Sprintf("%s[%d]", where, i)
		var f engine.Filter
		var echo string
		switch x := it.(type) {
		case nil:
			continue
		case string:
			if strings.TrimSpace(x) == "" {
				return reqErrorf("%s is an empty string", w)
			}
			var err error
			if f, echo, err = parseFilterItem(x); err != nil {
				return err
			}
		case map[string]any:
			var err error
			if f, err = postFilter(w, x); err != nil {
				return err
			}
			echo = echoFilter(f)
		default:
			return reqErrorf("%s must be an object; got %s", w, jsonType(it))
		}
		r.Query.Filters = append(r.Query.Filters, f)
		r.EchoFilters = append(r.EchoFilters, echo)
	}
	return nil
}

func postFilter(w string, x map[string]any) (engine.Filter, error) {
	str := func(key string, allowScalar bool) (string, bool, error) {
		v, ok := x[key]
		if !ok || v == nil {
			return "", false, nil
		}
		if allowScalar {
			if s, ok := jsonScalarText(v, true); ok {
				return s, true, nil
			}
		} else if s, ok := v.(string); ok {
			return s, true, nil
		}
		return "", false, reqErrorf("%s.%s must be a string; got %s", w, key, jsonType(v))
	}
	id, ok, err := str("id", false)
	if err != nil {
		return engine.Filter{}, err
	}
	if id = strings.TrimSpace(id); !ok || id == "" {
		return engine.Filter{}, reqErrorf("%s has no id", w)
	}
	op, hasOp, err := str("operator", false)
	if err != nil {
		return engine.Filter{}, err
	}
	value, hasValue, err := str("value", true)
	if err != nil {
		return engine.Filter{}, err
	}
	var f engine.Filter
	if hasOp || hasValue {
		op = strings.TrimSpace(op)
		if !hasOp || op == "" {
			op = "="
		}
		known := false
		for _, o := range operators {
			known = known || o == op
		}
		if !known {
			return engine.Filter{}, reqErrorf("%s.operator %s is not one of =, !, <, >, <=, >=", w, quote(op))
		}
		if !hasValue {
			return engine.Filter{}, reqErrorf("%s has operator %s but no value", w, quote(op))
		}
		f = alphanumericFilter(id, normOperator(op), strings.TrimSpace(value))
	} else {
		f = termFilter(id)
	}
	if s, ok, err := str("scope", false); err != nil {
		return engine.Filter{}, err
	} else if ok && strings.TrimSpace(s) != "" {
		e, ok := ParseScope(s)
		if !ok {
			return engine.Filter{}, reqErrorf("%s.scope %s is not an entry type (individual, biosample, run, analysis, genomicVariation, dataset, cohort)", w, quote(s))
		}
		f.Scope = e
	}
	if v, ok := x["includeDescendantTerms"]; ok && v != nil {
		var inc bool
		switch t := v.(type) {
		case bool:
			inc = t
		case string:
			bv, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(t)))
			if err != nil {
				return engine.Filter{}, reqErrorf("%s.includeDescendantTerms must be true or false; got %s", w, quote(t))
			}
			inc = bv
		default:
			return engine.Filter{}, reqErrorf("%s.includeDescendantTerms must be a boolean; got %s", w, jsonType(v))
		}
		if f.Kind == engine.OntologyFilter {
			f.IncludeDescendants = inc
		}
	}
	if s, ok, err := str("similarity", false); err != nil {
		return engine.Filter{}, err
	} else if ok {
		s = strings.ToLower(strings.TrimSpace(s))
		switch s {
		case "", "exact", "high", "medium", "low":
			f.Similarity = s
		default:
			return engine.Filter{}, reqErrorf("%s.similarity %s is not one of exact, high, medium, low", w, quote(s))
		}
	}
	return f, nil
}

// jsonScalarText returns the text of a JSON string or number (and bool when allowBool).
// Integral numbers written with a fraction or exponent (10.0, 1e3) become plain integers.
func jsonScalarText(v any, allowBool bool) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		s := x.String()
		if _, err := strconv.ParseInt(s, 10, 64); err == nil {
			return s, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) {
			return strconv.FormatFloat(f, 'f', -1, 64), true // 1e3 -> "1000"
		}
		return s, true
	case bool:
		if allowBool {
			return strconv.FormatBool(x), true
		}
	}
	return "", false
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func jsonErrText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	return err.Error()
}

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

// quote puts client input between single quotes for a message: at most maxQuoted bytes,
// valid UTF-8, control characters escaped.
func quote(s string) string {
	cut := false
	if len(s) > maxQuoted {
		n := maxQuoted
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s, cut = s[:n], true
	}
	var sb strings.Builder
	sb.Grow(len(s) + 2)
	sb.WriteByte('\'')
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if unicode.IsControl(r) {
			fmt.Fprintf(&sb, "\\x%02x", r)
			continue
		}
		sb.WriteRune(r)
	}
	if cut {
		sb.WriteString("…")
	}
	sb.WriteByte('\'')
	return sb.String()
}
