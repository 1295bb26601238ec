package api

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/internal/schematest"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
	"github.com/bitbeacon/bitbeacon/release"
)

func parseGETString(q string, d Defaults) (*Request, error) {
	var args fasthttp.Args
	args.Parse(q)
	return ParseGET(&args, d)
}

func strp(s string) *string { return &s }

func ontologyF(id string) engine.Filter {
	return engine.Filter{Kind: engine.OntologyFilter, ID: id, IncludeDescendants: true}
}

func alnumF(id, op, value string) engine.Filter {
	return engine.Filter{Kind: engine.AlphanumericFilter, ID: id, Operator: op, Value: value}
}

func customF(id string) engine.Filter { return engine.Filter{Kind: engine.CustomFilter, ID: id} }

// variant returns a VariantQuery with min/max lengths unset, modified by f.
func variantQ(f func(v *engine.VariantQuery)) *engine.VariantQuery {
	v := &engine.VariantQuery{VariantMinLength: -1, VariantMaxLength: -1}
	f(v)
	return v
}

func TestGranularity(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Granularity
		ok   bool
	}{
		{"boolean", Boolean, true}, {"count", Count, true}, {"record", Record, true},
		{" Record ", Record, true}, {"COUNT", Count, true}, {"aggregated", Boolean, false}, {"", Boolean, false},
	} {
		g, ok := ParseGranularity(tc.in)
		if g != tc.want || ok != tc.ok {
			t.Errorf("ParseGranularity(%q) = %v, %v; want %v, %v", tc.in, g, ok, tc.want, tc.ok)
		}
	}
	if min(Record, Count) != Count || min(Boolean, Record) != Boolean {
		t.Error("granularity order must be boolean < count < record")
	}
	for g, s := range map[Granularity]string{Boolean: "boolean", Count: "count", Record: "record"} {
		if g.String() != s {
			t.Errorf("%d.String() = %q", g, g.String())
		}
		b, err := json.Marshal(g)
		if err != nil || string(b) != `"`+s+`"` {
			t.Errorf("json.Marshal(%v) = %s, %v", g, b, err)
		}
		var back Granularity
		if err := json.Unmarshal(b, &back); err != nil || back != g {
			t.Errorf("json.Unmarshal(%s) = %v, %v", b, back, err)
		}
	}
	if _, err := json.Marshal(Granularity(7)); err == nil {
		t.Error("marshalling an invalid granularity must fail")
	}
}

func TestParseGETDefaults(t *testing.T) {
	r, err := parseGETString("", Defaults{})
	if err != nil {
		t.Fatal(err)
	}
	want := &Request{APIVersion: "v2.0.0", Granularity: Boolean, IncludeResultsetResponses: "HIT", Limit: 10}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got %+v\nwant %+v", r, want)
	}
	r, err = parseGETString("", Defaults{Granularity: Count, Limit: 25})
	if err != nil {
		t.Fatal(err)
	}
	if r.Granularity != Count || r.GranularityGiven || r.Limit != 25 {
		t.Errorf("defaults not applied: %+v", r)
	}
	r, err = ParseGET(nil, Defaults{Granularity: Record})
	if err != nil || r.Granularity != Record || r.Limit != 10 {
		t.Errorf("ParseGET(nil) = %+v, %v", r, err)
	}
}

