package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
)

// ParsePOST parses a POST body (framework/json/requests/beaconRequestBody.json). An empty
// body gives the defaults. Tolerated beyond the schema (docs/api.md#variant-queries): requestedGranularity,
// pagination, testMode, includeResultsetResponses, filters and requestParameters at the top
// level (query wins when both are given); requestParameters flat or nested under g_variant;
// numbers written as strings of digits; start/end as one number or an array; bare string
// filters (read with the GET filter syntax).
func ParsePOST(body []byte, defaults Defaults) (*Request, error) {
	return newBuilder(defaults).parsePOST(body)
}

// ParsePOSTQuery parses a POST body and the parameters of its URL's query string, merged as
// the server merges them (parsePOSTQuery).
func ParsePOSTQuery(body []byte, args *fasthttp.Args, defaults Defaults) (*Request, error) {
	return newBuilder(defaults).parsePOSTQuery(body, args)
}

func (b *builder) parsePOST(body []byte) (*Request, error) {
	if err := b.postBody(body); err != nil {
		return nil, err
	}
	return b.finish()
}

// parsePOSTQuery parses a POST whose URL also carries parameters (portals send
// /g_variants?referenceName=22&start=... with a body of filters): the query string's
// parameters are merged with the body's, the body winning a parameter both give (with a
// warning), and the filters of both ANDed.
func (b *builder) parsePOSTQuery(body []byte, args *fasthttp.Args) (*Request, error) {
	if err := b.postBody(body); err != nil {
		return nil, err
	}
	if err := b.applyArgs(args, true); err != nil {
		return nil, err
	}
	return b.finish()
}

// postBody applies a POST body; an empty one says nothing (a query with the defaults).
func (b *builder) postBody(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	doc, err := decodeCapped(body, b.maxFilters)
	if err != nil {
		return err
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return reqErrorf("request body must be a JSON object; got %s", jsonType(doc))
	}
	if err := b.postMeta(top[KeyMeta]); err != nil {
		return err
	}
	var query map[string]any
	switch q := top[KeyQuery].(type) {
	case nil:
	case map[string]any:
		query = q
	default:
		return reqErrorf("query must be an object; got %s", jsonType(q))
	}
	for k := range top {
		if k != KeySchema && k != KeyMeta && k != KeyQuery && !slices.Contains(queryKeys, k) {
			b.warn("unknown key %s in the request body ignored", quote(k))
		}
	}
	for k := range query {
		if k != KeySchema && !slices.Contains(queryKeys, k) {
			b.warn("unknown key %s in query ignored", quote(KeyQuery+"."+k))
		}
	}
	// pick returns the value of key from query, else from the top level.
	pick := func(key string) (any, string) {
		if v, ok := query[key]; ok && v != nil {
			return v, queryKeyWhere[key]
		}
		if v, ok := top[key]; ok && v != nil {
			return v, key
		}
		return nil, ""
	}
	if v, where := pick(ParamGranularity); v != nil {
		if err := b.postScalar(ParamGranularity, where, v, false); err != nil {
			return err
		}
	}
	if v, where := pick(ParamIncludeResultsets); v != nil {
		if err := b.postScalar(ParamIncludeResultsets, where, v, false); err != nil {
			return err
		}
	}
	if v, where := pick(ParamTestMode); v != nil {
		if err := b.postScalar(ParamTestMode, where, v, true); err != nil {
			return err
		}
	}
	if v, where := pick(KeyPagination); v != nil {
		p, ok := v.(map[string]any)
		if !ok {
			return reqErrorf("%s must be an object; got %s", where, jsonType(v))
		}
		for _, k := range []string{ParamSkip, ParamLimit} {
			if pv, ok := p[k]; ok && pv != nil {
				if err := b.postScalar(k, where+"."+k, pv, false); err != nil {
					return err
				}
			}
		}
	}
	if v, where := pick(KeyRequestParameters); v != nil {
		if err := b.postParams(where, v); err != nil {
			return err
		}
	}
	for _, k := range []string{ParamAggregators, "aggregationTerms"} {
		if v, where := pick(k); v != nil {
			if err := b.postList(ParamAggregators, where, v); err != nil {
				return err
			}
		}
	}
	if v, where := pick(ParamFilters); v != nil {
		if err := b.postFilters(where, v); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) postMeta(v any) error {
	if v == nil {
		return nil
	}
	meta, ok := v.(map[string]any)
	if !ok {
		return reqErrorf("meta must be an object; got %s", jsonType(v))
	}
	if av, ok := meta[KeyAPIVersion]; ok && av != nil {
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
	rs, ok := meta[KeyRequestedSchemas]
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
		case ParamSkip, ParamLimit, ParamVariantMinLength, ParamVariantMaxLength:
			want = "a non-negative integer"
		case ParamTestMode:
			want = "a boolean"
		case ParamGranularity, ParamIncludeResultsets, ParamReferenceBases, ParamAlternateBases:
			want = "a string"
		}
		return reqErrorf("%s must be %s; got %s", where, want, jsonType(v))
	}
	if canon == ParamTestMode {
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
			if strings.TrimSpace(s) == "" && (canon == ParamStart || canon == ParamEnd) {
				return reqErrorf("%s[%d] is empty", where, i)
			}
			items = append(items, s)
		}
		return b.apply(canon, where, items)
	}
	if canon == ParamStart || canon == ParamEnd {
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
		case KeyGVariant, "g_variants":
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
		case KeyDatasets:
			switch d := val.(type) {
			case nil:
			case map[string]any:
				for _, dk := range sortedKeys(d) {
					if dk != ParamDatasetIDs {
						b.warn("unknown key %s ignored", quote(kw+"."+dk))
						continue
					}
					if err := b.postList(ParamDatasetIDs, kw+"."+dk, d[dk]); err != nil {
						return err
					}
				}
			default:
				if err := b.postList(ParamDatasetIDs, kw, val); err != nil {
					return err
				}
			}
		case ParamDatasetIDs:
			if err := b.postList(ParamDatasetIDs, kw, val); err != nil {
				return err
			}
		case KeySchema:
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
	case ParamReferenceBases, ParamAlternateBases:
		if _, ok := v.(string); !ok {
			return reqErrorf("%s must be a string; got %s", where, jsonType(v))
		}
	}
	return b.postScalar(canon, where, v, false)
}

