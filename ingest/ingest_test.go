package ingest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bitbeacon/bitbeacon/internal/testenv"
	"github.com/bitbeacon/bitbeacon/release"
)

const cinecaDataset = testenv.CINECADataset

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func TestIngestCINECA(t *testing.T) {
	out := t.TempDir()
	began := time.Now()
	sum, err := Run(context.Background(), Options{Out: out, Log: testLogger(t), MaxWarnings: 5}, testenv.CINECAInputs(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("CINECA ingest (5 x 2504 metadata records, 4998 variants x 2504 samples, 2 ontologies): %v, %d warnings %v",
		time.Since(began).Round(time.Millisecond), sum.WarningCount, sum.WarningsByField)
	want := map[release.Entity]int{release.Individual: 2504, release.Biosample: 2504, release.Run: 2504, release.Analysis: 2504, release.Cohort: 1, release.Dataset: 1}
	for e, n := range want {
		if sum.Records[e] != n {
			t.Errorf("%s: %d records, want %d", e, sum.Records[e], n)
		}
	}
	if sum.Variants != 4998 {
		t.Errorf("%d variants, want 4998", sum.Variants)
	}
	if sum.ReleaseID != "000001" || sum.OntologyTerms == 0 {
		t.Errorf("summary: %+v", sum)
	}

	r, err := release.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	m := r.Manifest()
	if len(m.Datasets) != 1 || m.Datasets[0].ID != cinecaDataset || m.Datasets[0].Assembly != release.GRCh37 {
		t.Fatalf("manifest datasets: %+v", m.Datasets)
	}
	schemas := recordSchemas(t)

	records := map[release.Entity]map[string]*release.Record{}
	for _, e := range release.Entities {
		if e == release.GenomicVariation {
			continue
		}
		records[e] = map[string]*release.Record{}
		invalid := 0
		err := r.ReadRecords(cinecaDataset, e, func(rec *release.Record) error {
			records[e][rec.ID] = rec
			if rec.DatasetID != cinecaDataset {
				t.Fatalf("%s %s: datasetId %q", e, rec.ID, rec.DatasetID)
			}
			if err := validateJSON(schemas[e], rec.JSON); err != nil {
				if invalid++; invalid <= 3 {
					t.Errorf("%s %s does not validate: %v", e, rec.ID, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	ind := records[release.Individual]["HG00096"]
	if ind == nil {
		t.Fatal("individual HG00096 missing")
	}
	for _, term := range []string{"NCIT:C20197", "NCIT:C42331", "LOINC:35925-4", "NCIT:C49671", "OPCS4:L46.3"} {
		if !slices.Contains(ind.Terms, term) {
			t.Errorf("HG00096 terms %v lack %s", ind.Terms, term)
		}
	}
	if slices.Contains(ind.Terms, "HG00096") || !slices.IsSorted(ind.Terms) {
		t.Errorf("HG00096 terms: %v", ind.Terms)
	}
	for _, f := range []release.Field{
		{Path: "sex.id", Value: "NCIT:C20197"}, {Path: "sex.label", Value: "male"},
		{Path: "measures.measurementValue.value", Value: "26.63838307"},
		{Path: "measures.assayCode.id", Value: "LOINC:35925-4"},
		{Path: "measures.date", Value: "2021-09-24"},
	} {
		if !slices.Contains(ind.Fields, f) {
			t.Errorf("HG00096 fields lack %+v", f)
		}
	}
	for _, f := range ind.Fields {
		if f.Path == "id" {
			t.Errorf("top-level id indexed as a field")
		}
	}
	bio := records[release.Biosample]["HG00096"]
	if bio == nil || bio.IndividualID != "HG00096" || !slices.Contains(bio.Terms, "UBERON:0000178") {
		t.Errorf("biosample HG00096: %+v", bio)
	}
	run := records[release.Run]["SRR00000001"]
	if run == nil || run.BiosampleID != "HG00096" || run.IndividualID != "HG00096" {
		t.Errorf("run SRR00000001: %+v", run)
	}
	ana := records[release.Analysis]["UK1_analysisId_1"]
	if ana == nil || ana.RunID != "SRR00000001" || ana.BiosampleID != "HG00096" {
		t.Errorf("analysis UK1_analysisId_1: %+v", ana)
	}
	if records[release.Cohort]["CINECA_synthetic_cohort_UK1"] == nil {
		t.Errorf("cohort missing: %v", records[release.Cohort])
	}
	if ds := records[release.Dataset][cinecaDataset]; ds == nil || !bytes.Contains(ds.JSON, []byte(`"name":"CINECA_synthetic_cohort_EUROPE_UK1"`)) {
		t.Errorf("dataset record: %+v", ds)
	}

	var found, deletion *release.Variant
	n, invalid, emptyCaseLevel := 0, 0, 0
	samples, err := r.ReadSamples(cinecaDataset)
	if err != nil || len(samples) != 2504 || samples[0] != "HG00096" {
		t.Fatalf("samples: %d (%v)", len(samples), err)
	}
	err = r.ReadVariants(cinecaDataset, func(v *release.Variant) error {
		n++
		// The CNAG BFF's caseLevelData is plain biosampleId + zygosity: all of it goes to
		// the carrier bitmaps, but for the 63 empty arrays, which stay in the record.
		switch {
		case v.CaseLevelFromCarriers && !bytes.Contains(v.JSON, []byte("caseLevelData")):
		case !v.CaseLevelFromCarriers && v.CarrierBits == nil && bytes.Contains(v.JSON, []byte(`"caseLevelData":[]`)):
			emptyCaseLevel++
		default:
			t.Fatalf("variant %s: caseLevelFromCarriers %v, record %s", v.ID, v.CaseLevelFromCarriers, v.JSON)
		}
		expandCarriers(t, v, samples)
		switch v.ID {
		case "chr22_16050075_A_G":
			found = v
		case "chr22_16052394_GAAAGCCAGAACCACTC_G":
			deletion = v
		}
		if v.Chrom != "22" || v.Assembly != release.GRCh37 || v.End <= v.Start {
			t.Fatalf("variant %s: chrom %q assembly %q [%d,%d)", v.ID, v.Chrom, v.Assembly, v.Start, v.End)
		}
		for _, z := range v.Zygosity {
			if strings.Contains(z.ID, "_") {
				t.Fatalf("variant %s: zygosity %q not normalised", v.ID, z.ID)
			}
		}
		if bytes.Contains(v.JSON, []byte("GENO:GENO_")) || bytes.Contains(v.JSON, []byte(`"_info"`)) || bytes.Contains(v.JSON, []byte(`"_position"`)) {
			t.Fatalf("variant %s JSON not normalised", v.ID)
		}
		if err := validateJSON(schemas[release.GenomicVariation], v.JSON); err != nil {
			if invalid++; invalid <= 3 {
				t.Errorf("variant %s does not validate: %v", v.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 4998 || emptyCaseLevel != 63 {
		t.Fatalf("read %d variants, %d with an empty caseLevelData", n, emptyCaseLevel)
	}
	if found == nil || deletion == nil {
		t.Fatal("variant chr22_16050075_A_G or chr22_16052394_GAAAGCCAGAACCACTC_G missing")
	}
	// vcf2bff writes end = start+1 for indels; the deletion must span its 17 reference bases,
	// in the index and in the stored record.
	if deletion.Start != 16052393 || deletion.End != 16052393+17 ||
		!bytes.Contains(deletion.JSON, []byte(`"end":{"type":"Number","value":16052410}`)) {
		t.Errorf("deletion [%d,%d): %s", deletion.Start, deletion.End, deletion.JSON)
	}
	v := found
	if v.Start != 16050074 || v.End != 16050075 || v.Chrom != "22" || v.Assembly != "GRCh37" || v.Ref != "A" || v.Alt != "G" || v.VariantType != "SNP" {
		t.Errorf("chr22_16050075_A_G: %s %s [%d,%d) %s>%s %s", v.Assembly, v.Chrom, v.Start, v.End, v.Ref, v.Alt, v.VariantType)
	}
	if !slices.Equal(v.Carriers, []string{"HG03770"}) || !slices.Equal(v.CarrierZygosity, []release.ZygosityTerm{{ID: "GENO:0000458", Label: "0/1"}}) {
		t.Errorf("carriers %v zygosity %v", v.Carriers, v.CarrierZygosity)
	}
	if !bytes.Contains(v.JSON, []byte(`"caseLevelData":[{"biosampleId":"HG03770","zygosity":{"id":"GENO:0000458","label":"0/1"}}]}`)) {
		t.Errorf("rendered record %s", v.JSON)
	}
	if !slices.Equal(v.GeneIDs, []string{"CHR_START-DUXAP8"}) || len(v.AminoacidChanges) != 0 || !slices.Equal(v.HGVSIDs, []string{"22:g.16050075A>G"}) {
		t.Errorf("genes %v aa %v hgvs %v", v.GeneIDs, v.AminoacidChanges, v.HGVSIDs)
	}
	if !slices.Contains(v.Terms, "GENO:0000458") || !slices.Contains(v.Terms, "ENSGLOSSARY:0000174") {
		t.Errorf("variant terms %v", v.Terms)
	}
	if !bytes.Contains(v.JSON, []byte(`"sequence_id":"HGVSid:22:g.16050075A>G"`)) {
		t.Errorf("sequence_id rewritten although it is a valid CURIE: %s", v.JSON)
	}
	for _, f := range v.Fields {
		if strings.HasPrefix(f.Path, "caseLevelData") || f.Path == "variantInternalId" {
			t.Errorf("variant field %+v should not be indexed", f)
		}
	}

	onto := map[string]*release.OntologyTerm{}
	if err := r.ReadOntology(func(o *release.OntologyTerm) error { onto[o.ID] = o; return nil }); err != nil {
		t.Fatal(err)
	}
	if o := onto["UBERON:0012168"]; o == nil || !slices.Equal(o.Parents, []string{"UBERON:0000178"}) || o.Label != "umbilical cord blood" {
		t.Errorf("UBERON:0012168: %+v", o)
	}
	if o := onto["GENO:0000458"]; o == nil || !slices.Contains(o.Parents, "GENO:0000135") {
		t.Errorf("GENO:0000458: %+v", o)
	}
}

func TestIngestAllFieldsWarnsButKeeps(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "data/ega_ri_tools_v2_all_fields")
	inputs, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(inputs) != 7 {
		t.Fatalf("all-fields inputs: %v %v", inputs, err)
	}
	out := t.TempDir()
	sum, err := Run(context.Background(), Options{Out: out, Assembly: "GRCh37"}, inputs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("all-fields: %d warnings by field %v", sum.WarningCount, sum.WarningsByField)
	want := map[release.Entity]int{release.Individual: 20, release.Biosample: 20, release.Run: 1, release.Analysis: 1, release.Cohort: 1, release.Dataset: 1}
	for e, n := range want {
		if sum.Records[e] != n {
			t.Errorf("%s: %d records, want %d", e, sum.Records[e], n)
		}
	}
	if sum.Variants != 8 {
		t.Errorf("%d variants, want 8", sum.Variants)
	}
	// The documented deviations come back as warnings.
	for _, f := range []string{"phenotypicFeatures.onset", "collectionEvents.eventDiseases.distribution", "updateDateTime"} {
		if sum.WarningsByField[f] == 0 {
			t.Errorf("no warning for %s", f)
		}
	}
	r, err := release.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Manifest().Datasets; len(d) != 1 || d[0].ID != "synthetic_usecases_4beacon_testingV4" {
		t.Fatalf("datasets: %+v", d)
	}
	schemas := recordSchemas(t)
	carriers := 0
	samples, err := r.ReadSamples("synthetic_usecases_4beacon_testingV4")
	if err != nil {
		t.Fatal(err)
	}
	err = r.ReadVariants("synthetic_usecases_4beacon_testingV4", func(v *release.Variant) error {
		expandCarriers(t, v, samples)
		if v.Chrom != "21" || v.Assembly != release.GRCh37 {
			t.Errorf("variant %s: %s %s", v.ID, v.Chrom, v.Assembly)
		}
		carriers += len(v.Carriers)
		if err := validateJSON(schemas[release.GenomicVariation], v.JSON); err != nil {
			t.Errorf("variant %s does not validate: %v", v.ID, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if carriers == 0 {
		t.Error("no carriers read from caseLevelData")
	}
}

// writeFile writes a small test input.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBadInputLeavesReleaseUnchanged(t *testing.T) {
	out := t.TempDir()
	in := t.TempDir()
	good := writeFile(t, in, "individuals.json", `[{"id":"I1","sex":{"id":"NCIT:C20197","label":"male"}}]`)
	if _, err := Run(context.Background(), Options{Out: out, DatasetID: "first"}, []string{good}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(out, "CURRENT"))

	for _, tc := range []struct {
		name, file, content string
		want                []string
	}{
		{"truncated", "individuals.json", `[{"id":"I5","sex":{"id":"NCIT:C20197"}},{"id":"I6","se`, []string{"record 1", "truncated JSON"}},
		{"truncated after comma", "individuals.json", `[{"id":"I5","sex":{"id":"NCIT:C20197"}},`, []string{"record 1", "truncated"}},
		{"string record", "biosamples.json", `[{"id":"B1"},"B2"]`, []string{"record 1", "want a JSON object, got a string"}},
		{"missing id", "runs.json", `[{"id":"R1"},{"id":"R2"},{"biosampleId":"B1"}]`, []string{"record 2", "id: missing"}},
		{"id not a string", "runs.json", `[{"id":7}]`, []string{"record 0", "id: want a string"}},
		{"duplicate id", "individuals.json", `[{"id":"I5"},{"id":"I5"}]`, []string{"record 1", "id: duplicate"}},
		{"variant without position", "genomicVariations.json", `[{"variantInternalId":"v1","variation":{"variantType":"SNP","alternateBases":"A","location":{"type":"SequenceLocation","sequence_id":"refseq:NC_000022.10"}}}]`, []string{"record 0", "variation.location.interval.start", "no position"}},
		{"variant without chromosome", "genomicVariations.json", `[{"variantInternalId":"v1","variation":{"variantType":"SNP","alternateBases":"A","location":{"sequence_id":"ga4gh:SQ.xyz","interval":{"start":{"value":1},"end":{"value":2}}}}}]`, []string{"record 0", "variation.location.sequence_id", "chromosome"}},
		{"variant without variation", "genomicVariations.json", `[{"variantInternalId":"v1"}]`, []string{"record 0", "variation: missing"}},
		{"not an array", "cohorts.json", `{"id":"C1"}`, []string{"cohorts.json", "neither a BFF"}},
		{"invalid JSON", "cohorts.json", `[{"id":"C1",}]`, []string{"record 0", "invalid JSON"}},
		{"trailing garbage", "cohorts.json", `[{"id":"C1","name":"c","cohortType":"user-defined"}] x`, []string{"after the closing"}},
		{"unknown entity", "stuff.json", `[{"id":"C1"}]`, []string{"stuff.json", "cannot tell the entry type"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), tc.file, tc.content)
			_, err := Run(context.Background(), Options{Out: out, DatasetID: "second"}, []string{good, p})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, w := range append([]string{filepath.Base(tc.file)}, tc.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			after, _ := os.ReadFile(filepath.Join(out, "CURRENT"))
			if !bytes.Equal(before, after) {
				t.Fatalf("CURRENT changed: %q → %q", before, after)
			}
			ents, _ := os.ReadDir(filepath.Join(out, "releases"))
			if len(ents) != 1 {
				t.Fatalf("releases/ holds %d entries", len(ents))
			}
		})
	}
	r, err := release.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Manifest().Datasets; len(d) != 1 || d[0].ID != "first" {
		t.Fatalf("datasets after failed runs: %+v", d)
	}
}

func TestRecordErrorFormat(t *testing.T) {
	in := t.TempDir()
	p := writeFile(t, in, "individuals.json", `[{"id":"I1"},{"sex":{"id":"NCIT:C20197"}}]`)
	_, err := Run(context.Background(), Options{Out: t.TempDir(), DatasetID: "d"}, []string{p})
	var re *RecordError
	if !errors.As(err, &re) || re.File != p || re.Index != 1 || re.Field != "id" {
		t.Fatalf("error %v (%#v)", err, re)
	}
	if want := p + ": record 1: id: missing (required)"; err.Error() != want {
		t.Fatalf("error text %q, want %q", err.Error(), want)
	}
}

func TestSecondIngestKeepsFirst(t *testing.T) {
	out := t.TempDir()
	in := t.TempDir()
	a := writeFile(t, in, "a.individuals.json", `[{"id":"A1","sex":{"id":"NCIT:C16576"}}]`)
	b := writeFile(t, in, "b.individuals.json", `[{"id":"B1","sex":{"id":"NCIT:C20197"}},{"id":"B2","sex":{"id":"NCIT:C20197"}}]`)
	if _, err := Run(context.Background(), Options{Out: out, DatasetID: "A"}, []string{a}); err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), Options{Out: out, DatasetID: "B"}, []string{b})
	if err != nil {
		t.Fatal(err)
	}
	if sum.ReleaseID != "000002" {
		t.Fatalf("release %s", sum.ReleaseID)
	}
	r, err := release.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	count := func(ds string, e release.Entity) (ids []string) {
		r.ReadRecords(ds, e, func(rec *release.Record) error { ids = append(ids, rec.ID); return nil })
		return ids
	}
	if got := count("A", release.Individual); !slices.Equal(got, []string{"A1"}) {
		t.Errorf("A individuals %v", got)
	}
	if got := count("B", release.Individual); !slices.Equal(got, []string{"B1", "B2"}) {
		t.Errorf("B individuals %v", got)
	}
	// Both datasets got a synthesised dataset record.
	if got := count("A", release.Dataset); !slices.Equal(got, []string{"A"}) {
		t.Errorf("A dataset records %v", got)
	}
	// Re-ingesting A replaces it whole.
	a2 := writeFile(t, in, "a2.individuals.json", `[{"id":"A9"}]`)
	if _, err := Run(context.Background(), Options{Out: out, DatasetID: "A"}, []string{a2}); err != nil {
		t.Fatal(err)
	}
	r, _ = release.Open(out)
	if got := count("A", release.Individual); !slices.Equal(got, []string{"A9"}) {
		t.Errorf("A individuals after replace %v", got)
	}
	if got := count("B", release.Individual); len(got) != 2 {
		t.Errorf("B individuals after A replaced %v", got)
	}
}

func TestDatasetResolution(t *testing.T) {
	in := t.TempDir()
	ind := writeFile(t, in, "individuals.json", `[{"id":"I1","datasetId":"other"}]`)
	ds := writeFile(t, in, "datasets.json", `[{"id":"from-file","name":"From file"}]`)
	two := writeFile(t, t.TempDir(), "datasets.json", `[{"id":"x","name":"X"},{"id":"y","name":"Y"}]`)

	if _, err := Run(context.Background(), Options{Out: t.TempDir()}, []string{ind}); err == nil || !strings.Contains(err.Error(), "--dataset is required") {
		t.Errorf("no dataset: %v", err)
	}
	if _, err := Run(context.Background(), Options{Out: t.TempDir()}, []string{ind, two}); err == nil || !strings.Contains(err.Error(), "--dataset is required") {
		t.Errorf("two dataset records: %v", err)
	}

	// The one dataset record names the dataset; the individual's datasetId is overridden.
	out := t.TempDir()
	sum, err := Run(context.Background(), Options{Out: out}, []string{ind, ds})
	if err != nil {
		t.Fatal(err)
	}
	if sum.WarningsByField["datasetId"] != 1 {
		t.Errorf("warnings %v", sum.Warnings)
	}
	r, _ := release.Open(out)
	var got []*release.Record
	r.ReadRecords("from-file", release.Individual, func(rec *release.Record) error { got = append(got, rec); return nil })
	if len(got) != 1 || got[0].DatasetID != "from-file" || !bytes.Contains(got[0].JSON, []byte(`"datasetId":"from-file"`)) {
		t.Errorf("individual: %+v", got)
	}

	// --dataset wins over the record's id, which is rewritten with a warning.
	out = t.TempDir()
	sum, err = Run(context.Background(), Options{Out: out, DatasetID: "flag"}, []string{ind, ds})
	if err != nil {
		t.Fatal(err)
	}
	r, _ = release.Open(out)
	got = nil
	r.ReadRecords("flag", release.Dataset, func(rec *release.Record) error { got = append(got, rec); return nil })
	if len(got) != 1 || got[0].ID != "flag" || !bytes.Contains(got[0].JSON, []byte(`"name":"From file"`)) || sum.WarningsByField["id"] != 1 {
		t.Errorf("dataset record: %+v, warnings %v", got, sum.Warnings)
	}

	// With several dataset records, --dataset picks one.
	out = t.TempDir()
	if _, err := Run(context.Background(), Options{Out: out, DatasetID: "y"}, []string{ind, two}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), Options{Out: t.TempDir(), DatasetID: "z"}, []string{ind, two}); err == nil {
		t.Error("no error when no dataset record matches --dataset")
	}
}

func TestCancelledContext(t *testing.T) {
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := writeFile(t, t.TempDir(), "individuals.json", `[{"id":"I1"}]`)
	if _, err := Run(ctx, Options{Out: out, DatasetID: "d"}, []string{p}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "CURRENT")); !os.IsNotExist(err) {
		t.Fatalf("CURRENT written after cancel: %v", err)
	}
}

func TestProgressOnLargeFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("[")
	note := strings.Repeat("n", 1000)
	for i := 0; b.Len() < progressThreshold+1<<20; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"id":"I` + strconv.Itoa(i) + `","notes":"` + note + `"}`)
	}
	b.WriteString("]")
	p := writeFile(t, t.TempDir(), "individuals.json", b.String())
	var progress bytes.Buffer
	if _, err := Run(context.Background(), Options{Out: t.TempDir(), DatasetID: "d", Progress: &progress}, []string{p}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress.String(), "individuals.json") {
		t.Fatalf("no progress bar written: %q", progress.String())
	}
}

// BFF carriers are numbered as the biosamples of the run (written order), whatever file
// comes first on the command line; carriers that are no biosample follow, as met. A variant
// whose caseLevelData says more than its carriers keeps it in the record.
func TestBFFCarrierSamples(t *testing.T) {
	dir := t.TempDir()
	vars := writeFile(t, dir, "genomicVariations.json", `[
 {"variantInternalId":"v1","variation":{"variantType":"SNP","referenceBases":"A","alternateBases":"G","location":{"type":"SequenceLocation","sequence_id":"refseq:NC_000022.10","interval":{"type":"SequenceInterval","start":{"type":"Number","value":1},"end":{"type":"Number","value":2}}}},
  "caseLevelData":[{"biosampleId":"B1","zygosity":{"id":"GENO:0000458","label":"0/1"}},{"biosampleId":"B2","zygosity":{"id":"GENO:0000136","label":"1/1"}},{"biosampleId":"X1"}]},
 {"variantInternalId":"v2","variation":{"variantType":"SNP","referenceBases":"A","alternateBases":"T","location":{"type":"SequenceLocation","sequence_id":"refseq:NC_000022.10","interval":{"type":"SequenceInterval","start":{"type":"Number","value":1},"end":{"type":"Number","value":2}}}},
  "caseLevelData":[{"biosampleId":"B1","phenotypicEffects":[{"category":{"id":"MONDO:0000001","label":"disease"}}]}]}]`)
	bios := writeFile(t, dir, "biosamples.json", `[{"id":"B2","individualId":"I2"},{"id":"B1","individualId":"I1"}]`)
	out := filepath.Join(dir, "out")
	if _, err := Run(context.Background(), Options{Out: out, DatasetID: "d", Assembly: "GRCh37", Log: testLogger(t)}, []string{vars, bios}); err != nil {
		t.Fatal(err)
	}
	r, err := release.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	samples, err := r.ReadSamples("d")
	if want := []string{"B2", "B1", "X1"}; err != nil || !slices.Equal(samples, want) {
		t.Fatalf("samples %v (%v), want %v", samples, err, want)
	}
	vs := readVariants(t, out, "d")
	v1, v2 := vs["v1"], vs["v2"]
	if !v1.CaseLevelFromCarriers || v2.CaseLevelFromCarriers || !slices.Equal(v1.Carriers, []string{"B2", "B1", "X1"}) || !slices.Equal(v2.Carriers, []string{"B1"}) {
		t.Fatalf("v1 %v %v, v2 %v %v", v1.CaseLevelFromCarriers, v1.Carriers, v2.CaseLevelFromCarriers, v2.Carriers)
	}
	if !bytes.HasSuffix(v1.JSON, []byte(`,"caseLevelData":[{"biosampleId":"B2","zygosity":{"id":"GENO:0000136","label":"1/1"}},{"biosampleId":"B1","zygosity":{"id":"GENO:0000458","label":"0/1"}},{"biosampleId":"X1"}]}`)) {
		t.Errorf("v1 %s", v1.JSON)
	}
	if !bytes.Contains(v2.JSON, []byte(`"caseLevelData":[{"biosampleId":"B1","phenotypicEffects":[{"category":{"id":"MONDO:0000001","label":"disease"}}]}]`)) {
		t.Errorf("v2 %s", v2.JSON)
	}
}
