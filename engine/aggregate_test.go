package engine

import (
	"fmt"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/release"
)

// TestAggregate checks distributions against counts worked out by hand: terms, a field with
// several values per record, a concept of another entry type, numeric bins and ages.
func TestAggregate(t *testing.T) {
	root := t.TempDir()
	const f, m = "NCIT:C16576", "NCIT:C20197"
	ind := func(id, sex string, extra ...string) release.Record {
		return rec(id, append([]string{"sex.id=" + sex, "sex.label=" + map[string]string{f: "female", m: "male"}[sex]}, extra...)...)
	}
	d := dsData{id: "D", assembly: "GRCh38", records: map[release.Entity][]release.Record{
		release.Individual: {
			ind("P1", f, "diseases.diseaseCode.id=ICD10:E10", "diseases.ageOfOnset.iso8601duration=P10Y", "LOINC:35925-4=20"),
			ind("P2", f, "diseases.diseaseCode.id=ICD10:E10", "diseases.diseaseCode.id=ICD10:J45", "diseases.ageOfOnset.iso8601duration=P30Y", "diseases.ageOfOnset.iso8601duration=P70Y", "LOINC:35925-4=36"),
			ind("P3", m, "diseases.diseaseCode.id=ICD10:J45", "LOINC:35925-4=28"),
			ind("P4", m),
			ind("P5", f, "LOINC:35925-4=20.5"),
		},
		release.Biosample: {rec("S1", "I:P1"), rec("S2a", "I:P2"), rec("S2b", "I:P2"), rec("S3", "I:P3"), rec("S5", "I:P5")},
	}}
	writeRelease(t, root, nil, d)
	s := openRelease(t, root)
	all := s.tables[release.Individual].all
	find := func(name string, target release.Entity) AggregationTerm {
		t.Helper()
		at, ok := s.FindAggregationTerm(name, target)
		if !ok {
			t.Fatalf("no aggregation term %q among %v", name, s.AggregationTerms(""))
		}
		return at
	}
	show := func(a Aggregation) string {
		out := fmt.Sprintf("with %d:", a.WithValue)
		for _, b := range a.Buckets {
			out += fmt.Sprintf(" %s=%d", b.ID, b.Count)
		}
		return out
	}
	women := s.rowsOf(t, release.Individual, "D/P1", "D/P2", "D/P5")
	for _, c := range []struct {
		name   string
		target release.Entity
		rows   *roaring.Bitmap
		want   string
	}{
		{"sex", release.Individual, all, "with 5: NCIT:C16576=3 NCIT:C20197=2"},
		// P2 has two diseases: in both buckets, once in withValue.
		{"diseases", release.Individual, all, "with 3: ICD10:E10=2 ICD10:J45=2"},
		{"diseases.diseaseCode", release.Individual, women, "with 2: ICD10:E10=2 ICD10:J45=1"},
		// Biosamples by their donor's sex: S1 S2a S2b S5 female, S3 male.
		{"sex", release.Biosample, s.tables[release.Biosample].all, "with 5: NCIT:C16576=4 NCIT:C20197=1"},
		// Ages of onset in years: P1 10 (0-18), P2 30 and 70.
		{"diseases.ageOfOnset", release.Individual, all, "with 2: P0Y--P18Y=1 P18Y--P40Y=1 P40Y--P65Y=0 P65Y--P80Y=1 P80Y--P120Y=0"},
		// BMI 20, 20.5, 28, 36: eight bins of 2 over [20,36], the last closed.
		{"LOINC:35925-4", release.Individual, all, "with 4: [20,22)=2 [22,24)=0 [24,26)=0 [26,28)=0 [28,30)=1 [30,32)=0 [32,34)=0 [34,36]=1"},
	} {
		a := s.Aggregate(c.target, c.rows, find(c.name, c.target))
		if got := show(a); got != c.want {
			t.Errorf("%s on %s: %s, want %s", c.name, c.target, got, c.want)
		}
	}
	ids := []string{}
	for _, at := range s.AggregationTerms(release.Individual) {
		ids = append(ids, at.ID)
	}
	for _, want := range []string{"sex", "diseases.diseaseCode", "diseases.ageOfOnset", "LOINC:35925-4"} {
		if !slices.Contains(ids, want) {
			t.Errorf("aggregation terms %v lack %s", ids, want)
		}
	}
	if _, ok := s.FindAggregationTerm("nosuch", release.Individual); ok {
		t.Error("an unknown concept resolved")
	}
}
