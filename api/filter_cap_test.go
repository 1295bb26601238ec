package api

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// filtersBody is a POST count query whose filters are items.
func filtersBody(items []string) string {
	return `{"query":{"filters":[` + strings.Join(items, ",") + `],"requestedGranularity":"count"}}`
}

// A body of 10,000 distinct filters is answered 400 with a Beacon error body, and its
// decoding stops past the cap: the request allocates like a body of a few dozen filters,
// not 40,000 times (each item converted into maps before the guard counted them). A body
// with escapes (decoded by encoding/json) is stopped as soon. (Both bodies stay under
// keptParserBody: a bigger one is parsed by a fresh parser, one allocation per object.)
func TestDistinctFiltersStopDecodingAtCap(t *testing.T) {
	h := testHandler(t, "cineca")
	for _, escaped := range []bool{false, true} {
		var items []string
		for i := range 10000 {
			id := fmt.Sprintf("NCIT:C%d", 100000+i)
			if escaped {
				id = fmt.Sprintf(`X:\u0043%d`, i)
			}
			items = append(items, `{"id":"`+id+`"}`)
		}
		body := []byte(filtersBody(items))
		what := fmt.Sprintf("10,000 distinct filters (escaped %v)", escaped)
		status, out := do(h, "POST", "/individuals", body)
		msg := errorBodyOf(t, what, status, out, 400)
		if !strings.Contains(msg, "65 distinct filters or more") || !strings.Contains(msg, "at most 64") {
			t.Errorf("%s: %q", what, msg)
		}
		allocs := testing.AllocsPerRun(5, func() { do(h, "POST", "/individuals", body) })
		if allocs > 3000 {
			t.Errorf("%s: %.0f allocations a request; want at most 3,000 (decoding stopped at the cap)", what, allocs)
		}
	}
}

// The cap counts as the guard does: items that read as the same filter count once however
// they are written (an unknown key, the keys' order, a bare string), and every member of an
// OR group counts, a repeated group's again.
func TestFilterCapCountsAsTheGuard(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Limits.MaxFilters = 8
	h := testHandlerWith(t, "cineca", &cfg)
	var same []string
	for i := range 10000 {
		switch i % 3 {
		case 0:
			same = append(same, fmt.Sprintf(`{"id":"NCIT:C16576","note":%d}`, i))
		case 1:
			same = append(same, fmt.Sprintf(`{"includeDescendantTerms":true,"id":"NCIT:C16576","n":"%d"}`, i))
		default:
			same = append(same, `"NCIT:C16576"`)
		}
	}
	status, out := do(h, "POST", "/individuals", []byte(filtersBody(same)))
	if status != 200 {
		t.Fatalf("10,000 spellings of one filter: %d %.300s", status, out)
	}
	for _, tc := range []struct {
		items []string
		want  int // 200, or 400 for past the cap
	}{
		{[]string{`["NCIT:C16576","NCIT:C20197"]`, `["NCIT:C16576","NCIT:C20197"]`, `["NCIT:C16576","NCIT:C20197"]`, `["NCIT:C16576","NCIT:C20197"]`}, 200},
		{[]string{`["NCIT:C16576","NCIT:C20197"]`, `["NCIT:C16576","NCIT:C20197"]`, `["NCIT:C16576","NCIT:C20197"]`, `["NCIT:C16576","NCIT:C20197"]`, `["NCIT:C16576","NCIT:C20197"]`}, 400},
		{[]string{`["A"]`, `["B"]`, `["C"]`, `["D"]`, `["E"]`, `["F"]`, `["G"]`, `["H"]`, `["A"]`, `["B"]`, `null`, `[]`}, 200},
		{[]string{`["A"]`, `["B"]`, `["C"]`, `["D"]`, `["E"]`, `["F"]`, `["G"]`, `["H"]`, `"I"`}, 400},
	} {
		status, out := do(h, "POST", "/individuals", []byte(filtersBody(tc.items)))
		if status != tc.want {
			t.Errorf("%v: status %d, want %d: %.200s", tc.items, status, tc.want, out)
		}
	}
}

// The filters counted are those the request is built from: query.filters when given (a
// repeated key's last value), else the top level's.
func TestFilterCapReadsTheFiltersTheRequestUses(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Limits.MaxFilters = 2
	h := testHandlerWith(t, "cineca", &cfg)
	three := `["NCIT:C16576","NCIT:C20197","NCIT:C42331"]`
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"query":{"filters":["NCIT:C16576"]},"filters":` + three + `}`, 200},
		{`{"query":{"filters":null},"filters":` + three + `}`, 400},
		{`{"query":{"filters":` + three + `,"filters":["NCIT:C16576"]}}`, 200},
		{`{"query":{"filters":["NCIT:C16576"],"filters":` + three + `}}`, 400},
		{`{"filters":` + three + `,"filters":["NCIT:C16576"]}`, 200},
	} {
		status, out := do(h, "POST", "/individuals", []byte(tc.body))
		if status != tc.want {
			t.Errorf("%s: status %d, want %d: %.200s", tc.body, status, tc.want, out)
		}
	}
}

// FuzzFilterCap: with a cap of 2, decoding gives decodeBody's value, or stops with a 400
// only for a body whose request the guard would reject (more than 2 distinct filters) or
// that fails to build at all.
func FuzzFilterCap(f *testing.F) {
	for _, s := range []string{
		`{"query":{"filters":["A","B"]}}`, `{"query":{"filters":["A","B","C"]}}`,
		`{"filters":[{"id":"A"},{"id":"A","x":1},"A"]}`, `{"query":{"filters":[["A","B"],"C"]}}`,
		`{"query":{"filters":[["A"],["A"],["A"]]}}`, `{"query":{"filters":null},"filters":["A","B","C"]}`,
		`{"query":{"filters":["A\u0042","AB","A\n"]}}`, `{"query":{"filters":[{"id":""},"B","C"]}}`,
		`{"query":{"filters":[1,"A","B","C"]}}`, `{"query":{"filters":["A","B","C"],"filters":[]}}`,
	} {
		f.Add([]byte(s))
	}
	g := &Server{cfg: &Config{Limits: LimitsConfig{MaxFilters: 2}}}
	f.Fuzz(func(t *testing.T, body []byte) {
		want, wantErr := decodeBody(body)
		got, err := decodeCapped(body, 2)
		if err == nil {
			if wantErr != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("%q: %#v, decodeBody %#v (%v)", body, got, want, wantErr)
			}
			return
		}
		if wantErr != nil {
			return // both refuse the body
		}
		req, perr := ParsePOST(body, Defaults{})
		if perr == nil && g.guard(req) == nil {
			t.Fatalf("%q: stopped (%v), but the request builds and passes a cap of 2", body, err)
		}
	})
}
