package engine

import (
	"slices"
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
)

// labelSnapshot holds individuals whose ontology-term fields carry labels, measures under two
// assay terms of the same label, a sample and ages.
func labelSnapshot(t testing.TB) *Snapshot {
	t.Helper()
	root := t.TempDir()
	ind := []release.Record{
		rec("W1", "GAZ:00002640", "geographicOrigin.id=GAZ:00002640", "geographicOrigin.label=Wales",
			"ethnicity.id=NCIT:C43851", "ethnicity.label=European", "LOINC:39156-5=27.5", "age.iso8601duration=P31Y"),
		rec("W2", "GAZ:00002640", "geographicOrigin.id=GAZ:00002640", "geographicOrigin.label=Wales",
			"ethnicity.id=NCIT:C126531", "ethnicity.label=Latin American", "LOINC:35925-4=24", "age.iso8601duration=P45Y6M"),
		rec("E1", "GAZ:00002641", "geographicOrigin.id=GAZ:00002641", "geographicOrigin.label=England",
			"ethnicity.id=NCIT:C43851", "ethnicity.label=European", "LOINC:39156-5=19", "age.iso8601duration=P20Y"),
		rec("X1", "LOINC:3141-9=80"),
	}
	bios := []release.Record{
		rec("B1", "I:W1", "sampleOriginType.id=UBERON:0000178", "sampleOriginType.label=blood"),
		rec("B3", "I:E1", "sampleOriginType.id=UBERON:0001088", "sampleOriginType.label=urine"),
	}
	ontology := []release.OntologyTerm{
		{ID: "LOINC:39156-5", Label: "Body mass index"},
		{ID: "LOINC:35925-4", Label: "body mass index"},
		{ID: "LOINC:3141-9", Label: "Body weight"},
	}
	writeRelease(t, root, ontology, dsData{id: "D1", assembly: "GRCh38",
		records: map[release.Entity][]release.Record{release.Individual: ind, release.Biosample: bios}})
	return openRelease(t, root)
}

func TestFieldNames(t *testing.T) {
	s := labelSnapshot(t)
	ind := func(fs ...Filter) Query { return Query{Target: release.Individual, Filters: fs} }
	cases := []struct {
		name     string
		q        Query
		want     []string
		warnings int
	}{
		{"term field by label", ind(alpha("geographicOrigin", "=", "Wales")), []string{"D1/W1", "D1/W2"}, 0},
		{"term field by id", ind(alpha("geographicOrigin", "=", "GAZ:00002641")), []string{"D1/E1"}, 0},
		{"label wildcard", ind(alpha("ethnicity", "=", "%pean%")), []string{"D1/E1", "D1/W1"}, 0},
		{"label wildcard, any case", ind(alpha("ethnicity", "=", "%LATIN%")), []string{"D1/W2"}, 0},
		{"label is exact without wildcards", ind(alpha("ethnicity", "=", "Europe")), []string{}, 0},
		{"negated label: rows without it too", ind(alpha("geographicOrigin", "!", "Wales")), []string{"D1/E1", "D1/X1"}, 0},
		{"negated label wildcard", ind(alpha("ethnicity", "!", "%pean%")), []string{"D1/W2", "D1/X1"}, 0},
		{"negated id", ind(alpha("ethnicity", "!", "NCIT:C43851")), []string{"D1/W2", "D1/X1"}, 0},
		{"a path is still a path", ind(alpha("geographicOrigin.label", "=", "England")), []string{"D1/E1"}, 0},
		{"term field of another entity", ind(alpha("sampleOriginType", "=", "blood")), []string{"D1/W1"}, 0},
		{"measure by label: every assay term of that label", ind(alpha("body mass index", ">", "25")), []string{"D1/W1"}, 0},
		{"measure by label, any case", ind(alpha("BODY MASS INDEX", "<", "25")), []string{"D1/E1", "D1/W2"}, 0},
		{"measure by id: that term only", ind(alpha("LOINC:35925-4", "<", "25")), []string{"D1/W2"}, 0},
		{"measure label not comparing other measures", ind(alpha("body weight", ">", "25")), []string{"D1/X1"}, 0},
		{"age as a number of years", ind(alpha("age.iso8601duration", ">", "31")), []string{"D1/W2"}, 0},
		{"age as years, inclusive", ind(alpha("age.iso8601duration", ">=", "31")), []string{"D1/W1", "D1/W2"}, 0},
		{"age equal to whole years", ind(alpha("age.iso8601duration", "=", "31")), []string{"D1/W1"}, 0},
		{"an age by the field holding it", ind(alpha("age", ">=", "31")), []string{"D1/W1", "D1/W2"}, 0},
		{"unknown label warns", ind(alpha("body fat", ">", "1")), []string{}, 1},
		{"a trailing dot names nothing", ind(alpha("geographicOrigin.", "=", "Wales")), []string{}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, res := evalKeys(t, s, &c.q)
			if !slices.Equal(got, c.want) {
				t.Errorf("rows = %v, want %v", got, c.want)
			}
			if len(res.Warnings) != c.warnings {
				t.Errorf("warnings = %q, want %d", res.Warnings, c.warnings)
			}
		})
	}
}

// TestFieldNamesListed: /filtering_terms lists a field of ontology terms by its own name with
// its labels as values, and no longer hides it behind its .label and .id paths.
func TestFieldNamesListed(t *testing.T) {
	s := labelSnapshot(t)
	byID := map[string]FilteringTerm{}
	for _, ft := range s.FilteringTerms("", "") {
		byID[ft.Type+" "+ft.ID] = ft
	}
	g, ok := byID["alphanumeric geographicOrigin"]
	if !ok || !slices.Equal(g.Values, []string{"England", "Wales"}) || !slices.Equal(g.Scopes, []release.Entity{release.Individual}) {
		t.Errorf("geographicOrigin listed %v as %+v; want values England, Wales on individuals", ok, g)
	}
	if _, ok := byID["alphanumeric sampleOriginType"]; !ok {
		t.Error("sampleOriginType (biosamples) not listed")
	}
	for _, hidden := range []string{"geographicOrigin.label", "geographicOrigin.id"} {
		if _, ok := byID["alphanumeric "+hidden]; ok {
			t.Errorf("%s listed", hidden)
		}
	}
	if m := byID["alphanumeric LOINC:35925-4"]; m.Label != "body mass index" {
		t.Errorf("measure LOINC:35925-4 listed with label %q", m.Label)
	}
}
