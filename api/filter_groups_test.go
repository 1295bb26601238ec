package api

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/engine"
)

func TestFilterGroupsParse(t *testing.T) {
	a, b, c, d := ontologyF("NCIT:C16576"), ontologyF("HP:0000822"), alnumF("age", ">", "P70Y"), customF("x")
	or := func(fs ...engine.Filter) engine.FilterGroup { return engine.FilterGroup{Any: true, Filters: fs} }
	cases := []struct {
		name    string
		get     string // GET query string
		post    string // POST filters array
		filters []engine.Filter
		groups  []engine.FilterGroup
		echo    []string
	}{
		{"A AND (B OR C)", "filters=NCIT:C16576,[HP:0000822,age:>P70Y]",
			`["NCIT:C16576",["HP:0000822",{"id":"age","operator":">","value":"P70Y"}]]`,
			[]engine.Filter{a}, []engine.FilterGroup{or(b, c)}, []string{"NCIT:C16576", "[HP:0000822,age:>P70Y]"}},
		{"nested: A AND (B OR (C AND D))", "filters=NCIT:C16576,[HP:0000822,[age:>P70Y,x]]",
			`[{"id":"NCIT:C16576"},[{"id":"HP:0000822"},[{"id":"age","operator":">","value":"P70Y"},{"id":"x"}]]]`,
			[]engine.Filter{a}, []engine.FilterGroup{{Any: true, Filters: []engine.Filter{b}, Groups: []engine.FilterGroup{{Filters: []engine.Filter{c, d}}}}},
			[]string{"NCIT:C16576", "[HP:0000822,[age:>P70Y,x]]"}},
		{"two groups", "filters=[NCIT:C16576,HP:0000822]&filters=[age:>P70Y,x]",
			`[["NCIT:C16576","HP:0000822"],["age:>P70Y","x"]]`,
			nil, []engine.FilterGroup{or(a, b), or(c, d)}, []string{"[NCIT:C16576,HP:0000822]", "[age:>P70Y,x]"}},
		{"a group of one is its filter", "filters=[NCIT:C16576],HP:0000822",
			`[["NCIT:C16576"],"HP:0000822"]`,
			[]engine.Filter{a, b}, nil, []string{"[NCIT:C16576]", "HP:0000822"}},
		{"[[A,B]] is A AND B", "filters=[[NCIT:C16576,HP:0000822]]",
			`[[["NCIT:C16576","HP:0000822"]]]`,
			[]engine.Filter{a, b}, nil, []string{"[[NCIT:C16576,HP:0000822]]"}},
		{"empty groups are dropped", "filters=[],NCIT:C16576,[ , ]",
			`[[],"NCIT:C16576",[null]]`,
			[]engine.Filter{a}, nil, []string{"NCIT:C16576"}},
		{"spaces around groups", "filters=NCIT:C16576,+[HP:0000822,+x+]+",
			`["NCIT:C16576",[" HP:0000822"," x "]]`,
			[]engine.Filter{a}, []engine.FilterGroup{or(b, d)}, []string{"NCIT:C16576", "[HP:0000822,x]"}},
	}
	for _, c := range cases {
		for _, how := range []string{"GET", "POST"} {
			var r *Request
			var err error
			if how == "GET" {
				r, err = parseGETString(c.get, Defaults{})
			} else {
				r, err = ParsePOST([]byte(`{"query":{"filters":`+c.post+`}}`), Defaults{})
			}
			if err != nil {
				t.Errorf("%s %s: %v", c.name, how, err)
				continue
			}
			checkInvariants(t, r)
			if !reflect.DeepEqual(r.Query.Filters, c.filters) && len(r.Query.Filters)+len(c.filters) > 0 {
				t.Errorf("%s %s: filters %+v, want %+v", c.name, how, r.Query.Filters, c.filters)
			}
			if !reflect.DeepEqual(r.Query.Groups, c.groups) {
				t.Errorf("%s %s: groups %+v, want %+v", c.name, how, r.Query.Groups, c.groups)
			}
			if !slices.Equal(r.EchoFilters, c.echo) {
				t.Errorf("%s %s: echo %q, want %q", c.name, how, r.EchoFilters, c.echo)
			}
		}
	}
}

func TestFilterGroupsParseErrors(t *testing.T) {
	deep := strings.Repeat("[", maxFilterDepth+1) + "NCIT:C16576,HP:0000822" + strings.Repeat("]", maxFilterDepth+1)
	for _, q := range []string{
		"filters=NCIT:C16576,[HP:0000822",
		"filters=[HP:0000822,x]y",
		"filters=[HP:0000822]]",
		"filters=" + deep,
		"filters=[age:>]",
	} {
		if _, err := parseGETString(q, Defaults{}); err == nil {
			t.Errorf("GET %s: no error", q)
		} else if _, ok := err.(*RequestError); !ok {
			t.Errorf("GET %s: %T", q, err)
		}
	}
	postDeep := strings.Repeat("[", maxFilterDepth+2) + `"a:b","c:d"` + strings.Repeat("]", maxFilterDepth+2)
	for _, body := range []string{
		`{"query":{"filters":["a:b",[{"id":"c","operator":"~","value":"1"}]]}}`,
		`{"query":{"filters":["a:b",[7]]}}`,
		`{"query":{"filters":["a:b",[""]]}}`,
		`{"query":{"filters":` + postDeep + `}}`,
	} {
		if _, err := ParsePOST([]byte(body), Defaults{}); err == nil {
			t.Errorf("POST %s: no error", body)
		}
	}
	// Brackets that open or close no group are part of an item.
	r, err := parseGETString("filters=notes=a[1],x]", Defaults{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []engine.Filter{alnumF("notes", "=", "a[1]"), customF("x]")}; !reflect.DeepEqual(r.Query.Filters, want) {
		t.Errorf("brackets inside items: %+v, want %+v", r.Query.Filters, want)
	}
}
