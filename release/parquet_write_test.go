package release

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// bigVariant is a variant with a large record, so that row groups are cut by bytes and
// batches go to the encoder every few rows. Every third variant's second zygosity set is
// the carrier bitmap itself (the writer serialises it once for both), after a set that is
// not.
func bigVariant(i int) *Variant {
	v := &Variant{
		Record: Record{
			ID: fmt.Sprintf("v%06d", i), DatasetID: "big",
			JSON: []byte(fmt.Sprintf(`{"variantInternalId":"v%06d","pad":%q}`, i, strings.Repeat(string(rune('a'+i%26)), 300_000+i))),
		},
		Assembly: GRCh37, Chrom: "1", Start: int64(i), End: int64(i + 1), Ref: "A", Alt: "C", VariantType: "SNP",
	}
	carriers := roaring.BitmapOf(uint32(i%7), uint32(i%7+1), 9, 10, 11)
	v.CarrierBits = carriers
	switch i % 3 {
	case 0:
		v.Zygosity = []ZygositySet{{ID: "GENO:0000136", Label: "homozygous", Bits: carriers}}
	case 1:
		v.Zygosity = []ZygositySet{
			{ID: "GENO:0000458", Label: "simple heterozygous", Bits: roaring.BitmapOf(9)},
			{ID: "GENO:0000136", Label: "homozygous", Bits: carriers},
		}
	}
	return v
}

// TestPipelinedWriterRowGroups writes variants until a row group ends exactly on the last
// one: the rows come back in order and whole, and the file has no empty row group.
func TestPipelinedWriterRowGroups(t *testing.T) {
	root := t.TempDir()
	w, err := Create(root)
	if err != nil {
		t.Fatal(err)
	}
	d, err := w.Dataset("big", GRCh37)
	if err != nil {
		t.Fatal(err)
	}
	samples := make([]string, 12)
	for i := range samples {
		samples[i] = fmt.Sprintf("S%d", i)
	}
	if err := d.SetSamples(samples); err != nil {
		t.Fatal(err)
	}
	n, cuts := 0, 0
	for {
		if err := d.WriteVariant(bigVariant(n)); err != nil {
			t.Fatal(err)
		}
		n++
		tw := d.tables[GenomicVariation]
		if tw.rgRows == 0 {
			if cuts++; cuts == 2 {
				break // the second row group just ended
			}
		}
		if n > 1000 {
			t.Fatal("no row group cut by bytes")
		}
	}
	m := mustCommit(t, w)
	pf, err := file.OpenParquetFile(filepath.Join(root, "releases", m.ReleaseID, m.Datasets[0].Files[GenomicVariation]), false)
	if err != nil {
		t.Fatal(err)
	}
	if g := pf.NumRowGroups(); g != 2 {
		t.Errorf("%d row groups, want 2", g)
	}
	for g := 0; g < pf.NumRowGroups(); g++ {
		if pf.MetaData().RowGroup(g).NumRows() == 0 {
			t.Errorf("row group %d is empty", g)
		}
	}
	pf.Close()

	r, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	err = r.ReadVariants("big", func(got *Variant) error {
		want := bigVariant(i)
		if got.ID != want.ID || !bytes.Equal(got.JSON, want.JSON) || got.Start != want.Start {
			return fmt.Errorf("variant %d: got %s", i, got.ID)
		}
		if !got.CarrierBits.Equals(want.CarrierBits) || len(got.Zygosity) != len(want.Zygosity) {
			return fmt.Errorf("variant %d: carriers %v %+v", i, got.CarrierBits, got.Zygosity)
		}
		for j, z := range want.Zygosity {
			if g := got.Zygosity[j]; g.ID != z.ID || g.Label != z.Label || !g.Bits.Equals(z.Bits) {
				return fmt.Errorf("variant %d: zygosity %d %+v, want %+v", i, j, g, z)
			}
		}
		i++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if i != n {
		t.Fatalf("read %d variants, want %d", i, n)
	}
}

// TestAbortWithPendingBatches aborts while batches are still with the encoder: nothing is
// published and the lock is free.
func TestAbortWithPendingBatches(t *testing.T) {
	root := t.TempDir()
	w, err := Create(root)
	if err != nil {
		t.Fatal(err)
	}
	d, err := w.Dataset("big", GRCh37)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 40; i++ {
		v := bigVariant(i)
		v.CarrierBits, v.Zygosity = nil, nil
		if err := d.WriteVariant(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(root); err == nil {
		t.Fatal("a release was published")
	}
	w, err = Create(root)
	if err != nil {
		t.Fatal(err)
	}
	w.Abort()
}

// TestLeafLayouts checks that every schema's Parquet leaves are what its append function
// fills, and that a spec off by one level, path or type is refused.
func TestLeafLayouts(t *testing.T) {
	for sc := range leavesOf {
		if l := layoutOf(sc); l.err != nil || len(l.meta) == 0 {
			t.Fatalf("%v: %v, %d metadata entries", sc, l.err, len(l.meta))
		}
	}
	pq, err := pqarrow.ToParquet(variantSchema, writerProps(), pqarrow.NewArrowWriterProperties())
	if err != nil {
		t.Fatal(err)
	}
	for _, mutate := range []func(*leafSpec){
		func(s *leafSpec) { s.maxDef++ },
		func(s *leafSpec) { s.maxRep++ },
		func(s *leafSpec) { s.path += "x" },
		func(s *leafSpec) { s.kind = leafBool },
	} {
		specs := append([]leafSpec(nil), leavesOf[variantSchema]...)
		mutate(&specs[leafZygosityBits])
		if err := checkLeaves(pq, specs); err == nil {
			t.Errorf("mutated spec %+v accepted", specs[leafZygosityBits])
		}
	}
	if err := checkLeaves(pq, leavesOf[variantSchema][:leafCaseLevel]); err == nil {
		t.Error("a spec one leaf short accepted")
	}
}
