package api

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/bitbeacon/bitbeacon/engine"
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
	// Skip and Limit as received (Limit defaults to Defaults.Limit). The handler
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
	// object (https://github.com/ga4gh-beacon/beacon-v2/blob/v2.1.1/framework/json/requests/requestParameters.json): {"g_variant": {...normalised variant parameters...}} and
	// {"datasets": {"datasetIds": [...]}}. Nil when the request had none.
	EchoParams map[string]any
	// Aggregated: requestedGranularity was "aggregated" (Granularity is then Count, what
	// the answer needs at least); Aggregators the concepts asked for (aggregation.go).
	Aggregated  bool
	Aggregators []string
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

// Defaults are the values a request gets for what it does not say.
type Defaults struct {
	// Granularity is used when the request has no requestedGranularity (config
	// granularity.default; the spec default is boolean).
	Granularity Granularity
	// Limit is the page size when the request has no limit; 0 means DefaultPagination's.
	Limit int
	// MaxFilters is limits.maxFilters, checked while a POST body's filters are decoded
	// (filter_cap.go) so that a body of thousands is not decoded in full; 0: no cap there.
	MaxFilters int
}

const (
	defaultAPIVersion = "v2.0.0"
	maxWarnings       = 20
	maxQuoted         = 80 // longest piece of client input quoted in a message
)

// builder accumulates one request; GET and POST feed it the same way. A builder and its
// Request may be pooled (requestState): reset keeps their slices' memory.
type builder struct {
	req      *Request
	v        engine.VariantQuery
	vGiven   bool
	seen     []seenParam // canonical names given so far, for duplicates
	echoV    map[string]any
	warnings int
	// arena holds the bytes of the GET values the request's strings point into (str).
	arena []byte
	// maxFilters is Defaults.MaxFilters.
	maxFilters int
	// getVals groups GET values by spelling; split holds a list's items (reused per list).
	getVals [maxGetSpellings][]string
	split   []string
}

type seenParam struct{ canon, where string }

func newBuilder(d Defaults) *builder {
	b := &builder{req: new(Request)}
	b.reset(d)
	return b
}

// reset readies b and its Request for a new request with defaults d.
func (b *builder) reset(d Defaults) {
	limit := d.Limit
	if limit <= 0 {
		limit = DefaultPagination().DefaultLimit
	}
	g := d.Granularity
	if g > Record {
		g = Boolean
	}
	r := b.req
	*r = Request{
		APIVersion:                defaultAPIVersion,
		Granularity:               g,
		IncludeResultsetResponses: "HIT",
		Limit:                     limit,
		RequestedSchemas:          r.RequestedSchemas[:0],
		Query:                     engine.Query{Filters: r.Query.Filters[:0], DatasetIDs: r.Query.DatasetIDs[:0]},
		EchoFilters:               r.EchoFilters[:0],
		Aggregators:               r.Aggregators[:0],
		Warnings:                  r.Warnings[:0],
	}
	b.v = engine.VariantQuery{VariantMinLength: -1, VariantMaxLength: -1, Start: b.v.Start[:0], End: b.v.End[:0]}
	b.vGiven, b.seen, b.echoV, b.warnings, b.arena = false, b.seen[:0], nil, 0, b.arena[:0]
	b.maxFilters = d.MaxFilters
}

