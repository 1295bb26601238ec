package ingest

import (
	"slices"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
)

func termMap(terms []release.OntologyTerm) map[string]release.OntologyTerm {
	m := map[string]release.OntologyTerm{}
	for _, t := range terms {
		m[t.ID] = t
	}
	return m
}

func TestReadOBOUberonSlim(t *testing.T) {
	terms, err := ReadOntologyFile(sharedFile(t, "data/ontologies/uberon/uberon_efo_slim.obo"))
	if err != nil {
		t.Fatal(err)
	}
	m := termMap(terms)
	// 613 [Term] stanzas, two of them obsolete.
	if len(terms) < 600 || len(terms) > 613 {
		t.Errorf("%d terms", len(terms))
	}
	cord := m["UBERON:0012168"]
	if cord.Label != "umbilical cord blood" || !slices.Equal(cord.Parents, []string{"UBERON:0000178"}) {
		t.Errorf("UBERON:0012168: %+v", cord)
	}
	// blood has no is_a inside the slim, only part_of, which is not a parent.
	if blood := m["UBERON:0000178"]; blood.Label != "blood" || len(blood.Parents) != 0 {
		t.Errorf("UBERON:0000178: %+v", blood)
	}
	for _, term := range terms {
		if !isCURIE(term.ID) || !slices.IsSorted(term.Parents) {
			t.Fatalf("bad term %+v", term)
		}
	}
}

func TestReadOBOGraphsGeno(t *testing.T) {
	terms, err := ReadOntologyFile(sharedFile(t, "data/ontologies/phenopacketlab_test_subsets/geno.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := termMap(terms)
	het := m["GENO:0000458"]
	if het.Label != "simple heterozygous" || !slices.Contains(het.Parents, "GENO:0000135") {
		t.Errorf("GENO:0000458: %+v", het)
	}
	if !slices.Contains(m["GENO:0000135"].Parents, "GENO:0000391") || !slices.Contains(m["GENO:0000136"].Parents, "GENO:0000391") {
		t.Errorf("GENO:0000135 %+v GENO:0000136 %+v", m["GENO:0000135"], m["GENO:0000136"])
	}
	for _, term := range terms {
		if strings.HasPrefix(term.ID, "http") {
			t.Fatalf("IRI not mapped: %+v", term)
		}
	}
}

func TestParseOBO(t *testing.T) {
	terms, err := ParseOBO(strings.NewReader(`format-version: 1.2
ontology: test

[Term]
id: T:1
name: root

[Term]
id: T:2
name: child ! not a comment
is_a: T:1 ! root
is_a: T:3 {source="x"} ! other
relationship: part_of T:9 ! ignored

[Term]
id: T:4
name: gone
is_obsolete: true

[Typedef]
id: part_of
name: part of
is_a: overlaps

[Term]
id: T:2
is_a: T:1
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []release.OntologyTerm{
		{ID: "T:1", Label: "root"},
		{ID: "T:2", Label: "child ! not a comment", Parents: []string{"T:1", "T:3"}},
	}
	if len(terms) != 2 || terms[0].ID != want[0].ID || terms[0].Label != want[0].Label || len(terms[0].Parents) != 0 ||
		terms[1].ID != want[1].ID || !slices.Equal(terms[1].Parents, want[1].Parents) {
		t.Errorf("terms %+v", terms)
	}
}

func TestParseOBOGraphs(t *testing.T) {
	terms, err := ParseOBOGraphs(strings.NewReader(`{"graphs":[{"nodes":[
		{"id":"http://purl.obolibrary.org/obo/HP_0000001","lbl":"All","type":"CLASS"},
		{"id":"http://purl.obolibrary.org/obo/HP_0000118","lbl":"Phenotypic abnormality","type":"CLASS"},
		{"id":"http://purl.obolibrary.org/obo/HP_0000005","lbl":"old","type":"CLASS","meta":{"deprecated":true}},
		{"id":"http://purl.obolibrary.org/obo/RO_0002200","lbl":"has phenotype","type":"PROPERTY"},
		{"id":"NCIT:C20197","lbl":"Male"},
		{"id":"http://www.ebi.ac.uk/efo/EFO_0009654","lbl":"reference sample","type":"CLASS"}],
	"edges":[
		{"sub":"http://purl.obolibrary.org/obo/HP_0000118","pred":"is_a","obj":"http://purl.obolibrary.org/obo/HP_0000001"},
		{"sub":"http://purl.obolibrary.org/obo/HP_0000118","pred":"http://purl.obolibrary.org/obo/BFO_0000050","obj":"http://purl.obolibrary.org/obo/HP_0000002"},
		{"sub":"http://purl.obolibrary.org/obo/HP_0000005","pred":"is_a","obj":"http://purl.obolibrary.org/obo/HP_0000001"},
		{"sub":"NCIT:C20197","pred":"is_a","obj":"NCIT:C17357"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	m := termMap(terms)
	if len(terms) != 4 {
		t.Errorf("terms %+v", terms)
	}
	if !slices.Equal(m["HP:0000118"].Parents, []string{"HP:0000001"}) || m["HP:0000118"].Label != "Phenotypic abnormality" {
		t.Errorf("HP:0000118 %+v", m["HP:0000118"])
	}
	if !slices.Equal(m["NCIT:C20197"].Parents, []string{"NCIT:C17357"}) || m["EFO:0009654"].Label != "reference sample" {
		t.Errorf("%+v", terms)
	}
	if _, ok := m["HP:0000005"]; ok {
		t.Error("deprecated term kept")
	}
}
