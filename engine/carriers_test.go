package engine

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/bitbeacon/bitbeacon/ingest"
	"github.com/bitbeacon/bitbeacon/internal/schematest"
	"github.com/bitbeacon/bitbeacon/internal/testenv"
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

// Carriers given as sample indexes: the samples in another order than the biosamples, one
// an individual with two biosamples, one unknown (it renders by name but links nothing).
func TestCarrierSamplesToRows(t *testing.T) {
	root := t.TempDir()
	het := release.ZygositySet{ID: "GENO:0000458", Label: "simple heterozygous", Bits: roaring.BitmapOf(1, 3)}
	hom := release.ZygositySet{ID: "GENO:0000136", Label: "homozygous", Bits: roaring.BitmapOf(0)}
	d := dsData{id: "D1", assembly: "GRCh38", records: map[release.Entity][]release.Record{
		release.Individual: {rec("P1"), rec("P2"), rec("P3")},
		release.Biosample:  {rec("S1", "I:P1"), rec("S2a", "I:P2"), rec("S2b", "I:P2"), rec("S3", "I:P3")},
	}, samples: []string{"S3", "P2", "NAME9", "S1"}, variants: []release.Variant{
		{Record: release.Record{ID: "V", JSON: []byte(`{"variantInternalId":"V"}`)}, Assembly: "GRCh38", Chrom: "1", Start: 10, End: 11, Ref: "A", Alt: "G",
			CarrierBits: roaring.BitmapOf(0, 1, 2, 3), Zygosity: []release.ZygositySet{het, hom}, CaseLevelFromCarriers: true},
		{Record: release.Record{ID: "W", JSON: []byte(`{"variantInternalId":"W"}`)}, Assembly: "GRCh38", Chrom: "1", Start: 20, End: 21, Ref: "A", Alt: "G",
			CarrierBits: roaring.BitmapOf(2, 3), CaseLevelFromCarriers: true},
		// caseLevelData kept in the record: served as stored.
		{Record: release.Record{ID: "X", JSON: []byte(`{"variantInternalId":"X","caseLevelData":[{"biosampleId":"S3","note":1}]}`)}, Assembly: "GRCh38", Chrom: "1", Start: 30, End: 31, Ref: "A", Alt: "G",
			CarrierBits: roaring.BitmapOf(0)},
	}}
	writeRelease(t, root, nil, d)
	s := openRelease(t, root)
	if sp := s.variants.cl.spaces[0]; sp.shift {
		t.Fatalf("samples out of biosample order mapped as a shift: %+v", sp)
	}
	for v, want := range map[string][]string{"V": {"D1/S1", "D1/S2a", "D1/S2b", "D1/S3"}, "W": {"D1/S1"}, "X": {"D1/S3"}} {
		got := s.keys(release.Biosample, s.translate(release.GenomicVariation, s.rowsOf(t, release.GenomicVariation, "D1/"+v), release.Biosample))
		if !slices.Equal(got, want) {
			t.Errorf("carriers of %s = %v, want %v", v, got, want)
		}
	}
	for ind, want := range map[string][]string{"P1": {"D1/V", "D1/W"}, "P2": {"D1/V"}, "P3": {"D1/V", "D1/X"}} {
		got := s.keys(release.GenomicVariation, s.translate(release.Individual, s.rowsOf(t, release.Individual, "D1/"+ind), release.GenomicVariation))
		if !slices.Equal(got, want) {
			t.Errorf("variants of %s = %v, want %v", ind, got, want)
		}
	}
	const hetJSON, homJSON = `"zygosity":{"id":"GENO:0000458","label":"simple heterozygous"}`, `"zygosity":{"id":"GENO:0000136","label":"homozygous"}`
	for v, want := range map[string]string{
		"V": `{"variantInternalId":"V","caseLevelData":[{"biosampleId":"S3",` + homJSON + `},{"biosampleId":"P2",` + hetJSON +
			`},{"biosampleId":"NAME9"},{"biosampleId":"S1",` + hetJSON + `}]}`,
		"W": `{"variantInternalId":"W","caseLevelData":[{"biosampleId":"NAME9"},{"biosampleId":"S1"}]}`,
		"X": `{"variantInternalId":"X","caseLevelData":[{"biosampleId":"S3","note":1}]}`,
	} {
		row := s.rowsOf(t, release.GenomicVariation, "D1/"+v).Minimum()
		if got := string(s.RecordJSON(release.GenomicVariation, row)); got != want {
			t.Errorf("%s: record\n%s\nwant\n%s", v, got, want)
		}
		if got := string(s.AppendRecordJSON([]byte("x"), release.GenomicVariation, row)); got != "x"+want {
			t.Errorf("%s: AppendRecordJSON %s", v, got)
		}
	}
}

