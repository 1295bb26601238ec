package api

import (
	"bytes"
	"fmt"

	"github.com/valyala/fasthttp"
)

// The web query page (package ui) shares the API's port: /ui/ is the page, and / sends a
// browser there while API clients keep getting the info response.

// servePage answers a path under /ui: the page reads only, so other methods are a 405 and
// a missing file a 404, both with Beacon error bodies like every other bad request.
func (s *Server) servePage(ctx *fasthttp.RequestCtx) {
	if !ctx.IsGet() && !ctx.IsHead() {
		ctx.Response.Header.Set("Allow", "GET, HEAD")
		s.writeError(ctx, fasthttp.StatusMethodNotAllowed, fmt.Sprintf("%s is the web page: use GET", ctx.Path()), nil)
		return
	}
	if !s.web.Serve(ctx) {
		s.writeError(ctx, fasthttp.StatusNotFound, fmt.Sprintf("no file %s", ctx.Path()), nil)
	}
}

// wantsPage redirects a browser's GET of / (it asks for text/html) to the page and reports
// whether it did. /info, POST, and clients that do not ask for HTML get the info response;
// Vary tells caches the answer depends on Accept.
func wantsPage(ctx *fasthttp.RequestCtx) bool {
	if string(ctx.Path()) != "/" {
		return false
	}
	ctx.Response.Header.Set("Vary", "Accept")
	if !ctx.IsGet() && !ctx.IsHead() || !bytes.Contains(ctx.Request.Header.Peek("Accept"), []byte("text/html")) {
		return false
	}
	// Relative, so that a beacon served under a path prefix by a proxy stays under it.
	ctx.Response.Header.Set("Location", "ui/")
	ctx.SetStatusCode(fasthttp.StatusFound)
	return true
}
