package network

import (
	"strings"

	"github.com/bitbeacon/bitbeacon/api"
)

// route is a request path as the network reads it: the same endpoints as a bitbeacon.
type route struct {
	kind    routeKind
	path    string // normalised (no /api prefix, no trailing slash): what members are asked
	entry   api.EntryTypeInfo
	related api.EntryTypeInfo
	id      string
}

type routeKind uint8

const (
	routeNotFound routeKind = iota
	routeInfo
	routeServiceInfo
	routeConfiguration
	routeEntryTypes
	routeMap
	routeFilteringTerms // /filtering_terms and /{entry}/filtering_terms
	routeEntries        // /{entry}
	routeEntry          // /{entry}/{id}
	routeRelated        // /{entry}/{id}/{related}
)

func parseRoute(path string) route {
	path = strings.TrimSuffix(path, "/")
	if p, ok := strings.CutPrefix(path, "/api"); ok && (p == "" || p[0] == '/') {
		path = p
	}
	r := route{path: path}
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if path == "" {
		r.kind = routeInfo
		return r
	}
	if len(segs) == 1 {
		switch segs[0] {
		case "info":
			r.kind = routeInfo
		case "service-info":
			r.kind = routeServiceInfo
		case "configuration":
			r.kind = routeConfiguration
		case "entry_types":
			r.kind = routeEntryTypes
		case "map":
			r.kind = routeMap
		case "filtering_terms":
			r.kind = routeFilteringTerms
		}
		if r.kind != routeNotFound {
			return r
		}
	}
	et, ok := api.EntryTypeByPath(segs[0])
	if !ok || len(segs) > 3 || strings.Contains(path, "//") {
		return route{}
	}
	r.entry = et
	switch len(segs) {
	case 1:
		r.kind = routeEntries
	case 2:
		if segs[1] == "filtering_terms" {
			r.kind = routeFilteringTerms
		} else {
			r.kind, r.id = routeEntry, segs[1]
		}
	case 3:
		rel, ok := api.EntryTypeByPath(segs[2])
		if !ok {
			return route{}
		}
		r.kind, r.id, r.related = routeRelated, segs[1], rel
	}
	return r
}

// target is the entry type whose records the route returns.
func (r route) target() api.EntryTypeInfo {
	if r.kind == routeRelated {
		return r.related
	}
	return r.entry
}

// collectionsRoot reports whether the route is /datasets or /cohorts, answered with
// response.collections.
func (r route) collectionsRoot() bool { return r.kind == routeEntries && r.entry.IsCollection() }