func TestParseGET(t *testing.T) {
	for _, tc := range []struct {
		name  string
		query string
		check func(t *testing.T, r *Request)
	}{
		{"pagination", "skip=2&limit=5", func(t *testing.T, r *Request) {
			if r.Skip != 2 || r.Limit != 5 {
				t.Errorf("skip, limit = %d, %d", r.Skip, r.Limit)
			}
		}},
		{"limit zero", "limit=0", func(t *testing.T, r *Request) {
			if r.Limit != 0 {
				t.Errorf("limit = %d", r.Limit)
			}
		}},
		{"huge limit clamped", "limit=99999999999999999999999&skip=4294967296", func(t *testing.T, r *Request) {
			if r.Limit != math.MaxInt32 || r.Skip != math.MaxInt32 {
				t.Errorf("limit, skip = %d, %d", r.Limit, r.Skip)
			}
		}},
		{"empty values are absent", "skip=&limit=&requestedGranularity=&assemblyId=&start=", func(t *testing.T, r *Request) {
			if r.Skip != 0 || r.Limit != 10 || r.GranularityGiven || r.Query.Variant != nil {
				t.Errorf("got %+v", r)
			}
		}},
		{"repeated identical scalar", "skip=1&skip=1", func(t *testing.T, r *Request) {
			if r.Skip != 1 {
				t.Errorf("skip = %d", r.Skip)
			}
		}},
		{"includeResultsetResponses", "includeResultsetResponses=all", func(t *testing.T, r *Request) {
			if r.IncludeResultsetResponses != "ALL" {
				t.Errorf("got %q", r.IncludeResultsetResponses)
			}
		}},
		{"requestedGranularity", "requestedGranularity=Count", func(t *testing.T, r *Request) {
			if r.Granularity != Count || !r.GranularityGiven {
				t.Errorf("got %v %v", r.Granularity, r.GranularityGiven)
			}
		}},
		{"testMode", "testMode=true", func(t *testing.T, r *Request) {
			if !r.TestMode {
				t.Error("testMode not set")
			}
		}},
		{"bare testMode", "testMode", func(t *testing.T, r *Request) {
			if !r.TestMode {
				t.Error("testMode not set")
			}
		}},
		{"testMode false", "testMode=FALSE", func(t *testing.T, r *Request) {
			if r.TestMode {
				t.Error("testMode set")
			}
		}},
		{"requestedSchema", "requestedSchema=beacon-individual-v2.0.0", func(t *testing.T, r *Request) {
			want := []SchemaRef{{Schema: "beacon-individual-v2.0.0"}}
			if !reflect.DeepEqual(r.RequestedSchemas, want) {
				t.Errorf("got %+v", r.RequestedSchemas)
			}
		}},
		{"ontology filters comma list", "filters=NCIT:C16576,NCIT:C42331", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{ontologyF("NCIT:C16576"), ontologyF("NCIT:C42331")}, []string{"NCIT:C16576", "NCIT:C42331"})
		}},
		{"filters repeated and listed", "filters=A:1,B:2&filters=C:3&filters=", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{ontologyF("A:1"), ontologyF("B:2"), ontologyF("C:3")}, []string{"A:1", "B:2", "C:3"})
		}},
		{"empty filter items skipped", "filters=,A:1,,", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{ontologyF("A:1")}, []string{"A:1"})
		}},
		{"X:Y is always a CURIE", "filters=libraryStrategy:WGS", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{ontologyF("libraryStrategy:WGS")}, []string{"libraryStrategy:WGS"})
		}},
		{"custom filter", "filters=myCustomTerm", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{customF("myCustomTerm")}, []string{"myCustomTerm"})
		}},
		{"alphanumeric age", "filters=age:>P70Y", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{alnumF("age", ">", "P70Y")}, []string{"age:>P70Y"})
		}},
		{"alphanumeric age <=", "filters=age:<=P65Y", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{alnumF("age", "<=", "P65Y")}, []string{"age:<=P65Y"})
		}},
		{"alphanumeric underscore CURIE", "filters=PATO_0000011:>=P70Y", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{alnumF("PATO:0000011", ">=", "P70Y")}, []string{"PATO:0000011:>=P70Y"})
		}},
		{"alphanumeric EFO", "filters=EFO_0004847:>P70Y", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{alnumF("EFO:0004847", ">", "P70Y")}, nil)
		}},
		{"alphanumeric NOT with plus spaces", "filters=HP_0032443:!unknown+medical+history", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{alnumF("HP:0032443", "!", "unknown medical history")}, []string{"HP:0032443:!unknown medical history"})
		}},
		{"alphanumeric percent-encoded", "filters=age%3A%3CP18Y", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{alnumF("age", "<", "P18Y")}, nil)
		}},
		{"alphanumeric without colon", "filters=libraryStrategy=WGS", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{alnumF("libraryStrategy", "=", "WGS")}, []string{"libraryStrategy:=WGS"})
		}},
		{"alphanumeric != is !", "filters=sex:!=NCIT:C16576", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{alnumF("sex", "!", "NCIT:C16576")}, nil)
		}},
		{"alphanumeric CURIE id", "filters=NCIT:C25150:<P30Y", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{alnumF("NCIT:C25150", "<", "P30Y")}, []string{"NCIT:C25150:<P30Y"})
		}},
		{"alphanumeric wildcard", "filters=diseases.notes:=%25cancer%25", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{alnumF("diseases.notes", "=", "%cancer%")}, nil)
		}},
		{"mixed filters", "filters=NCIT:C16576,age:>P70Y", func(t *testing.T, r *Request) {
			wantFilters(t, r, []engine.Filter{ontologyF("NCIT:C16576"), alnumF("age", ">", "P70Y")}, []string{"NCIT:C16576", "age:>P70Y"})
		}},
		{"dataset ids both spellings, deduplicated", "datasetIds=a,b&datasets=c,a", func(t *testing.T, r *Request) {
			if !reflect.DeepEqual(r.Query.DatasetIDs, []string{"a", "b", "c"}) {
				t.Errorf("got %v", r.Query.DatasetIDs)
			}
			wantEcho(t, r, `{"datasets":{"datasetIds":["a","b","c"]}}`)
			if r.Query.Variant != nil {
				t.Error("dataset ids must not create a variant query")
			}
		}},
		{"sequence query", "assemblyId=GRCh37&referenceName=22&start=16050074&referenceBases=a&alternateBases=g", func(t *testing.T, r *Request) {
			want := variantQ(func(v *engine.VariantQuery) {
				v.AssemblyID, v.ReferenceName, v.Start = "GRCh37", "22", []int64{16050074}
				v.ReferenceBases, v.AlternateBases = strp("A"), strp("G")
			})
			wantVariant(t, r, want)
			wantEcho(t, r, `{"g_variant":{"alternateBases":"G","assemblyId":"GRCh37","referenceBases":"A","referenceName":"22","start":[16050074]}}`)
		}},
		{"range query", "referenceName=NC_000017.11&start=7572837&end=7578641&variantType=DEL&variantMinLength=1&variantMaxLength=100", func(t *testing.T, r *Request) {
			wantVariant(t, r, variantQ(func(v *engine.VariantQuery) {
				v.ReferenceName, v.Start, v.End, v.VariantType = "NC_000017.11", []int64{7572837}, []int64{7578641}, "DEL"
				v.VariantMinLength, v.VariantMaxLength = 1, 100
			}))
		}},
		{"bracket query", "referenceName=NC_000017.11&variantType=DEL&start=5000000,7676592&end=7669607,10000000", func(t *testing.T, r *Request) {
			wantVariant(t, r, variantQ(func(v *engine.VariantQuery) {
				v.ReferenceName, v.VariantType = "NC_000017.11", "DEL"
				v.Start, v.End = []int64{5000000, 7676592}, []int64{7669607, 10000000}
			}))
			wantEcho(t, r, `{"g_variant":{"end":[7669607,10000000],"referenceName":"NC_000017.11","start":[5000000,7676592],"variantType":"DEL"}}`)
		}},
		{"repeated start", "start=1&start=2&referenceName=1", func(t *testing.T, r *Request) {
			if !reflect.DeepEqual(r.Query.Variant.Start, []int64{1, 2}) {
				t.Errorf("start = %v", r.Query.Variant.Start)
			}
		}},
		{"empty bases are real values", "referenceName=1&start=5&referenceBases=A&alternateBases=", func(t *testing.T, r *Request) {
			v := r.Query.Variant
			if v.AlternateBases == nil || *v.AlternateBases != "" || *v.ReferenceBases != "A" {
				t.Errorf("bases = %v, %v", v.ReferenceBases, v.AlternateBases)
			}
		}},
		{"IUPAC bases", "referenceBases=acgtunryswkmbdhv-.", func(t *testing.T, r *Request) {
			if got := *r.Query.Variant.ReferenceBases; got != "ACGTUNRYSWKMBDHV-." {
				t.Errorf("referenceBases = %q", got)
			}
		}},
		{"gene query geneId", "geneId=EIF4A1&variantMaxLength=1000000&variantType=DEL", func(t *testing.T, r *Request) {
			wantVariant(t, r, variantQ(func(v *engine.VariantQuery) {
				v.GeneID, v.VariantMaxLength, v.VariantType = "EIF4A1", 1000000, "DEL"
			}))
		}},
		{"gene query geneid and aminoacidChange", "aminoacidChange=V600E&geneid=BRAF", func(t *testing.T, r *Request) {
			wantVariant(t, r, variantQ(func(v *engine.VariantQuery) { v.GeneID, v.AminoacidChange = "BRAF", "V600E" }))
			wantEcho(t, r, `{"g_variant":{"aminoacidChange":"V600E","geneId":"BRAF"}}`)
		}},
		{"genomicAlleleShortForm", "genomicAlleleShortForm=NM_004006.2:c.4375C%3ET", func(t *testing.T, r *Request) {
			wantVariant(t, r, variantQ(func(v *engine.VariantQuery) { v.GenomicAlleleShortForm = "NM_004006.2:c.4375C>T" }))
		}},
		{"allele", "allele=NM_004006.2:c.4375C>T", func(t *testing.T, r *Request) {
			wantVariant(t, r, variantQ(func(v *engine.VariantQuery) { v.GenomicAlleleShortForm = "NM_004006.2:c.4375C>T" }))
		}},
		{"mateName", "referenceName=1&mateName=2&variantType=BND&start=100", func(t *testing.T, r *Request) {
			if r.Query.Variant.MateName != "2" || r.Query.Variant.VariantType != "BND" {
				t.Errorf("got %+v", r.Query.Variant)
			}
		}},
		{"assemblyId alone is fine", "assemblyId=GRCh38", func(t *testing.T, r *Request) {
			wantVariant(t, r, variantQ(func(v *engine.VariantQuery) { v.AssemblyID = "GRCh38" }))
		}},
		{"min equals max", "variantMinLength=5&variantMaxLength=5", func(t *testing.T, r *Request) {
			if r.Query.Variant.VariantMinLength != 5 || r.Query.Variant.VariantMaxLength != 5 {
				t.Errorf("got %+v", r.Query.Variant)
			}
		}},
		{"unknown parameters are warnings", "foo=1&bar&foo=2&skip=1", func(t *testing.T, r *Request) {
			want := []string{"unknown parameter 'foo' ignored", "unknown parameter 'bar' ignored"}
			if !reflect.DeepEqual(r.Warnings, want) || r.Skip != 1 {
				t.Errorf("warnings = %q", r.Warnings)
			}
		}},
		{"parameter names are case-sensitive", "Skip=3", func(t *testing.T, r *Request) {
			if r.Skip != 0 || len(r.Warnings) != 1 {
				t.Errorf("skip = %d, warnings = %q", r.Skip, r.Warnings)
			}
		}},
		{"warnings are capped", func() string {
			var sb strings.Builder
			for i := range 50 {
				sb.WriteString("p" + string(rune('A'+i%26)) + string(rune('a'+i/26)) + "=1&")
			}
			return sb.String()
		}(), func(t *testing.T, r *Request) {
			if len(r.Warnings) != maxWarnings || r.Warnings[maxWarnings-1] != "further warnings omitted" {
				t.Errorf("%d warnings, last %q", len(r.Warnings), r.Warnings[len(r.Warnings)-1])
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := parseGETString(tc.query, Defaults{})
			if err != nil {
				t.Fatalf("ParseGET(%q): %v", tc.query, err)
			}
			tc.check(t, r)
			checkInvariants(t, r)
		})
	}
}

