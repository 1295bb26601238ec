package engine

import (
	"slices"
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
)

// TestVariantBuildOrder loads the same variants written in row order (built as they are
// read) and shuffled (read, sorted, built): both must give the same rows, ids, records,
// carriers and id lookups.
func TestVariantBuildOrder(t *testing.T) {
	vs := []release.Variant{
		variant("a", "GRCh38", "1", 10, 11, "A", "G", "SNP", "B1"),
		variant("b", "GRCh38", "1", 10, 12, "AC", "A", "DEL", "B2", "B1"),
		variant("c", "GRCh38", "2", 5, 6, "C", "T", "SNP"),
		variant("dup", "GRCh38", "X", 1, 2, "G", "A", "SNP", "B2"),
		variant("dup", "GRCh38", "X", 7, 8, "G", "C", "SNP", "B1"),
	}
	recs := map[release.Entity][]release.Record{
		release.Individual: {rec("I1"), rec("I2")},
		release.Biosample:  {rec("B1", "I:I1"), rec("B2", "I:I2")},
	}
	load := func(order []int) *Snapshot {
		d := dsData{id: "D", assembly: "GRCh38", records: recs}
		for _, i := range order {
			d.variants = append(d.variants, vs[i])
		}
		root := t.TempDir()
		writeRelease(t, root, nil, d)
		return openRelease(t, root)
	}
	sorted, shuffled := load([]int{0, 1, 2, 3, 4}), load([]int{3, 1, 4, 0, 2})
	for _, s := range []*Snapshot{sorted, shuffled} {
		vt := s.variants
		var ids []string
		for r := range vt.n {
			ids = append(ids, vt.id(r))
			if got := vt.carriers.count(r); got != len(vs[r].Carriers) {
				t.Errorf("row %d: %d carriers, want %d", r, got, len(vs[r].Carriers))
			}
			if got, want := string(s.RecordJSON(release.GenomicVariation, r)), string(sorted.RecordJSON(release.GenomicVariation, r)); got != want {
				t.Errorf("row %d: record %s, want %s", r, got, want)
			}
		}
		if want := []string{"a", "b", "c", "dup", "dup"}; !slices.Equal(ids, want) {
			t.Errorf("rows hold %v, want %v", ids, want)
		}
		if got := vt.rowsOf("dup"); !slices.Equal(got, []uint32{3, 4}) {
			t.Errorf("rows of dup = %v, want [3 4]", got)
		}
		if got := vt.rowsOf("nope"); len(got) != 0 {
			t.Errorf("rows of an unknown id = %v", got)
		}
		if got := s.keys(release.GenomicVariation, s.translate(release.Biosample, s.rowsOf(t, release.Biosample, "D/B1"), release.GenomicVariation)); !slices.Equal(got, []string{"D/a", "D/b", "D/dup"}) {
			t.Errorf("variants of B1 = %v", got)
		}
		if got := vt.ref.At(1) + ">" + vt.alt.At(1); got != "AC>A" {
			t.Errorf("row 1 alleles %s", got)
		}
	}
}

// TestIDLookupCollisions checks that ids sharing a hash are told apart by the ids.
func TestIDLookupCollisions(t *testing.T) {
	b := newTableBuilder(release.Individual)
	for _, id := range []string{"x", "y", "x", "z"} {
		b.add(&release.Record{ID: id, JSON: []byte("{}")}, 0)
	}
	tb := b.build(nil, 1)
	// Force every id onto one hash: the lookup must still compare the ids.
	for i := range tb.byID.hashes {
		tb.byID.hashes[i] = idHash("x")
	}
	tb.byID.rows = []uint32{0, 1, 2, 3}
	if got := tb.byID.lookup(&tb.ids, "x", nil); !slices.Equal(got, []uint32{0, 2}) {
		t.Errorf("x → %v, want [0 2]", got)
	}
	if got := tb.byID.lookup(&tb.ids, "z", nil); len(got) != 0 {
		t.Errorf("z hashed elsewhere → %v, want none", got)
	}
}
