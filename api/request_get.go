package api

import (
	"slices"
	"strings"

	"github.com/valyala/fasthttp"
)

// ParseGET parses the query string of a GET request. Unknown parameters are ignored and
// listed in Request.Warnings.
func ParseGET(args *fasthttp.Args, defaults Defaults) (*Request, error) {
	return newBuilder(defaults).parseGET(args)
}

func (b *builder) parseGET(args *fasthttp.Args) (*Request, error) {
	if err := b.applyArgs(args, false); err != nil {
		return nil, err
	}
	return b.finish()
}

// applyArgs applies the parameters of a query string. With fromPOST (the query string of a
// POST, merged with its body) a parameter the body already gave is left to the body and
// named in a warning; filters of both are ANDed.
func (b *builder) applyArgs(args *fasthttp.Args, fromPOST bool) error {
	if args == nil {
		return nil
	}
	// Group the values by spelling, in the order of first appearance; copy the bytes
	// (fasthttp reuses them). Unknown names are reported once each.
	var (
		order [maxGetSpellings]uint8
		n     int
	)
	vals := &b.getVals
	for i := range vals {
		vals[i] = vals[i][:0]
	}
	for k, v := range args.All() {
		i, ok := getParamIndex[string(k)]
		if !ok {
			msg := "unknown parameter " + quote(string(k)) + " ignored"
			if !slices.Contains(b.req.Warnings, msg) {
				b.warn("%s", msg)
			}
			continue
		}
		if len(vals[i]) == 0 {
			order[n] = uint8(i)
			n++
		}
		vals[i] = append(vals[i], b.str(v))
	}
	for _, i := range order[:n] {
		canon, vs := getCanon[i], vals[i]
		if fromPOST && canon != ParamFilters && b.given(canon) {
			b.warn("query-string parameter %s ignored: the request body gives %s", quote(getSpellings[i]), canon)
			continue
		}
		if canon == ParamFilters && hasGroup(vs) {
			if err := b.markSeen(canon, getSpellings[i]); err != nil {
				return err
			}
			if err := b.applyGetFilters(vs); err != nil {
				return err
			}
			continue
		}
		if listParams[canon] {
			vs = b.splitAll(vs)
		}
		if err := b.apply(canon, getSpellings[i], vs); err != nil {
			return err
		}
	}
	return nil
}

// given reports whether canonical parameter canon was set already.
func (b *builder) given(canon string) bool {
	for _, p := range b.seen {
		if p.canon == canon {
			return true
		}
	}
	return false
}

// splitAll splits every value on commas (comma lists and repeated parameters, docs/api.md#filters), into
// b.split: the items are used before the next list is split.
func (b *builder) splitAll(vals []string) []string {
	if len(vals) == 1 && !strings.Contains(vals[0], ",") {
		return vals
	}
	out := b.split[:0]
	for _, v := range vals {
		out = appendItems(out, v)
	}
	b.split = out
	return out
}

// hasGroup reports whether a GET filters value holds an OR group ('[', filter_groups.go).
func hasGroup(vals []string) bool {
	for _, v := range vals {
		if strings.IndexByte(v, '[') >= 0 {
			return true
		}
	}
	return false
}
