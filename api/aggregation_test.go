package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/internal/schematest"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
)

// aggregatedAnswer is the part of an aggregated answer the tests read.
type aggregatedAnswer struct {
	Meta struct {
		ReturnedGranularity string `json:"returnedGranularity"`
	} `json:"meta"`
	Response struct {
		ResultSets []struct {
			ID           string `json:"id"`
			ResultsCount uint64 `json:"resultsCount"`
			Aggregation  []struct {
				ID           string `json:"id"`
				WithValue    uint64 `json:"withValue"`
				Distinct     int    `json:"distinctValues"`
				Distribution []struct {
					ConceptValues []struct {
						ID string `json:"id"`
					} `json:"conceptValues"`
					Count uint64 `json:"count"`
				} `json:"distribution"`
			} `json:"resultsAggregation"`
		} `json:"resultSets"`
	} `json:"response"`
	Info struct {
		Warnings []string `json:"warnings"`
	} `json:"info"`
}

// distributions returns concept id → "value=count ..." in answer order, and the withValue
// and distinctValues of each.
func (a aggregatedAnswer) distributions(t *testing.T) map[string]string {
	t.Helper()
	if len(a.Response.ResultSets) != 1 {
		t.Fatalf("want one result set: %+v", a.Response)
	}
	out := map[string]string{}
	for _, ag := range a.Response.ResultSets[0].Aggregation {
		var parts []string
		for _, d := range ag.Distribution {
			parts = append(parts, fmt.Sprintf("%s=%d", d.ConceptValues[0].ID, d.Count))
		}
		out[ag.ID] = fmt.Sprintf("with %d distinct %d: %s", ag.WithValue, ag.Distinct, strings.Join(parts, " "))
	}
	return out
}

// cinecaAggregationOracle computes the distributions of the CINECA individuals with a disease
// straight from individuals.json: per sex, ethnicity and disease id (sorted as the index
// sorts values), and BMI in eight equal bins over the cohort's range.
func cinecaAggregationOracle(t *testing.T, disease string) (map[string]string, uint64) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.DataDir(t), "cineca_uk1_ega_ri_api", "individuals.json"))
	if err != nil {
		t.Fatal(err)
	}
	type term struct {
		ID string `json:"id"`
	}
	var inds []struct {
		Sex       term  `json:"sex"`
		Ethnicity *term `json:"ethnicity"`
		Diseases  []struct {
			DiseaseCode term `json:"diseaseCode"`
		} `json:"diseases"`
		Measures []struct {
			AssayCode        term `json:"assayCode"`
			MeasurementValue struct {
				Value float64 `json:"value"`
			} `json:"measurementValue"`
		} `json:"measures"`
	}
	if err := json.Unmarshal(b, &inds); err != nil {
		t.Fatal(err)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, in := range inds {
		for _, m := range in.Measures {
			if m.AssayCode.ID == "LOINC:35925-4" {
				lo, hi = min(lo, m.MeasurementValue.Value), max(hi, m.MeasurementValue.Value)
			}
		}
	}
	counts := map[string]map[string]uint64{"sex": {}, "ethnicity": {}, "diseases.diseaseCode": {}}
	with := map[string]uint64{}
	var bins [8]uint64
	var matched uint64
	for _, in := range inds {
		has := false
		for _, d := range in.Diseases {
			has = has || d.DiseaseCode.ID == disease
		}
		if !has {
			continue
		}
		matched++
		counts["sex"][in.Sex.ID]++
		with["sex"]++
		if in.Ethnicity != nil {
			counts["ethnicity"][in.Ethnicity.ID]++
			with["ethnicity"]++
		}
		seen := map[string]bool{}
		for _, d := range in.Diseases {
			if !seen[d.DiseaseCode.ID] {
				seen[d.DiseaseCode.ID] = true
				counts["diseases.diseaseCode"][d.DiseaseCode.ID]++
			}
		}
		if len(seen) > 0 {
			with["diseases.diseaseCode"]++
		}
		inBin := map[int]bool{}
		for _, m := range in.Measures {
			if m.AssayCode.ID == "LOINC:35925-4" {
				with["LOINC:35925-4"]++
				i := min(int((m.MeasurementValue.Value-lo)/((hi-lo)/8)), 7)
				if !inBin[i] {
					inBin[i] = true
					bins[i]++
				}
			}
		}
	}
	out := map[string]string{}
	for id, c := range counts {
		var keys []string
		for k := range c {
			keys = append(keys, k)
		}
		sortStrings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s=%d", k, c[k]))
		}
		out[id] = fmt.Sprintf("with %d distinct %d: %s", with[id], len(keys), strings.Join(parts, " "))
	}
	nonEmpty := 0
	var parts []string
	for _, n := range bins {
		if n > 0 {
			nonEmpty++
		}
		parts = append(parts, fmt.Sprintf("%d", n))
	}
	out["LOINC:35925-4"] = fmt.Sprintf("with %d distinct %d: %s", with["LOINC:35925-4"], nonEmpty, strings.Join(parts, " "))
	return out, matched
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// binCounts rewrites a numeric distribution as its counts only (the oracle names no bins).
func binCounts(d string) string {
	head, body, _ := strings.Cut(d, ": ")
	var parts []string
	for _, p := range strings.Fields(body) {
		parts = append(parts, p[strings.LastIndexByte(p, '=')+1:])
	}
	return head + ": " + strings.Join(parts, " ")
}