// Samples that are consecutive biosample rows in order are moved with one shift: for the
// second dataset (rows after the first's), with an unknown sample in between, and with all
// samples known; the records render the same from the shifted rows.
func TestCarrierSamplesShift(t *testing.T) {
	root := t.TempDir()
	bios := func() map[release.Entity][]release.Record {
		return map[release.Entity][]release.Record{release.Biosample: {rec("B0"), rec("B1"), rec("B2"), rec("B3")}}
	}
	v := func(id string, bits ...uint32) release.Variant {
		return release.Variant{Record: release.Record{ID: id, JSON: []byte(`{"variantInternalId":"` + id + `"}`)}, Assembly: "GRCh38", Chrom: "1", Start: 10, End: 11, Ref: "A", Alt: "G",
			CarrierBits: roaring.BitmapOf(bits...), Zygosity: []release.ZygositySet{{ID: "GENO:0000136", Label: "homozygous", Bits: roaring.BitmapOf(bits[0])}}, CaseLevelFromCarriers: true}
	}
	writeRelease(t, root, nil,
		dsData{id: "D1", assembly: "GRCh38", records: bios(), samples: []string{"B0", "B1", "B2", "B3"}, variants: []release.Variant{v("V", 1, 3)}},
		dsData{id: "D2", assembly: "GRCh38", records: bios(), samples: []string{"X", "B1", "B2", "B3"}, variants: []release.Variant{v("V", 0, 1, 3)}},
		dsData{id: "D3", assembly: "GRCh38", records: bios(), samples: []string{"B0", "B1", "B2", "B3"}, variants: []release.Variant{v("V", 0, 2)}})
	s := openRelease(t, root)
	for d, want := range []struct {
		offset  int64
		matched bool
	}{{0, false}, {4, true}, {8, false}} {
		if sp := s.variants.cl.spaces[d]; !sp.shift || sp.offset != want.offset || (sp.matched != nil) != want.matched {
			t.Errorf("dataset %d: space shift %v offset %d matched %v", d, sp.shift, sp.offset, sp.matched)
		}
	}
	if s.variants.cl.sampleBits == nil || s.variants.cl.sampleBits[1] == nil || s.variants.cl.sampleBits[0] != nil {
		t.Errorf("sample-space carriers kept for %v", s.variants.cl.sampleBits)
	}
	for key, want := range map[string]struct {
		carriers []string
		json     string
	}{
		"D1/V": {[]string{"D1/B1", "D1/B3"}, `[{"biosampleId":"B1","zygosity":{"id":"GENO:0000136","label":"homozygous"}},{"biosampleId":"B3"}]`},
		"D2/V": {[]string{"D2/B1", "D2/B3"}, `[{"biosampleId":"X","zygosity":{"id":"GENO:0000136","label":"homozygous"}},{"biosampleId":"B1"},{"biosampleId":"B3"}]`},
		"D3/V": {[]string{"D3/B0", "D3/B2"}, `[{"biosampleId":"B0","zygosity":{"id":"GENO:0000136","label":"homozygous"}},{"biosampleId":"B2"}]`},
	} {
		rows := s.rowsOf(t, release.GenomicVariation, key)
		if got := s.keys(release.Biosample, s.translate(release.GenomicVariation, rows, release.Biosample)); !slices.Equal(got, want.carriers) {
			t.Errorf("carriers of %s = %v, want %v", key, got, want.carriers)
		}
		if got := string(s.RecordJSON(release.GenomicVariation, rows.Minimum())); got != `{"variantInternalId":"V","caseLevelData":`+want.json+`}` {
			t.Errorf("%s: %s", key, got)
		}
	}
}

