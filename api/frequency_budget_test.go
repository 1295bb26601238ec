package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
)

// countFrequencies returns the frequencyInPopulations entries of each result set of a count
// answer and its warnings.
func countFrequencies(t *testing.T, out []byte) ([][]frequencyEntry, []string) {
	t.Helper()
	var r struct {
		Info struct {
			Warnings []string `json:"warnings"`
		} `json:"info"`
		Response struct {
			ResultSets []struct {
				Frequencies []frequencyEntry `json:"frequencyInPopulations"`
			} `json:"resultSets"`
		} `json:"response"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%v: %s", err, truncate(out))
	}
	var sets [][]frequencyEntry
	for _, rs := range r.Response.ResultSets {
		sets = append(sets, rs.Frequencies)
	}
	return sets, r.Info.Warnings
}

// TestCountFrequencySpendsTheBudget: the frequency of a count answer (the subgroup and a
// second evaluation with rows) spends the request's work budget. With the least budget the
// count itself passes, nothing is left for it: the answer is the count, without frequencies
// and with a warning. Before, the second pass ran unbounded and the frequencies came back.
func TestCountFrequencySpendsTheBudget(t *testing.T) {
	const uri = "/g_variants?assemblyId=GRCh37&referenceName=22&start=16051248&referenceBases=T&alternateBases=C&filters=NCIT:C16576,ICD10:E10&requestedGranularity=count"
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.NewEngine(testRelease(t, "cineca-vcf"), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(eng, &cfg, nil) // the server reads cfg.Limits per request
	h := srv.Handler()
	sets, _ := countFrequencies(t, mustDo(t, h, uri))
	if len(sets) != 1 || len(sets[0]) == 0 {
		t.Fatalf("under the default budget the count carries a frequency: %+v", sets)
	}
	// The least budget that answers: the count's own work.
	lo, hi := int64(1), cfg.Limits.WorkBudget // lo fails, hi answers
	cfg.Limits.WorkBudget = lo
	if st, _ := do(h, "GET", uri, nil); st == 200 {
		t.Fatal("a budget of one unit answered")
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		cfg.Limits.WorkBudget = mid
		if st, _ := do(h, "GET", uri, nil); st == 200 {
			hi = mid
		} else {
			lo = mid
		}
	}
	cfg.Limits.WorkBudget = hi
	sets, warnings := countFrequencies(t, mustDo(t, h, uri))
	if len(sets) != 1 || len(sets[0]) != 0 {
		t.Errorf("budget %d (the count's own work): frequencies %+v, want none", hi, sets)
	}
	if !strings.Contains(strings.Join(warnings, "\n"), "allele frequencies left out") {
		t.Errorf("budget %d: warnings %q do not say the frequencies were left out", hi, warnings)
	}
}

// TestCountFrequencyOfVisibleDatasets: with a dataset the caller may not see, a count's
// frequency is still that of the visible dataset's variant. Before, the second pass ran over
// every dataset of the release and paired its sets with the answer's by position.
func TestCountFrequencyOfVisibleDatasets(t *testing.T) {
	const uri = "/g_variants?assemblyId=GRCh38&referenceName=2&start=999&referenceBases=A&alternateBases=G&requestedGranularity=count"
	cfg := DefaultConfig()
	open := testHandlerWith(t, "paths-vcf", &cfg)
	cfg = DefaultConfig()
	cfg.Datasets = map[string]DatasetConfig{"FIXTURE": {SecurityLevel: SecurityControlled}}
	closed := testHandlerWith(t, "paths-vcf", &cfg)
	want, _ := countFrequencies(t, mustDo(t, open, uri+"&datasetIds=PATHS"))
	got, _ := countFrequencies(t, mustDo(t, closed, uri))
	if len(want) != 1 || len(want[0]) == 0 {
		t.Fatalf("PATHS alone: %+v, want one set with a frequency", want)
	}
	if len(got) != 1 || len(got[0]) != 1 || len(got[0][0].Frequencies) == 0 || got[0][0].Frequencies[0] != want[0][0].Frequencies[0] {
		t.Errorf("FIXTURE hidden: %+v, want %+v", got, want)
	}
}

// mustDo runs a GET that must answer 200 and returns the body.
func mustDo(t *testing.T, h fasthttp.RequestHandler, uri string) []byte {
	t.Helper()
	st, out := do(h, "GET", uri, nil)
	if st != 200 {
		t.Fatalf("GET %s: %d %s", uri, st, truncate(out))
	}
	return out
}