// TestAggregated: the distributions of sex, ethnicity, diseases and BMI among the CINECA
// individuals with type 1 diabetes, by GET and POST, equal those read from individuals.json;
// the envelope is a valid count response but for the granularity's name; a threshold
// withholds small buckets.
func TestAggregated(t *testing.T) {
	want, matched := cinecaAggregationOracle(t, "ICD10:E10")
	h := testHandler(t, "cineca")
	get := "/individuals?filters=ICD10:E10&requestedGranularity=aggregated&aggregators=sex,ethnicity,diseases,BMI"
	post := `{"meta":{"apiVersion":"2.0"},"query":{"filters":[{"id":"ICD10:E10"}],"requestedGranularity":"aggregated","aggregationTerms":["sex","ethnicity","diseases","BMI"]}}`
	for _, c := range []struct{ method, uri, body string }{{"GET", get, ""}, {"POST", "/individuals", post}} {
		var body []byte
		if c.body != "" {
			body = []byte(c.body)
		}
		status, out := do(h, c.method, c.uri, body)
		if status != 200 {
			t.Fatalf("%s: status %d: %s", c.method, status, out)
		}
		// v2.1.1 knows no "aggregated": with the name swapped the envelope must validate.
		asCount := bytes.ReplaceAll(out, []byte(`"aggregated"`), []byte(`"count"`))
		if err := schematest.For(t).Response("data", "individual", false, asCount); err != nil {
			t.Fatalf("%s: envelope does not validate as a count response: %v", c.method, err)
		}
		var a aggregatedAnswer
		if err := json.Unmarshal(out, &a); err != nil {
			t.Fatal(err)
		}
		if a.Meta.ReturnedGranularity != "aggregated" || a.Response.ResultSets[0].ResultsCount != matched {
			t.Fatalf("%s: granularity %q, count %d, want aggregated %d", c.method, a.Meta.ReturnedGranularity, a.Response.ResultSets[0].ResultsCount, matched)
		}
		got := a.distributions(t)
		got["LOINC:35925-4"] = binCounts(got["LOINC:35925-4"])
		for _, id := range []string{"sex", "ethnicity", "diseases.diseaseCode", "LOINC:35925-4"} {
			if got[id] != want[id] {
				t.Errorf("%s %s:\n got %s\nwant %s", c.method, id, got[id], want[id])
			}
		}
	}

	t.Run("threshold", func(t *testing.T) {
		const k = 10
		cfg := DefaultConfig()
		cfg.Datasets = map[string]DatasetConfig{cinecaDataset: {CountThreshold: k}}
		th := testHandlerWith(t, "cineca", &cfg)
		_, out := do(th, "GET", get, nil)
		var a aggregatedAnswer
		if err := json.Unmarshal(out, &a); err != nil {
			t.Fatal(err)
		}
		got := a.distributions(t)
		for _, id := range []string{"ethnicity", "diseases.diseaseCode"} {
			kept := 0
			for _, p := range strings.Fields(strings.SplitN(want[id], ": ", 2)[1]) {
				var n uint64
				fmt.Sscan(p[strings.LastIndexByte(p, '=')+1:], &n)
				if n >= k {
					kept++
					if !strings.Contains(got[id], p) {
						t.Errorf("%s: bucket %s (at least %d) missing from %s", id, p, k, got[id])
					}
				} else if strings.Contains(got[id], p[:strings.LastIndexByte(p, '=')+1]) {
					t.Errorf("%s: bucket %s under %d reported: %s", id, p, k, got[id])
				}
			}
			if !strings.Contains(got[id], fmt.Sprintf("distinct %d:", kept)) {
				t.Errorf("%s: %s, want %d distinct values", id, got[id], kept)
			}
		}
	})

	t.Run("terms and errors", func(t *testing.T) {
		status, out := do(h, "GET", "/individuals/aggregation_terms", nil)
		var terms struct {
			Response struct {
				AggregationTerms []struct {
					ID   string `json:"id"`
					Type string `json:"type"`
				} `json:"aggregationTerms"`
			} `json:"response"`
		}
		if status != 200 || json.Unmarshal(out, &terms) != nil {
			t.Fatalf("/individuals/aggregation_terms: %d %s", status, out)
		}
		types := map[string]string{}
		for _, at := range terms.Response.AggregationTerms {
			types[at.ID] = at.Type
		}
		if types["sex"] != "distribution" || types["diseases.diseaseCode"] != "distribution" || types["LOINC:35925-4"] != "bins" {
			t.Errorf("aggregation terms %v", types)
		}
		if status, out := do(h, "GET", "/g_variants/aggregation_terms", nil); status != 404 {
			t.Errorf("/g_variants/aggregation_terms: %d %s", status, out)
		}
		s := query(t, h, "GET", "/individuals?requestedGranularity=aggregated&aggregators=nosuch", nil, 400)
		if s.Error == nil || !strings.Contains(s.Error.ErrorMessage, "nosuch") {
			t.Errorf("unknown aggregator: %+v", s.Error)
		}
		// On variants an aggregated request is answered as a count, with a warning.
		c := query(t, h, "GET", "/g_variants?referenceName=22&start=16051248&referenceBases=T&alternateBases=C&assemblyId=GRCh37&requestedGranularity=aggregated", nil, 200)
		if c.Meta.ReturnedGranularity != "count" || len(c.Info.Warnings) == 0 {
			t.Errorf("variants aggregated: %+v", c)
		}
	})
}
