package api

import (
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
)

// route is a parsed request path.
type route struct {
	kind routeKind
	// entry is the entry type of the first path segment (data and filtering_terms routes).
	entry EntryTypeInfo
	id    string
	// related is the entry type of /{entry}/{id}/{related}.
	related EntryTypeInfo
}

type routeKind uint8

const (
	routeNotFound routeKind = iota
	routeInfo
	routeServiceInfo
	routeConfiguration
	routeEntryTypes
	routeMap
	routeFilteringTerms // /filtering_terms, /{entry}/filtering_terms, /{entry}/{id}/filtering_terms
	routeEntries        // /{entry}
	routeEntry          // /{entry}/{id}
	routeRelated        // /{entry}/{id}/{related}
	routeV1Query        // /query: Beacon v1.1 (v1query.go)
)

// relatedEndpoints lists the cross-entry endpoints served, by source path segment: every
// other entry type, in EntryTypes order (issue 9 §1). The default model's OpenAPI and
// beaconMap.json name 24 of the 42 ordered pairs; the production Beacons answer all of them,
// and the links (engine/links.go) join any two entry types: dataset and cohort membership,
// analysis → run → biosample → individual, and variants through their carriers.
var relatedEndpoints = func() map[string][]string {
	m := make(map[string][]string, len(EntryTypes))
	for _, from := range EntryTypes {
		for _, to := range EntryTypes {
			if to.PathSegment != from.PathSegment {
				m[from.PathSegment] = append(m[from.PathSegment], to.PathSegment)
			}
		}
	}
	return m
}()

func isRelated(from, to string) bool {
	for _, r := range relatedEndpoints[from] {
		if r == to {
			return true
		}
	}
	return false
}

// parseRoute maps a request path to a route. An optional /api prefix and trailing slash are
// accepted, since deployments of other beacons commonly use them.
func parseRoute(path string) route {
	path = strings.TrimSuffix(path, "/")
	if p, ok := strings.CutPrefix(path, "/api"); ok && (p == "" || p[0] == '/') {
		path = p
	}
	if path == "" {
		return route{kind: routeInfo}
	}
	// Up to 3 segments are a route; the array keeps them off the heap.
	var segBuf [4]string
	segs := segBuf[:0]
	for rest := strings.TrimPrefix(path, "/"); len(segs) < len(segBuf); {
		seg, after, more := strings.Cut(rest, "/")
		segs = append(segs, seg)
		if !more {
			break
		}
		rest = after
	}
	if len(segs) == 1 {
		switch segs[0] {
		case "info":
			return route{kind: routeInfo}
		case "service-info":
			return route{kind: routeServiceInfo}
		case "configuration":
			return route{kind: routeConfiguration}
		case "entry_types":
			return route{kind: routeEntryTypes}
		case "map":
			return route{kind: routeMap}
		case "filtering_terms":
			return route{kind: routeFilteringTerms}
		case "query":
			return route{kind: routeV1Query}
		}
	}
	et, ok := EntryTypeByPath(segs[0])
	if !ok || len(segs) > 3 {
		return route{}
	}
	for _, s := range segs[1:] {
		if s == "" {
			return route{}
		}
	}
	switch len(segs) {
	case 1:
		return route{kind: routeEntries, entry: et}
	case 2:
		if segs[1] == "filtering_terms" {
			return route{kind: routeFilteringTerms, entry: et}
		}
		return route{kind: routeEntry, entry: et, id: segs[1]}
	}
	if segs[2] == "filtering_terms" {
		return route{kind: routeFilteringTerms, entry: et, id: segs[1]}
	}
	rel, ok := EntryTypeByPath(segs[2])
	if !ok || !isRelated(segs[0], segs[2]) {
		return route{}
	}
	return route{kind: routeRelated, entry: et, id: segs[1], related: rel}
}

// collections reports whether the route answers with response.collections at record
// granularity: the dataset and cohort listings, /datasets, /cohorts and the cross-entry paths
// that end in them (/individuals/{id}/datasets). /datasets/{id} and /cohorts/{id} answer with
// result sets, as the model's OpenAPI says; the cross-entry ones have no OpenAPI path, and
// both verifiers read a datasets or cohorts URL's records from response.collections.
func (r route) collections() bool {
	return (r.kind == routeEntries || r.kind == routeRelated) && r.target().IsCollection()
}

// target is the entity whose records the route returns.
func (r route) target() release.Entity {
	if r.kind == routeRelated {
		return r.related.Entity
	}
	return r.entry.Entity
}
