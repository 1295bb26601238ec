package api

import (
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/bitbeacon/bitbeacon/internal/schematest"
)

// pageRequest runs one request with an Accept header and returns the response.
func pageRequest(h fasthttp.RequestHandler, method, uri, accept string) *fasthttp.Response {
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(method)
	ctx.Request.SetRequestURI(uri)
	if accept != "" {
		ctx.Request.Header.Set("Accept", accept)
	}
	h(&ctx)
	var res fasthttp.Response
	ctx.Response.CopyTo(&res)
	return &res
}

// A browser opening / (it asks for text/html) is sent to the page; API clients, /info and
// POST keep the info response; the answer varies by Accept.
func TestRootRedirectsBrowsersOnly(t *testing.T) {
	h := testHandler(t, "fixture")
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	res := pageRequest(h, "GET", "/", browser)
	if res.StatusCode() != fasthttp.StatusFound || string(res.Header.Peek("Location")) != "ui/" {
		t.Errorf("GET / from a browser: %d Location %q", res.StatusCode(), res.Header.Peek("Location"))
	}
	if v := string(res.Header.Peek("Vary")); v != "Accept" {
		t.Errorf("Vary %q", v)
	}
	for _, c := range []struct{ method, uri, accept string }{
		{"GET", "/", "application/json"},
		{"GET", "/", ""},
		{"GET", "/", "*/*"},
		{"GET", "/info", browser},
		{"POST", "/", browser},
	} {
		res := pageRequest(h, c.method, c.uri, c.accept)
		if res.StatusCode() != 200 || !strings.Contains(string(res.Body()), `"entityType":"info"`) {
			t.Errorf("%s %s Accept %q: %d %.120s", c.method, c.uri, c.accept, res.StatusCode(), res.Body())
		}
	}
}

// The page is served under /ui/ for any entry path (it reads its query from its URL); a
// missing file and a method other than GET are Beacon errors, not a crash or an HTML page.
func TestPageRoutes(t *testing.T) {
	h := testHandler(t, "fixture")
	for _, uri := range []string{"/ui/", "/ui/individuals?filters=NCIT:C16576", "/ui/g_variants/x_1_A_G/individuals"} {
		res := pageRequest(h, "GET", uri, "")
		if res.StatusCode() != 200 || !strings.HasPrefix(string(res.Header.ContentType()), "text/html") ||
			!strings.Contains(string(res.Body()), `<meta name="bitbeacon-skip-unit" content="pages">`) {
			t.Errorf("GET %s: %d %s", uri, res.StatusCode(), res.Header.ContentType())
		}
	}
	for _, c := range []struct {
		method, uri string
		status      int
	}{
		{"GET", "/ui/static/nope.js", 404},
		{"POST", "/ui/individuals", 405},
		{"DELETE", "/ui/", 405},
	} {
		res := pageRequest(h, c.method, c.uri, "")
		if res.StatusCode() != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.uri, res.StatusCode(), c.status)
			continue
		}
		if err := schematest.For(t).Response("error", "", false, res.Body()); err != nil {
			t.Errorf("%s %s: the error body does not validate: %v\n%s", c.method, c.uri, err, res.Body())
		}
	}
	// A beacon whose skip counts records tells the page so.
	cfg := DefaultConfig()
	cfg.Pagination.SkipUnit = "records"
	res := pageRequest(testHandlerWith(t, "fixture", &cfg), "GET", "/ui/", "")
	if !strings.Contains(string(res.Body()), `<meta name="bitbeacon-skip-unit" content="records">`) {
		t.Error("skipUnit records is not passed to the page")
	}
}
