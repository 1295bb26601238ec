package api

import (
	"strings"

	"github.com/bitbeacon/bitbeacon/engine"
	"github.com/bitbeacon/bitbeacon/release"
	"github.com/bitbeacon/bitbeacon/release/lexical"
)

// Alphanumeric filter operators, longest first.
var operators = []string{">=", "<=", "!=", "=", "!", ">", "<"}

// parseFilterItem reads one GET filter item (docs/api.md#filters, https://docs.genomebeacons.org/filters/):
//   - with an operator character (< > = !): alphanumeric "ID[:]OPVALUE", e.g. "age:>P70Y",
//     "PATO_0000011:>P70Y", "HP_0032443:!unknown medical history", "libraryStrategy=WGS".
//     The id is the text before the first operator character, minus one trailing ':'; an id
//     of the form PREFIX_DIGITS (the CURIE colon written as '_') becomes PREFIX:DIGITS.
//     "!=" is accepted for "!".
//   - otherwise a term id: an ontology filter (descendants included) when it contains ':'
//     (any "X:Y" is read as a CURIE), else a custom filter.
func parseFilterItem(item string) (engine.Filter, string, error) {
	item = strings.TrimSpace(item)
	i := strings.IndexAny(item, "<>=!")
	if i < 0 {
		return termFilter(item), item, nil
	}
	id := strings.TrimSpace(strings.TrimSuffix(item[:i], ":"))
	rest := item[i:]
	op := ""
	for _, o := range operators {
		if strings.HasPrefix(rest, o) {
			op = o
			break
		}
	}
	value := strings.TrimSpace(rest[len(op):])
	if id == "" {
		return engine.Filter{}, "", reqErrorf("filter %s has no id before the operator", quote(item))
	}
	if value == "" {
		return engine.Filter{}, "", reqErrorf("filter %s has no value after the operator %s", quote(item), quote(op))
	}
	f := alphanumericFilter(id, normOperator(op), value)
	return f, echoFilter(f), nil
}

// termFilter is an ontology filter (id with ':') or a custom filter (without).
func termFilter(id string) engine.Filter {
	if strings.Contains(id, ":") {
		return engine.Filter{Kind: engine.OntologyFilter, ID: id, IncludeDescendants: true}
	}
	return engine.Filter{Kind: engine.CustomFilter, ID: id}
}

func alphanumericFilter(id, op, value string) engine.Filter {
	return engine.Filter{Kind: engine.AlphanumericFilter, ID: underscoreCURIE(id), Operator: op, Value: value}
}

// underscoreCURIE turns PREFIX_DIGITS (letters, '_', digits) into PREFIX:DIGITS, the GET
// spelling of a CURIE id in alphanumeric filters (e.g. PATO_0000011 -> PATO:0000011).
func underscoreCURIE(id string) string {
	u := strings.IndexByte(id, '_')
	if u <= 0 || u == len(id)-1 {
		return id
	}
	for _, c := range id[:u] {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return id
		}
	}
	if !lexical.AllDigits(id[u+1:]) {
		return id
	}
	return id[:u] + ":" + id[u+1:]
}

func normOperator(op string) string {
	if op == "!=" {
		return "!"
	}
	return op
}

// echoFilter is the receivedRequestSummary.filters string of f.
func echoFilter(f engine.Filter) string {
	if f.Kind == engine.AlphanumericFilter {
		return f.ID + ":" + f.Operator + f.Value
	}
	return f.ID
}

// ParseScope reads a filter scope: an entry type name in any of release.ParseEntity's
// spellings, any case ("individual", "biosamples", "g_variants", "genomicVariation", ...),
// spaces around it ignored.
func ParseScope(s string) (release.Entity, bool) {
	return release.ParseEntity(strings.TrimSpace(s))
}
