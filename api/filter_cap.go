package api

import (
	"strings"

	"github.com/valyala/fastjson"

	"github.com/bitbeacon/bitbeacon/engine"
)

// The filter cap while a POST body is decoded. The guard (guard.go) counts a request's
// distinct filters once it is built, but a body of 10,000 distinct filters (300 KB, well
// under maxBodyBytes) cost 16 to 50 ms of conversion into maps and 8 MB of garbage before
// the guard rejected it. The body's filters array is therefore read as it is converted:
// each item is interpreted as postFilters will interpret it, and the decoding stops with a
// 400 at the first invalid item or as soon as the distinct filters pass limits.maxFilters.
//
// The count is the guard's (distinct top-level filters plus every member of an OR group)
// and only grows as items are added, so a body stopped here is one the guard would reject:
// the answer is the same 400, only sooner (and before errors elsewhere in the body).

// filterCap counts the distinct filters of one body's filters array.
type filterCap struct {
	max   int
	array *fastjson.Value // the array that postBody will read (filtersArray)
	where string          // its name in messages: query.filters or filters

	seen    map[engine.Filter]struct{} // distinct filters outside groups
	grouped int                        // members of groups, at any depth
}

// newFilterCap readies the count for the body top, or returns nil when there is no cap or
// no filters array.
func newFilterCap(top *fastjson.Value, max int) *filterCap {
	if max <= 0 || top.Type() != fastjson.TypeObject {
		return nil
	}
	arr, where := filtersArray(top)
	if arr == nil || !canPass(arr, max) {
		return nil
	}
	return &filterCap{max: max, array: arr, where: where, seen: map[engine.Filter]struct{}{}}
}

// canPass reports whether the items of arr may count more than max filters: only with more
// than max items or with a group, whose members count each. An ordinary request's few
// filters are not counted twice.
func canPass(arr *fastjson.Value, max int) bool {
	items, _ := arr.Array()
	if len(items) > max {
		return true
	}
	for _, it := range items {
		if it.Type() == fastjson.TypeArray {
			return true
		}
	}
	return false
}

// filtersArray finds the filters array postBody reads: query.filters when given and not
// null, else the top level's filters; a repeated key's last value, as the decoded map keeps
// it. Nil when that value is not an array (postBody words the error).
func filtersArray(top *fastjson.Value) (*fastjson.Value, string) {
	last := func(o *fastjson.Value, key string) *fastjson.Value {
		obj, err := o.Object()
		if err != nil {
			return nil
		}
		var v *fastjson.Value
		obj.Visit(func(k []byte, x *fastjson.Value) {
			if string(k) == key {
				v = x
			}
		})
		return v
	}
	v, where := (*fastjson.Value)(nil), ""
	if q := last(top, KeyQuery); q != nil && q.Type() == fastjson.TypeObject {
		if f := last(q, ParamFilters); f != nil && f.Type() != fastjson.TypeNull {
			v, where = f, queryKeyWhere[ParamFilters]
		}
	}
	if v == nil {
		if f := last(top, ParamFilters); f != nil && f.Type() != fastjson.TypeNull {
			v, where = f, ParamFilters
		}
	}
	if v == nil || v.Type() != fastjson.TypeArray {
		return nil, ""
	}
	return v, where
}

// add counts item i of the array, converted; repeat says an identical item (the same JSON
// text) came before it, so a filter adds nothing (a group's members count again, as the
// guard counts them). The error is the 400 to answer.
func (fc *filterCap) add(i int, item any, repeat bool) error {
	w := filterWhere{fc.where, i}
	switch x := item.(type) {
	case string:
		if repeat {
			return nil
		}
		if strings.TrimSpace(x) == "" {
			return reqErrorf("%s is an empty string", w)
		}
		f, _, err := parseFilterItem(x)
		if err != nil {
			return err
		}
		fc.addFilter(f)
	case map[string]any:
		if repeat {
			return nil
		}
		f, err := postFilter(w, x)
		if err != nil {
			return err
		}
		fc.addFilter(f)
	case []any:
		g, echo, err := postGroup(w, x, 1)
		if err != nil || echo == "" {
			return err
		}
		var moved []engine.Filter // a group of one filter is that filter
		var groups []engine.FilterGroup
		addGroup(&moved, &groups, g)
		for _, f := range moved {
			fc.addFilter(f)
		}
		fc.grouped += len(groupedFilters(groups, nil))
	default: // nil is skipped; other types postFilters rejects with its own message
		return nil
	}
	if n := len(fc.seen) + fc.grouped; n > fc.max {
		rejected(reasonLimits).Inc()
		return reqErrorf("the request has %d distinct filters or more; this beacon takes at most %d", n, fc.max)
	}
	return nil
}

func (fc *filterCap) addFilter(f engine.Filter) { fc.seen[f] = struct{}{} }
