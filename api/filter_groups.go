package api

import (
	"strings"

	"github.com/bitbeacon/bitbeacon/engine"
)

// OR filters, an extension of the spec (whose filters only AND) as EGA's production server
// and the ELIXIR network backend accept it, and as the open spec proposal writes it: an item
// of filters that is itself an array is a group. Top-level items AND; a group's members OR;
// a group inside a group ANDs its members, and so on, alternating:
//
//	POST "filters": [f1, [f2, f3]]          f1 AND (f2 OR f3)
//	POST "filters": [f1, [f2, [f3, f4]]]    f1 AND (f2 OR (f3 AND f4))
//	GET  filters=A,[B,C]                    A AND (B OR C)
//
// In receivedRequestSummary a group is echoed as one string in the GET syntax ("[B,C]").

// maxFilterDepth bounds the nesting of groups: the top level is 0.
const maxFilterDepth = 8

// groupAt is the kind of group at a depth (1: OR, 2: AND, ...).
func groupAt(depth int) engine.FilterGroup { return engine.FilterGroup{Any: depth%2 == 1} }

// addGroup adds a group read at depth to its parent: a group of one filter is that filter.
func addGroup(filters *[]engine.Filter, groups *[]engine.FilterGroup, g engine.FilterGroup) {
	switch {
	case len(g.Filters)+len(g.Groups) == 0:
	case len(g.Filters) == 1 && len(g.Groups) == 0:
		*filters = append(*filters, g.Filters[0])
	case len(g.Filters) == 0 && len(g.Groups) == 1:
		// [[a, b]]: the inner group's members under the outer's opposite operator, which
		// for one member is the inner group itself, moved up to the parent's level.
		inner := g.Groups[0]
		*filters = append(*filters, inner.Filters...)
		*groups = append(*groups, inner.Groups...)
	default:
		*groups = append(*groups, g)
	}
}

// postGroup reads an array item of a POST filters list, at depth (1 for a top-level item).
// where names it in messages; echo is its receivedRequestSummary string.
func postGroup(where filterWhere, arr []any, depth int) (g engine.FilterGroup, echo string, err error) {
	if depth > maxFilterDepth {
		return g, "", reqErrorf("%s: filter groups nest deeper than %d levels", where, maxFilterDepth)
	}
	g = groupAt(depth)
	echoes := make([]string, 0, len(arr))
	for i, it := range arr {
		w := filterWhere{where.String(), i}
		switch x := it.(type) {
		case nil:
		case string:
			if strings.TrimSpace(x) == "" {
				return g, "", reqErrorf("%s is an empty string", w)
			}
			f, e, err := parseFilterItem(x)
			if err != nil {
				return g, "", err
			}
			g.Filters = append(g.Filters, f)
			echoes = append(echoes, e)
		case map[string]any:
			f, err := postFilter(w, x)
			if err != nil {
				return g, "", err
			}
			g.Filters = append(g.Filters, f)
			echoes = append(echoes, echoFilter(f))
		case []any:
			sub, e, err := postGroup(w, x, depth+1)
			if err != nil {
				return g, "", err
			}
			if e != "" {
				addGroup(&g.Filters, &g.Groups, sub)
				echoes = append(echoes, e)
			}
		default:
			return g, "", reqErrorf("%s must be an object, a string or an array; got %s", w, jsonType(it))
		}
	}
	if len(echoes) == 0 {
		return g, "", nil
	}
	return g, "[" + strings.Join(echoes, ",") + "]", nil
}

// getFilterNode is one item of a GET filters value: a filter or a bracketed group.
type getFilterNode struct {
	item  string
	group []getFilterNode
	isSub bool
}

// splitGetFilters reads a GET filters value with groups ("A,[B,C]"). A '[' opens a group
// only at the start of an item, and a ']' closes one only inside a group, so brackets
// elsewhere stay part of an item.
func splitGetFilters(s string) ([]getFilterNode, error) {
	p := getFilterParser{s: s}
	nodes, err := p.list(0)
	if err != nil {
		return nil, err
	}
	if p.i < len(s) {
		return nil, reqErrorf("filters %s: unexpected %s at byte %d (a group is written [A,B])", quote(s), quote(s[p.i:p.i+1]), p.i)
	}
	return nodes, nil
}

type getFilterParser struct {
	s string
	i int
}

func (p *getFilterParser) list(depth int) ([]getFilterNode, error) {
	var out []getFilterNode
	for {
		for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
			p.i++
		}
		if p.i < len(p.s) && p.s[p.i] == '[' {
			if depth+1 > maxFilterDepth {
				return nil, reqErrorf("filters %s: groups nest deeper than %d levels", quote(p.s), maxFilterDepth)
			}
			open := p.i
			p.i++
			sub, err := p.list(depth + 1)
			if err != nil {
				return nil, err
			}
			if p.i >= len(p.s) || p.s[p.i] != ']' {
				return nil, reqErrorf("filters %s: the group opened at byte %d is not closed with ']'", quote(p.s), open)
			}
			p.i++
			for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
				p.i++
			}
			out = append(out, getFilterNode{group: sub, isSub: true})
		} else {
			start := p.i
			for p.i < len(p.s) && p.s[p.i] != ',' && (depth == 0 || p.s[p.i] != ']') {
				if p.s[p.i] == '\\' && p.i+1 < len(p.s) && p.s[p.i+1] == ',' {
					p.i++ // an escaped comma belongs to the item
				}
				p.i++
			}
			out = append(out, getFilterNode{item: unescapeCommas(p.s[start:p.i])})
		}
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		return out, nil
	}
}

// getGroup turns the nodes of a GET group at depth into a filter group and its echo.
func getGroup(nodes []getFilterNode, depth int) (g engine.FilterGroup, echo string, err error) {
	g = groupAt(depth)
	echoes := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if n.isSub {
			sub, e, err := getGroup(n.group, depth+1)
			if err != nil {
				return g, "", err
			}
			if e != "" {
				addGroup(&g.Filters, &g.Groups, sub)
				echoes = append(echoes, e)
			}
			continue
		}
		if strings.TrimSpace(n.item) == "" {
			continue
		}
		f, e, err := parseFilterItem(n.item)
		if err != nil {
			return g, "", err
		}
		g.Filters = append(g.Filters, f)
		echoes = append(echoes, e)
	}
	if len(echoes) == 0 {
		return g, "", nil
	}
	return g, "[" + strings.Join(echoes, ",") + "]", nil
}

// applyGetFilters adds the GET filters values that hold a group.
func (b *builder) applyGetFilters(vals []string) error {
	r := b.req
	for _, v := range vals {
		nodes, err := splitGetFilters(v)
		if err != nil {
			return err
		}
		for _, n := range nodes {
			if !n.isSub {
				if strings.TrimSpace(n.item) == "" {
					continue
				}
				f, echo, err := parseFilterItem(n.item)
				if err != nil {
					return err
				}
				r.Query.Filters = append(r.Query.Filters, f)
				r.EchoFilters = append(r.EchoFilters, echo)
				continue
			}
			g, echo, err := getGroup(n.group, 1)
			if err != nil {
				return err
			}
			if echo != "" {
				addGroup(&r.Query.Filters, &r.Query.Groups, g)
				r.EchoFilters = append(r.EchoFilters, echo)
			}
		}
	}
	return nil
}

// groupedFilters appends every filter of the groups, at any depth, to dst.
func groupedFilters(groups []engine.FilterGroup, dst []engine.Filter) []engine.Filter {
	for i := range groups {
		dst = append(dst, groups[i].Filters...)
		dst = groupedFilters(groups[i].Groups, dst)
	}
	return dst
}
