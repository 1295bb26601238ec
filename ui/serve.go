package ui

import (
	"strings"

	"github.com/valyala/fasthttp"
)

// contentSecurityPolicy lets the page load its own files and talk to its own origin only:
// no inline script, nothing from elsewhere, never framed.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Owns reports whether path is the page's: /ui and everything under /ui/.
func Owns(path []byte) bool {
	return string(path) == "/ui" || strings.HasPrefix(string(path), Prefix)
}

// Serve answers a GET or HEAD of a path Owns. /ui redirects to /ui/; a file under
// /ui/static/ (or /ui/static/<version>/) is sent as is; any other path under /ui/ is the page itself, which reads the
// query from its own URL (/ui/<entry path>?<GET parameters>). It returns false, having
// written nothing, for a missing file under /ui/static/, so the caller answers that 404.
func (h *Handler) Serve(ctx *fasthttp.RequestCtx) bool {
	p := string(ctx.Path())
	if p == "/ui" {
		loc := "ui/"
		if q := ctx.URI().QueryString(); len(q) > 0 {
			loc += "?" + string(q)
		}
		ctx.Response.Header.Set("Location", loc)
		ctx.SetStatusCode(fasthttp.StatusMovedPermanently)
		return true
	}
	a := h.index
	// The page is revalidated each time (the ETag makes that a 304), since a new binary
	// brings new files; the files under this binary's version never change.
	cache := "no-cache"
	if name, ok := strings.CutPrefix(p, Prefix+"static/"); ok {
		if v, file, versioned := strings.Cut(name, "/"); versioned {
			name = file
			if v == h.version {
				cache = "public, max-age=31536000, immutable"
			} // else a page of another binary: today's file, revalidated
		}
		if a, ok = h.assets[name]; !ok {
			return false
		}
	}
	hd := &ctx.Response.Header
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", cache)
	hd.Set("ETag", a.etag)
	hd.SetContentType(a.ctype)
	if string(ctx.Request.Header.Peek("If-None-Match")) == a.etag {
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return true
	}
	if !ctx.IsHead() {
		ctx.SetBody(a.body)
	}
	return true
}
