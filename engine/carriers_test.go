package engine

import (
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
)

// A carrier given as an individual id (caseLevelData without biosampleId) is carried by
// every biosample of that individual in the same dataset; an unknown id carries nothing.
func TestCarrierGivenAsIndividual(t *testing.T) {
	root := t.TempDir()
	d := func(id string) dsData {
		return dsData{id: id, assembly: "GRCh38", records: map[release.Entity][]release.Record{
			release.Individual: {rec("P1"), rec("P2")},
			release.Biosample:  {rec("S1a", "I:P1"), rec("S1b", "I:P1"), rec("S2", "I:P2")},
		}, variants: []release.Variant{
			{Record: release.Record{ID: "V"}, Assembly: "GRCh38", Chrom: "1", Start: 10, End: 11, Ref: "A", Alt: "G",
				Carriers: []string{"P1", "NOBODY"}},
			{Record: release.Record{ID: "W"}, Assembly: "GRCh38", Chrom: "1", Start: 20, End: 21, Ref: "A", Alt: "G",
				Carriers: []string{"S2"}},
		}}
	}
	writeRelease(t, root, nil, d("D1"), d("D2"))
	s := openRelease(t, root)
	got := s.keys(release.Biosample, s.translate(release.GenomicVariation, s.rowsOf(t, release.GenomicVariation, "D1/V"), release.Biosample))
	if want := []string{"D1/S1a", "D1/S1b"}; !sameKeys(got, want) {
		t.Errorf("carriers of D1/V = %v, want %v", got, want)
	}
	got = s.keys(release.GenomicVariation, s.translate(release.Individual, s.rowsOf(t, release.Individual, "D2/P1"), release.GenomicVariation))
	if want := []string{"D2/V"}; !sameKeys(got, want) {
		t.Errorf("variants of D2/P1 = %v, want %v", got, want)
	}
}
