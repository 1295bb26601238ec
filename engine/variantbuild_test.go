package engine

import (
	"bytes"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/bitbeacon/bitbeacon/release"
)

// TestVariantBuildOrder loads the same variants written in row order (built as they are
// read), in position order with a longer variant before a shorter one of the same start (as
// a VCF has them; still built as read) and shuffled (read, sorted, built): all must give the
// same rows, ids, records, carriers and id lookups.
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
	// load builds a release of the variants in the given order and reports whether the
	// build read them all before building (it logs so, to the logger of its Options).
	load := func(order []int) (*Snapshot, bool) {
		d := dsData{id: "D", assembly: "GRCh38", records: recs}
		for _, i := range order {
			d.variants = append(d.variants, vs[i])
		}
		root := t.TempDir()
		writeRelease(t, root, nil, d)
		var logs bytes.Buffer
		if _, err := WriteIndex(root, Options{Log: slog.New(slog.NewTextHandler(&logs, nil))}); err != nil {
			t.Fatal(err)
		}
		s := openRelease(t, root)
		return s, strings.Contains(logs.String(), "reading all of them before building")
	}
	sorted, fellBack := load([]int{0, 1, 2, 3, 4})
	if fellBack {
		t.Error("variants in row order were not built as read")
	}
	sameStart, fellBack := load([]int{1, 0, 2, 3, 4})
	if fellBack {
		t.Error("variants in position order were not built as read")
	}
	shuffled, fellBack := load([]int{3, 1, 4, 0, 2})
	if !fellBack {
		t.Error("shuffled variants were built as read")
	}
	for _, s := range []*Snapshot{sorted, sameStart, shuffled} {
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
	tb, err := b.build(nil, 1)
	if err != nil {
		t.Fatal(err)
	}
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
