package api

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
)

// The oracle at 1,000 datasets: every answer over many datasets (result sets in each mode,
// counts under each dataset's threshold, rounding and access level, pages, the granularity,
// filtering terms) equals a naive computation, dataset by dataset, from the data written.

const manyN = 1000

// manyIndividuals is dataset d's individuals: d%7 of them, the first (3d)%(d%7+1) female.
func manyIndividuals(d int) (all, female int) {
	all = d % 7
	return all, (3 * d) % (all + 1)
}

func manyID(d int) string { return fmt.Sprintf("D%04d", d) }

// manyRelease writes the release of manyN datasets and returns its root. Every individual of
// a dataset with d%11 == 0 holds the term T:hidden as well.
func manyRelease(t *testing.T) string {
	root := t.TempDir()
	w, err := release.Create(root)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for d := range manyN {
		dw, err := w.Dataset(manyID(d), "GRCh38")
		if err != nil {
			t.Fatal(err)
		}
		ds := release.Record{ID: manyID(d), DatasetID: manyID(d), JSON: fmt.Appendf(nil, `{"id":%q,"name":%q}`, manyID(d), manyID(d))}
		if err := dw.WriteRecord(release.Dataset, &ds); err != nil {
			t.Fatal(err)
		}
		all, female := manyIndividuals(d)
		for i := range all {
			sex := `{"id":"NCIT:C20197","label":"male"}`
			terms := []string{"NCIT:C20197"}
			if i < female {
				sex, terms = `{"id":"NCIT:C16576","label":"female"}`, []string{"NCIT:C16576"}
			}
			if d%11 == 0 {
				terms = append(terms, "T:hidden")
			}
			r := release.Record{ID: fmt.Sprintf("I%d", i), DatasetID: manyID(d), Terms: terms,
				JSON: fmt.Appendf(nil, `{"id":"I%d","sex":%s}`, i, sex)}
			if err := dw.WriteRecord(release.Individual, &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	return root
}

// manyPolicy configures the datasets: d%3 == 0 REGISTERED (counts below it), d%11 == 0
// CONTROLLED (nothing below it), d%5 == 0 a count threshold of 3 (answered as 3 when d%10
// == 0), d%7 == 3 counts rounded to 5, and, when booleanToo, d%13 == 0 at most boolean.
func manyPolicy(booleanToo bool) Config {
	cfg := DefaultConfig()
	cfg.Datasets = map[string]DatasetConfig{}
	for d := range manyN {
		dc := DefaultDatasetConfig(manyID(d))
		switch {
		case d%11 == 0:
			dc.SecurityLevel = SecurityControlled
		case d%3 == 0:
			dc.SecurityLevel, dc.BelowLevel = SecurityRegistered, "count"
		}
		if d%5 == 0 {
			dc.CountThreshold = 3
			if d%10 == 0 {
				dc.ThresholdAnswer = "threshold"
			}
		}
		if d%7 == 3 {
			dc.CountRounding = 5
		}
		if booleanToo && d%13 == 0 {
			dc.MaxGranularity = "boolean"
		}
		if dc != DefaultDatasetConfig(manyID(d)) {
			cfg.Datasets[manyID(d)] = dc
		}
	}
	return cfg
}

// naiveCount is what an anonymous caller is told of dataset d's female individuals under
// manyPolicy: visible or not, the count after threshold and rounding, and whether it was
// adjusted imprecisely.
func naiveCount(d int) (visible bool, count uint64, imprecise bool) {
	if d%11 == 0 {
		return false, 0, false
	}
	_, female := manyIndividuals(d)
	n := uint64(female)
	switch {
	case n == 0:
	case d%5 == 0 && n < 3:
		if d%10 == 0 {
			return true, 3, true
		}
		return true, 0, false
	case d%7 == 3 && n%5 != 0:
		n = (n/5 + 1) * 5
	}
	return true, n, false
}

func manyServer(t *testing.T, root string, cfg Config) fasthttp.RequestHandler {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.NewEngine(root, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	return NewServer(eng, &cfg, nil).Handler()
}

func manyBody(g, mode string, datasets ...string) []byte {
	params := ""
	if len(datasets) > 0 {
		ids, _ := json.Marshal(datasets)
		params = `,"requestParameters":{"datasets":{"datasetIds":` + string(ids) + `}}`
	}
	return []byte(`{"meta":{"apiVersion":"2.0"},"query":{"filters":[{"id":"NCIT:C16576"}],"requestedGranularity":"` + g +
		`","includeResultsetResponses":"` + mode + `","pagination":{"skip":0,"limit":10}` + params + `}}`)
}

// TestManyDatasetsOracle: counts, HIT/MISS/ALL result sets, the total and the granularity of
// an anonymous count at 1,000 datasets of mixed access levels and privacy rules equal the
// naive per-dataset answer; so do a request naming a few datasets, and filtering terms.
func TestManyDatasetsOracle(t *testing.T) {
	root := manyRelease(t)
	h := manyServer(t, root, manyPolicy(false))
	for _, mode := range []string{"HIT", "MISS", "ALL"} {
		s := query(t, h, "POST", "/individuals", manyBody("count", mode), 200)
		if s.Meta.ReturnedGranularity != "count" {
			t.Fatalf("%s: granularity %s, want count", mode, s.Meta.ReturnedGranularity)
		}
		var want []string
		var total uint64
		for d := range manyN {
			visible, n, _ := naiveCount(d)
			if !visible {
				continue
			}
			total += n
			if mode == "ALL" || (mode == "HIT") == (n > 0) {
				want = append(want, manyID(d))
			}
		}
		var got []string
		for _, rs := range s.Response.ResultSets {
			got = append(got, rs.ID)
			var d int
			fmt.Sscanf(rs.ID, "D%d", &d)
			_, n, imprecise := naiveCount(d)
			if rs.ResultsCount != n || rs.Exists != (n > 0) || (rs.CountPrecision == precisionImprecise) != imprecise {
				t.Errorf("%s: %s counts %d (exists %v, precision %q), want %d (imprecise %v)", mode, rs.ID, rs.ResultsCount, rs.Exists, rs.CountPrecision, n, imprecise)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d result sets, want %d (%v…)", mode, len(got), len(want), want[:min(5, len(want))])
		}
		if s.ResponseSummary.NumTotalResults == nil || *s.ResponseSummary.NumTotalResults != total || s.ResponseSummary.Exists != (total > 0) {
			t.Errorf("%s: total %v, want %d", mode, fmtCount(s.ResponseSummary.NumTotalResults), total)
		}
	}

	// Named datasets: only those, each under its own rules; a controlled one stays hidden.
	named := []string{manyID(22), manyID(30), manyID(10), manyID(3)} // controlled, threshold, threshold answered, registered
	s := query(t, h, "POST", "/individuals", manyBody("count", "ALL", named...), 200)
	var got []string
	for _, rs := range s.Response.ResultSets {
		got = append(got, rs.ID)
	}
	if want := []string{manyID(3), manyID(10), manyID(30)}; !slices.Equal(got, want) {
		t.Errorf("named datasets: result sets %v, want %v", got, want)
	}

	// One dataset capped at boolean makes the whole answer boolean.
	hb := manyServer(t, root, manyPolicy(true))
	if s := query(t, hb, "POST", "/individuals", manyBody("count", "HIT"), 200); s.Meta.ReturnedGranularity != "boolean" || s.ResponseSummary.NumTotalResults != nil {
		t.Errorf("a boolean dataset among them: granularity %s, total %v", s.Meta.ReturnedGranularity, fmtCount(s.ResponseSummary.NumTotalResults))
	}

	// Filtering terms: a term held only in controlled datasets is not listed to an anonymous
	// caller, nor for one such dataset; it is once nothing is restricted.
	terms := func(h fasthttp.RequestHandler, uri string) []string {
		status, out := do(h, "GET", uri, nil)
		if status != 200 {
			t.Fatalf("%s: status %d: %s", uri, status, out)
		}
		var r struct {
			Response struct {
				FilteringTerms []struct{ ID string } `json:"filteringTerms"`
			} `json:"response"`
		}
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, ft := range r.Response.FilteringTerms {
			ids = append(ids, ft.ID)
		}
		return ids
	}
	open := manyServer(t, root, DefaultConfig())
	for _, c := range []struct {
		h              fasthttp.RequestHandler
		uri            string
		hidden, female bool
	}{
		{h, "/filtering_terms?limit=0", false, true},
		{h, "/datasets/" + manyID(22) + "/filtering_terms", false, false}, // controlled: nothing
		{h, "/datasets/" + manyID(3) + "/filtering_terms", false, true},
		{open, "/datasets/" + manyID(22) + "/filtering_terms", true, false}, // one male
		{open, "/filtering_terms?limit=0", true, true},
	} {
		ids := terms(c.h, c.uri)
		if slices.Contains(ids, "T:hidden") != c.hidden || slices.Contains(ids, "NCIT:C16576") != c.female {
			t.Errorf("%s: terms %v, want T:hidden %v, NCIT:C16576 %v", c.uri, ids, c.hidden, c.female)
		}
	}
}

// TestManyDatasetsPages: at record granularity with every dataset PUBLIC and thresholds on
// some, each HIT set holds its dataset's first page of female individuals (none from a set
// under its threshold), and /datasets lists a page of dataset records in manifest order.
func TestManyDatasetsPages(t *testing.T) {
	root := manyRelease(t)
	cfg := DefaultConfig()
	cfg.Datasets = map[string]DatasetConfig{}
	for d := range manyN {
		if d%5 == 0 {
			dc := DefaultDatasetConfig(manyID(d))
			dc.CountThreshold = 3
			cfg.Datasets[manyID(d)] = dc
		}
	}
	h := manyServer(t, root, cfg)
	s := query(t, h, "POST", "/individuals", manyBody("record", "HIT"), 200)
	if s.Meta.ReturnedGranularity != "record" {
		t.Fatalf("granularity %s, want record", s.Meta.ReturnedGranularity)
	}
	var want []string
	for d := range manyN {
		if _, female := manyIndividuals(d); female > 0 && !(d%5 == 0 && female < 3) {
			want = append(want, manyID(d))
		}
	}
	var got []string
	for _, rs := range s.Response.ResultSets {
		got = append(got, rs.ID)
		var d int
		fmt.Sscanf(rs.ID, "D%d", &d)
		_, female := manyIndividuals(d)
		var ids []string
		for _, r := range rs.Results {
			var rec struct{ ID string }
			json.Unmarshal(r, &rec)
			ids = append(ids, rec.ID)
		}
		var wantIDs []string
		for i := range min(female, 10) {
			wantIDs = append(wantIDs, fmt.Sprintf("I%d", i))
		}
		if rs.ResultsCount != uint64(female) || !slices.Equal(ids, wantIDs) {
			t.Errorf("%s: %d results %v, want %d %v", rs.ID, rs.ResultsCount, ids, female, wantIDs)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%d HIT sets, want %d", len(got), len(want))
	}
	status, out := do(h, "GET", "/datasets?limit=10&skip=3", nil)
	if status != 200 || !strings.Contains(string(out), `"id":"`+manyID(30)+`"`) || !strings.Contains(string(out), `"id":"`+manyID(39)+`"`) || strings.Contains(string(out), `"id":"`+manyID(40)+`"`) {
		t.Errorf("/datasets page 4: status %d: %s", status, truncate(out))
	}
}