func TestParseGETErrors(t *testing.T) {
	for _, tc := range []struct{ query, want string }{
		{"skip=-1", "skip must be a non-negative integer; got '-1'"},
		{"skip=abc", "skip must be a non-negative integer; got 'abc'"},
		{"limit=1.5", "limit must be a non-negative integer; got '1.5'"},
		{"limit=%2B", "limit must be a non-negative integer; got '+'"},
		{"skip=1&skip=2", "parameter 'skip' given more than once with different values"},
		{"includeResultsetResponses=SOME", "includeResultsetResponses must be one of HIT, MISS, ALL, NONE; got 'SOME'"},
		{"requestedGranularity=full", "requestedGranularity must be one of boolean, count, aggregated, record; got 'full'"},
		{"testMode=maybe", "testMode must be true or false; got 'maybe'"},
		{"filters=age:>", "filter 'age:>' has no value after the operator '>'"},
		{"filters=:>5", "filter ':>5' has no id before the operator"},
		{"filters=>=5", "filter '>=5' has no id before the operator"},
		{"filters=NCIT:C1,age:<", "filter 'age:<' has no value after the operator '<'"},
		{"start=1,2,3", "start takes 1 or 2 values; got 3"},
		{"start=1,2&start=3", "start takes 1 or 2 values; got 3"},
		{"start=1,,2", "start has an empty value"},
		{"start=-1", "start must be a non-negative integer; got '-1'"},
		{"start=x", "start must be a non-negative integer; got 'x'"},
		{"start=99999999999999999999", "start value '99999999999999999999' is out of range"},
		{"end=1,2,3&start=1", "end takes 1 or 2 values; got 3"},
		{"referenceName=1&end=5", "parameter 'end' given without 'start'"},
		{"referenceBases=ACGX", "referenceBases must contain only IUPAC bases (ACGTUNRYSWKMBDHV), '-' or '.'; got 'ACGX'"},
		{"alternateBases=A%20C", "alternateBases must contain only IUPAC bases (ACGTUNRYSWKMBDHV), '-' or '.'; got 'A C'"},
		{"variantMinLength=10&variantMaxLength=5", "variantMinLength (10) is greater than variantMaxLength (5)"},
		{"variantMinLength=-3", "variantMinLength must be a non-negative integer; got '-3'"},
		{"geneId=BRAF&geneid=KRAS", "parameter 'geneId' given twice (as 'geneId' and as 'geneid')"},
		{"allele=x&genomicAlleleShortForm=x", "parameter 'genomicAlleleShortForm' given twice (as 'allele' and as 'genomicAlleleShortForm')"},
		{"referenceName=1&referenceName=2", "parameter 'referenceName' given more than once with different values"},
		{"skip=" + strings.Repeat("9", 200) + "x", "skip must be a non-negative integer; got '" + strings.Repeat("9", maxQuoted) + "…'"},
		{"skip=%01", "skip must be a non-negative integer; got '\\x01'"},
	} {
		_, err := parseGETString(tc.query, Defaults{})
		var re *RequestError
		if !errors.As(err, &re) {
			t.Errorf("ParseGET(%q): want a *RequestError, got %v", tc.query, err)
			continue
		}
		if re.Error() != tc.want {
			t.Errorf("ParseGET(%q):\n got %q\nwant %q", tc.query, re.Error(), tc.want)
		}
	}
}