// The caseLevelData the engine renders for the CINECA BFF variants is the one of the file:
// the same (biosampleId, zygosity) pairs per variant, byte for byte what
// release.Variant.FullJSON makes, and valid records.
func TestCaseLevelDataCINECA(t *testing.T) {
	data := testenv.DataDir(t)
	bff := filepath.Join(data, "cineca_uk1_cnag_vcf", "cineca_uk1_chr22_5002.genomicVariations.bff.json.gz")
	out := t.TempDir()
	const ds = "CINECA_synthetic_cohort_EUROPE_UK1"
	_, err := ingest.Run(context.Background(), ingest.Options{Out: out, DatasetID: ds, Assembly: "GRCh37"}, []string{
		filepath.Join(data, "cineca_uk1_ega_ri_api", "individuals.json"), filepath.Join(data, "cineca_uk1_ega_ri_api", "biosamples.json"), bff})
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		BiosampleID string `json:"biosampleId"`
		Zygosity    struct{ ID, Label string }
	}
	type doc struct {
		VariantInternalID string  `json:"variantInternalId"`
		CaseLevelData     []entry `json:"caseLevelData"`
	}
	pairs := func(es []entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.BiosampleID+" "+e.Zygosity.ID+" "+e.Zygosity.Label)
		}
		slices.Sort(out)
		return out
	}
	f, err := os.Open(bff)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var orig []doc
	if err := json.NewDecoder(zr).Decode(&orig); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, d := range orig {
		for i := range d.CaseLevelData {
			// Ingest spells GENO:GENO_0000458 as GENO:0000458.
			z := &d.CaseLevelData[i].Zygosity
			z.ID = strings.Replace(z.ID, "GENO:GENO_", "GENO:", 1)
		}
		want[d.VariantInternalID] = pairs(d.CaseLevelData)
	}

	s := openRelease(t, out)
	r, err := release.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	samples, err := r.ReadSamples(ds)
	if err != nil {
		t.Fatal(err)
	}
	full := map[string][]byte{}
	if err := r.ReadVariants(ds, func(v *release.Variant) error {
		js, err := v.FullJSON(samples)
		full[v.ID] = js
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if sp := s.variants.cl.spaces[0]; !sp.invertible() || sp.offset != 0 {
		t.Errorf("CINECA samples are not its biosamples in order: %+v", sp)
	}
	sv := schematest.For(t)
	n, rendered := 0, 0
	for row := uint32(0); row < uint32(s.Count(release.GenomicVariation)); row++ {
		js := s.RecordJSON(release.GenomicVariation, row)
		var d doc
		if err := json.Unmarshal(js, &d); err != nil {
			t.Fatalf("row %d: %v: %s", row, err, js)
		}
		if got := pairs(d.CaseLevelData); !slices.Equal(got, want[d.VariantInternalID]) {
			t.Errorf("%s: caseLevelData %d entries, want %d", d.VariantInternalID, len(got), len(want[d.VariantInternalID]))
		}
		if !bytes.Equal(js, full[d.VariantInternalID]) {
			t.Errorf("%s: engine and release.FullJSON differ:\n%s\n%s", d.VariantInternalID, js, full[d.VariantInternalID])
		}
		if s.variants.cl.renders(row) {
			rendered++
		}
		if row%97 == 0 {
			if err := sv.Record("genomicVariation", js); err != nil {
				t.Errorf("%s does not validate: %v", d.VariantInternalID, err)
			}
		}
		n++
	}
	if n != 4998 || rendered != 4998-63 {
		t.Errorf("%d variants, %d rendered; want 4998, 4935 (63 have an empty caseLevelData)", n, rendered)
	}
}

// More than 255 distinct zygosity terms: the rows past the code table keep their zygosity
// sets and render the same.
func TestCaseLevelManyZygosities(t *testing.T) {
	root := t.TempDir()
	d := dsData{id: "D", assembly: "GRCh38", records: map[release.Entity][]release.Record{release.Biosample: {rec("S1"), rec("S2")}}}
	for i := range 300 {
		id := fmt.Sprintf("V%d", i)
		d.variants = append(d.variants, release.Variant{Record: release.Record{ID: id, JSON: []byte(`{"variantInternalId":"` + id + `"}`)},
			Assembly: "GRCh38", Chrom: "1", Start: int64(i), End: int64(i + 1), Ref: "A", Alt: "G", CaseLevelFromCarriers: true,
			Carriers: []string{"S1", "S2"}, CarrierZygosity: []release.ZygosityTerm{{ID: "GENO:0000135", Label: fmt.Sprint("L", i)}, {}}})
	}
	writeRelease(t, root, nil, d)
	s := openRelease(t, root)
	if len(s.variants.cl.terms) != 255 || len(s.variants.cl.fallback) != 45 {
		t.Fatalf("%d terms, %d rows in the fallback", len(s.variants.cl.terms), len(s.variants.cl.fallback))
	}
	for i := range 300 {
		row := s.rowsOf(t, release.GenomicVariation, fmt.Sprint("D/V", i)).Minimum()
		want := fmt.Sprintf(`{"variantInternalId":"V%d","caseLevelData":[{"biosampleId":"S1","zygosity":{"id":"GENO:0000135","label":"L%d"}},{"biosampleId":"S2"}]}`, i, i)
		if got := string(s.RecordJSON(release.GenomicVariation, row)); got != want {
			t.Fatalf("V%d: %s", i, got)
		}
	}
}
