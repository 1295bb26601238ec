package api

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// getSeeds are real query strings (docs/api.md#filters and #variant-queries) plus edge cases.
var getSeeds = []string{
	"",
	"filters=NCIT:C16576",
	"filters=NCIT:C16576,NCIT:C42331&requestedGranularity=count",
	"filters=age:>P70Y&filters=PATO_0000011:>=P70Y",
	"filters=HP_0032443:!unknown+medical+history",
	"filters=libraryStrategy=WGS,sex:!=NCIT:C16576,diseases.notes:=%25cancer%25",
	"assemblyId=GRCh37&referenceName=22&start=16050074&referenceBases=A&alternateBases=G",
	"referenceName=NC_000017.11&start=7577120&referenceBases=G&alternateBases=A",
	"referenceName=NC_000017.11&variantType=DEL&start=5000000,7676592&end=7669607,10000000",
	"referenceName=1&start=100&end=200&variantMinLength=1&variantMaxLength=50",
	"geneId=EIF4A1&variantMaxLength=1000000&variantType=DEL",
	"aminoacidChange=V600E&geneid=BRAF",
	"genomicAlleleShortForm=NM_004006.2:c.4375C>T",
	"allele=NM_004006.2%3Ac.4375C%3ET",
	"skip=2&limit=8&includeResultsetResponses=ALL&testMode=true",
	"datasetIds=a,b&datasets=c&requestedSchema=beacon-individual-v2.0.0",
	"start=1,2,3&end=&skip=-1",
	"referenceBases=&alternateBases=N&mateName=X",
	"limit=99999999999999999999999&foo=bar&geneId=A&geneid=B",
	"filters=:>,>,=,!,age:,%00",
	// OR groups (filter_groups.go) and label filters
	"filters=NCIT:C16576,[HP:0000822,age:>P70Y]",
	"filters=[NCIT:C16576,[HP:0000822,[age:>31,x]]]&filters=[a,b]",
	"filters=[[[]]],[,],[a:b",
	"filters=geographicOrigin=Wales,ethnicity:!%25pean%25,[sex=female,sex=male]",
	"filters=notes=a[1],x]]",
}

// FuzzParseGET: ParseGET never panics, fails only with *RequestError, and a request it
// accepts satisfies the invariants.
func FuzzParseGET(f *testing.F) {
	for _, s := range getSeeds {
		f.Add(s)
	}
	for _, q := range loadExampleQueries(f) {
		if q.GET != nil {
			if i := strings.IndexByte(*q.GET, '?'); i >= 0 {
				f.Add((*q.GET)[i+1:])
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		var args fasthttp.Args
		args.Parse(s)
		r, err := ParseGET(&args, Defaults{Granularity: Count})
		if err != nil {
			var re *RequestError
			if !errors.As(err, &re) || re.Msg == "" {
				t.Fatalf("error is not a *RequestError with a message: %#v", err)
			}
			return
		}
		checkInvariants(t, r)
	})
}

var postSeeds = []string{
	``,
	`{}`,
	`null`,
	`[]`,
	`{"meta":{"apiVersion":"2.0"}}`,
	`{"meta":{"apiVersion":"v2.0.0","requestedSchemas":[{"entityType":"individual","schema":"beacon-individual-v2.0.0"}]},"query":{"filters":[{"id":"NCIT:C16576"},{"id":"age","operator":">=","value":"P70Y","scope":"individual"}],"includeResultsetResponses":"ALL","pagination":{"skip":1,"limit":5},"requestedGranularity":"record","testMode":true}}`,
	`{"query":{"requestParameters":{"g_variant":{"referenceName":"NC_000017.11","start":[5000000,7676592],"end":[7669607,10000000],"variantType":"DEL"},"datasets":{"datasetIds":["d1"]}}}}`,
	`{"query":{"requestParameters":{"referenceName":22,"start":"16050074","referenceBases":"a","alternateBases":""}}}`,
	`{"requestedGranularity":"count","pagination":{"skip":"0","limit":1e3},"testMode":"false"}`,
	`{"query":{"filters":["NCIT:C42331","age:<P40Y",{"id":"x","value":7},{"id":"a:b","includeDescendantTerms":"false","similarity":"low"}]}}`,
	`{"query":{"requestParameters":{"variantMinLength":9,"variantMaxLength":1}}}`,
	`{"query":{"filters":[{"id":"a","operator":"~"}]}}`,
	`{"query":{"pagination":{"limit":-1e400}}}`,
	`{"meta":{"requestedSchemas":["s",{"schema:":"t"}]},"query":{"requestParameters":{"datasetIds":"a,b","g_variants":{"geneid":"BRAF"}}}}`,
	// OR groups (filter_groups.go) and label filters
	`{"query":{"filters":[{"id":"NCIT:C16576"},[{"id":"HP:0000822"},[{"id":"age","operator":">","value":"31"},"x"]]]}}`,
	`{"query":{"filters":[[],[null],[[["a:b","c:d"]]],[[[[[[[[[["e:f"]]]]]]]]]]]}}`,
	`{"query":{"filters":[{"id":"geographicOrigin","operator":"=","value":"Wales"},{"id":"ethnicity","operator":"!","value":"%pean%"},{"id":"body mass index","operator":">","value":25}]}}`,
}

// FuzzParsePOST: ParsePOST never panics, fails only with *RequestError, and a request it
// accepts satisfies the invariants. Seeds include every POST body of the shared CINECA
// example queries.
func FuzzParsePOST(f *testing.F) {
	for _, s := range postSeeds {
		f.Add([]byte(s))
	}
	for _, q := range loadExampleQueries(f) {
		f.Add([]byte(q.POSTBody))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParsePOST(body, Defaults{Granularity: Record, Limit: 3})
		if err != nil {
			var re *RequestError
			if !errors.As(err, &re) || re.Msg == "" {
				t.Fatalf("error is not a *RequestError with a message: %#v", err)
			}
			if _, jerr := json.Marshal(re.Msg); jerr != nil {
				t.Fatalf("message does not marshal: %v", jerr)
			}
			return
		}
		checkInvariants(t, r)
		if _, err := json.Marshal(r.Warnings); err != nil {
			t.Fatalf("warnings do not marshal: %v", err)
		}
	})
}