func TestParsePOSTDefaults(t *testing.T) {
	for _, body := range []string{"", "  \n", `{}`, `{"meta":{"apiVersion":""}}`, `{"meta":null,"query":null}`} {
		r, err := ParsePOST([]byte(body), Defaults{Granularity: Count})
		if err != nil {
			t.Fatalf("ParsePOST(%q): %v", body, err)
		}
		want := &Request{APIVersion: "v2.0.0", Granularity: Count, IncludeResultsetResponses: "HIT", Limit: 10}
		if !reflect.DeepEqual(r, want) {
			t.Errorf("ParsePOST(%q) = %+v", body, r)
		}
	}
}

func TestParsePOST(t *testing.T) {
	for _, tc := range []struct {
		name  string
		body  string
		check func(t *testing.T, r *Request)
	}{
		{"min example", `{"meta":{"apiVersion":"2.0"}}`, func(t *testing.T, r *Request) {
			if r.APIVersion != "2.0" {
				t.Errorf("apiVersion = %q", r.APIVersion)
			}
		}},
		{"numeric apiVersion kept as written", `{"meta":{"apiVersion":2.0}}`, func(t *testing.T, r *Request) {
			if r.APIVersion != "2.0" {
				t.Errorf("apiVersion = %q", r.APIVersion)
			}
		}},
		{"requestedSchemas", `{"meta":{"apiVersion":"v2.0.0","requestedSchemas":[{"entityType":"individual","schema":"beacon-individual-v2.0.0"},{"entityType":"biosample","schema:":"beacon-biosample-v2.0.0"},"bare-schema",null]}}`, func(t *testing.T, r *Request) {
			want := []SchemaRef{{"individual", "beacon-individual-v2.0.0"}, {"biosample", "beacon-biosample-v2.0.0"}, {"", "bare-schema"}}
			if !reflect.DeepEqual(r.RequestedSchemas, want) {
				t.Errorf("got %+v", r.RequestedSchemas)
			}
		}},
		{"query section", `{"meta":{"apiVersion":"2.0"},"query":{"includeResultsetResponses":"miss","pagination":{"skip":3,"limit":20},"requestedGranularity":"record","testMode":true}}`, func(t *testing.T, r *Request) {
			if r.IncludeResultsetResponses != "MISS" || r.Skip != 3 || r.Limit != 20 || r.Granularity != Record || !r.GranularityGiven || !r.TestMode {
				t.Errorf("got %+v", r)
			}
		}},
		{"top-level tolerated", `{"meta":{"apiVersion":"2.0"},"requestedGranularity":"count","pagination":{"skip":1,"limit":2},"testMode":"true"}`, func(t *testing.T, r *Request) {
			if r.Granularity != Count || r.Skip != 1 || r.Limit != 2 || !r.TestMode || len(r.Warnings) != 0 {
				t.Errorf("got %+v", r)
			}
		}},
		{"query wins over top level", `{"requestedGranularity":"count","query":{"requestedGranularity":"record"}}`, func(t *testing.T, r *Request) {
			if r.Granularity != Record {
				t.Errorf("granularity = %v", r.Granularity)
			}
		}},
		{"numbers as strings and floats", `{"query":{"pagination":{"skip":"2","limit":10.0}}}`, func(t *testing.T, r *Request) {
			if r.Skip != 2 || r.Limit != 10 {
				t.Errorf("skip, limit = %d, %d", r.Skip, r.Limit)
			}
		}},
		{"huge limit clamped", `{"query":{"pagination":{"limit":1e30}}}`, func(t *testing.T, r *Request) {
			if r.Limit != math.MaxInt32 {
				t.Errorf("limit = %d", r.Limit)
			}
		}},
		{"flat variant parameters", `{"query":{"requestParameters":{"assemblyId":"GRCh37","referenceName":"22","start":16050074,"referenceBases":"A","alternateBases":"G"}}}`, func(t *testing.T, r *Request) {
			wantVariant(t, r, variantQ(func(v *engine.VariantQuery) {
				v.AssemblyID, v.ReferenceName, v.Start = "GRCh37", "22", []int64{16050074}
				v.ReferenceBases, v.AlternateBases = strp("A"), strp("G")
			}))
			wantEcho(t, r, `{"g_variant":{"alternateBases":"G","assemblyId":"GRCh37","referenceBases":"A","referenceName":"22","start":[16050074]}}`)
		}},
		{"nested g_variant and datasets", `{"query":{"requestParameters":{"g_variant":{"referenceName":"NC_000017.11","start":[5000000,7676592],"end":["7669607","10000000"],"variantType":"DEL"},"datasets":{"datasetIds":["d1","d2"]}}}}`, func(t *testing.T, r *Request) {
			wantVariant(t, r, variantQ(func(v *engine.VariantQuery) {
				v.ReferenceName, v.VariantType = "NC_000017.11", "DEL"
				v.Start, v.End = []int64{5000000, 7676592}, []int64{7669607, 10000000}
			}))
			if !reflect.DeepEqual(r.Query.DatasetIDs, []string{"d1", "d2"}) {
				t.Errorf("datasets = %v", r.Query.DatasetIDs)
			}
			wantEcho(t, r, `{"datasets":{"datasetIds":["d1","d2"]},"g_variant":{"end":[7669607,10000000],"referenceName":"NC_000017.11","start":[5000000,7676592],"variantType":"DEL"}}`)
		}},
		{"start as digit string and comma string", `{"query":{"requestParameters":{"referenceName":22,"start":"100,200","end":"300"}}}`, func(t *testing.T, r *Request) {
			wantVariant(t, r, variantQ(func(v *engine.VariantQuery) {
				v.ReferenceName, v.Start, v.End = "22", []int64{100, 200}, []int64{300}
			}))
		}},
		{"flat datasetIds and datasets array", `{"query":{"requestParameters":{"datasetIds":"a,b","datasets":["b","c"]}}}`, func(t *testing.T, r *Request) {
			// keys are read in sorted order: datasetIds before datasets
			if !reflect.DeepEqual(r.Query.DatasetIDs, []string{"a", "b", "c"}) {
				t.Errorf("datasets = %v", r.Query.DatasetIDs)
			}
		}},
		{"geneid and allele spellings", `{"query":{"requestParameters":{"g_variant":{"geneid":"BRAF","aminoacidChange":"V600E","allele":"NM_004333.4:c.1799T>A"}}}}`, func(t *testing.T, r *Request) {
			wantVariant(t, r, variantQ(func(v *engine.VariantQuery) {
				v.GeneID, v.AminoacidChange, v.GenomicAlleleShortForm = "BRAF", "V600E", "NM_004333.4:c.1799T>A"
			}))
		}},
		{"empty alternateBases is a deletion", `{"query":{"requestParameters":{"referenceName":"1","start":[10],"referenceBases":"acg","alternateBases":""}}}`, func(t *testing.T, r *Request) {
			v := r.Query.Variant
			if *v.ReferenceBases != "ACG" || v.AlternateBases == nil || *v.AlternateBases != "" {
				t.Errorf("got %+v", v)
			}
		}},
		{"null values are absent", `{"query":{"requestParameters":{"referenceName":null,"g_variant":null,"datasets":null},"filters":null,"pagination":null}}`, func(t *testing.T, r *Request) {
			if r.Query.Variant != nil || r.Query.Filters != nil || r.EchoParams != nil {
				t.Errorf("got %+v", r)
			}
		}},
		{"filters", `{"query":{"filters":[
			{"id":"NCIT:C16576"},
			{"id":"UBERON:0000178","scope":"biosample","includeDescendantTerms":false},
			{"id":"EFO:0001212","scope":"Biosamples","similarity":"HIGH"},
			{"id":"age","operator":">","value":"P70Y","scope":"individuals"},
			{"id":"PATO_0000011","operator":"<=","value":"P18Y"},
			{"id":"libraryStrategy","value":"WGS"},
			{"id":"measures.value","operator":"!=","value":70},
			{"id":"demographic.ethnicity"},
			"NCIT:C42331",
			"age:<P40Y",
			null,
			{"id":"g1","scope":"g_variants","includeDescendantTerms":"true"}
		]}}`, func(t *testing.T, r *Request) {
			scoped := func(f engine.Filter, e release.Entity) engine.Filter { f.Scope = e; return f }
			notDesc := ontologyF("UBERON:0000178")
			notDesc.IncludeDescendants = false
			sim := ontologyF("EFO:0001212")
			sim.Similarity = "high"
			want := []engine.Filter{
				ontologyF("NCIT:C16576"),
				scoped(notDesc, release.Biosample),
				scoped(sim, release.Biosample),
				scoped(alnumF("age", ">", "P70Y"), release.Individual),
				alnumF("PATO:0000011", "<=", "P18Y"),
				alnumF("libraryStrategy", "=", "WGS"),
				alnumF("measures.value", "!", "70"),
				customF("demographic.ethnicity"),
				ontologyF("NCIT:C42331"),
				alnumF("age", "<", "P40Y"),
				scoped(customF("g1"), release.GenomicVariation),
			}
			wantFilters(t, r, want, []string{"NCIT:C16576", "UBERON:0000178", "EFO:0001212", "age:>P70Y",
				"PATO:0000011:<=P18Y", "libraryStrategy:=WGS", "measures.value:!70", "demographic.ethnicity",
				"NCIT:C42331", "age:<P40Y", "g1"})
		}},
		{"unknown keys are warnings", `{"meta":{"apiVersion":"2.0","extra":1},"query":{"foo":1,"requestParameters":{"individual":{},"g_variant":{"bar":1},"datasets":{"ids":[]}}},"baz":true,"$schema":"x"}`, func(t *testing.T, r *Request) {
			want := []string{
				"unknown key 'baz' in the request body ignored",
				"unknown key 'query.foo' in query ignored",
				"unknown key 'query.requestParameters.datasets.ids' ignored",
				"unknown variant parameter 'query.requestParameters.g_variant.bar' ignored",
				"unknown request parameter 'query.requestParameters.individual' ignored",
			}
			if !reflect.DeepEqual(r.Warnings, want) {
				t.Errorf("warnings:\n%q\nwant\n%q", r.Warnings, want)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParsePOST([]byte(tc.body), Defaults{})
			if err != nil {
				t.Fatalf("ParsePOST: %v", err)
			}
			tc.check(t, r)
			checkInvariants(t, r)
		})
	}
}

func TestParsePOSTErrors(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{`, "invalid JSON body: unexpected end of input"},
		{`{"a":}`, "invalid JSON body: invalid character '}' looking for beginning of value (at byte 6)"},
		{`{} {}`, "invalid JSON body: unexpected data after the top-level value"},
		{`[]`, "request body must be a JSON object; got an array"},
		{`null`, "request body must be a JSON object; got null"},
		{`"x"`, "request body must be a JSON object; got a string"},
		{`{"meta":[]}`, "meta must be an object; got an array"},
		{`{"meta":{"apiVersion":true}}`, "meta.apiVersion must be a string; got a boolean"},
		{`{"meta":{"requestedSchemas":{}}}`, "meta.requestedSchemas must be an array; got an object"},
		{`{"meta":{"requestedSchemas":[1]}}`, "meta.requestedSchemas[0] must be an object; got a number"},
		{`{"meta":{"requestedSchemas":[{"schema":1}]}}`, "meta.requestedSchemas[0].schema must be a string; got a number"},
		{`{"query":[]}`, "query must be an object; got an array"},
		{`{"query":{"pagination":5}}`, "query.pagination must be an object; got a number"},
		{`{"query":{"pagination":{"skip":-1}}}`, "query.pagination.skip must be a non-negative integer; got '-1'"},
		{`{"query":{"pagination":{"limit":"ten"}}}`, "query.pagination.limit must be a non-negative integer; got 'ten'"},
		{`{"query":{"pagination":{"limit":1.5}}}`, "query.pagination.limit must be a non-negative integer; got '1.5'"},
		{`{"query":{"pagination":{"limit":true}}}`, "query.pagination.limit must be a non-negative integer; got a boolean"},
		{`{"pagination":{"skip":"x"}}`, "pagination.skip must be a non-negative integer; got 'x'"},
		{`{"query":{"requestedGranularity":"full"}}`, "query.requestedGranularity must be one of boolean, count, aggregated, record; got 'full'"},
		{`{"query":{"requestedGranularity":1}}`, "query.requestedGranularity must be one of boolean, count, aggregated, record; got '1'"},
		{`{"query":{"requestedGranularity":[]}}`, "query.requestedGranularity must be a string; got an array"},
		{`{"query":{"includeResultsetResponses":"any"}}`, "query.includeResultsetResponses must be one of HIT, MISS, ALL, NONE; got 'any'"},
		{`{"query":{"testMode":1}}`, "query.testMode must be a boolean; got a number"},
		{`{"query":{"testMode":"yes"}}`, "query.testMode must be true or false; got 'yes'"},
		{`{"query":{"filters":{}}}`, "query.filters must be an array; got an object"},
		{`{"query":{"filters":"NCIT:C1"}}`, "query.filters must be an array; got a string"},
		{`{"query":{"filters":[1]}}`, "query.filters[0] must be an object, a string or an array (an OR group); got a number"},
		{`{"query":{"filters":[""]}}`, "query.filters[0] is an empty string"},
		{`{"query":{"filters":[{}]}}`, "query.filters[0] has no id"},
		{`{"query":{"filters":[{"id":" "}]}}`, "query.filters[0] has no id"},
		{`{"query":{"filters":[{"id":5}]}}`, "query.filters[0].id must be a string; got a number"},
		{`{"query":{"filters":[{"id":"a:b"},{"id":"age","operator":"~","value":"1"}]}}`, "query.filters[1].operator '~' is not one of =, !, <, >, <=, >="},
		{`{"query":{"filters":[{"id":"age","operator":">"}]}}`, "query.filters[0] has operator '>' but no value"},
		{`{"query":{"filters":[{"id":"age","value":{}}]}}`, "query.filters[0].value must be a string; got an object"},
		{`{"query":{"filters":[{"id":"a:b","scope":"people"}]}}`, "query.filters[0].scope 'people' is not an entry type (individual, biosample, run, analysis, genomicVariation, dataset, cohort)"},
		{`{"query":{"filters":[{"id":"a:b","includeDescendantTerms":"no way"}]}}`, "query.filters[0].includeDescendantTerms must be true or false; got 'no way'"},
		{`{"query":{"filters":[{"id":"a:b","includeDescendantTerms":1}]}}`, "query.filters[0].includeDescendantTerms must be a boolean; got a number"},
		{`{"query":{"filters":[{"id":"a:b","similarity":"fuzzy"}]}}`, "query.filters[0].similarity 'fuzzy' is not one of exact, high, medium, low"},
		{`{"query":{"filters":["age:>"]}}`, "filter 'age:>' has no value after the operator '>'"},
		{`{"query":{"requestParameters":[]}}`, "query.requestParameters must be an object; got an array"},
		{`{"query":{"requestParameters":{"g_variant":"x"}}}`, "query.requestParameters.g_variant must be an object; got a string"},
		{`{"query":{"requestParameters":{"start":[1,2,3]}}}`, "query.requestParameters.start takes 1 or 2 values; got 3"},
		{`{"query":{"requestParameters":{"start":[-1]}}}`, "query.requestParameters.start must be a non-negative integer; got '-1'"},
		{`{"query":{"requestParameters":{"start":[1.5]}}}`, "query.requestParameters.start must be a non-negative integer; got '1.5'"},
		{`{"query":{"requestParameters":{"start":[""]}}}`, "query.requestParameters.start[0] is empty"},
		{`{"query":{"requestParameters":{"start":{}}}}`, "query.requestParameters.start must be an integer or an array of 1 or 2 integers; got an object"},
		{`{"query":{"requestParameters":{"start":[true]}}}`, "query.requestParameters.start[0] must be a string or a number; got a boolean"},
		{`{"query":{"requestParameters":{"referenceName":"1","end":[5]}}}`, "parameter 'end' given without 'start'"},
		{`{"query":{"requestParameters":{"referenceBases":"XYZ"}}}`, "query.requestParameters.referenceBases must contain only IUPAC bases (ACGTUNRYSWKMBDHV), '-' or '.'; got 'XYZ'"},
		{`{"query":{"requestParameters":{"alternateBases":1}}}`, "query.requestParameters.alternateBases must be a string; got a number"},
		{`{"query":{"requestParameters":{"referenceName":{}}}}`, "query.requestParameters.referenceName must be a string or a number; got an object"},
		{`{"query":{"requestParameters":{"variantMinLength":10,"variantMaxLength":"2"}}}`, "variantMinLength (10) is greater than variantMaxLength (2)"},
		{`{"query":{"requestParameters":{"referenceName":"1","g_variant":{"referenceName":"2"}}}}`, "parameter 'referenceName' given twice (as 'query.requestParameters.g_variant.referenceName' and as 'query.requestParameters.referenceName')"},
		{`{"query":{"requestParameters":{"g_variant":{"geneId":"A","geneid":"B"}}}}`, "parameter 'geneId' given twice (as 'query.requestParameters.g_variant.geneId' and as 'query.requestParameters.g_variant.geneid')"},
		{`{"query":{"requestParameters":{"datasets":{"datasetIds":[{}]}}}}`, "query.requestParameters.datasets.datasetIds[0] must be a string or a number; got an object"},
		{`{"query":{"requestParameters":{"datasets":true}}}`, "query.requestParameters.datasets must be an array of strings; got a boolean"},
	} {
		_, err := ParsePOST([]byte(tc.body), Defaults{})
		var re *RequestError
		if !errors.As(err, &re) {
			t.Errorf("ParsePOST(%s): want a *RequestError, got %v", tc.body, err)
			continue
		}
		if re.Error() != tc.want {
			t.Errorf("ParsePOST(%s):\n got %q\nwant %q", tc.body, re.Error(), tc.want)
		}
	}
}

// TestParseSpecExamples parses the official request examples.
func TestParseSpecExamples(t *testing.T) {
	dir := filepath.Join(testenv.SchemaDir(t), "framework/json/requests/examples-fullDocuments")
	minBody, err := os.ReadFile(filepath.Join(dir, "beaconRequestBody-MIN-example.json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParsePOST(minBody, Defaults{})
	if err != nil || r.APIVersion == "" {
		t.Fatalf("MIN example: %+v, %v", r, err)
	}
	maxBody, err := os.ReadFile(filepath.Join(dir, "beaconRequestBody-MAX-example.json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err = ParsePOST(maxBody, Defaults{Granularity: Record})
	if err != nil {
		t.Fatalf("MAX example: %v", err)
	}
	f := ontologyF("EFO:0001212")
	f.Scope = release.Biosample
	if !reflect.DeepEqual(r.Query.Filters, []engine.Filter{f}) ||
		!reflect.DeepEqual(r.Query.DatasetIDs, []string{"DatasetXYZ", "Dataset123"}) ||
		r.Granularity != Boolean || !r.GranularityGiven || r.Limit != 10 || r.APIVersion != "2.0" ||
		!reflect.DeepEqual(r.RequestedSchemas, []SchemaRef{{"EntryTypeA", "entry-typeA-schema-v0.1"}}) {
		t.Errorf("MAX example parsed as %+v", r)
	}
	if len(r.Warnings) != 0 {
		t.Errorf("warnings: %q", r.Warnings)
	}
}

type exampleQuery struct {
	ID       string          `json:"id"`
	Endpoint string          `json:"endpoint"`
	GET      *string         `json:"GET"`
	POSTBody json.RawMessage `json:"POST_body"`
}

// loadExampleQueries reads the shared CINECA example queries (never copied into the repo).
func loadExampleQueries(t testing.TB) []exampleQuery {
	t.Helper()
	p := filepath.Join(testenv.DataDir(t), "cineca_uk1_examples", "example_queries.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Queries []exampleQuery `json:"queries"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	if len(doc.Queries) == 0 {
		t.Fatalf("%s: no queries", p)
	}
	return doc.Queries
}

// TestExampleQueries parses every GET and POST form of the shared examples; where both exist
// they must give the same engine query.
func TestExampleQueries(t *testing.T) {
	for _, q := range loadExampleQueries(t) {
		post, err := ParsePOST(q.POSTBody, Defaults{})
		if err != nil {
			t.Errorf("%s POST: %v", q.ID, err)
			continue
		}
		checkInvariants(t, post)
		if post.Granularity != Count || post.APIVersion != "2.0" || len(post.Warnings) != 0 {
			t.Errorf("%s POST parsed as %+v", q.ID, post)
		}
		if q.GET == nil {
			continue
		}
		qs := ""
		if i := strings.IndexByte(*q.GET, '?'); i >= 0 {
			qs = (*q.GET)[i+1:]
		}
		get, err := parseGETString(qs, Defaults{})
		if err != nil {
			t.Errorf("%s GET: %v", q.ID, err)
			continue
		}
		checkInvariants(t, get)
		if !reflect.DeepEqual(get.Query, post.Query) || !reflect.DeepEqual(get.EchoFilters, post.EchoFilters) ||
			!reflect.DeepEqual(get.EchoParams, post.EchoParams) {
			t.Errorf("%s: GET and POST differ:\nGET  %+v\nPOST %+v", q.ID, get, post)
		}
	}
	// ex06 is a sequence query.
	r, _ := parseGETString("assemblyId=GRCh37&referenceName=22&start=16050074&referenceBases=A&alternateBases=G", Defaults{})
	if v := r.Query.Variant; v == nil || v.Start[0] != 16050074 {
		t.Errorf("sequence query parsed as %+v", v)
	}
}

// TestEchoValidates puts the echoes of parsed requests into a count response and validates
// it against the official schema: receivedRequestSummary.filters must be strings and
// requestParameters values objects (https://github.com/ga4gh-beacon/beacon-v2/blob/v2.1.1/framework/json/responses/sections/beaconReceivedRequestSummary.json).
func TestEchoValidates(t *testing.T) {
	v := schematest.For(t)
	for _, body := range []string{
		`{"meta":{"apiVersion":"2.0"},"query":{"requestParameters":{"referenceName":"22","start":16050074,"referenceBases":"A","alternateBases":"G","datasetIds":["d1"]},"filters":[{"id":"NCIT:C16576"},{"id":"age","operator":">=","value":"P70Y"}],"requestedGranularity":"count"}}`,
		`{"meta":{"apiVersion":"2.0"},"query":{"requestParameters":{"g_variant":{"referenceName":"1","start":[1,5],"end":[9,12],"variantType":"DEL","variantMinLength":1,"variantMaxLength":9}}}}`,
		`{}`,
	} {
		r, err := ParsePOST([]byte(body), Defaults{})
		if err != nil {
			t.Fatal(err)
		}
		summary := map[string]any{
			"apiVersion":                r.APIVersion,
			"requestedSchemas":          r.RequestedSchemas,
			"pagination":                map[string]int{"skip": r.Skip, "limit": r.Limit},
			"requestedGranularity":      r.Granularity,
			"includeResultsetResponses": r.IncludeResultsetResponses,
			"testMode":                  r.TestMode,
		}
		if r.RequestedSchemas == nil {
			summary["requestedSchemas"] = []SchemaRef{}
		}
		if r.EchoFilters != nil {
			summary["filters"] = r.EchoFilters
		}
		if r.EchoParams != nil {
			summary["requestParameters"] = r.EchoParams
		}
		resp := map[string]any{
			"meta": map[string]any{
				"beaconId": "org.bitbeacon.test", "apiVersion": "v2.0.0",
				"returnedSchemas":        []SchemaRef{{"individual", "beacon-individual-v2.0.0"}},
				"returnedGranularity":    "count",
				"receivedRequestSummary": summary,
			},
			"responseSummary": map[string]any{"exists": true, "numTotalResults": 3},
		}
		b, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Response(schematest.KindData, "individual", false, b); err != nil {
			t.Errorf("%s: %v\n%s", body, err, b)
		}
	}
}

func wantFilters(t *testing.T, r *Request, filters []engine.Filter, echo []string) {
	t.Helper()
	if !reflect.DeepEqual(r.Query.Filters, filters) {
		t.Errorf("filters:\n got %+v\nwant %+v", r.Query.Filters, filters)
	}
	if echo != nil && !reflect.DeepEqual(r.EchoFilters, echo) {
		t.Errorf("echo filters:\n got %q\nwant %q", r.EchoFilters, echo)
	}
}

func wantVariant(t *testing.T, r *Request, want *engine.VariantQuery) {
	t.Helper()
	if !reflect.DeepEqual(r.Query.Variant, want) {
		t.Errorf("variant:\n got %s\nwant %s", dumpJSON(r.Query.Variant), dumpJSON(want))
	}
}

func wantEcho(t *testing.T, r *Request, want string) {
	t.Helper()
	b, err := json.Marshal(r.EchoParams)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want {
		t.Errorf("echo params:\n got %s\nwant %s", b, want)
	}
}

func dumpJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// checkInvariants holds for every successfully parsed request (also used by the fuzzers).
func checkInvariants(t testing.TB, r *Request) {
	t.Helper()
	if r == nil {
		t.Fatal("nil request without error")
	}
	if r.Granularity > Record {
		t.Errorf("granularity %d", r.Granularity)
	}
	if r.Skip < 0 || r.Limit < 0 || r.Skip > math.MaxInt32 || r.Limit > math.MaxInt32 {
		t.Errorf("skip %d limit %d", r.Skip, r.Limit)
	}
	switch r.IncludeResultsetResponses {
	case "HIT", "MISS", "ALL", "NONE":
	default:
		t.Errorf("includeResultsetResponses %q", r.IncludeResultsetResponses)
	}
	if r.APIVersion == "" {
		t.Error("empty apiVersion")
	}
	grouped := 0 // echoes of OR groups, which may have been hoisted into filters
	for _, e := range r.EchoFilters {
		if strings.HasPrefix(e, "[") {
			grouped++
		}
	}
	if len(r.EchoFilters)-grouped+len(r.Query.Groups) > len(r.Query.Filters)+len(r.Query.Groups) ||
		grouped == 0 && (len(r.EchoFilters) != len(r.Query.Filters) || len(r.Query.Groups) > 0) {
		t.Errorf("%d echo filters (%d groups) for %d filters and %d groups", len(r.EchoFilters), grouped, len(r.Query.Filters), len(r.Query.Groups))
	}
	checkFilters(t, r.Query.Filters)
	for _, g := range r.Query.Groups {
		checkGroup(t, g, true, 1)
	}
	if v := r.Query.Variant; v != nil {
		if len(v.Start) > 2 || len(v.End) > 2 || (len(v.End) > 0 && len(v.Start) == 0) {
			t.Errorf("start %v end %v", v.Start, v.End)
		}
		for _, c := range append(append([]int64{}, v.Start...), v.End...) {
			if c < 0 {
				t.Errorf("negative coordinate %d", c)
			}
		}
		for _, b := range []*string{v.ReferenceBases, v.AlternateBases} {
			if b != nil {
				if nb, ok := normBases(*b); !ok || nb != *b {
					t.Errorf("bases %q", *b)
				}
			}
		}
		if v.VariantMinLength < -1 || v.VariantMaxLength < -1 ||
			(v.VariantMinLength >= 0 && v.VariantMaxLength >= 0 && v.VariantMinLength > v.VariantMaxLength) {
			t.Errorf("lengths %d %d", v.VariantMinLength, v.VariantMaxLength)
		}
	}
	if r.EchoParams != nil {
		b, err := json.Marshal(r.EchoParams)
		if err != nil {
			t.Fatalf("echo params do not marshal: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for k, v := range m {
			if _, ok := v.(map[string]any); !ok {
				t.Errorf("requestParameters echo %q is not an object: %s", k, b)
			}
		}
	}
}

func BenchmarkParseGET(b *testing.B) {
	var args fasthttp.Args
	args.Parse("assemblyId=GRCh37&referenceName=22&start=16050074&referenceBases=A&alternateBases=G&filters=NCIT:C16576,age:>P70Y&requestedGranularity=count")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseGET(&args, Defaults{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePOST(b *testing.B) {
	body := []byte(`{"meta":{"apiVersion":"2.0"},"query":{"requestParameters":{"assemblyId":"GRCh37","referenceName":"22","start":16050074,"referenceBases":"A","alternateBases":"G"},"filters":[{"id":"NCIT:C16576"}],"includeResultsetResponses":"HIT","pagination":{"skip":0,"limit":10},"testMode":false,"requestedGranularity":"count"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePOST(body, Defaults{}); err != nil {
			b.Fatal(err)
		}
	}
}

// checkFilters checks each filter's kind, id and operator.
func checkFilters(t testing.TB, fs []engine.Filter) {
	t.Helper()
	for _, f := range fs {
		if f.ID == "" {
			t.Errorf("filter without id: %+v", f)
		}
		switch f.Kind {
		case engine.AlphanumericFilter:
			switch f.Operator {
			case "=", "!", "<", ">", "<=", ">=":
			default:
				t.Errorf("operator %q", f.Operator)
			}
		case engine.OntologyFilter, engine.CustomFilter:
			if f.Operator != "" || f.Value != "" {
				t.Errorf("term filter with operator: %+v", f)
			}
		default:
			t.Errorf("filter kind %d", f.Kind)
		}
	}
}

// checkGroup checks that a group alternates AND and OR with its depth, has two members or
// more (smaller ones are hoisted), nests no deeper than allowed, and holds valid filters.
func checkGroup(t testing.TB, g engine.FilterGroup, anyWant bool, depth int) {
	t.Helper()
	if g.Any != anyWant || depth > maxFilterDepth || len(g.Filters)+len(g.Groups) < 2 {
		t.Errorf("group at depth %d: any %v (want %v), %d filters, %d groups", depth, g.Any, anyWant, len(g.Filters), len(g.Groups))
	}
	checkFilters(t, g.Filters)
	for _, sub := range g.Groups {
		checkGroup(t, sub, !anyWant, depth+1)
	}
}
