package api

import (
	"slices"
	"strings"

	"github.com/valyala/fasthttp"
)

// ParseGET parses the query string of a GET request. Unknown parameters are ignored and
// listed in Request.Warnings.
func ParseGET(args *fasthttp.Args, defaults Defaults) (*Request, error) {
	b := newBuilder(defaults)
	if args == nil {
		return b.finish()
	}
	// Group the values by spelling, in the order of first appearance; copy the bytes
	// (fasthttp reuses them). Unknown names are reported once each.
	var (
		vals  [maxGetSpellings][]string
		order [maxGetSpellings]uint8
		n     int
	)
	for k, v := range args.All() {
		i, ok := getParamIndex[string(k)]
		if !ok {
			msg := "unknown parameter " + quote(string(k)) + " ignored"
			if !slices.Contains(b.req.Warnings, msg) {
				b.warn("%s", msg)
			}
			continue
		}
		if vals[i] == nil {
			order[n] = uint8(i)
			n++
		}
		vals[i] = append(vals[i], string(v))
	}
	for _, i := range order[:n] {
		canon, vs := getCanon[i], vals[i]
		if listParams[canon] {
			vs = splitAll(vs)
		}
		if err := b.apply(canon, getSpellings[i], vs); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// splitAll splits every value on commas (digest §3.2: comma lists and repeated params).
func splitAll(vals []string) []string {
	if len(vals) == 1 && !strings.Contains(vals[0], ",") {
		return vals
	}
	var out []string
	for _, v := range vals {
		out = append(out, strings.Split(v, ",")...)
	}
	return out
}
