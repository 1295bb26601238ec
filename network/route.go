package network

import "github.com/bitbeacon/bitbeacon/api"

// route is a request path as the network reads it: a bitbeacon's route (the network serves
// the same endpoints, api.ParseRoute) and the path its members are asked.
type route struct {
	api.Route
	path string // api.CleanPath's: no /api prefix, no trailing slash
}

func parseRoute(path string) route {
	return route{Route: api.ParseRoute(path), path: api.CleanPath(path)}
}

// target is the entry type whose records the route returns.
func (r route) target() api.EntryTypeInfo { return api.EntryTypeByEntity(r.Target()) }

// collectionsRoot reports whether the route is /datasets or /cohorts, answered with
// response.collections.
func (r route) collectionsRoot() bool { return r.Kind == api.RouteEntries && r.Entry.IsCollection() }
