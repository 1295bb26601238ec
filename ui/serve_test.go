package ui

import (
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

func get(h *Handler, uri string, header ...string) (*fasthttp.RequestCtx, bool) {
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod("GET")
	ctx.Request.SetRequestURI(uri)
	for i := 0; i+1 < len(header); i += 2 {
		ctx.Request.Header.Set(header[i], header[i+1])
	}
	ok := h.Serve(&ctx)
	return &ctx, ok
}

func TestServe(t *testing.T) {
	h := New(Options{})
	ctx, ok := get(h, "/ui/g_variants/22_1_A_G/individuals?requestedGranularity=count")
	if !ok || ctx.Response.StatusCode() != 200 || string(ctx.Response.Header.ContentType()) != "text/html; charset=utf-8" {
		t.Fatalf("an entry path: %v %d %s", ok, ctx.Response.StatusCode(), ctx.Response.Header.ContentType())
	}
	if csp := string(ctx.Response.Header.Peek("Content-Security-Policy")); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	page := string(ctx.Response.Body())
	if strings.Contains(page, skipUnitMarker) {
		t.Error("the skip unit marker was not replaced")
	}
	if cc := string(ctx.Response.Header.Peek("Cache-Control")); cc != "no-cache" {
		t.Errorf("the page is cached as %q", cc)
	}
	// The page loads its files under this binary's version, cached for good; an older
	// version's path gets today's file, revalidated.
	versioned := `src="/ui/static/` + h.version + `/main.js"`
	if len(h.version) != 12 || !strings.Contains(page, versioned) || strings.Contains(page, `"/ui/static/main.js"`) {
		t.Errorf("the page does not load %s", versioned)
	}
	if v, ok := get(h, "/ui/static/"+h.version+"/state.js"); !ok || string(v.Response.Header.Peek("Cache-Control")) != "public, max-age=31536000, immutable" {
		t.Errorf("a file of this version: %v %q", ok, v.Response.Header.Peek("Cache-Control"))
	}
	if v, ok := get(h, "/ui/static/000000000000/state.js"); !ok || string(v.Response.Header.Peek("Cache-Control")) != "no-cache" || len(v.Response.Body()) == 0 {
		t.Errorf("a file of another version: %v %q", ok, v.Response.Header.Peek("Cache-Control"))
	}
	js, ok := get(h, "/ui/static/main.js")
	if !ok || string(js.Response.Header.ContentType()) != "text/javascript; charset=utf-8" || len(js.Response.Body()) == 0 {
		t.Fatalf("main.js: %v %s", ok, js.Response.Header.ContentType())
	}
	etag := string(js.Response.Header.Peek("ETag"))
	again, _ := get(h, "/ui/static/main.js", "If-None-Match", etag)
	if again.Response.StatusCode() != fasthttp.StatusNotModified || len(again.Response.Body()) != 0 {
		t.Errorf("a matching If-None-Match: %d with %d bytes", again.Response.StatusCode(), len(again.Response.Body()))
	}
	if css, _ := get(h, "/ui/static/app.css"); string(css.Response.Header.ContentType()) != "text/css; charset=utf-8" {
		t.Errorf("app.css: %s", css.Response.Header.ContentType())
	}
	for _, missing := range []string{"/ui/static/nope.js", "/ui/static/index.html", "/ui/static/", "/ui/static/" + h.version + "/index.html", "/ui/static/" + h.version + "/a/b.js"} {
		if _, ok := get(h, missing); ok {
			t.Errorf("%s was served", missing)
		}
	}
	r, ok := get(h, "/ui?filters=A:1")
	if !ok || r.Response.StatusCode() != fasthttp.StatusMovedPermanently || string(r.Response.Header.Peek("Location")) != "ui/?filters=A:1" {
		t.Errorf("/ui: %d %s", r.Response.StatusCode(), r.Response.Header.Peek("Location"))
	}
	for p, want := range map[string]bool{"/ui": true, "/ui/": true, "/ui/x": true, "/uix": false, "/individuals": false, "/": false} {
		if Owns([]byte(p)) != want {
			t.Errorf("Owns(%s) = %v", p, !want)
		}
	}
}

// The page needs nothing from elsewhere: no file refers to another origin, every module it
// imports is embedded, and index.html preloads every module (so they load at once).
func TestSelfContained(t *testing.T) {
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//|@import\s+url\(\s*["']?(https?:)?//|\bimport\s*\(?\s*["'](https?:)?//`)
	imports := regexp.MustCompile(`(?m)^import .* from '\./([^']+)';`)
	index, _ := static.ReadFile("static/index.html")
	var modules []string
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		if m := external.Find(body); m != nil {
			t.Errorf("%s loads from another origin: %s", p, m)
		}
		for _, m := range imports.FindAllSubmatch(body, -1) {
			if _, err := static.ReadFile("static/" + string(m[1])); err != nil {
				t.Errorf("%s imports %s, which is not embedded", p, m[1])
			}
		}
		if path.Ext(p) == ".js" {
			modules = append(modules, path.Base(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(modules) < 5 {
		t.Fatalf("only %d modules found: %v", len(modules), modules)
	}
	for _, m := range modules {
		tag := `<link rel="modulepreload" href="/ui/static/` + m + `">`
		if m == "main.js" {
			tag = `<script type="module" src="/ui/static/main.js"></script>`
		}
		if !strings.Contains(string(index), tag) {
			t.Errorf("index.html lacks %s", tag)
		}
	}
}
