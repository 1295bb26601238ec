// Package ui is the web query page bitbeacon serves under /ui/: plain HTML, CSS and
// JavaScript embedded in the binary with embed, so a browser needs nothing but this server
// (no CDN, no build step). The page is a client of the public Beacon API only; this package
// holds no query logic and imports nothing of the module, so the API cannot come to depend
// on the page.
package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"
)

// Prefix is the path the page lives under; every other path belongs to the API.
const Prefix = "/ui/"

//go:embed static
var static embed.FS

// Options are the server facts the page cannot learn from the Beacon API.
type Options struct {
	// SkipCountsRecords is true when the beacon's skip is a record offset
	// (pagination.skipUnit: records), false when it counts pages (the spec's reading).
	SkipCountsRecords bool
}

// Handler serves the page's files. It is built once: every file is read, hashed and
// given its content type at start, so a request only looks a name up.
type Handler struct {
	assets  map[string]asset // by path under /ui/static/
	index   asset
	version string // hash of every file but index.html: /ui/static/<version>/<file>
}

// asset is one file ready to send.
type asset struct {
	body  []byte
	ctype string
	etag  string // quoted, a hash of body
}

// New reads the embedded files. They are part of the binary, so a failure here is a build
// defect, not a condition to handle: it panics.
func New(opt Options) *Handler {
	h := &Handler{assets: map[string]asset{}}
	sum := sha256.New()
	var index []byte
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		if name == "index.html" {
			index = body
			return nil
		}
		h.assets[name] = newAsset(name, body)
		fmt.Fprintf(sum, "%s %d\n", name, len(body)) // WalkDir goes in lexical order
		sum.Write(body)
		return nil
	})
	if err != nil {
		panic("ui: reading the embedded page: " + err.Error())
	}
	if index == nil {
		panic("ui: the embedded page has no index.html")
	}
	h.version = hex.EncodeToString(sum.Sum(nil)[:6])
	h.index = newAsset("index.html", renderIndex(index, opt, h.version))
	return h
}

// skipUnitMarker is replaced in index.html by the beacon's skip unit, which the page reads
// to turn a page number into skip.
const skipUnitMarker = "{{skipUnit}}"

// renderIndex fills in the skip unit, and points the page at its files' versioned path:
// the modules' relative imports then resolve under it too, so every file of one binary can
// be cached for good and a new binary's page never runs an older script.
func renderIndex(body []byte, opt Options, version string) []byte {
	unit := "pages"
	if opt.SkipCountsRecords {
		unit = "records"
	}
	body = bytes.ReplaceAll(body, []byte(skipUnitMarker), []byte(unit))
	return bytes.ReplaceAll(body, []byte(Prefix+"static/"), []byte(Prefix+"static/"+version+"/"))
}

func newAsset(name string, body []byte) asset {
	ctype := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) { // the system's MIME table may lack or misname these
	case ".js":
		ctype = "text/javascript; charset=utf-8"
	case ".css":
		ctype = "text/css; charset=utf-8"
	case ".html":
		ctype = "text/html; charset=utf-8"
	case ".svg":
		ctype = "image/svg+xml"
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	sum := sha256.Sum256(body)
	return asset{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}