// postFilters reads the filters array: objects {id, operator, value, scope,
// includeDescendantTerms, similarity}, bare strings (GET syntax) or arrays of them (OR groups,
// filter_groups.go).
func (b *builder) postFilters(where string, v any) error {
	arr, ok := v.([]any)
	if !ok {
		return reqErrorf("%s must be an array; got %s", where, jsonType(v))
	}
	r := b.req
	// A filter object equal to the previous one is dropped here (a hostile body repeats one
	// filter thousands of times); the loop yields the core every yieldEvery items.
	var prev engine.Filter
	var prevEcho string
	for i, it := range arr {
		if i%yieldEvery == yieldEvery-1 {
			runtime.Gosched()
		}
		w := filterWhere{where, i}
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
			if f == prev && prevEcho != "" {
				continue // guard would drop it: identical filters are evaluated and echoed once
			}
			echo = echoFilter(f)
			prev, prevEcho = f, echo
		case []any: // an OR group (filter_groups.go)
			g, echo, err := postGroup(w, x, 1)
			if err != nil {
				return err
			}
			if echo != "" {
				addGroup(&r.Query.Filters, &r.Query.Groups, g)
				r.EchoFilters = append(r.EchoFilters, echo)
			}
			continue
		default:
			return reqErrorf("%s must be an object, a string or an array (an OR group); got %s", w, jsonType(it))
		}
		r.Query.Filters = append(r.Query.Filters, f)
		r.EchoFilters = append(r.EchoFilters, echo)
	}
	return nil
}

// filterWhere names filters[i] in messages, formatted only when one is written.
type filterWhere struct {
	where string
	i     int
}

func (w filterWhere) String() string { return fmt.Sprintf("%s[%d]", w.where, w.i) }

func postFilter(w filterWhere, x map[string]any) (engine.Filter, error) {
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

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}
