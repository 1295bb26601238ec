package network

import (
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/api"
)

// A v1 beacon takes no filters, OR groups included (api/filter_groups.go): a request whose
// only filters are a group is not translated to v1 without them.
func TestV1ParamsRefuseFilterGroups(t *testing.T) {
	var args fasthttp.Args
	args.Parse("referenceName=1&start=1000&assemblyId=GRCh38&referenceBases=A&alternateBases=G&filters=[NCIT:C16576,NCIT:C20197]")
	req, err := api.ParseGET(&args, api.Defaults{})
	if err != nil {
		t.Fatal(err)
	}
	if len(req.Query.Filters) != 0 || len(req.Query.Groups) != 1 {
		t.Fatalf("parsed %d filters, %d groups; want one group", len(req.Query.Filters), len(req.Query.Groups))
	}
	if _, why := v1Params(parseRoute("/g_variants"), req); why == "" {
		t.Error("a request with an OR group translated to v1")
	}
	args.Parse("referenceName=1&start=1000&assemblyId=GRCh38&referenceBases=A&alternateBases=G")
	if req, err = api.ParseGET(&args, api.Defaults{}); err != nil {
		t.Fatal(err)
	}
	if _, why := v1Params(parseRoute("/g_variants"), req); why != "" {
		t.Errorf("the same request without filters not translated: %s", why)
	}
}
