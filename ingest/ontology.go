package ingest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/bitbeacon/bitbeacon/release"
)

// The engine needs an ontology only for "this term and all its descendants", so the readers
// keep just id, label and the is_a parents of each class; other relations (part_of, ...),
// properties, individuals and obsolete terms are dropped.

// ReadOntologyFile reads an ontology in OBO 1.2 or OBO Graphs JSON, plain or gzipped; the
// format is told from the name or the content.
func ReadOntologyFile(path string) ([]release.OntologyTerm, error) {
	kind, err := classify(path)
	if err != nil {
		return nil, err
	}
	if kind != kindOntologyOBO && kind != kindOntologyGraphs {
		return nil, fmt.Errorf("%s: %s, not an ontology", path, kind)
	}
	in, err := openInput(path, nil)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	var terms []release.OntologyTerm
	if kind == kindOntologyOBO {
		terms, err = ParseOBO(in)
	} else {
		terms, err = ParseOBOGraphs(in)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return terms, nil
}

// ParseOBO reads the [Term] stanzas of an OBO 1.2 file: id, name, is_a (the first token, so
// trailing "{qualifiers}" and "! label" comments are ignored) and is_obsolete. Other stanza
// types ([Typedef], [Instance]) and the header are skipped.
func ParseOBO(r io.Reader) ([]release.OntologyTerm, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	terms := map[string]*release.OntologyTerm{}
	var cur *release.OntologyTerm
	inTerm, obsolete := false, false
	flush := func() {
		if cur != nil && cur.ID != "" && !obsolete {
			mergeInto(terms, cur)
		}
		cur, obsolete = nil, false
	}
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
			flush()
			inTerm = s == "[Term]"
			if inTerm {
				cur = &release.OntologyTerm{}
			}
			continue
		}
		if !inTerm || s == "" || s[0] == '!' {
			continue
		}
		tag, val, ok := strings.Cut(s, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch tag {
		case "id":
			cur.ID = firstToken(val)
		case "name":
			cur.Label = val
		case "is_a":
			if p := firstToken(val); p != "" {
				cur.Parents = append(cur.Parents, p)
			}
		case "is_obsolete":
			obsolete = val == "true"
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	flush()
	return sortedTerms(terms), nil
}

func firstToken(s string) string {
	if i := strings.IndexAny(s, " \t!{"); i >= 0 {
		s = s[:i]
	}
	return s
}

// oboGraphs is the part of the OBO Graphs JSON model the reader needs.
type oboGraphs struct {
	Graphs []struct {
		Nodes []struct {
			ID   string `json:"id"`
			Lbl  string `json:"lbl"`
			Type string `json:"type"`
			Meta *struct {
				Deprecated bool `json:"deprecated"`
			} `json:"meta"`
		} `json:"nodes"`
		Edges []struct {
			Sub  string `json:"sub"`
			Pred string `json:"pred"`
			Obj  string `json:"obj"`
		} `json:"edges"`
	} `json:"graphs"`
}

// ParseOBOGraphs reads OBO Graphs JSON: class nodes become terms, is_a edges their parents.
// IRIs such as http://purl.obolibrary.org/obo/HP_0000001 become CURIEs (HP:0000001); ids
// that already are CURIEs are kept.
func ParseOBOGraphs(r io.Reader) ([]release.OntologyTerm, error) {
	var doc oboGraphs
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, err
	}
	terms := map[string]*release.OntologyTerm{}
	deprecated := map[string]bool{}
	for _, g := range doc.Graphs {
		for _, n := range g.Nodes {
			if n.Type != "" && n.Type != "CLASS" {
				continue
			}
			id, ok := iriToCURIE(n.ID)
			if !ok {
				continue
			}
			if n.Meta != nil && n.Meta.Deprecated {
				deprecated[id] = true
				continue
			}
			mergeInto(terms, &release.OntologyTerm{ID: id, Label: n.Lbl})
		}
		for _, e := range g.Edges {
			if e.Pred != "is_a" && e.Pred != "http://www.w3.org/2000/01/rdf-schema#subClassOf" {
				continue
			}
			sub, ok1 := iriToCURIE(e.Sub)
			obj, ok2 := iriToCURIE(e.Obj)
			if !ok1 || !ok2 || deprecated[sub] {
				continue
			}
			mergeInto(terms, &release.OntologyTerm{ID: sub, Parents: []string{obj}})
		}
	}
	return sortedTerms(terms), nil
}

// iriToCURIE maps an ontology class IRI to a CURIE: the last path segment of the IRI, of
// the form PREFIX_LOCAL, becomes PREFIX:LOCAL (OBO PURLs, EFO, Orphanet all follow it).
func iriToCURIE(s string) (string, bool) {
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return s, isCURIE(s)
	}
	seg := s[strings.LastIndexAny(s, "/#")+1:]
	pfx, local, ok := strings.Cut(seg, "_")
	if !ok || pfx == "" || local == "" {
		return "", false
	}
	id := pfx + ":" + local
	return id, isCURIE(id)
}

func mergeInto(terms map[string]*release.OntologyTerm, t *release.OntologyTerm) {
	cur := terms[t.ID]
	if cur == nil {
		cur = &release.OntologyTerm{ID: t.ID}
		terms[t.ID] = cur
	}
	if t.Label != "" {
		cur.Label = t.Label
	}
	for _, p := range t.Parents {
		if p != "" && p != t.ID && !slices.Contains(cur.Parents, p) {
			cur.Parents = append(cur.Parents, p)
		}
	}
}

func sortedTerms(m map[string]*release.OntologyTerm) []release.OntologyTerm {
	out := make([]release.OntologyTerm, 0, len(m))
	for _, t := range m {
		sort.Strings(t.Parents)
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
