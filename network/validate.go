package network

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Members' answers are checked against the Beacon v2 framework response schemas before they
// count. The official schemas cannot be read at run time (the aggregator is deployed without
// the schema folder the tests read, ../shared/beacon-v2) nor committed (nothing is copied
// from outside the project), so the checks below are this project's own reading of the
// framework's response schemas (framework/json/responses/*.json and sections/, v2.1.1): the
// required properties, their JSON types, the granularity enum and the non-negative counts.
// Each check is built once, at package initialisation; network's tests validate the same
// documents with the official schemas (internal/schematest) and require both to agree.

// check is one node of a response schema: a JSON type and, for objects and arrays, what
// their members must be. Properties not listed are allowed, as in the schemas.
type check struct {
	kind     string // "object", "array", "string", "boolean", "integer", "any"
	required []string
	props    map[string]*check
	items    *check
	enum     []string
	nonNeg   bool
}

func objectOf(required []string, props map[string]*check) *check {
	return &check{kind: "object", required: required, props: props}
}
func arrayOf(items *check) *check { return &check{kind: "array", items: items} }

var (
	cString  = &check{kind: "string"}
	cBool    = &check{kind: "boolean"}
	cInt     = &check{kind: "integer"}
	cCount   = &check{kind: "integer", nonNeg: true}
	cObject  = objectOf(nil, nil)
	cAny     = &check{kind: "any"}
	cGranule = &check{kind: "string", enum: []string{"boolean", "count", "record"}}

	cSchemas   = arrayOf(objectOf(nil, map[string]*check{"entityType": cString, "schema": cString}))
	cHandovers = arrayOf(objectOf([]string{"handoverType", "url"}, map[string]*check{
		"handoverType": objectOf([]string{"id"}, map[string]*check{"id": cString}), "url": cString}))

	// beaconResponseMeta.json with beaconReceivedRequestSummary.json.
	cMeta = objectOf([]string{"beaconId", "apiVersion", "returnedSchemas", "returnedGranularity", "receivedRequestSummary"},
		map[string]*check{
			"beaconId": cString, "apiVersion": cString, "returnedSchemas": cSchemas,
			"returnedGranularity": cGranule, "testMode": cBool,
			"receivedRequestSummary": objectOf([]string{"apiVersion", "requestedSchemas", "pagination", "requestedGranularity"},
				map[string]*check{
					"apiVersion": cString, "requestedSchemas": cSchemas, "requestedGranularity": cGranule,
					"pagination": objectOf(nil, map[string]*check{"skip": cCount, "limit": cCount}),
					"filters":    arrayOf(cAny), "requestParameters": cAny, "testMode": cBool,
				}),
		})
	// beaconInformationalResponseMeta.json.
	cInfoMeta = objectOf([]string{"beaconId", "apiVersion", "returnedSchemas"},
		map[string]*check{"beaconId": cString, "apiVersion": cString, "returnedSchemas": cSchemas})

	cCommon = map[string]*check{"meta": cMeta, "info": cObject, "beaconHandovers": cHandovers}

	// beaconBooleanResponse.json, beaconCountResponse.json.
	cBoolean = withCommon([]string{"meta", "responseSummary"}, map[string]*check{
		// beaconBooleanResponseSection.json says nothing of numTotalResults: the merge reads
		// no count from a boolean answer.
		"responseSummary": objectOf([]string{"exists"}, map[string]*check{"exists": cBool}),
	})
	cCountResp = withCommon([]string{"meta", "responseSummary"}, map[string]*check{
		"responseSummary": objectOf([]string{"exists", "numTotalResults"}, map[string]*check{"exists": cBool, "numTotalResults": cCount}),
	})
	// beaconResultsetsResponse.json (the summary is beaconSummaryResponseSection.json).
	cResultSet = objectOf([]string{"id", "setType", "exists", "resultsCount", "results"}, map[string]*check{
		"id": cString, "setType": cString, "exists": cBool, "resultsCount": cInt,
		"results": arrayOf(cObject), "info": cObject, "resultsHandovers": cHandovers,
	})
	cSummary    = objectOf([]string{"exists"}, map[string]*check{"exists": cBool, "numTotalResults": cCount})
	cResultsets = withCommon([]string{"meta", "responseSummary", "response"}, map[string]*check{
		"responseSummary": cSummary,
		"response":        objectOf([]string{"resultSets"}, map[string]*check{"resultSets": arrayOf(cResultSet)}),
	})
	// beaconCollectionsResponse.json.
	cCollections = withCommon([]string{"meta", "responseSummary", "response"}, map[string]*check{
		"responseSummary": cSummary,
		"response":        objectOf([]string{"collections"}, map[string]*check{"collections": arrayOf(cObject)}),
	})
	// beaconErrorResponse.json.
	cError = objectOf([]string{"meta", "error"}, map[string]*check{
		"meta":  cMeta,
		"error": objectOf([]string{"errorCode"}, map[string]*check{"errorCode": cInt, "errorMessage": cString}),
	})
	// beaconInfoResponse.json with beaconInfoResults.json.
	cInfo = objectOf([]string{"meta", "response"}, map[string]*check{
		"meta": cInfoMeta,
		"response": objectOf([]string{"id", "name", "apiVersion", "environment", "organization"}, map[string]*check{
			"id": cString, "name": cString, "apiVersion": cString,
			"environment":    &check{kind: "string", enum: []string{"prod", "PROD", "test", "TEST", "dev", "DEV", "staging", "STAGING"}},
			"organization":   objectOf([]string{"id", "name"}, map[string]*check{"id": cString, "name": cString}),
			"createDateTime": cString, "updateDateTime": cString,
		}),
	})
	// beaconEntryTypesResponse.json, beaconFilteringTermsResponse.json.
	cEntryTypes = objectOf([]string{"meta", "response"}, map[string]*check{
		"meta":     cInfoMeta,
		"response": objectOf([]string{"entryTypes"}, map[string]*check{"entryTypes": &check{kind: "object"}}),
	})
	cFilteringTerms = objectOf([]string{"meta", "response"}, map[string]*check{
		"meta": cInfoMeta,
		"response": objectOf(nil, map[string]*check{
			"filteringTerms": arrayOf(objectOf([]string{"type", "id"}, map[string]*check{"type": cString, "id": cString, "scopes": arrayOf(cString)})),
			"resources":      arrayOf(objectOf([]string{"id"}, map[string]*check{"id": cString})),
		}),
	})
	cConfiguration = objectOf([]string{"meta", "response"}, map[string]*check{
		"meta": cInfoMeta,
		"response": objectOf([]string{"maturityAttributes", "entryTypes"}, map[string]*check{
			"maturityAttributes": objectOf([]string{"productionStatus"}, map[string]*check{"productionStatus": cString}),
			"entryTypes":         cObject,
		}),
	})
	cMap = objectOf([]string{"meta", "response"}, map[string]*check{
		"meta":     cInfoMeta,
		"response": objectOf([]string{"endpointSets"}, map[string]*check{"endpointSets": cObject}),
	})
)

