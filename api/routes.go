package api

import (
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
)

// Route is a parsed request path: the endpoints of a bitbeacon, which the network serves
// too (network/route.go).
type Route struct {
	Kind RouteKind
	// Entry is the entry type of the first path segment (data and filtering_terms routes).
	Entry EntryTypeInfo
	// ID is the record id of /{entry}/{id} and the routes under it.
	ID string
	// Related is the entry type of /{entry}/{id}/{related}.
	Related EntryTypeInfo
}

// RouteKind says which endpoint a path is.
type RouteKind uint8

const (
	RouteNotFound RouteKind = iota
	RouteInfo
	RouteServiceInfo
	RouteConfiguration
	RouteEntryTypes
	RouteMap
	RouteFilteringTerms // /filtering_terms, /{entry}/filtering_terms, /{entry}/{id}/filtering_terms
	RouteEntries        // /{entry}
	RouteEntry          // /{entry}/{id}
	RouteRelated        // /{entry}/{id}/{related}
	RouteV1Query        // /query: Beacon v1.1 (v1query.go)
	// RouteAggregationTerms is /aggregation_terms and /{entry}/aggregation_terms: the
	// concepts an aggregated answer can count (aggregation.go, an extension).
	RouteAggregationTerms
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

// CleanPath drops an optional /api prefix and trailing slash, which deployments of other
// beacons commonly use: what is left is the path as ParseRoute reads it.
func CleanPath(path string) string {
	path = strings.TrimSuffix(path, "/")
	if p, ok := strings.CutPrefix(path, "/api"); ok && (p == "" || p[0] == '/') {
		path = p
	}
	return path
}

// ParseRoute maps a request path to a route (the zero Route, RouteNotFound, when it names
// no endpoint), after CleanPath.
func ParseRoute(path string) Route {
	path = CleanPath(path)
	if path == "" {
		return Route{Kind: RouteInfo}
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
			return Route{Kind: RouteInfo}
		case "service-info":
			return Route{Kind: RouteServiceInfo}
		case "configuration":
			return Route{Kind: RouteConfiguration}
		case "entry_types":
			return Route{Kind: RouteEntryTypes}
		case "map":
			return Route{Kind: RouteMap}
		case "filtering_terms":
			return Route{Kind: RouteFilteringTerms}
		case "query":
			return Route{Kind: RouteV1Query}
		case "aggregation_terms":
			return Route{Kind: RouteAggregationTerms}
		}
	}
	et, ok := EntryTypeByPath(segs[0])
	if !ok || len(segs) > 3 {
		return Route{}
	}
	for _, s := range segs[1:] {
		if s == "" {
			return Route{}
		}
	}
	switch len(segs) {
	case 1:
		return Route{Kind: RouteEntries, Entry: et}
	case 2:
		if segs[1] == "filtering_terms" {
			return Route{Kind: RouteFilteringTerms, Entry: et}
		}
		if segs[1] == "aggregation_terms" {
			return Route{Kind: RouteAggregationTerms, Entry: et}
		}
		return Route{Kind: RouteEntry, Entry: et, ID: segs[1]}
	}
	if segs[2] == "filtering_terms" {
		return Route{Kind: RouteFilteringTerms, Entry: et, ID: segs[1]}
	}
	rel, ok := EntryTypeByPath(segs[2])
	if !ok || !isRelated(segs[0], segs[2]) {
		return Route{}
	}
	return Route{Kind: RouteRelated, Entry: et, ID: segs[1], Related: rel}
}

// Collections reports whether the route answers with response.collections at record
// granularity: the dataset and cohort listings, /datasets, /cohorts and the cross-entry paths
// that end in them (/individuals/{id}/datasets). /datasets/{id} and /cohorts/{id} answer with
// result sets, as the model's OpenAPI says; the cross-entry ones have no OpenAPI path, and
// both verifiers read a datasets or cohorts URL's records from response.collections.
func (r Route) Collections() bool {
	return (r.Kind == RouteEntries || r.Kind == RouteRelated) && r.Target().IsCollection()
}

// Target is the entity whose records the route returns.
func (r Route) Target() release.Entity {
	if r.Kind == RouteRelated {
		return r.Related.Entity
	}
	return r.Entry.Entity
}
