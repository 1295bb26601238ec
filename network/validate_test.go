package network

import (
	"encoding/json"
	"testing"

	"github.com/bitbeacon/bitbeacon/internal/schematest"
)

// TestValidatorAgreesWithSchemas: the network's own checks accept what the official
// schemas accept and reject what they reject, on real member answers at each granularity
// and on broken copies of them.
func TestValidatorAgreesWithSchemas(t *testing.T) {
	member := bitbeaconMember(t, "FIXTURE", "")
	v := schematest.For(t)
	type doc struct {
		path, entity string
		collection   bool
	}
	docs := []doc{
		{"/individuals?filters=NCIT:C16576", "individual", false},
		{"/individuals?filters=NCIT:C16576&requestedGranularity=count", "individual", false},
		{"/individuals?filters=NCIT:C16576&requestedGranularity=record", "individual", false},
		{"/g_variants?referenceName=1&start=0&end=5000&requestedGranularity=record", "genomicVariation", false},
		{"/datasets?requestedGranularity=record", "dataset", true},
		{"/g_variants?referenceName=1&start=x", "", false}, // an error answer
	}
	// Mutations: each breaks one rule the schemas state.
	mutations := map[string]func(map[string]any){
		"no meta":                 func(d map[string]any) { delete(d, "meta") },
		"no responseSummary":      func(d map[string]any) { delete(d, "responseSummary") },
		"exists a string":         func(d map[string]any) { sub(d, "responseSummary")["exists"] = "yes" },
		"negative count":          func(d map[string]any) { sub(d, "responseSummary")["numTotalResults"] = json.Number("-1") },
		"fractional count":        func(d map[string]any) { sub(d, "responseSummary")["numTotalResults"] = json.Number("1.5") },
		"unknown granularity":     func(d map[string]any) { sub(d, "meta")["returnedGranularity"] = "everything" },
		"no beaconId":             func(d map[string]any) { delete(sub(d, "meta"), "beaconId") },
		"returnedSchemas object":  func(d map[string]any) { sub(d, "meta")["returnedSchemas"] = map[string]any{} },
		"no request summary":      func(d map[string]any) { delete(sub(d, "meta"), "receivedRequestSummary") },
		"summary without version": func(d map[string]any) { delete(sub(sub(d, "meta"), "receivedRequestSummary"), "apiVersion") },
		"no response":             func(d map[string]any) { delete(d, "response") },
		"resultSets not an array": func(d map[string]any) { sub(d, "response")["resultSets"] = "none" },
		"result set without id": func(d map[string]any) {
			if sets, ok := sub(d, "response")["resultSets"].([]any); ok && len(sets) > 0 {
				delete(sets[0].(map[string]any), "id")
			}
		},
		"record not an object": func(d map[string]any) {
			if sets, ok := sub(d, "response")["resultSets"].([]any); ok && len(sets) > 0 {
				sets[0].(map[string]any)["results"] = []any{"a string"}
			}
		},
		"collections not an array": func(d map[string]any) { sub(d, "response")["collections"] = 3 },
		"errorCode a string":       func(d map[string]any) { sub(d, "error")["errorCode"] = "400" },
	}
	checked, rejected := 0, 0
	for _, dc := range docs {
		_, body := get(t, "GET", member+dc.path, "", nil)
		variants := map[string][]byte{"as served": body}
		for name, mutate := range mutations {
			d, err := decodeDoc(body)
			if err != nil {
				t.Fatal(err)
			}
			mutate(d)
			b, _ := json.Marshal(d)
			variants[name] = b
		}
		for name, b := range variants {
			d, err := decodeDoc(b)
			if err != nil {
				t.Fatal(err)
			}
			ours := validate(dataCheck(d, dc.collection), d, "")
			_, isErr := d["error"]
			kind := "data"
			if isErr {
				kind = schematest.KindError
			}
			official := v.Response(kind, dc.entity, dc.collection, b)
			if (ours == nil) != (official == nil) {
				t.Errorf("%s, %s: ours %v, official schemas %v", dc.path, name, ours, official)
			}
			checked++
			if ours != nil {
				rejected++
			}
		}
	}
	if rejected < checked/2 {
		t.Errorf("only %d of %d documents rejected: the mutations do not bite", rejected, checked)
	}
}

// sub returns d[key] as an object, creating it when absent (so a mutation of a part the
// document lacks still yields a document to compare).
func sub(d map[string]any, key string) map[string]any {
	m, ok := d[key].(map[string]any)
	if !ok {
		m = map[string]any{}
		d[key] = m
	}
	return m
}