func withCommon(required []string, props map[string]*check) *check {
	all := map[string]*check{}
	for k, v := range cCommon {
		all[k] = v
	}
	for k, v := range props {
		all[k] = v
	}
	return objectOf(required, all)
}

// dataCheck picks the envelope a data answer must follow: the error envelope when it has an
// error, else by meta.returnedGranularity, a record answer of a collections endpoint being
// a collections response.
func dataCheck(doc map[string]any, collections bool) *check {
	if _, ok := doc["error"]; ok {
		return cError
	}
	g := ""
	if m, ok := doc["meta"].(map[string]any); ok {
		g, _ = m["returnedGranularity"].(string)
	}
	switch g {
	case "count":
		return cCountResp
	case "record":
		if collections {
			return cCollections
		}
		return cResultsets
	}
	return cBoolean
}

// validate reports the first way v breaks c, with the JSON path of the offending value.
func validate(c *check, v any, at string) error {
	switch c.kind {
	case "any":
		return nil
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %s, want an object", at, typeName(v))
		}
		for _, r := range c.required {
			if _, ok := obj[r]; !ok {
				return fmt.Errorf("%s: required property %q missing", at, r)
			}
		}
		for k, pc := range c.props {
			if pv, ok := obj[k]; ok {
				if err := validate(pc, pv, at+"/"+k); err != nil {
					return err
				}
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: %s, want an array", at, typeName(v))
		}
		if c.items != nil {
			for i, it := range arr {
				if err := validate(c.items, it, fmt.Sprintf("%s/%d", at, i)); err != nil {
					return err
				}
			}
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: %s, want a string", at, typeName(v))
		}
		if len(c.enum) > 0 && !slices.Contains(c.enum, s) {
			return fmt.Errorf("%s: %q is not one of %s", at, s, strings.Join(c.enum, ", "))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: %s, want a boolean", at, typeName(v))
		}
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("%s: %s, want an integer", at, typeName(v))
		}
		f, err := n.Float64()
		if err != nil || f != math.Trunc(f) {
			return fmt.Errorf("%s: %s is not an integer", at, n)
		}
		if c.nonNeg && f < 0 {
			return fmt.Errorf("%s: %s is negative", at, n)
		}
		if c.nonNeg && f >= 1<<63 {
			// The schemas set no maximum; a count no beacon can hold is not passed on.
			return fmt.Errorf("%s: %s is too large a count", at, n)
		}
	}
	return nil
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// decodeDoc decodes a JSON document keeping numbers exact (json.Number), as the checks and
// the merge need integers to stay integers.
func decodeDoc(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON object")
	}
	if doc == nil {
		return nil, fmt.Errorf("not a JSON object: null")
	}
	return doc, nil
}

// countOf reads a validated count (an integer, possibly written 3.0 or 1e3).
func countOf(n json.Number) (uint64, bool) {
	if v, err := strconv.ParseUint(n.String(), 10, 64); err == nil {
		return v, true
	}
	f, err := n.Float64()
	if err != nil || f < 0 || f >= 1<<63 || f != math.Trunc(f) {
		return 0, false
	}
	return uint64(f), true
}