// str returns a string of p's bytes, copied into the arena: one growing buffer instead of
// a string per value. Its strings are valid while the request is (the arena's bytes are
// rewritten by the next request of a pooled builder, never changed before): whatever
// outlives the request (messages, warnings) is copied by the code that keeps it.
func (b *builder) str(p []byte) string {
	if len(p) == 0 {
		return ""
	}
	if cap(b.arena)-len(b.arena) < len(p) {
		// A new buffer: the strings handed out so far keep the old one alive.
		b.arena = make([]byte, 0, max(2*cap(b.arena), len(p), 256))
	}
	start := len(b.arena)
	b.arena = append(b.arena, p...)
	return unsafe.String(&b.arena[start], len(p))
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
	for _, p := range b.seen {
		if p.canon != canon {
			continue
		}
		if !listParams[canon] {
			return reqErrorf("parameter %s given twice (as %s and as %s)", quote(canon), quote(p.where), quote(where))
		}
		return nil
	}
	b.seen = append(b.seen, seenParam{canon, where})
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
		b.v = v
		r.Query.Variant = &b.v
		if len(b.echoV) > 0 {
			r.EchoParams = map[string]any{KeyGVariant: b.echoV}
		}
	}
	if len(r.Query.DatasetIDs) > 0 {
		if r.EchoParams == nil {
			r.EchoParams = make(map[string]any, 1)
		}
		r.EchoParams[KeyDatasets] = map[string]any{ParamDatasetIDs: r.Query.DatasetIDs}
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
	case ParamSkip, ParamLimit:
		if s == "" {
			return nil
		}
		n, err := parseCount(where, s)
		if err != nil {
			return err
		}
		if canon == ParamSkip {
			r.Skip = n
		} else {
			r.Limit = n
		}
	case ParamIncludeResultsets:
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
	case ParamGranularity:
		if s == "" {
			return nil
		}
		if strings.EqualFold(strings.TrimSpace(s), granularityAggregated) {
			r.Granularity, r.GranularityGiven, r.Aggregated = Count, true, true
			return nil
		}
		g, ok := ParseGranularity(s)
		if !ok {
			return reqErrorf("%s must be one of boolean, count, aggregated, record; got %s", where, quote(s))
		}
		r.Granularity, r.GranularityGiven, r.Aggregated = g, true, false
	case ParamTestMode:
		if s == "" { // a bare ?testMode switches it on
			r.TestMode = true
			return nil
		}
		t, err := strconv.ParseBool(strings.ToLower(s))
		if err != nil {
			return reqErrorf("%s must be true or false; got %s", where, quote(s))
		}
		r.TestMode = t
	case ParamReferenceBases, ParamAlternateBases:
		// An empty value is real here: insertion (ref) or deletion (alt), as
		// models/json/beacon-v2-default-model/genomicVariations/requestParametersComponents.json says.
		bases, ok := normBases(s)
		if !ok {
			return reqErrorf("%s must contain only IUPAC bases (ACGTUNRYSWKMBDHV), '-' or '.'; got %s", where, quote(s))
		}
		b.vGiven = true
		if canon == ParamReferenceBases {
			b.v.ReferenceBases = &bases
		} else {
			b.v.AlternateBases = &bases
		}
		b.echo(canon, bases)
	case ParamVariantMinLength, ParamVariantMaxLength:
		if s == "" {
			return nil
		}
		n, err := parseCoord(where, s)
		if err != nil {
			return err
		}
		b.vGiven = true
		if canon == ParamVariantMinLength {
			b.v.VariantMinLength = n
		} else {
			b.v.VariantMaxLength = n
		}
		b.echo(canon, n)
	case ParamAssemblyID, ParamReferenceName, ParamVariantType, ParamMateName, ParamGeneID, ParamAminoacidChange, ParamGenomicAllele:
		if s == "" {
			return nil
		}
		b.vGiven = true
		switch canon {
		case ParamAssemblyID:
			b.v.AssemblyID = s
		case ParamReferenceName:
			b.v.ReferenceName = s
		case ParamVariantType:
			b.v.VariantType = s
		case ParamMateName:
			b.v.MateName = s
		case ParamGeneID:
			b.v.GeneID = s
		case ParamAminoacidChange:
			b.v.AminoacidChange = s
		case ParamGenomicAllele:
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
	case ParamRequestedSchema:
		for _, it := range items {
			if it = strings.TrimSpace(it); it != "" {
				r.RequestedSchemas = append(r.RequestedSchemas, SchemaRef{Schema: it})
			}
		}
	case ParamFilters:
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
	case ParamAggregators:
		for _, it := range items {
			if it = strings.TrimSpace(it); it != "" && !slices.Contains(r.Aggregators, it) {
				r.Aggregators = append(r.Aggregators, it)
			}
		}
	case ParamDatasetIDs:
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
	case ParamStart, ParamEnd:
		var dst *[]int64
		if canon == ParamStart {
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
